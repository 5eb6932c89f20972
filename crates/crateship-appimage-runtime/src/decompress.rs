//! Pure-Rust decompression of squashfs blocks: gzip (zlib streams, `flate2` on
//! zlib-rs) and zstd (`ruzstd`), plugged into backhand as its compression
//! backend and used directly by the FUSE block reader.

use std::io::{self, Read};

use backhand::compression::{CompressionAction, Compressor};
use backhand::{BackhandError, FilesystemCompressor, SuperBlock};

/// The squashfs compressions this runtime reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// zlib (squashfs "gzip").
    Gzip,
    /// Zstandard.
    Zstd,
}

impl Codec {
    /// The codec for a superblock compressor id, if supported.
    pub fn from_id(id: backhand::traits::types::Compressor) -> Option<Codec> {
        match id {
            backhand::traits::types::Compressor::Gzip => Some(Codec::Gzip),
            backhand::traits::types::Compressor::Zstd => Some(Codec::Zstd),
            _ => None,
        }
    }
}

/// Appends the decompressed `bytes` to `out`.
pub fn decompress(codec: Codec, bytes: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
    match codec {
        Codec::Gzip => flate2::read::ZlibDecoder::new(bytes).read_to_end(out)?,
        Codec::Zstd => ruzstd::decoding::StreamingDecoder::new(bytes)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}")))?
            .read_to_end(out)?,
    };
    Ok(())
}

/// Decompresses one squashfs block of at most `max` bytes into `out` (cleared
/// first), reusing this thread's zstd decoder: the FUSE server calls this per
/// 128 KiB block, and a fresh decoder's buffers would cost a fresh mapping (and
/// its page faults) each time under musl's allocator.
pub fn decompress_block(
    codec: Codec,
    bytes: &[u8],
    out: &mut Vec<u8>,
    max: usize,
) -> io::Result<()> {
    thread_local! {
        static ZSTD: std::cell::RefCell<ruzstd::decoding::FrameDecoder> =
            std::cell::RefCell::new(ruzstd::decoding::FrameDecoder::new());
    }
    out.clear();
    match codec {
        Codec::Gzip => {
            out.reserve(max);
            flate2::read::ZlibDecoder::new(bytes)
                .take(max as u64 + 1)
                .read_to_end(out)?;
        }
        Codec::Zstd => {
            // One byte of spare room tells "exactly max" from "too large".
            out.reserve(max + 1);
            ZSTD.with_borrow_mut(|decoder| decoder.decode_all_to_vec(bytes, out))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}")))?;
        }
    }
    if out.len() > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a data block decompresses beyond the block size",
        ));
    }
    Ok(())
}

/// backhand's compression backend for reading (writing is not supported).
pub struct Backend;

/// The one instance backhand's `Kind` refers to.
pub static BACKEND: Backend = Backend;

impl CompressionAction for Backend {
    type Error = BackhandError;
    type Compressor = Compressor;
    type FilesystemCompressor = FilesystemCompressor;
    type SuperBlock = SuperBlock;

    fn decompress(
        &self,
        bytes: &[u8],
        out: &mut Vec<u8>,
        compressor: Compressor,
    ) -> Result<(), BackhandError> {
        let codec = match compressor {
            Compressor::Uncompressed => {
                out.extend_from_slice(bytes);
                return Ok(());
            }
            Compressor::Gzip => Codec::Gzip,
            Compressor::Zstd => Codec::Zstd,
            other => {
                return Err(BackhandError::UnsupportedCompression(format!(
                    "{other:?} (this runtime reads gzip and zstd squashfs)"
                )));
            }
        };
        decompress(codec, bytes, out).map_err(BackhandError::StdIo)
    }

    fn compress(
        &self,
        _bytes: &[u8],
        _fc: FilesystemCompressor,
        _block_size: u32,
    ) -> Result<Vec<u8>, BackhandError> {
        Err(BackhandError::UnsupportedCompression(
            "the runtime only reads".into(),
        ))
    }
}

/// Opens the squashfs at `offset` with this backend.
pub fn reader(
    reader: impl backhand::BufReadSeek + 'static,
    offset: u64,
) -> Result<backhand::FilesystemReader<'static>, BackhandError> {
    backhand::FilesystemReader::from_reader_with_offset_and_kind(
        reader,
        offset,
        backhand::kind::Kind::new_v4(&BACKEND),
    )
}
