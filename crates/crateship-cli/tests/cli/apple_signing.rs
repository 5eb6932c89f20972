//! Developer ID signing through `dist`: the `.app` (inside the `.app.zip`), the
//! `.dmg` and the `.pkg` are signed with the configured identities — openssl
//! verifies each CMS against the test CA — the manifest records it, no secret
//! leaks, and a wrong password or a missing notary key stops the run before any
//! artifact.

use std::path::{Path, PathBuf};

use crate::support::*;

const PASSWORD: &str = "Apple pie with 3 staples";

/// A CA, an application leaf (`app.p12`, OU = team id, codeSigning) and an
/// installer leaf (`installer.key`/`installer-chain.pem`, Apple's package-signing
/// usage), made with openssl.
fn pki(dir: &Path) {
    let ssl = |args: &[&str]| verify("openssl", args, dir);
    ssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "3",
        "-subj",
        "/CN=Test Apple-like CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    for (name, kind, eku) in [
        ("app", "Application", "codeSigning"),
        ("installer", "Installer", "1.2.840.113635.100.4.13"),
    ] {
        let subj = format!("/CN=Developer ID {kind}: Test (TEAMID1234)/OU=TEAMID1234/O=Test/C=US");
        ssl(&[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &subj,
        ]);
        std::fs::write(
            dir.join(format!("{name}.ext")),
            format!("keyUsage=critical,digitalSignature\nextendedKeyUsage=critical,{eku}\n"),
        )
        .unwrap();
        ssl(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "3",
            "-sha256",
            "-extfile",
            &format!("{name}.ext"),
            "-out",
            &format!("{name}.pem"),
        ]);
    }
    ssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        "app.key",
        "-in",
        "app.pem",
        "-certfile",
        "ca.pem",
        "-out",
        "app.p12",
        "-passout",
        &format!("pass:{PASSWORD}"),
    ]);
    let chain = [
        std::fs::read(dir.join("installer.pem")).unwrap(),
        std::fs::read(dir.join("ca.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(dir.join("installer-chain.pem"), chain).unwrap();
}

const CONFIG: &str = "identifier = \"org.example.tiny\"\nproduct-name = \"Tiny App\"\n\
    targets = [\"aarch64-apple-darwin\"]\n\
    [package.metadata.crateship.macos]\nhardened-runtime = true\n\
    [package.metadata.crateship.signing.apple]\n\
    application-pfx = \"keys/app.p12\"\napplication-password-env = \"TINY_APPLE_PASSWORD\"\n\
    installer-key = \"keys/installer.key\"\ninstaller-chain = \"keys/installer-chain.pem\"\n\
    timestamp-urls = []";

struct Project {
    _tmp: tempfile::TempDir,
    manifest: PathBuf,
    keys: PathBuf,
    bins: PathBuf,
    out: PathBuf,
}

/// A tiny project whose prebuilt binary is a real arm64 Mach-O (linked by zig
/// against its libSystem stubs: no macOS SDK needed).
fn project(extra_config: &str) -> Project {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let manifest = tiny_project(&dir, "tiny", &format!("{CONFIG}\n{extra_config}"));
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    pki(&keys);
    let bins = tmp.path().join("bins");
    std::fs::create_dir_all(&bins).unwrap();
    // Stripped (`-s`), as a release build is: no STABS map naming zig's cache.
    compile_c(TRIVIAL_C, "aarch64-macos.11.0", &bins.join("tiny"), &["-s"]);
    let out = tmp.path().join("out");
    Project {
        _tmp: tmp,
        manifest,
        keys,
        bins,
        out,
    }
}

/// Extracts (CodeDirectory, CMS) of the first slice's embedded signature with a
/// parser written here from Apple's layouts, and checks them with openssl.
const CHECK_MACHO: &str = r#"
import struct, sys
data = open(sys.argv[1], "rb").read()
magic, = struct.unpack("<I", data[:4])
assert magic == 0xfeedfacf, hex(magic)
ncmds, = struct.unpack("<I", data[16:20])
off = 32
for _ in range(ncmds):
    cmd, size = struct.unpack("<II", data[off:off + 8])
    if cmd == 0x1d:
        dataoff, datasize = struct.unpack("<II", data[off + 8:off + 16])
    off += size
sig = data[dataoff:dataoff + datasize]
smagic, length, count = struct.unpack(">III", sig[:12])
assert smagic == 0xfade0cc0, hex(smagic)
blobs = {}
for i in range(count):
    typ, boff = struct.unpack(">II", sig[12 + 8 * i:20 + 8 * i])
    bmagic, blen = struct.unpack(">II", sig[boff:boff + 8])
    blobs[typ] = (bmagic, sig[boff:boff + blen])
cd = blobs[0][1]
flags, = struct.unpack(">I", cd[12:16])
assert flags & 0x10000, "hardened runtime flag"
cms = blobs[0x10000][1][8:]
open(sys.argv[2], "wb").write(cd)
open(sys.argv[3], "wb").write(cms)
"#;

/// Splits a signed XAR: writes the TOC checksum, the RSA signature and the CMS.
const CHECK_PKG: &str = r#"
import re, struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:4] == b"xar!"
hsize, = struct.unpack(">H", data[4:6])
clen, = struct.unpack(">Q", data[8:16])
toc = zlib.decompress(data[hsize:hsize + clen]).decode()
heap = hsize + clen
def part(tag):
    m = re.search(r"<%s[^>]*>.*?<offset>(\d+)</offset>\s*<size>(\d+)</size>" % tag, toc, re.S)
    return data[heap + int(m.group(1)):heap + int(m.group(1)) + int(m.group(2))]
open(sys.argv[2], "wb").write(part("checksum"))
open(sys.argv[3], "wb").write(part("signature"))
open(sys.argv[4], "wb").write(part("x-signature"))
"#;

#[test]
fn dist_signs_app_dmg_and_pkg_with_developer_id() {
    let p = project("");
    let out = run(dist_prebuilt(&p.manifest, &p.bins, &p.out)
        .arg("--json")
        .env("TINY_APPLE_PASSWORD", PASSWORD));
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.out.join("dist-manifest.json")).unwrap()).unwrap();
    let mut schemes = Vec::new();
    for a in manifest["artifacts"].as_array().unwrap() {
        let path = a["path"].as_str().unwrap();
        if path.ends_with(".tar.gz") {
            continue;
        }
        let sig = &a["signature"];
        assert_eq!(sig["scheme"], "apple-developer-id", "{path}: {a}");
        let kind = if path.ends_with(".pkg") {
            "Installer"
        } else {
            "Application"
        };
        assert!(
            sig["subject"]
                .as_str()
                .unwrap()
                .contains(&format!("Developer ID {kind}")),
            "{path}: {sig}"
        );
        schemes.push(path.to_owned());
    }
    assert_eq!(schemes.len(), 3, "app.zip, dmg and pkg: {schemes:?}");

    // The release gate reads the app's Developer ID signature; an unsigned
    // release of the same project (signing configured) fails it.
    let gate = |dir: &Path| {
        let out = run(crateship()
            .args(["check", "--json", "--manifest-path"])
            .arg(&p.manifest)
            .arg(dir));
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let apple: Vec<(bool, String)> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"] == "signature.apple")
            .map(|r| (r["passed"] == true, r["found"].as_str().unwrap().to_owned()))
            .collect();
        (out.status.code(), apple, report)
    };
    let (code, apple, report) = gate(&p.out);
    assert_eq!(code, Some(0), "{report:#}");
    assert!(
        apple.len() >= 3
            && apple.iter().all(|(passed, found)| *passed
                && (found.contains("Developer ID") || found.ends_with("files match their seal"))),
        "app, dmg and pkg: {apple:?}"
    );
    assert!(
        apple
            .iter()
            .any(|(_, found)| found.contains("Developer ID Installer")),
        "the pkg: {apple:?}"
    );
    let unsigned = p.out.with_file_name("unsigned");
    let done = run(dist_prebuilt(&p.manifest, &p.bins, &unsigned).arg("--unsigned"));
    assert!(done.status.success(), "{}", stderr(&done));
    let (code, apple, report) = gate(&unsigned);
    assert_eq!(code, Some(1), "{report:#}");
    let unsigned_count = apple
        .iter()
        .filter(|(passed, found)| !passed && found.contains("no Developer ID"))
        .count();
    // The program in the .app.zip and in the dmg, the dmg image and the pkg.
    assert_eq!(unsigned_count, 4, "app, dmg and pkg: {apple:?}");

    // Signed, then changed: a byte of the app's program and of the dmg's image
    // data (their CodeDirectories no longer seal them) and a byte of the pkg
    // CMS's signature value (it no longer verifies with the installer key) each
    // fail the gate.
    let tampered = p.out.with_file_name("tampered");
    std::fs::create_dir_all(&tampered).unwrap();
    for name in list(&p.out) {
        std::fs::copy(p.out.join(&name), tampered.join(&name)).unwrap();
    }
    let dmg_path = tampered.join("Tiny-App-0.4.2-arm64.dmg");
    let mut dmg = std::fs::read(&dmg_path).unwrap();
    dmg[4096] ^= 0x01;
    std::fs::write(&dmg_path, dmg).unwrap();
    let pkg_path = tampered.join("Tiny-App-0.4.2-arm64.pkg");
    let mut pkg = std::fs::read(&pkg_path).unwrap();
    let heap = 28 + u64::from_be_bytes(pkg[8..16].try_into().unwrap()) as usize;
    // The heap: TOC checksum (20), XAR RSA signature (256), then the CMS, whose
    // signer's RSA-2048 signature value is its first 256-byte OCTET STRING.
    let cms_at = heap + 20 + 256;
    let value = cms_at
        + pkg[cms_at..]
            .windows(4)
            .position(|w| w == [0x04, 0x82, 0x01, 0x00])
            .unwrap()
        + 4;
    pkg[value + 7] ^= 0x01;
    std::fs::write(&pkg_path, pkg).unwrap();
    // The app's program, rewritten into the zip by Python with one byte of its
    // second code page changed, and its icon with a byte appended.
    let flip = r"
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = zin.read(info)
        if info.filename.endswith('Contents/MacOS/tiny'):
            data = bytearray(data)
            data[4096] ^= 1
        if info.filename.endswith('.icns'):
            data = data + b'\0'
        zout.writestr(info, bytes(data))
";
    let zip = tampered.join("Tiny-App-0.4.2-arm64.app.zip");
    let rewritten = tampered.join("rewritten.zip");
    verify(
        "python3",
        &[
            "-c",
            flip,
            zip.to_str().unwrap(),
            rewritten.to_str().unwrap(),
        ],
        &tampered,
    );
    std::fs::rename(&rewritten, &zip).unwrap();
    let (code, apple, report) = gate(&tampered);
    assert_eq!(code, Some(1), "{report:#}");
    let failed: Vec<&String> = apple.iter().filter(|(p, _)| !p).map(|(_, f)| f).collect();
    assert_eq!(failed.len(), 4, "{apple:?}");
    assert!(
        failed
            .iter()
            .any(|f| f.contains("code page 1 differs from its sealed hash")),
        "the app's program: {failed:?}"
    );
    assert!(
        failed
            .iter()
            .any(|f| f.contains(".icns differs from its sealed hash (changed after signing)")),
        "the app's resources: {failed:?}"
    );
    assert!(
        failed
            .iter()
            .any(|f| f.contains("code page 0 differs from its sealed hash")),
        "the dmg: {failed:?}"
    );
    assert!(
        failed
            .iter()
            .any(|f| f.contains("its signature does not verify")),
        "the pkg: {failed:?}"
    );
    std::fs::remove_dir_all(&tampered).unwrap();

    // The app inside the zip: CMS over its CodeDirectory, verified by openssl.
    let x = p.out.join("x");
    verify(
        "bsdtar",
        &["-xf", "Tiny-App-0.4.2-arm64.app.zip", "-C", "x"],
        &{
            std::fs::create_dir_all(&x).unwrap();
            p.out.clone()
        },
    );
    let exe = x.join("Tiny App.app/Contents/MacOS/tiny");
    let (cd, cms) = (p.out.join("cd.bin"), p.out.join("cms.der"));
    verify(
        "python3",
        &[
            "-c",
            CHECK_MACHO,
            exe.to_str().unwrap(),
            cd.to_str().unwrap(),
            cms.to_str().unwrap(),
        ],
        &p.out,
    );
    let ca = p.keys.join("ca.pem");
    let cms_verify = |content: &Path, cms: &Path| {
        verify(
            "openssl",
            &[
                "cms",
                "-verify",
                "-inform",
                "DER",
                "-in",
                cms.to_str().unwrap(),
                "-content",
                content.to_str().unwrap(),
                "-binary",
                "-CAfile",
                ca.to_str().unwrap(),
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
            &p.out,
        )
    };
    cms_verify(&cd, &cms);

    // The pkg: RSA signature over the TOC checksum with the installer key, and the CMS.
    let (sum, rsa, pkg_cms) = (
        p.out.join("sum.bin"),
        p.out.join("rsa.bin"),
        p.out.join("pkg-cms.der"),
    );
    verify(
        "python3",
        &[
            "-c",
            CHECK_PKG,
            "Tiny-App-0.4.2-arm64.pkg",
            sum.to_str().unwrap(),
            rsa.to_str().unwrap(),
            pkg_cms.to_str().unwrap(),
        ],
        &p.out,
    );
    verify(
        "openssl",
        &[
            "pkeyutl",
            "-verify",
            "-certin",
            "-inkey",
            p.keys.join("installer.pem").to_str().unwrap(),
            "-pkeyopt",
            "digest:sha1",
            "-in",
            sum.to_str().unwrap(),
            "-sigfile",
            rsa.to_str().unwrap(),
        ],
        &p.out,
    );
    cms_verify(&sum, &pkg_cms);
    assert!(verify("7zz", &["t", "Tiny-App-0.4.2-arm64.pkg"], &p.out).contains("Everything is Ok"));

    // The dmg: koly records an embedded code signature; 7-Zip still reads the image.
    let dmg = std::fs::read(p.out.join("Tiny-App-0.4.2-arm64.dmg")).unwrap();
    let koly = &dmg[dmg.len() - 512..];
    assert_eq!(&koly[..4], b"koly");
    let sig_len = u64::from_be_bytes(koly[0x130..0x138].try_into().unwrap());
    assert!(sig_len > 0, "the dmg carries a code signature");
    assert!(verify("7zz", &["t", "Tiny-App-0.4.2-arm64.dmg"], &p.out).contains("Everything is Ok"));

    // No secret in any output: the password, or any line of the private keys.
    let mut secrets = vec![PASSWORD.to_owned()];
    for key in ["app.key", "installer.key"] {
        let text = std::fs::read_to_string(p.keys.join(key)).unwrap();
        secrets.extend(text.lines().filter(|l| l.len() > 40).map(str::to_owned));
    }
    let mut haystacks = vec![stdout(&out), stderr(&out)];
    for name in list(&p.out) {
        let path = p.out.join(&name);
        if path.is_file() {
            haystacks.push(String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned());
        }
    }
    for secret in &secrets {
        assert!(
            haystacks.iter().all(|h| !h.contains(secret.as_str())),
            "a secret leaked: {secret}"
        );
    }
}

#[test]
fn a_wrong_password_or_missing_notary_key_stops_before_any_artifact() {
    let p = project("");
    let out =
        run(dist_prebuilt(&p.manifest, &p.bins, &p.out)
            .env("TINY_APPLE_PASSWORD", "not the password"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("signing.apple") && err.contains("password"),
        "{err}"
    );
    assert!(!err.contains("not the password"), "{err}");
    assert!(list(&p.out).is_empty(), "{:?}", list(&p.out));

    let p = project(
        "timestamp-urls = [\"http://127.0.0.1:9/\"]\n\
         notarize = { key-id = \"ABC123\", issuer-id = \"issuer\", key-env = \"TINY_NOTARY_KEY\" }",
    );
    // The later `timestamp-urls` replaces the empty one of CONFIG.
    let toml =
        std::fs::read_to_string(&p.manifest)
            .unwrap()
            .replacen("timestamp-urls = []\n", "", 1);
    std::fs::write(&p.manifest, toml).unwrap();
    let out = run(dist_prebuilt(&p.manifest, &p.bins, &p.out)
        .env("TINY_APPLE_PASSWORD", PASSWORD)
        .env_remove("TINY_NOTARY_KEY"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("notarize") && err.contains("TINY_NOTARY_KEY"),
        "{err}"
    );
    assert!(list(&p.out).is_empty(), "{:?}", list(&p.out));
}

/// Staples `ticket` as Apple's stapler does: `Contents/CodeResources` in the
/// app (appended to the zip) and two `t8lr` trailers around it after the pkg.
const STAPLE: &str = r"
import struct, sys, zipfile
app_zip, pkg, ticket = sys.argv[1], sys.argv[2], b's8ch' + bytes(range(60))
with zipfile.ZipFile(app_zip, 'a') as z:
    z.writestr('Tiny App.app/Contents/CodeResources', ticket)
with open(pkg, 'ab') as f:
    f.write(struct.pack('<4sHHI4x', b't8lr', 1, 1, 0) + ticket)
    f.write(struct.pack('<4sHHI4x', b't8lr', 1, 2, len(ticket)))
";

#[test]
fn with_notarization_configured_check_wants_a_ticket_stapled_to_every_app_and_the_pkg() {
    let p = project("");
    let out = run(dist_prebuilt(&p.manifest, &p.bins, &p.out).env("TINY_APPLE_PASSWORD", PASSWORD));
    assert!(out.status.success(), "{}", stderr(&out));
    // Notarization (which needs timestamps) configured after the release was
    // made: check contacts neither Apple nor the timestamp server.
    let toml = std::fs::read_to_string(&p.manifest).unwrap().replacen(
        "timestamp-urls = []",
        "timestamp-urls = [\"http://127.0.0.1:9/\"]\nnotarize = { key-id = \"ABC123\", issuer-id = \"issuer\", key-env = \"TINY_NOTARY_KEY\" }",
        1,
    );
    std::fs::write(&p.manifest, toml).unwrap();
    let tickets = || -> Vec<(bool, String, String)> {
        let out = run(crateship()
            .args(["check", "--json", "--manifest-path"])
            .arg(&p.manifest)
            .arg(&p.out));
        let report: serde_json::Value =
            serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"] == "signature.notarization")
            .map(|r| {
                (
                    r["passed"] == true,
                    r["artifact"].as_str().unwrap().to_owned(),
                    r["found"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let before = tickets();
    assert_eq!(
        before.len(),
        3,
        "the .app.zip, the dmg's .app and the .pkg: {before:?}"
    );
    assert!(
        before
            .iter()
            .all(|(passed, _, found)| !passed && found.contains("no stapled notarization ticket")),
        "{before:?}"
    );
    verify(
        "python3",
        &[
            "-c",
            STAPLE,
            "Tiny-App-0.4.2-arm64.app.zip",
            "Tiny-App-0.4.2-arm64.pkg",
        ],
        &p.out,
    );
    // The .app inside the dmg cannot be stapled from here (HFS+), so it still
    // fails; the other two now pass.
    let after = tickets();
    assert_eq!(after.len(), 3, "{after:?}");
    for (passed, artifact, found) in &after {
        assert_eq!(*passed, !artifact.ends_with(".dmg"), "{artifact}: {found}");
    }
}
