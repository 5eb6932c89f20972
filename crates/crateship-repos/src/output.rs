//! The repository directory being written: every file goes in through
//! [`AtomicFile`], and the list of written files is what the caller gets back.
//!
//! Nothing here decides what to write; the apt and rpm modules call it only once
//! every input has been read and checked, so bad input leaves the directory untouched.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crateship_support::{AtomicFile, IoError, hash};
use md5::{Digest, Md5};

use crate::RepoError;

/// Size and digests of a package copied into the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileDigests {
    /// Bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// MD5, lower-case hex (apt's `MD5sum`), when asked for.
    pub md5: Option<String>,
}

/// The SHA-256 (lower-case hex) of an index held in memory.
pub(crate) fn sha256_of(bytes: &[u8]) -> String {
    // Reading from a slice cannot fail.
    hash::sha256_reader(bytes)
        .map(|(digest, _)| digest)
        .unwrap_or_default()
}

/// The output directory and what has been written to it so far.
pub(crate) struct Output {
    root: PathBuf,
    written: Vec<PathBuf>,
}

impl Output {
    /// Writes below `root` (created when the first file is written).
    pub fn new(root: &Path) -> Output {
        Output {
            root: root.to_path_buf(),
            written: Vec::new(),
        }
    }

    /// The path of `rel` (`/`-separated) below the root.
    pub fn path(&self, rel: &str) -> PathBuf {
        rel.split('/')
            .fold(self.root.clone(), |path, part| path.join(part))
    }

    /// Writes `bytes` as `rel`.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), RepoError> {
        let mut file = self.create(rel)?;
        let target = file.target().to_path_buf();
        file.write_all(bytes)
            .map_err(|e| IoError::new("cannot write", &target, e))?;
        self.written.push(file.commit()?);
        Ok(())
    }

    /// Copies the file `from` to `rel`, hashing it on the way (one pass, streamed).
    pub fn copy(&mut self, rel: &str, from: &Path, md5: bool) -> Result<FileDigests, RepoError> {
        let mut file = self.create(rel)?;
        let target = file.target().to_path_buf();
        let input = File::open(from).map_err(|e| IoError::new("cannot read", from, e))?;
        let mut tee = Tee {
            input,
            copy: &mut file,
            md5: md5.then(Md5::new),
            write_error: None,
        };
        let hashed = hash::sha256_reader(&mut tee);
        if let Some(e) = tee.write_error.take() {
            return Err(IoError::new("cannot write", &target, e).into());
        }
        let (sha256, size) = hashed.map_err(|e| IoError::new("cannot read", from, e))?;
        let md5 = tee.md5.take().map(|m| hash::hex(&m.finalize()));
        self.written.push(file.commit()?);
        Ok(FileDigests { size, sha256, md5 })
    }

    /// Every file written, sorted.
    pub fn finish(mut self) -> Vec<PathBuf> {
        self.written.sort();
        self.written
    }

    fn create(&self, rel: &str) -> Result<AtomicFile, RepoError> {
        let target = self.path(rel);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| IoError::new("cannot create", dir, e))?;
        }
        Ok(AtomicFile::create(&target)?)
    }
}

/// Reads `input`, writing every byte read to `copy` and into the MD5.
struct Tee<'a> {
    input: File,
    copy: &'a mut AtomicFile,
    md5: Option<Md5>,
    /// A failed write, told apart from a failed read.
    write_error: Option<io::Error>,
}

impl Read for Tee<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.input.read(buf)?;
        if let Err(e) = self.copy.write_all(&buf[..n]) {
            self.write_error = Some(e);
            return Err(io::Error::other("the copy could not be written"));
        }
        if let Some(md5) = &mut self.md5 {
            md5.update(&buf[..n]);
        }
        Ok(n)
    }
}
