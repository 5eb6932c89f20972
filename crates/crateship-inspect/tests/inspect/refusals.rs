//! Every refusal of `check`: each message names the file, what it is, what the
//! target needs and the fix. And every right binary is accepted.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use crateship_inspect::{Expected, InspectError, Refusal, check, inspect, require_gui};

use crate::{Bin, bin, fat_arm64_only, file_says, fixture_dir, python, universal, write_input};

fn expected(target: &str) -> Expected {
    Expected::from_triple(target).unwrap()
}

/// Checks `path` for `target`, expecting a refusal; returns it and its message.
fn refused(path: &Path, target: &str) -> (Refusal, String) {
    let e = check(path, &expected(target)).unwrap_err();
    let refusal = e.refusal().unwrap_or_else(|| panic!("not a refusal: {e}"));
    (refusal, e.to_string())
}

/// Asserts the message names the file and contains every part.
fn assert_says(path: &Path, message: &str, parts: &[&str]) {
    let file = format!("`{}`", path.display());
    assert!(
        message.starts_with(&file),
        "message does not name {file}: {message}"
    );
    for part in parts {
        assert!(message.contains(part), "missing {part:?} in: {message}");
    }
}

#[test]
fn every_right_binary_is_accepted() {
    let cases: [(&Path, &str); 13] = [
        (bin(Bin::GnuX64), "x86_64-unknown-linux-gnu"),
        (bin(Bin::MuslX64), "x86_64-unknown-linux-gnu"),
        (bin(Bin::GnuArm64Pie), "aarch64-unknown-linux-gnu"),
        (bin(Bin::MuslX64), "x86_64-unknown-linux-musl"),
        (bin(Bin::MuslArm64), "aarch64-unknown-linux-musl"),
        (bin(Bin::WinX64), "x86_64-pc-windows-gnu"),
        (bin(Bin::WinX64Gui), "x86_64-pc-windows-gnu"),
        (bin(Bin::WinArm64), "aarch64-pc-windows-gnullvm"),
        (bin(Bin::MacX64), "x86_64-apple-darwin"),
        (bin(Bin::MacArm64), "aarch64-apple-darwin"),
        (universal(), "universal-apple-darwin"),
        (universal(), "aarch64-apple-darwin"),
        (universal(), "x86_64-apple-darwin"),
    ];
    for (path, target) in cases {
        if let Err(e) = check(path, &expected(target)) {
            panic!("{} refused for {target}: {e}", path.display());
        }
    }
}

#[test]
fn an_empty_file_is_refused() {
    let path = write_input("empty.exe", b"");
    let (refusal, message) = refused(&path, "x86_64-pc-windows-gnu");
    assert_eq!(refusal, Refusal::Empty);
    assert_says(
        &path,
        &message,
        &[
            "is an empty file",
            "x86_64-pc-windows-gnu needs an x86-64 Windows program",
            "build it again",
            "build it with `--target x86_64-pc-windows-gnu`",
        ],
    );
}

#[test]
fn a_script_is_refused_naming_its_interpreter() {
    let path = write_input("script", b"#!/bin/sh\nexec ./real-program \"$@\"\n");
    let (refusal, message) = refused(&path, "x86_64-unknown-linux-musl");
    assert_eq!(refusal, Refusal::Script);
    assert_says(
        &path,
        &message,
        &[
            "is a script run by `/bin/sh`",
            "x86_64-unknown-linux-musl needs a static x86-64 Linux program",
            "ship the compiled program, not a launcher script",
            "--target x86_64-unknown-linux-musl",
        ],
    );
}

#[test]
fn random_bytes_are_refused() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let path = write_input("random", &bytes);
    let (refusal, message) = refused(&path, "aarch64-apple-darwin");
    assert_eq!(refusal, Refusal::NotAProgram);
    let first: Vec<String> = bytes[..8].iter().map(|b| format!("{b:02x}")).collect();
    assert_says(
        &path,
        &message,
        &[
            &format!("is unrecognised data (first bytes {})", first.join(" ")),
            "aarch64-apple-darwin needs an arm64 macOS program",
            "point at the compiled program",
        ],
    );
}

#[test]
fn a_damaged_binary_is_refused_with_the_parsers_reason() {
    let whole = fs::read(bin(Bin::GnuX64)).unwrap();
    let path = write_input("truncated-elf", &whole[..200]);
    let e = check(&path, &expected("x86_64-unknown-linux-gnu")).unwrap_err();
    assert_eq!(e.refusal(), Some(Refusal::Damaged));
    assert_says(
        &path,
        &e.to_string(),
        &[
            "is a damaged or truncated ELF file (200 bytes)",
            "x86_64-unknown-linux-gnu needs an x86-64 Linux program",
            "build it again",
        ],
    );
    assert!(
        e.source().is_some(),
        "the parser's reason is kept as the source"
    );
}

#[test]
fn a_program_for_another_os_is_refused() {
    let cases = [
        (
            bin(Bin::GnuX64),
            "x86_64-pc-windows-gnu",
            "is a dynamically linked x86-64 Linux program",
            "needs an x86-64 Windows program",
        ),
        (
            bin(Bin::WinArm64),
            "aarch64-apple-darwin",
            "is an arm64 Windows program (console)",
            "needs an arm64 macOS program",
        ),
        (
            bin(Bin::MacX64),
            "x86_64-unknown-linux-gnu",
            "is an x86-64 macOS program",
            "needs an x86-64 Linux program",
        ),
        (
            universal(),
            "x86_64-unknown-linux-musl",
            "is a universal macOS program with x86-64 and arm64 slices",
            "needs a static x86-64 Linux program",
        ),
    ];
    for (path, target, found, needs) in cases {
        let (refusal, message) = refused(path, target);
        assert_eq!(refusal, Refusal::WrongOs, "{message}");
        let fix = format!(
            "build it with `--target {target}`, or point --binary-dir at the {target} build"
        );
        assert_says(path, &message, &[found, &format!("{target} {needs}"), &fix]);
    }
}

#[test]
fn a_pe_for_another_architecture_is_refused() {
    let path = bin(Bin::WinX64);
    let (refusal, message) = refused(path, "aarch64-pc-windows-gnullvm");
    assert_eq!(refusal, Refusal::WrongArch);
    assert_eq!(
        message,
        format!(
            "`{}` is an x86-64 Windows program (console), but aarch64-pc-windows-gnullvm needs an \
             arm64 Windows program; build it with `--target aarch64-pc-windows-gnullvm`, or point \
             --binary-dir at the aarch64-pc-windows-gnullvm build",
            path.display()
        )
    );
    for (b, found) in [
        (Bin::WinArm64, "is an arm64 Windows program (console)"),
        (Bin::WinX86, "is a 32-bit x86 Windows program (console)"),
    ] {
        let (refusal, message) = refused(bin(b), "x86_64-pc-windows-gnu");
        assert_eq!(refusal, Refusal::WrongArch);
        assert_says(
            bin(b),
            &message,
            &[
                found,
                "x86_64-pc-windows-gnu needs an x86-64 Windows program",
                "--target x86_64-pc-windows-gnu",
            ],
        );
    }
}

#[test]
fn an_elf_for_another_architecture_is_refused() {
    let (refusal, message) = refused(bin(Bin::GnuArm64Pie), "x86_64-unknown-linux-gnu");
    assert_eq!(refusal, Refusal::WrongArch);
    assert_says(
        bin(Bin::GnuArm64Pie),
        &message,
        &[
            "is a dynamically linked arm64 Linux program (interpreter `/lib/ld-linux-aarch64.so.1`",
            "x86_64-unknown-linux-gnu needs an x86-64 Linux program (glibc-linked or static)",
            "--target x86_64-unknown-linux-gnu",
        ],
    );
    let (refusal, message) = refused(bin(Bin::MuslX64), "aarch64-unknown-linux-musl");
    assert_eq!(refusal, Refusal::WrongArch);
    assert_says(
        bin(Bin::MuslX64),
        &message,
        &[
            "is a static x86-64 Linux program",
            "aarch64-unknown-linux-musl needs a static arm64 Linux program",
            "--target aarch64-unknown-linux-musl",
        ],
    );
}

#[test]
fn a_macho_without_the_targets_slice_is_refused() {
    for (path, target, found) in [
        (
            bin(Bin::MacX64),
            "aarch64-apple-darwin",
            "is an x86-64 macOS program",
        ),
        (
            bin(Bin::MacArm64),
            "x86_64-apple-darwin",
            "is an arm64 macOS program",
        ),
        (
            fat_arm64_only(),
            "x86_64-apple-darwin",
            "is a universal macOS program with only an arm64 slice",
        ),
    ] {
        let (refusal, message) = refused(path, target);
        assert_eq!(refusal, Refusal::WrongArch);
        let arch = if target.starts_with("x86_64") {
            "x86-64"
        } else {
            "arm64"
        };
        assert_says(
            path,
            &message,
            &[
                found,
                &format!("{target} needs an {arch} macOS program"),
                &format!("--target {target}"),
            ],
        );
    }
}

#[test]
fn a_dynamic_elf_is_refused_for_musl_naming_its_loader() {
    for (b, loader) in [
        (Bin::GnuX64, "/lib64/ld-linux-x86-64.so.2"),
        (Bin::MuslX64Dynamic, "/lib/ld-musl-x86_64.so.1"),
    ] {
        let (refusal, message) = refused(bin(b), "x86_64-unknown-linux-musl");
        assert_eq!(refusal, Refusal::NotStatic);
        assert_says(
            bin(b),
            &message,
            &[
                &format!("is a dynamically linked x86-64 Linux program (interpreter `{loader}`"),
                "x86_64-unknown-linux-musl needs a static x86-64 Linux program",
                "build it with `--target x86_64-unknown-linux-musl`",
                "-C target-feature=-crt-static",
            ],
        );
    }
}

#[test]
fn a_musl_dynamic_elf_is_refused_for_gnu() {
    let path = bin(Bin::MuslX64Dynamic);
    let (refusal, message) = refused(path, "x86_64-unknown-linux-gnu");
    assert_eq!(refusal, Refusal::WrongLibc);
    assert_says(
        path,
        &message,
        &[
            "interpreter `/lib/ld-musl-x86_64.so.1`",
            "x86_64-unknown-linux-gnu needs an x86-64 Linux program (glibc-linked or static)",
            "--target x86_64-unknown-linux-gnu",
        ],
    );
}

#[test]
fn universal_needs_a_fat_binary_with_both_slices() {
    let needs =
        "universal-apple-darwin needs a universal macOS program with x86-64 and arm64 slices";
    let merge = "`--target universal-apple-darwin` does both";
    let (refusal, message) = refused(bin(Bin::MacArm64), "universal-apple-darwin");
    assert_eq!(refusal, Refusal::NotUniversal);
    assert_says(
        bin(Bin::MacArm64),
        &message,
        &["is an arm64 macOS program", needs, merge],
    );

    let (refusal, message) = refused(fat_arm64_only(), "universal-apple-darwin");
    assert_eq!(refusal, Refusal::NotUniversal);
    assert_says(
        fat_arm64_only(),
        &message,
        &[
            "is a universal macOS program with only an arm64 slice",
            needs,
            "merge in the missing x86-64 build",
            merge,
        ],
    );
}

#[test]
fn a_shared_library_is_not_a_program() {
    let path = bin(Bin::GnuX64Library);
    let (refusal, message) = refused(path, "x86_64-unknown-linux-gnu");
    assert_eq!(refusal, Refusal::NotExecutable);
    assert_says(
        path,
        &message,
        &[
            "is an x86-64 Linux shared library",
            "x86_64-unknown-linux-gnu needs an x86-64 Linux program",
            "point at the program itself",
            "target/x86_64-unknown-linux-gnu/release/",
        ],
    );
}

/// A copy of `bin` with `patch` applied, for headers no compiler here writes.
fn patched(b: Bin, name: &str, patch: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = fs::read(bin(b)).unwrap();
    patch(&mut bytes);
    write_input(name, &bytes)
}

#[test]
fn a_freebsd_elf_is_refused_for_linux() {
    // EI_OSABI = 9 (FreeBSD); `file` reads it the same way.
    let path = patched(Bin::MuslX64, "freebsd-x64", |b| b[7] = 9);
    assert!(
        file_says(&path).contains("(FreeBSD)"),
        "{}",
        file_says(&path)
    );
    let (refusal, message) = refused(&path, "x86_64-unknown-linux-musl");
    assert_eq!(refusal, Refusal::WrongOs);
    assert_says(
        &path,
        &message,
        &[
            "is a static x86-64 FreeBSD program",
            "needs a static x86-64 Linux program",
        ],
    );
}

#[test]
fn an_ios_slice_is_refused_for_macos() {
    // LC_BUILD_VERSION's platform 1 (macOS) → 2 (iOS) in the unsigned x86_64 build.
    let path = patched(Bin::MacX64, "ios-x64", |b| {
        let word =
            |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        let mut at = 32;
        for _ in 0..word(b, 16) {
            if word(b, at) == 0x32 {
                b[at + 8..at + 12].copy_from_slice(&2u32.to_le_bytes());
            }
            at += word(b, at + 4);
        }
    });
    let platform = python(
        "python3",
        "import sys, lief\nfat = lief.MachO.parse(sys.argv[1])\nprint(fat.at(0).build_version.platform.name)",
        &path,
    );
    assert_eq!(platform.trim(), "IOS");
    let (refusal, message) = refused(&path, "x86_64-apple-darwin");
    assert_eq!(refusal, Refusal::WrongOs);
    assert_says(
        &path,
        &message,
        &["is an x86-64 iOS program", "needs an x86-64 macOS program"],
    );
}

#[test]
fn windowed_apps_need_the_gui_subsystem() {
    require_gui(&inspect(bin(Bin::WinX64Gui)).unwrap()).unwrap();
    let e = require_gui(&inspect(bin(Bin::WinX64)).unwrap()).unwrap_err();
    assert_eq!(e.refusal(), Some(Refusal::NotGui));
    assert_says(
        bin(Bin::WinX64),
        &e.to_string(),
        &[
            "is an x86-64 Windows program (console)",
            "a windowed app needs a Windows program with the GUI subsystem",
            "#![windows_subsystem = \"windows\"]",
        ],
    );
    let e = require_gui(&inspect(bin(Bin::GnuX64)).unwrap()).unwrap_err();
    assert_eq!(e.refusal(), Some(Refusal::NotGui));
}

#[test]
fn inspect_refuses_non_programs_without_a_target() {
    let path = write_input("notes.txt", b"release notes\n");
    let e = inspect(&path).unwrap_err();
    assert_eq!(e.refusal(), Some(Refusal::NotAProgram));
    assert_says(
        &path,
        &e.to_string(),
        &[
            "is a text file starting \"release notes\"",
            "a program (ELF, PE or Mach-O) was expected",
            "point at the compiled program",
        ],
    );
}

#[test]
fn a_missing_file_is_a_read_error_naming_it() {
    let path = fixture_dir().join("missing-program");
    let e = check(&path, &expected("x86_64-unknown-linux-gnu")).unwrap_err();
    assert!(matches!(e, InspectError::Read { .. }), "{e}");
    assert!(
        e.to_string().contains(&format!("`{}`", path.display())),
        "{e}"
    );
    let e = inspect(fixture_dir()).unwrap_err();
    assert!(matches!(e, InspectError::Read { .. }), "a directory: {e}");
}
