//! `.zip` writer: Info-ZIP-compatible entries with Unix modes, compressed on every core.
//!
//! Small files are compressed whole, one per job, and stored uncompressed when
//! deflate would not make them smaller (as Info-ZIP does); large files are cut
//! into chunks compressed in parallel. Headers are patched in place once sizes
//! and CRCs are known, so the output must be seekable (an
//! [`AtomicFile`](crateship_support::AtomicFile) is). Zip64 records are written
//! only when a size, offset or count needs them.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use crate::deflate::{self, CHUNK_SIZE, DeflatePool, FINAL_BLOCK, Job};
use crate::{ArchiveError, ArchiveFile, ArchiveKind, ArchiveSpec, Item, mode};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const END_SIG: u32 = 0x0605_4b50;
const ZIP64_END_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
/// "Made by" Unix, spec version 3.0 (what Info-ZIP 3.0 writes).
const MADE_BY_UNIX: u16 = (3 << 8) | 30;
const FLAG_UTF8: u16 = 1 << 11;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;
/// Sizes above this use zip64 records (with margin for deflate expansion).
const ZIP64_LIMIT: u64 = 0xFFFF_0000;
/// Jobs in flight at most: small files compressed whole, or chunks of a large one.
const WINDOW: usize = 16;

struct CentralEntry {
    name: Vec<u8>,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    offset: u64,
    external_attrs: u32,
    version_needed: u16,
}

/// An entry waiting for its turn to be written, in archive order.
struct Queued {
    entry: CentralEntry,
    /// Whether a whole-file compression job for it is in the pool.
    has_job: bool,
}

/// The timestamp every entry carries.
#[derive(Clone, Copy)]
struct Stamp {
    /// MS-DOS date.
    date: u16,
    /// MS-DOS time.
    time: u16,
    /// Unix time for the extended-timestamp field.
    unix: u32,
}

/// Writes entries into one archive: whole-file jobs run ahead in the pool and are
/// written in order as they finish; large files stream chunk by chunk.
struct ZipWriter<W: Write + Seek> {
    out: W,
    pool: DeflatePool,
    queue: VecDeque<Queued>,
    central: Vec<CentralEntry>,
    stamp: Stamp,
}

/// Writes `spec` as a zip archive to `out` and returns `out`.
pub fn write<W: Write + Seek>(spec: &ArchiveSpec, out: W) -> Result<W, ArchiveError> {
    write_with_threads(spec, out, 0)
}

/// [`write`] on `threads` compression threads (0: one per core).
pub(crate) fn write_with_threads<W: Write + Seek>(
    spec: &ArchiveSpec,
    out: W,
    threads: usize,
) -> Result<W, ArchiveError> {
    let werr = ArchiveError::write(ArchiveKind::Zip);
    let (date, time) = crateship_support::date::dos_datetime(spec.mtime);
    let mut zw = ZipWriter {
        out,
        pool: deflate::pool(spec.level, threads, WINDOW),
        queue: VecDeque::new(),
        central: Vec::new(),
        stamp: Stamp {
            date,
            time,
            unix: spec.mtime.clamp(0, u32::MAX as i64) as u32,
        },
    };
    for item in spec.items()? {
        match item {
            Item::Dir(path) => {
                let name = format!("{path}/").into_bytes();
                let entry = new_entry(name, ((0o040000 | 0o755) << 16) | 0x10, 0, STORED);
                zw.queue.push_back(Queued {
                    entry,
                    has_job: false,
                });
            }
            Item::File(path, file) => {
                let read_err = ArchiveError::read(file);
                let mut src = File::open(&file.source).map_err(&read_err)?;
                let size = src.metadata().map_err(&read_err)?.len();
                let entry = new_entry(
                    path.into_bytes(),
                    (0o100000 | mode(file.executable)) << 16,
                    size,
                    DEFLATED,
                );
                if size <= CHUNK_SIZE as u64 {
                    let mut data = Vec::with_capacity(size as usize);
                    (&mut src)
                        .take(size + 1)
                        .read_to_end(&mut data)
                        .map_err(&read_err)?;
                    if data.len() as u64 != size {
                        return Err(changed(file));
                    }
                    zw.queue_small(entry, data).map_err(&werr)?;
                } else {
                    zw.drain(0).map_err(&werr)?;
                    zw.write_large(entry, &mut src, file)?;
                }
            }
        }
    }
    zw.drain(0).map_err(&werr)?;
    let ZipWriter {
        mut out,
        central,
        stamp,
        ..
    } = zw;
    write_central_directory(&mut out, &central, stamp).map_err(&werr)?;
    out.flush().map_err(&werr)?;
    Ok(out)
}

fn changed(file: &ArchiveFile) -> ArchiveError {
    ArchiveError::Changed {
        path: file.source.clone(),
    }
}

fn new_entry(name: Vec<u8>, external_attrs: u32, size: u64, method: u16) -> CentralEntry {
    CentralEntry {
        flags: utf8_flag(&name),
        name,
        method,
        crc: 0,
        compressed: 0,
        uncompressed: size,
        offset: 0,
        external_attrs,
        version_needed: if size >= ZIP64_LIMIT { 45 } else { 20 },
    }
}

impl<W: Write + Seek> ZipWriter<W> {
    /// Queues a file compressed whole by one job; stored if deflate does not help.
    fn queue_small(&mut self, mut entry: CentralEntry, data: Vec<u8>) -> io::Result<()> {
        entry.crc = crc32fast::hash(&data);
        // Entries without a job (directories) may sit before the oldest job:
        // write from the front until the pool has room.
        while self.pool.is_full() {
            self.drain(self.queue.len() - 1)?;
        }
        let none = self.pool.submit(Job::Whole(data));
        debug_assert!(none.is_none(), "the pool had room");
        self.queue.push_back(Queued {
            entry,
            has_job: true,
        });
        Ok(())
    }

    /// Writes queued entries until at most `keep` remain.
    fn drain(&mut self, keep: usize) -> io::Result<()> {
        while self.queue.len() > keep {
            let Some(Queued { mut entry, has_job }) = self.queue.pop_front() else {
                break;
            };
            let data = if has_job {
                let done = self.take()?;
                entry.method = if done.stored { STORED } else { DEFLATED };
                entry.compressed = done.data.len() as u64;
                done.data
            } else {
                Vec::new()
            };
            entry.offset = self.out.stream_position()?;
            write_local_header(&mut self.out, &entry, self.stamp, false)?;
            self.out.write_all(&data)?;
            self.central.push(entry);
        }
        Ok(())
    }

    /// Streams a large file in parallel chunks, then patches its header.
    fn write_large(
        &mut self,
        mut entry: CentralEntry,
        src: &mut File,
        file: &ArchiveFile,
    ) -> Result<(), ArchiveError> {
        let werr = ArchiveError::write(ArchiveKind::Zip);
        let zip64 = entry.uncompressed >= ZIP64_LIMIT;
        entry.offset = self.out.stream_position().map_err(&werr)?;
        write_local_header(&mut self.out, &entry, self.stamp, zip64).map_err(&werr)?;
        let mut crc = crc32fast::Hasher::new();
        let mut read = 0u64;
        let mut written = 0u64;
        let mut dict = Arc::new(Vec::new());
        loop {
            let mut data = Vec::with_capacity(CHUNK_SIZE);
            (&mut *src)
                .take(CHUNK_SIZE as u64)
                .read_to_end(&mut data)
                .map_err(ArchiveError::read(file))?;
            if data.is_empty() {
                break;
            }
            crc.update(&data);
            read += data.len() as u64;
            let prev = std::mem::replace(&mut dict, Arc::new(deflate::dictionary_tail(&data)));
            if let Some(oldest) = self.pool.submit(Job::Chunk { data, dict: prev }) {
                written += self.write_chunk(oldest).map_err(&werr)?;
            }
        }
        while let Some(done) = self.pool.take() {
            written += self.write_chunk(done).map_err(&werr)?;
        }
        if read != entry.uncompressed {
            return Err(changed(file));
        }
        self.out.write_all(&FINAL_BLOCK).map_err(&werr)?;
        entry.compressed = written + FINAL_BLOCK.len() as u64;
        entry.crc = crc.finalize();
        self.patch_local_header(&entry, zip64).map_err(&werr)?;
        self.central.push(entry);
        Ok(())
    }

    /// Rewrites the local header of `entry` (now that its sizes and CRC are
    /// known) and returns to the end of the output.
    fn patch_local_header(&mut self, entry: &CentralEntry, zip64: bool) -> io::Result<()> {
        let end = self.out.stream_position()?;
        self.out.seek(SeekFrom::Start(entry.offset))?;
        write_local_header(&mut self.out, entry, self.stamp, zip64)?;
        self.out.seek(SeekFrom::Start(end))?;
        Ok(())
    }

    /// The oldest result of the pool.
    fn take(&mut self) -> io::Result<deflate::Deflated> {
        self.pool
            .take()
            .unwrap_or_else(|| Err(io::Error::other("no compression job is pending")))
    }

    fn write_chunk(&mut self, done: io::Result<deflate::Deflated>) -> io::Result<u64> {
        let done = done?;
        self.out.write_all(&done.data)?;
        Ok(done.data.len() as u64)
    }
}

fn utf8_flag(name: &[u8]) -> u16 {
    if name.is_ascii() { 0 } else { FLAG_UTF8 }
}

/// Extended-timestamp extra field (0x5455) carrying the Unix mtime.
fn timestamp_extra(mtime: u32) -> Vec<u8> {
    let mut e = Vec::with_capacity(9);
    e.extend(0x5455u16.to_le_bytes());
    e.extend(5u16.to_le_bytes());
    e.push(1);
    e.extend(mtime.to_le_bytes());
    e
}

fn write_local_header<W: Write>(
    out: &mut W,
    e: &CentralEntry,
    stamp: Stamp,
    zip64: bool,
) -> io::Result<()> {
    let mut extra = Vec::new();
    if zip64 {
        extra.extend(1u16.to_le_bytes());
        extra.extend(16u16.to_le_bytes());
        extra.extend(e.uncompressed.to_le_bytes());
        extra.extend(e.compressed.to_le_bytes());
    }
    extra.extend(timestamp_extra(stamp.unix));
    let mut h = Vec::with_capacity(30 + e.name.len() + extra.len());
    h.extend(LOCAL_SIG.to_le_bytes());
    h.extend(e.version_needed.to_le_bytes());
    h.extend(e.flags.to_le_bytes());
    h.extend(e.method.to_le_bytes());
    h.extend(stamp.time.to_le_bytes());
    h.extend(stamp.date.to_le_bytes());
    h.extend(e.crc.to_le_bytes());
    let (c, u) = if zip64 {
        (u32::MAX, u32::MAX)
    } else {
        (e.compressed as u32, e.uncompressed as u32)
    };
    h.extend(c.to_le_bytes());
    h.extend(u.to_le_bytes());
    h.extend((e.name.len() as u16).to_le_bytes());
    h.extend((extra.len() as u16).to_le_bytes());
    h.extend(&e.name);
    h.extend(extra);
    out.write_all(&h)
}

fn write_central_directory<W: Write + Seek>(
    out: &mut W,
    entries: &[CentralEntry],
    stamp: Stamp,
) -> io::Result<()> {
    let start = out.stream_position()?;
    let mut needs_zip64 = entries.len() >= 0xFFFF || start >= ZIP64_LIMIT;
    for e in entries {
        let mut z64 = Vec::new();
        let uncompressed = if e.uncompressed >= ZIP64_LIMIT {
            z64.extend(e.uncompressed.to_le_bytes());
            u32::MAX
        } else {
            e.uncompressed as u32
        };
        let compressed = if e.uncompressed >= ZIP64_LIMIT || e.compressed >= ZIP64_LIMIT {
            z64.extend(e.compressed.to_le_bytes());
            u32::MAX
        } else {
            e.compressed as u32
        };
        let offset = if e.offset >= ZIP64_LIMIT {
            z64.extend(e.offset.to_le_bytes());
            u32::MAX
        } else {
            e.offset as u32
        };
        let mut extra = Vec::new();
        if !z64.is_empty() {
            needs_zip64 = true;
            extra.extend(1u16.to_le_bytes());
            extra.extend((z64.len() as u16).to_le_bytes());
            extra.extend(z64);
        }
        extra.extend(timestamp_extra(stamp.unix));
        let mut h = Vec::with_capacity(46 + e.name.len() + extra.len());
        h.extend(CENTRAL_SIG.to_le_bytes());
        h.extend(MADE_BY_UNIX.to_le_bytes());
        h.extend(e.version_needed.to_le_bytes());
        h.extend(e.flags.to_le_bytes());
        h.extend(e.method.to_le_bytes());
        h.extend(stamp.time.to_le_bytes());
        h.extend(stamp.date.to_le_bytes());
        h.extend(e.crc.to_le_bytes());
        h.extend(compressed.to_le_bytes());
        h.extend(uncompressed.to_le_bytes());
        h.extend((e.name.len() as u16).to_le_bytes());
        h.extend((extra.len() as u16).to_le_bytes());
        h.extend(0u16.to_le_bytes()); // comment length
        h.extend(0u16.to_le_bytes()); // disk number
        h.extend(0u16.to_le_bytes()); // internal attributes
        h.extend(e.external_attrs.to_le_bytes());
        h.extend(offset.to_le_bytes());
        h.extend(&e.name);
        h.extend(extra);
        out.write_all(&h)?;
    }
    let end = out.stream_position()?;
    let cd_size = end - start;
    let count = entries.len() as u64;
    if needs_zip64 || cd_size >= ZIP64_LIMIT {
        let mut r = Vec::new();
        r.extend(ZIP64_END_SIG.to_le_bytes());
        r.extend(44u64.to_le_bytes());
        r.extend(MADE_BY_UNIX.to_le_bytes());
        r.extend(45u16.to_le_bytes());
        r.extend(0u32.to_le_bytes());
        r.extend(0u32.to_le_bytes());
        r.extend(count.to_le_bytes());
        r.extend(count.to_le_bytes());
        r.extend(cd_size.to_le_bytes());
        r.extend(start.to_le_bytes());
        r.extend(ZIP64_LOCATOR_SIG.to_le_bytes());
        r.extend(0u32.to_le_bytes());
        r.extend(end.to_le_bytes());
        r.extend(1u32.to_le_bytes());
        out.write_all(&r)?;
    }
    let mut r = Vec::new();
    r.extend(END_SIG.to_le_bytes());
    r.extend(0u16.to_le_bytes());
    r.extend(0u16.to_le_bytes());
    let short_count = count.min(0xFFFF) as u16;
    r.extend(short_count.to_le_bytes());
    r.extend(short_count.to_le_bytes());
    r.extend((cd_size.min(u32::MAX as u64) as u32).to_le_bytes());
    r.extend((start.min(u32::MAX as u64) as u32).to_le_bytes());
    r.extend(0u16.to_le_bytes());
    out.write_all(&r)
}
