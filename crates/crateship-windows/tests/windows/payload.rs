//! The standard 2,000-file, 100 MB payload (`crateship-payload`, the repository's own
//! generator): builds, extracts identically with `msiextract`, and installs
//! identically under Wine.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use crateship_windows::MsiFile;

use crate::support::{build, export, run, run_ok, sample_package};
use crate::wine::Prefix;

fn collect(root: &Path, dir: &Path, files: &mut Vec<MsiFile>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let dest = path
                .strip_prefix(root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            files.push(MsiFile { source: path, dest });
        }
    }
}

/// `diff -r` says the two trees are the same.
fn assert_same_tree(expected: &Path, actual: &Path) {
    let out = run("diff", &[&"-r", &"-q", &expected, &actual]);
    assert!(
        out.status.success(),
        "{} differs from {}:\n{}",
        actual.display(),
        expected.display(),
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn standard_payload_extracts_and_installs_identically() {
    let dir = TempDir::new().unwrap();
    let payload = dir.path().join("payload");
    crateship_payload::generate(&payload, &crateship_payload::Options::default()).unwrap();

    let mut pkg = sample_package(&dir.path().join("sample"));
    pkg.files.clear();
    collect(&payload, &payload, &mut pkg.files);
    assert_eq!(pkg.files.len(), 2000);
    pkg.main_exe = pkg.files[0].dest.clone();
    let msi = dir.path().join("payload.msi");
    build(&pkg, &msi).unwrap();
    assert_eq!(export(&msi, "File").len(), 2000);
    assert!(
        export(&msi, "Media").len() >= 2,
        "100 MB spans several cabinets"
    );

    let extracted = dir.path().join("extracted");
    fs::create_dir_all(&extracted).unwrap();
    run_ok("msiextract", &[&"-C", &extracted, &msi]);
    assert_same_tree(&payload, &extracted.join("Hello Desktop"));

    let wine = Prefix::new();
    let (status, log) = wine.msiexec("/i", &msi);
    let tail: String = log
        .chars()
        .rev()
        .take(4000)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(status, 0, "install failed: {tail}");
    assert_same_tree(&payload, &wine.program_dir());
}
