//! PE facts: machine, word size, DLL flag, subsystem, certificate table, and the
//! debug evidence (DWARF sections, CodeView PDB path).

use goblin::pe::PE;
use goblin::pe::header::{
    COFF_MACHINE_ARM, COFF_MACHINE_ARM64, COFF_MACHINE_ARMNT, COFF_MACHINE_X86, COFF_MACHINE_X86_64,
};
use goblin::pe::options::ParseOptions;

use crate::binary::{DebugInfo, FileType, Machine, PeInfo, Subsystem};
use crate::elf::is_dwarf_section;

/// `IMAGE_DEBUG_TYPE_CODEVIEW`.
const DEBUG_TYPE_CODEVIEW: u32 = 2;
/// Size of one `IMAGE_DEBUG_DIRECTORY` entry.
const DEBUG_ENTRY_LEN: usize = 28;

/// Reads the facts of the PE image `bytes`.
pub(crate) fn read(bytes: &[u8]) -> Result<(PeInfo, Option<DebugInfo>), goblin::error::Error> {
    // Certificates are not parsed: a cut or corrupt signature must not hide
    // what the program is (whether it is signed is the signer's check).
    let options = ParseOptions {
        parse_attribute_certificates: false,
        ..ParseOptions::default()
    };
    let pe = PE::parse_with_opts(bytes, &options)?;
    let optional = pe.header.optional_header;
    let subsystem = match optional.map(|o| o.windows_fields.subsystem) {
        Some(2) => Subsystem::Gui,
        Some(3) => Subsystem::Console,
        other => Subsystem::Other(other.unwrap_or(0)),
    };
    let has_certificate_table = optional
        .and_then(|o| o.data_directories.get_certificate_table().copied())
        .is_some_and(|dd| dd.size > 0);
    let pdb_path = pdb_path(bytes, &pe, &options);
    let info = PeInfo {
        machine: machine(pe.header.coff_header.machine),
        is_64: pe.is_64,
        file_type: if pe.is_lib {
            FileType::SharedLibrary
        } else {
            FileType::Executable
        },
        subsystem,
        has_certificate_table,
        pdb_path: pdb_path.clone(),
    };
    let debug = dwarf_sections(&pe).or(pdb_path.map(DebugInfo::PdbPath));
    Ok((info, debug))
}

fn machine(coff_machine: u16) -> Machine {
    match coff_machine {
        COFF_MACHINE_X86_64 => Machine::X86_64,
        COFF_MACHINE_ARM64 => Machine::Aarch64,
        COFF_MACHINE_X86 => Machine::X86,
        COFF_MACHINE_ARM | COFF_MACHINE_ARMNT => Machine::Arm,
        other => Machine::Other(format!(
            "PE machine {other:#06x} ({})",
            goblin::pe::header::machine_to_str(other)
        )),
    }
}

/// `.debug_*` / `.zdebug_*` sections (MinGW-style DWARF inside the image).
fn dwarf_sections(pe: &PE<'_>) -> Option<DebugInfo> {
    let mut names = Vec::new();
    let mut bytes = 0u64;
    for section in &pe.sections {
        let Ok(name) = section.name() else { continue };
        if is_dwarf_section(name) && section.size_of_raw_data > 0 {
            names.push(name.to_owned());
            bytes = bytes.saturating_add(u64::from(section.size_of_raw_data));
        }
    }
    names.sort();
    names.dedup();
    (!names.is_empty()).then_some(DebugInfo::Sections { names, bytes })
}

/// The PDB named by the first CodeView entry of the debug directory. Every
/// entry is looked at: linkers often put `REPRO` or `POGO` records first.
fn pdb_path(bytes: &[u8], pe: &PE<'_>, options: &ParseOptions) -> Option<String> {
    let optional = pe.header.optional_header?;
    let directory = optional.data_directories.get_debug_table()?;
    let start = goblin::pe::utils::find_offset(
        directory.virtual_address as usize,
        &pe.sections,
        optional.windows_fields.file_alignment,
        options,
    )?;
    let table = bytes.get(start..start.checked_add(directory.size as usize)?)?;
    table.chunks_exact(DEBUG_ENTRY_LEN).find_map(|entry| {
        let word = |at: usize| {
            u32::from_le_bytes([entry[at], entry[at + 1], entry[at + 2], entry[at + 3]])
        };
        if word(12) != DEBUG_TYPE_CODEVIEW {
            return None;
        }
        let (size, pointer) = (word(16) as usize, word(24) as usize);
        codeview_pdb(bytes.get(pointer..pointer.checked_add(size)?)?)
    })
}

/// The file name of a CodeView record: `RSDS` (GUID, age, name) or `NB10`
/// (offset, timestamp, age, name), NUL-terminated.
fn codeview_pdb(record: &[u8]) -> Option<String> {
    let name = match record.get(..4)? {
        b"RSDS" => record.get(24..)?,
        b"NB10" => record.get(16..)?,
        _ => return None,
    };
    let name = name.split(|&b| b == 0).next().unwrap_or_default();
    (!name.is_empty()).then(|| String::from_utf8_lossy(name).into_owned())
}
