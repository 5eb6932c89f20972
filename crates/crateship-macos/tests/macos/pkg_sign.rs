//! Signed `.pkg`: the TOC and heap are taken apart in Python, the SHA-1 TOC
//! checksum recomputed, the RSA signature checked with `openssl pkeyutl
//! -verify` against the leaf certificate from the TOC's KeyInfo, the CMS with
//! `openssl cms -verify`; `bsdtar` and `7zz` still read and extract it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crateship_macos::{ApplePurpose, PkgInfo, PkgSignOptions, sign_pkg, write_pkg};

use crate::pki;
use crate::{SDE, built_app, python, stdout};

fn unsigned_pkg(dir: &Path) -> PathBuf {
    let app = built_app(dir);
    let mut info = PkgInfo::new("Hello Desktop", SDE);
    info.minimum_system_version = Some("11.0".into());
    let out = dir.join("Hello-1.2.3.pkg");
    write_pkg(&app, &info, fs::File::create(&out).unwrap()).unwrap();
    out
}

/// Splits a signed pkg into argv[2]/{checksum.bin,rsa.sig,cms.der,leaf.der,
/// ctoc.bin}; prints `OK <n certs>` or what is wrong.
const SPLIT: &str = r#"
import base64, hashlib, struct, sys, zlib, os
import xml.etree.ElementTree as ET
b = open(sys.argv[1], "rb").read()
out = sys.argv[2]
magic, hsize, ver, clen, ulen, alg = struct.unpack(">4sHHQQI", b[:28])
assert magic == b"xar!" and alg == 1
ctoc = b[28:28 + clen]
toc = zlib.decompress(ctoc)
assert len(toc) == ulen
heap = 28 + clen
root = ET.fromstring(toc).find("toc")
ck = root.find("checksum")
co, cs = int(ck.find("offset").text), int(ck.find("size").text)
if b[heap + co: heap + co + cs] != hashlib.sha1(ctoc).digest():
    print("checksum mismatch"); sys.exit()
open(os.path.join(out, "checksum.bin"), "wb").write(b[heap + co: heap + co + cs])
open(os.path.join(out, "ctoc.bin"), "wb").write(ctoc)
ns = "{http://www.w3.org/2000/09/xmldsig#}"
certs = None
for tag, name in (("signature", "rsa.sig"), ("x-signature", "cms.der")):
    s = root.find(tag)
    o, n = int(s.find("offset").text), int(s.find("size").text)
    open(os.path.join(out, name), "wb").write(b[heap + o: heap + o + n])
    c = [base64.b64decode(x.text) for x in s.iter(ns + "X509Certificate")]
    assert certs is None or certs == c
    certs = c
    print(tag, s.get("style"), o, n)
open(os.path.join(out, "leaf.der"), "wb").write(certs[0])
print("OK", len(certs))
"#;

fn openssl(args: &[&str], dir: &Path) -> Output {
    Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("install openssl")
}

fn rsa_verify(dir: &Path, digest_file: &str) -> Output {
    openssl(
        &[
            "pkeyutl",
            "-verify",
            "-certin",
            "-inkey",
            "leaf.pem",
            "-in",
            digest_file,
            "-sigfile",
            "rsa.sig",
            "-pkeyopt",
            "digest:sha1",
        ],
        dir,
    )
}

fn check_signed(pkg: &Path, dir: &Path) -> String {
    let out = python(SPLIT, &[pkg, dir]);
    assert!(out.trim_end().ends_with("OK 2"), "{out}");
    let x = openssl(
        &[
            "x509", "-inform", "DER", "-in", "leaf.der", "-out", "leaf.pem",
        ],
        dir,
    );
    assert!(x.status.success());
    let subject = stdout(
        Command::new("openssl")
            .current_dir(dir)
            .args(["x509", "-noout", "-subject", "-in", "leaf.pem"]),
    );
    assert!(
        subject.contains("Developer ID Installer: Test (TEAMID1234)"),
        "{subject}"
    );
    let v = rsa_verify(dir, "checksum.bin");
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let ca = pki::path("ca.pem");
    let ca = ca.to_str().unwrap();
    let c = openssl(
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "cms.der",
            "-content",
            "checksum.bin",
            "-CAfile",
            ca,
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
        dir,
    );
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    out
}

fn list_and_extract(pkg: &Path, into: &Path) -> String {
    fs::create_dir_all(into).unwrap();
    let t = stdout(Command::new("7zz").arg("t").arg(pkg));
    assert!(t.contains("Everything is Ok"), "{t}");
    stdout(
        Command::new("bsdtar")
            .arg("-xf")
            .arg(pkg)
            .arg("-C")
            .arg(into),
    );
    stdout(Command::new("bsdtar").arg("-tvf").arg(pkg))
}

#[test]
fn signed_pkg_verifies_with_openssl_and_still_extracts() {
    let dir = tempfile::tempdir().unwrap();
    let unsigned = unsigned_pkg(dir.path());
    let signed = dir.path().join("signed.pkg");
    let id = pki::identity("installer", ApplePurpose::Installer).unwrap();
    let opts = PkgSignOptions {
        identity: &id,
        signing_time: SDE,
        timestamp_urls: Vec::new(),
        timestamp_timeout: Duration::from_secs(10),
    };
    let report = sign_pkg(&unsigned, &signed, &opts).unwrap();
    assert!(report.subject.contains("Developer ID Installer"));
    let parts = dir.path().join("parts");
    fs::create_dir_all(&parts).unwrap();
    let split = check_signed(&signed, &parts);
    assert!(split.contains("signature RSA 20 256"), "{split}");
    assert!(split.contains("x-signature CMS 276 "), "{split}");

    // Same files, same bytes as the unsigned package.
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let la = list_and_extract(&unsigned, &a);
    let lb = list_and_extract(&signed, &b);
    assert_eq!(la, lb);
    assert_eq!(crate::snapshot(&a), crate::snapshot(&b));

    // Reproducible, and signing in place gives the same bytes.
    let again = dir.path().join("again.pkg");
    sign_pkg(&unsigned, &again, &opts).unwrap();
    assert_eq!(fs::read(&again).unwrap(), fs::read(&signed).unwrap());
    sign_pkg(&unsigned, &unsigned, &opts).unwrap();
    assert_eq!(fs::read(&unsigned).unwrap(), fs::read(&signed).unwrap());

    // One byte of the compressed TOC changed: the RSA signature no longer matches.
    let mut ctoc = fs::read(parts.join("ctoc.bin")).unwrap();
    ctoc[40] ^= 1;
    fs::write(parts.join("ctoc.bin"), &ctoc).unwrap();
    let tampered = Command::new("python3")
        .arg("-c")
        .arg("import hashlib, sys\nsys.stdout.buffer.write(hashlib.sha1(open(sys.argv[1], 'rb').read()).digest())")
        .arg(parts.join("ctoc.bin"))
        .output()
        .unwrap()
        .stdout;
    fs::write(parts.join("tampered.bin"), tampered).unwrap();
    assert!(!rsa_verify(&parts, "tampered.bin").status.success());
    // And in the file itself: the checksum check fails.
    let mut bytes = fs::read(&signed).unwrap();
    bytes[28 + 40] ^= 1;
    fs::write(&signed, &bytes).unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(SPLIT)
        .arg(&signed)
        .arg(&parts)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("OK 2"));
}

#[test]
fn timestamped_pkg_signature_carries_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let unsigned = unsigned_pkg(dir.path());
    let signed = dir.path().join("signed.pkg");
    let id = pki::identity("installer", ApplePurpose::Installer).unwrap();
    let url = pki::tsa_url().to_owned();
    let report = sign_pkg(
        &unsigned,
        &signed,
        &PkgSignOptions {
            identity: &id,
            signing_time: SDE,
            timestamp_urls: vec![url.clone()],
            timestamp_timeout: Duration::from_secs(10),
        },
    )
    .unwrap();
    assert_eq!(report.timestamp_server.as_deref(), Some(url.as_str()));
    let parts = dir.path().join("parts");
    fs::create_dir_all(&parts).unwrap();
    check_signed(&signed, &parts);
    let printed = stdout(Command::new("openssl").current_dir(&parts).args([
        "cms", "-cmsout", "-print", "-inform", "DER", "-in", "cms.der",
    ]));
    assert!(printed.contains("id-smime-aa-timeStampToken"), "{printed}");
    list_and_extract(&signed, &dir.path().join("x"));
}

#[test]
fn pkg_signing_rejects_wrong_identities_and_signed_input() {
    let dir = tempfile::tempdir().unwrap();
    let unsigned = unsigned_pkg(dir.path());
    let out = dir.path().join("out.pkg");
    let app_id = pki::identity("app-rsa", ApplePurpose::Application).unwrap();
    let opts = |identity| PkgSignOptions {
        identity,
        signing_time: SDE,
        timestamp_urls: Vec::new(),
        timestamp_timeout: Duration::from_secs(5),
    };
    let err = sign_pkg(&unsigned, &out, &opts(&app_id))
        .unwrap_err()
        .to_string();
    assert!(err.contains("Developer ID Installer"), "{err}");
    assert!(!out.exists());

    let id = pki::identity("installer", ApplePurpose::Installer).unwrap();
    sign_pkg(&unsigned, &out, &opts(&id)).unwrap();
    let again = dir.path().join("again.pkg");
    let err = sign_pkg(&out, &again, &opts(&id)).unwrap_err().to_string();
    assert!(err.contains("already signed"), "{err}");
    assert!(!again.exists());

    let junk = dir.path().join("junk.pkg");
    fs::write(&junk, b"PK\x03\x04 not a xar").unwrap();
    let err = sign_pkg(&junk, &again, &opts(&id)).unwrap_err().to_string();
    assert!(err.contains("junk.pkg") && err.contains("xar!"), "{err}");
    assert!(!again.exists());
    // No temp files are left behind.
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}
