//! What an SBOM describes and the facts of the run every document records.

use crate::SbomError;
use crate::lockfile::is_sha256_hex;

/// The release artifact an SBOM describes (the "described component").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Artifact<'a> {
    /// Its file name in the dist directory, e.g. `Hello-1.2.3-x64.msi`.
    pub file_name: &'a str,
    /// The release version, e.g. `1.2.3`.
    pub version: &'a str,
    /// The SHA-256 of the final (signed) file, hex.
    pub sha256: &'a str,
    /// Whether it is a program or a container of one.
    pub kind: ArtifactKind,
}

/// How SBOMs classify an artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArtifactKind {
    /// An executable or application bundle (CycloneDX `application`, SPDX
    /// `APPLICATION`).
    Application,
    /// An installer or archive holding the application (CycloneDX `file`, SPDX
    /// `FILE`).
    File,
}

/// The facts of the run that every generated document records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp<'a> {
    /// crateship's version, recorded as the generating tool.
    pub tool_version: &'a str,
    /// `SOURCE_DATE_EPOCH`: every timestamp in the documents.
    pub source_date_epoch: i64,
}

impl Artifact<'_> {
    /// The digest in lower case, checked to be a SHA-256 in hex.
    pub(crate) fn checked_sha256(&self) -> Result<String, SbomError> {
        if is_sha256_hex(self.sha256) {
            Ok(self.sha256.to_ascii_lowercase())
        } else {
            Err(SbomError::ArtifactDigest {
                artifact: self.file_name.to_owned(),
                digest: self.sha256.to_owned(),
            })
        }
    }
}

/// The CycloneDX SBOM's file name for an artifact: `NAME.cdx.json`.
pub fn cyclonedx_file_name(artifact_file_name: &str) -> String {
    format!("{artifact_file_name}.cdx.json")
}

/// The SPDX SBOM's file name for an artifact: `NAME.spdx.json`.
pub fn spdx_file_name(artifact_file_name: &str) -> String {
    format!("{artifact_file_name}.spdx.json")
}
