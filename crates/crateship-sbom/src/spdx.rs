//! SPDX 2.3 JSON: the same content as the CycloneDX document. The artifact is the
//! described package; every crate is a package with its purl, licence and registry
//! checksum; `DEPENDS_ON` relationships carry the graph.

use serde::Serialize;

use crate::artifact::{Artifact, ArtifactKind, Stamp};
use crate::ids::{document_uuid, unique};
use crate::{DepSet, SbomError};

/// Where the deterministic `documentNamespace` URIs live.
const NAMESPACE_BASE: &str = "https://crateship.invalid/spdxdocs";
/// SPDX's word for "not stated".
const NOASSERTION: &str = "NOASSERTION";
/// The SPDX id of the artifact's package.
const ARTIFACT_ID: &str = "SPDXRef-Artifact";

/// The SPDX 2.3 JSON document for `artifact`, built from `deps`: pretty-printed,
/// newline-terminated, byte-identical for the same inputs. `documentNamespace` ends
/// in a UUIDv5 of the artifact digest; `created` is the stamp's `SOURCE_DATE_EPOCH`.
pub fn spdx_json(deps: &DepSet, artifact: &Artifact, stamp: &Stamp) -> Result<Vec<u8>, SbomError> {
    let sha256 = artifact.checked_sha256()?;
    let ids = unique(
        deps.crates()
            .iter()
            .map(|c| {
                format!(
                    "SPDXRef-Crate-{}",
                    id_safe(&format!("{}-{}", c.name, c.version))
                )
            })
            .collect(),
    );
    let mut packages = vec![Package {
        spdx_id: ARTIFACT_ID.to_owned(),
        name: artifact.file_name.to_owned(),
        version_info: artifact.version.to_owned(),
        download_location: NOASSERTION.to_owned(),
        files_analyzed: false,
        license_concluded: NOASSERTION.to_owned(),
        license_declared: deps
            .root()
            .license
            .clone()
            .unwrap_or_else(|| NOASSERTION.into()),
        copyright_text: NOASSERTION,
        checksums: vec![Checksum::sha256(&sha256)],
        external_refs: Vec::new(),
        primary_package_purpose: match artifact.kind {
            ArtifactKind::Application => "APPLICATION",
            ArtifactKind::File => "FILE",
        },
        comment: Some(format!("Built for {}.", deps.target())),
    }];
    packages.extend(deps.crates().iter().zip(&ids).map(|(krate, id)| {
        Package {
            spdx_id: id.clone(),
            name: krate.name.clone(),
            version_info: krate.version.clone(),
            download_location: krate
                .source
                .download_location(&krate.name, &krate.version)
                .unwrap_or_else(|| NOASSERTION.into()),
            files_analyzed: false,
            license_concluded: NOASSERTION.to_owned(),
            license_declared: krate.license.clone().unwrap_or_else(|| NOASSERTION.into()),
            copyright_text: NOASSERTION,
            checksums: krate.sha256.iter().map(|h| Checksum::sha256(h)).collect(),
            external_refs: vec![ExternalRef {
                reference_category: "PACKAGE-MANAGER",
                reference_type: "purl",
                reference_locator: krate.purl.clone(),
            }],
            primary_package_purpose: "LIBRARY",
            comment: match (krate.proc_macro, krate.build_only) {
                (true, _) => Some("proc-macro: runs inside the compiler, not linked".into()),
                (false, true) => Some("build-time only: a dependency of a proc-macro".into()),
                (false, false) => None,
            },
        }
    }));
    let mut relationships = vec![
        Relationship::new("SPDXRef-DOCUMENT", "DESCRIBES", ARTIFACT_ID),
        Relationship::new(ARTIFACT_ID, "DEPENDS_ON", &ids[deps.root_index()]),
    ];
    for (krate, id) in deps.crates().iter().zip(&ids) {
        let mut targets: Vec<&String> = krate.dependencies.iter().map(|&i| &ids[i]).collect();
        targets.sort();
        relationships.extend(
            targets
                .into_iter()
                .map(|target| Relationship::new(id, "DEPENDS_ON", target)),
        );
    }
    let document = Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: artifact.file_name.to_owned(),
        document_namespace: format!(
            "{NAMESPACE_BASE}/{}-{}",
            id_safe(artifact.file_name),
            document_uuid("spdx", &sha256)
        ),
        creation_info: CreationInfo {
            created: crateship_support::date::rfc3339(stamp.source_date_epoch),
            creators: vec![format!("Tool: crateship-{}", stamp.tool_version)],
        },
        document_describes: vec![ARTIFACT_ID],
        packages,
        relationships,
    };
    crate::json::pretty(&document, "SPDX")
}

/// `text` with every character SPDX ids do not allow (anything but ASCII letters,
/// digits, `.` and `-`) replaced by `-`.
fn id_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    document_describes: Vec<&'static str>,
    packages: Vec<Package>,
    relationships: Vec<Relationship>,
}

#[derive(Serialize)]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: String,
    version_info: String,
    download_location: String,
    files_analyzed: bool,
    license_concluded: String,
    license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    primary_package_purpose: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: &'static str,
    checksum_value: String,
}

impl Checksum {
    fn sha256(hex: &str) -> Checksum {
        Checksum {
            algorithm: "SHA256",
            checksum_value: hex.to_owned(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

impl Relationship {
    fn new(from: &str, kind: &'static str, to: &str) -> Relationship {
        Relationship {
            spdx_element_id: from.to_owned(),
            relationship_type: kind,
            related_spdx_element: to.to_owned(),
        }
    }
}
