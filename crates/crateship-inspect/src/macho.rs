//! Mach-O facts, per slice of a thin or fat file: CPU, file type, platform and
//! minimum OS, code signature, and debug evidence (DWARF, STABS debug map).

use goblin::mach::cputype::{CPU_TYPE_ARM, CPU_TYPE_ARM64, CPU_TYPE_X86, CPU_TYPE_X86_64};
use goblin::mach::header::{MH_BUNDLE, MH_DSYM, MH_DYLIB, MH_EXECUTE, MH_OBJECT};
use goblin::mach::load_command::CommandVariant;
use goblin::mach::symbols::{N_OSO, N_SO, N_STAB};
use goblin::mach::{Mach, MachO, SingleArch};

use crate::binary::{ApplePlatform, DebugInfo, FileType, MachOInfo, MachOSlice, Machine};
use crate::version::OsVersion;

/// Reads the facts of the Mach-O file `bytes` (thin, or each slice of a fat one).
pub(crate) fn read(bytes: &[u8]) -> Result<(MachOInfo, Option<DebugInfo>), goblin::error::Error> {
    match Mach::parse(bytes)? {
        Mach::Binary(macho) => {
            let debug = debug_info(&macho);
            let info = MachOInfo {
                is_fat: false,
                slices: vec![slice(&macho)],
            };
            Ok((info, debug))
        }
        Mach::Fat(fat) => {
            let mut slices = Vec::new();
            let mut debug = None;
            for (index, arch) in fat.arches()?.iter().enumerate() {
                match fat.get(index)? {
                    SingleArch::MachO(macho) => {
                        debug = debug.or_else(|| debug_info(&macho));
                        slices.push(slice(&macho));
                    }
                    SingleArch::Archive(_) => slices.push(MachOSlice {
                        machine: machine(arch.cputype),
                        file_type: FileType::Other("static library".into()),
                        platform: None,
                        minimum_os: None,
                        has_code_signature: false,
                    }),
                }
            }
            Ok((
                MachOInfo {
                    is_fat: true,
                    slices,
                },
                debug,
            ))
        }
    }
}

fn machine(cputype: u32) -> Machine {
    match cputype {
        CPU_TYPE_X86_64 => Machine::X86_64,
        CPU_TYPE_ARM64 => Machine::Aarch64,
        CPU_TYPE_X86 => Machine::X86,
        CPU_TYPE_ARM => Machine::Arm,
        other => Machine::Other(format!("Mach-O CPU type {other:#x}")),
    }
}

fn slice(macho: &MachO<'_>) -> MachOSlice {
    let file_type = match macho.header.filetype {
        MH_EXECUTE => FileType::Executable,
        MH_DYLIB | MH_BUNDLE => FileType::SharedLibrary,
        MH_OBJECT => FileType::Object,
        MH_DSYM => FileType::Other("dSYM debug companion".into()),
        other => FileType::Other(format!(
            "Mach-O {} file",
            goblin::mach::header::filetype_to_str(other)
        )),
    };
    // The platform comes from LC_BUILD_VERSION, or from which LC_VERSION_MIN_*
    // command older linkers wrote (macOS 1, iOS 2, tvOS 3, watchOS 4).
    let version = macho.load_commands.iter().find_map(|lc| match &lc.command {
        CommandVariant::BuildVersion(b) => Some((b.platform, b.minos)),
        CommandVariant::VersionMinMacosx(v) => Some((1, v.version)),
        CommandVariant::VersionMinIphoneos(v) => Some((2, v.version)),
        CommandVariant::VersionMinTvos(v) => Some((3, v.version)),
        CommandVariant::VersionMinWatchos(v) => Some((4, v.version)),
        _ => None,
    });
    MachOSlice {
        machine: machine(macho.header.cputype),
        file_type,
        platform: version.map(|(platform, _)| ApplePlatform(platform)),
        minimum_os: version.map(|(_, packed)| OsVersion::from_packed(packed)),
        has_code_signature: macho
            .load_commands
            .iter()
            .any(|lc| matches!(lc.command, CommandVariant::CodeSignature(_))),
    }
}

/// DWARF inside the slice (`__DWARF` segment, `__debug_*` sections), else its
/// STABS debug map.
fn debug_info(macho: &MachO<'_>) -> Option<DebugInfo> {
    let mut names = Vec::new();
    let mut bytes = 0u64;
    for segment in &macho.segments {
        let segment_name = segment.name().unwrap_or_default();
        if segment_name == "__DWARF" && segment.filesize > 0 {
            names.push("__DWARF".to_owned());
            bytes = bytes.saturating_add(segment.filesize);
            continue;
        }
        for (section, _) in segment.sections().unwrap_or_default() {
            let name = section.name().unwrap_or_default();
            if name.starts_with("__debug_") && section.size > 0 && section.offset > 0 {
                names.push(format!("{segment_name},{name}"));
                bytes = bytes.saturating_add(section.size);
            }
        }
    }
    if !names.is_empty() {
        names.sort();
        names.dedup();
        return Some(DebugInfo::Sections { names, bytes });
    }
    // The object files a debugger would open (N_OSO) say most; else a source (N_SO).
    let mut count = 0;
    let (mut object, mut source) = (None, None);
    for (name, nlist) in macho.symbols().flatten() {
        if nlist.n_type & N_STAB == 0 {
            continue;
        }
        count += 1;
        let slot = match nlist.n_type {
            N_OSO => &mut object,
            N_SO => &mut source,
            _ => continue,
        };
        if slot.is_none() && !name.is_empty() {
            *slot = Some(name.to_owned());
        }
    }
    (count > 0).then(|| DebugInfo::Stabs {
        count,
        example: object.or(source),
    })
}
