//! The library's error type: every variant names the offending input and the fix.

use std::path::PathBuf;

/// Shorthand for results carrying a crateship [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while planning or executing a release.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value is invalid; `key` is the dotted config key.
    #[error("invalid config in {file}: `{key}`: {message}")]
    Config {
        /// The Cargo.toml holding the value.
        file: PathBuf,
        /// The dotted key, e.g. `macos.minimum-system-version`.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A command-line value is invalid (target triple, format, flag combination).
    #[error("{0}")]
    Usage(String),
    /// `cargo metadata` failed, typically a malformed Cargo.toml.
    #[error("cannot read Cargo metadata for {manifest}: {message}")]
    Metadata {
        /// The manifest that was read.
        manifest: PathBuf,
        /// cargo's own explanation.
        message: String,
    },
    /// A file-system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What we were doing, e.g. "cannot create".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An external program failed or is missing.
    #[error("{0}")]
    Command(String),
    /// Build tools are missing; the message lists the exact install commands.
    #[error(
        "missing build tools:\n{}\nrun these commands, or pass --install-missing to let crateship run them",
        .0.iter().map(|t| format!("  - {}: `{}`", t.what, t.install)).collect::<Vec<_>>().join("\n")
    )]
    MissingTools(Vec<MissingTool>),
    /// The icon source or an override could not be turned into an icon set.
    #[error("icons: {0}")]
    Icons(String),
    /// A built binary does not meet a configured requirement.
    #[error("{0}")]
    Requirement(String),
}

/// A build tool that is not installed, and the command that installs it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingTool {
    /// What is missing, e.g. "rustup target aarch64-apple-darwin".
    pub what: String,
    /// The exact command that installs it.
    pub install: String,
}

impl Error {
    /// Wraps an I/O error with the action and path it concerns.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
