//! Integration tests: every archive is read back by tools we did not write (GNU
//! tar and gzip, libarchive's bsdtar, Info-ZIP's unzip and zipinfo). Needs:
//! `apt-get install -y tar gzip libarchive-tools unzip`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure
// Tests spawn the independent verifiers; the library itself never does.
#![allow(clippy::disallowed_methods)]

mod errors;
mod golden;
mod tar_gz;
mod zip;

use std::path::{Path, PathBuf};
use std::process::Command;

/// 2023-11-14T22:13:20Z.
pub const MTIME: i64 = 1_700_000_000;

/// Runs `program args` in `dir` and returns its stdout; panics with its output
/// (or with how to install it) unless it succeeds.
pub fn verify(program: &str, args: &[&str], dir: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{program}`: {e}; install it with \
                 `apt-get install -y tar gzip libarchive-tools unzip`"
            )
        });
    assert!(
        out.status.success(),
        "{program} {args:?} failed ({})\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// `len` bytes that deflate shrinks a lot.
pub fn text(len: usize) -> Vec<u8> {
    b"the quick brown fox jumps over the lazy dog; "
        .iter()
        .cycle()
        .take(len)
        .copied()
        .collect()
}

/// `len` bytes of noise that deflate cannot shrink.
pub fn noise(len: usize, mut seed: u32) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 24) as u8
        })
        .collect()
}

/// Writes `bytes` at `dir/rel` (parents created) with `mode`.
pub fn put(dir: &Path, rel: &str, bytes: &[u8], mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// A release-like tree: an executable, a non-ASCII name, an empty file, a file
/// larger than a deflate chunk, incompressible data, nested directories.
pub fn sample_tree(dir: &Path) {
    put(dir, "app", &text(70_000), 0o755);
    put(dir, "README.md", b"# hello\n", 0o644);
    put(dir, "empty", b"", 0o644);
    put(dir, "h\u{e9}llo w\u{f6}rld.txt", &text(321), 0o644);
    put(dir, "share/data/large.txt", &text(600_000), 0o644);
    put(dir, "share/data/noise.bin", &noise(40_000, 3), 0o644);
    put(dir, "share/data/noise-large.bin", &noise(700_000, 5), 0o644);
    put(dir, "share/tools/helper", &text(10), 0o700);
}

/// Every file below `dir`, by `/`-separated relative path, with its bytes.
pub fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    crateship_support::walk::files_below(dir)
        .unwrap()
        .into_iter()
        .map(|e| {
            let bytes = std::fs::read(&e.path).unwrap();
            (e.rel, bytes)
        })
        .collect()
}

/// The names in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
