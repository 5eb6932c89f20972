//! The one error type of this crate: every variant names the file (or pixel size) it is
//! about and says how to fix it.

use std::io;
use std::path::PathBuf;

/// Why icon generation failed. Nothing was written to the output directory when this is
/// returned (a previous icon set there is kept unchanged).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IconError {
    /// The icon name cannot be used as a file name.
    #[error(
        "icon name {name:?} cannot be used as a file name; use letters, digits, '.', '-', '_' or '+' \
         and do not start with '.' (e.g. \"hello-desktop\" or \"org.example.Hello\")"
    )]
    InvalidName {
        /// The rejected name.
        name: String,
    },

    /// A source or override image could not be read from disk.
    #[error("cannot read image {path}: {source}; check that the file exists and is readable")]
    Read {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },

    /// An SVG whose filters would cost far more to render than any icon needs (a
    /// hostile or broken file): refused before rendering.
    #[error(
        "SVG {path} is too costly to render: {reason}; simplify its filters (smaller filter \
         regions, fewer filter primitives) or export the icon as a 1024 px PNG"
    )]
    RenderBudget {
        /// The rejected file.
        path: PathBuf,
        /// Which filter and which limit.
        reason: String,
    },

    /// A source or override image is not a decodable PNG or SVG.
    #[error("corrupt or unsupported image {path}: {reason}; use a PNG or SVG")]
    Unsupported {
        /// The rejected file.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },

    /// A per-size override has other dimensions than the size it replaces.
    #[error("override for {size} px {path} is {width}x{height}; it must be exactly {size}x{size}")]
    OverrideSize {
        /// The pixel size the override is registered for.
        size: u32,
        /// The override file.
        path: PathBuf,
        /// Its actual width.
        width: u32,
        /// Its actual height.
        height: u32,
    },

    /// A per-size override is registered for a pixel size that no output uses.
    #[error(
        "override {path} is registered for {size} px, which no output uses; use one of {valid} px"
    )]
    OverrideUnused {
        /// The pixel size the override is registered for.
        size: u32,
        /// The override file.
        path: PathBuf,
        /// The sizes that can be overridden, comma-separated.
        valid: String,
    },

    /// Rendering, resizing or encoding one layer failed (a bug or an exhausted resource,
    /// not a problem with the input).
    #[error(
        "cannot produce the {size} px layer from {path}: {reason}; \
         this is a bug in crateship-icons, please report it with the source image"
    )]
    Layer {
        /// The source image.
        path: PathBuf,
        /// The pixel size being produced.
        size: u32,
        /// What failed.
        reason: String,
    },

    /// Assembling an output file from finished layers failed (a bug, not a problem with the
    /// input).
    #[error(
        "cannot encode {path}: {reason}; this is a bug in crateship-icons, please report it \
         with the source image"
    )]
    Encode {
        /// The output file being assembled.
        path: PathBuf,
        /// What failed.
        reason: String,
    },

    /// An output file or directory could not be written.
    #[error(
        "cannot write {path}: {source}; check that the output directory is writable and has free space"
    )]
    Write {
        /// The file or directory that could not be written.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },
}
