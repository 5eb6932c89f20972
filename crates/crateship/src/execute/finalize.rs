//! The last step of a run, after every signature: the staged artifacts are
//! published and `SHA256SUMS` (GNU coreutils format) and `dist-manifest.json`
//! describe them.
//!
//! The out dir stays consistent at every instant, whenever the run is killed:
//! before an artifact replaces an older file its line is withdrawn from
//! `SHA256SUMS` and the manifest, and it is listed again only once it stands
//! under its final name. So `sha256sum -c SHA256SUMS` passes on what is there at
//! any moment. The signatures of `SHA256SUMS` are withdrawn first and written
//! last. Artifacts of the same release that an earlier run wrote into the out
//! dir (per-target CI jobs) stay listed.

use std::io::{Read, Write};
use std::path::Path;

use crateship_support::{AtomicFile, StagedFile};

use crate::error::{Error, Result};
use crate::format::Format;
use crate::manifest::{DistManifest, ManifestApp, ManifestArtifact, Requirements};
use crate::plan::{Plan, TargetPlan};

/// Name of the checksum file in the out dir.
pub const SHA256SUMS: &str = "SHA256SUMS";
/// Name of the manifest in the out dir.
pub const MANIFEST: &str = crate::manifest::FILE_NAME;
/// The detached signatures of `SHA256SUMS`.
const SUMS_SIGNATURES: &[&str] = &["SHA256SUMS.asc", "SHA256SUMS.minisig"];

/// An artifact written, signed and hashed, waiting under its hidden name.
pub(crate) struct Produced {
    /// Its manifest entry.
    pub entry: ManifestArtifact,
    /// The staged file.
    pub staged: StagedFile,
    /// An MSI's codes, for the channels.
    pub msi: Option<crateship_windows::MsiCodes>,
    /// Its detached signature files: (file name, text).
    pub detached: Vec<(String, String)>,
}

impl Produced {
    /// The planned target and format of this artifact; `None` for the files the
    /// finalize step adds (feeds, channels, SBOMs, provenance).
    pub fn planned<'p>(&self, plan: &'p Plan) -> Option<(&'p TargetPlan, Format)> {
        let target = plan
            .targets
            .iter()
            .find(|t| t.triple.as_str() == self.entry.target)?;
        let format = self.entry.format.parse::<Format>().ok()?;
        Some((target, format))
    }
}

/// `input`'s bytes staged as the out-dir file `rel` (directories created) with
/// `mode`: a file the finalize step adds, of kind `format`, for `target` (or
/// `""`). Hashed while it is written.
pub(crate) fn stage_file(
    plan: &Plan,
    rel: &str,
    format: &str,
    target: &str,
    input: impl Read,
    mode: u32,
) -> Result<Produced> {
    let path = plan.out_dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
    }
    let mut out = AtomicFile::create(&path)?;
    out.set_mode(mode)?;
    let (sha256, size) = crateship_support::hash::sha256_reader(Tee {
        input,
        copy: &mut out,
    })
    .map_err(|e| Error::io("cannot write", &path, e))?;
    out.flush()
        .map_err(|e| Error::io("cannot write", &path, e))?;
    Ok(Produced {
        entry: ManifestArtifact {
            path: rel.to_owned(),
            format: format.to_owned(),
            target: target.to_owned(),
            sha256,
            size,
            requirements: Requirements::default(),
            signature: None,
        },
        staged: out.stage()?,
        msi: None,
        detached: Vec::new(),
    })
}

/// A reader that writes everything read from `input` into `copy`.
struct Tee<'a, R> {
    input: R,
    copy: &'a mut AtomicFile,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.input.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// Publishes `produced` and writes `SHA256SUMS` and `dist-manifest.json`,
/// keeping the out dir consistent throughout (see the module docs). Directories
/// in `replaced` (`channels/apt`) are rewritten whole: what an earlier run left
/// there and `produced` does not hold is unlisted, then removed.
pub(crate) fn publish(
    plan: &Plan,
    produced: Vec<Produced>,
    replaced: &[String],
) -> Result<DistManifest> {
    let out = &plan.out_dir;
    for name in SUMS_SIGNATURES {
        remove_if_present(&out.join(name))?;
    }
    let ours: Vec<&str> = produced.iter().map(|p| p.entry.path.as_str()).collect();
    let inside = |path: &str| {
        replaced.iter().any(|dir| {
            path.strip_prefix(dir.as_str())
                .is_some_and(|r| r.starts_with('/'))
        })
    };
    let mut entries: Vec<ManifestArtifact> = earlier_entries(plan)?
        .into_iter()
        .filter(|e| !ours.contains(&e.path.as_str()) && !inside(&e.path))
        .collect();
    write_records(plan, &entries)?;
    for dir in replaced {
        remove_unlisted(&out.join(dir), dir, &ours)?;
    }
    for p in produced {
        let target = out.join(&p.entry.path);
        let detached: Vec<_> = p.detached.iter().map(|(n, _)| out.join(n)).collect();
        if target.exists() || detached.iter().any(|d| d.exists()) {
            // Nothing that is about to change may stay listed.
            for d in &detached {
                remove_if_present(d)?;
            }
        }
        p.staged.publish()?;
        for (name, text) in &p.detached {
            crateship_support::atomic::write(&out.join(name), text.as_bytes())?;
        }
        entries.push(p.entry);
        write_records(plan, &entries)?;
    }
    Ok(manifest(plan, entries))
}

/// The entries of the manifest already in the out dir that still describe a
/// file there, if that manifest is of this release (same name and version).
pub(crate) fn earlier_entries(plan: &Plan) -> Result<Vec<ManifestArtifact>> {
    let path = plan.out_dir.join(MANIFEST);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    let Ok(earlier) = serde_json::from_str::<DistManifest>(&text) else {
        return Ok(Vec::new());
    };
    if earlier.app.name != plan.app.name || earlier.app.version != plan.app.version {
        return Ok(Vec::new());
    }
    Ok(earlier
        .artifacts
        .into_iter()
        .filter(|a| std::fs::metadata(plan.out_dir.join(&a.path)).is_ok_and(|m| m.len() == a.size))
        .collect())
}

fn manifest(plan: &Plan, mut artifacts: Vec<ManifestArtifact>) -> DistManifest {
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    DistManifest {
        app: ManifestApp {
            name: plan.app.name.clone(),
            version: plan.app.version.clone(),
            identifier: plan.app.identifier.clone(),
        },
        artifacts,
    }
}

/// Writes `SHA256SUMS`, then `dist-manifest.json`, for `entries`.
fn write_records(plan: &Plan, entries: &[ManifestArtifact]) -> Result<()> {
    let manifest = manifest(plan, entries.to_vec());
    let sums: String = manifest
        .artifacts
        .iter()
        .map(|a| format!("{}  {}\n", a.sha256, a.path))
        .collect();
    crateship_support::atomic::write(&plan.out_dir.join(SHA256SUMS), sums.as_bytes())?;
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::input("the release manifest", e))?
        + "\n";
    crateship_support::atomic::write(&plan.out_dir.join(MANIFEST), json.as_bytes())?;
    Ok(())
}

/// Removes the files below `dir` (out-dir path `rel`) that are not in `keep`,
/// leaving this run's hidden staged files.
fn remove_unlisted(dir: &Path, rel: &str, keep: &[&str]) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    let files = crateship_support::walk::files_below(dir)
        .map_err(|e| Error::input(format!("the directory {}", dir.display()), e))?;
    for file in files {
        let name = file.rel.rsplit('/').next().unwrap_or_default();
        let listed = keep.contains(&format!("{rel}/{}", file.rel).as_str());
        if !listed && !crateship_support::atomic::is_leftover(name) {
            remove_if_present(&file.path)?;
        }
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("cannot remove", path, e)),
    }
}
