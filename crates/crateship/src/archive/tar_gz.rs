//! `.tar.gz` writer: a GNU tar stream fed through a parallel gzip encoder.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Arc;

use super::deflate::{self, CHUNK_SIZE, FINAL_BLOCK, OrderedPool};
use super::{ArchiveSpec, Item, mode};
use crate::error::{Error, Result};

/// Writes `spec` as a gzip-compressed tar archive to `out`.
pub fn write<W: Write>(spec: &ArchiveSpec, out: W) -> Result<W> {
    let gz = GzipWriter::new(out, spec.level);
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    let io_err = |path: &str, e: io::Error| Error::io("cannot add to archive", path, e);
    for item in spec.items() {
        let mut header = tar::Header::new_gnu();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(spec.mtime.max(0) as u64);
        header.set_username("root").map_err(|e| io_err("root", e))?;
        header
            .set_groupname("root")
            .map_err(|e| io_err("root", e))?;
        match item {
            Item::Dir(path) => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                tar.append_data(&mut header, format!("{path}/"), io::empty())
                    .map_err(|e| io_err(&path, e))?;
            }
            Item::File(path, file) => {
                let src = File::open(&file.source)
                    .map_err(|e| Error::io("cannot read", &file.source, e))?;
                let len = src
                    .metadata()
                    .map_err(|e| Error::io("cannot read", &file.source, e))?
                    .len();
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(mode(file.executable));
                header.set_size(len);
                let reader = ExactReader {
                    inner: src,
                    remaining: len,
                    path: &file.source,
                };
                tar.append_data(&mut header, &path, reader)
                    .map_err(|e| Error::io("cannot archive", &file.source, e))?;
            }
        }
    }
    let gz = tar
        .into_inner()
        .map_err(|e| Error::io("cannot finish archive", "tar", e))?;
    gz.finish()
        .map_err(|e| Error::io("cannot finish archive", "gzip", e))
}

/// Reads exactly the length recorded in the header; a file that changes size
/// while being archived is an error instead of a corrupt archive.
struct ExactReader<'a> {
    inner: File,
    remaining: u64,
    path: &'a std::path::Path,
}

impl io::Read for ExactReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(self.remaining.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{} shrank while being archived", self.path.display()),
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// A gzip encoder that compresses chunks on every core (pigz-style).
pub struct GzipWriter<W: Write> {
    inner: W,
    level: u32,
    buf: Vec<u8>,
    dict: Arc<Vec<u8>>,
    crc: crc32fast::Hasher,
    len: u64,
    pool: OrderedPool<io::Result<Vec<u8>>>,
    header_written: bool,
}

impl<W: Write> GzipWriter<W> {
    /// A gzip stream at deflate `level` into `inner`.
    pub fn new(inner: W, level: u32) -> GzipWriter<W> {
        GzipWriter {
            inner,
            level,
            buf: Vec::with_capacity(CHUNK_SIZE),
            dict: Arc::new(Vec::new()),
            crc: crc32fast::Hasher::new(),
            len: 0,
            pool: OrderedPool::new(8),
            header_written: false,
        }
    }

    fn write_header(&mut self) -> io::Result<()> {
        if !self.header_written {
            // Magic, deflate, no flags, mtime 0, no extra flags, OS = Unix.
            self.inner
                .write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])?;
            self.header_written = true;
        }
        Ok(())
    }

    fn submit_chunk(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.write_header()?;
        while self.pool.is_full() {
            self.drain_one()?;
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_SIZE));
        self.crc.update(&chunk);
        self.len += chunk.len() as u64;
        let next_dict = Arc::new(deflate::dictionary_tail(&chunk));
        let dict = std::mem::replace(&mut self.dict, next_dict);
        let level = self.level;
        self.pool
            .submit(move || deflate::deflate_chunk(&chunk, &dict, level, false));
        Ok(())
    }

    fn drain_one(&mut self) -> io::Result<()> {
        if let Some(result) = self.pool.take() {
            self.inner.write_all(&result?)?;
        }
        Ok(())
    }

    /// Compresses what is left, writes the trailer and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.submit_chunk()?;
        self.write_header()?;
        while self.pool.has_pending() {
            self.drain_one()?;
        }
        self.inner.write_all(&FINAL_BLOCK)?;
        let crc = self.crc.clone().finalize();
        self.inner.write_all(&crc.to_le_bytes())?;
        self.inner.write_all(&(self.len as u32).to_le_bytes())?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for GzipWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK_SIZE - self.buf.len();
        let n = room.min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK_SIZE {
            self.submit_chunk()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn gzip_round_trips_through_a_standard_decoder() {
        let input: Vec<u8> = (0..1_000_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 % 17)
            .collect();
        let mut gz = GzipWriter::new(Vec::new(), 6);
        gz.write_all(&input).unwrap();
        let bytes = gz.finish().unwrap();
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, input);
    }

    #[test]
    fn empty_input_is_a_valid_gzip() {
        let bytes = GzipWriter::new(Vec::new(), 6).finish().unwrap();
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut back)
            .unwrap();
        assert!(back.is_empty());
    }
}
