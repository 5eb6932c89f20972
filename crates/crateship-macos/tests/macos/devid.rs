//! Developer ID app signatures, checked by tools we did not write: a Python
//! parser written here from Apple's published layouts (CodeDirectory, special
//! slots, requirement byte code, DER entitlements), `openssl cms -verify` on the
//! CMS blob against the CodeDirectory bytes, and `lief` for the Mach-O.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crateship_macos::{
    AppSignOptions, ApplePurpose, CPU_TYPE_ARM64, CPU_TYPE_X86_64, merge_universal, sign_app,
    write_app,
};

use crate::pki::{self, TEAM};
use crate::{SDE, python, sample_app, snapshot, stdout, thin_macho};

/// Per slice: one JSON line with what the signature says and `check` = `OK` or
/// the first mismatch; writes `cd<i>.bin` and `cms<i>.der` into argv[2].
pub const VERIFY: &str = r#"
import hashlib, plistlib, struct, sys, os, json
app, out = sys.argv[1], sys.argv[2]
c = os.path.join(app, "Contents")
info_bytes = open(os.path.join(c, "Info.plist"), "rb").read()
info = plistlib.loads(info_bytes)
exe = open(os.path.join(c, "MacOS", info["CFBundleExecutable"]), "rb").read()
cr_bytes = open(os.path.join(c, "_CodeSignature", "CodeResources"), "rb").read()
u32 = lambda b, i: struct.unpack(">I", b[i:i + 4])[0]
def slices(b):
    if u32(b, 0) == 0xcafebabe:
        for i in range(u32(b, 4)):
            off, size = struct.unpack(">2I", b[16 + 20*i: 24 + 20*i])
            yield b[off:off + size]
    else:
        yield b
def data(b, i):
    n = u32(b, i)
    return b[i + 4:i + 4 + n], i + 4 + (n + 3) // 4 * 4
def oid(d):
    arcs, v = [d[0] // 40, d[0] % 40], 0
    for x in d[1:]:
        v = (v << 7) | (x & 0x7f)
        if not x & 0x80:
            arcs.append(v); v = 0
    return ".".join(map(str, arcs))
def match(b, i):
    op = u32(b, i); i += 4
    if op == 0: return " /* exists */", i
    if op == 1:
        d, i = data(b, i); return " = " + d.decode(), i
    raise ValueError("match op %d" % op)
def expr(b, i):
    op = u32(b, i); i += 4
    if op == 6:
        l, i = expr(b, i); r, i = expr(b, i); return l + " and " + r, i
    if op == 2:
        d, i = data(b, i); return 'identifier "%s"' % d.decode(), i
    if op == 15: return "anchor apple generic", i
    if op in (11, 14):
        slot = struct.unpack(">i", b[i:i + 4])[0]; d, i = data(b, i + 4); m, i = match(b, i)
        name = "leaf" if slot == 0 else str(slot)
        field = d.decode() if op == 11 else "field." + oid(d)
        return "certificate %s[%s]%s" % (name, field, m), i
    raise ValueError("op %d" % op)
def requirements(r):
    assert u32(r, 0) == 0xfade0c01
    out = []
    for k in range(u32(r, 8)):
        typ, off = struct.unpack(">2I", r[12 + 8*k: 20 + 8*k])
        assert u32(r, off) == 0xfade0c00 and u32(r, off + 8) == 1
        out.append("%d: %s" % (typ, expr(r, off + 12)[0]))
    return "; ".join(out)
def check(m, idx):
    res = {}
    ncmds = struct.unpack("<I", m[16:20])[0]
    at, sig = 32, None
    for _ in range(ncmds):
        cmd, size = struct.unpack("<2I", m[at:at + 8])
        if cmd == 0x1d:
            sig = struct.unpack("<2I", m[at + 8:at + 16])
        at += size
    dataoff, datasize = sig
    sb = m[dataoff:dataoff + datasize]
    assert u32(sb, 0) == 0xfade0cc0
    blobs = dict(struct.unpack(">2I", sb[12 + 8*i: 20 + 8*i]) for i in range(u32(sb, 8)))
    blob = lambda slot: sb[blobs[slot]:blobs[slot] + u32(sb, blobs[slot] + 4)]
    cd = blob(0)
    (ver, flags, hoff, ioff, nspecial, ncode, limit) = struct.unpack(">7I", cd[8:36])
    hsize, htype, platform, pshift = cd[36:40]
    res["version"], res["flags"], res["nspecial"] = hex(ver), hex(flags), nspecial
    res["ident"] = cd[ioff:cd.index(b"\0", ioff)].decode()
    toff = u32(cd, 48) if ver >= 0x20200 else 0
    res["team"] = cd[toff:cd.index(b"\0", toff)].decode() if toff else None
    res["slots"] = sorted(blobs)
    open(os.path.join(out, "cd%d.bin" % idx), "wb").write(cd)
    w = blob(0x10000)
    assert u32(w, 0) == 0xfade0b01
    open(os.path.join(out, "cms%d.der" % idx), "wb").write(w[8:])
    res["cdhash"] = hashlib.sha256(cd).hexdigest()
    res["req"] = requirements(blob(2))
    slot = lambda n: cd[hoff - 32*n: hoff - 32*(n - 1)]
    page = 1 << pshift
    res["check"] = "OK"
    for i in range(ncode):
        if hashlib.sha256(m[i*page:min((i + 1)*page, limit)]).digest() != cd[hoff + 32*i: hoff + 32*(i + 1)]:
            res["check"] = "page %d hash mismatch" % i; return res
    want = {1: info_bytes, 2: blob(2), 3: cr_bytes}
    if nspecial >= 5:
        want[5] = blob(5)
        want[7] = blob(7)
        res["ent_xml"] = blob(5)[8:].decode()
        res["ent_der"] = blob(7)[8:].hex()
    for n, b in want.items():
        if slot(n) != hashlib.sha256(b).digest():
            res["check"] = "special slot %d mismatch" % n; return res
    return res
for idx, m in enumerate(slices(exe)):
    print(json.dumps(check(m, idx)))
"#;

/// Independent DER entitlements encoder (Apple's layout) for the fixture below.
const DER_ENTS: &str = r#"
import plistlib, sys
def tlv(tag, body):
    n = len(body)
    if n < 0x80: head = bytes([tag, n])
    else:
        nb = n.to_bytes((n.bit_length() + 7) // 8, "big"); head = bytes([tag, 0x80 | len(nb)]) + nb
    return head + body
def enc(v):
    if isinstance(v, bool): return tlv(1, b"\xff" if v else b"\0")
    if isinstance(v, int): return tlv(2, v.to_bytes((v.bit_length() + 8) // 8 or 1, "big", signed=True))
    if isinstance(v, str): return tlv(0x0c, v.encode())
    if isinstance(v, list): return tlv(0x30, b"".join(enc(x) for x in v))
    if isinstance(v, dict):
        return tlv(0xb0, b"".join(tlv(0x30, tlv(0x0c, k.encode()) + enc(v[k])) for k in sorted(v)))
    raise TypeError(v)
print(tlv(0x70, tlv(2, b"\1") + enc(plistlib.load(open(sys.argv[1], "rb")))).hex())
"#;

pub const ENTITLEMENTS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>com.apple.security.cs.allow-jit</key>
	<true/>
	<key>com.apple.security.application-groups</key>
	<array>
		<string>TEAMID1234.group</string>
	</array>
	<key>com.example.count</key>
	<integer>300</integer>
	<key>com.example.nested</key>
	<dict>
		<key>off</key>
		<false/>
	</dict>
</dict>
</plist>
"#;

/// The parsed JSON line of every slice.
pub fn verify(app: &Path, out: &Path) -> Vec<serde_json::Value> {
    python(VERIFY, &[app, out])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `openssl cms -verify` of slice `i`'s CMS over its CodeDirectory bytes.
pub fn cms_verify(out: &Path, i: usize) -> std::process::Output {
    Command::new("openssl")
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in",
        ])
        .arg(out.join(format!("cms{i}.der")))
        .arg("-content")
        .arg(out.join(format!("cd{i}.bin")))
        .arg("-CAfile")
        .arg(pki::path("ca.pem"))
        .args(["-out", "/dev/null"])
        .output()
        .expect("install openssl")
}

fn cms_print(out: &Path, i: usize) -> String {
    stdout(
        Command::new("openssl")
            .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
            .arg(out.join(format!("cms{i}.der"))),
    )
}

fn app_with(dir: &Path, universal: bool) -> PathBuf {
    let mut spec = sample_app(dir);
    if universal {
        let fat = merge_universal(
            &thin_macho(CPU_TYPE_X86_64, (10, 15)),
            &thin_macho(CPU_TYPE_ARM64, (11, 0)),
        )
        .unwrap();
        fs::write(&spec.binary, fat).unwrap();
    }
    spec.source_date_epoch = SDE;
    let stage = dir.join("stage");
    fs::create_dir_all(&stage).unwrap();
    write_app(&spec, &stage).unwrap()
}

fn want_req() -> String {
    format!(
        "3: identifier \"org.example.hello\" and anchor apple generic and certificate \
         1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate \
         leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = {TEAM}"
    )
}

#[test]
fn rsa_identity_with_entitlements_and_runtime_verifies_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(dir.path(), false);
    let ents = dir.path().join("app.entitlements");
    fs::write(&ents, ENTITLEMENTS).unwrap();
    let id = pki::identity("app-rsa", ApplePurpose::Application).unwrap();
    let report = sign_app(
        &app,
        &AppSignOptions {
            identity: Some(&id),
            hardened_runtime: true,
            entitlements: Some(ents.clone()),
            source_date_epoch: SDE,
            ..AppSignOptions::default()
        },
    )
    .unwrap();
    assert_eq!(report.team_id.as_deref(), Some(TEAM));
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let v = verify(&app, &out);
    assert_eq!(v.len(), 1);
    let s = &v[0];
    assert_eq!(s["check"], "OK", "{s}");
    assert_eq!(s["flags"], "0x10000");
    assert_eq!(s["version"], "0x20400");
    assert_eq!(s["team"], TEAM);
    assert_eq!(s["ident"], "org.example.hello");
    assert_eq!(s["nspecial"], 7);
    assert_eq!(s["slots"], serde_json::json!([0, 2, 5, 7, 0x10000]));
    assert_eq!(s["req"], want_req());
    assert_eq!(s["ent_xml"], ENTITLEMENTS);
    let der = python(DER_ENTS, &[&ents]);
    assert_eq!(s["ent_der"], der.trim());
    let cdhash: String = report.cdhashes[0]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(s["cdhash"], cdhash);

    let ok = cms_verify(&out, 0);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let printed = cms_print(&out, 0);
    for needle in [
        "1.2.840.113635.100.9.1",
        "1.2.840.113635.100.9.2",
        "signingTime",
        "May  1 12:00:00 2024 GMT",
        "Developer ID Application: Test (TEAMID1234)",
    ] {
        assert!(printed.contains(needle), "{needle} missing:\n{printed}");
    }
    // The CDHashes attributes carry this CodeDirectory's hash.
    let cms = fs::read(out.join("cms0.der")).unwrap();
    let full = hex_bytes(&cdhash);
    assert_eq!(cms.windows(32).filter(|w| *w == &full[..]).count(), 2);

    // lief reads the signature too.
    let exe = app.join("Contents/MacOS/hello");
    let l = python(
        "import sys, lief\nb = lief.MachO.parse(sys.argv[1]).at(0)\nprint(b.has_code_signature, b.code_signature.data_size)",
        &[&exe],
    );
    assert!(l.starts_with("True "), "{l}");

    // One byte of code changed: the page hash no longer matches.
    let mut bin = fs::read(&exe).unwrap();
    bin[0x2000] ^= 1;
    fs::write(&exe, &bin).unwrap();
    assert_eq!(verify(&app, &out)[0]["check"], "page 2 hash mismatch");
    // One byte of the CodeDirectory changed: openssl rejects the CMS.
    let mut cd = fs::read(out.join("cd0.bin")).unwrap();
    let last = cd.len() - 1;
    cd[last] ^= 1;
    fs::write(out.join("cd0.bin"), &cd).unwrap();
    assert!(!cms_verify(&out, 0).status.success());
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn p256_universal_binary_is_signed_per_slice_with_a_timestamp() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(dir.path(), true);
    let id = pki::identity("app-ec", ApplePurpose::Application).unwrap();
    let url = pki::tsa_url().to_owned();
    let report = sign_app(
        &app,
        &AppSignOptions {
            identity: Some(&id),
            source_date_epoch: SDE,
            timestamp_urls: vec!["http://127.0.0.1:9/down".into(), url.clone()],
            timestamp_timeout: Duration::from_secs(10),
            ..AppSignOptions::default()
        },
    )
    .unwrap();
    assert_eq!(report.timestamp_server.as_deref(), Some(url.as_str()));
    assert_eq!(report.cdhashes.len(), 2);
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let v = verify(&app, &out);
    assert_eq!(v.len(), 2);
    for (i, s) in v.iter().enumerate() {
        assert_eq!(s["check"], "OK", "{s}");
        assert_eq!(s["flags"], "0x0");
        assert_eq!(s["team"], TEAM);
        assert_eq!(s["nspecial"], 3);
        assert_eq!(s["req"], want_req());
        let ok = cms_verify(&out, i);
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        let printed = cms_print(&out, i);
        assert!(printed.contains("id-smime-aa-timeStampToken"), "{printed}");
        assert!(printed.contains("ecdsa-with-SHA256"), "{printed}");
    }
    assert_ne!(v[0]["cdhash"], v[1]["cdhash"]);
}

#[test]
fn two_identity_signings_are_byte_identical() {
    for key in ["app-rsa", "app-ec"] {
        let id = pki::identity(key, ApplePurpose::Application).unwrap();
        let sign = |dir: &Path| {
            let app = app_with(dir, true);
            let opts = AppSignOptions {
                identity: Some(&id),
                hardened_runtime: true,
                source_date_epoch: SDE,
                ..AppSignOptions::default()
            };
            sign_app(&app, &opts).unwrap();
            // Re-signing a signed bundle gives the same bytes again.
            let once = snapshot(&app);
            sign_app(&app, &opts).unwrap();
            assert_eq!(snapshot(&app), once);
            once
        };
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        assert_eq!(sign(a.path()), sign(b.path()), "{key}");
    }
}

#[test]
fn unusable_identities_are_rejected_with_a_clear_message() {
    let err = pki::identity("expired", ApplePurpose::Application).unwrap_err();
    assert!(err.contains("expired on 2021-01-01"), "{err}");
    let err = pki::identity("tls", ApplePurpose::Application).unwrap_err();
    assert!(
        err.contains("not a code-signing certificate") && err.contains("Developer ID Application"),
        "{err}"
    );
    let key = fs::read(pki::path("app-rsa.key")).unwrap();
    let chain = fs::read(pki::path("app-ec.pem")).unwrap();
    let err = crateship_macos::AppleIdentity::from_pem(&key, &chain, ApplePurpose::Application)
        .unwrap_err()
        .to_string();
    assert!(err.contains("matches the private key"), "{err}");
    let err = pki::identity("installer-ec", ApplePurpose::Installer).unwrap_err();
    assert!(err.contains("RSA"), "{err}");
    // Debug output never shows key material.
    let id = pki::identity("app-rsa", ApplePurpose::Application).unwrap();
    let dbg = format!("{id:?}");
    assert!(dbg.contains(TEAM) && !dbg.contains("PRIVATE"), "{dbg}");
}

#[test]
fn failed_signing_leaves_the_bundle_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(dir.path(), false);
    let before = snapshot(&app);
    let installer = pki::identity("installer", ApplePurpose::Installer).unwrap();
    let err = sign_app(
        &app,
        &AppSignOptions {
            identity: Some(&installer),
            source_date_epoch: SDE,
            ..AppSignOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("Developer ID Application"), "{err}");

    let id = pki::identity("app-rsa", ApplePurpose::Application).unwrap();
    let bad = dir.path().join("bad.entitlements");
    fs::write(&bad, "<plist><array/></plist>").unwrap();
    let err = sign_app(
        &app,
        &AppSignOptions {
            identity: Some(&id),
            entitlements: Some(bad),
            source_date_epoch: SDE,
            ..AppSignOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("bad.entitlements") && err.contains("<dict>"),
        "{err}"
    );

    let err = sign_app(
        &app,
        &AppSignOptions {
            identity: Some(&id),
            source_date_epoch: SDE,
            timestamp_urls: vec!["http://127.0.0.1:9/down".into()],
            timestamp_timeout: Duration::from_secs(2),
            ..AppSignOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("no timestamp server answered") && err.contains("127.0.0.1:9"),
        "{err}"
    );
    assert_eq!(snapshot(&app), before);
}

#[test]
fn pkcs12_identity_signs_and_a_wrong_password_is_not_echoed() {
    let p12 = fs::read(pki::path("app-ec.p12")).unwrap();
    let id = crateship_macos::AppleIdentity::from_pkcs12(
        &p12,
        pki::P12_PASSWORD,
        ApplePurpose::Application,
    )
    .unwrap();
    assert_eq!(id.team_id(), Some(TEAM));
    assert_eq!(id.algorithm(), "ECDSA P-256");
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(dir.path(), false);
    let opts = AppSignOptions {
        identity: Some(&id),
        source_date_epoch: SDE,
        ..AppSignOptions::default()
    };
    sign_app(&app, &opts).unwrap();
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    assert_eq!(verify(&app, &out)[0]["check"], "OK");
    assert!(cms_verify(&out, 0).status.success());

    let wrong = "wrong-Secret-4711";
    let err = crateship_macos::AppleIdentity::from_pkcs12(&p12, wrong, ApplePurpose::Application)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wrong password") && !err.contains(wrong),
        "{err}"
    );
}
