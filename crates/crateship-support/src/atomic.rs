//! Files that appear whole under their final name or not at all.
//!
//! [`AtomicFile`] writes to an anonymous `O_TMPFILE` inode in the target's
//! directory on Linux (a hidden temp file beside the target elsewhere), so a run
//! killed even by SIGKILL leaves no partial file, and the previous file stays in
//! place until the new one is complete. It gets its name only at
//! [`AtomicFile::commit`], after fsync, by link + rename.
//!
//! A file that still has to be finished by a tool that works on paths (an
//! embedded signature: Authenticode on an MSI, the rpm header signature, an
//! AppImage's `.sha256_sig`) is [staged](AtomicFile::stage) instead: it gets a
//! hidden name beside its target, the signer rewrites it there, and
//! [`StagedFile::publish`] renames it into place. So nothing unsigned ever stands
//! under a final name. Every hidden name contains [`LEFTOVER_MARKER`], so a later
//! run can recognise what an interrupted one left behind ([`is_leftover`]).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::IoError;

/// The part of every hidden temp or staging name this module makes.
pub const LEFTOVER_MARKER: &str = ".crateship-";

/// A file being written that replaces `target` only when committed or published.
#[derive(Debug)]
pub struct AtomicFile {
    file: File,
    target: PathBuf,
    named_temp: Option<PathBuf>,
}

impl AtomicFile {
    /// Starts writing a file that will become `target`.
    pub fn create(target: &Path) -> Result<AtomicFile, IoError> {
        let dir = parent_dir(target);
        if let Some(file) = anonymous_file(&dir) {
            return Ok(AtomicFile {
                file,
                target: target.to_path_buf(),
                named_temp: None,
            });
        }
        let temp = hidden_name(target, "tmp");
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| IoError::new("cannot create", &temp, e))?;
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

    /// Sets the Unix permission bits the file will have (e.g. `0o755`).
    pub fn set_mode(&mut self, mode: u32) -> Result<(), IoError> {
        set_mode(&self.file, mode)
            .map_err(|e| IoError::new("cannot set the mode of", &self.target, e))
    }

    /// Gives the file `permissions`, e.g. those of the file it replaces or is
    /// made from (`std::fs::metadata(input)?.permissions()`).
    pub fn set_permissions(&mut self, permissions: std::fs::Permissions) -> Result<(), IoError> {
        self.file
            .set_permissions(permissions)
            .map_err(|e| IoError::new("cannot set the permissions of", &self.target, e))
    }

    /// Flushes to disk and moves the file into place, replacing any old one.
    pub fn commit(self) -> Result<PathBuf, IoError> {
        let target = self.target.clone();
        self.into_named("tmp")?
            .publish()
            .map_err(|e| IoError { path: target, ..e })
    }

    /// Flushes to disk and gives the file a hidden name beside its target
    /// (`.NAME.crateship-PID-N.staged`), where a signer may rewrite it;
    /// [`StagedFile::publish`] then moves it into place.
    pub fn stage(self) -> Result<StagedFile, IoError> {
        self.into_named("staged")
    }

    /// Syncs the file and links it under a hidden name of `kind` (a file that
    /// already has a hidden temp name keeps it).
    fn into_named(mut self, kind: &str) -> Result<StagedFile, IoError> {
        let target = self.target.clone();
        self.file
            .flush()
            .map_err(|e| IoError::new("cannot write", &target, e))?;
        self.file
            .sync_all()
            .map_err(|e| IoError::new("cannot sync", &target, e))?;
        let path = match self.named_temp.take() {
            Some(temp) => temp,
            None => {
                let named = hidden_name(&target, kind);
                link_anonymous(&self.file, &named)
                    .map_err(|e| IoError::new("cannot create", &named, e))?;
                named
            }
        };
        Ok(StagedFile {
            path,
            target,
            published: false,
        })
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

/// A complete file under a hidden name beside its target, not yet published.
/// Dropping it unpublished removes it.
#[derive(Debug)]
pub struct StagedFile {
    path: PathBuf,
    target: PathBuf,
    published: bool,
}

impl StagedFile {
    /// Where the staged file is now (pass this to a signer that works on paths).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Sets the Unix permission bits of the staged file (a signer that rewrote it
    /// may have left its own).
    pub fn set_mode(&self, mode: u32) -> Result<(), IoError> {
        let file =
            File::open(&self.path).map_err(|e| IoError::new("cannot open", &self.path, e))?;
        set_mode(&file, mode).map_err(|e| IoError::new("cannot set the mode of", &self.path, e))
    }

    /// Syncs the staged file (a signer may have rewritten it) and renames it into
    /// place, replacing any old file; the directory entry is synced too.
    pub fn publish(mut self) -> Result<PathBuf, IoError> {
        File::open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(|e| IoError::new("cannot sync", &self.path, e))?;
        std::fs::rename(&self.path, &self.target)
            .map_err(|e| IoError::new("cannot move into place", &self.target, e))?;
        self.published = true;
        if let Ok(dir) = File::open(parent_dir(&self.target)) {
            let _ = dir.sync_all();
        }
        Ok(self.target.clone())
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to `target` atomically.
pub fn write(target: &Path, bytes: &[u8]) -> Result<PathBuf, IoError> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)
        .map_err(|e| IoError::new("cannot write", target, e))?;
    f.commit()
}

/// Whether `file_name` is a hidden temp or staging file this module made (left
/// behind when a run was killed).
pub fn is_leftover(file_name: &str) -> bool {
    file_name.starts_with('.') && file_name.contains(LEFTOVER_MARKER)
}

fn parent_dir(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `.crateship-PID-N-KIND-NAME` beside `target`; unique within this process. It
/// ends in the target's own name, so tools that go by the extension (signtool,
/// a caller dispatching on `.msi`) treat a staged file like its target.
fn hidden_name(target: &Path, kind: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    parent_dir(target).join(format!(
        "{LEFTOVER_MARKER}{}-{n}-{kind}-{name}",
        std::process::id()
    ))
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
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

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

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
        assert_eq!(names(dir.path()), ["a.tar.gz"]);
    }

    #[test]
    fn committed_file_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("name with spaces ünï.zip");
        std::fs::write(&target, b"old").unwrap();
        write(&target, b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["name with spaces ünï.zip"]);
    }

    #[test]
    fn staged_file_is_hidden_until_published_and_keeps_a_signers_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("app.msi");
        std::fs::write(&target, b"old signed").unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"unsigned").unwrap();
        let staged = f.stage().unwrap();
        let hidden = staged
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(is_leftover(&hidden), "{hidden}");
        assert!(
            hidden.ends_with("-app.msi"),
            "keeps the extension: {hidden}"
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"old signed");
        // A signer replaces the staged file through its own atomic write.
        write(staged.path(), b"new signed").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"old signed");
        staged.publish().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new signed");
        assert_eq!(names(dir.path()), ["app.msi"]);
    }

    #[test]
    fn dropped_staged_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("app.rpm");
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"x").unwrap();
        drop(f.stage().unwrap());
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn permissions_of_another_file_are_kept_through_publishing() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.rpm");
        std::fs::write(&input, b"x").unwrap();
        std::fs::set_permissions(&input, std::fs::Permissions::from_mode(0o640)).unwrap();
        let target = dir.path().join("out.rpm");
        let mut f = AtomicFile::create(&target).unwrap();
        f.set_permissions(std::fs::metadata(&input).unwrap().permissions())
            .unwrap();
        f.commit().unwrap();
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn mode_is_kept_through_publishing() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("App.AppImage");
        let mut f = AtomicFile::create(&target).unwrap();
        f.set_mode(0o755).unwrap();
        f.commit().unwrap();
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}
