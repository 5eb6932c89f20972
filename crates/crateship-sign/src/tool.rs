//! The one place where crateship-sign starts a process: the optional external
//! Authenticode backends (osslsigncode, signtool, a custom command). Programs are
//! resolved on PATH explicitly (a missing one is a clear error, never a silent
//! fallback), run with an argv (never a shell), stdin closed, output captured.
//! Arguments never carry a secret; secrets reach a tool through a 0600 file or the
//! inherited environment, and any secret is redacted from the tool's output before it
//! goes into an error.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::SignError;

/// Finds `program` on PATH (or checks it, if it names a path). On Windows `.exe` is
/// tried too.
pub(crate) fn find(program: &str) -> Option<PathBuf> {
    let is_file = |p: &Path| p.is_file();
    if program.contains('/') || program.contains('\\') {
        let p = PathBuf::from(program);
        return is_file(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [program.to_owned(), format!("{program}.exe")] {
            let candidate = dir.join(&name);
            if is_file(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// Resolves `program` on PATH or fails with `hint`.
pub(crate) fn require(program: &str, hint: &str) -> Result<PathBuf, SignError> {
    find(program).ok_or_else(|| SignError::ToolMissing {
        tool: program.to_owned(),
        hint: hint.to_owned(),
    })
}

/// Runs `program` with `args`; `Err` carries the tail of its output with every string
/// of `redact` replaced by `<redacted>`.
pub(crate) fn run(program: &Path, args: &[OsString], redact: &[&str]) -> Result<(), String> {
    // DESIGN §3: crateship-sign owns the external signing backends; this funnel is the
    // only spawn site of the crate (argv only, no shell, output captured).
    #[allow(clippy::disallowed_methods)]
    let mut command = std::process::Command::new(program);
    let output = command
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start `{}`: {e}", program.display()))?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for secret in redact.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret, "<redacted>");
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(12)..].join(" | ");
    Err(format!("exited with {} ({tail})", output.status))
}
