//! Release archives: `tar.gz` and `zip`, written natively, streaming and deterministic.
//!
//! Both writers take an [`ArchiveSpec`] (a root directory name and a list of files)
//! and produce byte-identical output for identical inputs, whatever the number of
//! cores: entries sorted, every mtime set to the caller's `SOURCE_DATE_EPOCH`, owner
//! root (0/0), modes 0755 for executables and directories and 0644 otherwise.
//! Compression runs on every core, pigz-style (chunks deflated in parallel on
//! [`crateship_support::OrderedPool`] and joined in order), with bounded memory
//! whatever the payload size. [`tar_gz::write`] and [`zip::write`] write into any
//! writer (the zip writer needs to seek, to patch headers); [`write_file`] publishes
//! the archive atomically through [`crateship_support::AtomicFile`].
//!
//! What it can't do: store symlinks, special files, owners or modes other than
//! 0755/0644 (release archives do not need them), or read archives.
//! What it never does: spawn a process, or put a host path, user or time other than
//! the given one into an archive.
#![deny(missing_docs)]

mod deflate;
mod error;
pub mod gzip;
pub mod tar_gz;
pub mod zip;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crateship_support::AtomicFile;

pub use error::ArchiveError;

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

/// The two archive formats this crate writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    /// A gzip-compressed GNU tar stream (`.tar.gz`).
    TarGz,
    /// A zip archive with Info-ZIP-style Unix entries (`.zip`).
    Zip,
}

impl fmt::Display for ArchiveKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArchiveKind::TarGz => "tar.gz",
            ArchiveKind::Zip => "zip",
        })
    }
}

/// An entry in archive order: a directory or a file.
#[derive(Debug, Clone)]
pub(crate) enum Item<'a> {
    /// A directory, path without trailing slash.
    Dir(String),
    /// A file, with its full path inside the archive.
    File(String, &'a ArchiveFile),
}

impl ArchiveSpec {
    /// Every file below `dir` (recursively, symlinks followed), executables
    /// recognised by their Unix mode; for archiving a directory as it is.
    pub fn from_dir(dir: &Path, root_dir: &str, mtime: i64) -> Result<ArchiveSpec, ArchiveError> {
        let files = crateship_support::walk::files_below(dir)?
            .into_iter()
            .map(|entry| ArchiveFile {
                executable: matches!(
                    entry.kind,
                    crateship_support::walk::EntryKind::File {
                        executable: true,
                        ..
                    }
                ),
                source: entry.path,
                dest: entry.rel,
            })
            .collect();
        Ok(ArchiveSpec {
            root_dir: root_dir.to_owned(),
            files,
            mtime,
            level: 6,
        })
    }

    /// Every entry, directories first where they contain files, sorted by path.
    pub(crate) fn items(&self) -> Result<Vec<Item<'_>>, ArchiveError> {
        if !self.root_dir.is_empty() {
            check_name(&self.root_dir)?;
        }
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
            check_name(&f.dest)?;
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
        Ok(items.into_iter().map(|(_, item)| item).collect())
    }
}

/// Rejects names that would escape the extraction directory or that tar and
/// zip readers treat differently.
fn check_name(name: &str) -> Result<(), ArchiveError> {
    let reason = if name.is_empty() {
        Some("the name is empty")
    } else if name.starts_with('/') {
        Some("it is absolute")
    } else if name.contains('\0') {
        Some("it contains a NUL byte")
    } else if name
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        Some("it has an empty, `.` or `..` component")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ArchiveError::Entry {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Writes `spec` as a `kind` archive to `path` atomically: the file appears
/// complete under its name, or not at all (an old file stays until then).
pub fn write_file(kind: ArchiveKind, spec: &ArchiveSpec, path: &Path) -> Result<(), ArchiveError> {
    let out = AtomicFile::create(path)?;
    let out = match kind {
        ArchiveKind::TarGz => tar_gz::write(spec, out)?,
        ArchiveKind::Zip => zip::write(spec, out)?,
    };
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

    fn file(dest: &str) -> ArchiveFile {
        ArchiveFile {
            source: PathBuf::new(),
            dest: dest.into(),
            executable: false,
        }
    }

    fn spec(root_dir: &str, files: Vec<ArchiveFile>) -> ArchiveSpec {
        ArchiveSpec {
            root_dir: root_dir.into(),
            files,
            mtime: 0,
            level: 6,
        }
    }

    #[test]
    fn directories_precede_their_files_and_all_is_sorted() {
        let spec = spec("r", vec![file("b/x"), file("a"), file("b/c/y")]);
        let names: Vec<String> = spec
            .items()
            .unwrap()
            .iter()
            .map(|i| match i {
                Item::Dir(d) => format!("{d}/"),
                Item::File(p, _) => p.clone(),
            })
            .collect();
        assert_eq!(names, ["r/", "r/a", "r/b/", "r/b/c/", "r/b/c/y", "r/b/x"]);
    }

    #[test]
    fn names_that_escape_or_are_ambiguous_are_rejected_with_the_name() {
        for bad in ["/etc/passwd", "../up", "a/../../b", "a//b", "./a", "a/", ""] {
            let err = spec("r", vec![file(bad)]).items().unwrap_err().to_string();
            assert!(
                err.contains(&format!("`{bad}`")) && err.contains("use a relative"),
                "{err}"
            );
        }
        let err = spec("../r", vec![file("a")])
            .items()
            .unwrap_err()
            .to_string();
        assert!(err.contains("`../r`"), "{err}");
    }

    /// A tree with small files (whole-file jobs), one large file (chunk jobs)
    /// and incompressible data (stored entries).
    fn sample_tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        let text = |n: usize| -> Vec<u8> {
            b"release archives are deterministic; "
                .iter()
                .cycle()
                .take(n)
                .copied()
                .collect()
        };
        let mut noise = 1u32;
        let random: Vec<u8> = (0..300_000)
            .map(|_| {
                noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (noise >> 24) as u8
            })
            .collect();
        std::fs::write(d.join("a/b/large.txt"), text(3 * deflate::CHUNK_SIZE + 5)).unwrap();
        std::fs::write(d.join("a/noise.bin"), &random[..20_000]).unwrap();
        std::fs::write(d.join("a/noise-large.bin"), &random).unwrap();
        for i in 0..40 {
            std::fs::write(d.join(format!("small-{i:02}.txt")), text(i * 97)).unwrap();
        }
        dir
    }

    #[test]
    fn archives_do_not_depend_on_the_thread_count() {
        let dir = sample_tree();
        let spec = ArchiveSpec::from_dir(dir.path(), "root", 1_700_000_000).unwrap();
        let tar = |threads| tar_gz::write_with_threads(&spec, Vec::new(), threads).unwrap();
        let zip = |threads| {
            zip::write_with_threads(&spec, std::io::Cursor::new(Vec::new()), threads)
                .unwrap()
                .into_inner()
        };
        let (tar_one, zip_one) = (tar(1), zip(1));
        for threads in [2, 3, 7] {
            assert!(
                tar(threads) == tar_one,
                "tar.gz differs on {threads} threads"
            );
            assert!(zip(threads) == zip_one, "zip differs on {threads} threads");
        }
    }
}
