//! The AUR channel: a `-bin` `PKGBUILD` that repackages the Linux tar.gz for Arch
//! Linux, and its `.SRCINFO`.
//!
//! The PKGBUILD has one `source_<arch>`/`sha256sums_<arch>` pair per CPU (x86_64 and
//! aarch64; the gnu build, else the musl one), `depends` from the glibc floor and the
//! binaries' shared libraries, the SPDX license, `provides`/`conflicts` on the name
//! without `-bin`, and a `package()` that installs the programs into `/usr/bin`, the
//! licence files into `/usr/share/licenses/$pkgname`, man pages into
//! `/usr/share/man/manN` and completions where bash, zsh and fish look on Arch.
//! Every value is a literal (no `$pkgver` expansions), so the `.SRCINFO` written here
//! equals what `makepkg --printsrcinfo` prints for the PKGBUILD.

use crate::release::{check_archive_path, check_plain_name, file_name_of, lower_hex, man_section};
use crate::spdx::License;
use crate::text::shell_quote;
use crate::{Arch, ArtifactFormat, ChannelFile, Libc, ManifestError, Os, Release, ReleaseArtifact};

const CHANNEL: &str = "aur";

/// glibc's own libraries: covered by the `glibc>=FLOOR` dependency.
const GLIBC_SONAMES: [&str; 13] = [
    "libc.so.6",
    "libm.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libutil.so.1",
    "libresolv.so.2",
    "libanl.so.1",
    "libnsl.so.1",
    "libmvec.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
    "libBrokenLocale.so.1",
];

/// The PKGBUILD's facts, computed once and written twice (PKGBUILD and .SRCINFO).
struct Package<'a> {
    pkgname: String,
    pkgver: String,
    pkgdesc: String,
    url: String,
    license: String,
    provides: String,
    conflicts: String,
    /// Dependencies shared by every architecture, or `None` when they differ.
    depends: Option<Vec<String>>,
    arches: Vec<ArchSource<'a>>,
}

struct ArchSource<'a> {
    arch: &'static str,
    artifact: &'a ReleaseArtifact,
    url: String,
    depends: Vec<String>,
}

/// The `PKGBUILD` and `.SRCINFO` of `release`'s `-bin` package.
pub fn aur(release: &Release) -> Result<Vec<ChannelFile>, ManifestError> {
    let package = Package::new(release)?;
    Ok(vec![
        ChannelFile::text("PKGBUILD", pkgbuild(release, &package)?),
        ChannelFile::text(".SRCINFO", srcinfo(&package)),
    ])
}

impl<'a> Package<'a> {
    fn new(release: &'a Release) -> Result<Package<'a>, ManifestError> {
        release.check_common(CHANNEL)?;
        let name = release.name.to_ascii_lowercase();
        let pkgname = format!("{name}-bin");
        let pkgver = pkgver(&release.version)?;
        let license = License::parse(&release.license)?.expression();
        let mut arches = Vec::new();
        for (arch, arch_name) in [(Arch::X86_64, "x86_64"), (Arch::Aarch64, "aarch64")] {
            let tar_gz = &ArtifactFormat::TarGz;
            let artifact = match release.find(CHANNEL, Os::Linux, arch, Some(Libc::Gnu), tar_gz)? {
                Some(gnu) => Some(gnu),
                None => release.find(CHANNEL, Os::Linux, arch, Some(Libc::Musl), tar_gz)?,
            };
            if let Some(artifact) = artifact {
                arches.push(ArchSource {
                    arch: arch_name,
                    artifact,
                    url: release.url(artifact)?,
                    depends: depends(release, artifact)?,
                });
            }
        }
        if arches.is_empty() {
            return Err(ManifestError::MissingArtifact {
                channel: CHANNEL,
                needs: "a Linux tar.gz for x86_64 or aarch64".into(),
                fix: "add `tar.gz` to `formats` and a `*-unknown-linux-gnu` or `*-linux-musl` target, or remove `aur` from the channels".into(),
            });
        }
        let depends = if arches.windows(2).all(|w| w[0].depends == w[1].depends) {
            Some(arches[0].depends.clone())
        } else {
            None
        };
        Ok(Package {
            provides: format!("{name}={pkgver}"),
            conflicts: name,
            pkgname,
            pkgver,
            pkgdesc: normalize_space(&release.summary),
            url: release.homepage.clone(),
            license,
            depends,
            arches,
        })
    }
}

/// Arch's pkgver: no `-` (a pre-release's `-` is dropped, so `1.2.3-beta.1` becomes
/// `1.2.3beta.1`, which pacman sorts before `1.2.3`), no build metadata.
fn pkgver(version: &str) -> Result<String, ManifestError> {
    if version.contains('+') {
        return Err(ManifestError::invalid(
            Some(CHANNEL),
            "version",
            version,
            "an Arch pkgver cannot carry semver build metadata (`+…`); drop it from the version",
        ));
    }
    Ok(version.replace('-', ""))
}

/// Runs of white space become one space, as makepkg's .SRCINFO writer does.
fn normalize_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The Arch dependencies of one artifact: none for musl; for gnu `glibc>=FLOOR`,
/// `gcc-libs` for the GCC runtime, `libX.so=N-64` for other sonames (the form
/// Arch's library packages provide), package names as given. Sorted, no repeats.
fn depends(release: &Release, artifact: &ReleaseArtifact) -> Result<Vec<String>, ManifestError> {
    if artifact.libc != Some(Libc::Gnu) {
        return Ok(Vec::new());
    }
    let mut out = vec![match &release.glibc_floor {
        Some(floor) => {
            check_glibc(floor)?;
            format!("glibc>={floor}")
        }
        None => "glibc".to_owned(),
    }];
    for need in &release.linux_depends {
        if GLIBC_SONAMES.contains(&need.as_str()) {
            continue;
        }
        let dep = if need.starts_with("libgcc_s.so") || need.starts_with("libstdc++.so") {
            "gcc-libs".to_owned()
        } else if let Some((stem, major)) = soname(need) {
            format!("{stem}.so={major}-64")
        } else {
            check_depend(need)?;
            need.clone()
        };
        out.push(dep);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// `libfoo.so.1.2` → (`libfoo`, `1`).
fn soname(name: &str) -> Option<(&str, &str)> {
    let (stem, version) = name.split_once(".so.")?;
    let major = version.split('.').next()?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.+".contains(c))
    };
    (plain(stem) && plain(major) && major.bytes().all(|b| b.is_ascii_digit()))
        .then_some((stem, major))
}

pub(crate) fn check_glibc(floor: &str) -> Result<(), ManifestError> {
    let ok = floor.split_once('.').is_some_and(|(major, minor)| {
        [major, minor]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    if ok {
        Ok(())
    } else {
        Err(ManifestError::invalid(
            None,
            "glibc floor",
            floor,
            "give the glibc version as MAJOR.MINOR, e.g. `2.17`",
        ))
    }
}

/// An Arch package name with an optional version constraint (`gtk3`, `openssl>=3`).
fn check_depend(depend: &str) -> Result<(), ManifestError> {
    let name_end = depend.find(['<', '>', '=']).unwrap_or(depend.len());
    let (name, constraint) = depend.split_at(name_end);
    let name_ok = !name.is_empty()
        && !name.starts_with(['-', '.'])
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "@._+-".contains(c));
    let constraint_ok = constraint.is_empty()
        || ["=", ">=", "<=", ">", "<"].iter().any(|op| {
            constraint.strip_prefix(op).is_some_and(|v| {
                !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".:_+-".contains(c))
            })
        });
    if name_ok && constraint_ok {
        Ok(())
    } else {
        Err(ManifestError::invalid(
            Some(CHANNEL),
            "linux dependency",
            depend,
            "give a soname (`libgtk-3.so.0`) or an Arch package name with an optional version (`gtk3`, `openssl>=3`)",
        ))
    }
}

fn array(values: &[String]) -> String {
    values
        .iter()
        .map(|v| shell_quote(v))
        .collect::<Vec<_>>()
        .join(" ")
}

fn pkgbuild(release: &Release, package: &Package<'_>) -> Result<String, ManifestError> {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("# Maintainer: {}", release.maintainer));
    line("# Written by crateship from the release; regenerate it rather than editing.".into());
    line(String::new());
    line(format!("pkgname={}", shell_quote(&package.pkgname)));
    line(format!("pkgver={}", shell_quote(&package.pkgver)));
    line("pkgrel=1".into());
    line(format!("pkgdesc={}", shell_quote(&package.pkgdesc)));
    let arch_names: Vec<String> = package.arches.iter().map(|a| a.arch.to_owned()).collect();
    line(format!("arch=({})", array(&arch_names)));
    line(format!("url={}", shell_quote(&package.url)));
    line(format!("license=({})", shell_quote(&package.license)));
    if let Some(depends) = &package.depends {
        line(format!("depends=({})", array(depends)));
    }
    line(format!("provides=({})", shell_quote(&package.provides)));
    line(format!("conflicts=({})", shell_quote(&package.conflicts)));
    line("options=('!strip' '!debug')".into());
    for a in &package.arches {
        if package.depends.is_none() && !a.depends.is_empty() {
            line(format!("depends_{}=({})", a.arch, array(&a.depends)));
        }
        line(format!("source_{}=({})", a.arch, shell_quote(&a.url)));
        line(format!(
            "sha256sums_{}=({})",
            a.arch,
            shell_quote(&lower_hex(&a.artifact.sha256))
        ));
    }
    line(String::new());
    line("package() {".into());
    line("\tcase \"$CARCH\" in".into());
    for a in &package.arches {
        let dir = if a.artifact.root_dir.is_empty() {
            "\"$srcdir\"".to_owned()
        } else {
            format!("\"$srcdir\"/{}", shell_quote(&a.artifact.root_dir))
        };
        line(format!("\t\t{}) cd {dir} ;;", a.arch));
    }
    line("\tesac".into());
    for (from, mode, to) in installs(release, &package.pkgname)? {
        line(format!(
            "\tinstall -Dm{mode} {} \"$pkgdir\"{}",
            shell_quote(&from),
            shell_quote(&to)
        ));
    }
    line("}".into());
    Ok(out)
}

/// (path in the archive, mode, absolute destination) of every installed file.
fn installs(
    release: &Release,
    pkgname: &str,
) -> Result<Vec<(String, &'static str, String)>, ManifestError> {
    let mut out = Vec::new();
    for bin in &release.binaries {
        out.push((bin.clone(), "755", format!("/usr/bin/{bin}")));
    }
    for license in &release.license_files {
        check_archive_path(CHANNEL, "license file", license)?;
        let name = file_name_of(license);
        out.push((
            license.clone(),
            "644",
            format!("/usr/share/licenses/{pkgname}/{name}"),
        ));
    }
    for page in &release.man_pages {
        let section = man_section(CHANNEL, page)?;
        let digit = &section[..1];
        out.push((
            page.clone(),
            "644",
            format!("/usr/share/man/man{digit}/{}", file_name_of(page)),
        ));
    }
    let bin = release.main_binary();
    check_plain_name(CHANNEL, "binary", bin)?;
    let completions = [
        (
            &release.completions.bash,
            format!("/usr/share/bash-completion/completions/{bin}"),
        ),
        (
            &release.completions.zsh,
            format!("/usr/share/zsh/site-functions/_{bin}"),
        ),
        (
            &release.completions.fish,
            format!("/usr/share/fish/vendor_completions.d/{bin}.fish"),
        ),
    ];
    for (path, to) in completions {
        if let Some(path) = path {
            check_archive_path(CHANNEL, "completion", path)?;
            out.push((path.clone(), "644", to));
        }
    }
    Ok(out)
}

fn srcinfo(package: &Package<'_>) -> String {
    let mut out = format!("pkgbase = {}\n", package.pkgname);
    let mut attr = |key: &str, value: &str| out.push_str(&format!("\t{key} = {value}\n"));
    // makepkg's order: single-valued, multi-valued, then per architecture.
    attr("pkgdesc", &package.pkgdesc);
    attr("pkgver", &package.pkgver);
    attr("pkgrel", "1");
    attr("url", &package.url);
    for a in &package.arches {
        attr("arch", a.arch);
    }
    attr("license", &package.license);
    for depend in package.depends.iter().flatten() {
        attr("depends", depend);
    }
    attr("provides", &package.provides);
    attr("conflicts", &package.conflicts);
    attr("options", "!strip");
    attr("options", "!debug");
    for a in &package.arches {
        attr(&format!("source_{}", a.arch), &a.url);
        if package.depends.is_none() {
            for depend in &a.depends {
                attr(&format!("depends_{}", a.arch), depend);
            }
        }
        attr(
            &format!("sha256sums_{}", a.arch),
            &lower_hex(&a.artifact.sha256),
        );
    }
    out.push_str(&format!("\npkgname = {}\n", package.pkgname));
    out
}
