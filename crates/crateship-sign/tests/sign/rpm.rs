//! rpm header signatures made with crateship-sign's OpenPGP key and crateship-linux's
//! `sign_rpm`, checked by Debian's `rpmkeys -K` against a temporary rpm database:
//! with the public key imported the signature is OK, without it NOT OK.

use std::fs;
use std::path::Path;
use std::process::Command;

use crateship_linux::{Arch, LinuxPackage, PackageFile, sign_rpm, write_rpm};
use crateship_sign::PgpKey;
use tempfile::TempDir;

use crate::openpgp::{PASSPHRASE, make_key};
use crate::support::text;

const SDE: u32 = 1_700_000_000;

fn package(dir: &Path) -> std::path::PathBuf {
    let mut pkg = LinuxPackage::new(
        "hello",
        "1.2.3",
        "Says hello",
        "Example Corp <dev@example.org>",
        Arch::X86_64,
    );
    pkg.rpm_auto_requires = false;
    pkg.source_date_epoch = i64::from(SDE);
    pkg.files = vec![PackageFile::from_bytes(
        b"#!/bin/sh\necho hello\n".to_vec(),
        "usr/bin/hello",
        0o755,
    )];
    let path = dir.join("hello-1.2.3-1.x86_64.rpm");
    write_rpm(&pkg, fs::File::create(&path).unwrap()).unwrap();
    path
}

/// `rpmkeys -K` with a fresh database in `db`, after importing `public` if given.
fn check(db: &Path, public: Option<&Path>, rpm: &Path) -> (bool, String) {
    fs::create_dir_all(db).unwrap();
    let rpmkeys = |args: &[&dyn AsRef<std::ffi::OsStr>]| {
        let mut cmd = Command::new("rpmkeys");
        cmd.arg("--dbpath").arg(db);
        for a in args {
            cmd.arg(a);
        }
        cmd.output().expect("install rpm (Debian: rpm)")
    };
    if let Some(public) = public {
        let out = rpmkeys(&[&"--import", &public]);
        assert!(out.status.success(), "rpmkeys --import: {}", text(&out));
    }
    let out = rpmkeys(&[&"-K", &rpm]);
    (out.status.success(), text(&out))
}

fn signed_rpm_verifies(algo: &str) {
    let dir = TempDir::new().unwrap();
    let (secret, public) = make_key(algo);
    let public_path = dir.path().join("public.asc");
    fs::write(&public_path, &public).unwrap();
    let key = PgpKey::from_armored(&secret, PASSPHRASE).unwrap();
    let unsigned = package(dir.path());
    let signed = dir.path().join("signed.rpm");
    let sign = |header: &[u8], t: u32| key.sign_binary(header, Some(t)).map_err(|e| e.to_string());
    sign_rpm(&unsigned, &signed, SDE, sign).unwrap();

    let (ok, out) = check(&dir.path().join("db-with-key"), Some(&public_path), &signed);
    assert!(ok, "{out}");
    assert!(out.contains("digests signatures OK"), "{out}");

    let (ok, out) = check(&dir.path().join("db-without-key"), None, &signed);
    assert!(!ok, "without the key the check must fail: {out}");
    assert!(out.contains("SIGNATURES NOT OK"), "{out}");

    // The unsigned package has digests but no signature.
    let (_, out) = check(
        &dir.path().join("db-unsigned"),
        Some(&public_path),
        &unsigned,
    );
    assert!(out.contains("digests OK"), "{out}");
    assert!(!out.contains("signatures"), "{out}");

    // Reproducible: the same key, package and time give the same bytes; re-signing in
    // place replaces the signature instead of adding one.
    let again = dir.path().join("again.rpm");
    sign_rpm(&unsigned, &again, SDE, sign).unwrap();
    assert!(
        fs::read(&signed).unwrap() == fs::read(&again).unwrap(),
        "re-signing is not reproducible"
    );
    sign_rpm(&again, &again, SDE, sign).unwrap();
    assert!(
        fs::read(&signed).unwrap() == fs::read(&again).unwrap(),
        "re-signing is not reproducible"
    );

    // A changed payload byte breaks it.
    let mut bytes = fs::read(&signed).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 0x01;
    let tampered = dir.path().join("tampered.rpm");
    fs::write(&tampered, bytes).unwrap();
    let (ok, out) = check(
        &dir.path().join("db-tampered"),
        Some(&public_path),
        &tampered,
    );
    assert!(!ok, "a tampered package must fail: {out}");
}

#[test]
fn rpmkeys_accepts_an_rsa_header_signature_only_with_the_key() {
    signed_rpm_verifies("rsa3072");
}

#[test]
fn rpmkeys_accepts_an_ed25519_header_signature_only_with_the_key() {
    signed_rpm_verifies("ed25519");
}

#[test]
fn a_failing_signer_leaves_no_signed_rpm() {
    let dir = TempDir::new().unwrap();
    let unsigned = package(dir.path());
    let signed = dir.path().join("signed.rpm");
    let err = sign_rpm(&unsigned, &signed, SDE, |_, _| {
        Err("the key is locked".into())
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("the key is locked") && err.contains("hello-1.2.3"),
        "{err}"
    );
    assert!(!signed.exists());
}
