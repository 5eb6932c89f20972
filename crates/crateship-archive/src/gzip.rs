//! A gzip encoder that compresses on every core (pigz-style): one standard gzip
//! member, readable by any gunzip, the same bytes for any thread count.

use std::io::{self, Write};
use std::sync::Arc;

use crate::deflate::{self, CHUNK_SIZE, DeflatePool, FINAL_BLOCK, Job};

/// Chunks in flight at most (each [`CHUNK_SIZE`] bytes, plus its output).
const WINDOW: usize = 8;

/// A gzip stream into `W`, compressed in parallel chunks.
pub struct GzipWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
    dict: Arc<Vec<u8>>,
    crc: crc32fast::Hasher,
    len: u64,
    pool: DeflatePool,
    header_written: bool,
}

impl<W: Write> GzipWriter<W> {
    /// A gzip stream at deflate `level` (0–9) into `inner`, on every core.
    pub fn new(inner: W, level: u32) -> GzipWriter<W> {
        GzipWriter::with_threads(inner, level, 0)
    }

    /// A gzip stream at deflate `level` into `inner` on `threads` threads (0:
    /// one per core); the bytes do not depend on `threads`.
    pub fn with_threads(inner: W, level: u32, threads: usize) -> GzipWriter<W> {
        GzipWriter {
            inner,
            buf: Vec::with_capacity(CHUNK_SIZE),
            dict: Arc::new(Vec::new()),
            crc: crc32fast::Hasher::new(),
            len: 0,
            pool: deflate::pool(level, threads, WINDOW),
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
        let data = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_SIZE));
        self.crc.update(&data);
        self.len += data.len() as u64;
        let next_dict = Arc::new(deflate::dictionary_tail(&data));
        let dict = std::mem::replace(&mut self.dict, next_dict);
        if let Some(oldest) = self.pool.submit(Job::Chunk { data, dict }) {
            self.inner.write_all(&oldest?.data)?;
        }
        Ok(())
    }

    /// Compresses what is left, writes the trailer and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.submit_chunk()?;
        self.write_header()?;
        while let Some(done) = self.pool.take() {
            self.inner.write_all(&done?.data)?;
        }
        self.inner.write_all(&FINAL_BLOCK)?;
        let crc = self.crc.clone().finalize();
        self.inner.write_all(&crc.to_le_bytes())?;
        // ISIZE: the length modulo 2^32, as RFC 1952 defines it.
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

    fn gzip(input: &[u8], threads: usize) -> Vec<u8> {
        let mut gz = GzipWriter::with_threads(Vec::new(), 6, threads);
        gz.write_all(input).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn gzip_round_trips_through_a_standard_decoder() {
        let input: Vec<u8> = (0..1_000_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 % 17)
            .collect();
        let bytes = gzip(&input, 0);
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

    #[test]
    fn bytes_do_not_depend_on_the_thread_count() {
        let input: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 11) as u8 % 23)
            .collect();
        let one = gzip(&input, 1);
        for threads in [2, 3, 5] {
            assert!(gzip(&input, threads) == one, "{threads} threads differ");
        }
    }
}
