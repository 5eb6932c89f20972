//! Authenticode on an MSI written by crateship-windows, checked by `osslsigncode verify`.

use std::fs;
use std::io::{Read, Write};

use crateship_sign::{SigningKey, sign_msi};
use tempfile::TempDir;

use crate::support::{PASSWORD, msi, pki, tsa_options, tsa_url, verify};

#[test]
fn signed_msi_verifies_with_timestamp_and_a_changed_stream_fails() {
    let dir = TempDir::new().unwrap();
    let input = msi(dir.path());
    let key = SigningKey::from_pkcs12(&pki().read("rsa.pfx"), PASSWORD).unwrap();
    let out = dir.path().join("signed.msi");
    let report = sign_msi(&input, &out, &key, &tsa_options()).unwrap();
    assert_eq!(report.scheme, "authenticode-msi");
    assert_eq!(report.timestamp_server.as_deref(), Some(tsa_url()));
    let (ok, text) = verify(&out);
    assert!(ok, "{text}");
    assert!(
        text.contains("Timestamp Server Signature verification: ok"),
        "{text}"
    );
    assert!(text.contains("Timestamp time:"), "{text}");

    // Flip one byte of the summary information stream.
    let tampered = dir.path().join("tampered.msi");
    fs::copy(&out, &tampered).unwrap();
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&tampered)
        .unwrap();
    let mut comp = cfb::CompoundFile::open(file).unwrap();
    let name = "/\u{5}SummaryInformation";
    let mut bytes = Vec::new();
    comp.open_stream(name)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    comp.create_stream(name).unwrap().write_all(&bytes).unwrap();
    comp.flush().unwrap();
    drop(comp);
    let (ok, text) = verify(&tampered);
    assert!(!ok, "a modified MSI must fail: {text}");
}

#[test]
fn msi_resigned_in_place_with_ecdsa_verifies() {
    let dir = TempDir::new().unwrap();
    let input = msi(dir.path());
    let pki = pki();
    let rsa = SigningKey::from_pem(&pki.read("rsa.key"), &pki.read("rsa.pem")).unwrap();
    let ec = SigningKey::from_pkcs12(&pki.read("ec.pfx"), PASSWORD).unwrap();
    sign_msi(&input, &input, &rsa, &tsa_options()).unwrap();
    sign_msi(&input, &input, &ec, &tsa_options()).unwrap();
    let (ok, text) = verify(&input);
    assert!(ok, "{text}");
    assert!(text.contains("CN=ec"), "{text}");
}
