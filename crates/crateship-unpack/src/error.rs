//! Why an artifact's members could not be read.

use std::path::PathBuf;

/// An artifact that could not be opened or read to its end.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// Reading the file (or what a visitor did with a member) failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The artifact.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not the container they should be, or are damaged.
    #[error("{} is not a readable {container}: {reason}; rebuild it with `crateship dist`", path.display())]
    Format {
        /// The artifact.
        path: PathBuf,
        /// What it should be (`zip`, `.deb`, …).
        container: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl UnpackError {
    pub(crate) fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> UnpackError + '_ {
        move |source| UnpackError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn format<'p>(
        path: &'p std::path::Path,
        container: &'static str,
    ) -> impl Fn(String) -> UnpackError + 'p {
        move |reason| UnpackError::Format {
            path: path.to_path_buf(),
            container,
            reason,
        }
    }
}
