//! zsync control files (`.zsync`, the format of zsync 0.6.2 that AppImageUpdate and
//! the `zsync` client read): a text header, then per block of the file a truncated
//! rolling checksum and a truncated MD4, so a client holding an older file fetches
//! only the blocks that changed.
//!
//! The input is read once, front to back, in 1 MiB chunks: the main thread feeds
//! each chunk to the whole-file SHA-1 while worker threads (a
//! [`crateship_support::OrderedPool`]) compute the block checksums, taken back in
//! order, so the output is the same for any thread count. Memory is a few chunks plus
//! the checksum section itself (under 0.5 % of the input at the default block sizes),
//! which has to wait for the SHA-1 that precedes it in the file.
//!
//! Block size and hash lengths are what Debian's `zsyncmake` 0.6.2 chooses for the
//! same length; for the same file, name, mtime, URL and block size the output is
//! byte-identical to `zsyncmake -b N -u URL` (tested). Unlike zsyncmake this never
//! looks inside gzip files (`-Z`): an AppImage is not one.

mod checksums;

use std::io::{Read, Write};

use sha1::{Digest, Sha1};

use crate::FeedError;
use crateship_support::OrderedPool;

pub use checksums::{HashLengths, default_block_size, hash_lengths};

/// The `zsync:` version line this writer produces.
const VERSION: &str = "0.6.2";
/// Bytes read (and handed to a worker) at a time, rounded up to whole blocks.
const CHUNK: usize = 1 << 20;
/// zsync clients expect a power of two between these (zsyncmake's `-b` requirement).
const MIN_BLOCK: u32 = 512;
const MAX_BLOCK: u32 = 1 << 24;

/// What a `.zsync` header says about the file it describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZsyncHeader {
    /// `Filename:` — the name the client saves the file under (no directory).
    pub file_name: String,
    /// `Length:` — the file's size in bytes; the input must be exactly this long.
    pub length: u64,
    /// `MTime:` — seconds since 1970 (the release's `SOURCE_DATE_EPOCH`), written as
    /// RFC 2822 in UTC.
    pub mtime: i64,
    /// `URL:` — where the file is served, as given; relative URLs are resolved by the
    /// client against the `.zsync`'s own URL.
    pub url: String,
    /// `Blocksize:` — a power of two from 512 to 16 MiB; `None` takes zsyncmake's
    /// choice for the length ([`default_block_size`]).
    pub block_size: Option<u32>,
}

/// What was written, for the caller's report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZsyncSummary {
    /// The block size used.
    pub block_size: u32,
    /// Number of blocks (the last may be short).
    pub blocks: u64,
    /// The hash lengths written.
    pub hash_lengths: HashLengths,
    /// SHA-1 of the whole file, lowercase hex.
    pub sha1: String,
    /// Bytes of `.zsync` written.
    pub bytes_written: u64,
}

/// Writes the `.zsync` for the file read from `input` (read once, streaming) to
/// `out`. `threads` computes block checksums (0: one per core); the bytes written
/// are the same for any value.
pub fn write_zsync(
    mut input: impl Read,
    header: &ZsyncHeader,
    mut out: impl Write,
    threads: usize,
) -> Result<ZsyncSummary, FeedError> {
    check_header(header)?;
    let block_size = header
        .block_size
        .unwrap_or_else(|| default_block_size(header.length));
    let lengths = hash_lengths(header.length, block_size);
    let block = block_size as usize;
    let chunk = CHUNK.div_ceil(block) * block;

    let threads = crateship_support::pool::threads(threads);
    let mut pool = OrderedPool::stateless(threads, 2 * threads, move |data: Vec<u8>| {
        let sums = checksums::block_sums(&data, block, lengths);
        (sums, data)
    });
    let mut sha1 = Sha1::new();
    let mut sums = Vec::new();
    let mut spare: Vec<Vec<u8>> = Vec::new();
    let mut read_total: u64 = 0;
    loop {
        let mut buffer = spare.pop().unwrap_or_default();
        let got = fill(&mut input, &mut buffer, chunk).map_err(|source| FeedError::Read {
            name: header.file_name.clone(),
            source,
        })?;
        if got == 0 {
            break;
        }
        read_total += got as u64;
        if read_total > header.length {
            return Err(length_mismatch(header, read_total));
        }
        sha1.update(&buffer);
        if let Some((done, data)) = pool.submit(buffer) {
            sums.extend_from_slice(&done);
            spare.push(data);
        }
        if got < chunk {
            break;
        }
    }
    for (done, _) in pool.drain() {
        sums.extend_from_slice(&done);
    }
    if read_total != header.length {
        return Err(length_mismatch(header, read_total));
    }

    let sha1 = crateship_support::hash::hex(&sha1.finalize());
    let text = header_text(header, block_size, lengths, &sha1);
    let write_error = |source| FeedError::Write {
        feed: ".zsync",
        name: header.file_name.clone(),
        source,
    };
    out.write_all(text.as_bytes()).map_err(write_error)?;
    out.write_all(&sums).map_err(write_error)?;
    out.flush().map_err(write_error)?;
    Ok(ZsyncSummary {
        block_size,
        blocks: header.length.div_ceil(u64::from(block_size)),
        hash_lengths: lengths,
        sha1,
        bytes_written: (text.len() + sums.len()) as u64,
    })
}

/// The header lines in zsyncmake's order, ending with the blank line before the
/// checksums.
fn header_text(header: &ZsyncHeader, block_size: u32, lengths: HashLengths, sha1: &str) -> String {
    format!(
        "zsync: {VERSION}\nFilename: {}\nMTime: {}\nBlocksize: {block_size}\nLength: {}\nHash-Lengths: {},{},{}\nURL: {}\nSHA-1: {sha1}\n\n",
        header.file_name,
        crateship_support::date::rfc2822(header.mtime),
        header.length,
        lengths.sequential_matches,
        lengths.rsum_bytes,
        lengths.checksum_bytes,
        header.url,
    )
}

/// Reads into `buffer` (cleared first) until it holds `want` bytes or the input ends;
/// returns how many it holds.
fn fill(input: &mut impl Read, buffer: &mut Vec<u8>, want: usize) -> std::io::Result<usize> {
    buffer.clear();
    buffer.resize(want, 0);
    let mut filled = 0;
    while filled < want {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buffer.truncate(filled);
    Ok(filled)
}

fn length_mismatch(header: &ZsyncHeader, actual: u64) -> FeedError {
    FeedError::LengthMismatch {
        name: header.file_name.clone(),
        expected: header.length,
        actual,
    }
}

/// Header values go on one line each: no line breaks, nothing empty, and a block
/// size the client accepts.
fn check_header(header: &ZsyncHeader) -> Result<(), FeedError> {
    for (field, value) in [("Filename", &header.file_name), ("URL", &header.url)] {
        if value.is_empty() {
            return Err(FeedError::invalid(
                ".zsync",
                field,
                value,
                "it is empty; give a value",
            ));
        }
        if value.contains(['\n', '\r']) {
            return Err(FeedError::invalid(
                ".zsync",
                field,
                value,
                "it contains a line break; header values are single lines",
            ));
        }
    }
    if header.file_name.contains('/') {
        return Err(FeedError::invalid(
            ".zsync",
            "Filename",
            &header.file_name,
            "it contains `/`; give the file name only (the directory goes in URL)",
        ));
    }
    if let Some(block) = header.block_size
        && (!block.is_power_of_two() || !(MIN_BLOCK..=MAX_BLOCK).contains(&block))
    {
        return Err(FeedError::invalid(
            ".zsync",
            "Blocksize",
            &block.to_string(),
            format!(
                "use a power of two from {MIN_BLOCK} to {MAX_BLOCK}, or none for zsyncmake's default"
            ),
        ));
    }
    Ok(())
}
