//! Stripped or not: the evidence we report against `readelf -S`, `file`,
//! `pefile`'s debug directory and `lief`'s symbol table.

use crateship_inspect::{DebugInfo, Kind, inspect};

use crate::{Bin, bin, file_says, python, run, universal};

fn debug(b: Bin) -> Option<DebugInfo> {
    inspect(bin(b)).unwrap().debug_info
}

#[test]
fn elf_dwarf_sections_are_the_ones_readelf_lists() {
    let listing = run(
        "readelf",
        &["-S", "-W", bin(Bin::GnuX64Debug).to_str().unwrap()],
    );
    let mut theirs: Vec<String> = listing
        .split_whitespace()
        .filter(|w| w.starts_with(".debug_"))
        .map(str::to_owned)
        .collect();
    theirs.sort();
    let Some(DebugInfo::Sections { names, bytes }) = debug(Bin::GnuX64Debug) else {
        panic!("no DWARF found in the -g build");
    };
    assert_eq!(names, theirs);
    assert!(bytes > 0);
    assert!(file_says(bin(Bin::GnuX64Debug)).contains("with debug_info"));
}

#[test]
fn a_symbol_table_alone_is_not_debug_info() {
    // `file` calls it "not stripped" because of .symtab; it carries no DWARF.
    let says = file_says(bin(Bin::GnuX64Symbols));
    assert!(
        says.contains("not stripped") && !says.contains("debug_info"),
        "{says}"
    );
    let binary = inspect(bin(Bin::GnuX64Symbols)).unwrap();
    assert_eq!(binary.debug_info, None);
    assert!(binary.is_stripped());
    let Kind::Elf(elf) = binary.kind else {
        panic!()
    };
    assert!(elf.has_symbol_table);

    let says = file_says(bin(Bin::GnuX64));
    assert!(
        says.ends_with("stripped\n") && !says.contains("not stripped"),
        "{says}"
    );
    assert_eq!(debug(Bin::GnuX64), None);
    assert_eq!(debug(Bin::MuslX64), None);
}

#[test]
fn a_pe_naming_a_pdb_is_not_stripped() {
    let code = "import sys, pefile\n\
                pe = pefile.PE(sys.argv[1])\n\
                for d in getattr(pe, 'DIRECTORY_ENTRY_DEBUG', []):\n\
                \x20   print(d.struct.Type, d.entry.PdbFileName.rstrip(b'\\0').decode() if d.struct.Type == 2 else '-')\n";
    let theirs = python("/usr/bin/python3", code, bin(Bin::WinX64Debug));
    let pdb = theirs
        .lines()
        .find_map(|l| l.strip_prefix("2 "))
        .expect("pefile finds a CodeView entry");
    assert_eq!(
        debug(Bin::WinX64Debug),
        Some(DebugInfo::PdbPath(pdb.to_owned()))
    );
    assert!(pdb.ends_with(".pdb"), "{pdb}");

    // The stripped build keeps a debug directory, but only a REPRO (16) entry.
    let stripped = python("/usr/bin/python3", code, bin(Bin::WinX64));
    assert!(!stripped.lines().any(|l| l.starts_with("2 ")), "{stripped}");
    assert_eq!(debug(Bin::WinX64), None);
}

#[test]
fn a_macho_debug_map_is_not_stripped() {
    let code = "import sys, lief\n\
                fat = lief.MachO.parse(sys.argv[1])\n\
                b = fat.at(0)\n\
                stabs = [s for s in b.symbols if s.raw_type & 0xe0]\n\
                print(len(stabs))\n\
                print([s.name for s in stabs if s.raw_type == 0x66][0] if stabs else '-')\n";
    let theirs = python("python3", code, bin(Bin::MacArm64Debug));
    let mut lines = theirs.lines();
    let count: usize = lines.next().unwrap().parse().unwrap();
    let object = lines.next().unwrap();
    assert!(count > 0 && object.ends_with(".o"), "{theirs}");
    assert_eq!(
        debug(Bin::MacArm64Debug),
        Some(DebugInfo::Stabs {
            count,
            example: Some(object.to_owned())
        })
    );
    assert_eq!(
        python("python3", code, bin(Bin::MacArm64)).lines().next(),
        Some("0")
    );
    assert_eq!(debug(Bin::MacArm64), None);
    assert_eq!(inspect(universal()).unwrap().debug_info, None);
}

#[test]
fn evidence_reads_as_a_reason() {
    let text = debug(Bin::GnuX64Debug).unwrap().to_string();
    assert!(text.starts_with("DWARF sections .debug_"), "{text}");
    let pdb = debug(Bin::WinX64Debug).unwrap().to_string();
    assert!(
        pdb.starts_with("a CodeView record naming the PDB `") && pdb.ends_with(".pdb`"),
        "{pdb}"
    );
    let stabs = debug(Bin::MacArm64Debug).unwrap().to_string();
    assert!(
        stabs.starts_with("a STABS debug map (") && stabs.contains(".o`"),
        "{stabs}"
    );
}
