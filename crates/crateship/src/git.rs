//! The git state that goes into build info: commit, dirty flag, commit time.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::process::CommandSpec;

/// What git says about the project; absent when it is not a git checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GitInfo {
    /// Full hash of `HEAD`.
    pub commit: String,
    /// Whether tracked files differ from `HEAD`.
    pub dirty: bool,
    /// Committer time of `HEAD`, seconds since 1970.
    pub commit_time: i64,
    /// The top-level directory of the checkout.
    pub toplevel: PathBuf,
}

/// Reads the git state of the checkout containing `dir`; `None` if there is none
/// (not a repository, no commit yet, or git not installed).
pub fn read(dir: &Path) -> Option<GitInfo> {
    let git = |args: &[&str]| {
        let (ok, out) = CommandSpec::new("git", args)
            .current_dir(dir)
            .run_unchecked()
            .ok()?;
        ok.then(|| out.stdout.trim().to_owned())
    };
    let commit = git(&["rev-parse", "HEAD"])?;
    let commit_time = git(&["log", "-1", "--format=%ct"])?.parse().ok()?;
    let toplevel = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"])?.is_empty();
    Some(GitInfo {
        commit,
        dirty,
        commit_time,
        toplevel,
    })
}
