//! `.zip` read back by Info-ZIP's unzip and zipinfo.

use crateship_archive::{ArchiveFile, ArchiveKind, ArchiveSpec, write_file};

use crate::*;

#[test]
fn zip_is_read_by_info_zip_with_unix_modes_and_utc_dos_times() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    sample_tree(&tree);
    let spec = ArchiveSpec::from_dir(&tree, "hello-1.0", MTIME).unwrap();
    write_file(ArchiveKind::Zip, &spec, &tmp.path().join("hello.zip")).unwrap();

    verify("unzip", &["-tq", "hello.zip"], tmp.path());
    let listing = verify("zipinfo", &["hello.zip"], tmp.path());
    let line = |name: &str| {
        listing
            .lines()
            .find(|l| l.ends_with(&format!(" {name}")))
            .unwrap_or_else(|| panic!("{name} is not listed:\n{listing}"))
    };
    let exe = line("hello-1.0/app");
    assert!(
        exe.starts_with("-rwxr-xr-x  3.0 unx    70000") && exe.contains(" defN 23-Nov-14 22:13 "),
        "{exe}"
    );
    assert!(line("hello-1.0/").starts_with("drwxr-xr-x  3.0 unx"));
    assert!(line("hello-1.0/README.md").starts_with("-rw-r--r--  3.0 unx"));
    assert!(line("hello-1.0/share/tools/helper").starts_with("-rwxr-xr-x"));
    // Noise is stored, as Info-ZIP would: small files whole, large ones are
    // deflate streams (a chunked stream cannot fall back to storing).
    assert!(line("hello-1.0/share/data/noise.bin").contains(" stor "));
    assert!(line("hello-1.0/share/data/large.txt").contains(" defN "));
    line("hello-1.0/h\u{e9}llo w\u{f6}rld.txt");

    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    verify("unzip", &["-q", "../hello.zip"], &out);
    assert!(contents(&out.join("hello-1.0")) == contents(&tree));
}

#[test]
fn a_file_over_4_gib_gets_zip64_records_that_unzip_reads() {
    let tmp = tempfile::tempdir().unwrap();
    // Sparse: 4 GiB + 4 KiB of zeros cost no disk space.
    let big = tmp.path().join("big.bin");
    std::fs::File::create(&big)
        .unwrap()
        .set_len((4 << 30) + 4096)
        .unwrap();
    let spec = ArchiveSpec {
        root_dir: "r".into(),
        files: vec![ArchiveFile {
            source: big,
            dest: "big.bin".into(),
            executable: false,
        }],
        mtime: MTIME,
        // The fastest level: the test is about the records, not the ratio.
        level: 1,
    };
    write_file(ArchiveKind::Zip, &spec, &tmp.path().join("big.zip")).unwrap();
    let listing = verify("unzip", &["-l", "big.zip"], tmp.path());
    assert!(
        listing.contains("4294971392"),
        "unzip should list the full 4 GiB + 4 KiB:\n{listing}"
    );
    verify("unzip", &["-tq", "big.zip"], tmp.path());
}
