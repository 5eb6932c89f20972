//! Same input, same bytes; different input, different PackageCode.

use tempfile::TempDir;

use crate::support::{build, build_sample, read, run_ok, sample_package};

#[test]
fn two_builds_are_byte_identical() {
    let a = TempDir::new().unwrap();
    let b = TempDir::new().unwrap();
    // Different host paths must not matter either.
    let (_, first) = build_sample(a.path());
    let (_, second) = build_sample(b.path());
    assert!(
        read(&first) == read(&second),
        "two builds of the same input differ"
    );
}

#[test]
fn a_new_version_gets_new_product_and_package_codes_but_keeps_the_upgrade_code() {
    let dir = TempDir::new().unwrap();
    let (_, first) = build_sample(dir.path());
    let mut pkg = sample_package(dir.path());
    pkg.version = "1.3.0".into();
    let second = dir.path().join("second.msi");
    build(&pkg, &second).unwrap();
    let property = |msi: &std::path::Path, name: &str| {
        crate::support::export(msi, "Property")
            .into_iter()
            .find(|r| r[0] == name)
            .unwrap()[1]
            .clone()
    };
    assert_eq!(
        property(&first, "UpgradeCode"),
        property(&second, "UpgradeCode")
    );
    assert_ne!(
        property(&first, "ProductCode"),
        property(&second, "ProductCode")
    );
    let revision = |msi: &std::path::Path| {
        run_ok("msiinfo", &[&"suminfo", &msi])
            .lines()
            .find(|l| l.starts_with("Revision number"))
            .unwrap()
            .to_owned()
    };
    assert_ne!(revision(&first), revision(&second));
    // Component GUIDs stay: the same file at the same place is the same component.
    let components = |msi: &std::path::Path| crate::support::export(msi, "Component");
    assert_eq!(components(&first), components(&second));
}

#[test]
fn a_configured_upgrade_code_is_used_verbatim() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    pkg.upgrade_code = Some("6f1c0a4e-3e1a-4f43-9a51-7b0b1b7b3f10".into());
    let msi = dir.path().join("coded.msi");
    build(&pkg, &msi).unwrap();
    let rows = crate::support::export(&msi, "Property");
    let code = rows.iter().find(|r| r[0] == "UpgradeCode").unwrap();
    assert_eq!(code[1], "{6F1C0A4E-3E1A-4F43-9A51-7B0B1B7B3F10}");
}
