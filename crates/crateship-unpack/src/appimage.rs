//! AppImages: the squashfs image starts where the runtime's ELF file ends (the
//! end of its section header table or of its furthest section).

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::{UnpackError, Visitor};

/// Files read per opening of the image. backhand keeps every fragment block
/// it decompresses for as long as its reader lives, so the image is opened
/// again after each batch: memory stays bounded by one batch's fragments
/// instead of growing with the image (re-reading its tables costs little).
const FILES_PER_OPEN: usize = 64;

/// Visits every regular file of the AppImage at `path`'s squashfs image.
pub(crate) fn read(path: &Path, visit: &mut Visitor<'_>) -> Result<(), UnpackError> {
    let io = UnpackError::io(path);
    let bad = UnpackError::format(path, "AppImage");
    let mut file = std::fs::File::open(path).map_err(&io)?;
    let offset = elf_end(&mut file).map_err(&bad)?;
    let open = || -> Result<backhand::FilesystemReader<'static>, UnpackError> {
        let file = std::fs::File::open(path).map_err(&io)?;
        backhand::FilesystemReader::from_reader_with_offset(BufReader::new(file), offset).map_err(
            |e| {
                bad(format!(
                    "its squashfs image at byte {offset} cannot be read: {e}"
                ))
            },
        )
    };
    let mut done = 0;
    loop {
        let reader = open()?;
        let files: Vec<_> = reader
            .files()
            .filter_map(|node| match &node.inner {
                backhand::InnerNode::File(f) => Some((node, f)),
                _ => None,
            })
            .skip(done)
            .take(FILES_PER_OPEN)
            .collect();
        if files.is_empty() {
            return Ok(());
        }
        for (node, f) in &files {
            let name = crate::relative(&node.fullpath.to_string_lossy());
            visit(&name, &mut reader.file(f).reader())
                .map_err(|e| bad(format!("`{name}` cannot be read: {e}")))?;
        }
        done += files.len();
    }
}

/// Where a 64-bit little-endian ELF file ends.
fn elf_end(file: &mut std::fs::File) -> Result<u64, String> {
    let mut header = [0u8; 64];
    file.read_exact(&mut header)
        .map_err(|e| format!("its ELF header cannot be read: {e}"))?;
    if &header[..4] != b"\x7fELF" || header[4] != 2 || header[5] != 1 {
        return Err("it does not start with a 64-bit little-endian ELF runtime".into());
    }
    let u16at = |b: &[u8], at: usize| u64::from(u16::from_le_bytes([b[at], b[at + 1]]));
    let u64at = |b: &[u8], at: usize| {
        let mut v = [0u8; 8];
        v.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(v)
    };
    let (shoff, shentsize, shnum) = (
        u64at(&header, 0x28),
        u16at(&header, 0x3a),
        u16at(&header, 0x3c),
    );
    let mut end = shoff + shentsize * shnum;
    let mut section = vec![0u8; shentsize.max(64) as usize];
    for index in 0..shnum {
        file.seek(SeekFrom::Start(shoff + index * shentsize))
            .and_then(|_| file.read_exact(&mut section[..shentsize as usize]))
            .map_err(|e| format!("its ELF section headers cannot be read: {e}"))?;
        const SHT_NOBITS: u32 = 8;
        let kind = u32::from_le_bytes([section[4], section[5], section[6], section[7]]);
        if kind != SHT_NOBITS {
            end = end.max(u64at(&section, 0x18) + u64at(&section, 0x20));
        }
    }
    Ok(end)
}
