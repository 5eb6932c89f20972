//! Reading what a binary needs from its host: the glibc floor of ELF binaries
//! and the minimum macOS version of Mach-O binaries.

use std::path::Path;

use crate::config::GlibcVersion;
use crate::error::{Error, Result};

/// The highest `GLIBC_x.y` symbol version an ELF binary requires, or `None` for
/// binaries that need no glibc (static musl). Errors name the file.
pub fn glibc_floor(path: &Path) -> Result<Option<GlibcVersion>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    glibc_floor_of(&bytes)
        .map_err(|m| Error::Requirement(format!("cannot read ELF binary {}: {m}", path.display())))
}

/// [`glibc_floor`] on bytes already in memory.
pub fn glibc_floor_of(bytes: &[u8]) -> Result<Option<GlibcVersion>, String> {
    let elf = goblin::elf::Elf::parse(bytes).map_err(|e| e.to_string())?;
    let mut floor: Option<GlibcVersion> = None;
    if let Some(verneed) = &elf.verneed {
        for need in verneed.iter() {
            for aux in need.iter() {
                let Some(name) = elf.dynstrtab.get_at(aux.vna_name) else {
                    continue;
                };
                if let Some(v) = name
                    .strip_prefix("GLIBC_")
                    .and_then(|v| v.parse::<GlibcVersion>().ok())
                {
                    floor = floor.max(Some(v));
                }
            }
        }
    }
    Ok(floor)
}

/// The minimum macOS version a Mach-O binary declares (`LC_BUILD_VERSION` or
/// `LC_VERSION_MIN_MACOSX`), e.g. `11.0`; `None` if it declares none.
pub fn macos_minimum(path: &Path) -> Result<Option<String>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    let bad = |m: String| {
        Error::Requirement(format!("cannot read Mach-O binary {}: {m}", path.display()))
    };
    let macho = match goblin::mach::Mach::parse(&bytes).map_err(|e| bad(e.to_string()))? {
        goblin::mach::Mach::Binary(m) => m,
        goblin::mach::Mach::Fat(fat) => match fat.get(0).map_err(|e| bad(e.to_string()))? {
            goblin::mach::SingleArch::MachO(m) => m,
            goblin::mach::SingleArch::Archive(_) => {
                return Err(bad("a fat archive is not an executable".into()));
            }
        },
    };
    use goblin::mach::load_command::CommandVariant;
    let encoded = macho.load_commands.iter().find_map(|lc| match &lc.command {
        CommandVariant::BuildVersion(b) => Some(b.minos),
        CommandVariant::VersionMinMacosx(v) => Some(v.version),
        _ => None,
    });
    Ok(encoded.map(|v| {
        let (major, minor, patch) = (v >> 16, (v >> 8) & 0xff, v & 0xff);
        if patch == 0 {
            format!("{major}.{minor}")
        } else {
            format!("{major}.{minor}.{patch}")
        }
    }))
}
