//! Integration tests of crateship-macos: every artifact is read back by tools we
//! did not write — Python `plistlib` and `lief` (PyPI), `file`, `bsdtar`, `7zz`,
//! `xmllint`, `gzip`, `cpio`, `dmg2img`, the `apple-bom` parser, and
//! signature checks written in Python here (page hashes, special slots, CodeResources).
//!
//! Needs: `apt-get install -y file libarchive-tools 7zip libxml2-utils cpio dmg2img`
//! and `pip install lief ziglang` (zig cross-links real Mach-O test binaries).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure

// Spawning the verifiers is the point of these tests.
#![allow(clippy::disallowed_methods)]

mod app;
mod devid;
mod dmg;
mod dmg_sign;
mod errors;
mod pkg;
mod pkg_sign;
mod pki;
mod sign;
mod templates;
mod universal;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crateship_macos::{AppBundle, CPU_TYPE_ARM64, CPU_TYPE_X86_64, DocumentType};

/// 2024-05-01 12:00:00 UTC.
pub const SDE: u64 = 1_714_564_800;
/// A resource name with spaces, quotes and non-ASCII characters.
pub const ODD_NAME: &str = "it's a \"quoted\" naïve file ✓.txt";

/// Runs `cmd`, panicking with its output unless it succeeds.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({})\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd` successfully and returns its stdout.
pub fn stdout(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&run(cmd).stdout).into_owned()
}

/// Runs a Python snippet with `args` and returns its stdout.
pub fn python(code: &str, args: &[&Path]) -> String {
    stdout(Command::new("python3").arg("-c").arg(code).args(args))
}

/// A small but well-formed thin Mach-O executable: `__PAGEZERO`, `__TEXT` with
/// one `__text` section at 0x1000, `__LINKEDIT`, and LC_BUILD_VERSION(macOS, `minos`).
pub fn thin_macho(cputype: u32, minos: (u32, u32)) -> Vec<u8> {
    fn seg(b: &mut Vec<u8>, name: &str, vm: (u64, u64), file: (u64, u64), prot: u32, nsects: u32) {
        let mut n = [0u8; 16];
        n[..name.len()].copy_from_slice(name.as_bytes());
        b.extend_from_slice(&0x19u32.to_le_bytes());
        b.extend_from_slice(&(72 + 80 * nsects).to_le_bytes());
        b.extend_from_slice(&n);
        for v in [vm.0, vm.1, file.0, file.1] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        for v in [prot, prot, nsects, 0] {
            b.extend_from_slice(&v.to_le_bytes());
        }
    }
    let subtype = if cputype == CPU_TYPE_X86_64 { 3 } else { 0 };
    let mut b = Vec::new();
    for v in [0xfeed_facf, cputype, subtype, 2, 4, 320, 0x0020_0085, 0] {
        b.extend_from_slice(&u32::to_le_bytes(v));
    }
    seg(&mut b, "__PAGEZERO", (0, 0x1_0000_0000), (0, 0), 0, 0);
    seg(&mut b, "__TEXT", (0x1_0000_0000, 0x4000), (0, 0x4000), 5, 1);
    let mut sect = [0u8; 80];
    sect[..6].copy_from_slice(b"__text");
    sect[16..22].copy_from_slice(b"__TEXT");
    sect[32..40].copy_from_slice(&0x1_0000_1000u64.to_le_bytes());
    sect[40..48].copy_from_slice(&0x3000u64.to_le_bytes());
    sect[48..52].copy_from_slice(&0x1000u32.to_le_bytes());
    sect[52..56].copy_from_slice(&2u32.to_le_bytes());
    sect[64..68].copy_from_slice(&0x8000_0400u32.to_le_bytes());
    b.extend_from_slice(&sect);
    seg(
        &mut b,
        "__LINKEDIT",
        (0x1_0000_4000, 0x4000),
        (0x4000, 0x100),
        1,
        0,
    );
    let version = (minos.0 << 16) | (minos.1 << 8);
    for v in [0x32, 24, 1, version, 0x000f_0000, 0] {
        b.extend_from_slice(&u32::to_le_bytes(v));
    }
    assert_eq!(b.len(), 32 + 320);
    b.resize(0x1000, 0);
    // Distinct, non-trivial content per architecture.
    b.extend((0..0x3100u32).map(|i| (i.wrapping_mul(cputype) >> 3) as u8));
    b
}

/// Writes the fixture inputs into `dir` and returns an app description.
pub fn sample_app(dir: &Path) -> AppBundle {
    let bin = dir.join("hello-bin");
    fs::write(&bin, thin_macho(CPU_TYPE_ARM64, (11, 0))).unwrap();
    let icns = dir.join("icon.icns");
    fs::write(&icns, b"icns\0\0\0\x08").unwrap();
    let res = dir.join("res");
    let _ = fs::remove_dir_all(&res);
    fs::create_dir_all(res.join("sub dir/ünïcode")).unwrap();
    fs::write(res.join(ODD_NAME), b"odd\n").unwrap();
    fs::write(res.join("sub dir/ünïcode/data.bin"), vec![7u8; 70_000]).unwrap();
    let tool = res.join("sub dir/tool.sh");
    fs::write(&tool, b"#!/bin/sh\necho hi\n").unwrap();
    fs::set_permissions(&tool, fs::Permissions::from_mode(0o775)).unwrap();
    std::os::unix::fs::symlink("ünïcode/data.bin", res.join("sub dir/link to data")).unwrap();
    let readme = dir.join("README.txt");
    fs::write(&readme, b"read me\n").unwrap();
    let mut extra = BTreeMap::new();
    extra.insert(
        "NSCameraUsageDescription".to_owned(),
        plist::Value::String("To wave.".into()),
    );
    AppBundle {
        identifier: "org.example.hello".into(),
        name: "Hello".into(),
        display_name: "Hello Desktop ✓".into(),
        executable: "hello".into(),
        binary: bin,
        version: "1.2.3-beta.1".into(),
        bundle_version: None,
        icns: Some(icns),
        minimum_system_version: "11.0".into(),
        category: Some("public.app-category.utilities".into()),
        copyright: Some("© 2024 Example".into()),
        url_schemes: vec!["hello".into()],
        document_types: vec![DocumentType {
            name: "Hello Document".into(),
            extensions: vec!["hello".into()],
            role: "Editor".into(),
        }],
        resources: vec![(res, "data".into()), (readme, "docs/README.txt".into())],
        extra_plist: extra,
        info_plist_template: None,
        source_date_epoch: SDE,
    }
}

/// Writes the sample app into `dir/stage` and returns the `.app` path.
pub fn built_app(dir: &Path) -> PathBuf {
    let app = sample_app(dir);
    let stage = dir.join("stage");
    fs::create_dir_all(&stage).unwrap();
    crateship_macos::write_app(&app, &stage).unwrap()
}

/// Every entry below `root`: relative path → (kind/mode, content or target).
pub type Snapshot = BTreeMap<String, (String, Vec<u8>)>;

/// Asserts two snapshots are equal, printing only the differing paths.
pub fn assert_same_tree(got: &Snapshot, want: &Snapshot) {
    let diff: Vec<&String> = got
        .keys()
        .chain(want.keys())
        .filter(|k| got.get(*k) != want.get(*k))
        .collect();
    assert!(diff.is_empty(), "trees differ at {diff:?}");
}

/// Every entry below `root`: relative path → (kind/mode, content or target).
pub fn snapshot(root: &Path) -> Snapshot {
    fn walk(root: &Path, p: &Path, out: &mut Snapshot) {
        for e in fs::read_dir(p).unwrap() {
            let e = e.unwrap();
            let path = e.path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let m = fs::symlink_metadata(&path).unwrap();
            if m.file_type().is_symlink() {
                let t = fs::read_link(&path).unwrap();
                out.insert(
                    rel,
                    ("link".into(), t.to_string_lossy().as_bytes().to_vec()),
                );
            } else if m.is_dir() {
                out.insert(rel, ("dir".into(), Vec::new()));
                walk(root, &path, out);
            } else {
                let exec = m.permissions().mode() & 0o111 != 0;
                let kind = if exec { "exec file" } else { "file" };
                out.insert(rel, (kind.into(), fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}
