//! `--rebuild`: the release's commit cloned into a fresh temporary directory
//! and released again from source, so `reproducible.artifact` can report every
//! artifact whose bytes differ from the published ones.

use std::path::{Path, PathBuf};

use super::{Level, Results};
use crate::error::{Error, Result};
use crate::manifest::DistManifest;
use crate::plan::{Options, Plan};
use crate::process::CommandSpec;
use crate::progress::Reporter;

/// A release built again from the same commit; the directory goes away when dropped.
#[derive(Debug)]
pub struct Rebuilt {
    _root: tempfile::TempDir,
    /// The rebuilt release's out dir.
    pub out_dir: PathBuf,
    /// The commit that was rebuilt.
    pub commit: String,
    /// Whether the project's checkout had uncommitted changes (they are not rebuilt).
    pub dirty: bool,
}

/// Clones the commit `plan`'s project is at into a temporary directory and
/// runs the whole release there for the targets and formats `manifest` lists
/// (every signing key the environment holds applies, as in the first run).
pub fn rebuild(
    plan: &Plan,
    options: &Options,
    manifest: &DistManifest,
    reporter: &dyn Reporter,
) -> Result<Rebuilt> {
    let project = plan.manifest_path.parent().unwrap_or(Path::new("."));
    let git = crate::git::read(project).ok_or_else(|| {
        Error::Usage(format!(
            "--rebuild builds the release's commit again, but {} is not in a git checkout \
             with a commit; commit the project first",
            project.display()
        ))
    })?;
    let root = tempfile::Builder::new()
        .prefix("crateship-rebuild-")
        .tempdir()
        .map_err(|e| Error::input("a temporary directory for --rebuild", e))?;
    let src = root.path().join("src");
    let (toplevel, src_text) = (git.toplevel.to_string_lossy(), src.to_string_lossy());
    CommandSpec::new(
        "git",
        &["clone", "-q", "--no-checkout", &toplevel, &src_text],
    )
    .run()?;
    CommandSpec::new("git", &["checkout", "-q", "--detach", &git.commit])
        .current_dir(&src)
        .run()?;
    let relative = plan
        .manifest_path
        .strip_prefix(&git.toplevel)
        .map_err(|_| {
            Error::Usage(format!(
                "{} is outside its git checkout {}",
                plan.manifest_path.display(),
                git.toplevel.display()
            ))
        })?;
    let out_dir = root.path().join("dist");
    let mut targets: Vec<_> = manifest
        .artifacts
        .iter()
        .filter_map(|a| a.target.parse().ok())
        .collect();
    targets.sort();
    targets.dedup();
    let mut formats: Vec<_> = manifest
        .artifacts
        .iter()
        .filter_map(|a| a.format.parse().ok())
        .collect();
    formats.sort();
    formats.dedup();
    let again = Options {
        manifest_path: Some(src.join(relative)),
        out_dir: Some(out_dir.clone()),
        targets,
        formats,
        binary_dir: None,
        ..options.clone()
    };
    let inputs = crate::Inputs::gather(&again)?;
    let plan = crate::plan::plan(&inputs, &again)?;
    crate::execute::execute(&plan, reporter)?;
    Ok(Rebuilt {
        _root: root,
        out_dir,
        commit: git.commit,
        dirty: git.dirty,
    })
}

/// `reproducible.artifact`: each artifact equals the rebuilt one, byte for byte.
pub(super) fn compare(manifest: &DistManifest, rebuilt: &Rebuilt, results: &mut Results) {
    if rebuilt.dirty {
        results.add(
            "reproducible.artifact",
            Level::Audit,
            "",
            Err((
                format!(
                    "the checkout has uncommitted changes; the rebuild used commit {} without them",
                    rebuilt.commit
                ),
                "commit (or stash) the changes and release from a clean checkout".to_owned(),
            )),
        );
    }
    for entry in &manifest.artifacts {
        let again = crateship_support::hash::sha256_file(&rebuilt.out_dir.join(&entry.path));
        let outcome = match again {
            Ok((sha, _)) if sha == entry.sha256 => Ok(format!(
                "byte-identical when commit {} is built again",
                short(&rebuilt.commit)
            )),
            Ok((sha, _)) => Err((
                format!(
                    "differs from a rebuild of commit {} (SHA-256 {sha}, published {})",
                    short(&rebuilt.commit),
                    entry.sha256
                ),
                "find the input that varies (a timestamp, a path, an unsorted list, a \
                 timestamped signature) and pin it; `diffoscope` shows where the bytes differ"
                    .to_owned(),
            )),
            Err(_) => Err((
                format!(
                    "a rebuild of commit {} did not write it",
                    short(&rebuilt.commit)
                ),
                "release from the committed config (the published release used other \
                 options or files)"
                    .to_owned(),
            )),
        };
        results.add(
            "reproducible.artifact",
            Level::Blocking,
            &entry.path,
            outcome,
        );
    }
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}
