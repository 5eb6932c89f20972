//! Reading a written `.app` directory back as a sorted list of entries with
//! normalised modes, shared by the `.pkg` and `.dmg` writers.

use std::fs;
use std::path::{Path, PathBuf};

use crateship_support::walk::{EntryKind, Symlinks, WalkError, walk};

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
    let perm = |path: &Path| -> Result<u16, MacosError> {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::symlink_metadata(path).map_err(read_err(path))?;
        Ok(if meta.permissions().mode() & 0o111 != 0 {
            0o755
        } else {
            0o644
        })
    };
    let mut out = vec![Entry {
        parts: vec![name.to_owned()],
        source: app_dir.to_path_buf(),
        kind: Kind::Dir,
        perm: 0o755,
    }];
    let entries = walk(app_dir, Symlinks::Keep).map_err(|e| walk_error(e, format))?;
    for e in entries {
        let mut parts = vec![name.to_owned()];
        parts.extend(e.rel.split('/').map(str::to_owned));
        let (kind, perm) = match e.kind {
            EntryKind::Dir => (Kind::Dir, 0o755),
            EntryKind::File { len, .. } => (Kind::File { size: len }, perm(&e.path)?),
            EntryKind::Symlink { target } => {
                let target = target
                    .to_str()
                    .ok_or_else(|| MacosError::Unsupported {
                        path: e.path.clone(),
                        format,
                        reason: "the symlink target is not UTF-8".into(),
                    })?
                    .to_owned();
                (Kind::Symlink(target), 0o755)
            }
        };
        out.push(Entry {
            parts,
            source: e.path,
            kind,
            perm,
        });
    }
    Ok(out)
}

/// The walk's error as this crate reports it for `format`.
fn walk_error(e: WalkError, format: &'static str) -> MacosError {
    match e {
        WalkError::NotUtf8 { path } => MacosError::Unsupported {
            path,
            format,
            reason: "the file name is not UTF-8; rename it".into(),
        },
        WalkError::Special { path } => MacosError::Unsupported {
            path,
            format,
            reason: "only files, directories and symlinks can be packaged".into(),
        },
        WalkError::Loop { path, .. } => MacosError::Unsupported {
            path,
            format,
            reason: "a symbolic link loops back into the bundle".into(),
        },
        WalkError::Io(io) => MacosError::Read {
            path: io.path,
            source: io.source,
        },
    }
}
