//! The one error type of this crate: every variant names the file or entry it
//! concerns and says how to fix it.

use std::path::PathBuf;

use crate::ArchiveKind;

/// Everything that can go wrong while writing a release archive.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// A file to be archived could not be opened or read.
    #[error("cannot read `{}` (archived as `{dest}`): {source}; check that it exists and is readable", path.display())]
    Read {
        /// The file on disk.
        path: PathBuf,
        /// Its path inside the archive.
        dest: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file's size changed between being measured and being read.
    #[error("`{}` changed size while being archived; do not modify files while they are packaged", path.display())]
    Changed {
        /// The file on disk.
        path: PathBuf,
    },
    /// An entry name that an archive cannot hold safely.
    #[error(
        "cannot archive an entry named `{name}`: {reason}; use a relative, `/`-separated path without `.` or `..` components"
    )]
    Entry {
        /// The entry's path inside the archive.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Writing the archive stream failed.
    #[error(
        "cannot write the {kind} archive: {source}; check free space and permissions where it is written"
    )]
    Write {
        /// Which archive.
        kind: ArchiveKind,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Creating or publishing the archive file failed (names the file).
    #[error(transparent)]
    Output(#[from] crateship_support::IoError),
    /// Listing the directory to archive failed (names the entry).
    #[error(transparent)]
    Walk(#[from] crateship_support::walk::WalkError),
}

impl ArchiveError {
    /// An [`ArchiveError::Write`] mapper for `kind`.
    pub(crate) fn write(kind: ArchiveKind) -> impl Fn(std::io::Error) -> ArchiveError {
        move |source| ArchiveError::Write { kind, source }
    }

    /// An [`ArchiveError::Read`] mapper for `file`.
    pub(crate) fn read(file: &crate::ArchiveFile) -> impl Fn(std::io::Error) -> ArchiveError + '_ {
        move |source| ArchiveError::Read {
            path: file.source.clone(),
            dest: file.dest.clone(),
            source,
        }
    }
}
