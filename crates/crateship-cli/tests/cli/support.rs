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

/// A binary dir holding `file_name`: a tiny Windows exe for a `.exe` name, else
/// a copy of a real host executable (a glibc-linked x86-64 program).
pub fn binary_dir(dir: &Path, file_name: &str) -> PathBuf {
    let bins = dir.join("bins");
    std::fs::create_dir_all(&bins).unwrap();
    if file_name.ends_with(".exe") {
        signing::windows_exe(&bins.join(file_name));
    } else {
        std::fs::copy("/bin/true", bins.join(file_name)).unwrap();
    }
    bins
}

/// A binary dir holding `name` (a static x86-64 Linux program, accepted by the
/// gnu and musl targets) and `name.exe` (a Windows program).
pub fn binary_dir_for_all(dir: &Path, name: &str) -> PathBuf {
    let bins = binary_dir(dir, &format!("{name}.exe"));
    static_linux_binary(&bins.join(name));
    bins
}

/// A static x86-64 Linux program at `path` (musl, so it runs on any Linux and
/// is accepted for both the gnu and the musl targets).
pub fn static_linux_binary(path: &Path) {
    compile_c(TRIVIAL_C, "x86_64-linux-musl", path, &["-static"]);
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

/// A C program that does nothing, for test binaries.
pub const TRIVIAL_C: &str = "int main(void) { return 0; }\n";

/// Compiles the C `source` for zig's `target` into `out` (with `extra` flags).
pub fn compile_c(source: &str, target: &str, out: &Path, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("main.c");
    std::fs::write(&c, source).unwrap();
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let mut args = vec![
        "-m",
        "ziglang",
        "cc",
        "-target",
        target,
        "-o",
        out.to_str().unwrap(),
    ];
    args.push(c.to_str().unwrap());
    args.extend_from_slice(extra);
    verify("python3", &args, dir.path());
}

/// Signing fixtures shared by the signing tests: a throw-away Authenticode
/// certificate, OpenPGP and minisign keys, and the verifiers' wrappers.
pub mod signing {
    use super::{run, stderr, stdout, verify};
    use std::path::Path;

    /// The password of the test `.pfx`.
    pub const PASSWORD: &str = "correct horse battery staple 42";

    /// `key.pem`, `cert.pem` (a self-signed code-signing certificate) and
    /// `cert.pfx` (both, under [`PASSWORD`]) in `dir`.
    pub fn pki(dir: &Path) {
        verify(
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:3072",
                "-nodes",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
                "-days",
                "3",
                "-subj",
                "/CN=Crateship Test Signer",
                "-addext",
                "extendedKeyUsage=codeSigning",
                "-addext",
                "keyUsage=digitalSignature",
            ],
            dir,
        );
        let pass = format!("pass:{PASSWORD}");
        verify(
            "openssl",
            &[
                "pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", "cert.pfx",
                "-passout", &pass,
            ],
            dir,
        );
    }

    /// Runs gpg with its home in `home`, non-interactively.
    pub fn gpg(home: &Path, args: &[&str]) -> String {
        let mut all = vec![
            "--homedir",
            home.to_str().unwrap(),
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
        ];
        all.extend_from_slice(args);
        verify("gpg", &all, home)
    }

    /// A fresh OpenPGP key (`algo`: `ed25519` or `rsa3072`) for
    /// `tiny@example.org` in `home`; returns (armoured secret, armoured public).
    pub fn pgp_keypair(home: &Path, algo: &str) -> (String, String) {
        std::fs::create_dir_all(home).unwrap();
        let private = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o700);
        std::fs::set_permissions(home, private).unwrap();
        gpg(
            home,
            &[
                "--quick-gen-key",
                "Tiny Release <tiny@example.org>",
                algo,
                "sign",
                "never",
            ],
        );
        let secret = gpg(
            home,
            &["--armor", "--export-secret-keys", "tiny@example.org"],
        );
        let public = gpg(home, &["--armor", "--export", "tiny@example.org"]);
        (secret, public)
    }

    /// `rpmkeys -K` with a fresh database in `db`, after importing `public` if given.
    pub fn rpm_check(db: &Path, public: Option<&Path>, rpm: &Path) -> (bool, String) {
        std::fs::create_dir_all(db).unwrap();
        if let Some(public) = public {
            verify(
                "rpmkeys",
                &[
                    "--dbpath",
                    db.to_str().unwrap(),
                    "--import",
                    public.to_str().unwrap(),
                ],
                db,
            );
        }
        let out = run(std::process::Command::new("rpmkeys")
            .args(["--dbpath", db.to_str().unwrap(), "-K"])
            .arg(rpm));
        (
            out.status.success(),
            format!("{}{}", stdout(&out), stderr(&out)),
        )
    }

    /// An unencrypted minisign key pair (`minisign.key`, `minisign.pub`) in minisign's file
    /// format, made with Python's `cryptography` (Ed25519) and `hashlib` (BLAKE2b checksum).
    pub fn minisign_keypair(dir: &Path) {
        let script = r#"
import base64, hashlib, os
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives import serialization as s
k = ed25519.Ed25519PrivateKey.generate()
seed = k.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption())
pk = k.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
keynum = os.urandom(8)
chk = hashlib.blake2b(b"Ed" + keynum + seed + pk, digest_size=32).digest()
sec = b"Ed" + b"\0\0" + b"B2" + bytes(32 + 16) + keynum + seed + pk + chk
open("minisign.key", "w").write("untrusted comment: test key\n" + base64.b64encode(sec).decode() + "\n")
open("minisign.pub", "w").write("untrusted comment: test key\n" + base64.b64encode(b"Ed" + keynum + pk).decode() + "\n")
"#;
        verify("python3", &["-c", script], dir);
    }

    /// Asserts `osslsigncode verify` accepts the Authenticode signature of `file`
    /// (relative to `dir`) against the test CA `ca`.
    pub fn assert_authenticode_verified(ca: &Path, file: &str, dir: &Path) {
        let checked = verify(
            "osslsigncode",
            &["verify", "-CAfile", ca.to_str().unwrap(), "-in", file],
            dir,
        );
        assert!(checked.contains("Signature verification: ok"), "{checked}");
    }

    /// A tiny Windows console exe at `exe`, compiled with zig's C compiler.
    /// Stripped (`-s`), as a release build is: no CodeView record naming a PDB.
    pub fn windows_exe(exe: &Path) {
        super::compile_c(super::TRIVIAL_C, "x86_64-windows-gnu", exe, &["-s"]);
    }
}
