//! `.zip` writer: Info-ZIP-compatible entries with Unix modes, compressed on every core.
//!
//! Small files are compressed whole, one per job, and stored uncompressed when
//! deflate would not make them smaller (as Info-ZIP does); large files are cut
//! into chunks compressed in parallel. Headers are patched in place once sizes
//! and CRCs are known, so the output must be seekable (an [`AtomicFile`] is).
//! Zip64 records are written only when a size, offset or count needs them.
//!
//! [`AtomicFile`]: crateship_support::AtomicFile

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use super::deflate::{self, CHUNK_SIZE, FINAL_BLOCK, OrderedPool};
use super::{ArchiveSpec, Item, mode};
use crate::error::{Error, Result};

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

/// A finished job: the bytes of one chunk, and for whole-file jobs the method.
struct Compressed {
    data: Vec<u8>,
    method: u16,
}

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

/// Writes entries into one archive: whole-file jobs run ahead in the pool and are
/// written in order as they finish; large files stream chunk by chunk.
struct ZipWriter<W: Write + Seek> {
    out: W,
    pool: OrderedPool<io::Result<Compressed>>,
    queue: std::collections::VecDeque<Queued>,
    central: Vec<CentralEntry>,
    level: u32,
    dos: (u16, u16),
    mtime: u32,
}

/// Writes `spec` as a zip archive to `out`.
pub fn write<W: Write + Seek>(spec: &ArchiveSpec, out: W) -> Result<W> {
    let mut zw = ZipWriter {
        out,
        pool: OrderedPool::new(16),
        queue: Default::default(),
        central: Vec::new(),
        level: spec.level,
        dos: dos_datetime(spec.mtime),
        mtime: spec.mtime.clamp(0, u32::MAX as i64) as u32,
    };
    let out_err = |e: io::Error| Error::io("cannot write", "zip archive", e);
    for item in spec.items() {
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
                let read_err = |e: io::Error| Error::io("cannot read", &file.source, e);
                let mut src = File::open(&file.source).map_err(read_err)?;
                let size = src.metadata().map_err(read_err)?.len();
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
                        .map_err(read_err)?;
                    if data.len() as u64 != size {
                        return Err(changed(&file.source));
                    }
                    zw.queue_small(entry, data).map_err(out_err)?;
                } else {
                    zw.drain(0).map_err(out_err)?;
                    let read = zw
                        .write_large(entry, &mut src)
                        .map_err(|e| Error::io("cannot archive", &file.source, e))?;
                    if read != size {
                        return Err(changed(&file.source));
                    }
                }
            }
        }
    }
    zw.drain(0).map_err(out_err)?;
    let ZipWriter {
        mut out,
        central,
        dos,
        mtime,
        ..
    } = zw;
    write_central_directory(&mut out, &central, dos.0, dos.1, mtime).map_err(out_err)?;
    out.flush().map_err(out_err)?;
    Ok(out)
}

fn changed(path: &std::path::Path) -> Error {
    Error::io(
        "cannot archive",
        path,
        io::Error::other("the file changed size while being archived"),
    )
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
        while self.pool.is_full() {
            self.drain(self.queue.len() - 1)?;
        }
        let level = self.level;
        self.pool.submit(move || {
            let packed = deflate::deflate_chunk(&data, &[], level, true)?;
            Ok(if packed.len() < data.len() {
                Compressed {
                    data: packed,
                    method: DEFLATED,
                }
            } else {
                Compressed {
                    data,
                    method: STORED,
                }
            })
        });
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
                let c = self
                    .pool
                    .take()
                    .unwrap_or_else(|| Err(io::Error::other("compression worker stopped")))?;
                entry.method = c.method;
                entry.compressed = c.data.len() as u64;
                c.data
            } else {
                Vec::new()
            };
            entry.offset = self.out.stream_position()?;
            write_local_header(
                &mut self.out,
                &entry,
                self.dos.0,
                self.dos.1,
                self.mtime,
                false,
            )?;
            self.out.write_all(&data)?;
            self.central.push(entry);
        }
        Ok(())
    }

    /// Streams a large file in parallel chunks, then patches its header.
    /// Returns the number of bytes read.
    fn write_large(&mut self, mut entry: CentralEntry, src: &mut File) -> io::Result<u64> {
        let zip64 = entry.uncompressed >= ZIP64_LIMIT;
        entry.offset = self.out.stream_position()?;
        write_local_header(
            &mut self.out,
            &entry,
            self.dos.0,
            self.dos.1,
            self.mtime,
            zip64,
        )?;
        let mut crc = crc32fast::Hasher::new();
        let mut read = 0u64;
        let mut written = 0u64;
        let mut dict = Arc::new(Vec::new());
        loop {
            let mut chunk = Vec::with_capacity(CHUNK_SIZE);
            (&mut *src)
                .take(CHUNK_SIZE as u64)
                .read_to_end(&mut chunk)?;
            if chunk.is_empty() {
                break;
            }
            crc.update(&chunk);
            read += chunk.len() as u64;
            while self.pool.is_full() {
                written += self.take_chunk()?;
            }
            let prev = std::mem::replace(&mut dict, Arc::new(deflate::dictionary_tail(&chunk)));
            let level = self.level;
            self.pool.submit(move || {
                Ok(Compressed {
                    data: deflate::deflate_chunk(&chunk, &prev, level, false)?,
                    method: DEFLATED,
                })
            });
        }
        while self.pool.has_pending() {
            written += self.take_chunk()?;
        }
        self.out.write_all(&FINAL_BLOCK)?;
        entry.compressed = written + FINAL_BLOCK.len() as u64;
        entry.crc = crc.finalize();
        let end = self.out.stream_position()?;
        self.out.seek(SeekFrom::Start(entry.offset))?;
        write_local_header(
            &mut self.out,
            &entry,
            self.dos.0,
            self.dos.1,
            self.mtime,
            zip64,
        )?;
        self.out.seek(SeekFrom::Start(end))?;
        self.central.push(entry);
        Ok(read)
    }

    fn take_chunk(&mut self) -> io::Result<u64> {
        let c = self
            .pool
            .take()
            .unwrap_or_else(|| Err(io::Error::other("compression worker stopped")))?;
        self.out.write_all(&c.data)?;
        Ok(c.data.len() as u64)
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
    time: u16,
    date: u16,
    mtime: u32,
    zip64: bool,
) -> io::Result<()> {
    let mut extra = Vec::new();
    if zip64 {
        extra.extend(1u16.to_le_bytes());
        extra.extend(16u16.to_le_bytes());
        extra.extend(e.uncompressed.to_le_bytes());
        extra.extend(e.compressed.to_le_bytes());
    }
    extra.extend(timestamp_extra(mtime));
    let mut h = Vec::with_capacity(30 + e.name.len() + extra.len());
    h.extend(LOCAL_SIG.to_le_bytes());
    h.extend(e.version_needed.to_le_bytes());
    h.extend(e.flags.to_le_bytes());
    h.extend(e.method.to_le_bytes());
    h.extend(time.to_le_bytes());
    h.extend(date.to_le_bytes());
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
    time: u16,
    date: u16,
    mtime: u32,
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
        extra.extend(timestamp_extra(mtime));
        let mut h = Vec::with_capacity(46 + e.name.len() + extra.len());
        h.extend(CENTRAL_SIG.to_le_bytes());
        h.extend(MADE_BY_UNIX.to_le_bytes());
        h.extend(e.version_needed.to_le_bytes());
        h.extend(e.flags.to_le_bytes());
        h.extend(e.method.to_le_bytes());
        h.extend(time.to_le_bytes());
        h.extend(date.to_le_bytes());
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

/// MS-DOS (time, date) of a Unix timestamp, in UTC; clamped to 1980..=2107.
fn dos_datetime(secs: i64) -> (u16, u16) {
    let t =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let year = t.year().clamp(1980, 2107) as u16;
    let date = ((year - 1980) << 9) | ((t.month() as u16) << 5) | t.day() as u16;
    let time = ((t.hour() as u16) << 11) | ((t.minute() as u16) << 5) | (t.second() as u16 / 2);
    (time, date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_time_of_a_known_instant() {
        // 2023-11-14T22:13:20Z
        let (time, date) = dos_datetime(1_700_000_000);
        assert_eq!(date, ((2023 - 1980) << 9) | (11 << 5) | 14);
        assert_eq!(time, (22 << 11) | (13 << 5) | 10);
    }
}
