//! Sparkle EdDSA keys and signatures, checked independently of our code: the keys are
//! made by Python (`hashlib` + PyPI `pynacl`) in both export forms of `generate_keys -x`,
//! and every signature is verified with pynacl.

use std::fs;
use std::path::Path;
use std::process::Command;

use crateship_sign::{Secret, SignError, SparkleKey};
use tempfile::TempDir;

use crate::support::text;

/// Keys made by Python: the 32-byte seed form, the older 96-byte form of the same
/// key, and its public key, each base64.
struct PythonKeys {
    seed_form: String,
    old_form: String,
    public: String,
}

fn python(script: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script);
    for arg in args {
        cmd.arg(arg);
    }
    let out = cmd
        .output()
        .expect("cannot run python3; install it with PyPI pynacl (`pip install pynacl`)");
    assert!(
        out.status.success(),
        "python failed (PyPI pynacl installed?): {}",
        text(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

const MAKE_KEYS: &str = r#"
import base64, hashlib, os
import nacl.signing
seed = os.urandom(32)
public = bytes(nacl.signing.SigningKey(seed).verify_key)
expanded = bytearray(hashlib.sha512(seed).digest())
expanded[0] &= 248; expanded[31] &= 63; expanded[31] |= 64
for part in (seed, bytes(expanded) + public, public):
    print(base64.b64encode(part).decode())
"#;

const VERIFY: &str = r#"
import base64, sys
import nacl.signing, nacl.exceptions
key = nacl.signing.VerifyKey(base64.b64decode(sys.argv[1]))
data = open(sys.argv[2], "rb").read()
try:
    key.verify(data, base64.b64decode(sys.argv[3]))
    print("good")
except nacl.exceptions.BadSignatureError:
    print("bad")
"#;

fn python_keys() -> PythonKeys {
    let out = python(MAKE_KEYS, &[]);
    let lines: Vec<&str> = out.lines().collect();
    PythonKeys {
        seed_form: lines[0].to_owned(),
        old_form: lines[1].to_owned(),
        public: lines[2].to_owned(),
    }
}

/// pynacl's verdict on `signature` (base64) of `file` under `public` (base64).
fn pynacl_verdict(public: &str, file: &Path, signature: &str) -> String {
    python(VERIFY, &[&public, &file, &signature])
        .trim()
        .to_owned()
}

#[test]
fn pynacl_verifies_signatures_from_both_exported_key_forms() {
    let dir = TempDir::new().unwrap();
    let keys = python_keys();
    // Over three read buffers long and not a multiple of one.
    let file = dir.path().join("Hello-1.2.3-arm64.dmg");
    let data: Vec<u8> = (0..200_003u32).map(|i| (i * 31 % 253) as u8).collect();
    fs::write(&file, &data).unwrap();

    let mut signatures = Vec::new();
    for form in [&keys.seed_form, &format!("  {}\n", keys.old_form)] {
        let key = SparkleKey::from_exported(&Secret::new(form.as_str()), "SPARKLE_KEY").unwrap();
        assert_eq!(key.public_key(), keys.public);
        let signed = key.sign_file(&file).unwrap();
        assert_eq!(signed.length, data.len() as u64);
        assert_eq!(
            pynacl_verdict(&keys.public, &file, &signed.ed_signature),
            "good"
        );
        signatures.push(signed.ed_signature);
    }
    assert_eq!(
        signatures[0], signatures[1],
        "Ed25519 is deterministic for one key"
    );

    let mut flipped = data.clone();
    flipped[100_000] ^= 1;
    fs::write(&file, &flipped).unwrap();
    assert_eq!(pynacl_verdict(&keys.public, &file, &signatures[0]), "bad");
}

#[test]
fn an_empty_file_is_signed_too() {
    let dir = TempDir::new().unwrap();
    let keys = python_keys();
    let file = dir.path().join("empty.zip");
    fs::write(&file, b"").unwrap();
    let key = SparkleKey::from_exported(&Secret::new(keys.seed_form), "SPARKLE_KEY").unwrap();
    let signed = key.sign_file(&file).unwrap();
    assert_eq!(signed.length, 0);
    assert_eq!(
        pynacl_verdict(&keys.public, &file, &signed.ed_signature),
        "good"
    );
}

#[test]
fn a_malformed_sparkle_key_names_its_variable_and_the_fix() {
    let keys = python_keys();
    let old = base64_decode(&keys.old_form);
    let mut mismatched = old.clone();
    mismatched[95] ^= 1;
    let cases = [
        ("not base64 at all!".to_owned(), "not base64"),
        (base64_encode(&old[..64]), "decodes to 64 bytes"),
        (
            base64_encode(&mismatched),
            "does not belong to its private half",
        ),
    ];
    for (text, why) in cases {
        let err = SparkleKey::from_exported(&Secret::new(text.as_str()), "CRATESHIP_SPARKLE_KEY")
            .unwrap_err();
        assert!(matches!(err, SignError::SparkleKey { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains("CRATESHIP_SPARKLE_KEY"), "{message}");
        assert!(message.contains(why), "{message}");
        assert!(message.contains("generate_keys -x"), "{message}");
        assert!(!message.contains(&text), "the key text leaked: {message}");
    }
}

#[test]
fn a_sparkle_key_shows_only_its_public_key_when_debugged() {
    let keys = python_keys();
    let key =
        SparkleKey::from_exported(&Secret::new(keys.seed_form.as_str()), "SPARKLE_KEY").unwrap();
    let shown = format!("{key:?}");
    assert!(shown.contains(&keys.public), "{shown}");
    assert!(!shown.contains(&keys.seed_form), "{shown}");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64::decode_vec(text).unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}
