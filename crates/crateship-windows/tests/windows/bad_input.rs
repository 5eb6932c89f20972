//! Bad input gets a clear error naming the input, and the output file is left alone.

use std::fs;

use tempfile::TempDir;

use crateship_windows::{MsiError, MsiFile, MsiPackage};

use crate::support::{read, sample_package};

/// Builds `pkg` over a file holding a previous artifact; returns the error message
/// and checks that the previous bytes were not touched.
fn refused(dir: &TempDir, pkg: &MsiPackage) -> (MsiError, String) {
    let out = dir.path().join("out.msi");
    fs::write(&out, b"previous artifact").unwrap();
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&out)
        .unwrap();
    let mut file = file;
    let err =
        crateship_windows::write_msi(pkg, &mut file).expect_err("the package must be refused");
    assert_eq!(
        read(&out),
        b"previous artifact",
        "output touched on error: {err}"
    );
    let message = err.to_string();
    (err, message)
}

#[test]
fn pre_release_version_is_refused() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    pkg.version = "1.2.3-rc.1".into();
    let (err, msg) = refused(&dir, &pkg);
    assert!(matches!(err, MsiError::PreRelease { .. }));
    assert!(
        msg.contains("1.2.3-rc.1") && msg.contains("major.minor.patch"),
        "{msg}"
    );
}

#[test]
fn out_of_range_version_is_refused() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    pkg.version = "300.0.0".into();
    let (err, msg) = refused(&dir, &pkg);
    assert!(matches!(
        err,
        MsiError::VersionOutOfRange {
            field: "major",
            value: 300,
            ..
        }
    ));
    assert!(msg.contains("300.0.0") && msg.contains("255"), "{msg}");
}

#[test]
fn upgrade_code_that_is_not_a_guid_is_refused() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    pkg.upgrade_code = Some("not-a-guid".into());
    let (err, msg) = refused(&dir, &pkg);
    assert!(matches!(err, MsiError::InvalidUpgradeCode { .. }));
    assert!(
        msg.contains("not-a-guid") && msg.contains("upgrade-code"),
        "{msg}"
    );
}

#[test]
fn missing_icon_is_refused() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    pkg.icon = Some(dir.path().join("nope.ico"));
    let (err, msg) = refused(&dir, &pkg);
    assert!(matches!(err, MsiError::ReadInput { what: "icon", .. }));
    assert!(msg.contains("nope.ico"), "{msg}");
}

#[test]
fn icon_that_is_not_an_ico_is_refused() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    let png = dir.path().join("icon.png");
    fs::write(&png, b"\x89PNG\r\n\x1a\n....").unwrap();
    pkg.icon = Some(png);
    let (err, msg) = refused(&dir, &pkg);
    assert!(matches!(err, MsiError::InvalidIcon { .. }));
    assert!(msg.contains("icon.png") && msg.contains(".ico"), "{msg}");
}

#[test]
fn product_name_with_characters_msi_rejects_is_refused() {
    let dir = TempDir::new().unwrap();
    for name in ["Hello: World", "Hello [beta]", "Hello|World", ""] {
        let mut pkg = sample_package(dir.path());
        pkg.product_name = name.into();
        let (err, msg) = refused(&dir, &pkg);
        assert!(
            matches!(
                err,
                MsiError::InvalidName {
                    field: "product name",
                    ..
                }
            ),
            "{name}: {msg}"
        );
        assert!(msg.contains(&format!("`{name}`")), "{msg}");
    }
}

#[test]
fn file_larger_than_a_cabinet_is_refused_before_reading_it() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    let huge = dir.path().join("huge.bin");
    // Sparse: 3 GiB of nothing, never read.
    fs::File::create(&huge).unwrap().set_len(3 << 30).unwrap();
    pkg.files.push(MsiFile {
        source: huge,
        dest: "huge.bin".into(),
    });
    let (err, msg) = refused(&dir, &pkg);
    assert!(matches!(err, MsiError::FileTooLarge { size, .. } if size == 3 << 30));
    assert!(
        msg.contains("huge.bin") && msg.contains("beside the installer"),
        "{msg}"
    );
}

#[test]
fn bad_destinations_are_refused() {
    let dir = TempDir::new().unwrap();
    for dest in ["../escape.txt", "/abs.txt", "a\\b.txt", "what?.txt", "CON"] {
        let mut pkg = sample_package(dir.path());
        pkg.files[1].dest = dest.into();
        let (err, msg) = refused(&dir, &pkg);
        assert!(matches!(err, MsiError::InvalidDest { .. }), "{dest}: {msg}");
        assert!(msg.contains(dest), "{msg}");
    }
}

#[test]
fn paths_that_collide_on_windows_are_refused() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    let readme = pkg.files[1].clone();
    pkg.files.push(MsiFile {
        source: readme.source,
        dest: "readme.TXT".into(),
    });
    let (err, msg) = refused(&dir, &pkg);
    assert!(matches!(err, MsiError::DuplicateDest { .. }), "{msg}");
    let mut pkg = sample_package(dir.path());
    let readme = pkg.files[1].clone();
    pkg.files.push(MsiFile {
        source: readme.source,
        dest: "data/config.toml/inner.txt".into(),
    });
    let (err, msg) = refused(&dir, &pkg);
    assert!(matches!(err, MsiError::FileDirConflict { .. }), "{msg}");
}

#[test]
fn missing_payload_and_main_exe_are_refused() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    pkg.files[0].source = dir.path().join("gone.exe");
    let (err, msg) = refused(&dir, &pkg);
    assert!(matches!(
        err,
        MsiError::ReadInput {
            what: "payload file",
            ..
        }
    ));
    assert!(msg.contains("gone.exe"), "{msg}");

    let mut pkg = sample_package(dir.path());
    pkg.main_exe = "bin/hello.exe".into();
    let (err, msg) = refused(&dir, &pkg);
    assert!(matches!(err, MsiError::MainExeMissing { .. }));
    assert!(msg.contains("bin/hello.exe"), "{msg}");

    let mut pkg = sample_package(dir.path());
    pkg.files.clear();
    let (err, _) = refused(&dir, &pkg);
    assert!(matches!(err, MsiError::NoFiles));
}
