//! The library's error type: every variant names the offending input and the fix,
//! and errors from the format crates are kept as `source()` so the CLI can print
//! the whole chain.

use std::path::PathBuf;

/// Shorthand for results carrying a crateship [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A format crate's (or another library's) error, kept whole as a source.
pub type BoxedSource = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong while planning or executing a release.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value is invalid; `key` is the dotted config key.
    #[error("invalid config in {}: `{key}`: {message}", file.display())]
    Config {
        /// The Cargo.toml holding the value.
        file: PathBuf,
        /// The dotted key, e.g. `macos.minimum-system-version`.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A command-line or selection mistake (unknown target or format, a flag
    /// combination, no such package). The CLI exits with status 2.
    #[error("{0}")]
    Usage(String),
    /// `cargo metadata` failed, typically a malformed Cargo.toml.
    #[error("cannot read Cargo metadata for {}: {message}", manifest.display())]
    Metadata {
        /// The manifest that was read.
        manifest: PathBuf,
        /// cargo's own explanation.
        message: String,
    },
    /// A file-system operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What we were doing, e.g. "cannot create".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A format writer (or signer) failed on an artifact; `source` is the format
    /// crate's own error, which names the entry and the fix.
    #[error("cannot write {}", path.display())]
    Artifact {
        /// The artifact being written.
        path: PathBuf,
        /// What the writer reported.
        #[source]
        source: BoxedSource,
    },
    /// Input to a step is not usable (an icon, a template, a desktop entry); `what`
    /// names it, `source` says why.
    #[error("{what}")]
    Input {
        /// The input and the step, e.g. "the icon assets/icon.svg".
        what: String,
        /// Why it cannot be used.
        #[source]
        source: BoxedSource,
    },
    /// An external program ran and failed.
    #[error("`{command}` failed{}", if stderr_tail.is_empty() { String::new() } else { format!(":\n{stderr_tail}") })]
    Tool {
        /// The command line.
        command: String,
        /// The end of what it printed on stderr.
        stderr_tail: String,
    },
    /// An external program could not be started.
    #[error("cannot run `{command}`; is `{program}` installed and on PATH?")]
    ToolMissing {
        /// The command line.
        command: String,
        /// The program looked for.
        program: String,
        /// Why it could not be started.
        #[source]
        source: BoxedSource,
    },
    /// A `before-package` command failed; nothing has been written.
    #[error(
        "`{key}`: `{command}` {status}; nothing was packaged. Fix the command (it runs in the package directory) or remove it. Its output ended with:\n{output_tail}"
    )]
    Hook {
        /// The config key, e.g. `before-package[0]`.
        key: String,
        /// The command line.
        command: String,
        /// How it ended, e.g. "exited with status 3".
        status: String,
        /// The last lines it printed.
        output_tail: String,
    },
    /// Build tools are missing; the message lists the exact install commands.
    #[error(
        "missing build tools:\n{}\nrun these commands, or pass --install-missing to let crateship run them",
        .0.iter().map(|t| format!("  - {}: `{}`", t.what, t.install)).collect::<Vec<_>>().join("\n")
    )]
    MissingTools(Vec<MissingTool>),
    /// Something the release needs is not there or not right: a binary, a secret
    /// variable, a host library, a glibc floor. `what` says what, `fix` how to fix it.
    #[error("{what}; {fix}")]
    Requirement {
        /// What is missing or wrong.
        what: String,
        /// How to fix it.
        fix: String,
    },
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

    /// A format writer's failure on the artifact at `path`.
    pub fn artifact(
        path: impl Into<PathBuf>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error::Artifact {
            path: path.into(),
            source: Box::new(source),
        }
    }

    /// An unusable input: `what` names it, `source` says why.
    pub fn input(
        what: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error::Input {
            what: what.into(),
            source: Box::new(source),
        }
    }

    /// A missing or wrong prerequisite, with its fix.
    pub fn requirement(what: impl Into<String>, fix: impl Into<String>) -> Error {
        Error::Requirement {
            what: what.into(),
            fix: fix.into(),
        }
    }

    /// Whether this is a usage mistake (the CLI exits with status 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Usage(_))
    }
}

impl From<crateship_support::IoError> for Error {
    fn from(e: crateship_support::IoError) -> Error {
        Error::Io {
            action: e.action,
            path: e.path,
            source: e.source,
        }
    }
}
