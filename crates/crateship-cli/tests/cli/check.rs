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
    // Run outside any project, so only what the manifest records applies.
    let out = run(crateship()
        .current_dir(dir.parent().unwrap())
        .arg("check")
        .arg(dir)
        .arg("--json")
        .args(extra));
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

/// A tiny project `tiny` at `version` in `dir` with a GPL path dependency,
/// targets Linux gnu and Windows, and `extra` config lines.
fn project(dir: &Path, version: &str, extra: &str) -> std::path::PathBuf {
    let manifest = tiny_project(
        dir,
        "tiny",
        &format!("identifier = \"org.example.tiny\"\n{extra}"),
    );
    let helper = dir.join("helper");
    std::fs::create_dir_all(helper.join("src")).unwrap();
    std::fs::write(helper.join("src/lib.rs"), "").unwrap();
    std::fs::write(
        helper.join("Cargo.toml"),
        "[package]\nname = \"tiny-helper\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"GPL-3.0-only\"\n",
    )
    .unwrap();
    let toml = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("version = \"0.4.2\"", &format!("version = \"{version}\""))
        .replace(
            "license = \"MIT\"",
            "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
        )
        .replace(
            "[workspace]",
            "[dependencies]\ntiny-helper = { path = \"helper\" }\n\n[workspace]",
        );
    std::fs::write(&manifest, toml).unwrap();
    verify(
        "cargo",
        &[
            "generate-lockfile",
            "--offline",
            "--manifest-path",
            manifest.to_str().unwrap(),
        ],
        dir,
    );
    manifest
}

/// `crateship dist --no-build` of `manifest` with `bins` for Linux gnu (tar.gz,
/// deb, rpm, AppImage) and Windows (zip, MSI) into `out`.
fn release_all(manifest: &Path, bins: &Path, out: &Path, env: &[(&str, &str)]) {
    let mut cmd = crate::support::dist_prebuilt(manifest, bins, out);
    cmd.args([
        "--target",
        "x86_64-unknown-linux-gnu",
        "--target",
        "x86_64-pc-windows-gnu",
    ])
    .env("SOURCE_DATE_EPOCH", "1700000000");
    for format in ["tar.gz", "deb", "rpm", "appimage", "zip", "msi"] {
        cmd.args(["--format", format]);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let done = run(&mut cmd);
    assert!(done.status.success(), "dist: {}", stderr(&done));
}

/// `crateship check DIR --manifest-path M extra…`.
fn check_in(dir: &Path, manifest: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["--manifest-path", manifest.to_str().unwrap()];
    args.extend_from_slice(extra);
    check(dir, &args)
}

/// The results with `id`, as `(artifact, passed, found)`.
fn results_of(report: &serde_json::Value, id: &str) -> Vec<(String, bool, String)> {
    report["results"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .filter(|r| r["id"] == id)
        .map(|r| {
            (
                r["artifact"].as_str().unwrap().to_owned(),
                r["passed"] == true,
                r["found"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Replaces the artifact ending in `suffix` with `bytes`, as a tool that also
/// rewrote `SHA256SUMS` and the manifest would (so integrity still passes).
fn replace_artifact(dir: &Path, suffix: &str, bytes: &[u8]) {
    let file = artifact(dir, suffix);
    std::fs::write(&file, bytes).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let sha = verify("sha256sum", &[&name], dir);
    let sha = sha.split(' ').next().unwrap();
    let sums: String = std::fs::read_to_string(dir.join("SHA256SUMS"))
        .unwrap()
        .lines()
        .map(|l| {
            if l.ends_with(&format!("  {name}")) {
                format!("{sha}  {name}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    let _ = std::fs::remove_file(dir.join("SHA256SUMS.minisig"));
    let path = dir.join("dist-manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for a in manifest["artifacts"].as_array_mut().unwrap() {
        if a["path"] == name.as_str() {
            a["sha256"] = sha.into();
            a["size"] = bytes.len().into();
        }
    }
    std::fs::write(path, manifest.to_string()).unwrap();
}

#[test]
fn check_opens_every_artifact_and_finds_each_planted_fault_inside() {
    let tmp = tempfile::tempdir().unwrap();
    let bins = crate::support::binary_dir_for_all(tmp.path(), "tiny");
    // A glibc program (Debian's /bin/true needs glibc 2.34) replaces the static one.
    std::fs::copy("/bin/true", bins.join("tiny")).unwrap();
    let good = tmp.path().join("good");
    let manifest = project(&tmp.path().join("p"), "0.4.2", "");
    release_all(&manifest, &bins, &good, &[]);

    // Clean: every container is opened, and its binaries and versions checked.
    let (code, report, err) = check_in(&good, &manifest, &[]);
    assert_eq!(code, 0, "{err}\n{report:#}");
    let passed_for = |id: &str, suffixes: &[&str]| {
        let found = results_of(&report, id);
        for suffix in suffixes {
            assert!(
                found
                    .iter()
                    .any(|(a, passed, _)| a.ends_with(suffix) && *passed),
                "{id} did not pass for {suffix}: {found:?}"
            );
        }
    };
    passed_for(
        "content.members",
        &[".tar.gz", ".deb", ".rpm", ".AppImage", ".zip", ".msi"],
    );
    passed_for(
        "binary.target",
        &[
            ".deb:usr/bin/tiny",
            ".rpm:usr/bin/tiny",
            ".AppImage:usr/bin/tiny",
            ".zip:tiny-0.4.2-x86_64-pc-windows-gnu/tiny.exe",
            ".msi:tiny.exe",
        ],
    );
    let versions = results_of(&report, "consistency.version");
    for what in [
        "deb control Version",
        "rpm header Version-Release",
        "MSI ProductVersion",
        "AppStream release",
    ] {
        assert!(
            versions
                .iter()
                .any(|(_, passed, found)| *passed && found.starts_with(what)),
            "{what} not compared: {versions:?}"
        );
    }
    assert!(
        !results_of(&report, "binary.glibc").is_empty(),
        "{report:#}"
    );
    for id in ["content.desktop-entry", "content.icons"] {
        passed_for(id, &[".deb", ".rpm", ".AppImage"]);
    }

    // The same release against a project whose glibc ceiling is lower.
    let strict_glibc = project(
        &tmp.path().join("p-glibc"),
        "0.4.2",
        "[package.metadata.crateship.linux]\nmax-glibc = \"2.17\"\n",
    );
    let (code, report, _) = check_in(&good, &strict_glibc, &[]);
    assert_eq!(code, 1);
    let glibc = results_of(&report, "binary.glibc");
    assert!(
        glibc.iter().any(|(a, passed, found)| !passed
            && a.ends_with(".deb:usr/bin/tiny")
            && found.contains("above 2.17")),
        "{glibc:?}"
    );

    // A binary with debug information, in every package.
    let debug_bins = tmp.path().join("debug-bins");
    std::fs::create_dir_all(&debug_bins).unwrap();
    std::fs::copy(bins.join("tiny.exe"), debug_bins.join("tiny.exe")).unwrap();
    crate::support::compile_c(
        crate::support::TRIVIAL_C,
        "x86_64-linux-musl",
        &debug_bins.join("tiny"),
        &["-static", "-g"],
    );
    let debug = tmp.path().join("debug");
    release_all(&manifest, &debug_bins, &debug, &[]);
    let (code, report, _) = check_in(&debug, &manifest, &[]);
    assert_eq!(code, 1, "{report:#}");
    let stripped = results_of(&report, "binary.stripped");
    for suffix in [
        ".deb:usr/bin/tiny",
        ".rpm:usr/bin/tiny",
        ".AppImage:usr/bin/tiny",
        "linux-gnu/tiny",
    ] {
        assert!(
            stripped.iter().any(|(a, passed, found)| !passed
                && a.ends_with(suffix)
                && found.contains("DWARF")),
            "{suffix}: {stripped:?}"
        );
    }

    // An MSI of the next version in this release: the versions disagree.
    let next = tmp.path().join("next");
    let next_manifest = project(&tmp.path().join("p-next"), "0.4.3", "");
    release_all(&next_manifest, &bins, &next, &[]);
    let mixed = tmp.path().join("mixed");
    copy_dir(&good, &mixed);
    replace_artifact(
        &mixed,
        ".msi",
        &std::fs::read(artifact(&next, ".msi")).unwrap(),
    );
    let (code, report, _) = check_in(&mixed, &manifest, &[]);
    assert_eq!(code, 1);
    let versions = results_of(&report, "consistency.version");
    assert!(
        versions
            .iter()
            .any(|(a, passed, found)| !passed && a.ends_with(".msi") && found.contains("0.4.3")),
        "{versions:?}"
    );

    // Against the previous release: upgrade codes stay, product codes change.
    let (code, report, err) = check_in(
        &next,
        &next_manifest,
        &["--previous", good.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}\n{report:#}");
    for id in [
        "consistency.upgrade-code",
        "consistency.product-code",
        "consistency.version-increases",
    ] {
        assert!(
            results_of(&report, id).iter().all(|r| r.1) && !results_of(&report, id).is_empty(),
            "{id}: {report:#}"
        );
    }
    let renamed = tmp.path().join("renamed");
    let renamed_manifest = project(&tmp.path().join("p-renamed"), "0.4.3", "");
    let toml = std::fs::read_to_string(&renamed_manifest)
        .unwrap()
        .replace("org.example.tiny", "org.example.tiny2");
    std::fs::write(&renamed_manifest, toml).unwrap();
    release_all(&renamed_manifest, &bins, &renamed, &[]);
    let (code, report, _) = check_in(
        &renamed,
        &renamed_manifest,
        &["--previous", good.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(
        failed(&report).contains(&"consistency.upgrade-code".to_owned()),
        "{report:#}"
    );

    // Licences against an allow-list, from the CycloneDX SBOM it turns on.
    let licensed = tmp.path().join("licensed");
    let licensed_manifest = project(
        &tmp.path().join("p-lic"),
        "0.4.2",
        "[package.metadata.crateship.check]\nallowed-licenses = [\"MIT\"]\n",
    );
    release_all(&licensed_manifest, &bins, &licensed, &[]);
    let (code, report, _) = check_in(&licensed, &licensed_manifest, &[]);
    assert_eq!(code, 1);
    let licenses = results_of(&report, "supply.licenses");
    assert!(licenses.iter().any(|(_, passed, found)| !passed && found.contains("tiny-helper 0.1.0 (GPL-3.0-only)")), "{licenses:?}");
    let toml = std::fs::read_to_string(&licensed_manifest)
        .unwrap()
        .replace("[\"MIT\"]", "[\"MIT\", \"GPL-3.0-only\"]");
    std::fs::write(&licensed_manifest, toml).unwrap();
    let (code, report, err) = check_in(&licensed, &licensed_manifest, &[]);
    assert_eq!(code, 0, "{err}\n{report:#}");

    // A fixture advisory-db entry matching the helper crate.
    let db = tmp.path().join("advisory-db");
    std::fs::create_dir_all(db.join("crates/tiny-helper")).unwrap();
    std::fs::write(
        db.join("crates/tiny-helper/RUSTSEC-2099-0001.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"tiny-helper\"\ndate = \"2099-01-01\"\n\n\
         [versions]\npatched = [\">= 0.2.0\"]\n```\n\n# Helper helps too much\n\nDetails.\n",
    )
    .unwrap();
    let (code, report, _) = check_in(
        &licensed,
        &licensed_manifest,
        &["--advisory-db", db.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    let advisories = results_of(&report, "supply.advisories");
    assert!(
        advisories
            .iter()
            .any(|(_, passed, found)| !passed
                && found.contains("RUSTSEC-2099-0001 tiny-helper 0.1.0")),
        "{advisories:?}"
    );
    let (code, _, err) = check_in(
        &licensed,
        &licensed_manifest,
        &["--advisory-db", tmp.path().join("nope").to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("advisory-db"), "{err}");

    // Authenticode configured: every exe and MSI is signed; one cut off fails.
    let signed_manifest = project(
        &tmp.path().join("p-signed"),
        "0.4.2",
        "[package.metadata.crateship.signing]\nwindows-pfx = \"cert.pfx\"\nwindows-password-env = \"TINY_PFX_PASSWORD\"\n",
    );
    crate::support::signing::pki(&tmp.path().join("p-signed"));
    let signed = tmp.path().join("signed");
    release_all(
        &signed_manifest,
        &bins,
        &signed,
        &[("TINY_PFX_PASSWORD", crate::support::signing::PASSWORD)],
    );
    let (code, report, err) = check_in(&signed, &signed_manifest, &[]);
    assert_eq!(code, 0, "{err}\n{report:#}");
    let signatures = results_of(&report, "signature.authenticode");
    for suffix in [
        ".msi",
        ".zip:tiny-0.4.2-x86_64-pc-windows-gnu/tiny.exe",
        ".msi:tiny.exe",
    ] {
        assert!(
            signatures
                .iter()
                .any(|(a, passed, _)| *passed && a.ends_with(suffix)),
            "{suffix}: {signatures:?}"
        );
    }
    // Unstamped (no timestamp-urls): a warning, so --strict fails.
    assert!(
        results_of(&report, "signature.timestamp")
            .iter()
            .all(|r| !r.1)
    );
    assert_eq!(check_in(&signed, &signed_manifest, &["--strict"]).0, 1);
    let cut = tmp.path().join("cut");
    copy_dir(&signed, &cut);
    let zip = artifact(&cut, ".zip");
    let unpacked = tmp.path().join("unpacked");
    verify(
        "unzip",
        &[
            "-q",
            zip.to_str().unwrap(),
            "-d",
            unpacked.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let exe = unpacked.join("tiny-0.4.2-x86_64-pc-windows-gnu/tiny.exe");
    let bytes = std::fs::read(&exe).unwrap();
    std::fs::write(&exe, &bytes[..bytes.len() - 64]).unwrap();
    let rezipped = tmp.path().join("re.zip");
    verify(
        "zip",
        &["-q", "-r", rezipped.to_str().unwrap(), "."],
        &unpacked,
    );
    replace_artifact(&cut, ".zip", &std::fs::read(&rezipped).unwrap());
    let (code, report, _) = check_in(&cut, &signed_manifest, &[]);
    assert_eq!(code, 1, "{report:#}");
    let signatures = results_of(&report, "signature.authenticode");
    assert!(
        signatures.iter().any(|(a, passed, found)| !passed
            && a.ends_with("tiny.exe")
            && found.contains("cut off")),
        "{signatures:?}"
    );

    // An MSI whose cabinet changed after signing: its recomputed digest differs.
    let changed = tmp.path().join("changed-msi");
    copy_dir(&signed, &changed);
    let mut msi = std::fs::read(artifact(&changed, ".msi")).unwrap();
    let cab = msi.windows(4).position(|w| w == b"MSCF").unwrap();
    msi[cab + 20] ^= 0x01;
    replace_artifact(&changed, ".msi", &msi);
    let (code, report, _) = check_in(&changed, &signed_manifest, &[]);
    assert_eq!(code, 1, "{report:#}");
    let signatures = results_of(&report, "signature.authenticode");
    assert!(
        signatures.iter().any(|(a, passed, found)| !passed
            && a.ends_with(".msi")
            && found.contains("changed after signing")),
        "{signatures:?}"
    );
}

#[test]
fn rebuild_builds_the_commit_again_and_reports_each_artifact_that_differs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let manifest = tiny_project(&dir, "tiny", "identifier = \"org.example.tiny\"\n");
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    let check_rebuild = |dist: &Path| check_in(dist, &manifest, &["--rebuild"]);

    // Not a git checkout: a usage error, nothing built.
    let out_dir = tmp.path().join("dist");
    let dist = |out: &Path| {
        let done = run(crateship()
            .args(["dist", "--manifest-path"])
            .arg(&manifest)
            .arg("--out-dir")
            .arg(out)
            .args([
                "--target",
                "x86_64-unknown-linux-gnu",
                "--format",
                "tar.gz",
                "--format",
                "deb",
            ]));
        assert!(done.status.success(), "dist: {}", stderr(&done));
    };
    dist(&out_dir);
    let (code, _, err) = check_rebuild(&out_dir);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("git checkout"), "{err}");

    let git = |args: &[&str]| {
        let done = run(std::process::Command::new("git")
            .args(args)
            .current_dir(&dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.org")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.org")
            .env("GIT_AUTHOR_DATE", "1700000000 +0000")
            .env("GIT_COMMITTER_DATE", "1700000000 +0000"));
        assert!(done.status.success(), "git {args:?}: {}", stderr(&done));
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(dir.join(".gitignore"), "/target\n/Cargo.lock\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "tiny"]);
    dist(&out_dir);
    let (code, report, err) = check_rebuild(&out_dir);
    assert_eq!(code, 0, "{err}\n{report:#}");
    let rebuilt = results_of(&report, "reproducible.artifact");
    assert!(
        rebuilt.len() >= 2 && rebuilt.iter().all(|r| r.1),
        "{rebuilt:?}"
    );

    // An artifact that is not what the commit builds is reported by name.
    let changed = tmp.path().join("changed");
    copy_dir(&out_dir, &changed);
    let tar = artifact(&changed, ".tar.gz");
    let mut bytes = std::fs::read(&tar).unwrap();
    bytes.extend_from_slice(b"\0\0\0\0");
    replace_artifact(&changed, ".tar.gz", &bytes);
    let (code, report, _) = check_rebuild(&changed);
    assert_eq!(code, 1);
    let rebuilt = results_of(&report, "reproducible.artifact");
    assert!(
        rebuilt.iter().any(|(a, passed, found)| !passed
            && a.ends_with(".tar.gz")
            && found.contains("differs from a rebuild")),
        "{rebuilt:?}"
    );
    assert!(
        rebuilt
            .iter()
            .any(|(a, passed, _)| *passed && a.ends_with(".deb")),
        "{rebuilt:?}"
    );
}

#[test]
fn configured_public_keys_verify_sha256sums_and_the_appimage_signature() {
    let tmp = tempfile::tempdir().unwrap();
    let (secret, public) =
        crate::support::signing::pgp_keypair(&tmp.path().join("gnupg"), "ed25519");
    let (_, other) =
        crate::support::signing::pgp_keypair(&tmp.path().join("gnupg-other"), "ed25519");
    let manifest = project(
        &tmp.path().join("p"),
        "0.4.2",
        "[package.metadata.crateship.signing]\npgp-key-env = \"TINY_PGP_KEY\"\n\
         [package.metadata.crateship.check]\npgp-public-key = \"release.asc\"\n",
    );
    std::fs::write(tmp.path().join("p/release.asc"), &public).unwrap();
    let bins = crate::support::binary_dir_for_all(tmp.path(), "tiny");
    std::fs::copy("/bin/true", bins.join("tiny")).unwrap();
    let good = tmp.path().join("good");
    release_all(&manifest, &bins, &good, &[("TINY_PGP_KEY", &secret)]);
    let (code, report, err) = check_in(&good, &manifest, &["--strict"]);
    assert_eq!(code, 0, "{err}\n{report:#}");
    let sums = results_of(&report, "signature.sha256sums");
    assert!(
        sums.iter()
            .any(|(_, passed, found)| *passed && found.contains("SHA256SUMS.asc verifies")),
        "{sums:?}"
    );
    let appimage = results_of(&report, "signature.appimage");
    assert!(appimage.len() == 1 && appimage[0].1, "{appimage:?}");
    let rpm = results_of(&report, "signature.rpm");
    assert!(
        rpm.len() == 1 && rpm[0].1 && rpm[0].2.contains("verifies"),
        "{rpm:?}"
    );

    // Another key: both signatures fail.
    std::fs::write(tmp.path().join("p/release.asc"), &other).unwrap();
    let (code, report, _) = check_in(&good, &manifest, &[]);
    assert_eq!(code, 1);
    assert!(
        results_of(&report, "signature.sha256sums")
            .iter()
            .any(|r| !r.1),
        "{report:#}"
    );
    assert!(
        results_of(&report, "signature.appimage")
            .iter()
            .any(|r| !r.1),
        "{report:#}"
    );
    assert!(
        results_of(&report, "signature.rpm").iter().any(|r| !r.1),
        "{report:#}"
    );

    // The right key, and an AppImage changed after signing (listed consistently).
    std::fs::write(tmp.path().join("p/release.asc"), &public).unwrap();
    let tampered = tmp.path().join("tampered");
    copy_dir(&good, &tampered);
    let mut bytes = std::fs::read(artifact(&tampered, ".AppImage")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    replace_artifact(&tampered, ".AppImage", &bytes);
    let (code, report, _) = check_in(&tampered, &manifest, &[]);
    assert_eq!(code, 1);
    let appimage = results_of(&report, "signature.appimage");
    assert!(
        appimage
            .iter()
            .any(|(_, passed, found)| !passed && found.contains("does not verify")),
        "{appimage:?}"
    );
}
