//! What the release records about itself, as the plan states it: the SBOM
//! formats written beside each artifact and whether a provenance statement is
//! written, with the inputs they are made from (the lockfile, the configuration
//! as written).

use std::path::PathBuf;

use serde::Serialize;

use super::Inputs;
pub use crate::config::SbomFormat;

/// The finalize step's SBOMs and provenance.
#[derive(Debug, Clone, Serialize)]
pub struct RecordsPlan {
    /// SBOM formats per artifact (empty: none).
    pub sbom_formats: Vec<SbomFormat>,
    /// Whether `provenance.intoto.json` is written.
    pub provenance: bool,
    /// The workspace's `Cargo.lock`.
    pub cargo_lock: PathBuf,
    /// The `[package.metadata.crateship]` table as written (relative paths, no
    /// host facts), recorded in the provenance.
    pub config: serde_json::Value,
}

impl RecordsPlan {
    /// Whether nothing is recorded (the plan JSON then leaves it out).
    pub fn is_empty(&self) -> bool {
        self.sbom_formats.is_empty() && !self.provenance
    }
}

/// The records plan of `inputs`.
pub(super) fn plan(inputs: &Inputs) -> RecordsPlan {
    RecordsPlan {
        sbom_formats: inputs.config.sbom_formats.clone(),
        provenance: inputs.config.provenance,
        cargo_lock: inputs
            .metadata
            .workspace_root
            .join("Cargo.lock")
            .into_std_path_buf(),
        config: inputs
            .package
            .metadata
            .get("crateship")
            .cloned()
            .unwrap_or(serde_json::Value::Null),
    }
}
