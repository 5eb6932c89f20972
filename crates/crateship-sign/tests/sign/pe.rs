//! Authenticode on a real (zig-built) Windows exe, checked by `osslsigncode verify`.

use std::fs;

use crateship_sign::{SigningKey, sign_pe};
use tempfile::TempDir;

use crate::support::{PASSWORD, exe, pki, run_ok, tsa_options, tsa_url, verify};

/// Debian's `python3-pefile` recomputes the PE checksum independently.
fn assert_checksum_is_valid(file: &std::path::Path) {
    let script = "import pefile, sys\np = pefile.PE(sys.argv[1])\nprint(p.OPTIONAL_HEADER.CheckSum, p.generate_checksum())";
    let out = run_ok("/usr/bin/python3", &[&"-c", &script, &file]);
    let sums: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(sums.len(), 2, "{out}");
    assert_eq!(sums[0], sums[1], "stored vs recomputed PE checksum");
    assert_ne!(sums[0], "0");
}

#[test]
fn rsa_pem_signed_exe_verifies_with_timestamp_and_a_flipped_byte_fails() {
    let dir = TempDir::new().unwrap();
    let pki = pki();
    let key = SigningKey::from_pem(&pki.read("rsa.key"), &pki.read("rsa.pem")).unwrap();
    let out = dir.path().join("signed.exe");
    let report = sign_pe(exe(), &out, &key, &tsa_options()).unwrap();
    assert_eq!(report.timestamp_server.as_deref(), Some(tsa_url()));
    assert_eq!(report.scheme, "authenticode-pe");
    assert!(report.subject.contains("CN=rsa"), "{}", report.subject);
    let (ok, text) = verify(&out);
    assert!(ok, "{text}");
    assert!(
        text.contains("Timestamp Server Signature verification: ok"),
        "{text}"
    );
    assert!(text.contains("Timestamp time:"), "{text}");
    assert!(!text.contains("MISMATCH"), "{text}");
    assert_checksum_is_valid(&out);

    let mut bytes = fs::read(&out).unwrap();
    bytes[0x200] ^= 0x01;
    let flipped = dir.path().join("flipped.exe");
    fs::write(&flipped, &bytes).unwrap();
    let (ok, text) = verify(&flipped);
    assert!(!ok, "a modified exe must fail: {text}");
}

#[test]
fn ecdsa_pkcs12_signed_exe_verifies() {
    let dir = TempDir::new().unwrap();
    let key = SigningKey::from_pkcs12(&pki().read("ec.pfx"), PASSWORD).unwrap();
    let out = dir.path().join("signed.exe");
    sign_pe(exe(), &out, &key, &tsa_options()).unwrap();
    let (ok, text) = verify(&out);
    assert!(ok, "{text}");
}

#[test]
fn resigning_replaces_the_existing_signature() {
    let dir = TempDir::new().unwrap();
    let pki = pki();
    let rsa = SigningKey::from_pkcs12(&pki.read("rsa.pfx"), PASSWORD).unwrap();
    let ec = SigningKey::from_pem(&pki.read("ec.key"), &pki.read("ec.pem")).unwrap();
    let out = dir.path().join("signed.exe");
    sign_pe(exe(), &out, &rsa, &tsa_options()).unwrap();
    let once = fs::read(&out).unwrap().len();
    sign_pe(&out, &out, &ec, &tsa_options()).unwrap();
    let twice = fs::read(&out).unwrap().len();
    assert!(
        twice < once + 64,
        "the old signature was kept: {once} -> {twice}"
    );
    let (ok, text) = verify(&out);
    assert!(ok, "{text}");
    assert!(text.contains("Number of verified signatures: 1"), "{text}");
    assert!(text.contains("CN=ec"), "{text}");
    assert_checksum_is_valid(&out);
    assert!(!text.contains("CN=rsa"), "{text}");
}

#[test]
fn pe32_exe_signed_with_traditional_pem_keys_verifies() {
    let dir = TempDir::new().unwrap();
    let pki = pki();
    let src = dir.path().join("hello32.c");
    fs::write(&src, "int main(void) { return 0; }\n").unwrap();
    let exe32 = dir.path().join("hello32.exe");
    run_ok(
        "python3",
        &[
            &"-m",
            &"ziglang",
            &"cc",
            &"-target",
            &"x86-windows-gnu",
            &"-o",
            &exe32,
            &src,
        ],
    );
    for (name, kind) in [("rsa", "rsa"), ("ec", "ec")] {
        // PKCS#1 (`RSA PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`) instead of PKCS#8.
        let traditional = dir.path().join(format!("{name}-traditional.key"));
        run_ok(
            "openssl",
            &[
                &"pkey",
                &"-in",
                &pki.path(&format!("{name}.key")),
                &"-traditional",
                &"-out",
                &traditional,
            ],
        );
        let pem = fs::read_to_string(&traditional).unwrap();
        assert!(
            pem.contains(&format!("BEGIN {} PRIVATE KEY", kind.to_uppercase())),
            "{pem}"
        );
        let key = SigningKey::from_pem(pem.as_bytes(), &pki.read(&format!("{name}.pem"))).unwrap();
        let out = dir.path().join(format!("signed-{name}.exe"));
        sign_pe(&exe32, &out, &key, &tsa_options()).unwrap();
        let (ok, text) = verify(&out);
        assert!(ok, "{text}");
        assert_checksum_is_valid(&out);
    }
}

/// Where the first DER OCTET STRING of `len` bytes (an RSA signature value:
/// 384 for the signer's 3072-bit key, 256 for the time-stamping key) starts.
fn rsa_signature_value(bytes: &[u8], len: u16) -> usize {
    let [hi, lo] = len.to_be_bytes();
    bytes
        .windows(4)
        .position(|w| w == [0x04, 0x82, hi, lo])
        .map(|at| at + 4)
        .expect("an RSA signature value")
}

#[test]
fn reading_a_signature_back_verifies_the_signer_and_the_timestamp_cryptographically() {
    let dir = TempDir::new().unwrap();
    let pki = pki();
    let key = SigningKey::from_pem(&pki.read("rsa.key"), &pki.read("rsa.pem")).unwrap();
    let out = dir.path().join("signed.exe");
    sign_pe(exe(), &out, &key, &tsa_options()).unwrap();
    let info = crateship_sign::authenticode_of_file(&out)
        .unwrap()
        .expect("signed");
    assert!(info.timestamped, "openssl ts's token verifies");
    assert_eq!(info.digest_matches, Some(true));
    let ec = SigningKey::from_pkcs12(&pki.read("ec.pfx"), PASSWORD).unwrap();
    let ec_out = dir.path().join("ec.exe");
    sign_pe(exe(), &ec_out, &ec, &tsa_options()).unwrap();
    assert!(crateship_sign::authenticode_of_file(&ec_out).is_ok());

    // The certificate table is outside the image digest: only the signature
    // check catches a changed signature value. osslsigncode agrees each time.
    let bytes = fs::read(&out).unwrap();
    for (len, expected, osslsigncode_says) in [
        (
            384,
            "its signature does not verify",
            "Signature verification: failed",
        ),
        (
            256,
            "its timestamp token is invalid",
            "Timestamp Server Signature verification: failed",
        ),
    ] {
        let mut tampered = bytes.clone();
        tampered[rsa_signature_value(&bytes, len) + 100] ^= 0x01;
        let path = dir.path().join(format!("tampered-{len}.exe"));
        fs::write(&path, &tampered).unwrap();
        let err = crateship_sign::authenticode_of_file(&path)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{err}");
        let (_, text) = verify(&path);
        assert!(text.contains(osslsigncode_says), "{text}");
    }
}
