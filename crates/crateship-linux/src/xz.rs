//! An `.xz` writer whose blocks are either LZMA2-compressed on a small thread pool
//! ([`OrderedPool`]) or stored, so content that is already compressed costs no CPU.
//!
//! Why our own container writer: liblzma's multi-threaded encoder uses one filter
//! chain for the whole stream, and its Rust binding cannot switch chains between
//! blocks. The `.xz` format allows it (each block header names its own filters),
//! and so does every decoder: dpkg, apt, `xz`, busybox.
//!
//! Architecture Invariants:
//! * Block boundaries depend only on the bytes written and on [`XzWriter::set_mode`]
//!   calls (every [`BLOCK_SIZE`] bytes and at each mode switch), never on timing or
//!   the thread count, so the output is byte-identical for any number of threads.
//! * At most `threads` uncompressed blocks are in memory at once; stored blocks are
//!   streamed in 64 KiB chunks.
//! * Blocks are written in order; the check of every block is CRC32.

use std::io::{self, Write};

use crateship_support::OrderedPool;
use liblzma::stream::{Action, Filters, LzmaOptions, Status, Stream};

/// Uncompressed bytes per compressed block: 3 × the dictionary, as `xz -T` and
/// dpkg-deb use for preset 6.
pub(crate) const BLOCK_SIZE: usize = 24 << 20;
/// LZMA2 dictionary size of compressed blocks (preset 6's).
const DICT_SIZE: u32 = 8 << 20;
/// LZMA2 preset of compressed blocks (dpkg-deb's and xz's default).
const PRESET: u32 = 6;
/// Largest LZMA2 uncompressed chunk.
const STORED_CHUNK: usize = 64 << 10;

/// How the bytes written next are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockMode {
    /// LZMA2 at [`PRESET`], on the thread pool.
    Compress,
    /// LZMA2 uncompressed chunks: for content that does not compress.
    Store,
}

/// A block encoded by a worker.
struct Encoded {
    bytes: Vec<u8>,
    unpadded: u64,
    uncompressed: u64,
    /// The input buffer, handed back for reuse.
    input: Vec<u8>,
}

/// Workers encoding whole blocks, results in submission order.
type BlockPool = OrderedPool<Vec<u8>, io::Result<Encoded>>;

fn encode(input: Vec<u8>) -> io::Result<Encoded> {
    let (bytes, unpadded) = encode_block(&input)?;
    Ok(Encoded {
        bytes,
        unpadded,
        uncompressed: input.len() as u64,
        input,
    })
}

/// A stored block being streamed.
struct StoredBlock {
    crc: crc32fast::Hasher,
    chunk: Vec<u8>,
    uncompressed: u64,
    /// Bytes after the block header so far (chunk headers and data).
    body: u64,
}

/// Writes one `.xz` stream to `out`; see the module docs.
pub(crate) struct XzWriter<W: Write> {
    out: W,
    mode: BlockMode,
    threads: usize,
    /// Started with the first compressed block (a stream of stored blocks needs none).
    pool: Option<BlockPool>,
    /// Uncompressed bytes of the compressed block being filled.
    fill: Vec<u8>,
    spare: Vec<Vec<u8>>,
    stored: Option<StoredBlock>,
    /// (unpadded size, uncompressed size) of every block written, for the index.
    index: Vec<(u64, u64)>,
}

impl<W: Write> XzWriter<W> {
    /// Starts a stream on `out` that compresses on `threads` threads (1 = inline).
    pub(crate) fn new(mut out: W, threads: usize) -> io::Result<Self> {
        out.write_all(&stream_header())?;
        Ok(XzWriter {
            out,
            mode: BlockMode::Compress,
            threads: threads.max(1),
            pool: None,
            fill: Vec::new(),
            spare: Vec::new(),
            stored: None,
            index: Vec::new(),
        })
    }

    /// Encodes what is written from now on in `mode`; a switch ends the current block.
    pub(crate) fn set_mode(&mut self, mode: BlockMode) -> io::Result<()> {
        if mode == self.mode {
            return Ok(());
        }
        match self.mode {
            BlockMode::Compress => {
                self.dispatch()?;
                // A stored block goes straight to `out`, so everything before it must be there.
                self.write_pending()?;
            }
            BlockMode::Store => self.finish_stored()?,
        }
        self.mode = mode;
        Ok(())
    }

    /// Ends the stream (index and footer) and returns the inner writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        match self.mode {
            BlockMode::Compress => self.dispatch()?,
            BlockMode::Store => self.finish_stored()?,
        }
        self.write_pending()?;
        let index = index_bytes(&self.index);
        self.out.write_all(&index)?;
        self.out.write_all(&stream_footer(index.len()))?;
        Ok(self.out)
    }

    /// Sends the filled buffer to be compressed, then makes room for the next one.
    fn dispatch(&mut self) -> io::Result<()> {
        if self.fill.is_empty() {
            return Ok(());
        }
        let input = std::mem::take(&mut self.fill);
        let threads = self.threads;
        // Room for `threads` blocks: the workers' plus the one being filled.
        let pool = self
            .pool
            .get_or_insert_with(|| OrderedPool::stateless(threads, threads, encode));
        if let Some(oldest) = pool.submit(input) {
            self.write_block(oldest)?;
        }
        // Bound memory: wait for a worker to hand a buffer back before filling another.
        if self.pool.as_ref().is_some_and(|p| p.is_full()) {
            self.write_oldest()?;
        }
        self.fill = self.spare.pop().unwrap_or_default();
        Ok(())
    }

    /// Waits for the oldest block in the pool and writes it.
    fn write_oldest(&mut self) -> io::Result<()> {
        match self.pool.as_mut().and_then(|p| p.take()) {
            Some(encoded) => self.write_block(encoded),
            None => Ok(()),
        }
    }

    /// Writes every block still in the pool, in order.
    fn write_pending(&mut self) -> io::Result<()> {
        while self.pool.as_ref().is_some_and(|p| p.has_pending()) {
            self.write_oldest()?;
        }
        Ok(())
    }

    /// Writes an encoded block and keeps its buffer for the next one.
    fn write_block(&mut self, encoded: io::Result<Encoded>) -> io::Result<()> {
        let mut block = encoded?;
        self.out.write_all(&block.bytes)?;
        self.index.push((block.unpadded, block.uncompressed));
        block.input.clear();
        self.spare.push(block.input);
        Ok(())
    }

    fn write_stored(&mut self, mut buf: &[u8]) -> io::Result<()> {
        if self.stored.is_none() {
            self.out.write_all(&block_header())?;
            self.stored = Some(StoredBlock {
                crc: crc32fast::Hasher::new(),
                chunk: Vec::with_capacity(STORED_CHUNK),
                uncompressed: 0,
                body: 0,
            });
        }
        let block = self.stored.as_mut().expect("just started");
        block.crc.update(buf);
        block.uncompressed += buf.len() as u64;
        while !buf.is_empty() {
            let take = buf.len().min(STORED_CHUNK - block.chunk.len());
            block.chunk.extend_from_slice(&buf[..take]);
            buf = &buf[take..];
            if block.chunk.len() == STORED_CHUNK {
                write_stored_chunk(&mut self.out, block)?;
            }
        }
        Ok(())
    }

    fn finish_stored(&mut self) -> io::Result<()> {
        let Some(mut block) = self.stored.take() else {
            return Ok(());
        };
        if !block.chunk.is_empty() {
            write_stored_chunk(&mut self.out, &mut block)?;
        }
        self.out.write_all(&[0x00])?; // LZMA2 end marker
        block.body += 1;
        let header_and_body = BLOCK_HEADER_LEN as u64 + block.body;
        self.out.write_all(&[0u8; 3][..padding(header_and_body)])?;
        self.out.write_all(&block.crc.finalize().to_le_bytes())?;
        self.index.push((header_and_body + 4, block.uncompressed));
        Ok(())
    }
}

impl<W: Write> Write for XzWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.mode {
            BlockMode::Store => {
                self.write_stored(buf)?;
                Ok(buf.len())
            }
            BlockMode::Compress => {
                if self.fill.capacity() == 0 {
                    self.fill.reserve_exact(BLOCK_SIZE);
                }
                let take = buf.len().min(BLOCK_SIZE - self.fill.len());
                self.fill.extend_from_slice(&buf[..take]);
                if self.fill.len() == BLOCK_SIZE {
                    self.dispatch()?;
                }
                Ok(take)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes the buffered bytes of `block` as one LZMA2 uncompressed chunk.
fn write_stored_chunk<W: Write>(out: &mut W, block: &mut StoredBlock) -> io::Result<()> {
    // 0x01 = uncompressed chunk that resets the dictionary (required first), 0x02 = one that keeps it.
    let control = if block.body == 0 { 0x01 } else { 0x02 };
    let size = u16::try_from(block.chunk.len() - 1).expect("chunk ≤ 64 KiB");
    out.write_all(&[control])?;
    out.write_all(&size.to_be_bytes())?;
    out.write_all(&block.chunk)?;
    block.body += 3 + block.chunk.len() as u64;
    block.chunk.clear();
    Ok(())
}

/// Compresses one block; returns the whole block (header to check) and its unpadded size.
fn encode_block(input: &[u8]) -> io::Result<(Vec<u8>, u64)> {
    let mut options = LzmaOptions::new_preset(PRESET).map_err(io::Error::other)?;
    options.dict_size(DICT_SIZE);
    let mut filters = Filters::new();
    filters.lzma2(&options);
    let mut stream = Stream::new_raw_encoder(&filters).map_err(io::Error::other)?;
    let mut out = Vec::with_capacity(input.len() / 4 + (64 << 10));
    out.extend_from_slice(&block_header());
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.capacity());
        }
        let consumed = stream.total_in() as usize;
        let status = stream
            .process_vec(&input[consumed..], &mut out, Action::Finish)
            .map_err(io::Error::other)?;
        if status == Status::StreamEnd {
            break;
        }
    }
    let unpadded = out.len() as u64 + 4;
    out.resize(out.len() + padding(out.len() as u64), 0);
    out.extend_from_slice(&crc32fast::hash(input).to_le_bytes());
    Ok((out, unpadded))
}

const XZ_MAGIC: [u8; 6] = [0xFD, b'7', b'z', b'X', b'Z', 0x00];
/// Stream flags: no reserved bits, check type 0x01 = CRC32.
const STREAM_FLAGS: [u8; 2] = [0x00, 0x01];
const BLOCK_HEADER_LEN: usize = 12;

fn stream_header() -> [u8; 12] {
    let mut h = [0u8; 12];
    h[..6].copy_from_slice(&XZ_MAGIC);
    h[6..8].copy_from_slice(&STREAM_FLAGS);
    h[8..].copy_from_slice(&crc32fast::hash(&STREAM_FLAGS).to_le_bytes());
    h
}

/// Block header: one filter, LZMA2 with [`DICT_SIZE`], no optional size fields.
fn block_header() -> [u8; BLOCK_HEADER_LEN] {
    let mut h = [0u8; BLOCK_HEADER_LEN];
    h[0] = (BLOCK_HEADER_LEN / 4 - 1) as u8; // encoded header size
    h[1] = 0x00; // flags: 1 filter, no compressed/uncompressed size
    h[2] = 0x21; // filter ID: LZMA2
    h[3] = 0x01; // size of its properties
    h[4] = lzma2_dict_byte(DICT_SIZE);
    // h[5..8] header padding
    let crc = crc32fast::hash(&h[..8]);
    h[8..].copy_from_slice(&crc.to_le_bytes());
    h
}

/// The LZMA2 property byte: the smallest encodable dictionary size ≥ `dict`.
fn lzma2_dict_byte(dict: u32) -> u8 {
    (0u8..40)
        .find(|&p| (2u64 | u64::from(p & 1)) << (p / 2 + 11) >= u64::from(dict))
        .unwrap_or(40)
}

/// Zero bytes that bring `len` to a multiple of four.
fn padding(len: u64) -> usize {
    ((4 - len % 4) % 4) as usize
}

fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn index_bytes(records: &[(u64, u64)]) -> Vec<u8> {
    let mut index = vec![0x00]; // index indicator
    push_varint(&mut index, records.len() as u64);
    for &(unpadded, uncompressed) in records {
        push_varint(&mut index, unpadded);
        push_varint(&mut index, uncompressed);
    }
    index.resize(index.len() + padding(index.len() as u64), 0);
    let crc = crc32fast::hash(&index);
    index.extend_from_slice(&crc.to_le_bytes());
    index
}

fn stream_footer(index_len: usize) -> [u8; 12] {
    let mut f = [0u8; 12];
    let backward = u32::try_from(index_len / 4 - 1).expect("index fits the footer");
    f[4..8].copy_from_slice(&backward.to_le_bytes());
    f[8..10].copy_from_slice(&STREAM_FLAGS);
    f[10..].copy_from_slice(b"YZ");
    let crc = crc32fast::hash(&f[4..10]);
    f[..4].copy_from_slice(&crc.to_le_bytes());
    f
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Read;

    /// `len` bytes of xorshift noise: incompressible test data.
    pub(crate) fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    }

    fn text(len: usize) -> Vec<u8> {
        b"the quick brown fox jumps over the lazy dog; "
            .iter()
            .cycle()
            .take(len)
            .copied()
            .collect()
    }

    fn write_mixed(threads: usize, parts: &[(BlockMode, &[u8])]) -> Vec<u8> {
        let mut xz = XzWriter::new(Vec::new(), threads).unwrap();
        for (mode, bytes) in parts {
            xz.set_mode(*mode).unwrap();
            // Odd-sized writes cross chunk and block boundaries.
            for piece in bytes.chunks(70_001) {
                xz.write_all(piece).unwrap();
            }
        }
        xz.finish().unwrap()
    }

    #[test]
    fn dict_byte_matches_the_xz_spec() {
        assert_eq!(lzma2_dict_byte(4 << 10), 0);
        assert_eq!(lzma2_dict_byte(6 << 10), 1);
        assert_eq!(lzma2_dict_byte(8 << 20), 22);
        assert_eq!(lzma2_dict_byte((8 << 20) + 1), 23);
    }

    #[test]
    fn mixed_stream_decodes_and_is_identical_for_any_thread_count() {
        let a = text(BLOCK_SIZE + 1234);
        let b = noise(3 * STORED_CHUNK + 17, 7);
        let c = text(5000);
        let parts = [
            (BlockMode::Compress, &a[..]),
            (BlockMode::Store, &b[..]),
            (BlockMode::Compress, &c[..]),
        ];
        let one = write_mixed(1, &parts);
        let three = write_mixed(3, &parts);
        assert!(one == three, "output depends on the thread count");
        let mut decoded = Vec::new();
        liblzma::read::XzDecoder::new(&one[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert!(decoded == [a, b, c].concat());
        // Stored data costs its size plus 3 bytes per 64 KiB chunk.
        assert!(one.len() < (3 * STORED_CHUNK + 17) + 10_000);
    }

    #[test]
    fn empty_stream_is_valid() {
        let out = XzWriter::new(Vec::new(), 2).unwrap().finish().unwrap();
        let mut decoded = Vec::new();
        liblzma::read::XzDecoder::new(&out[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert!(decoded.is_empty());
    }
}
