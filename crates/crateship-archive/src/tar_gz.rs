//! `.tar.gz` writer: a GNU tar stream (root/root, the given mtime, 0755/0644)
//! fed through the parallel gzip encoder.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use crate::gzip::GzipWriter;
use crate::{ArchiveError, ArchiveKind, ArchiveSpec, Item, mode};

/// Writes `spec` as a gzip-compressed tar archive to `out` and returns `out`.
pub fn write<W: Write>(spec: &ArchiveSpec, out: W) -> Result<W, ArchiveError> {
    write_with_threads(spec, out, 0)
}

/// [`write`] on `threads` compression threads (0: one per core).
pub(crate) fn write_with_threads<W: Write>(
    spec: &ArchiveSpec,
    out: W,
    threads: usize,
) -> Result<W, ArchiveError> {
    let werr = ArchiveError::write(ArchiveKind::TarGz);
    let gz = GzipWriter::with_threads(out, spec.level, threads);
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for item in spec.items()? {
        let mut header = tar::Header::new_gnu();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(spec.mtime.max(0) as u64);
        header.set_username("root").map_err(&werr)?;
        header.set_groupname("root").map_err(&werr)?;
        match item {
            Item::Dir(path) => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                tar.append_data(&mut header, format!("{path}/"), io::empty())
                    .map_err(&werr)?;
            }
            Item::File(path, file) => {
                let read_err = ArchiveError::read(file);
                let src = File::open(&file.source).map_err(&read_err)?;
                let len = src.metadata().map_err(&read_err)?.len();
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(mode(file.executable));
                header.set_size(len);
                let mut reader = ExactReader {
                    inner: src,
                    remaining: len,
                    failure: None,
                };
                let appended = tar.append_data(&mut header, &path, &mut reader);
                match (appended, reader.failure) {
                    (Ok(()), _) => {}
                    (Err(_), Some(ReadFailure::Shrank)) => return Err(changed(&file.source)),
                    (Err(_), Some(ReadFailure::Io(e))) => return Err(read_err(e)),
                    (Err(e), None) => return Err(werr(e)),
                }
            }
        }
    }
    let gz = tar.into_inner().map_err(&werr)?;
    gz.finish().map_err(&werr)
}

fn changed(path: &Path) -> ArchiveError {
    ArchiveError::Changed {
        path: path.to_owned(),
    }
}

/// Why reading a file for the archive stopped.
enum ReadFailure {
    /// The file ended before the size recorded in its header.
    Shrank,
    /// Reading failed.
    Io(io::Error),
}

/// Reads exactly the length recorded in the header and remembers why it
/// failed, so a file that changes size while being archived is an error naming
/// it instead of a corrupt archive.
struct ExactReader {
    inner: File,
    remaining: u64,
    failure: Option<ReadFailure>,
}

impl io::Read for ExactReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(self.remaining.min(usize::MAX as u64) as usize);
        let n = match self.inner.read(&mut buf[..want]) {
            Ok(0) => {
                self.failure = Some(ReadFailure::Shrank);
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
            Err(e) => {
                let kind = e.kind();
                self.failure = Some(ReadFailure::Io(e));
                return Err(kind.into());
            }
        };
        self.remaining -= n as u64;
        Ok(n)
    }
}
