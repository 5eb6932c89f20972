//! The one directory walk: every entry below a directory, in a stable order.
//!
//! [`walk`] visits depth first with names sorted byte-wise at each level (a
//! directory comes right before its contents), which is the order of the paths'
//! component lists. [`files_below`] is the common case: the regular files only,
//! symlinks followed, sorted by their `/`-separated relative path as a string.
//! Names must be UTF-8: artifact formats store them as text.

use std::path::{Path, PathBuf};

use crate::IoError;

/// What a walk entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A directory.
    Dir,
    /// A regular file.
    File {
        /// Its size in bytes.
        len: u64,
        /// Whether any execute bit is set.
        executable: bool,
    },
    /// A symbolic link, not followed ([`Symlinks::Keep`]).
    Symlink {
        /// Where it points, as stored.
        target: PathBuf,
    },
}

/// One entry below the walked directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path on disk.
    pub path: PathBuf,
    /// Its path relative to the walked directory, `/`-separated.
    pub rel: String,
    /// What it is.
    pub kind: EntryKind,
}

/// Whether a walk follows symbolic links or reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symlinks {
    /// Treat a link as what it points to (a loop is an error).
    Follow,
    /// Report links as [`EntryKind::Symlink`].
    Keep,
}

/// Why a walk failed.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// Reading the tree failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// A name is not UTF-8.
    #[error("{}: the file name is not UTF-8; rename it", path.display())]
    NotUtf8 {
        /// The entry.
        path: PathBuf,
    },
    /// Following symlinks led back into a directory being walked.
    #[error("{}: a symbolic link leads back into {}; remove the loop", path.display(), ancestor.display())]
    Loop {
        /// The link's path.
        path: PathBuf,
        /// The directory it leads back to.
        ancestor: PathBuf,
    },
    /// Something that is neither a file, a directory nor a symlink (a socket, a device).
    #[error("{}: only files, directories and symbolic links can be packaged", path.display())]
    Special {
        /// The entry.
        path: PathBuf,
    },
}

/// Every entry below `dir` (not `dir` itself), depth first, names sorted.
pub fn walk(dir: &Path, symlinks: Symlinks) -> Result<Vec<Entry>, WalkError> {
    let mut out = Vec::new();
    let mut ancestors = Vec::new();
    if symlinks == Symlinks::Follow {
        ancestors.push(canonical(dir)?);
    }
    visit(dir, "", symlinks, &mut ancestors, &mut out)?;
    Ok(out)
}

/// Every regular file below `dir`, symlinks followed, sorted by relative path.
pub fn files_below(dir: &Path) -> Result<Vec<Entry>, WalkError> {
    let mut files: Vec<Entry> = walk(dir, Symlinks::Follow)?
        .into_iter()
        .filter(|e| matches!(e.kind, EntryKind::File { .. }))
        .collect();
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(files)
}

fn canonical(path: &Path) -> Result<PathBuf, WalkError> {
    Ok(path
        .canonicalize()
        .map_err(|e| IoError::new("cannot resolve", path, e))?)
}

fn visit(
    dir: &Path,
    prefix: &str,
    symlinks: Symlinks,
    ancestors: &mut Vec<PathBuf>,
    out: &mut Vec<Entry>,
) -> Result<(), WalkError> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| IoError::new("cannot list", dir, e))? {
        let entry = entry.map_err(|e| IoError::new("cannot list", dir, e))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|_| WalkError::NotUtf8 { path: entry.path() })?;
        names.push(name);
    }
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let meta = match symlinks {
            Symlinks::Follow => std::fs::metadata(&path),
            Symlinks::Keep => std::fs::symlink_metadata(&path),
        }
        .map_err(|e| IoError::new("cannot read", &path, e))?;
        let kind = if meta.file_type().is_symlink() {
            let target =
                std::fs::read_link(&path).map_err(|e| IoError::new("cannot read", &path, e))?;
            EntryKind::Symlink { target }
        } else if meta.is_dir() {
            EntryKind::Dir
        } else if meta.is_file() {
            EntryKind::File {
                len: meta.len(),
                executable: is_executable(&meta),
            }
        } else {
            return Err(WalkError::Special { path });
        };
        let is_dir = kind == EntryKind::Dir;
        out.push(Entry {
            path: path.clone(),
            rel: rel.clone(),
            kind,
        });
        if is_dir {
            let pushed = symlinks == Symlinks::Follow;
            if pushed {
                let real = canonical(&path)?;
                if let Some(ancestor) = ancestors.iter().find(|a| **a == real) {
                    return Err(WalkError::Loop {
                        path,
                        ancestor: ancestor.clone(),
                    });
                }
                ancestors.push(real);
            }
            visit(&path, &rel, symlinks, ancestors, out)?;
            if pushed {
                ancestors.pop();
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::write(d.join("a/b/y"), b"y").unwrap();
        std::fs::write(d.join("a.txt"), b"hello").unwrap();
        std::fs::write(d.join("a/x"), b"x").unwrap();
        std::os::unix::fs::symlink("a.txt", d.join("link")).unwrap();
        dir
    }

    #[test]
    fn walk_is_depth_first_with_sorted_names() {
        let dir = tree();
        let rels: Vec<String> = walk(dir.path(), Symlinks::Keep)
            .unwrap()
            .into_iter()
            .map(|e| e.rel)
            .collect();
        assert_eq!(rels, ["a", "a/b", "a/b/y", "a/x", "a.txt", "link"]);
    }

    #[test]
    fn files_below_follows_links_and_sorts_by_path_string() {
        let dir = tree();
        let files = files_below(dir.path()).unwrap();
        let rels: Vec<&str> = files.iter().map(|e| e.rel.as_str()).collect();
        assert_eq!(rels, ["a.txt", "a/b/y", "a/x", "link"]);
        assert_eq!(
            files[3].kind,
            EntryKind::File {
                len: 5,
                executable: false
            }
        );
    }

    #[test]
    fn a_symlink_loop_is_an_error_naming_the_link() {
        let dir = tree();
        std::os::unix::fs::symlink("..", dir.path().join("a/up")).unwrap();
        let err = walk(dir.path(), Symlinks::Follow).unwrap_err().to_string();
        assert!(err.contains("a/up") && err.contains("loop"), "{err}");
        assert!(walk(dir.path(), Symlinks::Keep).is_ok());
    }
}
