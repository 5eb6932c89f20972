//! `latest.json` read back by Python's `json`, its minisign signatures verified by
//! Debian's `minisign -V` with the public key taken from the updater-config form.

use std::fs;
use std::path::Path;

use crateship_feeds::FeedError;
use crateship_feeds::tauri::{
    PlatformUpdate, UpdaterPlatform, UpdaterRelease, latest_json, platform_key, updater_public_key,
};
use crateship_sign::{MinisignSecretKey, Secret};
use tempfile::TempDir;

use crate::support::{noise, python, run_in, run_ok, text};

const EPOCH: i64 = 1_700_000_000;

/// Reads latest.json with Python and, per platform key, writes the base64-decoded
/// signature to `<dir>/<key>.minisig`; prints `key format url` lines and the top-level
/// fields.
const READ_MANIFEST: &str = r#"
import base64, json, sys
doc = json.load(open(sys.argv[1]))
print("keys", ",".join(doc.keys()))
print("version", doc["version"])
print("pub_date", doc["pub_date"])
print("notes", json.dumps(doc.get("notes")))
for key, entry in doc["platforms"].items():
    open(sys.argv[2] + "/" + key + ".minisig", "wb").write(base64.b64decode(entry["signature"]))
    print("platform", key, entry["format"], entry["url"], ",".join(entry.keys()))
"#;

fn minisign_key() -> (MinisignSecretKey, String) {
    let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let secret = Secret::new(pair.sk.to_box(None).unwrap().into_string());
    let key = MinisignSecretKey::load(&secret, "MINISIGN_KEY", None).unwrap();
    let public = key.public_key_text().unwrap();
    (key, public)
}

fn signed(key: &MinisignSecretKey, file: &Path, os: &str, arch: &str, url: &str) -> PlatformUpdate {
    let name = file.file_name().unwrap().to_str().unwrap();
    let (signature, _) = key
        .sign(
            fs::File::open(file).unwrap(),
            Some(&format!("file:{name}\tversion:1.1.0")),
        )
        .unwrap();
    PlatformUpdate {
        platform: UpdaterPlatform::from_target(os, arch).unwrap(),
        url: url.to_owned(),
        minisign_signature: signature,
    }
}

fn one_byte_file(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("a.AppImage");
    fs::write(&file, b"x").unwrap();
    file
}

#[test]
fn debian_minisign_verifies_every_signature_in_latest_json() {
    let dir = TempDir::new().unwrap();
    let (key, public) = minisign_key();
    let files = [
        ("Hello-1.1.0-x86_64.AppImage", "linux", "x86_64"),
        ("Hello-1.1.0-x64.msi", "windows", "x86_64"),
        ("Hello-1.1.0-arm64.app.tar.gz", "macos", "aarch64"),
    ];
    let mut platforms = Vec::new();
    for (i, (name, os, arch)) in files.iter().enumerate() {
        let path = dir.path().join(name);
        fs::write(&path, noise(50_000 + i, i as u64 + 1)).unwrap();
        platforms.push(signed(
            &key,
            &path,
            os,
            arch,
            &format!("https://example.org/1.1.0/{name}"),
        ));
    }
    let release = UpdaterRelease {
        version: "1.1.0".into(),
        notes: Some("Fixes \"quotes\" & ünïcode\nsecond line".into()),
        pub_date: EPOCH,
        platforms: platforms.clone(),
    };
    let json = latest_json(&release).unwrap();
    platforms.reverse();
    let reordered = UpdaterRelease {
        platforms,
        ..release.clone()
    };
    assert_eq!(
        latest_json(&reordered).unwrap(),
        json,
        "the input order must not matter"
    );
    let manifest = dir.path().join("latest.json");
    fs::write(&manifest, &json).unwrap();

    let sigs = dir.path().join("sigs");
    fs::create_dir(&sigs).unwrap();
    let read = python(READ_MANIFEST, &[&manifest, &sigs]);
    assert!(
        read.contains("keys notes,platforms,pub_date,version\n"),
        "{read}"
    );
    assert!(read.contains("version 1.1.0\n"), "{read}");
    assert!(read.contains("pub_date 2023-11-14T22:13:20Z\n"), "{read}");
    assert!(
        read.contains(r#"notes "Fixes \"quotes\" & \u00fcn\u00efcode\nsecond line""#),
        "{read}"
    );
    let expected = [
        ("darwin-aarch64", "app", "Hello-1.1.0-arm64.app.tar.gz"),
        ("linux-x86_64", "appimage", "Hello-1.1.0-x86_64.AppImage"),
        ("macos-aarch64", "app", "Hello-1.1.0-arm64.app.tar.gz"),
        ("windows-x86_64", "wix", "Hello-1.1.0-x64.msi"),
    ];
    let listed: Vec<&str> = read
        .lines()
        .filter(|l| l.starts_with("platform "))
        .collect();
    assert_eq!(listed.len(), expected.len(), "{read}");
    for ((key, format, file), line) in expected.iter().zip(&listed) {
        assert_eq!(
            *line,
            format!(
                "platform {key} {format} https://example.org/1.1.0/{file} format,signature,url"
            )
        );
    }

    // The updater-config form decodes to the public key file; its key line verifies.
    let config = updater_public_key(&public).unwrap();
    let decoded = python(
        "import base64,sys; print(base64.b64decode(sys.argv[1]).decode(), end='')",
        &[&config],
    );
    assert_eq!(decoded, public);
    let key_line = decoded.lines().nth(1).unwrap();
    for (key, _, file) in expected {
        let sig = sigs.join(format!("{key}.minisig"));
        let file = dir.path().join(file);
        let out = run_ok(
            dir.path(),
            "minisign",
            &[&"-V", &"-P", &key_line, &"-m", &file, &"-x", &sig],
        );
        assert!(
            out.contains("Signature and comment signature verified"),
            "{out}"
        );
        assert!(out.contains("version:1.1.0"), "{out}");
    }
    let file = dir.path().join("Hello-1.1.0-x64.msi");
    let mut flipped = fs::read(&file).unwrap();
    flipped[777] ^= 0x01;
    fs::write(&file, flipped).unwrap();
    let sig = sigs.join("windows-x86_64.minisig");
    let out = run_in(
        dir.path(),
        "minisign",
        &[&"-V", &"-P", &key_line, &"-m", &file, &"-x", &sig],
    );
    assert!(
        !out.status.success(),
        "a flipped byte must fail: {}",
        text(&out)
    );
}

#[test]
fn rust_targets_map_to_the_updaters_platform_keys() {
    assert_eq!(platform_key("linux", "x86_64"), Some("linux-x86_64"));
    assert_eq!(platform_key("linux", "aarch64"), Some("linux-aarch64"));
    assert_eq!(platform_key("windows", "x86_64"), Some("windows-x86_64"));
    assert_eq!(platform_key("windows", "aarch64"), Some("windows-aarch64"));
    assert_eq!(platform_key("macos", "x86_64"), Some("darwin-x86_64"));
    assert_eq!(platform_key("darwin", "aarch64"), Some("darwin-aarch64"));
    assert_eq!(platform_key("freebsd", "x86_64"), None);
    assert_eq!(platform_key("linux", "riscv64"), None);
    let mac = UpdaterPlatform::from_target("macos", "aarch64").unwrap();
    assert_eq!(mac.keys(), ["darwin-aarch64", "macos-aarch64"]);
    assert_eq!(mac.format(), "app");
}

#[test]
fn bad_manifest_input_names_the_field_and_the_fix() {
    let (key, _) = minisign_key();
    let dir = TempDir::new().unwrap();
    let file = one_byte_file(dir.path());
    let good = signed(
        &key,
        &file,
        "linux",
        "x86_64",
        "https://example.org/a.AppImage",
    );
    let release = |version: &str, platforms: Vec<PlatformUpdate>| UpdaterRelease {
        version: version.into(),
        notes: None,
        pub_date: EPOCH,
        platforms,
    };
    let cases: Vec<(UpdaterRelease, &str, &str)> = vec![
        (
            release("1.1", vec![good.clone()]),
            "version",
            "MAJOR.MINOR.PATCH",
        ),
        (
            release(
                "1.1.0",
                vec![PlatformUpdate {
                    url: "a.AppImage".into(),
                    ..good.clone()
                }],
            ),
            "url of linux-x86_64",
            "http(s)://",
        ),
        (
            release(
                "1.1.0",
                vec![PlatformUpdate {
                    minisign_signature: "not a signature".into(),
                    ..good.clone()
                }],
            ),
            "signature of linux-x86_64",
            ".minisig text",
        ),
        (
            release("1.1.0", vec![good.clone(), good.clone()]),
            "platform",
            "one file per platform",
        ),
    ];
    for (release, field, fix) in cases {
        let err = latest_json(&release).unwrap_err();
        assert!(matches!(err, FeedError::InvalidField { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains(field), "{message}");
        assert!(message.contains(fix), "{message}");
    }
    let err = updater_public_key("untrusted comment: x\nnot base64\n").unwrap_err();
    assert!(err.to_string().contains(".pub"), "{err}");
}

#[test]
fn a_release_without_notes_leaves_them_out() {
    let (key, _) = minisign_key();
    let dir = TempDir::new().unwrap();
    let file = one_byte_file(dir.path());
    let release = UpdaterRelease {
        version: "2.0.0".into(),
        notes: None,
        pub_date: 0,
        platforms: vec![signed(
            &key,
            &file,
            "linux",
            "aarch64",
            "https://example.org/a.AppImage",
        )],
    };
    let json = latest_json(&release).unwrap();
    assert!(!json.contains("notes"), "{json}");
    assert!(
        json.contains("\"pub_date\": \"1970-01-01T00:00:00Z\""),
        "{json}"
    );
    assert!(json.ends_with("}\n"), "{json}");
    assert_eq!(latest_json(&release).unwrap(), json);
}
