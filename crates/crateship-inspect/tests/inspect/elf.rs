//! ELF facts against binutils' `readelf` and `file`.

use crateship_inspect::{ElfInfo, FileType, GlibcVersion, Kind, Machine, inspect};

use crate::{Bin, bin, file_says, run};

/// What `readelf -h -l -d -S -V -W` says about a file.
struct Readelf {
    class64: bool,
    machine: Machine,
    file_type: FileType,
    interpreter: Option<String>,
    needed: Vec<String>,
    pie_flag: bool,
    glibc_floor: Option<GlibcVersion>,
    symtab: bool,
}

fn readelf(b: Bin) -> Readelf {
    let out = run(
        "readelf",
        &["-h", "-l", "-d", "-S", "-V", "-W", bin(b).to_str().unwrap()],
    );
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let machine = match field("Machine:").as_str() {
        "Advanced Micro Devices X86-64" => Machine::X86_64,
        "AArch64" => Machine::Aarch64,
        other => panic!("unexpected readelf machine {other}"),
    };
    let file_type = match field("Type:").as_str() {
        "EXEC (Executable file)" | "DYN (Position-Independent Executable file)" => {
            FileType::Executable
        }
        "DYN (Shared object file)" => FileType::SharedLibrary,
        other => panic!("unexpected readelf type {other}"),
    };
    let bracketed = |line: &str, after: &str| {
        line.split_once(after)
            .and_then(|(_, rest)| rest.split_once(']'))
            .map(|(value, _)| value.trim().to_owned())
    };
    Readelf {
        class64: field("Class:") == "ELF64",
        machine,
        file_type,
        interpreter: out
            .lines()
            .find_map(|l| bracketed(l, "Requesting program interpreter:")),
        needed: out
            .lines()
            .filter(|l| l.contains("(NEEDED)"))
            .filter_map(|l| bracketed(l, "Shared library: ["))
            .collect(),
        pie_flag: out
            .lines()
            .any(|l| l.contains("(FLAGS_1)") && l.split_whitespace().any(|w| w == "PIE")),
        glibc_floor: out
            .split_whitespace()
            .filter_map(|w| w.strip_prefix("GLIBC_"))
            .filter_map(|v| v.parse().ok())
            .max(),
        symtab: out.contains(" .symtab "),
    }
}

fn elf(b: Bin) -> ElfInfo {
    match inspect(bin(b)).unwrap().kind {
        Kind::Elf(elf) => elf,
        other => panic!("{b:?} read as {other:?}"),
    }
}

#[test]
fn elf_facts_match_readelf() {
    for b in [
        Bin::GnuX64,
        Bin::GnuX64Library,
        Bin::GnuX64Symbols,
        Bin::GnuArm64Pie,
        Bin::MuslX64,
        Bin::MuslX64Dynamic,
        Bin::MuslArm64,
    ] {
        let ours = elf(b);
        let theirs = readelf(b);
        assert_eq!(ours.machine, theirs.machine, "{b:?}");
        assert_eq!(ours.is_64, theirs.class64, "{b:?}");
        assert_eq!(ours.file_type, theirs.file_type, "{b:?}");
        assert_eq!(ours.interpreter, theirs.interpreter, "{b:?}");
        assert_eq!(ours.needed, theirs.needed, "{b:?}");
        assert_eq!(
            ours.is_static,
            theirs.interpreter.is_none() && theirs.needed.is_empty(),
            "{b:?}"
        );
        assert_eq!(ours.is_pie, theirs.pie_flag, "{b:?}");
        assert_eq!(ours.glibc_floor, theirs.glibc_floor, "{b:?}");
        assert_eq!(ours.has_symbol_table, theirs.symtab, "{b:?}");
        assert!(ours.runs_on_linux(), "{b:?}");
    }
}

#[test]
fn linkage_agrees_with_file() {
    for (b, static_) in [
        (Bin::GnuX64, false),
        (Bin::MuslX64, true),
        (Bin::MuslArm64, true),
        (Bin::MuslX64Dynamic, false),
    ] {
        let says = file_says(bin(b));
        let linkage = if static_ {
            "statically linked"
        } else {
            "dynamically linked"
        };
        assert!(says.contains(linkage), "{b:?}: {says}");
        assert_eq!(elf(b).is_static, static_, "{b:?}");
    }
}

#[test]
fn glibc_floor_is_the_highest_glibc_symbol_version() {
    // zig links x86-64 against the requested 2.34 (__libc_start_main@GLIBC_2.34)
    // and arm64 against its baseline 2.17.
    let v = |s: &str| s.parse::<GlibcVersion>().unwrap();
    assert_eq!(
        inspect(bin(Bin::GnuX64)).unwrap().glibc_floor(),
        Some(v("2.34"))
    );
    assert_eq!(
        inspect(bin(Bin::GnuArm64Pie)).unwrap().glibc_floor(),
        Some(v("2.17"))
    );
    assert_eq!(inspect(bin(Bin::MuslX64)).unwrap().glibc_floor(), None);
    assert_eq!(
        inspect(bin(Bin::MuslX64Dynamic)).unwrap().glibc_floor(),
        None
    );
}

#[test]
fn elf_descriptions_say_machine_linkage_and_loader() {
    let d = |b| inspect(bin(b)).unwrap().describe();
    assert_eq!(
        d(Bin::GnuX64),
        "a dynamically linked x86-64 Linux program (interpreter `/lib64/ld-linux-x86-64.so.2`; needs libc.so.6)"
    );
    assert_eq!(d(Bin::MuslArm64), "a static arm64 Linux program");
    assert_eq!(d(Bin::GnuX64Library), "an x86-64 Linux shared library");
    assert_eq!(
        elf(Bin::MuslX64Dynamic).dynamic_libc(),
        crateship_inspect::Libc::Musl
    );
    assert_eq!(
        elf(Bin::GnuX64).dynamic_libc(),
        crateship_inspect::Libc::Gnu
    );
    assert_eq!(
        elf(Bin::MuslX64).dynamic_libc(),
        crateship_inspect::Libc::None
    );
}
