//! Mounting through the setuid `fusermount3` (or `fusermount`) helper ourselves.
//!
//! `fuser` only falls back to the helper when it could open `/dev/fuse` but not
//! mount; on systems where `/dev/fuse` is not world-accessible (mode 0600, or
//! 0660 with a `fuse` group) it gives up. The helper opens the device as root,
//! mounts, and passes the descriptor back over a socket (`_FUSE_COMMFD`,
//! `SCM_RIGHTS`), the protocol libfuse uses.

use std::env;
use std::ffi::OsString;
use std::io::{self, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use rustix::io::{FdFlags, fcntl_setfd};
use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, recvmsg};

/// `FUSERMOUNT_PATH`, else the first of `fusermount3`, `fusermount` on `PATH`.
fn helper() -> io::Result<PathBuf> {
    if let Some(path) = env::var_os("FUSERMOUNT_PATH") {
        return Ok(PathBuf::from(path));
    }
    let path = env::var_os("PATH").unwrap_or_else(|| OsString::from("/usr/bin:/bin"));
    for name in ["fusermount3", "fusermount"] {
        for dir in env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        "no fusermount3 or fusermount on PATH (install fuse3)",
    ))
}

/// Builds a command for the helper. The runtime is defined as using this
/// external helper; it is one of its two process spawns (the other is AppRun).
#[allow(clippy::disallowed_methods)]
fn command(helper: &Path) -> std::process::Command {
    std::process::Command::new(helper)
}

/// Mounts an empty FUSE filesystem at `dir` (read-only) and returns the
/// `/dev/fuse` descriptor to serve it with.
pub fn mount(dir: &Path, fsname: &str) -> io::Result<OwnedFd> {
    let helper = helper()?;
    let (ours, theirs) = UnixStream::pair()?;
    // The helper must inherit its end of the socket.
    fcntl_setfd(&theirs, FdFlags::empty())?;
    let fsname: String = fsname
        .chars()
        .map(|c| if c == ',' || c == '\\' { '_' } else { c })
        .collect();
    let child = command(&helper)
        .arg("-o")
        .arg(format!("ro,fsname={fsname},subtype=crateship-appimage"))
        .arg("--")
        .arg(dir)
        .env("_FUSE_COMMFD", theirs.as_raw_fd().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run {}: {e}", helper.display())))?;
    drop(theirs);
    let mut byte = [0u8; 1];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let received = recvmsg(
        &ours,
        &mut [IoSliceMut::new(&mut byte)],
        &mut control,
        RecvFlags::empty(),
    );
    // The helper exits after passing the descriptor (or failing); its last
    // stderr line goes into our one-line message instead of the terminal.
    let output = child.wait_with_output()?;
    let reason = String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()
        .map(|l| format!(": {}", l.trim()))
        .unwrap_or_default();
    let mut fd = None;
    if received.is_ok() {
        for message in control.drain() {
            if let RecvAncillaryMessage::ScmRights(mut fds) = message {
                fd = fds.next();
            }
        }
    }
    fd.ok_or_else(|| {
        io::Error::other(format!(
            "{} did not mount ({}){reason}",
            helper.display(),
            output.status
        ))
    })
}

/// Lazily unmounts `dir` with the helper (best effort).
pub fn unmount(dir: &Path) {
    if let Ok(helper) = helper() {
        let _ = command(&helper)
            .args(["-u", "-q", "-z", "--"])
            .arg(dir)
            .stdin(Stdio::null())
            .status();
    }
}
