//! One in-toto Statement v1 per release, with an SLSA Provenance v1 predicate: the
//! subjects are every artifact with its SHA-256, the build definition names the
//! commit, the applied crateship config, the targets and formats, and the resolved
//! dependencies are `Cargo.lock`'s digest and the toolchain versions used.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::SbomError;
use crate::lockfile::is_sha256_hex;

/// The provenance file's name in the dist directory.
pub const PROVENANCE_FILE_NAME: &str = "provenance.intoto.json";
/// The in-toto Statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The SLSA Provenance v1 predicate type.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// The build type: a `crateship dist` run; its external parameters are
/// [`ExternalParameters`].
pub const BUILD_TYPE: &str = "https://crateship.invalid/provenance/dist/v1";

/// An artifact the statement is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// Its file name in the dist directory (as in `SHA256SUMS`).
    pub name: String,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// A tool of the toolchain and the version it reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolVersion {
    /// `rustc`, `cargo`, `zig`, `cargo-zigbuild`, …
    pub name: String,
    /// What the tool reported, e.g. `rustc 1.95.0 (0123abcd 2026-01-01)`.
    pub version: String,
}

/// The inputs the builder was asked for: the build's external parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalParameters {
    /// The git commit built, if the project is a git checkout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Whether the work tree had uncommitted changes.
    pub dirty: bool,
    /// The crateship configuration that applied, as JSON.
    pub config: serde_json::Value,
    /// The target triples built.
    pub targets: Vec<String>,
    /// The formats written.
    pub formats: Vec<String>,
}

/// Everything a release's provenance statement records.
#[derive(Clone, Debug, PartialEq)]
pub struct ProvenanceInput {
    /// Every artifact of the release (sorted by name in the statement).
    pub subjects: Vec<Subject>,
    /// What the build was asked to do.
    pub parameters: ExternalParameters,
    /// The SHA-256 of the workspace's `Cargo.lock`, hex.
    pub cargo_lock_sha256: String,
    /// The toolchain actually used (rustc, cargo, zig, cargo-zigbuild).
    pub toolchain: Vec<ToolVersion>,
    /// Who ran the build: a URI naming the builder (e.g. the CI system).
    pub builder_id: String,
    /// An id of this run, if the builder has one (e.g. a CI run URL).
    pub invocation_id: Option<String>,
    /// crateship's version, recorded as the builder's version.
    pub tool_version: String,
    /// `SOURCE_DATE_EPOCH`: the statement's start and finish times.
    pub source_date_epoch: i64,
}

/// The in-toto Statement JSON (pretty-printed, newline-terminated, byte-identical
/// for the same input): the unsigned `provenance.intoto.json`, and the payload
/// [`crate::dsse_envelope`] signs.
pub fn provenance_statement(input: &ProvenanceInput) -> Result<Vec<u8>, SbomError> {
    if input.subjects.is_empty() {
        return Err(SbomError::NoSubjects);
    }
    let mut subjects = Vec::with_capacity(input.subjects.len());
    for subject in &input.subjects {
        subjects.push(ResourceDescriptor::with_sha256(
            &subject.name,
            checked(&subject.name, &subject.sha256)?,
        ));
    }
    subjects.sort_by(|a, b| a.name.cmp(&b.name));

    let mut resolved = vec![ResourceDescriptor::with_sha256(
        "Cargo.lock",
        checked("Cargo.lock", &input.cargo_lock_sha256)?,
    )];
    if let Some(commit) = &input.parameters.commit {
        resolved.push(ResourceDescriptor {
            name: "source".into(),
            digest: BTreeMap::from([("gitCommit", commit.clone())]),
            annotations: BTreeMap::new(),
        });
    }
    resolved.extend(input.toolchain.iter().map(|tool| ResourceDescriptor {
        name: tool.name.clone(),
        digest: BTreeMap::new(),
        annotations: BTreeMap::from([("version", tool.version.clone())]),
    }));

    let time = crateship_support::date::rfc3339(input.source_date_epoch);
    let statement = Statement {
        kind: STATEMENT_TYPE,
        subject: subjects,
        predicate_type: SLSA_PROVENANCE_V1,
        predicate: Predicate {
            build_definition: BuildDefinition {
                build_type: BUILD_TYPE,
                external_parameters: &input.parameters,
                resolved_dependencies: resolved,
            },
            run_details: RunDetails {
                builder: Builder {
                    id: input.builder_id.clone(),
                    version: BTreeMap::from([("crateship", input.tool_version.clone())]),
                },
                metadata: BuildMetadata {
                    invocation_id: input.invocation_id.clone(),
                    started_on: time.clone(),
                    finished_on: time,
                },
            },
        },
    };
    crate::json::pretty(&statement, "in-toto Statement")
}

/// `digest` in lower case, checked to be a SHA-256 in hex.
fn checked(name: &str, digest: &str) -> Result<String, SbomError> {
    if is_sha256_hex(digest) {
        Ok(digest.to_ascii_lowercase())
    } else {
        Err(SbomError::ArtifactDigest {
            artifact: name.to_owned(),
            digest: digest.to_owned(),
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Statement<'a> {
    #[serde(rename = "_type")]
    kind: &'static str,
    subject: Vec<ResourceDescriptor>,
    predicate_type: &'static str,
    predicate: Predicate<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Predicate<'a> {
    build_definition: BuildDefinition<'a>,
    run_details: RunDetails,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BuildDefinition<'a> {
    build_type: &'static str,
    external_parameters: &'a ExternalParameters,
    resolved_dependencies: Vec<ResourceDescriptor>,
}

#[derive(Serialize)]
struct ResourceDescriptor {
    name: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    digest: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<&'static str, String>,
}

impl ResourceDescriptor {
    fn with_sha256(name: &str, sha256: String) -> ResourceDescriptor {
        ResourceDescriptor {
            name: name.to_owned(),
            digest: BTreeMap::from([("sha256", sha256)]),
            annotations: BTreeMap::new(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunDetails {
    builder: Builder,
    metadata: BuildMetadata,
}

#[derive(Serialize)]
struct Builder {
    id: String,
    version: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BuildMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    invocation_id: Option<String>,
    started_on: String,
    finished_on: String,
}
