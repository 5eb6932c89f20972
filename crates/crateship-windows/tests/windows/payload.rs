//! The standard 2,000-file, 100 MB payload (`shared/fixtures/make_payload.py`): builds,
//! extracts identically with `msiextract`, and installs identically under Wine.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

use crateship_windows::MsiFile;

use crate::support::{build, export, run, run_ok, sample_package};
use crate::wine::Prefix;

/// `make_payload.py`: `$CRATESHIP_PAYLOAD_SCRIPT`, or the shared fixtures beside the checkout.
fn payload_script() -> PathBuf {
    std::env::var_os("CRATESHIP_PAYLOAD_SCRIPT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/make_payload.py")
        })
}

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
    let script = payload_script();
    let made = Command::new("python3")
        .arg(&script)
        .arg(&payload)
        .output()
        .expect("python3 runs");
    assert!(
        made.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&made.stderr)
    );

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
