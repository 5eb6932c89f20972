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

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key follows.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

#[test]
fn openssl_verifies_raw_ed25519_signatures_of_a_minisign_key() {
    let dir = TempDir::new().unwrap();
    let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let secret_text = pair.sk.to_box(None).unwrap().into_string();
    let key = crateship_sign::MinisignKey::from_secret_key(&secret_text, None).unwrap();

    // The key id is the one minisign puts in the public key file's comment.
    let public_box = pair.pk.to_box().unwrap().into_string();
    assert!(public_box.contains(key.key_id()), "{public_box} {key:?}");
    // Debug names the key id and nothing of the secret.
    let debug = format!("{key:?}");
    assert!(
        debug.contains(key.key_id()) && !debug.contains("signing"),
        "{debug}"
    );

    let message = b"DSSEv1 28 application/vnd.in-toto+json 2 {}";
    let signature = key.sign_raw_ed25519(message);
    assert_eq!(
        signature,
        key.sign_raw_ed25519(message),
        "Ed25519 is deterministic"
    );
    let mut der = ED25519_SPKI_PREFIX.to_vec();
    der.extend_from_slice(&key.public_key_raw());
    fs::write(dir.path().join("pub.der"), &der).unwrap();
    fs::write(dir.path().join("msg"), message).unwrap();
    fs::write(dir.path().join("sig"), signature).unwrap();
    let verify = |message: &str| {
        run(
            "openssl",
            &[
                &"pkeyutl",
                &"-verify",
                &"-pubin",
                &"-keyform",
                &"DER",
                &"-inkey",
                &dir.path().join("pub.der"),
                &"-rawin",
                &"-in",
                &dir.path().join(message),
                &"-sigfile",
                &dir.path().join("sig"),
            ],
        )
    };
    let out = verify("msg");
    assert!(out.status.success(), "{}", text(&out));
    let mut flipped = message.to_vec();
    flipped[7] ^= 1;
    fs::write(dir.path().join("flipped"), flipped).unwrap();
    assert!(
        !verify("flipped").status.success(),
        "a flipped byte must fail"
    );
}

#[test]
fn a_wrong_minisign_password_is_named_without_the_password() {
    let pair = minisign::KeyPair::generate_encrypted_keypair(Some("right".into())).unwrap();
    let secret_text = pair.sk.to_box(None).unwrap().into_string();
    let err = crateship_sign::MinisignKey::from_secret_key(&secret_text, Some("wrong-pw"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("check the password"), "{err}");
    assert!(!err.contains("wrong-pw"), "{err}");
}
