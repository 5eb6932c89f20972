//! The out dir as one run sees it: proven writable before any long build, held
//! with an exclusive lock (`flock` on the directory) for the whole run (a second run into the same dir
//! waits, or fails with `--no-wait`), cleared of what an interrupted run left
//! behind, and cleaned up when the run is interrupted.
//!
//! Every hidden file a run makes carries its process id
//! (`.NAME.crateship-PID-N.KIND`, see `crateship_support::atomic`), so SIGINT
//! and SIGTERM remove exactly this run's staging files before the process exits
//! with 130 / 143; what a SIGKILL leaves is removed by the next run, which holds
//! the lock and so knows nobody else is writing.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use crateship_support::AtomicFile;

use crate::error::{Error, Result};
use crate::progress::{Event, Reporter};

/// An out dir held by this run; the lock is released when it is dropped.
#[derive(Debug)]
pub(crate) struct OutDir {
    _lock: File,
}

/// The out dirs of runs under way in this process, cleaned on SIGINT/SIGTERM.
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

impl OutDir {
    /// Creates `dir`, proves it writable, takes its lock (waiting for another
    /// run unless `no_wait`), removes leftovers of interrupted runs, and arranges
    /// for this run's hidden files to go on SIGINT/SIGTERM.
    pub fn open(dir: &Path, no_wait: bool, reporter: &dyn Reporter) -> Result<OutDir> {
        let fix = |e: std::io::Error| Error::Io {
            action: "out dir is not writable (choose another --out-dir):",
            path: dir.to_path_buf(),
            source: e,
        };
        if dir.exists() && !dir.is_dir() {
            return Err(Error::requirement(
                format!("the out dir {} is a file, not a directory", dir.display()),
                "choose another --out-dir, or move the file away",
            ));
        }
        std::fs::create_dir_all(dir).map_err(fix)?;
        AtomicFile::create(&dir.join(".crateship-write-test")).map_err(|e| fix(e.source))?;
        // The lock is on the directory itself, so it leaves no file behind.
        let lock = File::open(dir).map_err(fix)?;
        use rustix::fs::{FlockOperation, flock};
        if flock(&lock, FlockOperation::NonBlockingLockExclusive).is_err() {
            if no_wait {
                return Err(Error::requirement(
                    format!("another crateship run is writing to {}", dir.display()),
                    "wait for it to finish, drop --no-wait to wait for it, or choose another --out-dir",
                ));
            }
            reporter.report(Event::Warning(format!(
                "another crateship run is writing to {}; waiting for it to finish",
                dir.display()
            )));
            flock(&lock, FlockOperation::LockExclusive)
                .map_err(|e| Error::io("cannot lock", dir, e.into()))?;
        }
        remove_leftovers(dir, None)?;
        install_interrupt_cleanup();
        lock_registry().push(dir.to_path_buf());
        Ok(OutDir { _lock: lock })
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        let mut active = lock_registry();
        active.pop();
    }
}

fn lock_registry() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the hidden temp and staging files in `dir`: all of them, or only
/// those of process `pid`.
fn remove_leftovers(dir: &Path, pid: Option<u32>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("cannot list", dir, e))?;
    let mine = pid.map(|p| format!("{}{p}-", crateship_support::atomic::LEFTOVER_MARKER));
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = mine.as_ref().is_none_or(|m| name.contains(m.as_str()));
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if crateship_support::atomic::is_leftover(&name) && ours {
            let removed = if is_dir {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            removed.map_err(|e| Error::io("cannot remove", &path, e))?;
        } else if is_dir {
            // Channel files are staged deep below `channels/`.
            remove_leftovers(&path, pid)?;
        }
    }
    Ok(())
}

/// On SIGINT or SIGTERM: remove this run's hidden files in every active out
/// dir, then exit with 128 + the signal number (130, 143). Installed once per
/// process; [`execute`](super::execute) installs it when it opens the out dir,
/// and a program can install it earlier (the CLI does, before planning) so that
/// an interrupt during planning exits the same way.
pub fn install_interrupt_cleanup() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                for dir in lock_registry().iter() {
                    let _ = remove_leftovers(dir, Some(std::process::id()));
                }
                std::process::exit(128 + signal);
            }
        });
    });
}
