//! Ad-hoc signatures, checked by a verifier written here in Python (page
//! hashes, special slots, CodeResources) that shares nothing with our signer,
//! plus `lief` and `file` for the Mach-O structure.

use std::fs;
use std::path::Path;
use std::process::Command;

use crateship_macos::{
    AdHocOptions, CPU_TYPE_ARM64, CPU_TYPE_X86_64, merge_universal, sign_app_adhoc, write_app,
};

use crate::{SDE, python, sample_app, snapshot, stdout, thin_macho};

/// Prints `OK` or the first mismatch for every slice of the bundle's executable.
const VERIFY: &str = r#"
import hashlib, plistlib, struct, sys, os
app = sys.argv[1]
c = os.path.join(app, "Contents")
info = plistlib.load(open(os.path.join(c, "Info.plist"), "rb"))
exe = open(os.path.join(c, "MacOS", info["CFBundleExecutable"]), "rb").read()
cr_bytes = open(os.path.join(c, "_CodeSignature", "CodeResources"), "rb").read()
cr = plistlib.loads(cr_bytes)
errors = []
def slices(b):
    if struct.unpack(">I", b[:4])[0] == 0xcafebabe:
        n = struct.unpack(">I", b[4:8])[0]
        for i in range(n):
            cpu, sub, off, size, align = struct.unpack(">5I", b[8 + 20*i: 28 + 20*i])
            yield b[off:off + size]
    else:
        yield b
def check_slice(m):
    magic, cpu, sub, ft, ncmds, sizeofcmds, flags, res = struct.unpack("<8I", m[:32])
    assert magic == 0xfeedfacf
    at, sig = 32, None
    for _ in range(ncmds):
        cmd, size = struct.unpack("<2I", m[at:at + 8])
        if cmd == 0x1d:
            sig = struct.unpack("<2I", m[at + 8:at + 16])
        at += size
    if sig is None:
        return "no LC_CODE_SIGNATURE"
    dataoff, datasize = sig
    if dataoff + datasize != len(m):
        return "signature does not end the file"
    sb = m[dataoff:dataoff + datasize]
    smagic, slen, count = struct.unpack(">3I", sb[:12])
    if smagic != 0xfade0cc0:
        return "bad superblob magic"
    blobs = dict(struct.unpack(">2I", sb[12 + 8*i: 20 + 8*i]) for i in range(count))
    cd = sb[blobs[0]:]
    (cmagic, clen, ver, cflags, hoff, ioff, nspecial, ncode, limit) = struct.unpack(">9I", cd[:36])
    hsize, htype, platform, pshift = cd[36:40]
    if cmagic != 0xfade0c02 or hsize != 32 or htype != 2:
        return "bad code directory"
    if not cflags & 2:
        return "not ad-hoc"
    ident = cd[ioff:cd.index(b"\0", ioff)].decode()
    if ident != info["CFBundleIdentifier"]:
        return "identifier " + ident
    if limit != dataoff:
        return "code limit"
    page = 1 << pshift
    for i in range(ncode):
        want = cd[hoff + 32*i: hoff + 32*(i + 1)]
        if hashlib.sha256(m[i*page:min((i + 1)*page, limit)]).digest() != want:
            return "page %d hash mismatch" % i
    slot = lambda n: cd[hoff - 32*n: hoff - 32*(n - 1)]
    if slot(1) != hashlib.sha256(open(os.path.join(c, "Info.plist"), "rb").read()).digest():
        return "Info.plist slot mismatch"
    if slot(3) != hashlib.sha256(cr_bytes).digest():
        return "CodeResources slot mismatch"
    req = sb[blobs[2]:]
    rlen = struct.unpack(">I", req[4:8])[0]
    if slot(2) != hashlib.sha256(req[:rlen]).digest():
        return "requirements slot mismatch"
    return "OK %x" % cflags
for m in slices(exe):
    print(check_slice(m))
# Every resource is sealed with its current content.
for root, dirs, files in os.walk(os.path.join(c, "Resources")):
    for f in dirs + files:
        p = os.path.join(root, f)
        rel = os.path.relpath(p, c)
        e = cr["files2"].get(rel)
        if os.path.islink(p):
            ok = e == {"symlink": os.readlink(p)}
        elif os.path.isdir(p):
            continue
        else:
            data = open(p, "rb").read()
            ok = e is not None and e["hash2"] == hashlib.sha256(data).digest() \
                and e["hash"] == hashlib.sha1(data).digest() \
                and cr["files"][rel] == hashlib.sha1(data).digest()
        if not ok:
            print("resource mismatch " + rel)
"#;

fn verify(app: &Path) -> String {
    python(VERIFY, &[app])
}

fn signed_app(dir: &Path, universal: bool, hardened: bool) -> std::path::PathBuf {
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
    let app = write_app(&spec, &stage).unwrap();
    let opts = AdHocOptions {
        hardened_runtime: hardened,
        source_date_epoch: SDE,
    };
    sign_app_adhoc(&app, &opts).unwrap();
    app
}

#[test]
fn thin_signature_matches_an_independent_recomputation() {
    let dir = tempfile::tempdir().unwrap();
    let app = signed_app(dir.path(), false, false);
    assert_eq!(verify(&app).trim(), "OK 2");
    let exe = app.join("Contents/MacOS/hello");
    let f = stdout(Command::new("file").arg("-b").arg(&exe));
    assert!(f.contains("Mach-O 64-bit") && f.contains("arm64"), "{f}");
    let out = python(
        "import sys, lief\nb = lief.MachO.parse(sys.argv[1]).at(0)\n\
         print(b.has_code_signature, b.code_signature.data_size > 0, '.'.join(map(str, b.build_version.minos)))",
        &[&exe],
    );
    assert_eq!(out.trim(), "True True 11.0.0");
}

#[test]
fn universal_signature_covers_both_slices_with_hardened_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let app = signed_app(dir.path(), true, true);
    assert_eq!(verify(&app).trim(), "OK 10002\nOK 10002");
    let f = stdout(
        Command::new("file")
            .arg("-b")
            .arg(app.join("Contents/MacOS/hello")),
    );
    assert!(f.contains("universal binary with 2 architectures"), "{f}");
}

#[test]
fn changing_one_byte_breaks_the_seal() {
    let dir = tempfile::tempdir().unwrap();
    let app = signed_app(dir.path(), false, false);
    let res = app.join("Contents/Resources/docs/README.txt");
    let mut data = fs::read(&res).unwrap();
    data[0] ^= 1;
    fs::write(&res, &data).unwrap();
    assert!(verify(&app).contains("resource mismatch Resources/docs/README.txt"));
    data[0] ^= 1;
    fs::write(&res, &data).unwrap();
    assert_eq!(verify(&app).trim(), "OK 2");

    let exe = app.join("Contents/MacOS/hello");
    let mut bin = fs::read(&exe).unwrap();
    bin[0x2000] ^= 1;
    fs::write(&exe, &bin).unwrap();
    assert_eq!(verify(&app).trim(), "page 2 hash mismatch");
}

#[test]
fn resigning_and_two_signings_are_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let app_a = signed_app(a.path(), true, false);
    let app_b = signed_app(b.path(), true, false);
    assert_eq!(snapshot(&app_a), snapshot(&app_b));
    // Signing an already signed bundle replaces the signature, same result.
    let before = snapshot(&app_a);
    let opts = AdHocOptions {
        hardened_runtime: false,
        source_date_epoch: SDE,
    };
    sign_app_adhoc(&app_a, &opts).unwrap();
    assert_eq!(snapshot(&app_a), before);
}

/// Cross-links a C program for macOS with zig (PyPI `ziglang`), minos 11.0.
fn zig_macho(dir: &Path, target: &str) -> Vec<u8> {
    let src = dir.join("hello.c");
    fs::write(
        &src,
        "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n",
    )
    .unwrap();
    let out = dir.join(format!("hello-{target}"));
    crate::run(
        Command::new("python3")
            .args(["-m", "ziglang", "cc", "-target", target, "-O1"])
            .arg(&src)
            .arg("-o")
            .arg(&out)
            .env("MACOSX_DEPLOYMENT_TARGET", "11.0"),
    );
    fs::read(out).unwrap()
}

#[test]
fn real_linker_output_merges_signs_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let x = zig_macho(dir.path(), "x86_64-macos.11.0");
    let a = zig_macho(dir.path(), "aarch64-macos.11.0");
    let mut spec = sample_app(dir.path());
    fs::write(&spec.binary, merge_universal(&x, &a).unwrap()).unwrap();
    spec.resources.clear();
    let stage = dir.path().join("stage");
    fs::create_dir_all(&stage).unwrap();
    let app = write_app(&spec, &stage).unwrap();
    let opts = AdHocOptions {
        hardened_runtime: true,
        source_date_epoch: SDE,
    };
    // zig's arm64 output is already linker-signed: that signature is replaced.
    sign_app_adhoc(&app, &opts).unwrap();
    assert_eq!(verify(&app).trim(), "OK 10002\nOK 10002");
    let exe = app.join("Contents/MacOS/hello");
    let out = python(
        "import sys, lief\nfat = lief.MachO.parse(sys.argv[1])  # keep it alive while iterating\nfor b in fat:\n    \
         print(b.header.cpu_type.name, '.'.join(map(str, b.build_version.minos)), b.has_code_signature)",
        &[&exe],
    );
    assert_eq!(out.trim(), "X86_64 11.0.0 True\nARM64 11.0.0 True");
}
