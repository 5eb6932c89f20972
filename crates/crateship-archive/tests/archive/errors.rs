//! Bad input: every error names the file and the fix, and a failed write keeps
//! the previous archive.

use crateship_archive::{ArchiveFile, ArchiveKind, ArchiveSpec, write_file};

use crate::*;

#[test]
fn a_missing_source_is_named_and_the_old_archive_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("dist");
    std::fs::create_dir(&out_dir).unwrap();
    for kind in [ArchiveKind::TarGz, ArchiveKind::Zip] {
        let target = out_dir.join(format!("app.{kind}"));
        std::fs::write(&target, b"previous release").unwrap();
        let spec = ArchiveSpec {
            root_dir: "app".into(),
            files: vec![ArchiveFile {
                source: tmp.path().join("no such file"),
                dest: "bin/app".into(),
                executable: true,
            }],
            mtime: MTIME,
            level: 6,
        };
        let err = write_file(kind, &spec, &target).unwrap_err().to_string();
        assert!(
            err.contains("no such file")
                && err.contains("`bin/app`")
                && err.contains("check that it exists"),
            "{err}"
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"previous release");
    }
    assert_eq!(
        names(&out_dir),
        ["app.tar.gz", "app.zip"],
        "no temp file is left"
    );
}

#[test]
fn an_unwritable_output_directory_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = ArchiveSpec {
        root_dir: String::new(),
        files: Vec::new(),
        mtime: MTIME,
        level: 6,
    };
    let target = tmp.path().join("missing dir/app.zip");
    let err = write_file(ArchiveKind::Zip, &spec, &target)
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing dir"), "{err}");
}

#[test]
fn a_symlink_loop_in_the_directory_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "a/file", b"x", 0o644);
    std::os::unix::fs::symlink("..", tmp.path().join("a/up")).unwrap();
    let err = ArchiveSpec::from_dir(tmp.path(), "r", MTIME)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a/up") && err.contains("remove the loop"),
        "{err}"
    );
}

#[test]
fn a_socket_in_the_directory_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(tmp.path().join("app.sock")).unwrap();
    let err = ArchiveSpec::from_dir(tmp.path(), "r", MTIME)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("app.sock") && err.contains("only files, directories and symbolic links"),
        "{err}"
    );
}

#[test]
fn an_entry_name_that_escapes_the_root_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let source = put(tmp.path(), "f", b"x", 0o644);
    let spec = ArchiveSpec {
        root_dir: "r".into(),
        files: vec![ArchiveFile {
            source,
            dest: "../../etc/profile".into(),
            executable: false,
        }],
        mtime: MTIME,
        level: 6,
    };
    for kind in [ArchiveKind::TarGz, ArchiveKind::Zip] {
        let target = tmp.path().join(format!("x.{kind}"));
        let err = write_file(kind, &spec, &target).unwrap_err().to_string();
        assert!(
            err.contains("`../../etc/profile`") && err.contains("without `.` or `..`"),
            "{err}"
        );
        assert!(!target.exists());
    }
}
