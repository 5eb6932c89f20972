//! Mach-O facts, per slice, against Python `lief` and `file`.

use std::path::Path;

use crateship_inspect::{FileType, Kind, MachOInfo, Machine, OsVersion, inspect};

use crate::{Bin, bin, fat_arm64_only, file_says, python, universal};

/// One line per slice: cpu type, file type, platform, minos, code signature.
const LIEF: &str = r#"
import sys, lief
fat = lief.MachO.parse(sys.argv[1])  # kept alive: iterating a temporary crashes lief
for b in fat:
    bv = b.build_version if b.has_build_version else None
    print(b.header.cpu_type.name, b.header.file_type.name,
          bv.platform.name if bv else "-", ".".join(map(str, bv.minos)) if bv else "-",
          b.has_code_signature)
"#;

fn macho(path: &Path) -> MachOInfo {
    match inspect(path).unwrap().kind {
        Kind::MachO(m) => m,
        other => panic!("{} read as {other:?}", path.display()),
    }
}

/// Our facts in the shape of the LIEF script's lines.
fn as_lief_lines(info: &MachOInfo) -> String {
    info.slices
        .iter()
        .map(|s| {
            let cpu = match s.machine {
                Machine::X86_64 => "X86_64",
                Machine::Aarch64 => "ARM64",
                ref other => panic!("unexpected {other}"),
            };
            let file_type = match s.file_type {
                FileType::Executable => "EXECUTE",
                ref other => panic!("unexpected {other:?}"),
            };
            let platform = match s.platform {
                Some(p) if p.is_macos() => "MACOS".to_owned(),
                Some(p) => p.to_string(),
                None => "-".to_owned(),
            };
            let minos = s.minimum_os.map_or("-".to_owned(), |v| {
                format!("{}.{}.{}", v.major, v.minor, v.patch)
            });
            let signed = if s.has_code_signature {
                "True"
            } else {
                "False"
            };
            format!("{cpu} {file_type} {platform} {minos} {signed}\n")
        })
        .collect()
}

#[test]
fn slices_match_lief() {
    for path in [
        bin(Bin::MacX64),
        bin(Bin::MacArm64),
        universal(),
        fat_arm64_only(),
    ] {
        let theirs = python("python3", LIEF, path);
        assert_eq!(as_lief_lines(&macho(path)), theirs, "{}", path.display());
    }
    // zig signs arm64 slices (linker-signed), not x86_64 ones.
    let fat = macho(universal());
    assert!(fat.is_fat);
    assert_eq!(
        fat.slices
            .iter()
            .map(|s| s.has_code_signature)
            .collect::<Vec<_>>(),
        [false, true]
    );
}

#[test]
fn fat_and_thin_agree_with_file() {
    let says = file_says(universal());
    assert!(
        says.contains("Mach-O universal binary with 2 architectures"),
        "{says}"
    );
    let one = file_says(fat_arm64_only());
    assert!(
        one.contains("Mach-O universal binary with 1 architecture"),
        "{one}"
    );
    assert!(macho(fat_arm64_only()).is_fat);
    let thin = file_says(bin(Bin::MacArm64));
    assert!(thin.starts_with("Mach-O 64-bit arm64 executable"), "{thin}");
    assert!(!macho(bin(Bin::MacArm64)).is_fat);
}

#[test]
fn macos_minimum_is_the_highest_slice_minimum() {
    let v = |s: &str| s.parse::<OsVersion>().unwrap();
    let min = |p: &Path| inspect(p).unwrap().macos_minimum();
    assert_eq!(min(bin(Bin::MacX64)), Some(v("10.15")));
    assert_eq!(min(bin(Bin::MacArm64)), Some(v("11.0")));
    assert_eq!(min(universal()), Some(v("11.0")));
    assert_eq!(min(universal()).unwrap().to_string(), "11.0");
    assert_eq!(min(bin(Bin::GnuX64)), None);
}

#[test]
fn macho_descriptions_name_the_slices() {
    let d = |p: &Path| inspect(p).unwrap().describe();
    assert_eq!(d(bin(Bin::MacX64)), "an x86-64 macOS program");
    assert_eq!(
        d(universal()),
        "a universal macOS program with x86-64 and arm64 slices"
    );
    assert_eq!(
        d(fat_arm64_only()),
        "a universal macOS program with only an arm64 slice"
    );
}
