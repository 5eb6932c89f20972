//! Atomic file creation: an artifact appears whole under its name or not at all.
//!
//! On Linux the data goes to an anonymous `O_TMPFILE` inode in the target's
//! directory, so a run killed even by SIGKILL leaves nothing behind; it gets a
//! name only at [`AtomicFile::commit`], after fsync, by link + rename (which also
//! keeps the previous artifact until the new one is complete). Elsewhere a
//! hidden temp file beside the target is used and removed on drop.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file being written that replaces `target` only when committed.
#[derive(Debug)]
pub struct AtomicFile {
    file: File,
    target: PathBuf,
    named_temp: Option<PathBuf>,
}

impl AtomicFile {
    /// Starts writing a file that will become `target`.
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let dir = parent_dir(target);
        if let Some(file) = anonymous_file(&dir) {
            return Ok(AtomicFile {
                file,
                target: target.to_path_buf(),
                named_temp: None,
            });
        }
        let temp = temp_name(target);
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| Error::io("cannot create", &temp, e))?;
        Ok(AtomicFile {
            file,
            target: target.to_path_buf(),
            named_temp: Some(temp),
        })
    }

    /// The file being written (readable, writable and seekable).
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes to disk and moves the file into place, replacing any old one.
    pub fn commit(mut self) -> Result<PathBuf> {
        let target = self.target.clone();
        self.file
            .flush()
            .map_err(|e| Error::io("cannot write", &target, e))?;
        self.file
            .sync_all()
            .map_err(|e| Error::io("cannot sync", &target, e))?;
        let temp = match self.named_temp.take() {
            Some(temp) => temp,
            None => {
                let temp = temp_name(&target);
                link_anonymous(&self.file, &temp)
                    .map_err(|e| Error::io("cannot create", &temp, e))?;
                temp
            }
        };
        if let Err(e) = std::fs::rename(&temp, &target) {
            let _ = std::fs::remove_file(&temp);
            return Err(Error::io("cannot move into place", &target, e));
        }
        if let Ok(dir) = File::open(parent_dir(&target)) {
            let _ = dir.sync_all();
        }
        Ok(target)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(temp) = &self.named_temp {
            let _ = std::fs::remove_file(temp);
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Seek for AtomicFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.file.seek(pos)
    }
}

/// Writes `bytes` to `target` atomically.
pub fn write(target: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)
        .map_err(|e| Error::io("cannot write", target, e))?;
    f.commit()
}

fn parent_dir(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn temp_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent_dir(target).join(format!(".{name}.{}.crateship-tmp", std::process::id()))
}

#[cfg(target_os = "linux")]
fn anonymous_file(dir: &Path) -> Option<File> {
    use rustix::fs::{Mode, OFlags};
    if !Path::new("/proc/self/fd").is_dir() {
        return None;
    }
    let fd = rustix::fs::open(
        dir,
        OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o644),
    )
    .ok()?;
    Some(File::from(fd))
}

#[cfg(not(target_os = "linux"))]
fn anonymous_file(_dir: &Path) -> Option<File> {
    None
}

#[cfg(target_os = "linux")]
fn link_anonymous(file: &File, to: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    rustix::fs::linkat(
        rustix::fs::CWD,
        proc_path.as_str(),
        rustix::fs::CWD,
        to,
        rustix::fs::AtFlags::SYMLINK_FOLLOW,
    )?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn link_anonymous(_file: &File, _to: &Path) -> io::Result<()> {
    Err(io::Error::other("anonymous files are Linux-only"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_file_leaves_nothing_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.tar.gz");
        std::fs::write(&target, b"old").unwrap();
        {
            let mut f = AtomicFile::create(&target).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn committed_file_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("name with spaces ünï.zip");
        std::fs::write(&target, b"old").unwrap();
        write(&target, b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
