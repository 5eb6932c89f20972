//! Metadata blocks: the inode, directory, fragment and id tables are streams of
//! blocks of at most 8 KiB (uncompressed), each behind a 2-byte header holding
//! its stored size (bit 15 set = stored uncompressed).

use std::io;

use super::compress::Codec;

/// Uncompressed size of a full metadata block.
pub(super) const METADATA_SIZE: usize = 8192;

/// Builds one metadata table in memory.
pub(super) struct MetaWriter {
    /// The table as stored (headers + block bodies).
    pub(super) out: Vec<u8>,
    /// The block being filled.
    current: Vec<u8>,
    /// Stored offset (in `out`) of every block begun so far, the current one last.
    starts: Vec<u64>,
}

impl MetaWriter {
    pub(super) fn new() -> MetaWriter {
        MetaWriter {
            out: Vec::new(),
            current: Vec::with_capacity(METADATA_SIZE),
            starts: vec![0],
        }
    }

    /// Where the next byte goes: (stored offset of its block, offset inside it).
    pub(super) fn position(&self) -> (u64, u16) {
        (self.block_start(), self.current.len() as u16)
    }

    /// Uncompressed bytes written so far.
    pub(super) fn uncompressed_len(&self) -> u64 {
        (self.starts.len() as u64 - 1) * METADATA_SIZE as u64 + self.current.len() as u64
    }

    /// The stored offset of the block holding uncompressed byte `pos` (which
    /// must lie in a block already begun).
    pub(super) fn block_of(&self, pos: u64) -> u64 {
        self.starts[(pos / METADATA_SIZE as u64) as usize]
    }

    fn block_start(&self) -> u64 {
        *self.starts.last().expect("a current block")
    }

    pub(super) fn write(&mut self, codec: &mut Codec, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let n = (METADATA_SIZE - self.current.len()).min(bytes.len());
            self.current.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if self.current.len() == METADATA_SIZE {
                self.flush(codec)?;
                self.starts.push(self.out.len() as u64);
            }
        }
        Ok(())
    }

    fn flush(&mut self, codec: &mut Codec) -> io::Result<()> {
        store_block(codec, &self.current, &mut self.out)?;
        self.current.clear();
        Ok(())
    }

    /// The finished table (the last, partial block stored too).
    pub(super) fn finish(mut self, codec: &mut Codec) -> io::Result<Vec<u8>> {
        if !self.current.is_empty() {
            self.flush(codec)?;
        }
        Ok(self.out)
    }
}

/// Appends one metadata block holding `raw` (at most 8 KiB) to `out`.
fn store_block(codec: &mut Codec, raw: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
    debug_assert!(raw.len() <= METADATA_SIZE);
    match codec.compress(raw)? {
        Some(packed) => {
            out.extend_from_slice(&(packed.len() as u16).to_le_bytes());
            out.extend_from_slice(&packed);
        }
        None => {
            out.extend_from_slice(&(raw.len() as u16 | 0x8000).to_le_bytes());
            out.extend_from_slice(raw);
        }
    }
    Ok(())
}

/// A table read through an index (fragment and id tables): `raw` split into
/// metadata blocks stored from image offset `at`, then the index of their
/// offsets. Returns (the bytes to write, image offset of the index).
pub(super) fn indexed_table(codec: &mut Codec, raw: &[u8], at: u64) -> io::Result<(Vec<u8>, u64)> {
    let mut out = Vec::new();
    let mut index = Vec::new();
    for chunk in raw.chunks(METADATA_SIZE) {
        index.push(at + out.len() as u64);
        store_block(codec, chunk, &mut out)?;
    }
    let index_at = at + out.len() as u64;
    for start in index {
        out.extend_from_slice(&start.to_le_bytes());
    }
    Ok((out, index_at))
}
