//! A streaming writer of single-folder MSZIP cabinets (MS-CAB), the format MSI media use.
//!
//! Each 32 KiB data block is compressed on its own (a complete deflate stream behind the
//! `CK` signature, as Microsoft's compressor writes them), so no block depends on another
//! and the compression level is ours to choose. Blocks that do not shrink are stored.
//! Only the header's total-size field is patched after the data is written; everything
//! else is known up front from the file list.

use std::io::{self, Seek, SeekFrom, Write};

use flate2::{Compress, Compression, FlushCompress, Status};

/// Uncompressed bytes per CFDATA block (fixed by MSZIP).
pub(crate) const BLOCK: usize = 0x8000;
/// Deflate level: zlib's default trades little size for much less time than level 9.
const LEVEL: u32 = 6;
/// typeCompress of MSZIP.
const MSZIP: u16 = 1;
/// File attribute: archive.
const ATTR_ARCHIVE: u16 = 0x20;
/// File attribute: the name is UTF-8.
const ATTR_NAME_IS_UTF: u16 = 0x80;
/// Size of CFHEADER without reserve fields.
const HEADER_LEN: u64 = 36;
/// Size of one CFFOLDER.
const FOLDER_LEN: u64 = 8;
/// Size of a CFDATA header.
const DATA_HEADER_LEN: usize = 8;

/// One member: name and uncompressed size.
pub(crate) struct Member<'a> {
    /// Member name (the MSI File key).
    pub name: &'a str,
    /// Uncompressed size.
    pub size: u32,
}

/// Writes a cabinet; feed the members' bytes in order with [`Write`], then [`finish`].
///
/// [`finish`]: CabWriter::finish
pub(crate) struct CabWriter<W: Write + Seek> {
    out: W,
    compressor: Compress,
    block: Vec<u8>,
    compressed: Vec<u8>,
    blocks_left: u64,
    bytes_left: u64,
}

impl<W: Write + Seek> CabWriter<W> {
    /// Writes the header, folder and file entries for `members`.
    pub(crate) fn new(
        mut out: W,
        members: &[Member<'_>],
        dos_datetime: (u16, u16),
    ) -> io::Result<Self> {
        let too_big = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cabinet has too many {what}"),
            )
        };
        let count = u16::try_from(members.len()).map_err(|_| too_big("files"))?;
        let total: u64 = members.iter().map(|m| u64::from(m.size)).sum();
        let blocks = total.div_ceil(BLOCK as u64);
        let block_count = u16::try_from(blocks).map_err(|_| too_big("bytes"))?;
        let files_len: u64 = members.iter().map(|m| 16 + m.name.len() as u64 + 1).sum();
        let files_offset = HEADER_LEN + FOLDER_LEN;
        let data_offset = files_offset + files_len;

        let mut head = Vec::with_capacity(data_offset as usize);
        head.extend_from_slice(b"MSCF");
        head.extend_from_slice(&0u32.to_le_bytes());
        head.extend_from_slice(&0u32.to_le_bytes()); // cbCabinet, patched by finish()
        head.extend_from_slice(&0u32.to_le_bytes());
        head.extend_from_slice(&(files_offset as u32).to_le_bytes());
        head.extend_from_slice(&0u32.to_le_bytes());
        head.extend_from_slice(&[3, 1]); // version 1.3
        head.extend_from_slice(&1u16.to_le_bytes()); // one folder
        head.extend_from_slice(&count.to_le_bytes());
        head.extend_from_slice(&0u16.to_le_bytes()); // flags: no reserve, no chaining
        head.extend_from_slice(&0u16.to_le_bytes()); // set id
        head.extend_from_slice(&0u16.to_le_bytes()); // index in set
        // CFFOLDER
        head.extend_from_slice(&(data_offset as u32).to_le_bytes());
        head.extend_from_slice(&block_count.to_le_bytes());
        head.extend_from_slice(&MSZIP.to_le_bytes());
        // CFFILE entries
        let mut offset = 0u32;
        for member in members {
            let utf = if member.name.is_ascii() {
                0
            } else {
                ATTR_NAME_IS_UTF
            };
            head.extend_from_slice(&member.size.to_le_bytes());
            head.extend_from_slice(&offset.to_le_bytes());
            head.extend_from_slice(&0u16.to_le_bytes());
            head.extend_from_slice(&dos_datetime.0.to_le_bytes());
            head.extend_from_slice(&dos_datetime.1.to_le_bytes());
            head.extend_from_slice(&(ATTR_ARCHIVE | utf).to_le_bytes());
            head.extend_from_slice(member.name.as_bytes());
            head.push(0);
            offset = offset
                .checked_add(member.size)
                .ok_or_else(|| too_big("bytes"))?;
        }
        debug_assert_eq!(head.len() as u64, data_offset);
        out.write_all(&head)?;
        Ok(CabWriter {
            out,
            compressor: Compress::new(Compression::new(LEVEL), false),
            block: Vec::with_capacity(BLOCK),
            compressed: Vec::with_capacity(BLOCK + BLOCK / 8 + 64),
            blocks_left: blocks,
            bytes_left: total,
        })
    }

    /// Compresses and writes the full or final block.
    fn flush_block(&mut self) -> io::Result<()> {
        if self.block.is_empty() {
            return Ok(());
        }
        if self.blocks_left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "more data than the members' sizes",
            ));
        }
        self.compressed.clear();
        self.compressed.extend_from_slice(b"CK");
        self.compressor.reset();
        let status = self
            .compressor
            .compress_vec(&self.block, &mut self.compressed, FlushCompress::Finish)
            .map_err(io::Error::other)?;
        let complete =
            status == Status::StreamEnd && self.compressor.total_in() == self.block.len() as u64;
        // Stored fallback: a final stored deflate block, 5 bytes of framing.
        if !complete || self.compressed.len() > self.block.len() + 7 {
            let len = self.block.len() as u16;
            self.compressed.clear();
            self.compressed.extend_from_slice(b"CK");
            self.compressed.push(1);
            self.compressed.extend_from_slice(&len.to_le_bytes());
            self.compressed.extend_from_slice(&(!len).to_le_bytes());
            self.compressed.extend_from_slice(&self.block);
        }
        let mut header = [0u8; DATA_HEADER_LEN];
        header[4..6].copy_from_slice(&(self.compressed.len() as u16).to_le_bytes());
        header[6..8].copy_from_slice(&(self.block.len() as u16).to_le_bytes());
        // Readers such as libgcab verify the checksum even where the format calls 0 "none".
        let csum = checksum(&header[4..8], checksum(&self.compressed, 0));
        header[0..4].copy_from_slice(&csum.to_le_bytes());
        self.out.write_all(&header)?;
        self.out.write_all(&self.compressed)?;
        self.blocks_left -= 1;
        self.block.clear();
        Ok(())
    }

    /// Writes the last block, patches the total size and returns the writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.flush_block()?;
        if self.blocks_left != 0 || self.bytes_left != 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "less data than the members' sizes",
            ));
        }
        let len = self.out.stream_position()?;
        let len = u32::try_from(len)
            .ok()
            .filter(|&l| l <= 0x7fff_ffff)
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "cabinet larger than 2 GiB")
            })?;
        self.out.seek(SeekFrom::Start(8))?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write + Seek> Write for CabWriter<W> {
    fn write(&mut self, mut buf: &[u8]) -> io::Result<usize> {
        let written = buf.len();
        if written as u64 > self.bytes_left {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "more data than the members' sizes",
            ));
        }
        self.bytes_left -= written as u64;
        while !buf.is_empty() {
            let take = (BLOCK - self.block.len()).min(buf.len());
            self.block.extend_from_slice(&buf[..take]);
            buf = &buf[take..];
            if self.block.len() == BLOCK {
                self.flush_block()?;
            }
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The CFDATA checksum of MS-CAB: XOR of the little-endian 32-bit words of `data`, the
/// 1 to 3 trailing bytes folded in with the first of them highest; chained via `seed`.
fn checksum(data: &[u8], seed: u32) -> u32 {
    let mut words = data.chunks_exact(4);
    let mut sum = seed;
    for word in &mut words {
        sum ^= u32::from_le_bytes(word.try_into().expect("chunks of 4"));
    }
    let tail = words
        .remainder()
        .iter()
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    sum ^ tail
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    #[test]
    fn checksum_folds_trailing_bytes_first_byte_highest() {
        assert_eq!(checksum(&[1, 0, 0, 0, 2, 0, 0, 0], 0), 3);
        assert_eq!(checksum(&[0xaa, 0xbb, 0xcc], 0), 0x00aa_bbcc);
        assert_eq!(checksum(&[0xaa], 7), 0xaa ^ 7);
    }

    /// The `cab` crate (another implementation) reads what we write, across block
    /// boundaries, with empty members and incompressible data.
    #[test]
    fn cab_crate_reads_our_cabinets() {
        let mut noise = 1u32;
        let random: Vec<u8> = (0..100_000)
            .map(|_| {
                noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (noise >> 24) as u8
            })
            .collect();
        let text = b"hello cabinet ".repeat(5000);
        let payload: [(&str, &[u8]); 4] = [
            ("a", &text),
            ("empty", b""),
            ("noise", &random),
            ("tail", b"end"),
        ];
        let members: Vec<Member> = payload
            .iter()
            .map(|(name, data)| Member {
                name,
                size: data.len() as u32,
            })
            .collect();
        let mut writer = CabWriter::new(
            Cursor::new(Vec::new()),
            &members,
            crateship_support::date::dos_datetime(1_700_000_000),
        )
        .unwrap();
        for (_, data) in &payload {
            writer.write_all(data).unwrap();
        }
        let bytes = writer.finish().unwrap().into_inner();
        assert_eq!(
            u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize,
            bytes.len()
        );
        let mut cabinet = cab::Cabinet::new(Cursor::new(bytes)).unwrap();
        for (name, data) in payload {
            let mut read = Vec::new();
            cabinet
                .read_file(name)
                .unwrap()
                .read_to_end(&mut read)
                .unwrap();
            assert!(read == data, "{name} differs");
        }
    }

    #[test]
    fn wrong_amounts_of_data_are_errors() {
        let members = [Member { name: "a", size: 3 }];
        let mut writer = CabWriter::new(Cursor::new(Vec::new()), &members, (0, 0)).unwrap();
        assert!(writer.write_all(b"abcd").is_err());
        let mut writer = CabWriter::new(Cursor::new(Vec::new()), &members, (0, 0)).unwrap();
        writer.write_all(b"ab").unwrap();
        assert!(writer.finish().is_err());
    }
}
