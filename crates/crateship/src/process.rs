//! The one place crateship starts external programs (cargo, git, rustup, pip).
//!
//! Commands are argv lists, never shell strings; every failure names the command
//! line and carries the tail of its stderr. Nothing is echoed: the library never prints.
//!
//! Secrets stay in this process: the environment variables the configuration
//! names for keys and passwords ([`withhold_secrets`]) are removed from the
//! environment of every program started here — cargo (and so every build script
//! and proc-macro), git, dpkg, rustup, pip. Only the signing backends
//! (crateship-sign's own funnel) receive what they need.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An external command as plain data, so plans can show it and tests can snapshot it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandSpec {
    /// The program, resolved on PATH.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Working directory, if not the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
}

/// Environment variables no child process may see.
static WITHHELD: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Removes the variables `names` from the environment of every command this
/// module starts from now on (they hold signing keys and passwords).
pub fn withhold_secrets(names: impl IntoIterator<Item = String>) {
    let mut withheld = WITHHELD.lock().unwrap_or_else(|e| e.into_inner());
    withheld.extend(names);
}

/// The variables withheld so far.
pub fn withheld_secrets() -> Vec<String> {
    let withheld = WITHHELD.lock().unwrap_or_else(|e| e.into_inner());
    withheld.iter().cloned().collect()
}

/// What a finished command printed.
#[derive(Debug, Clone)]
pub struct Output {
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl CommandSpec {
    /// A command with no extra environment.
    pub fn new(program: &str, args: &[&str]) -> CommandSpec {
        CommandSpec {
            program: program.to_owned(),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: BTreeMap::new(),
            cwd: None,
        }
    }

    /// Runs from `dir`.
    pub fn current_dir(mut self, dir: &Path) -> CommandSpec {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    /// The command line as one human-readable string (for messages only).
    pub fn display(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .map(|a| {
                if a.contains(' ') || a.is_empty() {
                    format!("'{a}'")
                } else {
                    a.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Runs the command to completion; a non-zero exit is an error with its stderr.
    pub fn run(&self) -> Result<Output> {
        let out = self.run_unchecked()?;
        if out.0 {
            Ok(out.1)
        } else {
            Err(Error::Tool {
                command: self.display(),
                stderr_tail: tail(&out.1.stderr, 40),
            })
        }
    }

    /// Runs the command; returns whether it succeeded and what it printed.
    /// A program that cannot be started is an error naming it.
    pub fn run_unchecked(&self) -> Result<(bool, Output)> {
        let (status, out) = self.run_status()?;
        Ok((status.success(), out))
    }

    /// Runs the command; returns its exit status and what it printed. A
    /// program that cannot be started is an error naming it.
    pub fn run_status(&self) -> Result<(std::process::ExitStatus, Output)> {
        let sh = xshell::Shell::new().map_err(|e| Error::ToolMissing {
            command: self.display(),
            program: self.program.clone(),
            source: Box::new(e),
        })?;
        if let Some(dir) = &self.cwd {
            sh.change_dir(dir);
        }
        let mut cmd = sh
            .cmd(&self.program)
            .args(&self.args)
            .quiet()
            .ignore_status();
        for name in withheld_secrets() {
            cmd = cmd.env_remove(name);
        }
        for (k, v) in &self.env {
            cmd = cmd.env(k, v);
        }
        let out = cmd.output().map_err(|e| Error::ToolMissing {
            command: self.display(),
            program: self.program.clone(),
            source: Box::new(e),
        })?;
        Ok((
            out.status,
            Output {
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            },
        ))
    }
}

/// Whether `program` can be found on PATH.
pub fn on_path(program: &str) -> bool {
    find_on_path(program).is_some()
}

/// The full path of `program` on PATH, if any.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The last `lines` lines of `text`, for error messages.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
