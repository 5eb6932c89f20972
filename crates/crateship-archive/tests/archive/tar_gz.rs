//! `.tar.gz` read back by gzip, GNU tar and bsdtar.

use crateship_archive::{ArchiveKind, ArchiveSpec, write_file};

use crate::*;

#[test]
fn tar_gz_is_read_by_gzip_gnu_tar_and_bsdtar() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    sample_tree(&tree);
    let spec = ArchiveSpec::from_dir(&tree, "hello-1.0", MTIME).unwrap();
    let archive = tmp.path().join("hello.tar.gz");
    write_file(ArchiveKind::TarGz, &spec, &archive).unwrap();

    verify("gzip", &["-t", "hello.tar.gz"], tmp.path());
    // GNU tar: root ownership, the given mtime, normalised modes, directories first.
    let listing = verify("tar", &["--utc", "-tvzf", "hello.tar.gz"], tmp.path());
    let lines: Vec<&str> = listing.lines().collect();
    let expected = [
        "drwxr-xr-x root/root         0 2023-11-14 22:13 hello-1.0/",
        "-rw-r--r-- root/root         8 2023-11-14 22:13 hello-1.0/README.md",
        "-rwxr-xr-x root/root     70000 2023-11-14 22:13 hello-1.0/app",
        "-rw-r--r-- root/root         0 2023-11-14 22:13 hello-1.0/empty",
        "-rw-r--r-- root/root       321 2023-11-14 22:13 hello-1.0/h\u{e9}llo w\u{f6}rld.txt",
        "drwxr-xr-x root/root         0 2023-11-14 22:13 hello-1.0/share/",
        "drwxr-xr-x root/root         0 2023-11-14 22:13 hello-1.0/share/data/",
        "-rw-r--r-- root/root    600000 2023-11-14 22:13 hello-1.0/share/data/large.txt",
        "-rw-r--r-- root/root    700000 2023-11-14 22:13 hello-1.0/share/data/noise-large.bin",
        "-rw-r--r-- root/root     40000 2023-11-14 22:13 hello-1.0/share/data/noise.bin",
        "drwxr-xr-x root/root         0 2023-11-14 22:13 hello-1.0/share/tools/",
        "-rwxr-xr-x root/root        10 2023-11-14 22:13 hello-1.0/share/tools/helper",
    ];
    assert_eq!(lines, expected, "{listing}");
    // libarchive agrees, numerically.
    let listing = verify(
        "bsdtar",
        &["--numeric-owner", "-tvf", "hello.tar.gz"],
        tmp.path(),
    );
    assert_eq!(listing.lines().count(), expected.len(), "{listing}");
    assert!(
        listing
            .lines()
            .all(|l| l.contains(" 0 0      0 ") && l.contains(" Nov 14  2023 hello-1.0/")),
        "{listing}"
    );
    // What comes out is what went in.
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    verify("tar", &["-xzf", "../hello.tar.gz"], &out);
    assert!(contents(&out.join("hello-1.0")) == contents(&tree));
}

#[test]
fn an_archive_without_a_root_directory_lists_its_files_at_the_top() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    put(&tree, "a/b.txt", b"b", 0o644);
    put(&tree, "c.txt", b"c", 0o644);
    let spec = ArchiveSpec::from_dir(&tree, "", MTIME).unwrap();
    write_file(ArchiveKind::TarGz, &spec, &tmp.path().join("x.tar.gz")).unwrap();
    let listing = verify("bsdtar", &["-tf", "x.tar.gz"], tmp.path());
    assert_eq!(listing, "a/\na/b.txt\nc.txt\n");
}
