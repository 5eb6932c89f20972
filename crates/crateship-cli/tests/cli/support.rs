//! Helpers shared by the CLI tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crateship binary under test.
pub fn crateship() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crateship"));
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("CI", "1");
    cmd
}

/// Runs a command; panics with its output if it could not start.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Runs a verifier that must succeed and returns its stdout.
pub fn verify(program: &str, args: &[&str], dir: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("verifier `{program}` is not installed ({e}); `cargo xtask test` installs it")
        });
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// Lossy stdout.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Lossy stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A minimal Cargo project `name` in `dir` with `config` as its crateship table.
pub fn tiny_project(dir: &Path, name: &str, config: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(dir.join("README.md"), "# tiny\n").unwrap();
    std::fs::write(dir.join("LICENSE"), "MIT\n").unwrap();
    let manifest = dir.join("Cargo.toml");
    std::fs::write(
        &manifest,
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.4.2\"\nedition = \"2021\"\nlicense = \"MIT\"\n\
             description = \"tiny\"\n\n[workspace]\n\n[package.metadata.crateship]\n{config}\n"
        ),
    )
    .unwrap();
    manifest
}

/// A binary dir holding a copy of a real host executable named `name`.
pub fn binary_dir(dir: &Path, file_name: &str) -> PathBuf {
    let bins = dir.join("bins");
    std::fs::create_dir_all(&bins).unwrap();
    std::fs::copy("/bin/true", bins.join(file_name)).unwrap();
    bins
}

/// Names of the entries of `dir`, sorted.
pub fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `crateship dist --no-build` packaging the binaries in `bins` for `manifest` into `out_dir`.
pub fn dist_prebuilt(manifest: &Path, bins: &Path, out_dir: &Path) -> Command {
    let mut cmd = crateship();
    cmd.args(["dist", "--no-build", "--binary-dir"])
        .arg(bins)
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--out-dir")
        .arg(out_dir);
    cmd
}
