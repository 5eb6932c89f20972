//! minisign signatures, checked by Debian's `minisign -V`.

use std::fs;

use crateship_sign::sign_minisign;
use tempfile::TempDir;

use crate::support::{run, run_ok, text};

#[test]
fn debian_minisign_verifies_our_minisig() {
    let dir = TempDir::new().unwrap();
    let public = dir.path().join("key.pub");
    let secret = dir.path().join("key.sec");
    // Keys from Debian's `minisign -G -W` (0.11) are rejected by the `minisign` crate 0.10
    // ("Corrupted key"), so the key pair comes from the crate; verification is Debian's.
    let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    fs::write(&public, pair.pk.to_box().unwrap().into_string()).unwrap();
    fs::write(&secret, pair.sk.to_box(None).unwrap().into_string()).unwrap();
    let file = dir.path().join("SHA256SUMS");
    fs::write(&file, "0123abcd  Hello-1.2.3-x64.msi\n").unwrap();
    let secret_text = fs::read_to_string(&secret).unwrap();
    let (sig, report) = sign_minisign(
        fs::File::open(&file).unwrap(),
        &secret_text,
        None,
        Some("file:SHA256SUMS"),
    )
    .unwrap();
    assert_eq!(report.scheme, "minisign");
    let public_text = fs::read_to_string(&public).unwrap();
    assert!(
        public_text.contains(&report.sha256_fingerprint),
        "{public_text} {report:?}"
    );
    fs::write(dir.path().join("SHA256SUMS.minisig"), &sig).unwrap();
    let out = run_ok("minisign", &[&"-V", &"-p", &public, &"-m", &file]);
    assert!(
        out.contains("Signature and comment signature verified"),
        "{out}"
    );
    assert!(out.contains("file:SHA256SUMS"), "{out}");
    let secret_line = secret_text.lines().nth(1).unwrap();
    assert!(!sig.contains(secret_line));

    fs::write(&file, "0123abcd  Hello-1.2.3-x64.msj\n").unwrap();
    let out = run("minisign", &[&"-V", &"-p", &public, &"-m", &file]);
    assert!(
        !out.status.success(),
        "a modified file must fail: {}",
        text(&out)
    );
}
