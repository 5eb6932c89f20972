//! No child process sees a signing secret: the variables the configuration names
//! for keys and passwords are removed from the environment of cargo (and so of
//! every build script), git and dpkg. Shims on PATH record each program's
//! environment; a real build's `build.rs` fails the build if it sees one.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::signing::*;
use crate::support::*;

const PGP_PASSPHRASE: &str = "a passphrase nobody else may see 7";
const MINISIGN_KEY_MARKER: &str = "untrusted comment: test key";

/// The path of the installed `program` (what a shim in front of it runs).
fn real_program(program: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .unwrap();
    let real = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(!real.is_empty(), "{program} is not installed");
    real
}

/// Shims for `programs` in `dir/shims` that append their environment to
/// `dir/log/PROGRAM` and run the real program; returns the shim dir.
fn shims(dir: &Path, programs: &[&str]) -> PathBuf {
    let shim_dir = dir.join("shims");
    let log_dir = dir.join("log");
    std::fs::create_dir_all(&shim_dir).unwrap();
    std::fs::create_dir_all(&log_dir).unwrap();
    for program in programs {
        let real = real_program(program);
        let shim = shim_dir.join(program);
        std::fs::write(
            &shim,
            format!(
                "#!/bin/sh\nenv >> '{}'\necho ---- >> '{}'\nexec '{real}' \"$@\"\n",
                log_dir.join(program).display(),
                log_dir.join(program).display()
            ),
        )
        .unwrap();
        let exec = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755);
        std::fs::set_permissions(&shim, exec).unwrap();
    }
    shim_dir
}

/// A project whose signing config names three secret variables, with the
/// secrets' values.
fn signing_project(dir: &Path) -> (PathBuf, Vec<(&'static str, String)>) {
    let project = dir.join("p");
    let config = "identifier = \"org.example.tiny\"\n[package.metadata.crateship.signing]\n\
                  windows-pfx = \"cert.pfx\"\nwindows-password-env = \"TINY_PFX_PASSWORD\"\n\
                  pgp-key-env = \"TINY_PGP_KEY\"\npgp-passphrase-env = \"TINY_PGP_PASSPHRASE\"\n\
                  minisign-key-env = \"TINY_MINISIGN_KEY\"";
    let manifest = tiny_project(&project, "tiny", config);
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    pki(&project);
    let (secret, _) = pgp_keypair(&dir.join("gnupg"), "ed25519");
    minisign_keypair(dir);
    let minisign = std::fs::read_to_string(dir.join("minisign.key")).unwrap();
    assert!(minisign.contains(MINISIGN_KEY_MARKER));
    let secrets = vec![
        ("TINY_PFX_PASSWORD", PASSWORD.to_owned()),
        ("TINY_PGP_KEY", secret),
        ("TINY_PGP_PASSPHRASE", PGP_PASSPHRASE.to_owned()),
        ("TINY_MINISIGN_KEY", minisign),
    ];
    (manifest, secrets)
}

/// The parts of each secret a leak would show: the value's first line with
/// real content (for multi-line keys) and the variable's name.
fn needles(secrets: &[(&str, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, value) in secrets {
        out.push(format!("{name}="));
        let line = value
            .lines()
            .find(|l| l.len() > 20 && !l.starts_with("-----") && !l.starts_with("untrusted"))
            .unwrap_or(value);
        out.push(line.to_owned());
    }
    out
}

#[test]
fn cargo_git_and_dpkg_never_see_a_signing_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let (manifest, secrets) = signing_project(tmp.path());
    let project = manifest.parent().unwrap();
    for args in [
        &["init", "-q"][..],
        &["add", "."],
        &[
            "-c",
            "user.email=t@example.org",
            "-c",
            "user.name=T",
            "commit",
            "-qm",
            "x",
        ],
    ] {
        verify("git", args, project);
    }
    let shim_dir = shims(tmp.path(), &["cargo", "git", "dpkg"]);
    let bins = binary_dir(tmp.path(), "tiny");
    let out_dir = tmp.path().join("out");
    let mut cmd = dist_prebuilt(&manifest, &bins, &out_dir);
    cmd.args([
        "--target",
        "x86_64-unknown-linux-gnu",
        "--format",
        "deb",
        "--format",
        "tar.gz",
    ])
    .env(
        "PATH",
        format!("{}:{}", shim_dir.display(), std::env::var("PATH").unwrap()),
    );
    for (name, value) in &secrets {
        cmd.env(name, value);
    }
    let out = run(&mut cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    for program in ["cargo", "git", "dpkg"] {
        let log = std::fs::read_to_string(tmp.path().join("log").join(program))
            .unwrap_or_else(|_| panic!("{program} was never run, so the test shows nothing"));
        for needle in needles(&secrets) {
            assert!(
                !log.contains(&needle),
                "{program} saw a secret ({}…)",
                &needle[..needle.len().min(12)]
            );
        }
        // The shim really records the environment (PATH is always there).
        assert!(
            log.contains("PATH="),
            "{program}'s log records no environment"
        );
    }
}

#[test]
fn a_build_script_cannot_see_a_signing_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let (manifest, secrets) = signing_project(tmp.path());
    let project = manifest.parent().unwrap();
    let names: Vec<&str> = secrets.iter().map(|(n, _)| *n).collect();
    std::fs::write(
        project.join("build.rs"),
        format!(
            "fn main() {{\n    for name in {names:?} {{\n        if std::env::var_os(name).is_some() {{\n            panic!(\"build.rs sees the secret variable {{name}}\");\n        }}\n    }}\n}}\n"
        ),
    )
    .unwrap();
    let out_dir = tmp.path().join("out");
    let mut cmd = crateship();
    cmd.args([
        "dist",
        "--target",
        "x86_64-unknown-linux-gnu",
        "--format",
        "tar.gz",
    ])
    .arg("--manifest-path")
    .arg(&manifest)
    .arg("--out-dir")
    .arg(&out_dir);
    for (name, value) in &secrets {
        cmd.env(name, value);
    }
    let out = run(&mut cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        out_dir
            .join("tiny-0.4.2-x86_64-unknown-linux-gnu.tar.gz")
            .is_file(),
        "{:?}",
        list(&out_dir)
    );
    // The same build with a secret set outside the config's names is seen: the
    // build script's check works.
    let mut control = Command::new("cargo");
    control
        .args(["build", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .env("TINY_PFX_PASSWORD", "visible");
    let seen = run(&mut control);
    assert!(
        !seen.status.success() && stderr(&seen).contains("sees the secret variable"),
        "{}",
        stderr(&seen)
    );
}

#[test]
fn osslsigncode_reads_the_pfx_password_from_memory_and_no_file_holds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let config = "identifier = \"org.example.tiny\"\n[package.metadata.crateship.signing]\n\
                  windows-backend = \"osslsigncode\"\nwindows-pfx = \"cert.pfx\"\n\
                  windows-password-env = \"TINY_PFX_PASSWORD\"";
    let manifest = tiny_project(&project, "tiny", config);
    pki(&project);
    let bins = binary_dir(tmp.path(), "tiny.exe");
    let temp = tmp.path().join("tmpdir");
    std::fs::create_dir_all(&temp).unwrap();
    // The shim records where -readpass points, whether the password can be read
    // there, and any file under TMPDIR or the out dir holding the password while
    // the tool runs; then it runs the real osslsigncode.
    let shim_dir = tmp.path().join("shims");
    std::fs::create_dir_all(&shim_dir).unwrap();
    let log = tmp.path().join("osslsigncode.log");
    let out_dir = tmp.path().join("out");
    let real = real_program("osslsigncode");
    let shim = shim_dir.join("osslsigncode");
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\nlog='{log}'\nprev=\nfor a in \"$@\"; do\n  if [ \"$prev\" = -readpass ]; then\n    \
             echo \"readpass $a -> $(readlink \"$a\")\" >> \"$log\"\n    \
             [ \"$(cat \"$a\")\" = '{PASSWORD}' ] && echo readable >> \"$log\"\n  fi\n  prev=\"$a\"\ndone\n\
             grep -rlF '{PASSWORD}' \"$TMPDIR\" '{out}' >> \"$log\" 2>/dev/null\necho ran >> \"$log\"\n\
             exec '{real}' \"$@\"\n",
            log = log.display(),
            out = out_dir.display(),
        ),
    )
    .unwrap();
    let exec = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755);
    std::fs::set_permissions(&shim, exec).unwrap();

    let mut cmd = dist_prebuilt(&manifest, &bins, &out_dir);
    cmd.args(["--target", "x86_64-pc-windows-gnu", "--format", "msi"])
        .env("TINY_PFX_PASSWORD", PASSWORD)
        .env("TMPDIR", &temp)
        .env(
            "PATH",
            format!("{}:{}", shim_dir.display(), std::env::var("PATH").unwrap()),
        );
    let out = run(&mut cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    let log = std::fs::read_to_string(&log).expect("osslsigncode was never run");
    let lines: Vec<&str> = log.lines().collect();
    let readpass = lines
        .iter()
        .find(|l| l.starts_with("readpass "))
        .unwrap_or_else(|| panic!("no -readpass argument: {log}"));
    assert!(
        readpass.starts_with("readpass /proc/") && readpass.contains("memfd:"),
        "the password is not in an in-memory file: {readpass}"
    );
    assert!(
        lines.contains(&"readable"),
        "osslsigncode could not read it: {log}"
    );
    // Every invocation ran; none found a file holding the password.
    let found: Vec<&&str> = lines
        .iter()
        .filter(|l| !l.starts_with("readpass ") && **l != "readable" && **l != "ran")
        .collect();
    assert!(found.is_empty(), "files holding the password: {found:?}");
    assert!(lines.contains(&"ran"));
    assert_authenticode_verified(&project.join("cert.pem"), "tiny-0.4.2-x64.msi", &out_dir);
}
