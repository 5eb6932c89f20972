//! Key sources fail with clear messages, and no password or key bytes ever show up in
//! errors, reports or `Debug` output.

use std::fs;

use crateship_sign::{SignError, SigningKey, sign_pe};
use tempfile::TempDir;

use crate::support::{PASSWORD, exe, pki, tsa_options};

/// Every secret a message must not contain: the password, and the key's PEM body lines
/// and DER bytes rendered as hex.
fn secrets(key_file: &str) -> Vec<String> {
    let pem = String::from_utf8(pki().read(key_file)).unwrap();
    let mut out = vec![PASSWORD.to_owned()];
    out.extend(
        pem.lines()
            .filter(|l| !l.starts_with("-----") && l.len() > 16)
            .map(str::to_owned),
    );
    let der: Vec<u8> = {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let out = crate::support::run_ok(
            "sh",
            &[
                &"-c",
                &format!("printf %s '{body}' | base64 -d | od -An -tx1 | tr -d ' \\n'"),
            ],
        );
        out.into_bytes()
    };
    out.push(String::from_utf8(der[..64].to_vec()).unwrap());
    out
}

fn assert_clean(text: &str, key_file: &str) {
    for secret in secrets(key_file) {
        assert!(!text.contains(&secret), "a secret leaked into: {text}");
    }
}

#[test]
fn wrong_pkcs12_password_says_so_without_echoing_it() {
    let err = SigningKey::from_pkcs12(&pki().read("rsa.pfx"), "not-the-password").unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SignError::Pkcs12 { .. }), "{message}");
    assert!(message.contains("password"), "{message}");
    assert!(!message.contains("not-the-password"), "{message}");
    assert!(!format!("{err:?}").contains("not-the-password"));
}

#[test]
fn key_not_matching_the_certificate_is_rejected() {
    let pki = pki();
    let err = SigningKey::from_pem(&pki.read("ec.key"), &pki.read("rsa.pem")).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SignError::KeyMismatch { .. }), "{message}");
    assert!(message.contains("matches the private key"), "{message}");
    assert_clean(&message, "ec.key");
    assert_clean(&format!("{err:?}"), "ec.key");
}

#[test]
fn non_code_signing_certificate_is_rejected() {
    let pki = pki();
    let err = SigningKey::from_pem(&pki.read("tls.key"), &pki.read("tls.pem")).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SignError::NotCodeSigning { .. }), "{message}");
    assert!(message.contains("codeSigning"), "{message}");
    assert!(message.contains("CN=tls"), "{message}");
}

#[test]
fn not_a_pe_names_the_file() {
    let dir = TempDir::new().unwrap();
    let pki = pki();
    let key = SigningKey::from_pem(&pki.read("ec.key"), &pki.read("ec.pem")).unwrap();
    let input = dir.path().join("notes.txt");
    fs::write(&input, "hello").unwrap();
    let err = sign_pe(&input, &dir.path().join("out.exe"), &key, &tsa_options()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("notes.txt") && message.contains("MZ"),
        "{message}"
    );
}

#[test]
fn no_secret_in_debug_reports_or_signed_files() {
    let dir = TempDir::new().unwrap();
    let pki = pki();
    for (pfx, key_file) in [("rsa.pfx", "rsa.key"), ("ec.pfx", "ec.key")] {
        let key = SigningKey::from_pkcs12(&pki.read(pfx), PASSWORD).unwrap();
        assert_clean(&format!("{key:?}"), key_file);
        let out = dir.path().join("signed.exe");
        let report = sign_pe(exe(), &out, &key, &tsa_options()).unwrap();
        assert_clean(&serde_json::to_string(&report).unwrap(), key_file);
        assert_clean(&format!("{report:?}"), key_file);
        let signed = fs::read(&out).unwrap();
        assert!(
            !signed
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes())
        );
    }
}
