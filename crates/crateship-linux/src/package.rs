//! The input model shared by the .deb and .rpm writers: plain data, independent
//! of the rest of crateship, plus the validation both writers run first.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::LinuxError;

/// CPU architecture of a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// 64-bit x86 (`amd64` in Debian, `x86_64` in rpm).
    X86_64,
    /// 64-bit ARM (`arm64` in Debian, `aarch64` in rpm).
    Aarch64,
}

impl Arch {
    /// The Debian architecture name (`amd64`, `arm64`).
    pub fn deb_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "amd64",
            Arch::Aarch64 => "arm64",
        }
    }

    /// The rpm architecture name (`x86_64`, `aarch64`).
    pub fn rpm_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
        }
    }

    /// The ELF `e_machine` value binaries for this architecture carry.
    pub fn elf_machine(self) -> u16 {
        match self {
            Arch::X86_64 => 62,
            Arch::Aarch64 => 183,
        }
    }
}

/// Where the bytes of a packaged file come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileSource {
    /// A file on disk, streamed when the package is written.
    Path(PathBuf),
    /// Generated content (a .desktop file, metainfo, ...), kept in memory.
    Bytes(Vec<u8>),
}

/// One regular file in the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    /// Where the content comes from.
    pub source: FileSource,
    /// Path inside the package, relative to `/`, e.g. `usr/bin/hello`.
    pub dest: String,
    /// Permission bits (`0o755` for executables, `0o644` otherwise); other bits are dropped.
    pub mode: u32,
}

impl PackageFile {
    /// A file streamed from disk.
    pub fn from_path(source: impl Into<PathBuf>, dest: impl Into<String>, mode: u32) -> Self {
        Self {
            source: FileSource::Path(source.into()),
            dest: dest.into(),
            mode,
        }
    }

    /// A generated file held in memory.
    pub fn from_bytes(content: impl Into<Vec<u8>>, dest: impl Into<String>, mode: u32) -> Self {
        Self {
            source: FileSource::Bytes(content.into()),
            dest: dest.into(),
            mode,
        }
    }
}

/// A symbolic link in the .deb or .rpm: for a file that is byte for byte another
/// packaged file (a HiDPI `NxN@2` icon and the `2Nx2N` one), so the package
/// stores it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSymlink {
    /// Path of the link inside the package, relative to `/`.
    pub dest: String,
    /// What it points at, relative to the link's directory (`../../128x128/apps/x.png`);
    /// 100 bytes at most (the tar link-name field).
    pub target: String,
}

/// One release in the package changelog (newest first in [`LinuxPackage::changelog`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangelogEntry {
    /// The semver version of that release.
    pub version: String,
    /// Release time, seconds since the Unix epoch (UTC).
    pub date: i64,
    /// `Name <mail>` of whoever made the release.
    pub author: String,
    /// One change per item; each becomes a `* ` (deb) or `- ` (rpm) bullet.
    pub changes: Vec<String>,
}

/// Maintainer scripts for the .deb (`postinst`, ...) and the matching rpm scriptlets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scripts {
    /// Run before files are unpacked (deb `preinst`, rpm `%pre`).
    pub pre_install: Option<String>,
    /// Run after files are unpacked (deb `postinst`, rpm `%post`).
    pub post_install: Option<String>,
    /// Run before files are removed (deb `prerm`, rpm `%preun`).
    pub pre_remove: Option<String>,
    /// Run after files are removed (deb `postrm`, rpm `%postun`).
    pub post_remove: Option<String>,
}

/// Package relationships beyond `Depends`/`Requires`, as the format writes them:
/// deb entries like `foo (>= 1.2) | bar`, rpm entries like `foo >= 1.2`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relations {
    /// deb `Recommends`, rpm `Recommends`.
    pub recommends: Vec<String>,
    /// deb `Suggests`, rpm `Suggests`.
    pub suggests: Vec<String>,
    /// deb `Conflicts`, rpm `Conflicts`.
    pub conflicts: Vec<String>,
    /// deb `Provides`, rpm `Provides`.
    pub provides: Vec<String>,
    /// deb `Replaces` (rpm has no equivalent; see `obsoletes`).
    pub replaces: Vec<String>,
    /// rpm `Obsoletes` (deb has no equivalent; see `replaces`).
    pub obsoletes: Vec<String>,
}

/// Everything the .deb and .rpm writers need, independent of the rest of crateship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinuxPackage {
    /// Package name: lowercase letters, digits, `+`, `-`, `.`; starts with a letter or digit.
    pub name: String,
    /// Semver version (`1.2.3`, `1.2.3-beta.1`); mapped per format, see the crate docs.
    pub version: String,
    /// One-line summary (no trailing period).
    pub summary: String,
    /// Long description; blank lines separate paragraphs.
    pub description: String,
    /// SPDX license expression.
    pub license: Option<String>,
    /// Full license text(s) appended to the Debian copyright file.
    pub license_text: Option<String>,
    /// `(SPDX id, full text)` of each licence the project ships a file for
    /// (see [`crate::identify_license`]). With these, a copyright file for an
    /// expression like `MIT OR Apache-2.0` gets one paragraph per licence: a
    /// pointer to `/usr/share/common-licenses/` for those Debian ships there,
    /// the full text for the rest.
    pub license_texts: Vec<(String, String)>,
    /// Copyright holders line, e.g. `2024 Jane Doe`; defaults to the maintainer.
    pub copyright: Option<String>,
    /// Project homepage.
    pub homepage: Option<String>,
    /// `Name <mail>` of the maintainer (deb Maintainer, rpm Packager).
    pub maintainer: String,
    /// rpm Vendor.
    pub vendor: Option<String>,
    /// Target architecture; ELF files must match it.
    pub arch: Arch,
    /// Debian Section (default `utils`).
    pub section: Option<String>,
    /// Files to install; parent directories are added automatically.
    pub files: Vec<PackageFile>,
    /// Symbolic links to install (parent directories added automatically).
    pub symlinks: Vec<PackageSymlink>,
    /// Destinations (relative, like `etc/hello.conf`) to mark as configuration files.
    pub conffiles: Vec<String>,
    /// Lowest glibc the binaries need (`2.31`): deb `libc6 (>= 2.31)`, rpm `glibc >= 2.31`.
    pub glibc_floor: Option<String>,
    /// Extra deb Depends entries, e.g. from [`crate::deb_shlib_depends`] or config.
    pub deb_depends: Vec<String>,
    /// Extra rpm Requires entries (`name`, or `name >= version`).
    pub rpm_requires: Vec<String>,
    /// deb relationships other than Depends (written as given).
    pub deb_relations: Relations,
    /// rpm relationships other than Requires (`name [OP version]`).
    pub rpm_relations: Relations,
    /// Debian Priority (default `optional`).
    pub priority: Option<String>,
    /// systemd unit files the package installs (file names such as
    /// `hello.service`, each a file under `usr/lib/systemd/system/` or
    /// `lib/systemd/system/`): enabled on first install, started, stopped
    /// before removal, by scripts added after the maintainer's own (see
    /// [`crate::systemd`]).
    pub systemd_units: Vec<String>,
    /// Add rpm auto-requires (`libfoo.so.1()(64bit)`, glibc symbol versions) read from ELF files.
    pub rpm_auto_requires: bool,
    /// Maintainer scripts (POSIX sh bodies, without the `#!` line).
    pub scripts: Scripts,
    /// Time stamp of every entry and of the build, seconds since the Unix epoch.
    pub source_date_epoch: i64,
    /// Release history, newest first; empty means one entry for this version.
    pub changelog: Vec<ChangelogEntry>,
}

impl LinuxPackage {
    /// A package with the required fields and defaults for the rest.
    pub fn new(
        name: impl Into<String>,
        version: impl Into<String>,
        summary: impl Into<String>,
        maintainer: impl Into<String>,
        arch: Arch,
    ) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            summary: summary.into(),
            description: String::new(),
            license: None,
            license_text: None,
            license_texts: Vec::new(),
            copyright: None,
            homepage: None,
            maintainer: maintainer.into(),
            vendor: None,
            arch,
            section: None,
            files: Vec::new(),
            symlinks: Vec::new(),
            conffiles: Vec::new(),
            glibc_floor: None,
            deb_depends: Vec::new(),
            rpm_requires: Vec::new(),
            deb_relations: Relations::default(),
            rpm_relations: Relations::default(),
            priority: None,
            systemd_units: Vec::new(),
            rpm_auto_requires: true,
            scripts: Scripts::default(),
            source_date_epoch: 0,
            changelog: Vec::new(),
        }
    }

    /// The changelog to write: the given one, or a single entry for this release.
    pub(crate) fn effective_changelog(&self) -> Vec<ChangelogEntry> {
        if self.changelog.is_empty() {
            vec![ChangelogEntry {
                version: self.version.clone(),
                date: self.source_date_epoch,
                author: self.maintainer.clone(),
                changes: vec![format!("Release {}.", self.version)],
            }]
        } else {
            self.changelog.clone()
        }
    }
}

/// Checks the fields both formats share; returns the files sorted by destination.
pub(crate) fn validate(pkg: &LinuxPackage) -> Result<Vec<&PackageFile>, LinuxError> {
    let name_ok = pkg.name.len() >= 2
        && pkg
            .name
            .starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && pkg
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    if !name_ok {
        return Err(LinuxError::InvalidField {
            field: "name",
            value: pkg.name.clone(),
            reason: "package names need at least 2 characters from lowercase a-z, 0-9, `+`, `-`, `.`, starting with a letter or digit; set a lowercase package name".into(),
        });
    }
    crate::version::check_semver(&pkg.version)?;
    if pkg.summary.trim().is_empty() || pkg.summary.contains('\n') {
        return Err(LinuxError::InvalidField {
            field: "summary",
            value: pkg.summary.clone(),
            reason: "needs one non-empty line; set the package description in Cargo.toml".into(),
        });
    }
    if !pkg.maintainer.contains('<')
        || !pkg.maintainer.ends_with('>')
        || pkg.maintainer.contains('\n')
    {
        return Err(LinuxError::InvalidField {
            field: "maintainer",
            value: pkg.maintainer.clone(),
            reason: "must look like `Name <mail@example.org>`; set `authors` in Cargo.toml".into(),
        });
    }
    if let Some(floor) = &pkg.glibc_floor
        && (floor.is_empty() || !floor.chars().all(|c| c.is_ascii_digit() || c == '.'))
    {
        return Err(LinuxError::InvalidField {
            field: "glibc_floor",
            value: floor.clone(),
            reason: "must be a glibc version such as `2.31`".into(),
        });
    }
    for field in [
        &pkg.homepage,
        &pkg.vendor,
        &pkg.license,
        &pkg.section,
        &pkg.priority,
    ]
    .into_iter()
    .flatten()
    {
        if field.contains('\n') {
            return Err(LinuxError::InvalidField {
                field: "homepage/vendor/license/section/priority",
                value: field.clone(),
                reason: "must be a single line".into(),
            });
        }
    }
    if !(0..=i64::from(u32::MAX)).contains(&pkg.source_date_epoch) {
        return Err(LinuxError::InvalidField {
            field: "source_date_epoch",
            value: pkg.source_date_epoch.to_string(),
            reason: "rpm stores 32-bit unsigned times; use a time between 1970 and 2106 (set SOURCE_DATE_EPOCH)"
                .into(),
        });
    }
    let mut seen = BTreeSet::new();
    for file in &pkg.files {
        check_dest(&file.dest)?;
        if !seen.insert(file.dest.as_str()) {
            return Err(LinuxError::DuplicateDest {
                dest: file.dest.clone(),
            });
        }
    }
    for link in &pkg.symlinks {
        check_dest(&link.dest)?;
        if !seen.insert(link.dest.as_str()) {
            return Err(LinuxError::DuplicateDest {
                dest: link.dest.clone(),
            });
        }
        let target_ok = !link.target.is_empty()
            && !link.target.starts_with('/')
            && link.target.len() <= 100
            && !link.target.chars().any(|c| c.is_control());
        if !target_ok {
            return Err(LinuxError::InvalidDest {
                dest: link.dest.clone(),
                reason: format!(
                    "is a symbolic link to `{}`; a link target must be a relative path of 1 to 100 bytes without control characters",
                    link.target.escape_debug()
                ),
            });
        }
    }
    for conf in &pkg.conffiles {
        if !seen.contains(conf.as_str()) {
            return Err(LinuxError::InvalidDest {
                dest: conf.clone(),
                reason: "is listed as a conffile but no packaged file has that destination; list the destination exactly as in `files`".into(),
            });
        }
    }
    for unit in &pkg.systemd_units {
        let installed = crate::systemd::UNIT_DIRS
            .iter()
            .any(|dir| seen.contains(format!("{dir}/{unit}").as_str()));
        let name_ok = !unit.is_empty()
            && unit
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "@-_.:\\".contains(c));
        if !installed || !name_ok {
            return Err(LinuxError::InvalidDest {
                dest: unit.clone(),
                reason: "is listed as a systemd unit but is not a file in usr/lib/systemd/system/ or lib/systemd/system/; install the unit there first".into(),
            });
        }
    }
    let relations = [&pkg.deb_relations, &pkg.rpm_relations];
    let entries = pkg
        .deb_depends
        .iter()
        .chain(&pkg.rpm_requires)
        .chain(relations.iter().flat_map(|r| {
            r.recommends
                .iter()
                .chain(&r.suggests)
                .chain(&r.conflicts)
                .chain(&r.provides)
                .chain(&r.replaces)
                .chain(&r.obsoletes)
        }));
    for entry in entries {
        if entry.trim().is_empty() || entry.contains(['\n', ',']) {
            return Err(LinuxError::InvalidField {
                field: "package relationship",
                value: entry.clone(),
                reason:
                    "must be one package per entry, on one line, without `,` (list each separately)"
                        .into(),
            });
        }
    }
    let mut files: Vec<&PackageFile> = pkg.files.iter().collect();
    files.sort_by(|a, b| a.dest.cmp(&b.dest));
    Ok(files)
}

fn check_dest(dest: &str) -> Result<(), LinuxError> {
    let bad = |reason: &str| LinuxError::InvalidDest {
        dest: dest.to_owned(),
        reason: reason.to_owned(),
    };
    if dest.is_empty() || dest.starts_with('/') || dest.ends_with('/') {
        return Err(bad(
            "must be a relative file path like `usr/bin/hello` (no leading or trailing `/`)",
        ));
    }
    if dest
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err(bad(
            "must not contain empty, `.` or `..` components; it would escape or confuse the install root",
        ));
    }
    if dest.chars().any(|c| c.is_control()) {
        return Err(bad(
            "must not contain control characters (newlines, tabs); rename the file",
        ));
    }
    Ok(())
}

/// All parent directories of the destinations, sorted, without the root.
pub(crate) fn parent_dirs<'a>(dests: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut dirs = BTreeSet::new();
    for dest in dests {
        let mut end = 0;
        while let Some(pos) = dest[end..].find('/') {
            end += pos;
            dirs.insert(dest[..end].to_owned());
            end += 1;
        }
    }
    dirs.into_iter().collect()
}
