//! The last step of a run, after every signature: `SHA256SUMS` (GNU coreutils
//! format) and `dist-manifest.json` for the artifacts written. Also the out
//! dir's first check, before any long build.

use std::path::Path;

use crateship_support::AtomicFile;

use crate::error::{Error, Result};
use crate::manifest::{DistManifest, ManifestApp, ManifestArtifact};
use crate::plan::Plan;

/// Name of the checksum file in the out dir.
pub const SHA256SUMS: &str = "SHA256SUMS";
/// Name of the manifest in the out dir.
pub const MANIFEST: &str = "dist-manifest.json";

/// Creates the out dir and proves it writable before any long build starts.
pub(crate) fn prepare_out_dir(dir: &Path) -> Result<()> {
    let fix = |e: std::io::Error| Error::Io {
        action: "out dir is not writable (choose another --out-dir):",
        path: dir.to_path_buf(),
        source: e,
    };
    std::fs::create_dir_all(dir).map_err(fix)?;
    AtomicFile::create(&dir.join(".crateship-write-test")).map_err(|e| fix(e.source))?;
    Ok(())
}

/// Writes `SHA256SUMS` and `dist-manifest.json` for the artifacts of this run.
pub fn write(plan: &Plan, mut artifacts: Vec<ManifestArtifact>) -> Result<DistManifest> {
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    let sums: String = artifacts
        .iter()
        .map(|a| format!("{}  {}\n", a.sha256, a.path))
        .collect();
    crateship_support::atomic::write(&plan.out_dir.join(SHA256SUMS), sums.as_bytes())?;
    let manifest = DistManifest {
        app: ManifestApp {
            name: plan.app.name.clone(),
            version: plan.app.version.clone(),
            identifier: plan.app.identifier.clone(),
        },
        artifacts,
    };
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::input("the release manifest", e))?
        + "\n";
    crateship_support::atomic::write(&plan.out_dir.join(MANIFEST), json.as_bytes())?;
    Ok(manifest)
}
