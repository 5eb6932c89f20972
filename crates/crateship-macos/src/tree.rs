//! Reading a written `.app` directory back as a sorted list of entries with
//! normalised modes, shared by the `.pkg` and `.dmg` writers.

use std::fs;
use std::path::{Path, PathBuf};

use crate::MacosError;
use crate::error::read_err;

/// What an entry of the bundle is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A directory.
    Dir,
    /// A regular file of `size` bytes.
    File {
        /// Length in bytes.
        size: u64,
    },
    /// A symbolic link and its target.
    Symlink(String),
}

/// One entry below (and including) the `.app` directory.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Path components from the `.app` directory's *parent*: `["Hello.app", "Contents", ...]`.
    pub parts: Vec<String>,
    /// The path on disk.
    pub source: PathBuf,
    /// Kind and size.
    pub kind: Kind,
    /// Permission bits (normalised to 0755/0644).
    pub perm: u16,
}

impl Entry {
    /// The full `st_mode` (type bits and permissions).
    pub fn st_mode(&self) -> u32 {
        let ty = match self.kind {
            Kind::Dir => 0o040000,
            Kind::File { .. } => 0o100000,
            Kind::Symlink(_) => 0o120000,
        };
        ty | u32::from(self.perm)
    }

    /// `a/b/c` relative to the `.app`'s parent.
    pub fn rel(&self) -> String {
        self.parts.join("/")
    }
}

/// Walks `app_dir` (depth-first, names sorted bytewise), parents before children.
pub(crate) fn walk_app(app_dir: &Path, format: &'static str) -> Result<Vec<Entry>, MacosError> {
    let name = app_dir
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| n.ends_with(".app") && n.len() > 4)
        .ok_or_else(|| MacosError::NotAnApp {
            path: app_dir.to_path_buf(),
            reason: "the directory name does not end in `.app`".into(),
        })?;
    if !app_dir.join("Contents/Info.plist").is_file() {
        return Err(MacosError::NotAnApp {
            path: app_dir.to_path_buf(),
            reason: "Contents/Info.plist is missing".into(),
        });
    }
    let mut out = Vec::new();
    visit(app_dir, vec![name.to_owned()], format, &mut out)?;
    Ok(out)
}

fn visit(
    path: &Path,
    parts: Vec<String>,
    format: &'static str,
    out: &mut Vec<Entry>,
) -> Result<(), MacosError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::symlink_metadata(path).map_err(read_err(path))?;
    let ft = meta.file_type();
    if ft.is_symlink() {
        let target = fs::read_link(path).map_err(read_err(path))?;
        let target = target
            .to_str()
            .ok_or_else(|| MacosError::Unsupported {
                path: path.to_path_buf(),
                format,
                reason: "the symlink target is not UTF-8".into(),
            })?
            .to_owned();
        out.push(Entry {
            parts,
            source: path.to_path_buf(),
            kind: Kind::Symlink(target),
            perm: 0o755,
        });
    } else if ft.is_dir() {
        out.push(Entry {
            parts: parts.clone(),
            source: path.to_path_buf(),
            kind: Kind::Dir,
            perm: 0o755,
        });
        let mut names = Vec::new();
        for e in fs::read_dir(path).map_err(read_err(path))? {
            let e = e.map_err(read_err(path))?;
            let n = e.file_name();
            let n = n.to_str().ok_or_else(|| MacosError::Unsupported {
                path: e.path(),
                format,
                reason: "the file name is not UTF-8; rename it".into(),
            })?;
            names.push(n.to_owned());
        }
        names.sort();
        for n in names {
            let mut child = parts.clone();
            child.push(n.clone());
            visit(&path.join(&n), child, format, out)?;
        }
    } else if ft.is_file() {
        let perm = if meta.permissions().mode() & 0o111 != 0 {
            0o755
        } else {
            0o644
        };
        out.push(Entry {
            parts,
            source: path.to_path_buf(),
            kind: Kind::File { size: meta.len() },
            perm,
        });
    } else {
        return Err(MacosError::Unsupported {
            path: path.to_path_buf(),
            format,
            reason: "only files, directories and symlinks can be packaged".into(),
        });
    }
    Ok(())
}
