//! Block compression for the squashfs writer: one codec per worker thread, and
//! an order-preserving pipeline that compresses data blocks on a small pool
//! ([`OrderedPool`]) while the caller keeps reading files.

use std::collections::VecDeque;
use std::io;

use crateship_support::OrderedPool;

use super::Compression;

/// One compressor, owned by one thread.
pub(super) struct Codec {
    kind: Kind,
    /// zstd level 1, to spot incompressible blocks cheaply.
    probe: zstd::bulk::Compressor<'static>,
    /// Scratch space for the probe's output.
    scratch: Vec<u8>,
}

enum Kind {
    Zstd(Box<zstd::bulk::Compressor<'static>>),
    Zlib(Box<flate2::Compress>),
}

impl Codec {
    pub(super) fn new(compression: Compression) -> io::Result<Codec> {
        let kind = match compression {
            Compression::Zstd { level } => {
                Kind::Zstd(Box::new(zstd::bulk::Compressor::new(level)?))
            }
            Compression::Gzip { level } => Kind::Zlib(Box::new(flate2::Compress::new(
                flate2::Compression::new(level),
                true,
            ))),
        };
        Ok(Codec {
            kind,
            probe: zstd::bulk::Compressor::new(1)?,
            scratch: Vec::new(),
        })
    }

    /// `raw` compressed, or `None` when compression would not make it smaller
    /// (the block is then stored as is).
    ///
    /// Blocks that zstd's fastest level cannot shrink at all (random data,
    /// already compressed files) are stored without trying the real level: that
    /// level would spend most of the writer's time to gain nothing. The probe
    /// is deterministic, so the output still depends on the input alone.
    pub(super) fn compress(&mut self, raw: &[u8]) -> io::Result<Option<Vec<u8>>> {
        // A buffer one byte short of the input: anything that does not fit is
        // not worth storing compressed.
        let room = raw.len().saturating_sub(1);
        self.scratch.clear();
        self.scratch.reserve(room);
        match self.probe.compress_to_buffer(raw, &mut self.scratch) {
            Ok(n) if n < raw.len() => {}
            Ok(_) => return Ok(None),
            Err(_) if room > 0 => return Ok(None),
            Err(e) => return Err(e),
        }
        let mut out = Vec::with_capacity(room);
        match &mut self.kind {
            Kind::Zstd(c) => match c.compress_to_buffer(raw, &mut out) {
                Ok(n) if n < raw.len() => Ok(Some(out)),
                Ok(_) => Ok(None),
                // "Destination buffer is too small": incompressible.
                Err(_) if room > 0 => Ok(None),
                Err(e) => Err(e),
            },
            Kind::Zlib(c) => {
                c.reset();
                match c.compress_vec(raw, &mut out, flate2::FlushCompress::Finish) {
                    Ok(flate2::Status::StreamEnd) if out.len() < raw.len() => Ok(Some(out)),
                    Ok(_) => Ok(None),
                    Err(e) => Err(io::Error::other(e)),
                }
            }
        }
    }
}

/// What became of one block.
pub(super) enum Packed {
    /// All zeros: stored as a hole (size 0), no bytes written.
    Sparse,
    /// Stored uncompressed.
    Raw(Vec<u8>),
    /// Stored compressed.
    Compressed(Vec<u8>),
}

/// A block to pack.
struct Job {
    data: Vec<u8>,
    /// Whether an all-zero block may become a hole (file blocks, not fragments).
    may_be_sparse: bool,
}

/// Compresses blocks on a pool of workers, each with its own [`Codec`], and
/// hands results back in submission order, whatever order the workers finish
/// in, each with the tag it was submitted with.
pub(super) struct Pipeline<T> {
    pool: OrderedPool<Job, io::Result<Packed>>,
    /// Tags of the blocks in the pool, oldest first.
    tags: VecDeque<T>,
}

impl<T> Pipeline<T> {
    /// Runs `body` with a pipeline of `threads` workers (one: on this thread);
    /// the workers are joined before returning (also on error).
    pub(super) fn run<R>(
        compression: Compression,
        threads: usize,
        body: impl FnOnce(&mut Pipeline<T>) -> io::Result<R>,
    ) -> io::Result<R> {
        let threads = threads.max(1);
        let codecs = (0..threads)
            .map(|_| Codec::new(compression))
            .collect::<io::Result<Vec<_>>>()?;
        let mut pipeline = Pipeline {
            pool: OrderedPool::new(codecs, threads * 3 + 2, pack),
            tags: VecDeque::new(),
        };
        body(&mut pipeline)
    }

    /// Queues `data` for compression, tagged `tag`. Hands the oldest result to
    /// `done` first when that many blocks are already in flight.
    pub(super) fn submit(
        &mut self,
        tag: T,
        data: Vec<u8>,
        may_be_sparse: bool,
        done: &mut impl FnMut(T, Packed) -> io::Result<()>,
    ) -> io::Result<()> {
        let oldest = self.pool.submit(Job {
            data,
            may_be_sparse,
        });
        if let Some(packed) = oldest {
            self.hand_over(packed, done)?;
        }
        self.tags.push_back(tag);
        Ok(())
    }

    /// Waits for every queued block, handing each to `done` in order.
    pub(super) fn drain(
        &mut self,
        done: &mut impl FnMut(T, Packed) -> io::Result<()>,
    ) -> io::Result<()> {
        while let Some(packed) = self.pool.take() {
            self.hand_over(packed, done)?;
        }
        Ok(())
    }

    fn hand_over(
        &mut self,
        packed: io::Result<Packed>,
        done: &mut impl FnMut(T, Packed) -> io::Result<()>,
    ) -> io::Result<()> {
        let tag = self
            .tags
            .pop_front()
            .ok_or_else(|| io::Error::other("a compressed block has no tag"))?;
        done(tag, packed?)
    }
}

/// Whether `data` holds only zero bytes (compared a MiB at a time with `memcmp`).
fn is_zero(data: &[u8]) -> bool {
    static ZEROS: [u8; 1 << 20] = [0; 1 << 20];
    data.chunks(ZEROS.len()).all(|c| c == &ZEROS[..c.len()])
}

/// What a worker does with one block.
fn pack(codec: &mut Codec, job: Job) -> io::Result<Packed> {
    if job.may_be_sparse && is_zero(&job.data) {
        return Ok(Packed::Sparse);
    }
    Ok(match codec.compress(&job.data)? {
        Some(packed) => Packed::Compressed(packed),
        None => Packed::Raw(job.data),
    })
}
