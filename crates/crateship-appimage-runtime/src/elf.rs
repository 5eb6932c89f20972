//! Just enough ELF64 (little-endian) parsing to find where the runtime ends (the
//! squashfs payload starts there) and to read the reserved AppImage sections.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

/// The runtime's own ELF layout: payload offset and its named sections.
pub struct Elf {
    /// Byte offset of the end of the ELF file (end of the section header table
    /// or of the furthest section, whichever is later) = start of the squashfs.
    pub end: u64,
    sections: Vec<Section>,
}

/// One section header: name, file offset and size.
struct Section {
    name: String,
    offset: u64,
    size: u64,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

impl Elf {
    /// Reads the ELF header and section headers of `file`.
    pub fn read(file: &mut File) -> io::Result<Elf> {
        let mut ehdr = [0u8; 64];
        file.seek(SeekFrom::Start(0))?;
        file.read_exact(&mut ehdr)?;
        if &ehdr[..4] != b"\x7fELF" || ehdr[4] != 2 || ehdr[5] != 1 {
            return Err(invalid("not a 64-bit little-endian ELF file"));
        }
        let shoff = u64_at(&ehdr, 0x28);
        let shentsize = u64::from(u16_at(&ehdr, 0x3a));
        let shnum = u64::from(u16_at(&ehdr, 0x3c));
        let shstrndx = u64::from(u16_at(&ehdr, 0x3e));
        if shentsize < 64 || shnum == 0 || shnum > 4096 {
            return Err(invalid("unexpected ELF section header table"));
        }
        let mut table = vec![0u8; (shentsize * shnum) as usize];
        file.seek(SeekFrom::Start(shoff))?;
        file.read_exact(&mut table)?;
        let mut end = shoff + shentsize * shnum;
        let mut raw = Vec::new();
        for i in 0..shnum {
            let h = &table[(i * shentsize) as usize..];
            let (name, kind, offset, size) =
                (u32_at(h, 0), u32_at(h, 4), u64_at(h, 0x18), u64_at(h, 0x20));
            // SHT_NOBITS (.bss) occupies no file space.
            if kind != 8 {
                end = end.max(offset + size);
            }
            raw.push((name, offset, size, kind));
        }
        let (_, str_off, str_size, _) = *raw
            .get(shstrndx as usize)
            .ok_or_else(|| invalid("no section name table"))?;
        let mut names = vec![0u8; str_size as usize];
        file.seek(SeekFrom::Start(str_off))?;
        file.read_exact(&mut names)?;
        let sections = raw
            .into_iter()
            .map(|(name, offset, size, _)| {
                let start = (name as usize).min(names.len());
                let len = names[start..]
                    .iter()
                    .position(|&b| b == 0)
                    .unwrap_or(names.len() - start);
                Section {
                    name: String::from_utf8_lossy(&names[start..start + len]).into_owned(),
                    offset,
                    size,
                }
            })
            .collect();
        Ok(Elf { end, sections })
    }

    /// File offset and size of the section called `name`.
    pub fn section(&self, name: &str) -> Option<(u64, u64)> {
        self.sections
            .iter()
            .find(|s| s.name == name)
            .map(|s| (s.offset, s.size))
    }

    /// The bytes of section `name` up to its first NUL (reserved sections are
    /// zero-padded), or an empty vector when the section is missing.
    pub fn section_text(&self, file: &mut File, name: &str) -> io::Result<Vec<u8>> {
        let Some((offset, size)) = self.section(name) else {
            return Ok(Vec::new());
        };
        let mut buf = vec![0u8; size as usize];
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(&mut buf)?;
        if let Some(nul) = buf.iter().position(|&b| b == 0) {
            buf.truncate(nul);
        }
        Ok(buf)
    }
}
