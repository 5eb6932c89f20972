//! The `.app` bundle: Info.plist read by Python's plistlib, layout, modes, determinism.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::{ODD_NAME, SDE, assert_same_tree, built_app, python, snapshot};

#[test]
fn info_plist_has_every_key_plistlib_reads() {
    let dir = tempfile::tempdir().unwrap();
    let app = built_app(dir.path());
    assert_eq!(app.file_name().unwrap(), "Hello.app");
    let out = python(
        r#"
import json, plistlib, sys
with open(sys.argv[1], "rb") as f:
    d = plistlib.load(f)
for k, v in d.items():
    print(k + "\t" + json.dumps(v, sort_keys=True, ensure_ascii=False))
"#,
        &[&app.join("Contents/Info.plist")],
    );
    let v: std::collections::BTreeMap<&str, &str> =
        out.lines().filter_map(|l| l.split_once('\t')).collect();
    let expect = [
        ("CFBundleIdentifier", "\"org.example.hello\""),
        ("CFBundleName", "\"Hello\""),
        ("CFBundleDisplayName", "\"Hello Desktop ✓\""),
        ("CFBundleExecutable", "\"hello\""),
        ("CFBundleShortVersionString", "\"1.2.3\""),
        ("CFBundleVersion", "\"1.2.3\""),
        ("CFBundleIconFile", "\"Hello.icns\""),
        ("CFBundlePackageType", "\"APPL\""),
        ("CFBundleInfoDictionaryVersion", "\"6.0\""),
        ("LSMinimumSystemVersion", "\"11.0\""),
        ("NSHighResolutionCapable", "true"),
        (
            "LSApplicationCategoryType",
            "\"public.app-category.utilities\"",
        ),
        ("NSHumanReadableCopyright", "\"© 2024 Example\""),
        ("NSCameraUsageDescription", "\"To wave.\""),
        (
            "CFBundleURLTypes",
            "[{\"CFBundleURLName\": \"org.example.hello\", \"CFBundleURLSchemes\": [\"hello\"]}]",
        ),
        (
            "CFBundleDocumentTypes",
            "[{\"CFBundleTypeExtensions\": [\"hello\"], \"CFBundleTypeName\": \"Hello Document\", \"CFBundleTypeRole\": \"Editor\"}]",
        ),
    ];
    for (k, val) in expect {
        assert_eq!(v.get(k).copied(), Some(val), "key {k} in {out}");
    }
    // Dark mode allowed: the opt-out key is absent.
    assert!(!v.contains_key("NSRequiresAquaSystemAppearance"), "{out}");
}

#[test]
fn bundle_layout_modes_and_mtimes() {
    let dir = tempfile::tempdir().unwrap();
    let app = built_app(dir.path());
    let c = app.join("Contents");
    assert_eq!(fs::read(c.join("PkgInfo")).unwrap(), b"APPL????");
    assert_eq!(
        fs::read(c.join("Resources/Hello.icns")).unwrap(),
        b"icns\0\0\0\x08"
    );
    assert_eq!(
        fs::read(c.join("MacOS/hello")).unwrap(),
        fs::read(dir.path().join("hello-bin")).unwrap()
    );
    assert_eq!(
        fs::read(c.join("Resources/data").join(ODD_NAME)).unwrap(),
        b"odd\n"
    );
    assert_eq!(
        fs::read(c.join("Resources/docs/README.txt")).unwrap(),
        b"read me\n"
    );
    let link = c.join("Resources/data/sub dir/link to data");
    assert_eq!(
        fs::read_link(&link).unwrap().to_str(),
        Some("ünïcode/data.bin")
    );
    let mode = |p: &std::path::Path| fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(&c.join("MacOS/hello")), 0o755);
    assert_eq!(mode(&c.join("Resources/data/sub dir/tool.sh")), 0o755);
    assert_eq!(mode(&c.join("Info.plist")), 0o644);
    assert_eq!(mode(&c.join("Resources")), 0o755);
    for p in [c.join("Info.plist"), c.join("Resources"), app.clone()] {
        let m = fs::metadata(&p).unwrap().modified().unwrap();
        let secs = m.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs, SDE, "{}", p.display());
    }
}

#[test]
fn two_builds_are_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let app_a = built_app(a.path());
    let app_b = built_app(b.path());
    assert_same_tree(&snapshot(&app_a), &snapshot(&app_b));
}
