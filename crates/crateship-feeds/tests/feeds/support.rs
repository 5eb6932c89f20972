//! Helpers: running the independent tools, and a loopback HTTP/1.1 file server with
//! byte ranges (single and multipart, as the zsync client asks for them) that counts
//! the body bytes it serves per file.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `program` with `args` in `dir`; panics with the package to install if it
/// cannot start.
pub fn run_in(dir: &Path, program: &str, args: &[&dyn AsRef<OsStr>]) -> Output {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir);
    for arg in args {
        cmd.arg(arg);
    }
    cmd.output().unwrap_or_else(|e| {
        panic!("cannot run `{program}` ({e}); install it (Debian: zsync, minisign, libxml2-utils; PyPI: pynacl)")
    })
}

/// Runs a program that must succeed; returns stdout + stderr.
pub fn run_ok(dir: &Path, program: &str, args: &[&dyn AsRef<OsStr>]) -> String {
    let out = run_in(dir, program, args);
    assert!(out.status.success(), "`{program}` failed: {}", text(&out));
    text(&out)
}

/// stdout + stderr as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs a Python script (`python3 -c`) that must succeed; returns its stdout.
pub fn python(script: &str, args: &[&dyn AsRef<OsStr>]) -> String {
    let mut all: Vec<&dyn AsRef<OsStr>> = vec![&"-c", &script];
    all.extend_from_slice(args);
    let out = run_in(Path::new("."), "python3", &all);
    assert!(
        out.status.success(),
        "python failed (is PyPI pynacl installed?): {}",
        text(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Deterministic pseudo-random bytes (xorshift), so fixtures are made at test time.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

pub use crateship_testkit::http::Server;
