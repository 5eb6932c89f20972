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

use std::path::Path;

use crateship_support::StagedFile;

use crate::error::{Error, Result};
use crate::manifest::{DistManifest, ManifestApp, ManifestArtifact};
use crate::plan::Plan;

/// Name of the checksum file in the out dir.
pub const SHA256SUMS: &str = "SHA256SUMS";
/// Name of the manifest in the out dir.
pub const MANIFEST: &str = "dist-manifest.json";
/// The detached signatures of `SHA256SUMS`.
const SUMS_SIGNATURES: &[&str] = &["SHA256SUMS.asc", "SHA256SUMS.minisig"];

/// An artifact written, signed and hashed, waiting under its hidden name.
pub(crate) struct Produced {
    /// Its manifest entry.
    pub entry: ManifestArtifact,
    /// The staged file.
    pub staged: StagedFile,
    /// Its detached signature files: (file name, text).
    pub detached: Vec<(String, String)>,
}

/// Publishes `produced` and writes `SHA256SUMS` and `dist-manifest.json`,
/// keeping the out dir consistent throughout (see the module docs).
pub(crate) fn publish(plan: &Plan, produced: Vec<Produced>) -> Result<DistManifest> {
    let out = &plan.out_dir;
    for name in SUMS_SIGNATURES {
        remove_if_present(&out.join(name))?;
    }
    let ours: Vec<&str> = produced.iter().map(|p| p.entry.path.as_str()).collect();
    let mut entries: Vec<ManifestArtifact> = earlier_entries(plan)?
        .into_iter()
        .filter(|e| !ours.contains(&e.path.as_str()))
        .collect();
    write_records(plan, &entries)?;
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
fn earlier_entries(plan: &Plan) -> Result<Vec<ManifestArtifact>> {
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

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("cannot remove", path, e)),
    }
}
