//! Shared fixtures: OpenPGP keys made by gpg (once per test run), small .debs and
//! signed .rpms built with crateship-linux, a loopback HTTP server, and helpers to
//! run the verifiers.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crateship_linux::{Arch, LinuxPackage, PackageFile, deb_file_name, rpm_file_name, sign_rpm};
use crateship_sign::PgpKey;
use tempfile::TempDir;

/// 2024-05-01 12:00:00 UTC.
pub const SDE: i64 = 1_714_564_800;
pub const PASSPHRASE: &str = "repo-Passphrase-8817";

/// Runs `cmd`; `(success, stdout + stderr)`.
pub fn run(cmd: &mut Command) -> (bool, String) {
    let out: Output = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?}: {e}; install it (see tests/repos/main.rs)")
    });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Runs `cmd` and panics with its output unless it succeeds.
pub fn run_ok(cmd: &mut Command) -> String {
    let (ok, text) = run(cmd);
    assert!(ok, "{cmd:?} failed:\n{text}");
    text
}

/// A test OpenPGP key: the secret as crateship loads it, the public key as gpg exports it.
pub struct TestKey {
    pub key: PgpKey,
    /// `gpg --export` (binary), to compare with what we write.
    pub public_binary: Vec<u8>,
}

/// Two Ed25519 keys made by gpg: the release key and a stranger's.
pub fn keys() -> &'static (TestKey, TestKey) {
    static KEYS: OnceLock<(TestKey, TestKey)> = OnceLock::new();
    KEYS.get_or_init(|| (make_key("release"), make_key("stranger")))
}

fn make_key(who: &str) -> TestKey {
    let home = tempfile::Builder::new()
        .prefix("gpg")
        .tempdir_in("/tmp")
        .unwrap();
    let mut perms = fs::metadata(home.path()).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o700);
    fs::set_permissions(home.path(), perms).unwrap();
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args([
                "--batch",
                "--no-tty",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                PASSPHRASE,
            ])
            .args(args)
            .output()
            .expect("install gpg (Debian: gnupg)");
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let uid = format!("crateship {who} <{who}@example.org>");
    gpg(&["--quick-gen-key", &uid, "ed25519", "sign", "never"]);
    let secret = String::from_utf8(gpg(&["--armor", "--export-secret-keys", &uid])).unwrap();
    let public_binary = gpg(&["--export", &uid]);
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", home.path())
        .args(["--kill", "all"])
        .output();
    TestKey {
        key: PgpKey::from_armored(&secret, PASSPHRASE).unwrap(),
        public_binary,
    }
}

/// The sample package `name` at `version`; `hello` needs `hello-data` of at least 1.0.
pub fn package(name: &str, version: &str) -> LinuxPackage {
    let mut pkg = LinuxPackage::new(
        name,
        version,
        "Says hello from a repository",
        "Jane Doe <jane@example.org>",
        Arch::X86_64,
    );
    pkg.description = "A tiny test package.\n\nIt prints its version & <name>.".into();
    pkg.license = Some("MIT".into());
    pkg.homepage = Some("https://example.org/hello".into());
    pkg.vendor = Some("Example".into());
    pkg.rpm_auto_requires = false;
    pkg.source_date_epoch = SDE;
    if name == "hello" {
        pkg.files = vec![
            PackageFile::from_bytes(
                format!("#!/bin/sh\necho hello {version}\n").into_bytes(),
                "usr/bin/hello",
                0o755,
            ),
            PackageFile::from_bytes(b"greeting=hi\n".to_vec(), "etc/hello.conf", 0o644),
        ];
        pkg.conffiles = vec!["etc/hello.conf".into()];
        pkg.deb_depends = vec!["hello-data (>= 1.0)".into()];
        pkg.rpm_requires = vec!["hello-data >= 1.0".into()];
    } else {
        pkg.files = vec![PackageFile::from_bytes(
            format!("data {version}\n").into_bytes(),
            format!("usr/share/{name}/data.txt"),
            0o644,
        )];
    }
    pkg
}

/// Writes the .deb of `package(name, version)` into `dir`.
pub fn deb(dir: &Path, name: &str, version: &str) -> PathBuf {
    let pkg = package(name, version);
    let path = dir.join(deb_file_name(&pkg.name, &pkg.version, pkg.arch));
    crateship_linux::write_deb(&pkg, fs::File::create(&path).unwrap()).unwrap();
    path
}

/// Writes the .rpm of `package(name, version)` into `dir`, signed with `key`.
pub fn rpm(dir: &Path, name: &str, version: &str, key: &PgpKey) -> PathBuf {
    let pkg = package(name, version);
    let unsigned = dir.join(format!(
        "unsigned-{}",
        rpm_file_name(&pkg.name, &pkg.version, pkg.arch)
    ));
    crateship_linux::write_rpm(&pkg, fs::File::create(&unsigned).unwrap()).unwrap();
    let path = dir.join(rpm_file_name(&pkg.name, &pkg.version, pkg.arch));
    let sign = |header: &[u8], t: u32| key.sign_binary(header, Some(t)).map_err(|e| e.to_string());
    sign_rpm(&unsigned, &path, SDE as u32, sign).unwrap();
    fs::remove_file(unsigned).unwrap();
    path
}

pub use crateship_testkit::http::Server;

/// Every file below `dir` with its bytes, by relative path.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    crateship_support::walk::files_below(dir)
        .unwrap()
        .into_iter()
        .map(|e| (e.rel, fs::read(&e.path).unwrap()))
        .collect()
}

/// Copies the tree `from` to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in tree(from) {
        let path = to.join(&rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

/// A fresh temporary directory.
pub fn tempdir() -> TempDir {
    tempfile::tempdir().unwrap()
}
