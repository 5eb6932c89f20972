//! What went into the release: every shipped crate's licence is allowed
//! (from the CycloneDX SBOMs), and no shipped crate has a known advisory (from
//! the binaries' embedded dependency lists, else the SBOMs, against a local
//! RustSec advisory-db checkout).

use std::collections::BTreeSet;
use std::path::Path;

use crateship_sbom::Advisory;

use super::contents::ArtifactFacts;
use super::{Level, Policy, Results};
use crate::manifest::DistManifest;

/// One SBOM component: name, version and licence expression.
struct Component {
    name: String,
    version: String,
    license: Option<String>,
}

/// Adds `supply.licenses` (with an allow-list) and `supply.advisories` (with a db).
pub(super) fn check(
    dir: &Path,
    manifest: &DistManifest,
    policy: &Policy,
    advisories: Option<&[Advisory]>,
    facts: &[ArtifactFacts],
    results: &mut Results,
) {
    let sboms: Vec<(&str, Result<Vec<Component>, String>)> = manifest
        .artifacts
        .iter()
        .filter(|a| a.format == "sbom-cyclonedx")
        .map(|a| (a.path.as_str(), components(&dir.join(&a.path))))
        .collect();
    if let Some(allowed) = &policy.allowed_licenses {
        licenses(allowed, &sboms, results);
    }
    if let Some(advisories) = advisories {
        vulnerabilities(advisories, facts, &sboms, results);
    }
}

fn licenses(
    allowed: &[String],
    sboms: &[(&str, Result<Vec<Component>, String>)],
    results: &mut Results,
) {
    let id = "supply.licenses";
    if sboms.is_empty() {
        results.add(
            id,
            Level::Blocking,
            "",
            Err((
                "the release has no CycloneDX SBOM to read licences from".to_owned(),
                "rebuild with this crateship: check.allowed-licenses turns the CycloneDX SBOM on"
                    .to_owned(),
            )),
        );
        return;
    }
    for (path, parsed) in sboms {
        let outcome = match parsed {
            Err(e) => Err((e.clone(), super::REBUILD.to_owned())),
            Ok(components) => {
                let refused: Vec<String> = components
                    .iter()
                    .filter(|c| {
                        !c.license
                            .as_deref()
                            .is_some_and(|l| crateship_sbom::license_allowed(l, allowed))
                    })
                    .map(|c| {
                        format!(
                            "{} {} ({})",
                            c.name,
                            c.version,
                            c.license.as_deref().unwrap_or("no licence")
                        )
                    })
                    .collect();
                if refused.is_empty() {
                    Ok(format!(
                        "{} crates, every licence allowed",
                        components.len()
                    ))
                } else {
                    Err((
                        format!(
                            "{} of {} crates have a licence outside check.allowed-licenses: {}",
                            refused.len(),
                            components.len(),
                            refused.join(", ")
                        ),
                        "replace those dependencies, or add their licence to check.allowed-licenses \
                         once it is cleared"
                            .to_owned(),
                    ))
                }
            }
        };
        results.add(id, Level::Blocking, path, outcome);
    }
}

fn vulnerabilities(
    advisories: &[Advisory],
    facts: &[ArtifactFacts],
    sboms: &[(&str, Result<Vec<Component>, String>)],
    results: &mut Results,
) {
    let id = "supply.advisories";
    // Each artifact with binaries: their embedded lists; else its SBOM.
    let mut sources: Vec<(String, BTreeSet<(String, String)>)> = facts
        .iter()
        .filter(|f| !f.crates.is_empty())
        .map(|f| (f.path.clone(), f.crates.clone()))
        .collect();
    if sources.is_empty() {
        for (path, parsed) in sboms {
            if let Ok(components) = parsed {
                sources.push((
                    (*path).to_owned(),
                    components
                        .iter()
                        .map(|c| (c.name.clone(), c.version.clone()))
                        .collect(),
                ));
            }
        }
    }
    if sources.is_empty() {
        results.add(
            id,
            Level::Blocking,
            "",
            Err((
                "no dependency list to check: no binary embeds one and there is no SBOM".to_owned(),
                "keep `auditable = true` (the default) or set sbom-formats = [\"cyclonedx\"]"
                    .to_owned(),
            )),
        );
        return;
    }
    for (path, crates) in sources {
        let mut vulnerable = Vec::new();
        let mut informational = Vec::new();
        for (name, version) in &crates {
            for advisory in advisories.iter().filter(|a| a.affects(name, version)) {
                let line = format!("{} {name} {version}: {}", advisory.id, advisory.title);
                match &advisory.informational {
                    None => vulnerable.push(line),
                    Some(kind) => informational.push(format!("{line} ({kind})")),
                }
            }
        }
        let fix = "upgrade the crate to a patched version (`cargo update -p NAME`), then rebuild";
        results.add(
            id,
            Level::Blocking,
            &path,
            if vulnerable.is_empty() {
                Ok(format!(
                    "{} crates, no known vulnerability ({} advisories)",
                    crates.len(),
                    advisories.len()
                ))
            } else {
                Err((
                    format!("ships vulnerable crates: {}", vulnerable.join("; ")),
                    fix.to_owned(),
                ))
            },
        );
        if !informational.is_empty() {
            results.add(
                "supply.advisories-informational",
                Level::Warning,
                &path,
                Err((
                    format!(
                        "ships crates with informational advisories: {}",
                        informational.join("; ")
                    ),
                    fix.to_owned(),
                )),
            );
        }
    }
}

/// The components of a CycloneDX SBOM (the described component excluded).
fn components(path: &Path) -> Result<Vec<Component>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot be read: {e}"))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("is not JSON: {e}"))?;
    let list = doc["components"]
        .as_array()
        .ok_or("has no `components` list")?;
    Ok(list
        .iter()
        .map(|c| Component {
            name: c["name"].as_str().unwrap_or_default().to_owned(),
            version: c["version"].as_str().unwrap_or_default().to_owned(),
            license: c["licenses"]
                .as_array()
                .and_then(|l| l.first())
                .and_then(|l| l["expression"].as_str())
                .map(str::to_owned),
        })
        .collect())
}
