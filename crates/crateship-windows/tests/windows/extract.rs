//! `msiextract` (msitools) unpacks files identical to the inputs (`cmp`), at any depth,
//! with spaces and non-ASCII names, from one cabinet or several.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use crateship_windows::MsiFile;

use crate::support::{build, build_sample, export, run, run_ok, sample_package};

/// Extracts `msi` into `dir/out` and returns the install folder inside it.
fn extract(dir: &Path, msi: &Path) -> std::path::PathBuf {
    let out = dir.join("out");
    fs::create_dir_all(&out).unwrap();
    run_ok("msiextract", &[&"-C", &out, &msi]);
    out.join("Hello Desktop")
}

fn assert_same(input: &Path, extracted: &Path) {
    let status = run("cmp", &[&input, &extracted]);
    assert!(
        status.status.success(),
        "{} differs from {}: {}",
        extracted.display(),
        input.display(),
        String::from_utf8_lossy(&status.stdout)
    );
}

#[test]
fn extracted_files_are_identical_to_the_inputs() {
    let dir = TempDir::new().unwrap();
    let (pkg, msi) = build_sample(dir.path());
    let root = extract(dir.path(), &msi);
    for file in &pkg.files {
        assert_same(&file.source, &root.join(&file.dest));
    }
    // Nothing else was extracted.
    let count = walk(&root);
    assert_eq!(count, pkg.files.len());
}

fn walk(dir: &Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn payloads_past_the_cabinet_size_are_split_into_several_cabinets() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    // 3 × 15 MiB of poorly compressible bytes: more than one 32 MiB cabinet.
    for i in 0..3u32 {
        let path = dir.path().join(format!("big{i}.bin"));
        let mut state = 0x9e37_79b9u32.wrapping_mul(i + 1);
        let bytes: Vec<u8> = (0..15 << 20)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        fs::write(&path, bytes).unwrap();
        pkg.files.push(MsiFile {
            source: path,
            dest: format!("assets/big{i}.bin"),
        });
    }
    let msi = dir.path().join("big.msi");
    build(&pkg, &msi).unwrap();
    let media = export(&msi, "Media");
    assert!(media.len() >= 2, "{media:?}");
    let streams = run_ok("msiinfo", &[&"streams", &msi]);
    for row in &media {
        assert!(
            streams.lines().any(|l| format!("#{l}") == row[3]),
            "{row:?} not in {streams}"
        );
    }
    let root = extract(dir.path(), &msi);
    for file in &pkg.files {
        assert_same(&file.source, &root.join(&file.dest));
    }
}
