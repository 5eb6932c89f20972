//! zip archives: the central directory (zip64 included) says where each
//! member's local header is; stored and deflated members are read from there.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::{UnpackError, Visitor};

const EOCD: u32 = 0x0605_4b50;
const EOCD64: u32 = 0x0606_4b50;
const EOCD64_LOCATOR: u32 = 0x0706_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;
/// The central directory is read into memory; a larger one is refused.
const MAX_CENTRAL_DIRECTORY: u64 = 256 << 20;

/// One central directory entry.
struct Entry {
    name: String,
    method: u16,
    compressed: u64,
    offset: u64,
    regular: bool,
}

/// Visits every regular file of the zip at `path`.
pub(crate) fn read(path: &Path, visit: &mut Visitor<'_>) -> Result<(), UnpackError> {
    let io = UnpackError::io(path);
    let bad = UnpackError::format(path, "zip");
    let mut file = File::open(path).map_err(&io)?;
    let len = file.metadata().map_err(&io)?.len();
    let (count, cd_size, cd_offset) = central_directory(&mut file, len)
        .map_err(&io)?
        .ok_or_else(|| bad("it has no end of central directory record".into()))?;
    if cd_size > MAX_CENTRAL_DIRECTORY || cd_offset.saturating_add(cd_size) > len {
        return Err(bad(format!(
            "its central directory ({cd_size} bytes at {cd_offset}) lies outside the file (truncated?)"
        )));
    }
    let mut cd = vec![0u8; cd_size as usize];
    file.seek(SeekFrom::Start(cd_offset)).map_err(&io)?;
    file.read_exact(&mut cd).map_err(&io)?;
    let entries = entries(&cd, count).map_err(&bad)?;
    let mut file = BufReader::new(file);
    for entry in entries.iter().filter(|e| e.regular) {
        let mut local = [0u8; 30];
        file.seek(SeekFrom::Start(entry.offset)).map_err(&io)?;
        file.read_exact(&mut local).map_err(&io)?;
        if u32le(&local, 0) != LOCAL {
            return Err(bad(format!(
                "the local header of `{}` at byte {} is damaged",
                entry.name, entry.offset
            )));
        }
        let skip = u64::from(u16le(&local, 26)) + u64::from(u16le(&local, 28));
        let data = entry.offset + 30 + skip;
        if data.saturating_add(entry.compressed) > len {
            return Err(bad(format!(
                "`{}` ends after the end of the file (truncated?)",
                entry.name
            )));
        }
        file.seek(SeekFrom::Start(data)).map_err(&io)?;
        let raw = (&mut file).take(entry.compressed);
        let result = match entry.method {
            0 => visit(&entry.name, &mut { raw }),
            8 => visit(&entry.name, &mut flate2::read::DeflateDecoder::new(raw)),
            other => {
                return Err(bad(format!(
                    "`{}` uses compression method {other}; only stored and deflate are read",
                    entry.name
                )));
            }
        };
        result.map_err(|e| bad(format!("`{}` cannot be read: {e}", entry.name)))?;
    }
    Ok(())
}

/// `(entries, size, offset)` of the central directory, zip64 records honoured.
fn central_directory(file: &mut File, len: u64) -> std::io::Result<Option<(u64, u64, u64)>> {
    let tail_len = len.min(22 + 65535);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::Start(len - tail_len))?;
    file.read_exact(&mut tail)?;
    let Some(at) = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| u32le(&tail, i) == EOCD)
    else {
        return Ok(None);
    };
    let eocd = &tail[at..];
    let (mut count, mut size, mut offset) = (
        u64::from(u16le(eocd, 10)),
        u64::from(u32le(eocd, 12)),
        u64::from(u32le(eocd, 16)),
    );
    let eocd_pos = len - tail_len + at as u64;
    if (count == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff) && eocd_pos >= 20 {
        let mut locator = [0u8; 20];
        file.seek(SeekFrom::Start(eocd_pos - 20))?;
        file.read_exact(&mut locator)?;
        if u32le(&locator, 0) == EOCD64_LOCATOR {
            let mut record = [0u8; 56];
            file.seek(SeekFrom::Start(u64le(&locator, 8)))?;
            file.read_exact(&mut record)?;
            if u32le(&record, 0) == EOCD64 {
                count = u64le(&record, 32);
                size = u64le(&record, 40);
                offset = u64le(&record, 48);
            }
        }
    }
    Ok(Some((count, size, offset)))
}

/// The `count` entries of the central directory `cd`.
fn entries(cd: &[u8], count: u64) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    let mut at = 0usize;
    for index in 0..count {
        let damaged = || format!("central directory entry {index} is damaged");
        let head = cd.get(at..at + 46).ok_or_else(damaged)?;
        if u32le(head, 0) != CENTRAL {
            return Err(damaged());
        }
        let made_by_unix = u16le(head, 4) >> 8 == 3;
        let method = u16le(head, 10);
        let mut compressed = u64::from(u32le(head, 20));
        let mut uncompressed = u64::from(u32le(head, 24));
        let (name_len, extra_len, comment_len) = (
            usize::from(u16le(head, 28)),
            usize::from(u16le(head, 30)),
            usize::from(u16le(head, 32)),
        );
        let mode = u32le(head, 38) >> 16;
        let mut offset = u64::from(u32le(head, 42));
        let name = cd.get(at + 46..at + 46 + name_len).ok_or_else(damaged)?;
        let name = String::from_utf8_lossy(name).into_owned();
        let extra = cd
            .get(at + 46 + name_len..at + 46 + name_len + extra_len)
            .ok_or_else(damaged)?;
        // The zip64 extra field holds, in order, each value saturated above.
        let mut field = 0;
        while field + 4 <= extra.len() {
            let (id, size) = (u16le(extra, field), usize::from(u16le(extra, field + 2)));
            let body = extra.get(field + 4..field + 4 + size).ok_or_else(damaged)?;
            if id == 1 {
                let mut values = body.chunks_exact(8).map(|c| u64le(c, 0));
                for slot in [&mut uncompressed, &mut compressed, &mut offset] {
                    if *slot == 0xffff_ffff {
                        *slot = values.next().ok_or_else(damaged)?;
                    }
                }
            }
            field += 4 + size;
        }
        let kind = mode & 0o170000;
        let regular = !name.ends_with('/') && (!made_by_unix || kind == 0 || kind == 0o100000);
        entries.push(Entry {
            name: crate::relative(&name),
            method,
            compressed,
            offset,
            regular,
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64le(b: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(bytes)
}
