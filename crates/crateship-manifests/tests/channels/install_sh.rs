//! install.sh checked by `shellcheck -s sh` and run under `dash` and `bash` against a
//! loopback server holding a fake release: it installs the right build, refuses a
//! damaged archive or a bad signature without installing anything, picks musl when
//! the host glibc is too old and the aarch64 build on an aarch64 host, and leaves no
//! temporary directory behind.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use crateship_manifests::install_sh::install_sh;

use crate::support::{FakeRelease, Server, run_env, run_ok, text};

struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    served: PathBuf,
    _server: Server,
    fake: FakeRelease,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_owned();
    let served = root.join("release");
    let server = Server::start(&served);
    let fake = FakeRelease::new(&served, &server.base());
    Setup {
        _tmp: tmp,
        root,
        served,
        _server: server,
        fake,
    }
}

impl Setup {
    /// Writes install.sh, runs it with `shell` and shims (name, script) first on PATH.
    fn run(&self, shell: &str, shims: &[(&str, &str)], tag: &str) -> Run {
        let files = install_sh(&self.fake.release).unwrap();
        let script = self.root.join(format!("install-{tag}.sh"));
        fs::write(&script, &files[0].contents).unwrap();
        let shim_dir = self.root.join(format!("shims-{tag}"));
        fs::create_dir_all(&shim_dir).unwrap();
        for (name, body) in shims {
            let path = shim_dir.join(name);
            fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let prefix = self.root.join(format!("prefix-{tag}"));
        let tmpdir = self.root.join(format!("tmp-{tag}"));
        fs::create_dir_all(&tmpdir).unwrap();
        let path = format!("{}:{}", shim_dir.display(), std::env::var("PATH").unwrap());
        let env: [(&str, &dyn AsRef<OsStr>); 3] =
            [("PREFIX", &prefix), ("TMPDIR", &tmpdir), ("PATH", &path)];
        let output = run_env(&self.root, shell, &[&script], &env);
        let leftovers = fs::read_dir(&tmpdir).unwrap().count();
        Run {
            output,
            prefix,
            leftovers,
        }
    }
}

struct Run {
    output: Output,
    prefix: PathBuf,
    leftovers: usize,
}

impl Run {
    /// What the installed `hello` prints.
    fn hello(&self) -> String {
        assert!(
            self.output.status.success(),
            "install.sh failed: {}",
            text(&self.output)
        );
        assert_eq!(self.leftovers, 0, "install.sh left its temp dir");
        run_ok(
            Path::new("/"),
            &self.prefix.join("bin/hello").display().to_string(),
            &[],
        )
    }

    fn refused(&self) -> String {
        assert!(
            !self.output.status.success(),
            "install.sh accepted it: {}",
            text(&self.output)
        );
        assert!(
            !self.prefix.exists(),
            "install.sh installed something after refusing"
        );
        assert_eq!(
            self.leftovers, 0,
            "install.sh left its temp dir after failing"
        );
        text(&self.output)
    }
}

const OLD_GLIBC: (&str, &str) = ("ldd", "echo 'ldd (GNU libc) 2.17'");
const AARCH64: (&str, &str) = (
    "uname",
    "case \"$1\" in -m) echo aarch64 ;; -s) echo Linux ;; *) exec /usr/bin/uname \"$@\" ;; esac",
);

#[test]
fn shellcheck_finds_nothing_in_install_sh() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fake = FakeRelease::new(tmp.path(), "https://example.org/dl/v{version}");
    fake.release.minisign_public_key =
        Some("RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3".into());
    fake.release.openpgp_public_key = Some(
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ\n-----END PGP PUBLIC KEY BLOCK-----".into(),
    );
    let files = install_sh(&fake.release).unwrap();
    assert!(files[0].executable);
    let script = tmp.path().join("install.sh");
    fs::write(&script, &files[0].contents).unwrap();
    run_ok(
        tmp.path(),
        "shellcheck",
        &[&"-s", &"sh", &"-S", &"style", &script],
    );
    run_ok(tmp.path(), "dash", &[&"-n", &script]);
}

#[test]
fn install_sh_installs_the_x86_64_gnu_build_under_dash_and_bash() {
    let s = setup();
    for shell in ["dash", "bash"] {
        let run = s.run(shell, &[], shell);
        assert_eq!(
            run.hello(),
            "hello 1.2.3 x86_64-unknown-linux-gnu\n",
            "{shell}"
        );
        assert!(run.prefix.join("bin/hello-cli").exists());
        let log = text(&run.output);
        assert!(log.contains("SHA-256 matches SHA256SUMS"), "{log}");
        assert!(
            !log.contains('\x1b'),
            "install.sh printed escape codes: {log}"
        );
    }
}

#[test]
fn install_sh_refuses_an_archive_altered_by_one_byte() {
    let s = setup();
    let archive = s.served.join("hello-1.2.3-x86_64-unknown-linux-gnu.tar.gz");
    let mut bytes = fs::read(&archive).unwrap();
    bytes[100] ^= 0x20;
    fs::write(&archive, bytes).unwrap();
    for shell in ["dash", "bash"] {
        let log = s.run(shell, &[], shell).refused();
        assert!(
            log.contains("the download is damaged or was altered"),
            "{log}"
        );
    }
}

#[test]
fn install_sh_refuses_sha256sums_that_disagree_with_the_script() {
    let s = setup();
    let sums = s.served.join("SHA256SUMS");
    let text = fs::read_to_string(&sums).unwrap();
    let forged = text.replace(
        &s.fake
            .artifact("hello-1.2.3-x86_64-unknown-linux-gnu.tar.gz")
            .sha256,
        &"0".repeat(64),
    );
    fs::write(&sums, forged).unwrap();
    let log = s.run("dash", &[], "forged").refused();
    assert!(log.contains("but this script was made for"), "{log}");
}

#[test]
fn install_sh_picks_musl_when_the_host_glibc_is_older_than_the_floor() {
    let s = setup();
    for shell in ["dash", "bash"] {
        let run = s.run(shell, &[OLD_GLIBC], shell);
        assert_eq!(
            run.hello(),
            "hello 1.2.3 x86_64-unknown-linux-musl\n",
            "{shell}"
        );
        assert!(text(&run.output).contains("glibc 2.17, older than the 2.28"));
    }
}

#[test]
fn install_sh_picks_the_aarch64_build_on_an_aarch64_host() {
    let s = setup();
    for shell in ["dash", "bash"] {
        let run = s.run(shell, &[AARCH64], shell);
        assert_eq!(
            run.hello(),
            "hello 1.2.3 aarch64-unknown-linux-gnu\n",
            "{shell}"
        );
    }
    // No musl build for aarch64: an old glibc there is refused, naming the floor.
    let log = s
        .run("dash", &[AARCH64, OLD_GLIBC], "old-aarch64")
        .refused();
    assert!(
        log.contains("needs glibc 2.28 or newer and has no musl build"),
        "{log}"
    );
}

#[test]
fn install_sh_verifies_sha256sums_with_minisign() {
    let mut s = setup();
    let keys = s.root.join("keys");
    fs::create_dir_all(&keys).unwrap();
    run_ok(
        &keys,
        "minisign",
        &[&"-G", &"-W", &"-p", &"minisign.pub", &"-s", &"minisign.key"],
    );
    let public = fs::read_to_string(keys.join("minisign.pub")).unwrap();
    s.fake.release.minisign_public_key = Some(public);
    let sign = |file: &Path, sig: &Path| {
        run_ok(
            &keys,
            "minisign",
            &[&"-S", &"-s", &"minisign.key", &"-m", &file, &"-x", &sig],
        );
    };
    let sums = s.served.join("SHA256SUMS");
    let sig = s.served.join("SHA256SUMS.minisig");
    sign(&sums, &sig);
    let run = s.run("dash", &[], "signed");
    assert_eq!(run.hello(), "hello 1.2.3 x86_64-unknown-linux-gnu\n");
    assert!(text(&run.output).contains("minisign signature verified"));

    // A signature of other bytes is refused.
    let other = keys.join("other");
    fs::write(&other, "not SHA256SUMS\n").unwrap();
    sign(&other, &sig);
    let log = s.run("dash", &[], "badsig").refused();
    assert!(
        log.contains("does not match its minisign signature"),
        "{log}"
    );

    // A signed release whose signature is missing is refused.
    fs::remove_file(&sig).unwrap();
    let log = s.run("bash", &[], "nosig").refused();
    assert!(
        log.contains("SHA256SUMS.minisig cannot be downloaded"),
        "{log}"
    );
}

#[test]
fn install_sh_verifies_sha256sums_with_gpg() {
    let mut s = setup();
    let home = s.root.join("gnupg");
    fs::create_dir_all(&home).unwrap();
    fs::set_permissions(&home, fs::Permissions::from_mode(0o700)).unwrap();
    let gpg = |args: &[&dyn AsRef<OsStr>]| {
        let mut all: Vec<&dyn AsRef<OsStr>> = vec![&"--batch", &"--homedir", &home];
        all.extend_from_slice(args);
        run_ok(&s.root, "gpg", &all)
    };
    gpg(&[
        &"--passphrase",
        &"",
        &"--quick-gen-key",
        &"Release Key <release@example.org>",
        &"ed25519",
        &"sign",
        &"never",
    ]);
    let public = gpg(&[&"--armor", &"--export", &"release@example.org"]);
    let sums = s.served.join("SHA256SUMS");
    let asc = s.served.join("SHA256SUMS.asc");
    gpg(&[&"--armor", &"--detach-sign", &"--output", &asc, &sums]);
    s.fake.release.openpgp_public_key = Some(public);
    let run = s.run("dash", &[], "gpg");
    assert_eq!(run.hello(), "hello 1.2.3 x86_64-unknown-linux-gnu\n");
    assert!(text(&run.output).contains("OpenPGP signature verified"));

    let mut text_sums = fs::read_to_string(&sums).unwrap();
    text_sums.push_str(&format!("{}  extra-file\n", "1".repeat(64)));
    fs::write(&sums, text_sums).unwrap();
    let log = s.run("bash", &[], "gpg-bad").refused();
    // The agent key generation started for this home goes before the asserts can fail.
    run_ok(
        &s.root,
        "gpgconf",
        &[&"--homedir", &home, &"--kill", &"gpg-agent"],
    );
    assert!(
        log.contains("does not match its OpenPGP signature"),
        "{log}"
    );
}
