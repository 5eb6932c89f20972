//! Parallel deflate: a stream cut into chunks compressed on every core and joined
//! into one valid deflate stream, the way pigz does it.
//!
//! Each chunk is compressed with the previous chunk's last 32 KiB as dictionary
//! and ends in a sync flush (a byte-aligned, non-final block), so chunks simply
//! concatenate; [`FINAL_BLOCK`] closes the stream. Jobs run on an
//! [`OrderedPool`], whose results come back in submission order, so the stream
//! is the same for any thread count; at most a fixed window of chunks is in
//! flight, so memory stays bounded whatever the input size.

use std::io;
use std::sync::Arc;

use crateship_support::OrderedPool;
use flate2::{Compress, Compression, FlushCompress, Status};

/// Size of the chunks handed to workers.
pub(crate) const CHUNK_SIZE: usize = 256 * 1024;
/// Deflate's window: the dictionary carried from one chunk to the next.
pub(crate) const DICT_SIZE: usize = 32 * 1024;
/// An empty final fixed-Huffman block: ends a stream of sync-flushed chunks.
pub(crate) const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// Work for a deflate worker.
pub(crate) enum Job {
    /// A chunk of a longer stream, primed with the previous chunk's tail and
    /// ended by a sync flush.
    Chunk {
        /// The uncompressed bytes.
        data: Vec<u8>,
        /// The last [`DICT_SIZE`] bytes before them.
        dict: Arc<Vec<u8>>,
    },
    /// A whole small file: one complete stream, or the bytes as they are when
    /// deflate would not make them smaller.
    Whole(Vec<u8>),
}

/// A finished job.
pub(crate) struct Deflated {
    /// The bytes to write.
    pub data: Vec<u8>,
    /// Whether `data` is the input itself (a [`Job::Whole`] deflate did not shrink).
    pub stored: bool,
}

/// The pool the archive writers compress on.
pub(crate) type DeflatePool = OrderedPool<Job, io::Result<Deflated>>;

/// A pool of `threads` workers (0: one per core) deflating at `level`, with
/// room for `window` jobs in flight.
pub(crate) fn pool(level: u32, threads: usize, window: usize) -> DeflatePool {
    OrderedPool::stateless(threads, window, move |job| run(job, level))
}

fn run(job: Job, level: u32) -> io::Result<Deflated> {
    match job {
        Job::Chunk { data, dict } => Ok(Deflated {
            data: deflate_chunk(&data, &dict, level, false)?,
            stored: false,
        }),
        Job::Whole(data) => {
            let packed = deflate_chunk(&data, &[], level, true)?;
            Ok(if packed.len() < data.len() {
                Deflated {
                    data: packed,
                    stored: false,
                }
            } else {
                Deflated { data, stored: true }
            })
        }
    }
}

/// Compresses `input` as raw deflate ending in a sync flush (or a final block
/// if `finish`), primed with `dict`.
pub(crate) fn deflate_chunk(
    input: &[u8],
    dict: &[u8],
    level: u32,
    finish: bool,
) -> io::Result<Vec<u8>> {
    let mut c = Compress::new(Compression::new(level), false);
    if !dict.is_empty() {
        c.set_dictionary(dict).map_err(io::Error::other)?;
    }
    let mut out = Vec::with_capacity(input.len() / 2 + 4096);
    let flush = if finish {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    loop {
        if out.capacity() - out.len() < 4096 {
            out.reserve(out.capacity().max(64 * 1024));
        }
        let consumed = c.total_in() as usize;
        let status = c
            .compress_vec(&input[consumed..], &mut out, flush)
            .map_err(io::Error::other)?;
        let all_in = c.total_in() as usize == input.len();
        match status {
            Status::StreamEnd => break,
            _ if !finish && all_in && out.len() < out.capacity() => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The last [`DICT_SIZE`] bytes of `data`, to prime the next chunk.
pub(crate) fn dictionary_tail(data: &[u8]) -> Vec<u8> {
    data[data.len().saturating_sub(DICT_SIZE)..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn chunks_joined_with_final_block_inflate_to_the_input() {
        let input: Vec<u8> = (0..700_000u32)
            .map(|i| (i % 251) as u8 ^ (i / 1000) as u8)
            .collect();
        let mut stream = Vec::new();
        let mut prev: &[u8] = &[];
        for chunk in input.chunks(CHUNK_SIZE) {
            stream.extend(deflate_chunk(chunk, &dictionary_tail(prev), 6, false).unwrap());
            prev = chunk;
        }
        stream.extend(FINAL_BLOCK);
        let mut back = Vec::new();
        flate2::read::DeflateDecoder::new(&stream[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, input);
    }

    #[test]
    fn whole_jobs_store_what_deflate_cannot_shrink() {
        let mut pool = pool(6, 2, 4);
        let mut noise = 7u32;
        let random: Vec<u8> = (0..5000)
            .map(|_| {
                noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (noise >> 24) as u8
            })
            .collect();
        assert!(pool.submit(Job::Whole(random.clone())).is_none());
        assert!(pool.submit(Job::Whole(vec![b'a'; 5000])).is_none());
        let stored = pool.take().unwrap().unwrap();
        assert!(stored.stored && stored.data == random);
        let packed = pool.take().unwrap().unwrap();
        assert!(!packed.stored && packed.data.len() < 100);
    }
}
