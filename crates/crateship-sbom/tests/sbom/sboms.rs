//! CycloneDX and SPDX documents, read by the official CycloneDX 1.6 schema
//! (`check-jsonschema`) and by `pyspdxtools`.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crateship_sbom::{
    Artifact, ArtifactKind, DepSet, PROC_MACRO_PROPERTY, Stamp, cyclonedx_json, spdx_json,
};
use serde_json::Value;
use tempfile::TempDir;

use crate::support::{LINUX, WINDOWS, cargo_tree, depset, fixture, run_ok};

/// 2026-11-23T12:00:00Z.
pub const EPOCH: i64 = 1_795_435_200;

pub const STAMP: Stamp<'static> = Stamp {
    tool_version: "0.1.0",
    source_date_epoch: EPOCH,
};

/// Writes a stand-in artifact and returns its SHA-256 as `sha256sum` reports it.
pub fn artifact_file(dir: &Path, name: &str) -> String {
    fs::write(dir.join(name), format!("the bytes of {name}\n")).unwrap();
    let out = run_ok(dir, "sha256sum", &[name], &[]);
    out.split_whitespace().next().unwrap().to_owned()
}

fn documents(deps: &DepSet, name: &str, sha256: &str) -> (Vec<u8>, Vec<u8>) {
    let artifact = Artifact {
        file_name: name,
        version: "0.3.1",
        sha256,
        kind: ArtifactKind::File,
    };
    (
        cyclonedx_json(deps, &artifact, &STAMP).unwrap(),
        spdx_json(deps, &artifact, &STAMP).unwrap(),
    )
}

/// Validates a CycloneDX document against the committed official 1.6 schema.
pub fn check_cyclonedx(path: &Path) {
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
    let schema = schemas.join("bom-1.6.schema.json");
    let base = format!("file://{}", schema.display());
    run_ok(
        &schemas,
        "check-jsonschema",
        &[
            "--schemafile",
            schema.to_str().unwrap(),
            "--base-uri",
            &base,
            path.to_str().unwrap(),
        ],
        &[],
    );
}

/// Validates an SPDX document with `pyspdxtools -i`.
pub fn check_spdx(path: &Path) {
    let out = run_ok(
        path.parent().unwrap(),
        "pyspdxtools",
        &["-i", path.to_str().unwrap()],
        &[],
    );
    assert!(!out.to_lowercase().contains("invalid"), "{out}");
}

#[test]
fn cyclonedx_validates_against_the_official_schema_and_lists_cargo_tree() {
    let fixture = fixture();
    let dir = TempDir::new().unwrap();
    for target in [LINUX, WINDOWS] {
        let name = format!("fixture-app-0.3.1-{target}.tar.gz");
        let sha256 = artifact_file(dir.path(), &name);
        let deps = depset(fixture, target);
        let (cdx, _) = documents(&deps, &name, &sha256);
        let path = dir.path().join(crateship_sbom::cyclonedx_file_name(&name));
        fs::write(&path, &cdx).unwrap();
        check_cyclonedx(&path);

        let bom: Value = serde_json::from_slice(&cdx).unwrap();
        let described = &bom["metadata"]["component"];
        assert_eq!(described["name"], name.as_str());
        assert_eq!(described["type"], "file");
        assert_eq!(described["hashes"][0]["alg"], "SHA-256");
        assert_eq!(described["hashes"][0]["content"], sha256.as_str());
        assert_eq!(bom["metadata"]["timestamp"], "2026-11-23T12:00:00Z");

        let components = bom["components"].as_array().unwrap();
        let listed: BTreeSet<String> = components
            .iter()
            .map(|c| {
                format!(
                    "{} {}",
                    c["name"].as_str().unwrap(),
                    c["version"].as_str().unwrap()
                )
            })
            .collect();
        let (tree, tree_macros) = cargo_tree(&fixture.dir, target);
        assert_eq!(listed, tree, "{target}");
        let marked: BTreeSet<String> = components
            .iter()
            .filter(|c| {
                c["properties"].as_array().is_some_and(|p| {
                    p.iter()
                        .any(|p| p["name"] == PROC_MACRO_PROPERTY && p["value"] == "true")
                })
            })
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(marked, tree_macros);

        // The graph: the artifact depends on the root crate, which depends on hex.
        let deps_of = |reference: &str| -> Vec<String> {
            bom["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["ref"] == reference)
                .map(|d| {
                    d["dependsOn"]
                        .as_array()
                        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                        .unwrap_or_default()
                })
                .unwrap()
        };
        let root = deps_of(&format!("artifact:{name}"));
        assert_eq!(root, ["pkg:cargo/fixture-app@0.3.1"]);
        assert!(
            deps_of(&root[0])
                .iter()
                .any(|r| r.starts_with("pkg:cargo/hex@"))
        );
    }
}

#[test]
fn spdx_is_valid_for_pyspdxtools_and_describes_the_same_crates() {
    let fixture = fixture();
    let dir = TempDir::new().unwrap();
    let name = "fixture-app-0.3.1-x64.msi";
    let sha256 = artifact_file(dir.path(), name);
    let deps = depset(fixture, WINDOWS);
    let (_, spdx) = documents(&deps, name, &sha256);
    let path = dir.path().join(crateship_sbom::spdx_file_name(name));
    fs::write(&path, &spdx).unwrap();
    check_spdx(&path);

    let doc: Value = serde_json::from_slice(&spdx).unwrap();
    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(packages[0]["name"], name);
    assert_eq!(
        packages[0]["checksums"][0]["checksumValue"],
        sha256.as_str()
    );
    let listed: BTreeSet<String> = packages[1..]
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["name"].as_str().unwrap(),
                p["versionInfo"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(listed, cargo_tree(&fixture.dir, WINDOWS).0);
    assert_eq!(doc["creationInfo"]["created"], "2026-11-23T12:00:00Z");
}

#[test]
fn a_digest_that_is_not_sha256_names_the_artifact() {
    let deps = depset(fixture(), LINUX);
    let artifact = Artifact {
        file_name: "app.zip",
        version: "1",
        sha256: "abc",
        kind: ArtifactKind::File,
    };
    let err = cyclonedx_json(&deps, &artifact, &STAMP)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`app.zip`") && err.contains("64 hexadecimal digits"),
        "{err}"
    );
}
