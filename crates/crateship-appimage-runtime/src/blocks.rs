//! Decompressed squashfs blocks for the FUSE server: a small LRU cache shared with
//! read-ahead threads, so a file read in order finds its next blocks already
//! decompressed, on another core, while the current one is being copied out.
//!
//! Architecture Invariant: a block is decompressed at most once while it is cached
//! or being loaded — a reader that asks for a block a read-ahead thread is still
//! decompressing waits for it instead of decompressing it again.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

use crate::decompress::{Codec, decompress_block};

/// Decompressed blocks kept (32 × 128 KiB = 4 MiB).
const CACHE_BLOCKS: usize = 32;
/// Block buffers kept for reuse once evicted from the cache.
const SPARE_BUFFERS: usize = 8;
/// Read-ahead threads (fewer on a single core).
const READ_AHEAD_THREADS: usize = 2;

/// Cache key: (inode, block index), or (`u64::MAX`, fragment index).
pub type BlockKey = (u64, u64);

/// Where a block's bytes are in the image.
#[derive(Debug, Clone, Copy)]
pub struct BlockLocation {
    /// Offset inside the squashfs.
    pub start: u64,
    /// Stored size; 0 for a hole (all zeros, nothing stored).
    pub size: u32,
    /// Stored without compression.
    pub uncompressed: bool,
    /// Decompressed size.
    pub expect: usize,
}

enum Slot {
    /// A thread is decompressing it; wait on [`BlockSource::loaded`].
    Loading,
    Ready(Arc<Vec<u8>>),
}

#[derive(Default)]
struct Cache {
    slots: HashMap<BlockKey, Slot>,
    /// Ready keys, most recently used first.
    recent: VecDeque<BlockKey>,
}

/// Reads, decompresses and caches the blocks of one squashfs image.
pub struct BlockSource {
    image: File,
    offset: u64,
    codec: Option<Codec>,
    block_size: u64,
    cache: Mutex<Cache>,
    loaded: Condvar,
    /// Evicted block buffers: reused, because under musl every fresh 128 KiB
    /// buffer is a new mapping whose pages fault in one by one.
    spare: Mutex<Vec<Vec<u8>>>,
    read_ahead: OnceLock<Mutex<Sender<(BlockKey, BlockLocation)>>>,
}

impl BlockSource {
    /// Blocks of the squashfs at `offset` in `image`, decompressed with `codec`
    /// (`None`: the image stores everything uncompressed).
    pub fn new(image: File, offset: u64, codec: Option<Codec>, block_size: u64) -> Arc<Self> {
        Arc::new(BlockSource {
            image,
            offset,
            codec,
            block_size,
            cache: Mutex::new(Cache::default()),
            loaded: Condvar::new(),
            spare: Mutex::new(Vec::new()),
            read_ahead: OnceLock::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether block `key` is decompressed and cached.
    pub fn is_cached(&self, key: BlockKey) -> bool {
        matches!(self.lock().slots.get(&key), Some(Slot::Ready(_)))
    }

    /// Block `key`, from the cache, from a read-ahead thread, or decompressed now.
    pub fn get(&self, key: BlockKey, at: BlockLocation) -> io::Result<Arc<Vec<u8>>> {
        let mut cache = self.lock();
        loop {
            match cache.slots.get(&key) {
                Some(Slot::Ready(data)) => {
                    let data = Arc::clone(data);
                    if let Some(pos) = cache.recent.iter().position(|k| *k == key) {
                        cache.recent.remove(pos);
                    }
                    cache.recent.push_front(key);
                    return Ok(data);
                }
                Some(Slot::Loading) => {
                    cache = self.loaded.wait(cache).unwrap_or_else(|e| e.into_inner());
                }
                None => break,
            }
        }
        cache.slots.insert(key, Slot::Loading);
        drop(cache);
        let result = self.load(at).map(Arc::new);
        self.finish(key, result.as_ref().ok().cloned());
        result
    }

    /// Starts decompressing block `key` on a read-ahead thread unless it is
    /// cached or already being loaded.
    pub fn read_ahead(self: &Arc<Self>, key: BlockKey, at: BlockLocation) {
        {
            let mut cache = self.lock();
            if cache.slots.contains_key(&key) {
                return;
            }
            cache.slots.insert(key, Slot::Loading);
        }
        let sender = self
            .read_ahead
            .get_or_init(|| Mutex::new(self.start_threads()));
        let sent = sender
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send((key, at));
        if sent.is_err() {
            self.finish(key, None);
        }
    }

    fn start_threads(self: &Arc<Self>) -> Sender<(BlockKey, BlockLocation)> {
        let (tx, rx) = channel::<(BlockKey, BlockLocation)>();
        let rx = Arc::new(Mutex::new(rx));
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(READ_AHEAD_THREADS);
        for _ in 0..threads {
            // The threads hold the source weakly, so they end with the mount.
            let source = Arc::downgrade(self);
            let rx = Arc::clone(&rx);
            std::thread::spawn(move || {
                loop {
                    let job = rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((key, at))) = job else { return };
                    let Some(source) = source.upgrade() else {
                        return;
                    };
                    // A failed read-ahead is forgotten: the reader retries and reports it.
                    let data = source.load(at).map(Arc::new).ok();
                    source.finish(key, data);
                }
            });
        }
        tx
    }

    /// Records the outcome of a load and wakes every waiting reader.
    fn finish(&self, key: BlockKey, data: Option<Arc<Vec<u8>>>) {
        let mut cache = self.lock();
        let mut evicted = Vec::new();
        match data {
            Some(data) => {
                cache.slots.insert(key, Slot::Ready(data));
                cache.recent.push_front(key);
                while cache.recent.len() > CACHE_BLOCKS {
                    if let Some(Slot::Ready(old)) = cache
                        .recent
                        .pop_back()
                        .and_then(|old| cache.slots.remove(&old))
                    {
                        evicted.push(old);
                    }
                }
            }
            None => {
                cache.slots.remove(&key);
            }
        }
        drop(cache);
        self.loaded.notify_all();
        // A buffer still shared with a reader is simply dropped by it later.
        let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
        for buf in evicted.into_iter().filter_map(|a| Arc::try_unwrap(a).ok()) {
            if spare.len() < SPARE_BUFFERS {
                spare.push(buf);
            }
        }
    }

    /// Reads a block and decompresses it (unless stored uncompressed or a hole).
    fn load(&self, at: BlockLocation) -> io::Result<Vec<u8>> {
        thread_local! {
            static RAW: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let mut out = self
            .spare
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        out.clear();
        if at.size == 0 {
            out.resize(at.expect, 0);
            return Ok(out);
        }
        let Some(codec) = self.codec.filter(|_| !at.uncompressed) else {
            out.resize(at.size as usize, 0);
            self.image.read_exact_at(&mut out, self.offset + at.start)?;
            return Ok(out);
        };
        RAW.with_borrow_mut(|raw| {
            raw.resize(at.size as usize, 0);
            self.image.read_exact_at(raw, self.offset + at.start)?;
            decompress_block(codec, raw, &mut out, self.block_size as usize)
        })?;
        Ok(out)
    }
}
