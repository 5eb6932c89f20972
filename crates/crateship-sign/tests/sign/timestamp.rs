//! RFC 3161 fallback: dead servers are skipped within their timeout; when all are dead,
//! the error lists each one and no signed file is written.

use std::time::{Duration, Instant};

use crateship_sign::{AuthenticodeOptions, SignError, SigningKey, sign_msi, sign_pe};
use tempfile::TempDir;

use crate::support::{closed_url, exe, hung_url, msi, pki, tsa_url, verify};

fn key() -> SigningKey {
    let pki = pki();
    SigningKey::from_pem(&pki.read("ec.key"), &pki.read("ec.pem")).unwrap()
}

fn options(urls: Vec<String>) -> AuthenticodeOptions {
    AuthenticodeOptions {
        timestamp_urls: urls,
        timeout: Duration::from_millis(700),
        retries: 1,
        allow_unstamped: false,
    }
}

#[test]
fn fallback_skips_a_closed_port_and_a_hung_server() {
    let dir = TempDir::new().unwrap();
    let tsa = tsa_url().to_owned();
    let key = key();
    let out = dir.path().join("signed.exe");
    let start = Instant::now();
    let report = sign_pe(
        exe(),
        &out,
        &key,
        &options(vec![closed_url(), hung_url(), tsa.clone()]),
    )
    .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(report.timestamp_server, Some(tsa));
    let (ok, text) = verify(&out);
    assert!(ok, "{text}");
}

#[test]
fn all_servers_dead_fails_with_every_error_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let key = key();
    let urls = vec![
        closed_url(),
        hung_url(),
        "http://127.0.0.1:1/tsa".to_owned(),
    ];
    let start = Instant::now();
    let out = dir.path().join("signed.exe");
    let err = sign_pe(exe(), &out, &key, &options(urls.clone())).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
    let SignError::Timestamp { attempts } = &err else {
        panic!("{err}")
    };
    assert_eq!(attempts.len(), 3);
    let message = err.to_string();
    for url in &urls {
        assert!(message.contains(url.as_str()), "{message}");
    }
    assert!(message.contains("no answer within"), "{message}");
    assert!(!out.exists());

    let input = msi(dir.path());
    let before = std::fs::read(&input).unwrap();
    let signed = dir.path().join("signed.msi");
    sign_msi(&input, &signed, &key, &options(urls.clone())).unwrap_err();
    assert!(!signed.exists());
    sign_msi(&input, &input, &key, &options(urls)).unwrap_err();
    assert_eq!(std::fs::read(&input).unwrap(), before, "the input changed");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "temporary files left behind: {leftovers:?}"
    );
}

#[test]
fn unstamped_signing_when_allowed_warns_loudly() {
    let dir = TempDir::new().unwrap();
    let key = key();
    let mut opts = options(vec![closed_url()]);
    opts.allow_unstamped = true;
    let out = dir.path().join("signed.exe");
    let report = sign_pe(exe(), &out, &key, &opts).unwrap();
    assert_eq!(report.timestamp_server, None);
    assert_eq!(report.warnings.len(), 1);
    assert!(
        report.warnings[0].contains("WITHOUT a timestamp"),
        "{:?}",
        report.warnings
    );
    let (ok, text) = verify(&out);
    assert!(ok, "{text}");
}
