//! Shared machinery of crateship's format writers, written once.
//!
//! * [`pool`]: an ordered, bounded worker pool. Results come back in submission
//!   order, so output written from them is byte-identical for any thread count.
//! * [`atomic`]: files that appear whole under their final name or not at all, and
//!   staged files that embedded signatures are applied to before they are published.
//! * [`walk`]: every file below a directory, sorted by its `/`-separated path.
//! * [`hash`]: streaming SHA-256 of a file.
//! * [`date`]: the calendar forms of `SOURCE_DATE_EPOCH` that formats store.
//!
//! What this crate never does: spawn a process, know a file format or the
//! release pipeline.
#![deny(missing_docs)]

pub mod atomic;
pub mod date;
pub mod hash;
pub mod pool;
pub mod walk;

pub use atomic::{AtomicFile, StagedFile};
pub use pool::OrderedPool;

use std::path::PathBuf;

/// A file-system operation that failed, with the path it concerned.
#[derive(Debug, thiserror::Error)]
#[error("{action} {}: {source}", path.display())]
pub struct IoError {
    /// What was being done, e.g. "cannot create".
    pub action: &'static str,
    /// The path involved.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: std::io::Error,
}

impl IoError {
    /// Wraps `source` with what was being done to `path`.
    pub fn new(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> IoError {
        IoError {
            action,
            path: path.into(),
            source,
        }
    }
}

impl From<IoError> for std::io::Error {
    fn from(e: IoError) -> std::io::Error {
        std::io::Error::new(e.source.kind(), e)
    }
}
