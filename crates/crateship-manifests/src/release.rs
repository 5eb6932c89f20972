//! The release every channel is written from: plain values the caller fills from its
//! plan and the finished artifacts, and the checks and look-ups all channels share
//! (download URLs, which artifact serves which platform).

use crate::ManifestError;

/// One release of one application, as the channels describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// Package name (the Cargo package name, e.g. `hello-desktop`): the AUR, Scoop,
    /// Homebrew formula and install.sh name.
    pub name: String,
    /// Product name shown to people (`Hello Desktop`); also the `.app` name in a cask.
    pub product_name: String,
    /// The version released (semver, e.g. `1.2.3` or `1.2.3-beta.1`).
    pub version: String,
    /// One-line description.
    pub summary: String,
    /// Project homepage, `http(s)://`.
    pub homepage: String,
    /// SPDX license expression, e.g. `MIT OR Apache-2.0`.
    pub license: String,
    /// Maintainer and publisher, `Name <email>` (the email is optional).
    pub maintainer: String,
    /// Reverse-DNS identifier (`org.example.hello`): cask `zap` paths and the default
    /// winget package identifier come from it.
    pub identifier: String,
    /// Where the release's files are downloaded from, `http(s)://`; `{version}` in it
    /// is replaced by [`Release::version`] (e.g.
    /// `https://github.com/o/r/releases/download/v{version}`). A file's URL is this
    /// plus `/` plus its file name.
    pub base_url: String,
    /// The release's artifacts (any order); each channel picks what it needs.
    pub artifacts: Vec<ReleaseArtifact>,
    /// Minimum glibc of the gnu Linux binaries (e.g. `2.17`), if known.
    pub glibc_floor: Option<String>,
    /// What the gnu Linux binaries need besides glibc: sonames from ELF `NEEDED`
    /// (`libgtk-3.so.0`) or package names. glibc's own libraries are covered by
    /// [`Release::glibc_floor`].
    pub linux_depends: Vec<String>,
    /// The programs, by name without `.exe` (the first is the main one: shortcuts,
    /// completions and tests use it). Archives hold them at their top (under
    /// [`ReleaseArtifact::root_dir`]).
    pub binaries: Vec<String>,
    /// Licence files inside the archives, relative to their root directory.
    pub license_files: Vec<String>,
    /// Man pages inside the archives, relative to their root directory; the section
    /// comes from the name (`hello.1`, `hello.5.gz`).
    pub man_pages: Vec<String>,
    /// Shell completions inside the archives, relative to their root directory.
    pub completions: Completions,
    /// The minisign public key `SHA256SUMS.minisig` is made with (the base64 line of
    /// the public-key file, `RW…`); install.sh checks the signature with it.
    pub minisign_public_key: Option<String>,
    /// The ASCII-armored OpenPGP public key `SHA256SUMS.asc` is made with; install.sh
    /// checks the signature with it when gpg is installed.
    pub openpgp_public_key: Option<String>,
    /// winget's package identifier (`Publisher.Package`); default: the identifier
    /// without its first label (`org.example.hello` → `example.hello`).
    pub winget_identifier: Option<String>,
    /// A page whose text holds the newest release's Windows zip name, for Scoop's
    /// `checkver`; default: the GitHub releases of a `github.com` base-url, else the
    /// homepage.
    pub checkver_url: Option<String>,
}

/// Shell completion scripts of the main binary, as paths inside the archives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completions {
    /// bash completion script.
    pub bash: Option<String>,
    /// zsh completion function (conventionally `_NAME`).
    pub zsh: Option<String>,
    /// fish completion script.
    pub fish: Option<String>,
}

/// One artifact of the release, after signing (its bytes are final).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseArtifact {
    /// File name under the base URL, as `SHA256SUMS` lists it.
    pub file_name: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Operating system it is for.
    pub os: Os,
    /// CPU it is for.
    pub arch: Arch,
    /// C library of a Linux build; `None` elsewhere.
    pub libc: Option<Libc>,
    /// What kind of file it is.
    pub format: ArtifactFormat,
    /// The one directory an archive's files are under (`hello-1.2.3-x86_64-unknown-linux-gnu`),
    /// empty when they are at its top.
    pub root_dir: String,
    /// The MSI's codes and scope; required for an MSI.
    pub msi: Option<MsiFacts>,
}

/// Operating systems the channels know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Os {
    /// Linux.
    Linux,
    /// macOS.
    Macos,
    /// Windows.
    Windows,
}

/// CPUs the channels know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arch {
    /// 64-bit x86.
    X86_64,
    /// 64-bit Arm.
    Aarch64,
    /// 32-bit x86 (Windows only).
    X86,
    /// A macOS universal binary (x86_64 and arm64 slices).
    Universal,
}

/// C library of a Linux build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Libc {
    /// glibc (`*-linux-gnu`): needs the host's glibc at or above the floor.
    Gnu,
    /// musl (`*-linux-musl`): static, runs on any Linux of its CPU.
    Musl,
}

/// Kinds of artifact; channels use tar.gz, zip, MSI and dmg, others pass through.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ArtifactFormat {
    /// `.tar.gz` archive.
    TarGz,
    /// `.zip` archive.
    Zip,
    /// Windows Installer package.
    Msi,
    /// macOS disk image holding the `.app`.
    Dmg,
    /// Any other format (its crateship name), which no channel here uses.
    Other(String),
}

impl ArtifactFormat {
    /// The format of crateship's format name (`tar.gz`, `zip`, `msi`, `dmg`, …).
    pub fn from_name(name: &str) -> ArtifactFormat {
        match name {
            "tar.gz" => ArtifactFormat::TarGz,
            "zip" => ArtifactFormat::Zip,
            "msi" => ArtifactFormat::Msi,
            "dmg" => ArtifactFormat::Dmg,
            other => ArtifactFormat::Other(other.to_owned()),
        }
    }

    fn name(&self) -> &str {
        match self {
            ArtifactFormat::TarGz => "tar.gz",
            ArtifactFormat::Zip => "zip",
            ArtifactFormat::Msi => "msi",
            ArtifactFormat::Dmg => "dmg",
            ArtifactFormat::Other(name) => name,
        }
    }
}

/// What an MSI carries that winget needs to recognise it once installed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsiFacts {
    /// ProductCode, braced (`{XXXXXXXX-…}`), as the MSI's Property table has it.
    pub product_code: String,
    /// UpgradeCode, braced.
    pub upgrade_code: String,
    /// ProductVersion as the MSI has it (`1.2.3`); may differ from the release version.
    pub product_version: String,
    /// Whether it installs for all users or the current one.
    pub scope: MsiScope,
}

/// Installation scope of an MSI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsiScope {
    /// For all users (`Program Files`, elevation).
    Machine,
    /// For the current user (`%LOCALAPPDATA%\Programs`).
    User,
}

impl Os {
    fn name(self) -> &'static str {
        match self {
            Os::Linux => "Linux",
            Os::Macos => "macOS",
            Os::Windows => "Windows",
        }
    }
}

impl Arch {
    /// The name used in messages and in Linux package metadata (`x86_64`, `aarch64`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::X86 => "x86",
            Arch::Universal => "universal",
        }
    }
}

impl Libc {
    /// `gnu` or `musl`, as in Rust target triples.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Libc::Gnu => "gnu",
            Libc::Musl => "musl",
        }
    }
}

impl ReleaseArtifact {
    /// A readable name of the platform slot it fills, e.g. "Linux x86_64 gnu tar.gz".
    pub(crate) fn slot(&self) -> String {
        let libc = self
            .libc
            .map(|l| format!(" {}", l.name()))
            .unwrap_or_default();
        format!(
            "{} {}{libc} {}",
            self.os.name(),
            self.arch.name(),
            self.format.name()
        )
    }
}

impl Release {
    /// The base URL with `{version}` replaced and no trailing `/`, checked to be
    /// `http(s)://`.
    pub(crate) fn base(&self) -> Result<String, ManifestError> {
        check_url("base-url", &self.base_url)?;
        Ok(self
            .base_url
            .replace("{version}", &self.version)
            .trim_end_matches('/')
            .to_owned())
    }

    /// The download URL of `artifact`.
    pub(crate) fn url(&self, artifact: &ReleaseArtifact) -> Result<String, ManifestError> {
        Ok(format!(
            "{}/{}",
            self.base()?,
            url_path(&artifact.file_name)
        ))
    }

    /// The checks every channel needs: names, version, URLs, artifacts' hashes.
    pub(crate) fn check_common(&self, channel: &'static str) -> Result<(), ManifestError> {
        let bad = |field: &str, value: &str, reason: &str| {
            Err(ManifestError::invalid(Some(channel), field, value, reason))
        };
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return bad(
                "name",
                &self.name,
                "use letters, digits, `-`, `_` and `.` only (the Cargo package name)",
            );
        }
        check_one_line(channel, "product name", &self.product_name)?;
        check_one_line(channel, "summary", &self.summary)?;
        check_one_line(channel, "maintainer", &self.maintainer)?;
        check_version(channel, &self.version)?;
        check_url("homepage", &self.homepage)?;
        self.base()?;
        if self.binaries.is_empty() {
            return bad(
                "binaries",
                "",
                "the release names no program; list at least one binary",
            );
        }
        for bin in &self.binaries {
            check_plain_name(channel, "binary", bin)?;
        }
        for artifact in &self.artifacts {
            check_artifact(channel, artifact)?;
        }
        Ok(())
    }

    /// The artifact of `format` for `os`/`arch`/`libc`, if there is one; two are an error.
    pub(crate) fn find(
        &self,
        channel: &'static str,
        os: Os,
        arch: Arch,
        libc: Option<Libc>,
        format: &ArtifactFormat,
    ) -> Result<Option<&ReleaseArtifact>, ManifestError> {
        let mut found: Option<&ReleaseArtifact> = None;
        for artifact in &self.artifacts {
            if artifact.os == os
                && artifact.arch == arch
                && artifact.libc == libc
                && &artifact.format == format
            {
                if let Some(first) = found {
                    return Err(ManifestError::DuplicateArtifact {
                        channel,
                        slot: artifact.slot(),
                        first: first.file_name.clone(),
                        second: artifact.file_name.clone(),
                    });
                }
                found = Some(artifact);
            }
        }
        Ok(found)
    }

    /// The maintainer's name without the `<email>` part.
    pub(crate) fn publisher(&self) -> &str {
        match self.maintainer.find('<') {
            Some(at) => self.maintainer[..at].trim(),
            None => self.maintainer.trim(),
        }
    }

    /// The main binary (the first).
    pub(crate) fn main_binary(&self) -> &str {
        self.binaries
            .first()
            .map(String::as_str)
            .unwrap_or_default()
    }
}

/// Percent-encodes what is not unreserved in a URL path (keeping `/`).
pub(crate) fn url_path(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/+".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Refuses anything but an absolute `http://` or `https://` URL without spaces.
pub(crate) fn check_url(field: &str, url: &str) -> Result<(), ManifestError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let ok = match rest {
        Some(rest) => {
            !rest.is_empty()
                && !rest.starts_with('/')
                && !url.chars().any(|c| c.is_whitespace() || c.is_control())
                && !url.contains(['"', '\'', '`', '\\', '<', '>'])
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ManifestError::invalid(
            None,
            field,
            url,
            "it must be an absolute http:// or https:// URL without spaces or quotes, e.g. `https://github.com/OWNER/REPO/releases/download/v{version}`",
        ))
    }
}

fn check_version(channel: &'static str, version: &str) -> Result<(), ManifestError> {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    let ok = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.+".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ManifestError::invalid(
            Some(channel),
            "version",
            version,
            "use a semantic version MAJOR.MINOR.PATCH with an optional -PRERELEASE of letters, digits and dots",
        ))
    }
}

fn check_one_line(channel: &'static str, field: &str, value: &str) -> Result<(), ManifestError> {
    if value.trim().is_empty() {
        return Err(ManifestError::invalid(
            Some(channel),
            field,
            value,
            "it is empty; set it",
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ManifestError::invalid(
            Some(channel),
            field,
            value,
            "it contains a line break or control character; make it one line",
        ));
    }
    Ok(())
}

/// A name that lands unquoted in shell words and paths: letters, digits, `-_.+`.
pub(crate) fn check_plain_name(
    channel: &'static str,
    field: &str,
    value: &str,
) -> Result<(), ManifestError> {
    let ok = !value.is_empty()
        && !value.starts_with(['-', '.'])
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ManifestError::invalid(
            Some(channel),
            field,
            value,
            "use letters, digits, `-`, `_`, `.` and `+` only, not starting with `-` or `.`",
        ))
    }
}

/// A path inside an archive: relative, `/`-separated, no `..`, plain characters.
pub(crate) fn check_archive_path(
    channel: &'static str,
    field: &str,
    value: &str,
) -> Result<(), ManifestError> {
    let ok = !value.is_empty()
        && value
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.starts_with('-'))
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+/@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ManifestError::invalid(
            Some(channel),
            field,
            value,
            "give a relative path inside the archive (`doc/hello.1`) of letters, digits, `-_.+@` and `/`",
        ))
    }
}

fn check_artifact(channel: &'static str, artifact: &ReleaseArtifact) -> Result<(), ManifestError> {
    let name = &artifact.file_name;
    let plain_name = !name.is_empty()
        && !name.starts_with(['-', '.'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+~@".contains(c));
    if !plain_name {
        return Err(ManifestError::invalid(
            Some(channel),
            "artifact file name",
            name,
            "artifact file names must be letters, digits and `-_.+~@` (no spaces or `/`)",
        ));
    }
    let hex = artifact.sha256.len() == 64 && artifact.sha256.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex {
        return Err(ManifestError::invalid(
            Some(channel),
            format!("sha256 of `{name}`"),
            &artifact.sha256,
            "pass the 64 hex digits of the file's SHA-256, as SHA256SUMS has them",
        ));
    }
    if !artifact.root_dir.is_empty() {
        check_archive_path(
            channel,
            &format!("root dir of `{name}`"),
            &artifact.root_dir,
        )?;
    }
    let libc_ok = match artifact.os {
        Os::Linux => artifact.libc.is_some(),
        Os::Macos | Os::Windows => artifact.libc.is_none(),
    };
    if !libc_ok {
        return Err(ManifestError::invalid(
            Some(channel),
            format!("libc of `{name}`"),
            &format!("{:?}", artifact.libc),
            "a Linux artifact names its C library (gnu or musl); other systems name none",
        ));
    }
    Ok(())
}

/// The section of a man page from its name: `hello.1` → `1`, `hello.3p.gz` → `3p`.
pub(crate) fn man_section(channel: &'static str, path: &str) -> Result<String, ManifestError> {
    check_archive_path(channel, "man page", path)?;
    let name = path.rsplit('/').next().unwrap_or(path);
    let name = name.strip_suffix(".gz").unwrap_or(name);
    match name.rsplit_once('.') {
        Some((stem, section))
            if !stem.is_empty() && section.starts_with(|c: char| ('1'..='9').contains(&c)) =>
        {
            Ok(section.to_owned())
        }
        _ => Err(ManifestError::invalid(
            Some(channel),
            "man page",
            path,
            "a man page's name ends in its section, e.g. `hello.1` or `hello.5.gz`",
        )),
    }
}

/// The last component of an archive path.
pub(crate) fn file_name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The lower-case form of a hex digest.
pub(crate) fn lower_hex(sha256: &str) -> String {
    sha256.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_are_percent_encoded() {
        assert_eq!(
            url_path("Hello Desktop-1.2.3.dmg"),
            "Hello%20Desktop-1.2.3.dmg"
        );
        assert_eq!(url_path("a+b/c~d.tar.gz"), "a+b/c~d.tar.gz");
    }

    #[test]
    fn only_http_urls_are_accepted() {
        assert!(check_url("base-url", "https://example.org/d/v{version}").is_ok());
        assert!(check_url("base-url", "http://127.0.0.1:8080").is_ok());
        for bad in [
            "ftp://x",
            "file:///tmp",
            "https://",
            "https:///x",
            "example.org",
            "https://a b",
        ] {
            assert!(check_url("base-url", bad).is_err(), "{bad}");
        }
    }
}
