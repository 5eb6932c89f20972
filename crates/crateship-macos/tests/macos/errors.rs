//! Bad input: clear messages that name the input and the fix, and nothing
//! left behind in the staging directory.

use std::fs;
use std::path::Path;

use crateship_macos::{
    AppBundle, CPU_TYPE_ARM64, DmgOptions, MacosError, PkgInfo, write_app, write_dmg, write_pkg,
};

use crate::{sample_app, thin_macho};

/// Runs write_app on a mutated sample and returns the error text; asserts the
/// staging directory stays empty.
fn app_error(dir: &Path, mutate: impl FnOnce(&mut AppBundle)) -> String {
    let mut app = sample_app(dir);
    mutate(&mut app);
    let stage = dir.join("stage");
    fs::create_dir_all(&stage).unwrap();
    let err = write_app(&app, &stage).unwrap_err();
    assert_eq!(
        fs::read_dir(&stage).unwrap().count(),
        0,
        "partial bundle left: {err}"
    );
    err.to_string()
}

#[test]
fn identifier_must_be_reverse_dns() {
    let dir = tempfile::tempdir().unwrap();
    for id in [
        "hello",
        "org..hello",
        "org.exa mple.hello",
        "org.example.héllo",
        ".org.x",
    ] {
        let e = app_error(dir.path(), |a| a.identifier = id.into());
        assert!(
            e.contains("invalid identifier") && e.contains("reverse-DNS"),
            "{e}"
        );
    }
}

#[test]
fn version_must_be_numeric_semver() {
    let dir = tempfile::tempdir().unwrap();
    let e = app_error(dir.path(), |a| a.version = "v1.2".into());
    assert!(
        e.contains("invalid version `v1.2`") && e.contains("MAJOR.MINOR.PATCH"),
        "{e}"
    );
    let e = app_error(dir.path(), |a| a.bundle_version = Some("1.2.3.4".into()));
    assert!(e.contains("bundle_version"), "{e}");
}

#[test]
fn extra_plist_key_colliding_with_a_generated_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = app_error(dir.path(), |a| {
        a.extra_plist.insert(
            "CFBundleIdentifier".into(),
            plist::Value::String("x.y".into()),
        );
    });
    assert!(
        e.contains("`CFBundleIdentifier` collides") && e.contains("identifier"),
        "{e}"
    );
}

#[test]
fn resource_destination_escaping_the_bundle_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let readme = dir.path().join("README.txt");
    for dest in ["../../MacOS/evil", "/etc/passwd", ""] {
        let e = app_error(dir.path(), |a| {
            a.resources = vec![(readme.clone(), dest.into())]
        });
        assert!(
            e.contains("README.txt") && e.contains("relative path"),
            "{dest}: {e}"
        );
    }
    let link = dir.path().join("escaping-link");
    std::os::unix::fs::symlink("../../../../etc/passwd", &link).unwrap();
    let e = app_error(dir.path(), |a| {
        a.resources = vec![(link.clone(), "x".into())]
    });
    assert!(e.contains("leaves the bundle"), "{e}");
}

#[test]
fn executable_must_be_a_macho_for_the_minimum_os() {
    let dir = tempfile::tempdir().unwrap();
    let elf = dir.path().join("elf");
    fs::write(&elf, b"\x7fELF\x02\x01\x01\0rest").unwrap();
    let e = app_error(dir.path(), |a| a.binary = elf.clone());
    assert!(e.contains("ELF") && e.contains("apple-darwin"), "{e}");

    let new = dir.path().join("new");
    fs::write(&new, thin_macho(CPU_TYPE_ARM64, (15, 0))).unwrap();
    let e = app_error(dir.path(), |a| a.binary = new.clone());
    assert!(
        e.contains("macOS 15.0") && e.contains("MACOSX_DEPLOYMENT_TARGET=11.0"),
        "{e}"
    );

    let missing = dir.path().join("missing-binary");
    let e = app_error(dir.path(), |a| a.binary = missing.clone());
    assert!(e.contains("missing-binary"), "{e}");
}

#[test]
fn existing_bundle_in_staging_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let app = sample_app(dir.path());
    let stage = dir.path().join("stage");
    fs::create_dir_all(stage.join("Hello.app")).unwrap();
    let e = write_app(&app, &stage).unwrap_err().to_string();
    assert!(e.contains("already exists"), "{e}");
}

#[test]
fn pkg_and_dmg_refuse_a_directory_that_is_not_an_app() {
    let dir = tempfile::tempdir().unwrap();
    let not_app = dir.path().join("Hello.app");
    fs::create_dir(&not_app).unwrap();
    let e = write_pkg(&not_app, &PkgInfo::new("Hello", 0), Vec::new()).unwrap_err();
    assert!(matches!(e, MacosError::NotAnApp { .. }), "{e}");
    assert!(e.to_string().contains("Info.plist is missing"), "{e}");
    let e = write_dmg(
        &not_app,
        &DmgOptions::new("Hello", 0),
        std::io::Cursor::new(Vec::new()),
    )
    .unwrap_err();
    assert!(matches!(e, MacosError::NotAnApp { .. }), "{e}");
}

#[test]
fn bad_pkg_and_dmg_settings_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let app = crate::built_app(dir.path());
    let mut info = PkgInfo::new("Hello", 0);
    info.install_location = "Applications/../..".into();
    let e = write_pkg(&app, &info, Vec::new()).unwrap_err().to_string();
    assert!(e.contains("install_location"), "{e}");
    let e = write_dmg(
        &app,
        &DmgOptions::new("a:b", 0),
        std::io::Cursor::new(Vec::new()),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("volume_name"), "{e}");
}
