//! Embedded AppImage signatures, checked independently of our code: a Python script
//! reads the section offsets with binutils' `readelf -S`, zeroes `.sha256_sig` and
//! `.sig_key`, hashes the file with `hashlib`, and GnuPG verifies the embedded signature
//! over the hex digest with the embedded public key (what AppImage's `validate` does).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crateship_sign::{PgpKey, SignError, appimage_digest, sign_appimage};
use tempfile::TempDir;

use crate::openpgp::{PASSPHRASE, gpg, gpg_ok, home, make_key};
use crate::support::{run_ok, text};

/// A stand-in AppImage: an ELF with the reserved sections (as our runtime and
/// appimagetool's have), the type 2 magic, and a payload appended.
fn fake_appimage(dir: &Path) -> PathBuf {
    static RUNTIME: OnceLock<PathBuf> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("crateship-sign-appimage")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
            .keep();
        let src = dir.join("runtime.c");
        fs::write(
            &src,
            "__attribute__((section(\".upd_info\"), used)) const char upd[1024] = \"u\";\n\
             __attribute__((section(\".sha256_sig\"), used)) const char sig[1024] = \"s\";\n\
             __attribute__((section(\".sig_key\"), used)) const char key[8192] = \"k\";\n\
             int main(void) { return 0; }\n",
        )
        .unwrap();
        let out = dir.join("runtime");
        run_ok("cc", &[&"-O0", &"-o", &out, &src]);
        let mut bytes = fs::read(&out).unwrap();
        bytes[8..11].copy_from_slice(b"AI\x02");
        fs::write(&out, bytes).unwrap();
        out
    });
    let mut bytes = fs::read(runtime).unwrap();
    bytes.extend((0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let path = dir.join("Hello-1.2.3-x86_64.AppImage");
    fs::write(&path, bytes).unwrap();
    path
}

const CHECKER: &str = r#"
import hashlib, subprocess, sys
path, out = sys.argv[1], sys.argv[2]
sections = {}
for line in subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True, check=True).stdout.splitlines():
    line = line.replace("[ ", "[")
    parts = line.split()
    if len(parts) > 6 and parts[1] in (".sha256_sig", ".sig_key"):
        sections[parts[1]] = (int(parts[4], 16), int(parts[5], 16))
data = bytearray(open(path, "rb").read())
blobs = {}
for name, (off, size) in sections.items():
    blobs[name] = bytes(data[off:off + size]).rstrip(b"\0")
    data[off:off + size] = bytes(size)
open(out + "/digest", "w").write(hashlib.sha256(data).hexdigest())
open(out + "/sig.asc", "wb").write(blobs[".sha256_sig"])
open(out + "/key.asc", "wb").write(blobs[".sig_key"])
print(hashlib.sha256(data).hexdigest())
"#;

/// Runs the independent checker; returns (gpg accepted, digest it computed).
fn verify(appimage: &Path) -> (bool, String) {
    let work = TempDir::new().unwrap();
    let script = work.path().join("check.py");
    fs::write(&script, CHECKER).unwrap();
    let out = Command::new("python3")
        .arg(&script)
        .arg(appimage)
        .arg(work.path())
        .output()
        .expect("install python3 and binutils (readelf)");
    assert!(out.status.success(), "checker: {}", text(&out));
    let digest = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let verifier = home();
    let key = work.path().join("key.asc");
    gpg_ok(verifier.0.path(), &["--import", key.to_str().unwrap()]);
    let sig = work.path().join("sig.asc");
    let file = work.path().join("digest");
    let out = gpg(
        verifier.0.path(),
        &["--verify", sig.to_str().unwrap(), file.to_str().unwrap()],
    );
    (
        out.status.success() && text(&out).contains("Good signature"),
        digest,
    )
}

#[test]
fn gpg_verifies_the_embedded_appimage_signature_with_the_embedded_key() {
    let dir = TempDir::new().unwrap();
    let (secret, _) = make_key("ed25519");
    let key = PgpKey::from_armored(&secret, PASSPHRASE).unwrap();
    let unsigned = fake_appimage(dir.path());
    let signed = dir.path().join("signed.AppImage");
    let report = sign_appimage(&unsigned, &signed, &key, Some(1_700_000_000)).unwrap();
    assert_eq!(report.scheme, "appimage-openpgp");
    assert_eq!(report.sha256_fingerprint, key.fingerprint());

    let (ok, digest) = verify(&signed);
    assert!(ok, "gpg rejected the embedded signature");
    let ours: String = appimage_digest(&signed)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, ours);
    // Only the two sections changed, and the signature covers the unsigned file too.
    assert_eq!(
        appimage_digest(&unsigned).unwrap(),
        appimage_digest(&signed).unwrap()
    );
    assert_eq!(
        fs::metadata(&unsigned).unwrap().len(),
        fs::metadata(&signed).unwrap().len()
    );
    // Reproducible with a fixed time, and re-signing in place gives the same bytes.
    let again = dir.path().join("again.AppImage");
    sign_appimage(&unsigned, &again, &key, Some(1_700_000_000)).unwrap();
    sign_appimage(&again, &again, &key, Some(1_700_000_000)).unwrap();
    assert!(fs::read(&signed).unwrap() == fs::read(&again).unwrap());

    // One flipped payload byte: the embedded signature no longer matches.
    let mut bytes = fs::read(&signed).unwrap();
    let at = bytes.len() - 1000;
    bytes[at] ^= 0x40;
    let tampered = dir.path().join("tampered.AppImage");
    fs::write(&tampered, bytes).unwrap();
    let (ok, _) = verify(&tampered);
    assert!(!ok, "a flipped payload byte must break the signature");
}

#[test]
fn an_rsa_key_fits_the_reserved_sections() {
    let dir = TempDir::new().unwrap();
    let (secret, _) = make_key("rsa3072");
    let key = PgpKey::from_armored(&secret, PASSPHRASE).unwrap();
    let image = fake_appimage(dir.path());
    sign_appimage(&image, &image, &key, None).unwrap();
    assert!(verify(&image).0);
}

#[test]
fn a_file_without_signature_sections_is_rejected_untouched() {
    let dir = TempDir::new().unwrap();
    let (secret, _) = make_key("ed25519");
    let key = PgpKey::from_armored(&secret, PASSPHRASE).unwrap();
    let plain = dir.path().join("plain");
    run_ok("cp", &[&"/bin/true", &plain]);
    let before = fs::read(&plain).unwrap();
    let err = sign_appimage(&plain, &plain, &key, None).unwrap_err();
    assert!(matches!(err, SignError::BadInput { .. }), "{err}");
    assert!(err.to_string().contains("AI\\x02"), "{err}");
    assert!(fs::read(&plain).unwrap() == before);
}
