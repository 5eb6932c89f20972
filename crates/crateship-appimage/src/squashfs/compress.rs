//! Block compression for the squashfs writer: one codec per worker thread, and
//! an order-preserving pipeline that compresses data blocks on a small pool
//! while the caller keeps reading files.

use std::collections::VecDeque;
use std::io;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

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

struct Job {
    data: Vec<u8>,
    /// Whether an all-zero block may become a hole (file blocks, not fragments).
    may_be_sparse: bool,
    reply: SyncSender<io::Result<Packed>>,
}

/// Compresses blocks on `threads` workers and hands results back in
/// submission order, whatever order the workers finish in.
pub(super) struct Pipeline<T> {
    jobs: Option<SyncSender<Job>>,
    pending: VecDeque<(T, Receiver<io::Result<Packed>>)>,
    max_pending: usize,
}

impl<T> Pipeline<T> {
    /// Runs `body` with a pipeline of `threads` workers; joins them before
    /// returning (also on error).
    pub(super) fn run<R>(
        compression: Compression,
        threads: usize,
        body: impl FnOnce(&mut Pipeline<T>) -> io::Result<R>,
    ) -> io::Result<R> {
        let threads = threads.max(1);
        let mut codecs = (0..threads)
            .map(|_| Codec::new(compression))
            .collect::<io::Result<Vec<_>>>()?;
        let (tx, rx) = sync_channel::<Job>(threads * 2);
        let rx = Mutex::new(rx);
        std::thread::scope(|scope| {
            for codec in &mut codecs {
                let rx = &rx;
                scope.spawn(move || worker(codec, rx));
            }
            let mut pipeline = Pipeline {
                jobs: Some(tx),
                pending: VecDeque::new(),
                max_pending: threads * 3 + 2,
            };
            let result = body(&mut pipeline);
            // Closing the queue stops the workers; the scope joins them.
            pipeline.jobs = None;
            pipeline.pending.clear();
            result
        })
    }

    /// Queues `data` for compression, tagged `tag`. Returns the results that
    /// had to be collected to keep the number of blocks in flight bounded.
    pub(super) fn submit(
        &mut self,
        tag: T,
        data: Vec<u8>,
        may_be_sparse: bool,
        done: &mut impl FnMut(T, Packed) -> io::Result<()>,
    ) -> io::Result<()> {
        while self.pending.len() >= self.max_pending {
            self.collect_one(done)?;
        }
        let (reply, result) = sync_channel(1);
        let jobs = self.jobs.as_ref().expect("pipeline is open");
        jobs.send(Job {
            data,
            may_be_sparse,
            reply,
        })
        .map_err(|_| io::Error::other("a compression thread stopped unexpectedly"))?;
        self.pending.push_back((tag, result));
        Ok(())
    }

    /// Waits for every queued block, handing each to `done` in order.
    pub(super) fn drain(
        &mut self,
        done: &mut impl FnMut(T, Packed) -> io::Result<()>,
    ) -> io::Result<()> {
        while !self.pending.is_empty() {
            self.collect_one(done)?;
        }
        Ok(())
    }

    fn collect_one(
        &mut self,
        done: &mut impl FnMut(T, Packed) -> io::Result<()>,
    ) -> io::Result<()> {
        let (tag, result) = self.pending.pop_front().expect("a pending block");
        let packed = result
            .recv()
            .map_err(|_| io::Error::other("a compression thread stopped unexpectedly"))??;
        done(tag, packed)
    }
}

/// Whether `data` holds only zero bytes (compared a MiB at a time with `memcmp`).
fn is_zero(data: &[u8]) -> bool {
    static ZEROS: [u8; 1 << 20] = [0; 1 << 20];
    data.chunks(ZEROS.len()).all(|c| c == &ZEROS[..c.len()])
}

fn worker(codec: &mut Codec, jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let Ok(queue) = jobs.lock() else { return };
            match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let result = if job.may_be_sparse && is_zero(&job.data) {
            Ok(Packed::Sparse)
        } else {
            match codec.compress(&job.data) {
                Ok(Some(packed)) => Ok(Packed::Compressed(packed)),
                Ok(None) => Ok(Packed::Raw(job.data)),
                Err(e) => Err(e),
            }
        };
        // The receiver is gone only when the writer gave up: nothing to report.
        let _ = job.reply.send(result);
    }
}
