//! ELF facts: machine, class, loader and libraries, the glibc floor from
//! versioned symbol requirements, PIE-ness and DWARF sections.

use goblin::elf::Elf;
use goblin::elf::dynamic::DF_1_PIE;
use goblin::elf::header::{
    EM_386, EM_AARCH64, EM_ARM, EM_X86_64, ET_CORE, ET_DYN, ET_EXEC, ET_REL,
};
use goblin::elf::section_header::{SHT_NOBITS, SHT_SYMTAB};

use crate::binary::{DebugInfo, ElfInfo, FileType, Machine};
use crate::version::GlibcVersion;

/// Reads the facts of the ELF file `bytes`.
pub(crate) fn read(bytes: &[u8]) -> Result<(ElfInfo, Option<DebugInfo>), goblin::error::Error> {
    let elf = Elf::parse(bytes)?;
    let interpreter = elf.interpreter.map(str::to_owned);
    let needed: Vec<String> = elf.libraries.iter().map(|l| (*l).to_owned()).collect();
    let pie_flag = elf
        .dynamic
        .as_ref()
        .is_some_and(|d| d.info.flags_1 & DF_1_PIE != 0);
    let is_pie = elf.header.e_type == ET_DYN && (pie_flag || interpreter.is_some());
    let file_type = match elf.header.e_type {
        ET_EXEC => FileType::Executable,
        ET_DYN if is_pie => FileType::Executable,
        ET_DYN => FileType::SharedLibrary,
        ET_REL => FileType::Object,
        ET_CORE => FileType::Other("core dump".into()),
        other => FileType::Other(format!("ELF file of type {other:#x}")),
    };
    let info = ElfInfo {
        machine: machine(elf.header.e_machine),
        is_64: elf.is_64,
        os_abi: elf.header.e_ident[goblin::elf::header::EI_OSABI],
        file_type,
        is_static: interpreter.is_none() && needed.is_empty(),
        interpreter,
        needed,
        glibc_floor: glibc_floor(&elf),
        is_pie,
        has_symbol_table: elf.section_headers.iter().any(|s| s.sh_type == SHT_SYMTAB),
    };
    Ok((info, debug_sections(&elf)))
}

fn machine(e_machine: u16) -> Machine {
    match e_machine {
        EM_X86_64 => Machine::X86_64,
        EM_AARCH64 => Machine::Aarch64,
        EM_386 => Machine::X86,
        EM_ARM => Machine::Arm,
        other => Machine::Other(format!(
            "ELF machine {other} ({})",
            goblin::elf::header::machine_to_str(other)
        )),
    }
}

/// The highest `GLIBC_x.y` version named by the version-needed records.
fn glibc_floor(elf: &Elf<'_>) -> Option<GlibcVersion> {
    let mut floor = None;
    for need in elf.verneed.as_ref()?.iter() {
        for aux in need.iter() {
            let version = elf
                .dynstrtab
                .get_at(aux.vna_name)
                .and_then(|name| name.strip_prefix("GLIBC_"))
                .and_then(|version| version.parse::<GlibcVersion>().ok());
            floor = floor.max(version);
        }
    }
    floor
}

/// `.debug_*` / `.zdebug_*` sections that occupy bytes in the file.
fn debug_sections(elf: &Elf<'_>) -> Option<DebugInfo> {
    let mut names = Vec::new();
    let mut bytes = 0u64;
    for section in &elf.section_headers {
        let Some(name) = elf.shdr_strtab.get_at(section.sh_name) else {
            continue;
        };
        if is_dwarf_section(name) && section.sh_type != SHT_NOBITS && section.sh_size > 0 {
            names.push(name.to_owned());
            bytes = bytes.saturating_add(section.sh_size);
        }
    }
    names.sort();
    names.dedup();
    (!names.is_empty()).then_some(DebugInfo::Sections { names, bytes })
}

/// A DWARF section name of ELF and PE (`.debug_info`, compressed `.zdebug_info`).
pub(crate) fn is_dwarf_section(name: &str) -> bool {
    name.starts_with(".debug_") || name.starts_with(".zdebug_")
}
