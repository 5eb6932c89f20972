//! The Scoop manifest validated by PyPI `check-jsonschema` against Scoop's own
//! `schema.json`, read back with Python's `json`, every hash compared with the file.

use std::path::Path;

use crateship_manifests::scoop::scoop;

use crate::support::{FakeRelease, run_ok, sha256_file, write};
use crate::winget::yaml_as_json;

#[test]
fn the_scoop_manifest_validates_and_its_hashes_are_the_zips() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = FakeRelease::new(
        &tmp.path().join("release"),
        "https://example.org/dl/v{version}",
    );
    let files = scoop(&fake.release).unwrap();
    assert_eq!(files[0].path, "hello.json");
    let out = tmp.path().join("scoop");
    write(&out, &files);
    let schema = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemas/scoop/schema.json"
    ));
    run_ok(
        &out,
        "check-jsonschema",
        &[&"--schemafile", &schema, &"hello.json"],
    );

    let manifest = yaml_as_json(&out.join("hello.json"));
    assert_eq!(manifest["version"], "1.2.3");
    assert_eq!(manifest["license"], "MIT|Apache-2.0");
    assert_eq!(
        manifest["bin"],
        serde_json::json!(["hello.exe", "hello-cli.exe"])
    );
    assert_eq!(
        manifest["shortcuts"],
        serde_json::json!([["hello.exe", "Hello Desktop"]])
    );
    for (arch, triple) in [
        ("64bit", "x86_64-pc-windows-gnu"),
        ("arm64", "aarch64-pc-windows-gnullvm"),
    ] {
        let zip = format!("hello-1.2.3-{triple}.zip");
        let entry = &manifest["architecture"][arch];
        assert_eq!(entry["hash"], sha256_file(&fake.dir.join(&zip)).as_str());
        assert_eq!(
            entry["url"],
            format!("https://example.org/dl/v1.2.3/{zip}").as_str()
        );
        assert_eq!(
            entry["extract_dir"],
            format!("hello-1.2.3-{triple}").as_str()
        );
        let update = &manifest["autoupdate"]["architecture"][arch];
        assert_eq!(
            update["url"],
            format!("https://example.org/dl/v$version/hello-$version-{triple}.zip").as_str()
        );
        assert_eq!(
            update["extract_dir"],
            format!("hello-$version-{triple}").as_str()
        );
        assert_eq!(update["hash"]["url"], "$baseurl/SHA256SUMS");
    }
    assert!(manifest["architecture"].get("32bit").is_none());
    assert_eq!(manifest["checkver"]["url"], "https://example.org/hello");
    assert_eq!(
        manifest["checkver"]["regex"],
        r"hello-([\w.+-]+?)-x86_64-pc-windows-gnu\.zip"
    );
}

#[test]
fn a_github_base_url_makes_a_github_checkver() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = FakeRelease::new(
        tmp.path(),
        "https://github.com/jane/hello/releases/download/v{version}",
    );
    let files = scoop(&fake.release).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&files[0].contents).unwrap();
    assert_eq!(
        manifest["checkver"],
        serde_json::json!({"github": "https://github.com/jane/hello"})
    );
}
