//! Reading an rpm's header for repodata: identity, descriptions, sizes, the header's
//! byte range, dependencies, files and changelog. `rpm::PackageMetadata::parse`
//! reads the lead and the two headers only; the payload is never read here.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crateship_support::IoError;
use rpm::{DependencyFlags, FileFlags, FileType, IndexSignatureTag, IndexTag, PackageMetadata};

use crate::RepoError;

/// A dependency as repodata writes it: `name flags epoch:ver-rel`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Dep {
    pub name: String,
    /// `EQ`, `LT`, `GT`, `LE`, `GE`, or empty for any version.
    pub flags: &'static str,
    pub epoch: Option<String>,
    pub ver: Option<String>,
    pub rel: Option<String>,
    /// A requirement of an install scriptlet (`pre="1"`).
    pub pre: bool,
}

/// What a packaged path is, as filelists tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathKind {
    File,
    Dir,
    Ghost,
}

/// One changelog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub author: String,
    pub date: u64,
    pub text: String,
}

/// Everything repodata says about one rpm.
#[derive(Debug, Clone)]
pub(crate) struct RpmInfo {
    pub path: PathBuf,
    pub name: String,
    pub epoch: u32,
    pub version: String,
    pub release: String,
    pub arch: String,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub license: String,
    pub vendor: String,
    pub packager: String,
    pub group: String,
    pub build_host: String,
    pub source_rpm: String,
    pub build_time: u64,
    pub installed_size: u64,
    pub archive_size: u64,
    /// Byte offsets of the main header: `[start, end)`; end is where the payload starts.
    pub header_range: (u64, u64),
    pub provides: Vec<Dep>,
    pub requires: Vec<Dep>,
    pub conflicts: Vec<Dep>,
    pub obsoletes: Vec<Dep>,
    pub recommends: Vec<Dep>,
    pub suggests: Vec<Dep>,
    pub enhances: Vec<Dep>,
    pub supplements: Vec<Dep>,
    pub files: Vec<(String, PathKind)>,
    pub changelog: Vec<Change>,
}

impl RpmInfo {
    /// `name-version-release.arch.rpm`, the file name in the repository.
    pub fn file_name(&self) -> String {
        format!(
            "{}-{}-{}.{}.rpm",
            self.name, self.version, self.release, self.arch
        )
    }

    /// `name epoch:version-release (arch)`, for messages.
    pub fn label(&self) -> String {
        format!(
            "{} {}:{}-{} ({})",
            self.name, self.epoch, self.version, self.release, self.arch
        )
    }
}

/// Reads the headers of the rpm at `path`.
pub(crate) fn read(path: &Path) -> Result<RpmInfo, RepoError> {
    let io = |e| IoError::new("cannot read", path, e);
    let file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let not_rpm = |reason: String| RepoError::NotAnRpm {
        path: path.to_path_buf(),
        reason,
    };
    let meta = PackageMetadata::parse(&mut BufReader::new(file)).map_err(|e| match e {
        rpm::Error::Io(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => RepoError::Io(io(e)),
        other => not_rpm(format!("its headers do not parse: {}", one_line(&other))),
    })?;
    if meta.is_source_package() {
        return Err(not_rpm("it is a source package (.src.rpm)".into()));
    }
    let offsets = meta.get_package_segment_offsets();
    if offsets.payload > len {
        return Err(not_rpm("it ends inside its header (truncated?)".into()));
    }
    let bad =
        |what: &str, e: rpm::Error| not_rpm(format!("its {what} cannot be read: {}", one_line(&e)));
    let required = |what: &str, value: Result<&str, rpm::Error>| {
        let value = value.map_err(|e| bad(what, e))?;
        if valid_file_part(value) {
            Ok(value.to_owned())
        } else {
            Err(not_rpm(format!(
                "its {what} {value:?} cannot be part of a file name"
            )))
        }
    };
    let optional = |value: Result<&str, rpm::Error>| match value {
        Ok(v) => Ok(v.to_owned()),
        Err(rpm::Error::TagNotFound(_)) => Ok(String::new()),
        Err(e) => Err(e),
    };
    let text = |what: &str, value| optional(value).map_err(|e| bad(what, e));
    let deps = |what: &str, value: Result<Vec<rpm::Dependency>, rpm::Error>| {
        value
            .map(|list| list.into_iter().map(dep).collect())
            .map_err(|e| bad(what, e))
    };
    let header = &meta.header;
    let archive_size = header
        .get_entry_data_as_u64(IndexTag::RPMTAG_LONGARCHIVESIZE)
        .or_else(|_| {
            header
                .get_entry_data_as_u32(IndexTag::RPMTAG_ARCHIVESIZE)
                .map(u64::from)
        })
        .or_else(|_| {
            meta.signature
                .get_entry_data_as_u64(IndexSignatureTag::RPMSIGTAG_LONGARCHIVESIZE)
        })
        .or_else(|_| {
            meta.signature
                .get_entry_data_as_u32(IndexSignatureTag::RPMSIGTAG_PAYLOADSIZE)
                .map(u64::from)
        })
        .unwrap_or(0);
    let provides: Vec<Dep> = deps("provides", meta.get_provides())?;
    let mut requires: Vec<Dep> = deps("requires", meta.get_requires())?;
    // Like createrepo_c, leave out what needs no resolving: rpm's own rpmlib()
    // features and what the package itself provides (e.g. its `config(NAME)`).
    requires.retain(|r| {
        !r.name.starts_with("rpmlib(")
            && !provides.iter().any(|p| {
                (&p.name, p.flags, &p.epoch, &p.ver, &p.rel)
                    == (&r.name, r.flags, &r.epoch, &r.ver, &r.rel)
            })
    });
    let files = meta
        .get_file_entries()
        .map_err(|e| bad("file list", e))?
        .into_iter()
        .map(|f| {
            let kind = if f.flags().contains(FileFlags::GHOST) {
                PathKind::Ghost
            } else if f.file_type() == FileType::Dir {
                PathKind::Dir
            } else {
                PathKind::File
            };
            (f.path().to_string_lossy().into_owned(), kind)
        })
        .collect();
    let changelog = meta
        .get_changelog_entries()
        .map_err(|e| bad("changelog", e))?
        .into_iter()
        .map(|c| Change {
            author: c.name,
            date: c.timestamp,
            text: c.description,
        })
        .collect();
    Ok(RpmInfo {
        path: path.to_path_buf(),
        name: required("name", meta.get_name())?,
        epoch: match meta.get_epoch() {
            Ok(epoch) => epoch,
            Err(rpm::Error::TagNotFound(_)) => 0,
            Err(e) => return Err(bad("epoch", e)),
        },
        version: required("version", meta.get_version())?,
        release: required("release", meta.get_release())?,
        arch: required("architecture", meta.get_arch())?,
        summary: text("summary", meta.get_summary())?,
        description: text("description", meta.get_description())?,
        url: text("url", meta.get_url())?,
        license: text("license", meta.get_license())?,
        vendor: text("vendor", meta.get_vendor())?,
        packager: text("packager", meta.get_packager())?,
        group: text("group", meta.get_group())?,
        build_host: text("build host", meta.get_build_host())?,
        source_rpm: text("source rpm", meta.get_source_rpm())?,
        build_time: meta.get_build_time().unwrap_or(0),
        installed_size: meta.get_installed_size().unwrap_or(0),
        archive_size,
        header_range: (offsets.header, offsets.payload),
        provides,
        requires,
        conflicts: deps("conflicts", meta.get_conflicts())?,
        obsoletes: deps("obsoletes", meta.get_obsoletes())?,
        recommends: deps("recommends", meta.get_recommends())?,
        suggests: deps("suggests", meta.get_suggests())?,
        enhances: deps("enhances", meta.get_enhances())?,
        supplements: deps("supplements", meta.get_supplements())?,
        files,
        changelog,
    })
}

/// A header dependency in repodata's form: `epoch:version-release` split up.
fn dep(d: rpm::Dependency) -> Dep {
    let flags = d.flags.comparator_str();
    let flags = match flags {
        "=" => "EQ",
        "<" => "LT",
        ">" => "GT",
        "<=" => "LE",
        ">=" => "GE",
        _ => "",
    };
    let pre = d.flags.intersects(
        DependencyFlags::PREREQ | DependencyFlags::SCRIPT_PRE | DependencyFlags::SCRIPT_POST,
    );
    let (epoch, ver, rel) = if d.version.is_empty() {
        (None, None, None)
    } else {
        let (epoch, rest) = match d.version.split_once(':') {
            Some((e, rest)) if e.bytes().all(|b| b.is_ascii_digit()) => (e.to_owned(), rest),
            _ => ("0".to_owned(), d.version.as_str()),
        };
        let (ver, rel) = match rest.rsplit_once('-') {
            Some((v, r)) => (v.to_owned(), Some(r.to_owned())),
            None => (rest.to_owned(), None),
        };
        (Some(epoch), Some(ver), rel)
    };
    Dep {
        name: d.name,
        flags,
        epoch,
        ver,
        rel,
        pre,
    }
}

fn valid_file_part(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with('.')
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._+~^-".contains(&b))
}

fn one_line(e: &rpm::Error) -> String {
    e.to_string().lines().next().unwrap_or_default().to_owned()
}
