//! Signed `.dmg`: 7-Zip still tests and lists the image; a Python parser
//! written here from the UDIF layout finds the `koly` code-signature fields, the
//! SuperBlob and a CodeDirectory whose hashes match the image bytes and the
//! trailer; `openssl cms -verify` accepts the CMS over the CodeDirectory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crateship_macos::{ApplePurpose, DmgOptions, DmgSignOptions, sign_dmg, write_dmg};

use crate::devid::cms_verify;
use crate::pki;
use crate::{SDE, built_app, python, stdout};

fn unsigned_dmg(dir: &Path) -> PathBuf {
    let app = built_app(dir);
    let out = dir.join("unsigned.dmg");
    write_dmg(
        &app,
        &DmgOptions::new("Hello 1.2.3", SDE),
        fs::File::create(&out).unwrap(),
    )
    .unwrap();
    out
}

/// Prints JSON about the signature and writes cd0.bin / cms0.der into argv[2].
const PARSE: &str = r#"
import hashlib, json, struct, sys, os
b = open(sys.argv[1], "rb").read()
out = sys.argv[2]
u32 = lambda x, i: struct.unpack(">I", x[i:i + 4])[0]
u64 = lambda x, i: struct.unpack(">Q", x[i:i + 8])[0]
koly = b[-512:]
assert koly[:4] == b"koly"
res = {}
plist_end = u64(koly, 0xd8) + u64(koly, 0xe0)
off, size = u64(koly, 0x128), u64(koly, 0x130)
res["sig_at_plist_end"] = off == plist_end
res["sig_ends_at_koly"] = off + size == len(b) - 512
sb = b[off:off + size]
assert u32(sb, 0) == 0xfade0cc0 and u32(sb, 4) == size
blobs = dict(struct.unpack(">2I", sb[12 + 8*i: 20 + 8*i]) for i in range(u32(sb, 8)))
res["slots"] = sorted(blobs)
blob = lambda s: sb[blobs[s]:blobs[s] + u32(sb, blobs[s] + 4)]
cd = blob(0)
assert u32(cd, 0) == 0xfade0c02
ver, flags, hoff, ioff, nspecial, ncode, limit = struct.unpack(">7I", cd[8:36])
res.update(version=hex(ver), flags=hex(flags), nspecial=nspecial, ncode=ncode,
           hash_type=cd[37], page_shift=cd[39], limit_is_sig=limit == off)
res["ident"] = cd[ioff:cd.index(b"\0", ioff)].decode()
slot = lambda n: cd[hoff - 32*n: hoff - 32*(n - 1)]
res["code_hash_ok"] = cd[hoff:hoff + 32] == hashlib.sha256(b[:limit]).digest()
k = bytearray(koly); k[0x130:0x138] = bytes(8)
res["koly_slot_ok"] = slot(6) == hashlib.sha256(bytes(k)).digest()
res["req_slot_ok"] = slot(2) == hashlib.sha256(blob(2)).digest()
w = blob(0x10000)
res["cms_len"] = len(w) - 8
open(os.path.join(out, "cd0.bin"), "wb").write(cd)
open(os.path.join(out, "cms0.der"), "wb").write(w[8:])
print(json.dumps(res))
"#;

fn parse(dmg: &Path, out: &Path) -> serde_json::Value {
    fs::create_dir_all(out).unwrap();
    serde_json::from_str(python(PARSE, &[dmg, out]).trim()).unwrap()
}

fn sevenzip_reads(dmg: &Path) {
    let t = stdout(Command::new("7zz").arg("t").arg(dmg));
    assert!(t.contains("Everything is Ok"), "{t}");
    let l = stdout(Command::new("7zz").arg("l").arg(dmg));
    assert!(l.contains("Hello.app"), "{l}");
}

#[test]
fn identity_signed_dmg_verifies_and_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let unsigned = unsigned_dmg(dir.path());
    let signed = dir.path().join("Hello-1.2.3-arm64.dmg");
    let id = pki::identity("app-rsa", ApplePurpose::Application).unwrap();
    let opts = DmgSignOptions {
        identity: Some(&id),
        signing_time: SDE,
        ..DmgSignOptions::default()
    };
    let report = sign_dmg(&unsigned, &signed, &opts).unwrap();
    assert_eq!(report.identifier, "Hello-1.2.3-arm64");
    sevenzip_reads(&signed);
    let out = dir.path().join("parts");
    let p = parse(&signed, &out);
    for key in [
        "sig_at_plist_end",
        "sig_ends_at_koly",
        "limit_is_sig",
        "code_hash_ok",
        "koly_slot_ok",
        "req_slot_ok",
    ] {
        assert_eq!(p[key], true, "{key}: {p}");
    }
    assert_eq!(p["version"], "0x20100");
    assert_eq!(p["flags"], "0x0");
    assert_eq!(p["ident"], "Hello-1.2.3-arm64");
    assert_eq!(p["nspecial"], 6);
    assert_eq!(p["ncode"], 1);
    assert_eq!(
        (p["hash_type"].as_u64(), p["page_shift"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(p["slots"], serde_json::json!([0, 2, 0x10000]));
    let v = cms_verify(&out, 0);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));

    // Reproducible; re-signing the signed image (in place) gives the same bytes.
    let again = dir.path().join("again").join("Hello-1.2.3-arm64.dmg");
    fs::create_dir_all(again.parent().unwrap()).unwrap();
    sign_dmg(&unsigned, &again, &opts).unwrap();
    assert_eq!(fs::read(&again).unwrap(), fs::read(&signed).unwrap());
    sign_dmg(&again, &again, &opts).unwrap();
    assert_eq!(fs::read(&again).unwrap(), fs::read(&signed).unwrap());

    // One byte of image data changed: the code hash no longer matches.
    let mut bytes = fs::read(&signed).unwrap();
    bytes[1000] ^= 1;
    fs::write(&signed, &bytes).unwrap();
    assert_eq!(parse(&signed, &out)["code_hash_ok"], false);
}

#[test]
fn adhoc_dmg_seal_and_unsigned_image_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let unsigned = unsigned_dmg(dir.path());
    let before = fs::read(&unsigned).unwrap();
    let sealed = dir.path().join("Hello.dmg");
    sign_dmg(&unsigned, &sealed, &DmgSignOptions::default()).unwrap();
    assert_eq!(fs::read(&unsigned).unwrap(), before);
    sevenzip_reads(&sealed);
    let p = parse(&sealed, &dir.path().join("parts"));
    assert_eq!(p["flags"], "0x2");
    assert_eq!(p["cms_len"], 0);
    assert_eq!(p["code_hash_ok"], true);
    assert_eq!(p["koly_slot_ok"], true);
    assert_eq!(p["ident"], "Hello");
}

#[test]
fn dmg_signing_rejects_bad_input_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.dmg");
    let junk = dir.path().join("junk.dmg");
    fs::write(&junk, vec![0u8; 4096]).unwrap();
    let err = sign_dmg(&junk, &out, &DmgSignOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("junk.dmg") && err.contains("koly"), "{err}");
    assert!(!out.exists());

    let unsigned = unsigned_dmg(dir.path());
    let installer = pki::identity("installer", ApplePurpose::Installer).unwrap();
    let err = sign_dmg(
        &unsigned,
        &out,
        &DmgSignOptions {
            identity: Some(&installer),
            ..DmgSignOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("Developer ID Application"), "{err}");
    assert!(!out.exists());
}
