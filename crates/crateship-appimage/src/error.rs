//! The one error type of this crate: every variant names the offending input and
//! says how to fix it.

use std::path::PathBuf;

/// Everything that can go wrong while writing an AppDir or an AppImage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppImageError {
    /// The runtime executable given to the writer is unusable.
    #[error(
        "the AppImage runtime is unusable: {reason}; pass the bytes of crateship-appimage-runtime (see `crateship_appimage::runtime`)"
    )]
    Runtime {
        /// What is wrong with it.
        reason: String,
    },
    /// An input field has a value an AppImage cannot carry.
    #[error("invalid {field} `{value}` for the AppImage: {reason}")]
    InvalidInput {
        /// The field (`binary_name`, `update_information`, a file destination, ...).
        field: &'static str,
        /// The offending value.
        value: String,
        /// Why it is rejected and how to fix it.
        reason: String,
    },
    /// A source file could not be read.
    #[error(
        "cannot read `{path}` (packaged as `{dest}`): {source}; check that the file exists and is readable"
    )]
    ReadSource {
        /// The source path on disk.
        path: PathBuf,
        /// Where the file goes inside the AppDir.
        dest: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Writing the output failed.
    #[error("cannot write {what}: {source}; check free space and permissions of the output")]
    Write {
        /// What was being written (the AppDir path, `the runtime`, ...).
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The .desktop file or the metainfo could not be generated.
    #[error(transparent)]
    Metadata(#[from] crateship_linux::LinuxError),
}
