//! `install.sh`: a POSIX shell script (no bashisms; `shellcheck -s sh` clean) that
//! installs this release's programs on Linux and macOS.
//!
//! It detects the system (`uname -s`), the CPU (`uname -m`: `x86_64`/`amd64`,
//! `aarch64`/`arm64`) and on Linux the C library (`ldd --version`): the gnu build when
//! the host glibc is at least the release's floor, else the musl build. It downloads
//! the archive and `SHA256SUMS` from the base URL with curl or wget, checks
//! `SHA256SUMS` against `SHA256SUMS.minisig` (minisign) or `SHA256SUMS.asc` (gpg) when
//! the key is embedded and the verifier installed, checks the archive against
//! `SHA256SUMS` and against the hash this script was made with, and only then copies
//! the programs into `$PREFIX/bin` (default `~/.local/bin`). Any mismatch stops it
//! with a non-zero status before anything is installed; its temporary directory is
//! removed on every exit. The release's facts are written as variables and one
//! `archive_for` table at the top; the logic (`install_body.sh`) is the same for
//! every release.

use crate::release::lower_hex;
use crate::text::shell_quote;
use crate::{Arch, ArtifactFormat, ChannelFile, Libc, ManifestError, Os, Release};

const CHANNEL: &str = "install.sh";

/// The script's logic, after the release's facts.
const BODY: &str = include_str!("install_body.sh");

/// `install.sh` for `release`'s Linux and macOS tar.gz archives.
pub fn install_sh(release: &Release) -> Result<Vec<ChannelFile>, ManifestError> {
    release.check_common(CHANNEL)?;
    let base = release.base()?;
    let mut table = String::new();
    let slots = [
        (Os::Linux, Arch::X86_64, Some(Libc::Gnu), "linux/x86_64/gnu"),
        (
            Os::Linux,
            Arch::X86_64,
            Some(Libc::Musl),
            "linux/x86_64/musl",
        ),
        (
            Os::Linux,
            Arch::Aarch64,
            Some(Libc::Gnu),
            "linux/aarch64/gnu",
        ),
        (
            Os::Linux,
            Arch::Aarch64,
            Some(Libc::Musl),
            "linux/aarch64/musl",
        ),
        (Os::Macos, Arch::X86_64, None, "macos/x86_64/"),
        (Os::Macos, Arch::Aarch64, None, "macos/aarch64/"),
        (Os::Macos, Arch::Universal, None, "macos/universal/"),
    ];
    for (os, arch, libc, key) in slots {
        if let Some(a) = release.find(CHANNEL, os, arch, libc, &ArtifactFormat::TarGz)? {
            table.push_str(&format!(
                "\t{key})\n\t\tarchive_file={}\n\t\tarchive_sha256={}\n\t\tarchive_root={}\n\t\t;;\n",
                shell_quote(&a.file_name),
                shell_quote(&lower_hex(&a.sha256)),
                shell_quote(&a.root_dir),
            ));
        }
    }
    if table.is_empty() {
        return Err(ManifestError::MissingArtifact {
            channel: CHANNEL,
            needs: "a Linux or macOS tar.gz".into(),
            fix: "add `tar.gz` to `formats` with a `*-linux-*` or `*-apple-darwin` target, or remove `install.sh` from the channels".into(),
        });
    }
    let glibc_floor = match &release.glibc_floor {
        Some(floor) => {
            crate::aur::check_glibc(floor)?;
            floor.clone()
        }
        None => String::new(),
    };
    let minisign_key = match &release.minisign_public_key {
        Some(key) => check_minisign_key(key)?,
        None => String::new(),
    };
    let openpgp_key = match &release.openpgp_public_key {
        Some(key) => check_openpgp_key(key)?,
        None => String::new(),
    };
    let protocols = if base.starts_with("https://") {
        "=https"
    } else {
        "=http,https"
    };
    let name = &release.name;
    let version = &release.version;
    let mut out = format!(
        "#!/bin/sh\n\
         # Installs {name} {version}: downloads the build for this system from\n\
         # {base},\n\
         # checks it against SHA256SUMS (and SHA256SUMS against its signature when a\n\
         # verifier is installed), and copies the programs into $PREFIX/bin\n\
         # (default: ~/.local/bin). Nothing is installed if any check fails.\n\
         # Written by crateship from the release.\n\
         set -eu\n\n"
    );
    let vars = [
        ("APP_NAME", name.clone()),
        ("APP_VERSION", version.clone()),
        ("HOMEPAGE", release.homepage.clone()),
        ("BASE_URL", base),
        ("CURL_PROTOCOLS", protocols.to_owned()),
        ("GLIBC_FLOOR", glibc_floor),
        ("BINARIES", release.binaries.join(" ")),
        ("MINISIGN_KEY", minisign_key),
        ("OPENPGP_KEY", openpgp_key),
    ];
    for (var, value) in vars {
        out.push_str(&format!("{var}={}\n", shell_quote(&value)));
    }
    out.push_str(
        "\n# archive_for OS ARCH LIBC: sets archive_file, archive_sha256 and archive_root\n\
         # to the build for that system; fails when the release has none.\n\
         archive_for() {\n\tcase \"$1/$2/$3\" in\n",
    );
    out.push_str(&table);
    out.push_str("\t*) return 1 ;;\n\tesac\n}\n");
    out.push_str(BODY);
    Ok(vec![ChannelFile {
        path: "install.sh".into(),
        contents: out,
        executable: true,
    }])
}

/// The base64 line of a minisign public key (`RW` + 54 more base64 characters).
fn check_minisign_key(key: &str) -> Result<String, ManifestError> {
    // Accept the whole public-key file as well: its last line is the key.
    let line = key.trim().lines().last().unwrap_or_default().trim();
    let ok = line.len() == 56
        && line.starts_with("RW")
        && line
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c));
    if ok {
        Ok(line.to_owned())
    } else {
        Err(ManifestError::invalid(
            Some(CHANNEL),
            "minisign public key",
            line,
            "give the public key's base64 line (56 characters starting `RW`) or the whole minisign.pub",
        ))
    }
}

fn check_openpgp_key(key: &str) -> Result<String, ManifestError> {
    let key = key.trim();
    let ok = key.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        && key.ends_with("-----END PGP PUBLIC KEY BLOCK-----")
        && !key.contains('\'');
    if ok {
        Ok(key.to_owned())
    } else {
        Err(ManifestError::invalid(
            Some(CHANNEL),
            "OpenPGP public key",
            key.lines().next().unwrap_or_default(),
            "give the ASCII-armored public key (`gpg --armor --export KEYID`), never the secret key",
        ))
    }
}
