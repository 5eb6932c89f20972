//! Parallel deflate: a stream cut into chunks compressed on every core and joined
//! into one valid deflate stream, the way pigz does it.
//!
//! Each chunk is compressed with the previous chunk's last 32 KiB as dictionary
//! and ends in a sync flush (a byte-aligned, non-final block), so chunks simply
//! concatenate; [`FINAL_BLOCK`] closes the stream. At most a fixed number of
//! chunks are in flight, so memory stays bounded whatever the input size.

use std::collections::VecDeque;
use std::io;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use flate2::{Compress, Compression, FlushCompress, Status};

/// Size of the chunks handed to workers.
pub const CHUNK_SIZE: usize = 256 * 1024;
/// Deflate's window: the dictionary carried from one chunk to the next.
pub const DICT_SIZE: usize = 32 * 1024;
/// An empty final fixed-Huffman block: ends a stream of sync-flushed chunks.
pub const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

type Job = Box<dyn FnOnce() + Send>;

/// A pool of worker threads whose results are taken back in submission order.
pub struct OrderedPool<T: Send + 'static> {
    jobs: Option<mpsc::Sender<Job>>,
    pending: VecDeque<mpsc::Receiver<T>>,
    workers: Vec<JoinHandle<()>>,
    window: usize,
}

impl<T: Send + 'static> OrderedPool<T> {
    /// A pool with one worker per core and room for `window` jobs in flight.
    pub fn new(window: usize) -> OrderedPool<T> {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let workers = (0..threads)
            .map(|_| {
                let rx = Arc::clone(&rx);
                std::thread::spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
            })
            .collect();
        OrderedPool {
            jobs: Some(tx),
            pending: VecDeque::new(),
            workers,
            window: window.max(threads),
        }
    }

    /// Whether the window is full (the caller should take a result first).
    pub fn is_full(&self) -> bool {
        self.pending.len() >= self.window
    }

    /// Whether any result is still to be taken.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Queues `job`; its result comes back from [`OrderedPool::take`] in order.
    pub fn submit(&mut self, job: impl FnOnce() -> T + Send + 'static) {
        let (tx, rx) = mpsc::sync_channel(1);
        self.pending.push_back(rx);
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Box::new(move || {
                let _ = tx.send(job());
            }));
        }
    }

    /// Waits for the oldest job and returns its result.
    pub fn take(&mut self) -> Option<T> {
        let rx = self.pending.pop_front()?;
        rx.recv().ok()
    }
}

impl<T: Send + 'static> Drop for OrderedPool<T> {
    fn drop(&mut self) {
        self.jobs = None;
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// Compresses `input` as raw deflate ending in a sync flush (or a final block
/// if `finish`), primed with `dict`.
pub fn deflate_chunk(input: &[u8], dict: &[u8], level: u32, finish: bool) -> io::Result<Vec<u8>> {
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
pub fn dictionary_tail(data: &[u8]) -> Vec<u8> {
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
    fn pool_returns_results_in_submission_order() {
        let mut pool = OrderedPool::new(4);
        let mut got = Vec::new();
        for i in 0..20u64 {
            if pool.is_full() {
                got.push(pool.take().unwrap());
            }
            pool.submit(move || {
                std::thread::sleep(std::time::Duration::from_millis(20 - i));
                i
            });
        }
        while pool.has_pending() {
            got.push(pool.take().unwrap());
        }
        assert_eq!(got, (0..20).collect::<Vec<_>>());
    }
}
