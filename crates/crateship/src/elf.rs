//! Reading what a Linux binary needs from its host: the glibc floor.

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
