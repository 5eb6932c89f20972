//! Finding the packages of a previous release's repository to merge: the directory
//! must look like a repository this crate wrote, and its packages are read again from
//! the files themselves (not from its indexes), so whatever it holds is re-checked.

use std::path::{Path, PathBuf};

use crateship_support::atomic::is_leftover;
use crateship_support::walk::{self, WalkError};

use crate::RepoError;

/// Every `.deb` below `pool/` of the apt repository `dir`.
pub(crate) fn apt_pool(dir: &Path) -> Result<Vec<PathBuf>, RepoError> {
    let not_repo = |reason: String| RepoError::NotARepository {
        path: dir.to_path_buf(),
        kind: "apt",
        marker: "dists/ and pool/",
        reason,
    };
    for part in ["dists", "pool"] {
        if !dir.join(part).is_dir() {
            return Err(not_repo(format!("it has no {part}/ directory")));
        }
    }
    packages(&dir.join("pool"), ".deb", not_repo)
}

/// Every `.rpm` of the dnf/yum repository `dir` (outside `repodata/`).
pub(crate) fn rpm_packages(dir: &Path) -> Result<Vec<PathBuf>, RepoError> {
    let not_repo = |reason: String| RepoError::NotARepository {
        path: dir.to_path_buf(),
        kind: "rpm",
        marker: "repodata/repomd.xml",
        reason,
    };
    if !dir.join("repodata").join("repomd.xml").is_file() {
        return Err(not_repo("it has no repodata/repomd.xml".into()));
    }
    let mut found = packages(dir, ".rpm", not_repo)?;
    found.retain(|p| !p.starts_with(dir.join("repodata")));
    Ok(found)
}

fn packages(
    dir: &Path,
    suffix: &str,
    not_repo: impl Fn(String) -> RepoError,
) -> Result<Vec<PathBuf>, RepoError> {
    let entries = walk::files_below(dir).map_err(|e| match e {
        WalkError::Io(e) => RepoError::Io(e),
        other => not_repo(other.to_string()),
    })?;
    Ok(entries
        .into_iter()
        .filter(|e| e.rel.ends_with(suffix))
        .filter(|e| !e.rel.rsplit('/').next().is_some_and(is_leftover))
        .map(|e| e.path)
        .collect())
}
