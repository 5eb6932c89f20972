//! PE facts against Python `pefile` (Debian python3-pefile), `objdump -p` and `file`.

use crateship_inspect::{FileType, Kind, Machine, PeInfo, Subsystem, inspect};

use crate::{Bin, bin, file_says, python, run};

/// Prints machine, PE32+ flag, DLL flag, subsystem, certificate-table size and
/// the PDB of every CodeView debug entry, one `key=value` per line.
const PEFILE: &str = r#"
import sys, pefile
pe = pefile.PE(sys.argv[1])
print("machine=%#x" % pe.FILE_HEADER.Machine)
print("pe32plus=%s" % (pe.OPTIONAL_HEADER.Magic == 0x20b))
print("dll=%s" % bool(pe.FILE_HEADER.Characteristics & 0x2000))
print("subsystem=%d" % pe.OPTIONAL_HEADER.Subsystem)
security = pe.OPTIONAL_HEADER.DATA_DIRECTORY[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_SECURITY"]]
print("certificates=%d" % security.Size)
for d in getattr(pe, "DIRECTORY_ENTRY_DEBUG", []):
    print("debug_type=%d" % d.struct.Type)
    if d.struct.Type == 2 and d.entry is not None:
        print("pdb=%s" % d.entry.PdbFileName.rstrip(b"\0").decode())
"#;

fn pefile(b: Bin) -> Vec<(String, String)> {
    python("/usr/bin/python3", PEFILE, bin(b))
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn value<'a>(facts: &'a [(String, String)], key: &str) -> &'a str {
    facts
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("pefile printed no {key}: {facts:?}"))
}

fn pe(b: Bin) -> PeInfo {
    match inspect(bin(b)).unwrap().kind {
        Kind::Pe(pe) => pe,
        other => panic!("{b:?} read as {other:?}"),
    }
}

#[test]
fn pe_facts_match_pefile() {
    for b in [
        Bin::WinX64,
        Bin::WinX64Gui,
        Bin::WinX64Debug,
        Bin::WinArm64,
        Bin::WinX86,
    ] {
        let ours = pe(b);
        let theirs = pefile(b);
        let machine = match value(&theirs, "machine") {
            "0x8664" => Machine::X86_64,
            "0xaa64" => Machine::Aarch64,
            "0x14c" => Machine::X86,
            other => panic!("unexpected machine {other}"),
        };
        assert_eq!(ours.machine, machine, "{b:?}");
        assert_eq!(
            ours.is_64.to_string(),
            value(&theirs, "pe32plus").to_lowercase(),
            "{b:?}"
        );
        let dll = value(&theirs, "dll") == "True";
        assert_eq!(ours.file_type == FileType::SharedLibrary, dll, "{b:?}");
        let subsystem = match value(&theirs, "subsystem") {
            "2" => Subsystem::Gui,
            "3" => Subsystem::Console,
            n => Subsystem::Other(n.parse().unwrap()),
        };
        assert_eq!(ours.subsystem, subsystem, "{b:?}");
        assert_eq!(
            ours.has_certificate_table,
            value(&theirs, "certificates") != "0",
            "{b:?}"
        );
        let pdb = theirs
            .iter()
            .find(|(k, _)| k == "pdb")
            .map(|(_, v)| v.clone());
        assert_eq!(ours.pdb_path, pdb, "{b:?}");
    }
}

#[test]
fn subsystem_matches_objdump_and_file() {
    for (b, objdump, file) in [
        (
            Bin::WinX64,
            "(Windows CUI)",
            "PE32+ executable (console) x86-64",
        ),
        (
            Bin::WinX64Gui,
            "(Windows GUI)",
            "PE32+ executable (GUI) x86-64",
        ),
        (
            Bin::WinX86,
            "(Windows CUI)",
            "PE32 executable (console) Intel 80386",
        ),
    ] {
        let headers = run("objdump", &["-p", bin(b).to_str().unwrap()]);
        let line = headers
            .lines()
            .find(|l| l.starts_with("Subsystem"))
            .unwrap();
        assert!(line.contains(objdump), "{b:?}: {line}");
        let says = file_says(bin(b));
        assert!(says.starts_with(file), "{b:?}: {says}");
    }
    let arm = file_says(bin(Bin::WinArm64));
    assert!(arm.contains("(console) Aarch64"), "{arm}");
    assert_eq!(
        inspect(bin(Bin::WinX64Gui)).unwrap().subsystem(),
        Some(Subsystem::Gui)
    );
}

#[test]
fn pe_descriptions_say_machine_and_subsystem() {
    let d = |b| inspect(bin(b)).unwrap().describe();
    assert_eq!(d(Bin::WinX64), "an x86-64 Windows program (console)");
    assert_eq!(d(Bin::WinX64Gui), "an x86-64 Windows program (GUI)");
    assert_eq!(d(Bin::WinArm64), "an arm64 Windows program (console)");
    assert_eq!(d(Bin::WinX86), "a 32-bit x86 Windows program (console)");
}
