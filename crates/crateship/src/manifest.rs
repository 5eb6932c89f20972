//! `dist-manifest.json`: what a run produced, for tools and tests to find artifacts.
//!
//! The shape is fixed by DESIGN §6; `schema/dist-manifest.schema.json` is generated
//! from these types and kept in sync by `cargo xtask codegen --check`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The manifest's file name in an out dir.
pub const FILE_NAME: &str = "dist-manifest.json";

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistManifest {
    /// The application released.
    pub app: ManifestApp,
    /// Every artifact written, sorted by path.
    pub artifacts: Vec<ManifestArtifact>,
}

/// Identity of the released application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestApp {
    /// Package name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Reverse-DNS identifier, `null` if not configured.
    pub identifier: Option<String>,
}

/// One artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestArtifact {
    /// Path relative to the out dir, `/`-separated.
    pub path: String,
    /// Format name, e.g. `tar.gz`.
    pub format: String,
    /// Rust target triple it is for.
    pub target: String,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// What the binaries inside need from the host system.
    #[serde(default, skip_serializing_if = "Requirements::is_empty")]
    pub requirements: Requirements,
    /// How the artifact itself is signed, if it is (never any secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// A signature embedded in an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Signature scheme, e.g. `authenticode`.
    pub scheme: String,
    /// Subject of the signing certificate.
    pub subject: String,
    /// SHA-256 fingerprint of the signing certificate.
    pub sha256_fingerprint: String,
    /// The RFC 3161 server that timestamped it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_server: Option<String>,
    /// Apple's notarization submission id, when the artifact (or the app in it)
    /// was notarized and the ticket stapled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notarization: Option<String>,
}

/// Host requirements of an artifact's binaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// Minimum glibc (e.g. `2.17`) for gnu Linux binaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glibc: Option<String>,
    /// Minimum macOS version for macOS binaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub macos: Option<String>,
}

impl Requirements {
    /// True when nothing is required.
    pub fn is_empty(&self) -> bool {
        self.glibc.is_none() && self.macos.is_none()
    }
}

/// The JSON Schema of [`DistManifest`], pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(DistManifest);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
