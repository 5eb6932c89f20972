//! Release archives: `tar.gz` and `zip`, written natively, streaming and deterministic.
//!
//! Both writers take an [`ArchiveSpec`] (a root directory name and a sorted list of
//! files) and produce byte-identical output for identical inputs: entries sorted,
//! every mtime set to `SOURCE_DATE_EPOCH`, owner root (0/0), modes 0755 for
//! executables and directories and 0644 otherwise. Compression runs on all
//! cores through [`deflate`], with bounded memory whatever the payload size.

pub mod deflate;
pub mod tar_gz;
pub mod zip;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::ArchiveKind;

/// What goes into an archive.
#[derive(Debug, Clone)]
pub struct ArchiveSpec {
    /// Top-level directory every entry sits under (may be empty for none).
    pub root_dir: String,
    /// The files, by destination path relative to `root_dir` (`/`-separated).
    pub files: Vec<ArchiveFile>,
    /// Timestamp of every entry, seconds since 1970.
    pub mtime: i64,
    /// Deflate level, 0–9 (6 matches gzip's and zip's default).
    pub level: u32,
}

/// One file in an archive.
#[derive(Debug, Clone)]
pub struct ArchiveFile {
    /// Where to read it.
    pub source: PathBuf,
    /// Path inside the archive, below the root directory.
    pub dest: String,
    /// Executable (0755) or not (0644).
    pub executable: bool,
}

/// An entry in archive order: a directory or a file.
#[derive(Debug, Clone)]
pub(crate) enum Item<'a> {
    /// A directory, path without trailing slash.
    Dir(String),
    /// A file.
    File(String, &'a ArchiveFile),
}

impl ArchiveSpec {
    /// Every entry, directories first where they contain files, sorted by path.
    pub(crate) fn items(&self) -> Vec<Item<'_>> {
        let full = |dest: &str| {
            if self.root_dir.is_empty() {
                dest.to_owned()
            } else {
                format!("{}/{dest}", self.root_dir)
            }
        };
        let mut dirs = BTreeSet::new();
        if !self.root_dir.is_empty() {
            dirs.insert(self.root_dir.clone());
        }
        for f in &self.files {
            let path = full(&f.dest);
            let mut prefix = path.as_str();
            while let Some((parent, _)) = prefix.rsplit_once('/') {
                dirs.insert(parent.to_owned());
                prefix = parent;
            }
        }
        let mut items: Vec<(String, Item<'_>)> = dirs
            .into_iter()
            .map(|d| (format!("{d}/"), Item::Dir(d)))
            .collect();
        items.extend(
            self.files
                .iter()
                .map(|f| (full(&f.dest), Item::File(full(&f.dest), f))),
        );
        items.sort_by(|a, b| a.0.cmp(&b.0));
        items.into_iter().map(|(_, item)| item).collect()
    }
}

impl ArchiveSpec {
    /// Every file below `dir` (recursively, symlinks followed), executables
    /// recognised by their Unix mode; for archiving a directory as it is.
    pub fn from_dir(dir: &Path, root_dir: &str, mtime: i64) -> Result<ArchiveSpec> {
        let mut files = Vec::new();
        collect(dir, dir, &mut files)?;
        files.sort_by(|a, b| a.dest.cmp(&b.dest));
        Ok(ArchiveSpec {
            root_dir: root_dir.to_owned(),
            files,
            mtime,
            level: 6,
        })
    }
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<ArchiveFile>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("cannot list", dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io("cannot list", dir, e))?.path();
        let meta = std::fs::metadata(&path).map_err(|e| Error::io("cannot read", &path, e))?;
        if meta.is_dir() {
            collect(base, &path, files)?;
        } else {
            let rel = path.strip_prefix(base).unwrap_or(&path);
            let dest = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.push(ArchiveFile {
                source: path.clone(),
                dest,
                executable: is_executable(&meta),
            });
        }
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Writes `spec` as `kind` into `out` (an [`AtomicFile`]'s file, typically).
///
/// [`AtomicFile`]: crateship_support::AtomicFile
pub fn write_into(kind: ArchiveKind, spec: &ArchiveSpec, out: &mut std::fs::File) -> Result<()> {
    match kind {
        ArchiveKind::TarGz => tar_gz::write(spec, out).map(drop),
        ArchiveKind::Zip => zip::write(spec, out).map(drop),
    }
}

/// Writes `spec` as `kind` to `path` atomically: complete, or not at all.
pub fn write_file(kind: ArchiveKind, spec: &ArchiveSpec, path: &Path) -> Result<()> {
    let mut out = crateship_support::AtomicFile::create(path)?;
    write_into(kind, spec, out.file())?;
    out.commit()?;
    Ok(())
}

/// Unix permission bits for an entry.
pub(crate) fn mode(executable: bool) -> u32 {
    if executable { 0o755 } else { 0o644 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_precede_their_files_and_all_is_sorted() {
        let f = |d: &str| ArchiveFile {
            source: PathBuf::new(),
            dest: d.into(),
            executable: false,
        };
        let spec = ArchiveSpec {
            root_dir: "r".into(),
            files: vec![f("b/x"), f("a"), f("b/c/y")],
            mtime: 0,
            level: 6,
        };
        let names: Vec<String> = spec
            .items()
            .iter()
            .map(|i| match i {
                Item::Dir(d) => format!("{d}/"),
                Item::File(p, _) => p.clone(),
            })
            .collect();
        assert_eq!(names, ["r/", "r/a", "r/b/", "r/b/c/", "r/b/c/y", "r/b/x"]);
    }
}
