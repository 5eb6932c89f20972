//! `osslsigncode` parses the package as an MSI (compound file version 3): it reports a
//! missing signature instead of a format error.

use tempfile::TempDir;

use crate::support::{build_sample, run};

#[test]
fn osslsigncode_reads_the_unsigned_msi() {
    let dir = TempDir::new().unwrap();
    let (_, msi) = build_sample(dir.path());
    let out = run("osslsigncode", &[&"verify", &"-in", &msi]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("MSI file has no signature"), "{text}");
}

#[test]
fn osslsigncode_signs_and_verifies_the_msi() {
    let dir = TempDir::new().unwrap();
    let (_, msi) = build_sample(dir.path());
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let made = run(
        "openssl",
        &[
            &"req",
            &"-x509",
            &"-newkey",
            &"rsa:2048",
            &"-nodes",
            &"-keyout",
            &key,
            &"-out",
            &cert,
            &"-subj",
            &"/CN=crateship test",
            &"-days",
            &"2",
        ],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let signed = dir.path().join("signed.msi");
    let sign = run(
        "osslsigncode",
        &[
            &"sign", &"-certs", &cert, &"-key", &key, &"-n", &"Hello", &"-in", &msi, &"-out",
            &signed,
        ],
    );
    let text = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    assert!(sign.status.success(), "{}", text(&sign));
    let verify = run(
        "osslsigncode",
        &[&"verify", &"-in", &signed, &"-CAfile", &cert],
    );
    let out = text(&verify);
    assert!(
        verify.status.success() && out.contains("Signature verification: ok"),
        "{out}"
    );
    // msitools still reads the signed package.
    crate::support::run_ok("msiinfo", &[&"suminfo", &signed]);
}
