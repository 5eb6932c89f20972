//! minisign signatures, checked by Debian's `minisign -V`.

use std::fs;

use crateship_sign::{MinisignSecretKey, Secret, sign_minisign};
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

const PASSWORD: &str = "tr0ub4dor-minisign";

/// An encrypted key pair made by the `minisign` crate (Debian's `minisign -G` keys do
/// not load in the crate, see above): the secret key text and the public key text.
fn encrypted_pair() -> (String, String) {
    let pair = minisign::KeyPair::generate_encrypted_keypair(Some(PASSWORD.into())).unwrap();
    (
        pair.sk.to_box(None).unwrap().into_string(),
        pair.pk.to_box().unwrap().into_string(),
    )
}

#[test]
fn debian_minisign_verifies_with_the_public_key_text_we_derive() {
    let dir = TempDir::new().unwrap();
    let (secret, public) = encrypted_pair();
    let password = Secret::new(PASSWORD);
    let key = MinisignSecretKey::load(
        &Secret::new(secret.as_str()),
        "MINISIGN_KEY",
        Some((&password, "MINISIGN_PASSWORD")),
    )
    .unwrap();
    let derived = key.public_key_text().unwrap();
    assert_eq!(derived.lines().nth(1), public.lines().nth(1), "{derived}");
    assert!(derived.starts_with("untrusted comment: "), "{derived}");
    assert!(derived.contains(key.key_id()), "{derived}");
    let public_file = dir.path().join("derived.pub");
    fs::write(&public_file, &derived).unwrap();

    let file = dir.path().join("Hello-1.2.3-x86_64.AppImage");
    fs::write(&file, vec![7u8; 70_000]).unwrap();
    let (sig, report) = key
        .sign(
            fs::File::open(&file).unwrap(),
            Some("file:Hello-1.2.3-x86_64.AppImage"),
        )
        .unwrap();
    assert_eq!(report.sha256_fingerprint, key.key_id());
    let sig_file = dir.path().join("app.minisig");
    fs::write(&sig_file, &sig).unwrap();
    let out = run_ok(
        "minisign",
        &[&"-V", &"-p", &public_file, &"-m", &file, &"-x", &sig_file],
    );
    assert!(
        out.contains("Signature and comment signature verified"),
        "{out}"
    );
    let key_line = derived.lines().nth(1).unwrap();
    run_ok(
        "minisign",
        &[&"-V", &"-P", &key_line, &"-m", &file, &"-x", &sig_file],
    );

    let mut flipped = fs::read(&file).unwrap();
    flipped[12_345] ^= 0x20;
    fs::write(&file, &flipped).unwrap();
    let out = run(
        "minisign",
        &[&"-V", &"-P", &key_line, &"-m", &file, &"-x", &sig_file],
    );
    assert!(
        !out.status.success(),
        "a flipped byte must fail: {}",
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
fn a_wrong_minisign_password_names_the_password_variable() {
    let (secret, _) = encrypted_pair();
    let wrong = Secret::new("not-the-password");
    let err = MinisignSecretKey::load(
        &Secret::new(secret.as_str()),
        "MINISIGN_KEY",
        Some((&wrong, "MINISIGN_PASSWORD")),
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("MINISIGN_KEY"), "{message}");
    assert!(message.contains("wrong password"), "{message}");
    assert!(message.contains("MINISIGN_PASSWORD"), "{message}");
    assert!(!message.contains("not-the-password"), "{message}");

    let err =
        MinisignSecretKey::load(&Secret::new(secret.as_str()), "MINISIGN_KEY", None).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("password-protected"), "{message}");
}

#[test]
fn a_malformed_minisign_key_names_its_variable_and_the_fix() {
    let garbage = "untrusted comment: not a key\nAAAAbm90IGEga2V5\n";
    let err = MinisignSecretKey::load(&Secret::new(garbage), "MINISIGN_KEY", None).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("MINISIGN_KEY"), "{message}");
    assert!(message.contains("minisign -G"), "{message}");
    assert!(!message.contains("AAAAbm90IGEga2V5"), "{message}");
    let shown = format!("{:?}", Secret::new(garbage));
    assert_eq!(shown, "<redacted>");
}

#[test]
fn a_minisign_key_shows_only_its_id_when_debugged() {
    let (secret, _) = encrypted_pair();
    let password = Secret::new(PASSWORD);
    let key = MinisignSecretKey::load(
        &Secret::new(secret.as_str()),
        "MINISIGN_KEY",
        Some((&password, "P")),
    )
    .unwrap();
    let shown = format!("{key:?}");
    assert!(shown.contains(key.key_id()), "{shown}");
    assert!(!shown.contains(secret.lines().nth(1).unwrap()), "{shown}");
}

#[test]
fn a_wrong_minisign_password_is_named_without_the_password() {
    let pair = minisign::KeyPair::generate_encrypted_keypair(Some("right".into())).unwrap();
    let secret_text = pair.sk.to_box(None).unwrap().into_string();
    let err = crateship_sign::MinisignKey::from_secret_key(&secret_text, Some("wrong-pw"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("wrong password"), "{err}");
    assert!(!err.contains("wrong-pw"), "{err}");
}
