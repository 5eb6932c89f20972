//! CycloneDX 1.6 JSON: the artifact as the described component, every crate of its
//! [`DepSet`] as a `library` component, and the dependency graph.

use serde::Serialize;

use crate::artifact::{Artifact, ArtifactKind, Stamp};
use crate::ids::{document_uuid, unique};
use crate::{DepSet, SbomError};

/// The property that marks proc-macro crates.
pub const PROC_MACRO_PROPERTY: &str = "crateship:proc-macro";
/// The property that marks crates that run at build time only (proc-macros and what
/// only they depend on); its value is `build`.
pub const DEPENDENCY_KIND_PROPERTY: &str = "crateship:dependency-kind";
/// The metadata property naming the target triple the set was computed for.
pub const TARGET_PROPERTY: &str = "crateship:target";

/// The CycloneDX 1.6 JSON document for `artifact`, built from `deps`: pretty-printed,
/// newline-terminated, byte-identical for the same inputs. Its `serialNumber` is a
/// UUIDv5 of the artifact digest; its timestamp is the stamp's `SOURCE_DATE_EPOCH`.
pub fn cyclonedx_json(
    deps: &DepSet,
    artifact: &Artifact,
    stamp: &Stamp,
) -> Result<Vec<u8>, SbomError> {
    let sha256 = artifact.checked_sha256()?;
    let refs = unique(deps.crates().iter().map(|c| c.purl.clone()).collect());
    let artifact_ref = format!("artifact:{}", artifact.file_name);
    let components = deps
        .crates()
        .iter()
        .zip(&refs)
        .map(|(krate, bom_ref)| {
            let mut properties = Vec::new();
            if krate.proc_macro {
                properties.push(Property::new(PROC_MACRO_PROPERTY, "true"));
            }
            if krate.build_only {
                properties.push(Property::new(DEPENDENCY_KIND_PROPERTY, "build"));
            }
            Component {
                kind: "library",
                bom_ref: bom_ref.clone(),
                name: krate.name.clone(),
                version: krate.version.clone(),
                hashes: krate.sha256.iter().map(|h| Hash::sha256(h)).collect(),
                licenses: krate
                    .license
                    .iter()
                    .map(|expression| License {
                        expression: expression.clone(),
                    })
                    .collect(),
                purl: Some(krate.purl.clone()),
                properties,
            }
        })
        .collect();
    let mut dependencies = vec![Dependency {
        reference: artifact_ref.clone(),
        depends_on: vec![refs[deps.root_index()].clone()],
    }];
    dependencies.extend(deps.crates().iter().zip(&refs).map(|(krate, bom_ref)| {
        let mut depends_on: Vec<String> = krate
            .dependencies
            .iter()
            .map(|&i| refs[i].clone())
            .collect();
        depends_on.sort();
        Dependency {
            reference: bom_ref.clone(),
            depends_on,
        }
    }));
    let bom = Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: format!("urn:uuid:{}", document_uuid("cyclonedx", &sha256)),
        version: 1,
        metadata: Metadata {
            timestamp: crateship_support::date::rfc3339(stamp.source_date_epoch),
            tools: Tools {
                components: vec![Tool {
                    kind: "application",
                    name: "crateship",
                    version: stamp.tool_version.to_owned(),
                }],
            },
            component: Component {
                kind: match artifact.kind {
                    ArtifactKind::Application => "application",
                    ArtifactKind::File => "file",
                },
                bom_ref: artifact_ref,
                name: artifact.file_name.to_owned(),
                version: artifact.version.to_owned(),
                hashes: vec![Hash::sha256(&sha256)],
                licenses: deps
                    .root()
                    .license
                    .iter()
                    .map(|expression| License {
                        expression: expression.clone(),
                    })
                    .collect(),
                purl: None,
                properties: Vec::new(),
            },
            properties: vec![Property::new(TARGET_PROPERTY, deps.target())],
        },
        components,
        dependencies,
    };
    crate::json::pretty(&bom, "CycloneDX")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
struct Metadata {
    timestamp: String,
    tools: Tools,
    component: Component,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Tool>,
}

#[derive(Serialize)]
struct Tool {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: String,
}

#[derive(Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    name: String,
    version: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<License>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

impl Hash {
    fn sha256(hex: &str) -> Hash {
        Hash {
            alg: "SHA-256",
            content: hex.to_owned(),
        }
    }
}

#[derive(Serialize)]
struct License {
    expression: String,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

impl Property {
    fn new(name: &'static str, value: &str) -> Property {
        Property {
            name,
            value: value.to_owned(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    depends_on: Vec<String>,
}
