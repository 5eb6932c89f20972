//! Every output is byte-identical across two runs on copies of the project in
//! different directories, and names neither directory.

use crateship_sbom::{
    Artifact, ArtifactKind, auditable_object, cyclonedx_json, provenance_statement, spdx_json,
};
use tempfile::TempDir;

use crate::provenance::{key, release, signed};
use crate::sboms::STAMP;
use crate::support::{LINUX, MACOS, WINDOWS, depset, make_fixture};

/// Every output of one run on a fresh copy of the fixture, with its temp dir.
fn outputs(key: &crateship_sign::MinisignKey) -> (TempDir, Vec<(String, Vec<u8>)>) {
    let dir = TempDir::new().unwrap();
    let fixture = make_fixture(&dir.path().join("project"));
    let mut outputs = Vec::new();
    for target in [LINUX, WINDOWS, MACOS] {
        let deps = depset(&fixture, target);
        let artifact = Artifact {
            file_name: "fixture-app-0.3.1.zip",
            version: "0.3.1",
            sha256: &"5e".repeat(32),
            kind: ArtifactKind::Application,
        };
        outputs.push((
            format!("{target}.cdx.json"),
            cyclonedx_json(&deps, &artifact, &STAMP).unwrap(),
        ));
        outputs.push((
            format!("{target}.spdx.json"),
            spdx_json(&deps, &artifact, &STAMP).unwrap(),
        ));
        outputs.push((format!("{target}.o"), auditable_object(&deps).unwrap()));
    }
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    let input = release(&dist);
    outputs.push(("statement".into(), provenance_statement(&input).unwrap()));
    outputs.push(("envelope".into(), signed(&input, key)));
    (dir, outputs)
}

#[test]
fn every_output_is_byte_identical_across_directories_and_names_none() {
    let key = key();
    let (first_dir, first) = outputs(&key);
    let (second_dir, second) = outputs(&key);
    assert_eq!(first.len(), second.len());
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        assert!(a == b, "{name} differs between the two runs");
        for dir in [first_dir.path(), second_dir.path()] {
            let needle = dir.to_str().unwrap().as_bytes();
            assert!(
                !a.windows(needle.len()).any(|w| w == needle),
                "{name} names {}",
                dir.display()
            );
        }
    }
}
