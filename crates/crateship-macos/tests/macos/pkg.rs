//! The flat `.pkg`: XAR read by bsdtar and 7-Zip, TOC checksum checked in
//! Python, Payload by gzip + cpio, XML by xmllint, Bom by the apple-bom parser.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crateship_macos::{PkgInfo, write_pkg};

use crate::{ODD_NAME, SDE, assert_same_tree, built_app, python, run, snapshot, stdout};

fn build_pkg(dir: &Path) -> (PathBuf, PathBuf) {
    let app = built_app(dir);
    let mut info = PkgInfo::new("Hello Desktop", SDE);
    info.minimum_system_version = Some("11.0".into());
    let out = dir.join("Hello-1.2.3.pkg");
    write_pkg(&app, &info, fs::File::create(&out).unwrap()).unwrap();
    (app, out)
}

#[test]
fn bsdtar_and_7zip_read_the_xar() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pkg) = build_pkg(dir.path());
    let list = stdout(Command::new("bsdtar").arg("-tf").arg(&pkg));
    let names: Vec<&str> = list.lines().collect();
    for n in [
        "Distribution",
        "Hello.pkg",
        "Hello.pkg/Bom",
        "Hello.pkg/PackageInfo",
        "Hello.pkg/Payload",
    ] {
        assert!(names.contains(&n), "{n} missing in {list}");
    }
    stdout(Command::new("bsdtar").arg("-tvf").arg(&pkg));
    let l = stdout(Command::new("7zz").arg("l").arg(&pkg));
    assert!(
        l.contains("Hello.pkg/Payload") && l.contains("Distribution"),
        "{l}"
    );
    let t = stdout(Command::new("7zz").arg("t").arg(&pkg));
    assert!(t.contains("Everything is Ok"), "{t}");
}

#[test]
fn toc_checksum_and_file_checksums_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pkg) = build_pkg(dir.path());
    let out = python(
        r#"
import hashlib, re, struct, sys, zlib
b = open(sys.argv[1], "rb").read()
magic, hsize, ver, clen, ulen, alg = struct.unpack(">4sHHQQI", b[:28])
assert magic == b"xar!" and hsize == 28 and ver == 1 and alg == 1, (magic, hsize, ver, alg)
ctoc = b[28:28 + clen]
toc = zlib.decompress(ctoc).decode()
assert len(toc) == ulen or len(toc.encode()) == ulen
heap = 28 + clen
assert b[heap:heap + 20] == hashlib.sha1(ctoc).digest(), "toc checksum"
n = 0
for m in re.finditer(r"<length>(\d+)</length>\s*<offset>(\d+)</offset>.*?<archived-checksum style=\"sha1\">([0-9a-f]+)<", toc, re.S):
    length, off, want = int(m.group(1)), int(m.group(2)), m.group(3)
    assert hashlib.sha1(b[heap + off:heap + off + length]).hexdigest() == want
    n += 1
print(n)
"#,
        &[&pkg],
    );
    assert_eq!(out.trim(), "4");
}

#[test]
fn payload_extracts_to_the_bundle_with_modes() {
    let dir = tempfile::tempdir().unwrap();
    let (app, pkg) = build_pkg(dir.path());
    let x = dir.path().join("x");
    fs::create_dir(&x).unwrap();
    run(Command::new("bsdtar")
        .arg("-xf")
        .arg(&pkg)
        .arg("-C")
        .arg(&x));
    let payload = x.join("Hello.pkg/Payload");
    let listing = stdout(
        Command::new("sh")
            .arg("-c")
            .arg("gzip -dc \"$1\" | cpio -itv --quiet")
            .arg("sh")
            .arg(&payload),
    );
    let line = |suffix: &str| {
        listing
            .lines()
            .find(|l| l.ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix} not in\n{listing}"))
            .to_owned()
    };
    assert!(line("./Hello.app/Contents/MacOS/hello").starts_with("-rwxr-xr-x"));
    assert!(line("./Hello.app/Contents/Info.plist").starts_with("-rw-r--r--"));
    assert!(line("./Hello.app/Contents").starts_with("drwxr-xr-x"));
    assert!(line("link to data -> ünïcode/data.bin").starts_with("lrwxr-xr-x"));
    assert!(line(ODD_NAME).contains("Resources/data/"));
    assert!(line("./Hello.app/Contents/Info.plist").contains("May  1  2024"));

    let root = dir.path().join("installed");
    fs::create_dir(&root).unwrap();
    run(Command::new("sh")
        .arg("-c")
        .arg("gzip -dc \"$1\" | (cd \"$2\" && cpio -idm --quiet)")
        .arg("sh")
        .arg(&payload)
        .arg(&root));
    assert_same_tree(&snapshot(&root.join("Hello.app")), &snapshot(&app));
}

#[test]
fn distribution_and_package_info_are_valid_xml() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pkg) = build_pkg(dir.path());
    let x = dir.path().join("x");
    fs::create_dir(&x).unwrap();
    run(Command::new("bsdtar")
        .arg("-xf")
        .arg(&pkg)
        .arg("-C")
        .arg(&x));
    for f in ["Distribution", "Hello.pkg/PackageInfo"] {
        run(Command::new("xmllint").arg("--noout").arg(x.join(f)));
    }
    let dist = fs::read_to_string(x.join("Distribution")).unwrap();
    assert!(dist.contains(">#Hello.pkg</pkg-ref>"), "{dist}");
    assert!(dist.contains("enable_anywhere="), "{dist}");
    assert!(dist.contains("hostArchitectures=\"arm64\""), "{dist}");
    assert!(dist.contains("<os-version min=\"11.0\"/>"), "{dist}");
    let info = fs::read_to_string(x.join("Hello.pkg/PackageInfo")).unwrap();
    assert!(info.contains("identifier=\"org.example.hello\""), "{info}");
    assert!(
        info.contains("install-location=\"/Applications\""),
        "{info}"
    );
    assert!(info.contains("<bundle path=\"./Hello.app\""), "{info}");
}

#[test]
fn bom_lists_every_path_with_mode_size_and_cksum() {
    let dir = tempfile::tempdir().unwrap();
    let (app, pkg) = build_pkg(dir.path());
    let x = dir.path().join("x");
    fs::create_dir(&x).unwrap();
    run(Command::new("bsdtar")
        .arg("-xf")
        .arg(&pkg)
        .arg("-C")
        .arg(&x));
    let data = fs::read(x.join("Hello.pkg/Bom")).unwrap();
    let bom = apple_bom::ParsedBom::parse(&data).unwrap();
    let paths = bom.paths().unwrap();
    let got: BTreeMap<String, (u16, usize, Option<u32>, Option<String>)> = paths
        .iter()
        .map(|p| {
            (
                p.path().to_owned(),
                (
                    p.file_mode(),
                    p.size(),
                    p.crc32(),
                    p.link_name().map(str::to_owned),
                ),
            )
        })
        .collect();
    assert_eq!(got.len(), paths.len(), "duplicate paths");
    assert_eq!(got["."].0, 0o040755);
    // Every bundle entry is there, with the CRC `cksum` prints.
    let snap = snapshot(&app);
    assert_eq!(got.len(), snap.len() + 2, "{:?}", got.keys());
    for (rel, (kind, content)) in &snap {
        let key = format!("./Hello.app/{rel}");
        let (mode, size, crc, link) = got.get(&key).unwrap_or_else(|| panic!("{key} not in Bom"));
        match kind.as_str() {
            "dir" => assert_eq!(*mode, 0o040755, "{key}"),
            "link" => {
                assert_eq!(*mode, 0o120755, "{key}");
                assert_eq!(link.as_deref().map(str::as_bytes), Some(&content[..]));
            }
            k => {
                let want = if k == "exec file" { 0o100755 } else { 0o100644 };
                assert_eq!(*mode, want, "{key}");
                assert_eq!(*size, content.len(), "{key}");
                let path = app.join(rel);
                let ck = stdout(Command::new("cksum").arg(&path));
                let ck: u32 = ck.split_whitespace().next().unwrap().parse().unwrap();
                assert_eq!(*crc, Some(ck), "{key}");
            }
        }
    }
    // Structural variables exist and parse.
    bom.bom_info().unwrap();
    bom.hl_index().unwrap();
    bom.size64().unwrap();
    bom.vindex().unwrap();
}

#[test]
fn two_pkgs_are_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (_, pa) = build_pkg(a.path());
    let (_, pb) = build_pkg(b.path());
    assert_eq!(fs::read(pa).unwrap(), fs::read(pb).unwrap());
}

#[test]
fn install_scripts_are_archived_and_declared() {
    let dir = tempfile::tempdir().unwrap();
    let app = built_app(dir.path());
    let post = dir.path().join("post.sh");
    fs::write(&post, b"#!/bin/sh\nexit 0\n").unwrap();
    let mut info = PkgInfo::new("Hello", SDE);
    info.postinstall = Some(post);
    let pkg = dir.path().join("s.pkg");
    write_pkg(&app, &info, fs::File::create(&pkg).unwrap()).unwrap();
    let x = dir.path().join("x");
    fs::create_dir(&x).unwrap();
    run(Command::new("bsdtar")
        .arg("-xf")
        .arg(&pkg)
        .arg("-C")
        .arg(&x));
    let listing = stdout(
        Command::new("sh")
            .arg("-c")
            .arg("gzip -dc \"$1\" | cpio -itv --quiet")
            .arg("sh")
            .arg(x.join("Hello.pkg/Scripts")),
    );
    let line = listing
        .lines()
        .find(|l| l.ends_with("./postinstall"))
        .unwrap();
    assert!(line.starts_with("-rwxr-xr-x"), "{listing}");
    run(Command::new("xmllint")
        .arg("--noout")
        .arg(x.join("Hello.pkg/PackageInfo")));
    let info = fs::read_to_string(x.join("Hello.pkg/PackageInfo")).unwrap();
    assert!(
        info.contains("<postinstall file=\"./postinstall\"/>"),
        "{info}"
    );

    let bad = dir.path().join("bad.sh");
    fs::write(&bad, b"echo no shebang\n").unwrap();
    let mut info = PkgInfo::new("Hello", SDE);
    info.preinstall = Some(bad);
    let e = write_pkg(&app, &info, Vec::new()).unwrap_err().to_string();
    assert!(e.contains("preinstall") && e.contains("#!"), "{e}");
}
