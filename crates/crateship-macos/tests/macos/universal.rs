//! Universal binaries: `file` and Python `lief` read what `merge_universal` writes.

use std::fs;
use std::process::Command;

use crateship_macos::{CPU_TYPE_ARM64, CPU_TYPE_X86_64, merge_universal};

use crate::{python, stdout, thin_macho};

#[test]
fn file_and_lief_read_the_fat_binary() {
    let dir = tempfile::tempdir().unwrap();
    let x = thin_macho(CPU_TYPE_X86_64, (10, 15));
    let a = thin_macho(CPU_TYPE_ARM64, (11, 0));
    let fat = merge_universal(&x, &a).unwrap();
    let path = dir.path().join("hello");
    fs::write(&path, &fat).unwrap();

    let f = stdout(Command::new("file").arg("-b").arg(&path));
    assert!(
        f.contains("Mach-O universal binary with 2 architectures"),
        "{f}"
    );
    assert!(f.contains("x86_64") && f.contains("arm64"), "{f}");

    let out = python(
        r#"
import sys, lief
fat = lief.MachO.parse(sys.argv[1])
for b in fat:
    bv = b.build_version
    print(b.header.cpu_type.name, ".".join(map(str, bv.minos)), b.fat_offset)
"#,
        &[&path],
    );
    // lipo layout: every slice 2^14-aligned, x86_64 first.
    let arm_at = (16384 + x.len()).div_ceil(16384) * 16384;
    let want = format!("X86_64 10.15.0 16384\nARM64 11.0.0 {arm_at}");
    assert_eq!(out.trim(), want);
}

#[test]
fn merge_is_deterministic_and_keeps_slices_verbatim() {
    let x = thin_macho(CPU_TYPE_X86_64, (11, 0));
    let a = thin_macho(CPU_TYPE_ARM64, (11, 0));
    let one = merge_universal(&x, &a).unwrap();
    assert_eq!(one, merge_universal(&x, &a).unwrap());
    let arm_at = (16384 + x.len()).div_ceil(16384) * 16384;
    assert!(one[16384..16384 + x.len()] == x[..], "x86_64 slice changed");
    assert!(one[arm_at..] == a[..], "arm64 slice changed");
}
