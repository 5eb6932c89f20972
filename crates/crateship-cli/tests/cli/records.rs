//! `sbom-formats` and `provenance` through `crateship dist`: every artifact gets a
//! CycloneDX SBOM that the official 1.6 schema accepts (`check-jsonschema`) and an
//! SPDX SBOM that `pyspdxtools` accepts, naming the project's dependency and the
//! artifact's final SHA-256; the provenance statement's subjects are exactly the
//! other files of `SHA256SUMS`, and its DSSE envelope verifies with PyPI
//! `securesystemslib` against the minisign key (an altered envelope fails). The
//! records are byte-identical when the project is built from another directory.

use std::path::Path;

use base64ct::{Base64, Encoding};

use crate::support::signing::minisign_keypair;
use crate::support::{binary_dir, crateship, repo_root, run, stderr, tiny_project, verify};

const CONFIG: &str = "identifier = \"org.example.tiny\"\nsbom-formats = [\"cyclonedx\", \"spdx\"]\nprovenance = true\n\
    [package.metadata.crateship.signing]\nminisign-key-env = \"TINY_MINISIGN_KEY\"\n";

/// The tiny project at `dir`, depending on a path crate `tinydep`.
fn project(dir: &Path) -> std::path::PathBuf {
    let manifest = tiny_project(dir, "tiny", CONFIG);
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "\n[workspace]\n",
        "authors = [\"Tiny Maintainer <tiny@example.org>\"]\n\n[dependencies]\ntinydep = { path = \"tinydep\", version = \"0.1\" }\n\n[workspace]\n",
    );
    std::fs::write(&manifest, toml).unwrap();
    std::fs::create_dir_all(dir.join("tinydep/src")).unwrap();
    std::fs::write(
        dir.join("tinydep/Cargo.toml"),
        "[package]\nname = \"tinydep\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("tinydep/src/lib.rs"), "").unwrap();
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

fn dist(manifest: &Path, bins: &Path, out: &Path, key: &str) {
    let mut cmd = crateship();
    cmd.args(["dist", "--no-build", "--binary-dir"])
        .arg(bins)
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--out-dir")
        .arg(out)
        .args(["--target", "x86_64-unknown-linux-gnu"])
        .args(["--format", "tar.gz", "--format", "deb"])
        .env("TINY_MINISIGN_KEY", key)
        .env("SOURCE_DATE_EPOCH", "1700000000");
    let done = run(&mut cmd);
    assert!(done.status.success(), "dist: {}", stderr(&done));
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn sboms_and_provenance_are_written_verified_and_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("first place");
    let manifest = project(&dir);
    let bins = binary_dir(tmp.path(), "tiny");
    minisign_keypair(tmp.path());
    let key = read(&tmp.path().join("minisign.key"));
    let out = tmp.path().join("out");
    dist(&manifest, &bins, &out, &key);

    let sums = read(&out.join("SHA256SUMS"));
    let sum_of = |name: &str| {
        sums.lines()
            .find(|l| l.ends_with(&format!("  {name}")))
            .unwrap_or_else(|| panic!("{name} not in SHA256SUMS"))
            .split(' ')
            .next()
            .unwrap()
            .to_owned()
    };
    let schemas = repo_root().join("crates/crateship-sbom/tests/schemas");
    let schema = schemas.join("bom-1.6.schema.json");
    let artifacts: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tar.gz") || n.ends_with(".deb"))
        .collect();
    assert_eq!(artifacts.len(), 2, "{artifacts:?}");
    for artifact in &artifacts {
        let cdx = out.join(format!("{artifact}.cdx.json"));
        let spdx = out.join(format!("{artifact}.spdx.json"));
        verify(
            "check-jsonschema",
            &[
                "--schemafile",
                schema.to_str().unwrap(),
                "--base-uri",
                &format!("file://{}", schema.display()),
                cdx.to_str().unwrap(),
            ],
            &schemas,
        );
        let checked = verify("pyspdxtools", &["-i", spdx.to_str().unwrap()], &out);
        assert!(!checked.to_lowercase().contains("invalid"), "{checked}");
        let doc: serde_json::Value = serde_json::from_str(&read(&cdx)).unwrap();
        let names: Vec<&str> = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"tinydep"), "{names:?}");
        assert!(
            read(&cdx).contains(&sum_of(artifact)),
            "{artifact}'s SBOM lacks its final SHA-256"
        );
        assert!(read(&spdx).contains(&sum_of(artifact)));
    }

    // Provenance: subjects = SHA256SUMS without the provenance files themselves.
    let statement: serde_json::Value =
        serde_json::from_str(&read(&out.join("provenance.intoto.json"))).unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    let mut subjects: Vec<String> = statement["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}  {}",
                s["digest"]["sha256"].as_str().unwrap(),
                s["name"].as_str().unwrap()
            )
        })
        .collect();
    subjects.sort();
    let mut listed: Vec<String> = sums
        .lines()
        .filter(|l| !l.contains("provenance.intoto"))
        .map(str::to_owned)
        .collect();
    listed.sort();
    assert_eq!(subjects, listed);

    let public = read(&tmp.path().join("minisign.pub"));
    let raw = Base64::decode_vec(public.lines().nth(1).unwrap()).unwrap();
    let key_id: String = raw[2..10]
        .iter()
        .rev()
        .map(|b| format!("{b:02X}"))
        .collect();
    let public_hex: String = raw[10..42].iter().map(|b| format!("{b:02x}")).collect();
    let script = repo_root().join("crates/crateship-sbom/tests/py/verify_dsse.py");
    let envelope = out.join("provenance.intoto.dsse.json");
    let payload = verify(
        "python3",
        &[
            script.to_str().unwrap(),
            envelope.to_str().unwrap(),
            &key_id,
            &public_hex,
        ],
        &out,
    );
    assert_eq!(payload, read(&out.join("provenance.intoto.json")));
    let mut altered: serde_json::Value = serde_json::from_str(&read(&envelope)).unwrap();
    let body = altered["payload"].as_str().unwrap().replace('A', "B");
    altered["payload"] = serde_json::Value::String(body);
    let altered_path = tmp.path().join("altered.json");
    std::fs::write(&altered_path, altered.to_string()).unwrap();
    let refused = run(std::process::Command::new("python3")
        .arg(&script)
        .arg(&altered_path)
        .args([&key_id, &public_hex]));
    assert!(!refused.status.success(), "an altered envelope verified");

    // Built from another directory: the same records.
    let elsewhere = tmp.path().join("elsewhere/second");
    let manifest = project(&elsewhere);
    let again = tmp.path().join("again");
    dist(&manifest, &bins, &again, &key);
    let mut records: Vec<String> = artifacts
        .iter()
        .flat_map(|a| [format!("{a}.cdx.json"), format!("{a}.spdx.json")])
        .collect();
    records.push("provenance.intoto.json".into());
    records.push("provenance.intoto.dsse.json".into());
    for name in records {
        assert_eq!(
            read(&out.join(&name)),
            read(&again.join(&name)),
            "{name} depends on the project's directory"
        );
    }
}
