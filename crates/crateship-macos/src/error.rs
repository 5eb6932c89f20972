//! The one error type of this crate: every variant names the offending input
//! (a path, a field, a key) and says how to fix it.

use std::path::PathBuf;

/// Everything that can go wrong while writing macOS bundles, binaries and images.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MacosError {
    /// A source file or directory could not be read.
    #[error("cannot read `{path}`: {source}; check that it exists and is readable")]
    Read {
        /// The path on disk.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Writing a file of the bundle, or an artifact, failed.
    #[error("cannot write {what} (`{path}`): {source}; check free space and permissions")]
    Write {
        /// What was being written (`Info.plist`, `the .pkg`, ...).
        what: &'static str,
        /// The path being written (or the temp file behind a stream).
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A field of the input has a value macOS cannot accept.
    #[error("invalid {field} `{value}`: {reason}")]
    InvalidField {
        /// The field name (`identifier`, `version`, ...).
        field: &'static str,
        /// The offending value.
        value: String,
        /// Why it is rejected and how to fix it.
        reason: String,
    },
    /// A user template cannot be filled (unknown placeholder).
    #[error(transparent)]
    TemplateFill(#[from] crateship_template::TemplateError),
    /// A filled template is not usable (not well-formed, a required part missing).
    #[error("template `{template}`: {reason}")]
    Template {
        /// The template's name or path.
        template: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// An extra Info.plist key would overwrite a key crateship generates.
    #[error(
        "extra Info.plist key `{key}` collides with a key crateship generates from the configuration; \
         set it through its own setting ({hint}) instead of the extra keys"
    )]
    PlistKeyCollision {
        /// The colliding key.
        key: String,
        /// Which setting controls the generated key.
        hint: &'static str,
    },
    /// A resource destination is not a plain relative path inside `Contents/Resources`.
    #[error(
        "resource `{source_path}` has destination `{dest}` which {reason}; use a relative path \
         below Contents/Resources without `..`"
    )]
    InvalidResourceDest {
        /// The source file on disk.
        source_path: PathBuf,
        /// The destination as given.
        dest: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A file is not the kind of Mach-O file expected.
    #[error("{what} is not usable: {reason}")]
    MachO {
        /// Which input (`x86_64 binary`, `the executable` ...).
        what: String,
        /// Why and how to fix.
        reason: String,
    },
    /// The app directory given to a pkg/dmg writer is not an app bundle.
    #[error("`{path}` is not an app bundle: {reason}; pass the directory that write_app returned")]
    NotAnApp {
        /// The path given.
        path: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// An entry of the bundle cannot be stored in the target format.
    #[error("`{path}` cannot be stored in the {format}: {reason}")]
    Unsupported {
        /// The entry on disk.
        path: PathBuf,
        /// `.pkg`, `.dmg`, ...
        format: &'static str,
        /// Why and how to fix.
        reason: String,
    },
    /// Generating the Info.plist failed.
    #[error("cannot serialise Info.plist for `{identifier}`: {source}")]
    Plist {
        /// The bundle identifier.
        identifier: String,
        /// The underlying error.
        source: plist::Error,
    },
    /// Making an Apple signature failed (identity, CMS or timestamp).
    #[error("cannot sign `{path}`: {source}")]
    Signing {
        /// The bundle, package or image being signed.
        path: PathBuf,
        /// The underlying error (names the certificate or server and the fix).
        source: crateship_sign::SignError,
    },
    /// The HFS+/UDIF writer reported an error.
    #[error("cannot build the .dmg volume `{volume}` ({step}): {message}")]
    Dmg {
        /// The volume name.
        volume: String,
        /// The step that failed.
        step: &'static str,
        /// The underlying message.
        message: String,
    },
}

/// Shorthand for a [`MacosError::Read`] mapper.
pub(crate) fn read_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> MacosError + '_ {
    move |source| MacosError::Read {
        path: path.to_path_buf(),
        source,
    }
}

/// Shorthand for a [`MacosError::Write`] mapper.
pub(crate) fn write_err<'a>(
    what: &'static str,
    path: &'a std::path::Path,
) -> impl FnOnce(std::io::Error) -> MacosError + 'a {
    move |source| MacosError::Write {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// Shorthand for a [`MacosError::Write`] mapper of a failed atomic publish.
pub(crate) fn publish_err(
    what: &'static str,
) -> impl FnOnce(crateship_support::IoError) -> MacosError {
    move |e| MacosError::Write {
        what,
        path: e.path,
        source: e.source,
    }
}
