//! `crateship check`, the release gate: a clean release passes with every check
//! listed, each planted fault fails with its check id (exit 1), a warning-only
//! fault passes unless `--strict`, the JUnit XML is read by PyPI `junitparser`,
//! bad input is a usage error (exit 2), and check never changes the dist dir.

use std::path::Path;

use crate::support::signing::minisign_keypair;
use crate::support::{binary_dir, crateship, run, stderr, stdout, tiny_project, verify};

/// A release of the tiny project at `version` in `out` (signed with minisign if `signed`).
fn release(tmp: &Path, version: &str, out: &Path, signed: bool) {
    let signing = if signed {
        "[package.metadata.crateship.signing]\nminisign-key-env = \"TINY_MINISIGN_KEY\"\n"
    } else {
        ""
    };
    let dir = tmp.join(format!("p-{version}"));
    let manifest = tiny_project(
        &dir,
        "tiny",
        &format!("identifier = \"org.example.tiny\"\n{signing}"),
    );
    let toml = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("version = \"0.4.2\"", &format!("version = \"{version}\""))
        .replace(
            "license = \"MIT\"",
            "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
        );
    std::fs::write(&manifest, toml).unwrap();
    let bins = binary_dir(tmp, "tiny");
    if !tmp.join("minisign.key").exists() {
        minisign_keypair(tmp);
    }
    let key = std::fs::read_to_string(tmp.join("minisign.key")).unwrap();
    let mut cmd = crateship();
    cmd.args(["dist", "--no-build", "--binary-dir"])
        .arg(&bins)
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--out-dir")
        .arg(out)
        .args(["--target", "x86_64-unknown-linux-gnu"])
        .args(["--format", "tar.gz", "--format", "deb"])
        .env("TINY_MINISIGN_KEY", key)
        .env("SOURCE_DATE_EPOCH", "1700000000");
    let done = run(&mut cmd);
    assert!(done.status.success(), "dist: {}", stderr(&done));
}

/// `crateship check DIR extra…` → (exit code, the JSON report or null, stderr).
fn check(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let out = run(crateship().arg("check").arg(dir).arg("--json").args(extra));
    let report = serde_json::from_str(&stdout(&out)).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), report, stderr(&out))
}

/// The ids of the failed checks.
fn failed(report: &serde_json::Value) -> Vec<String> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false)
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Every file of `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn artifact(dir: &Path, suffix: &str) -> std::path::PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .unwrap()
}

#[test]
fn a_clean_release_passes_and_every_planted_fault_fails_by_id() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good");
    release(tmp.path(), "0.4.2", &good, true);
    let before = snapshot(&good);

    // Clean: exit 0, every check listed, JUnit read by junitparser.
    let junit = tmp.path().join("check.xml");
    let (code, report, err) = check(&good, &["--junit", junit.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}\n{report:#}");
    let ids: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "integrity.manifest",
        "integrity.sha256sums",
        "content.host-path",
        "signature.sha256sums",
    ] {
        assert!(ids.contains(&id), "{id} not run: {ids:?}");
    }
    let parsed = verify(
        "python3",
        &[
            "-c",
            "import sys, junitparser\nx = junitparser.JUnitXml.fromfile(sys.argv[1])\n\
             cases = [c for s in x for c in s]\nprint(len(cases), sum(1 for c in cases if not c.is_passed))",
            junit.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(parsed.trim(), format!("{} 0", ids.len()));
    let table = run(crateship().arg("check").arg(&good));
    assert!(
        stdout(&table).contains("fit to publish"),
        "{}",
        stdout(&table)
    );
    assert_eq!(snapshot(&good), before, "check changed the dist dir");

    // Planted faults, each in a copy.
    let plant = |name: &str, fault: &dyn Fn(&Path)| {
        let dir = tmp.path().join(name);
        copy_dir(&good, &dir);
        fault(&dir);
        dir
    };
    let altered = plant("altered", &|d| {
        let deb = artifact(d, ".deb");
        let mut bytes = std::fs::read(&deb).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(deb, bytes).unwrap();
    });
    let truncated = plant("truncated", &|d| {
        let tar = artifact(d, ".tar.gz");
        let bytes = std::fs::read(&tar).unwrap();
        std::fs::write(tar, &bytes[..bytes.len() / 2]).unwrap();
    });
    let extra = plant("extra", &|d| {
        std::fs::write(d.join("notes.txt"), "hi\n").unwrap()
    });
    // A tool that wrote a host path into an artifact, and listed it consistently.
    let host_path = plant("host-path", &|d| {
        let tar = artifact(d, ".tar.gz");
        let mut bytes = std::fs::read(&tar).unwrap();
        bytes.extend_from_slice(b"/root/.cargo/registry/src/leak.rs\0");
        std::fs::write(&tar, &bytes).unwrap();
        let name = tar.file_name().unwrap().to_string_lossy().into_owned();
        let sha = verify("sha256sum", &[&name], d);
        let sha = sha.split(' ').next().unwrap();
        let sums = std::fs::read_to_string(d.join("SHA256SUMS")).unwrap();
        let sums: String = sums
            .lines()
            .map(|l| {
                if l.ends_with(&name) {
                    format!("{sha}  {name}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(d.join("SHA256SUMS"), sums).unwrap();
        std::fs::remove_file(d.join("SHA256SUMS.minisig")).unwrap();
        let path = d.join("dist-manifest.json");
        let mut manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for a in manifest["artifacts"].as_array_mut().unwrap() {
            if a["path"] == name.as_str() {
                a["sha256"] = sha.into();
                a["size"] = bytes.len().into();
            }
        }
        std::fs::write(path, manifest.to_string()).unwrap();
    });
    for (dir, expected) in [
        (&altered, "integrity.manifest"),
        (&altered, "integrity.sha256sums"),
        (&truncated, "integrity.manifest"),
        (&extra, "integrity.unknown-file"),
        (&host_path, "content.host-path"),
    ] {
        let (code, report, err) = check(dir, &[]);
        assert_eq!(code, 1, "{expected}: {err}");
        assert!(
            failed(&report).contains(&expected.to_owned()),
            "{expected}: {report:#}"
        );
    }
    let (_, report, _) = check(&host_path, &[]);
    assert!(
        !failed(&report).iter().any(|id| id.starts_with("integrity")),
        "{report:#}"
    );

    // A warning-only fault: an unsigned release passes, but not with --strict.
    let unsigned = tmp.path().join("unsigned");
    release(tmp.path(), "0.4.2", &unsigned, false);
    let (code, report, _) = check(&unsigned, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(failed(&report), ["signature.sha256sums"]);
    assert_eq!(check(&unsigned, &["--strict"]).0, 1);

    // Against the previous release: the version must go up.
    let next = tmp.path().join("next");
    release(tmp.path(), "0.4.3", &next, true);
    let (code, report, err) = check(&next, &["--previous", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}\n{report:#}");
    let (code, report, _) = check(&good, &["--previous", next.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(failed(&report).contains(&"consistency.version-increases".to_owned()));
}

#[test]
fn check_refuses_what_is_not_a_crateship_release_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let other = tmp.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("dist-manifest.json"),
        "{\"dist_version\": \"0.28\"}",
    )
    .unwrap();
    for (dir, expected) in [
        (&empty, "not a crateship dist dir"),
        (&other, "not a crateship manifest"),
    ] {
        let (code, _, err) = check(dir, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(expected), "{err}");
    }
    let good = tmp.path().join("good");
    release(tmp.path(), "0.4.2", &good, true);
    let (code, _, err) = check(&good, &["--previous", good.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("same release"), "{err}");
}

#[test]
fn dist_check_runs_the_gate_on_the_written_release() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = crate::support::tiny_project(
        &tmp.path().join("p"),
        "tiny",
        "resources = [\"notes.txt\"]\n",
    );
    std::fs::write(tmp.path().join("p/notes.txt"), "Build notes.\n").unwrap();
    let bins = crate::support::binary_dir(tmp.path(), "tiny");
    let out_dir = tmp.path().join("out");
    let out = crate::support::run(
        crate::support::dist_prebuilt(&manifest, &bins, &out_dir).args([
            "--target",
            "x86_64-unknown-linux-gnu",
            "--check",
        ]),
    );
    let printed = crate::support::stdout(&out);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    assert!(printed.contains("fit to publish"), "{printed}");
    assert!(printed.contains("integrity.sha256sums"), "{printed}");

    // A host path in a shipped file blocks the gate; the release stays written.
    std::fs::write(tmp.path().join("p/notes.txt"), "Built in /home/dev/tiny.\n").unwrap();
    let out = crate::support::run(
        crate::support::dist_prebuilt(&manifest, &bins, &out_dir).args([
            "--target",
            "x86_64-unknown-linux-gnu",
            "--check",
            "--json",
        ]),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        crate::support::stderr(&out)
    );
    assert!(
        crate::support::stderr(&out).contains("found blocking problems"),
        "{}",
        crate::support::stderr(&out)
    );
    let doc: serde_json::Value = serde_json::from_str(&crate::support::stdout(&out)).unwrap();
    let failed: Vec<&str> = doc["check"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false && r["level"] == "blocking")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["content.host-path"], "{doc}");
    crate::support::verify("sha256sum", &["-c", "SHA256SUMS"], &out_dir);
}
