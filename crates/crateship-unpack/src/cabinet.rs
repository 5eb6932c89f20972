//! Cabinet files (the `.cab` streams inside an MSI), read folder by folder in
//! one pass: every data block is decompressed once and each file is carved out
//! of its folder's stream in offset order. (Reading file by file through the
//! `cab` crate re-inflates a folder from its start for every file, which is
//! quadratic in the files per folder.) Uncompressed and MSZIP folders are read
//! here; a cabinet with LZX or Quantum folders is read through the `cab`
//! crate instead (see `msi.rs`).

use std::io::{self, Read, Seek, SeekFrom};

use crate::Visitor;

const RESERVE_PRESENT: u16 = 0x0004;
const PREV_CABINET: u16 = 0x0001;
const NEXT_CABINET: u16 = 0x0002;

struct Folder {
    data_start: u64,
    blocks: u16,
    compression: u16,
}

struct File {
    size: u64,
    offset: u64,
    folder: u16,
    name: String,
}

fn invalid(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Visits every file of the cabinet `cab` under `name(key)`.
pub(crate) fn members<R: Read + Seek>(
    mut cab: R,
    name: &dyn Fn(&str) -> String,
    visit: &mut Visitor<'_>,
) -> io::Result<()> {
    let mut header = [0u8; 36];
    cab.read_exact(&mut header)?;
    if &header[..4] != b"MSCF" {
        return Err(invalid("it does not start with the cabinet magic `MSCF`"));
    }
    let files_at = u64::from(u32_at(&header, 16));
    let (folder_count, file_count, flags) = (
        u16_at(&header, 26),
        u16_at(&header, 28),
        u16_at(&header, 30),
    );
    if flags & (PREV_CABINET | NEXT_CABINET) != 0 {
        return Err(invalid("it spans several cabinets, which is not read"));
    }
    let (mut folder_reserve, mut data_reserve) = (0u64, 0u64);
    if flags & RESERVE_PRESENT != 0 {
        let mut reserve = [0u8; 4];
        cab.read_exact(&mut reserve)?;
        cab.seek(SeekFrom::Current(i64::from(u16_at(&reserve, 0))))?;
        folder_reserve = u64::from(reserve[2]);
        data_reserve = u64::from(reserve[3]);
    }
    let mut folders = Vec::new();
    for _ in 0..folder_count {
        let mut raw = [0u8; 8];
        cab.read_exact(&mut raw)?;
        cab.seek(SeekFrom::Current(folder_reserve as i64))?;
        folders.push(Folder {
            data_start: u64::from(u32_at(&raw, 0)),
            blocks: u16_at(&raw, 4),
            compression: u16_at(&raw, 6) & 0x000f,
        });
    }
    cab.seek(SeekFrom::Start(files_at))?;
    let mut files = Vec::new();
    let mut input = io::BufReader::new(&mut cab);
    for _ in 0..file_count {
        let mut raw = [0u8; 16];
        input.read_exact(&mut raw)?;
        let mut key = Vec::new();
        loop {
            let mut byte = [0u8];
            input.read_exact(&mut byte)?;
            if byte[0] == 0 {
                break;
            }
            if key.len() > 1024 {
                return Err(invalid("a file name in the cabinet is not terminated"));
            }
            key.push(byte[0]);
        }
        files.push(File {
            size: u64::from(u32_at(&raw, 0)),
            offset: u64::from(u32_at(&raw, 4)),
            folder: u16_at(&raw, 8),
            name: String::from_utf8_lossy(&key).into_owned(),
        });
    }
    drop(input);
    for (index, folder) in folders.iter().enumerate() {
        let mut in_folder: Vec<&File> = files
            .iter()
            .filter(|f| usize::from(f.folder) == index)
            .collect();
        in_folder.sort_by_key(|f| f.offset);
        if !matches!(folder.compression, 0 | 1) {
            return Err(invalid(format!(
                "folder {index} uses compression type {} (LZX or Quantum), which is not read",
                folder.compression
            )));
        }
        cab.seek(SeekFrom::Start(folder.data_start))?;
        let mut stream = FolderStream {
            cab: io::BufReader::new(&mut cab),
            blocks_left: folder.blocks,
            mszip: folder.compression == 1,
            data_reserve,
            block: Vec::new(),
            at: 0,
        };
        let mut position = 0u64;
        for file in in_folder {
            if file.offset < position {
                return Err(invalid(format!(
                    "`{}` overlaps the file before it",
                    file.name
                )));
            }
            let gap = io::copy(
                &mut (&mut stream).take(file.offset - position),
                &mut io::sink(),
            )?;
            if gap != file.offset - position {
                return Err(invalid(format!(
                    "`{}` starts after its folder ends",
                    file.name
                )));
            }
            let mut data = (&mut stream).take(file.size);
            visit(&name(&file.name), &mut data)?;
            io::copy(&mut data, &mut io::sink())?;
            if data.limit() != 0 {
                return Err(invalid(format!(
                    "`{}` ends after its folder ends",
                    file.name
                )));
            }
            position = file.offset + file.size;
        }
    }
    Ok(())
}

/// The uncompressed bytes of one folder, block by block.
struct FolderStream<R> {
    cab: R,
    blocks_left: u16,
    mszip: bool,
    data_reserve: u64,
    /// The current block's output (before the next is read: the history MSZIP
    /// blocks may refer back into).
    block: Vec<u8>,
    at: usize,
}

impl<R: Read> FolderStream<R> {
    fn next_block(&mut self) -> io::Result<bool> {
        if self.blocks_left == 0 {
            return Ok(false);
        }
        self.blocks_left -= 1;
        let mut head = [0u8; 8];
        self.cab.read_exact(&mut head)?;
        let (packed, unpacked) = (usize::from(u16_at(&head, 4)), usize::from(u16_at(&head, 6)));
        io::copy(
            &mut (&mut self.cab).take(self.data_reserve),
            &mut io::sink(),
        )?;
        let mut data = vec![0u8; packed];
        self.cab.read_exact(&mut data)?;
        self.block = if self.mszip {
            if !data.starts_with(b"CK") {
                return Err(invalid("an MSZIP block does not start with `CK`"));
            }
            // The previous output as a stored deflate block in front, so back
            // references into it resolve; its bytes are dropped afterwards.
            let previous = std::mem::take(&mut self.block);
            let keep = previous.len().min(32 * 1024);
            let history = &previous[previous.len() - keep..];
            let len = keep as u16;
            let mut stream = Vec::with_capacity(5 + keep + packed);
            stream.push(0);
            stream.extend_from_slice(&len.to_le_bytes());
            stream.extend_from_slice(&(!len).to_le_bytes());
            stream.extend_from_slice(history);
            stream.extend_from_slice(&data[2..]);
            let mut out = Vec::with_capacity(keep + unpacked);
            flate2::read::DeflateDecoder::new(&stream[..]).read_to_end(&mut out)?;
            out.drain(..keep);
            out
        } else {
            data
        };
        if self.block.len() != unpacked {
            return Err(invalid(format!(
                "a data block gives {} bytes, its header says {unpacked}",
                self.block.len()
            )));
        }
        self.at = 0;
        Ok(true)
    }
}

impl<R: Read> Read for FolderStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.block.len() {
            if !self.next_block()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    #[test]
    fn every_file_of_stored_and_mszip_folders_reads_back_in_one_pass() {
        let files: Vec<(String, Vec<u8>)> = (0..5u32)
            .map(|i| {
                let data = (0..(i * 30_000 + 7))
                    .map(|j| (j * (i + 3) % 251) as u8)
                    .collect();
                (format!("file{i}"), data)
            })
            .collect();
        let mut builder = cab::CabinetBuilder::new();
        for (compression, range) in [
            (cab::CompressionType::None, 0..2),
            (cab::CompressionType::MsZip, 2..5),
        ] {
            let folder = builder.add_folder(compression);
            for (name, _) in &files[range] {
                folder.add_file(name.clone());
            }
        }
        let mut writer = builder.build(Cursor::new(Vec::new())).unwrap();
        let mut next = files.iter();
        while let Some(mut file) = writer.next_file().unwrap() {
            file.write_all(&next.next().unwrap().1).unwrap();
        }
        let bytes = writer.finish().unwrap().into_inner();
        let mut seen = Vec::new();
        members(
            Cursor::new(bytes.clone()),
            &|k| k.to_uppercase(),
            &mut |name, reader| {
                let mut data = Vec::new();
                reader.read_to_end(&mut data)?;
                seen.push((name.to_owned(), data));
                Ok(())
            },
        )
        .unwrap();
        let expected: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(n, d)| (n.to_uppercase(), d.clone()))
            .collect();
        assert!(seen == expected, "the files differ");

        let mut cut = bytes;
        cut.truncate(cut.len() - 100);
        assert!(
            members(Cursor::new(cut), &|k| k.to_owned(), &mut |_, r| io::copy(
                r,
                &mut io::sink()
            )
            .map(|_| ()))
            .is_err()
        );
    }
}
