//! winget manifests validated by PyPI `check-jsonschema` against winget-cli's own
//! 1.10.0 schemas, read back with PyPI `pyyaml`, and compared with what `msiinfo`
//! (Debian msitools) shows in the MSI's Property table.

use std::path::Path;

use crateship_manifests::winget::winget;

use crate::support::{FakeRelease, run_ok, sha256_file, write};

fn schemas() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemas"))
}

/// A YAML or JSON file as JSON, read by pyyaml.
pub fn yaml_as_json(path: &Path) -> serde_json::Value {
    let json = run_ok(
        Path::new("/"),
        "python3",
        &[
            &"-c",
            &"import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))",
            &path,
        ],
    );
    serde_json::from_str(&json).unwrap()
}

/// `msiinfo export MSI Property` as (name, value) pairs.
fn msi_property(msi: &Path, name: &str) -> String {
    let table = run_ok(Path::new("/"), "msiinfo", &[&"export", &msi, &"Property"]);
    table
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}\t")))
        .unwrap_or_else(|| panic!("no {name} in {table}"))
        .trim_end_matches('\r')
        .to_owned()
}

#[test]
fn winget_manifests_validate_and_carry_the_msis_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = FakeRelease::new(
        &tmp.path().join("release"),
        "https://example.org/dl/v{version}",
    );
    let files = winget(&fake.release).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        names,
        [
            "example.hello.yaml",
            "example.hello.locale.en-US.yaml",
            "example.hello.installer.yaml"
        ]
    );
    let out = tmp.path().join("winget");
    write(&out, &files);
    for (file, kind) in [
        ("example.hello.yaml", "version"),
        ("example.hello.locale.en-US.yaml", "defaultLocale"),
        ("example.hello.installer.yaml", "installer"),
    ] {
        let schema = schemas().join(format!("winget-1.10.0/manifest.{kind}.1.10.0.json"));
        run_ok(&out, "check-jsonschema", &[&"--schemafile", &schema, &file]);
    }

    let version = yaml_as_json(&out.join("example.hello.yaml"));
    assert_eq!(version["PackageVersion"], "1.2.3");
    assert_eq!(version["ManifestVersion"], "1.10.0");
    let locale = yaml_as_json(&out.join("example.hello.locale.en-US.yaml"));
    assert_eq!(locale["Publisher"], "Jane Doe");
    assert_eq!(locale["License"], "MIT OR Apache-2.0");

    let installer = yaml_as_json(&out.join("example.hello.installer.yaml"));
    assert_eq!(installer["InstallerType"], "wix");
    let entries = installer["Installers"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    let msi = fake.dir.join("Hello-Desktop-1.2.3-x64.msi");
    assert_eq!(entry["Architecture"], "x64");
    assert_eq!(entry["Scope"], "machine");
    assert_eq!(
        entry["InstallerUrl"],
        "https://example.org/dl/v1.2.3/Hello-Desktop-1.2.3-x64.msi"
    );
    assert_eq!(
        entry["InstallerSha256"]
            .as_str()
            .unwrap()
            .to_ascii_lowercase(),
        sha256_file(&msi)
    );
    let product_code = msi_property(&msi, "ProductCode");
    let upgrade_code = msi_property(&msi, "UpgradeCode");
    assert_eq!(entry["ProductCode"], product_code.as_str());
    let arp = &entry["AppsAndFeaturesEntries"][0];
    assert_eq!(arp["ProductCode"], product_code.as_str());
    assert_eq!(arp["UpgradeCode"], upgrade_code.as_str());
    assert!(arp.get("DisplayVersion").is_none(), "{arp}");
}

#[test]
fn a_configured_winget_identifier_names_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fake = FakeRelease::new(tmp.path(), "https://example.org/dl");
    fake.release.winget_identifier = Some("JaneDoe.HelloDesktop".into());
    let files = winget(&fake.release).unwrap();
    assert_eq!(files[0].path, "JaneDoe.HelloDesktop.yaml");
    assert!(
        files[2]
            .contents
            .contains("PackageIdentifier: JaneDoe.HelloDesktop\n")
    );
}
