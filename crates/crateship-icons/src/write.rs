//! All-or-nothing writing of the output files. Every file is first written and fsynced
//! beside its target (an [`AtomicFile`], staged), then renamed over its target, which
//! replaces it atomically. That makes each file atomic; the set is made atomic here:
//! if any step fails, every step already taken is undone: new files are removed,
//! replaced or removed files are restored from backups (kept in a staging directory
//! inside the output directory), and directories created on the way are removed again.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crateship_support::{AtomicFile, StagedFile};
use rayon::prelude::*;
use tempfile::TempDir;

use crate::IconError;

/// One file to write, at a path relative to the output directory.
pub(crate) struct Output<'a> {
    /// Where it goes, relative to the output directory.
    pub(crate) path: PathBuf,
    /// Its contents.
    pub(crate) bytes: &'a [u8],
}

/// Something done to the output directory that a rollback must undo.
enum Step {
    /// A directory that did not exist was created.
    CreatedDir(PathBuf),
    /// A file was put at `target`, replacing the one now kept as `backup`, if any.
    Placed {
        target: PathBuf,
        backup: Option<PathBuf>,
    },
    /// The stale file at `target` was removed after being kept as `backup`.
    Removed { target: PathBuf, backup: PathBuf },
}

/// Writes every output under `out_dir` and removes the `stale` paths (relative, from an
/// earlier run, that this run does not produce), or changes nothing at all.
pub(crate) fn commit(
    out_dir: &Path,
    outputs: &[Output<'_>],
    stale: &[PathBuf],
) -> Result<(), IconError> {
    let mut steps = Vec::new();
    // The staging directory holds the backups: it must outlive a rollback. Dropping it
    // removes it with its contents.
    let mut staging = None;
    let result = commit_steps(out_dir, outputs, stale, &mut staging, &mut steps);
    if result.is_err() {
        roll_back(steps, staging);
    }
    result
}

/// The work of [`commit`], recording each step taken in `steps`.
fn commit_steps(
    out_dir: &Path,
    outputs: &[Output<'_>],
    stale: &[PathBuf],
    staging: &mut Option<TempDir>,
    steps: &mut Vec<Step>,
) -> Result<(), IconError> {
    create_dirs(out_dir, steps)?;
    for output in outputs {
        if let Some(parent) = out_dir.join(&output.path).parent() {
            create_dirs(parent, steps)?;
        }
    }
    // fsync dominates the run time; file systems overlap parallel flushes well.
    // Files not published yet are removed when dropped (on an error below).
    let staged = outputs
        .par_iter()
        .map(|output| stage(&out_dir.join(&output.path), output.bytes))
        .collect::<Result<Vec<StagedFile>, IconError>>()?;
    let staging = staging.insert(
        tempfile::Builder::new()
            .prefix(".crateship-icons-")
            .tempdir_in(out_dir)
            .map_err(|source| write_error(out_dir, source))?,
    );

    for (index, file) in staged.into_iter().enumerate() {
        let target = file.target().to_owned();
        let backup = keep_existing(staging, &target, format!("old-{index}"))?;
        // Renaming over an existing file replaces it atomically.
        file.publish().map_err(publish_error)?;
        steps.push(Step::Placed { target, backup });
    }

    for (index, path) in stale.iter().enumerate() {
        let target = out_dir.join(path);
        if let Some(backup) = keep_existing(staging, &target, format!("stale-{index}"))? {
            fs::remove_file(&target).map_err(|source| write_error(&target, source))?;
            steps.push(Step::Removed { target, backup });
        }
    }
    Ok(())
}

/// Writes `bytes` for `target` and syncs them, under a hidden name beside it.
fn stage(target: &Path, bytes: &[u8]) -> Result<StagedFile, IconError> {
    let mut file = AtomicFile::create(target).map_err(publish_error)?;
    file.write_all(bytes)
        .map_err(|source| write_error(target, source))?;
    file.stage().map_err(publish_error)
}

/// If `target` exists, keeps a copy of it in `staging` under `backup_name` (a hard link
/// where the file system allows) so that a rollback can put it back.
fn keep_existing(
    staging: &TempDir,
    target: &Path,
    backup_name: String,
) -> Result<Option<PathBuf>, IconError> {
    match fs::symlink_metadata(target) {
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(write_error(target, source)),
    }
    let backup = staging.path().join(backup_name);
    fs::hard_link(target, &backup)
        .or_else(|_| fs::copy(target, &backup).map(drop))
        .map_err(|source| write_error(target, source))?;
    Ok(Some(backup))
}

/// Creates `dir` and its missing ancestors, recording each one created.
fn create_dirs(dir: &Path, steps: &mut Vec<Step>) -> Result<(), IconError> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|ancestor| !ancestor.as_os_str().is_empty() && !ancestor.exists())
        .collect();
    for ancestor in missing.into_iter().rev() {
        fs::create_dir(ancestor).map_err(|source| write_error(ancestor, source))?;
        steps.push(Step::CreatedDir(ancestor.to_owned()));
    }
    Ok(())
}

/// Undoes `steps`, newest first, then removes `staging`. Best effort: the error that
/// caused the rollback is the one worth reporting.
fn roll_back(steps: Vec<Step>, mut staging: Option<TempDir>) {
    for step in steps.into_iter().rev() {
        let _ = match step {
            Step::CreatedDir(dir) => {
                // Every backup is restored by the time the directory holding the staging
                // directory comes up, so the staging directory can go.
                if staging
                    .as_ref()
                    .is_some_and(|temp| temp.path().starts_with(&dir))
                {
                    staging = None;
                }
                fs::remove_dir(dir)
            }
            Step::Placed {
                target,
                backup: Some(backup),
            } => fs::rename(backup, target),
            Step::Placed {
                target,
                backup: None,
            } => fs::remove_file(target),
            Step::Removed { target, backup } => fs::rename(backup, target),
        };
    }
}

/// The error for a failed atomic write or publish (it names the file).
fn publish_error(e: crateship_support::IoError) -> IconError {
    write_error(&e.path, e.source)
}

/// The error for a failed write of `path`.
fn write_error(path: &Path, source: io::Error) -> IconError {
    IconError::Write {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(path: &str, bytes: &'static [u8]) -> Output<'static> {
        Output {
            path: PathBuf::from(path),
            bytes,
        }
    }

    #[test]
    fn failure_restores_previous_files_and_removes_new_ones() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("keep.ico"), b"old").unwrap();
        fs::write(dir.path().join("stale.svg"), b"old svg").unwrap();
        // A directory where a file must go makes the last rename fail.
        fs::create_dir_all(dir.path().join("blocked/inner")).unwrap();
        let outputs = [
            output("keep.ico", b"new"),
            output("a/b/new.png", b"png"),
            output("blocked", b"x"),
        ];
        let result = commit(dir.path(), &outputs, &[PathBuf::from("stale.svg")]);
        assert!(matches!(result, Err(IconError::Write { .. })), "{result:?}");
        assert_eq!(fs::read(dir.path().join("keep.ico")).unwrap(), b"old");
        assert_eq!(fs::read(dir.path().join("stale.svg")).unwrap(), b"old svg");
        let mut left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, ["blocked", "keep.ico", "stale.svg"]);
    }

    #[test]
    fn success_replaces_files_and_removes_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("new/out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("keep.ico"), b"old").unwrap();
        fs::write(out.join("stale.svg"), b"old svg").unwrap();
        let outputs = [output("keep.ico", b"new"), output("a/b/new.png", b"png")];
        commit(
            &out,
            &outputs,
            &[PathBuf::from("stale.svg"), PathBuf::from("absent")],
        )
        .unwrap();
        assert_eq!(fs::read(out.join("keep.ico")).unwrap(), b"new");
        assert_eq!(fs::read(out.join("a/b/new.png")).unwrap(), b"png");
        assert!(!out.join("stale.svg").exists());
        assert_eq!(
            fs::read_dir(&out).unwrap().count(),
            2,
            "staging dir left behind"
        );
    }

    #[test]
    fn failure_removes_the_output_dirs_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("fresh/out");
        // The first output is a file where the second needs a directory.
        let result = commit(&out, &[output("a", b"1"), output("a/b.png", b"2")], &[]);
        assert!(matches!(result, Err(IconError::Write { .. })), "{result:?}");
        assert!(!dir.path().join("fresh").exists());
    }
}
