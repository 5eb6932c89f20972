//! Detached OpenPGP signatures, checked by GnuPG (`gpg --verify`) with only the public
//! key imported into a fresh temporary GNUPGHOME.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crateship_sign::{SignError, sign_detached_pgp};
use tempfile::TempDir;

use crate::support::text;

pub const PASSPHRASE: &str = "pgp-Passphrase-5531";

pub fn gpg(home: &Path, args: &[&str]) -> Output {
    Command::new("gpg")
        .env("GNUPGHOME", home)
        .args(["--batch", "--no-tty", "--pinentry-mode", "loopback"])
        .args(args)
        .output()
        .expect("install gpg (Debian: gnupg)")
}

pub fn gpg_ok(home: &Path, args: &[&str]) -> Vec<u8> {
    let out = gpg(home, args);
    assert!(out.status.success(), "gpg {args:?}: {}", text(&out));
    out.stdout
}

/// Stops the gpg-agent a GNUPGHOME started.
pub struct Home(pub TempDir);

impl Drop for Home {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.0.path())
            .args(["--kill", "all"])
            .output();
    }
}

pub fn home() -> Home {
    let dir = tempfile::Builder::new()
        .prefix("gpg")
        .tempdir_in("/tmp")
        .unwrap();
    let mut perms = fs::metadata(dir.path()).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o700);
    fs::set_permissions(dir.path(), perms).unwrap();
    Home(dir)
}

/// Makes a key with gpg; returns (armoured secret key, armoured public key).
pub fn make_key(algo: &str) -> (String, Vec<u8>) {
    let home = home();
    let uid = format!("crateship test {algo} <{algo}@example.org>");
    gpg_ok(
        home.0.path(),
        &[
            "--passphrase",
            PASSPHRASE,
            "--quick-gen-key",
            &uid,
            algo,
            "sign",
            "never",
        ],
    );
    let secret = gpg_ok(
        home.0.path(),
        &[
            "--passphrase",
            PASSPHRASE,
            "--armor",
            "--export-secret-keys",
            &uid,
        ],
    );
    let public = gpg_ok(home.0.path(), &["--armor", "--export", &uid]);
    (String::from_utf8(secret).unwrap(), public)
}

fn check(algo: &str) {
    let dir = TempDir::new().unwrap();
    let (secret, public) = make_key(algo);
    let sums = dir.path().join("SHA256SUMS");
    fs::write(
        &sums,
        "0123abcd  hello_1.2.3_amd64.deb\n4567ef01  Hello-1.2.3-x64.msi\n",
    )
    .unwrap();
    let (asc, report) =
        sign_detached_pgp(fs::File::open(&sums).unwrap(), &secret, PASSPHRASE).unwrap();
    assert_eq!(report.scheme, "openpgp");
    assert!(report.subject.contains(algo), "{report:?}");
    let asc_path = dir.path().join("SHA256SUMS.asc");
    fs::write(&asc_path, &asc).unwrap();
    assert!(asc.starts_with("-----BEGIN PGP SIGNATURE-----"), "{asc}");

    let verifier = home();
    let public_path = dir.path().join("public.asc");
    fs::write(&public_path, public).unwrap();
    gpg_ok(
        verifier.0.path(),
        &["--import", public_path.to_str().unwrap()],
    );
    let out = gpg(
        verifier.0.path(),
        &[
            "--verify",
            asc_path.to_str().unwrap(),
            sums.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Good signature"), "{}", text(&out));
    assert!(
        text(&out)
            .to_lowercase()
            .contains(&report.sha256_fingerprint[24..]),
        "{report:?} {}",
        text(&out)
    );

    let mut bytes = fs::read(&sums).unwrap();
    bytes[0] ^= 0x01;
    fs::write(&sums, bytes).unwrap();
    let out = gpg(
        verifier.0.path(),
        &[
            "--verify",
            asc_path.to_str().unwrap(),
            sums.to_str().unwrap(),
        ],
    );
    assert!(
        !out.status.success(),
        "a modified file must fail: {}",
        text(&out)
    );

    let err = sign_detached_pgp(&b"data"[..], &secret, "wrong-passphrase-77").unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SignError::Detached { .. }), "{message}");
    assert!(message.contains("passphrase"), "{message}");
    for secret_text in ["wrong-passphrase-77", PASSPHRASE] {
        assert!(!message.contains(secret_text), "{message}");
        assert!(!format!("{err:?}").contains(secret_text));
        assert!(!asc.contains(secret_text));
    }
    let key_line = secret.lines().nth(3).unwrap();
    assert!(!message.contains(key_line) && !asc.contains(key_line));
}

#[test]
fn gpg_verifies_an_ed25519_detached_signature_over_sha256sums() {
    check("ed25519");
}

#[test]
fn gpg_verifies_an_rsa_detached_signature() {
    check("rsa3072");
}

/// `gpgv` with only `keyring` (a binary public key) trusted; `(success, output)`.
fn gpgv(keyring: &Path, args: &[&Path]) -> (bool, String) {
    let out = Command::new("gpgv")
        .arg("--keyring")
        .arg(keyring)
        .args(args)
        .output()
        .expect("install gpgv (Debian: gpgv)");
    (out.status.success(), text(&out))
}

fn clearsign_and_binary_key(algo: &str) {
    let dir = TempDir::new().unwrap();
    let (secret, _) = make_key(algo);
    let key = crateship_sign::PgpKey::from_armored(&secret, PASSPHRASE).unwrap();
    let keyring = dir.path().join("archive-keyring.gpg");
    let binary_key = key.public_key_binary().unwrap();
    // A binary transferable public key starts with a public-key packet (tag 6).
    let first = binary_key[0];
    let tag = if first & 0x40 != 0 {
        first & 0x3f
    } else {
        (first >> 2) & 0x0f
    };
    assert!(first & 0x80 != 0 && tag == 6, "{first:02x}");
    fs::write(&keyring, &binary_key).unwrap();

    // Dash-escaping (lines starting with `-`), trailing blanks and an empty last line.
    let release = "Origin: Example\nSuite: stable\n-----BEGIN not a header\nSHA256: \t\n \
                   0123abcd 42 main/binary-amd64/Packages\n";
    let created = 1_900_000_000;
    let signed = key.clearsign(release, Some(created)).unwrap();
    assert!(
        signed.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"),
        "{signed}"
    );
    assert!(signed.contains("\n- -----BEGIN not a header\n"), "{signed}");
    assert!(
        signed.contains("Packages\n-----BEGIN PGP SIGNATURE-----\n"),
        "{signed}"
    );
    assert_eq!(
        signed,
        key.clearsign(release, Some(created)).unwrap(),
        "reproducible"
    );
    let in_release = dir.path().join("InRelease");
    fs::write(&in_release, &signed).unwrap();
    let (ok, out) = gpgv(&keyring, &[&in_release]);
    assert!(ok, "{out}\n{signed}");
    assert!(out.contains("Good signature"), "{out}");

    // gpg gives back exactly the text that was signed.
    let verifier = home();
    let armored = dir.path().join("public.asc");
    fs::write(&armored, key.public_key_armored().unwrap()).unwrap();
    gpg_ok(verifier.0.path(), &["--import", armored.to_str().unwrap()]);
    let plain = gpg_ok(
        verifier.0.path(),
        &["--decrypt", in_release.to_str().unwrap()],
    );
    assert_eq!(
        String::from_utf8(plain).unwrap(),
        release.replace("SHA256: \t\n", "SHA256:\n"),
        "gpg gives back the text less trailing blanks"
    );

    let tampered = dir.path().join("tampered");
    fs::write(&tampered, signed.replace("Suite: stable", "Suite: stabl3")).unwrap();
    let (ok, out) = gpgv(&keyring, &[&tampered]);
    assert!(!ok, "an edited cleartext must fail: {out}");

    // Binary and armoured detached signatures both verify against the binary keyring.
    let data = dir.path().join("Release");
    fs::write(&data, release).unwrap();
    let binary_sig = dir.path().join("Release.sig");
    fs::write(
        &binary_sig,
        key.sign_binary(release.as_bytes(), Some(created)).unwrap(),
    )
    .unwrap();
    let armored_sig = dir.path().join("Release.gpg");
    fs::write(
        &armored_sig,
        key.sign_armored(release.as_bytes(), Some(created)).unwrap(),
    )
    .unwrap();
    for sig in [&binary_sig, &armored_sig] {
        let (ok, out) = gpgv(&keyring, &[sig, &data]);
        assert!(ok, "{}: {out}", sig.display());
    }

    // Another key's keyring does not verify it.
    let (other_secret, _) = make_key("ed25519");
    let other = crateship_sign::PgpKey::from_armored(&other_secret, PASSPHRASE).unwrap();
    let other_ring = dir.path().join("other.gpg");
    fs::write(&other_ring, other.public_key_binary().unwrap()).unwrap();
    let (ok, out) = gpgv(&other_ring, &[&in_release]);
    assert!(!ok, "another key must not verify: {out}");
    for secret_text in [PASSPHRASE, secret.lines().nth(3).unwrap()] {
        assert!(!signed.contains(secret_text));
        assert!(!format!("{key:?}").contains(secret_text));
    }
}

#[test]
fn gpgv_verifies_an_ed25519_cleartext_signature_with_the_binary_public_key() {
    clearsign_and_binary_key("ed25519");
}

#[test]
fn gpgv_verifies_an_rsa_cleartext_signature_with_the_binary_public_key() {
    clearsign_and_binary_key("rsa3072");
}
