//! What the release records about itself, from the final (signed) bytes: an SBOM
//! beside each artifact naming the crates compiled into its binaries for its
//! target (crateship-sbom, from `cargo metadata --filter-platform TARGET` and
//! `Cargo.lock`), and the release's provenance statement over every other file
//! of the release, in a DSSE envelope signed with the minisign key when one is
//! configured. Everything is staged and published with the artifacts.

use std::collections::BTreeMap;

use crateship_sbom::{
    Artifact, ArtifactKind, DepSet, ExternalParameters, ProvenanceInput, Stamp, Subject,
    ToolVersion,
};

use super::finalize::{Produced, stage_file};
use super::sign::Signers;
use crate::error::{Error, Result};
use crate::format::{Family, MacosKind};
use crate::plan::records::SbomFormat;
use crate::plan::{BuildStep, Plan, TargetPlan};
use crate::process::CommandSpec;

/// The provenance statement's file name.
pub const PROVENANCE: &str = crateship_sbom::PROVENANCE_FILE_NAME;
/// The signed DSSE envelope of the statement.
pub const PROVENANCE_DSSE: &str = "provenance.intoto.dsse.json";

/// The SBOMs of the artifacts in `produced`, staged beside them.
pub(crate) fn sboms(plan: &Plan, produced: &[Produced]) -> Result<Vec<Produced>> {
    let formats = &plan.records.sbom_formats;
    if formats.is_empty() {
        return Ok(Vec::new());
    }
    let lock = cargo_lock(plan)?;
    let stamp = Stamp {
        tool_version: &plan.crateship_version,
        source_date_epoch: plan.source_date_epoch,
    };
    let mut sets: BTreeMap<String, DepSet> = BTreeMap::new();
    let mut out = Vec::new();
    for p in produced {
        let Some((target, format)) = p.planned(plan) else {
            continue;
        };
        let deps = match sets.entry(target.triple.to_string()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(dependency_set(plan, target, &lock)?)
            }
        };
        let artifact = Artifact {
            file_name: &p.entry.path,
            version: &plan.app.version,
            sha256: &p.entry.sha256,
            kind: match format.family() {
                Family::AppImage | Family::Macos(MacosKind::App) => ArtifactKind::Application,
                _ => ArtifactKind::File,
            },
        };
        for sbom in formats {
            let (name, bytes) = match sbom {
                SbomFormat::Cyclonedx => (
                    crateship_sbom::cyclonedx_file_name(&p.entry.path),
                    crateship_sbom::cyclonedx_json(deps, &artifact, &stamp),
                ),
                SbomFormat::Spdx => (
                    crateship_sbom::spdx_file_name(&p.entry.path),
                    crateship_sbom::spdx_json(deps, &artifact, &stamp),
                ),
            };
            let bytes = bytes.map_err(|e| Error::artifact(plan.out_dir.join(&name), e))?;
            let kind = match sbom {
                SbomFormat::Cyclonedx => "sbom-cyclonedx",
                SbomFormat::Spdx => "sbom-spdx",
            };
            out.push(stage_file(
                plan,
                &name,
                kind,
                target.triple.as_str(),
                &bytes[..],
                0o644,
            )?);
        }
    }
    Ok(out)
}

/// The release's provenance statement (and its signed envelope) over `produced`.
pub(crate) fn provenance(
    plan: &Plan,
    signers: &Signers,
    produced: &[Produced],
) -> Result<Vec<Produced>> {
    if !plan.records.provenance {
        return Ok(Vec::new());
    }
    let lock = cargo_lock(plan)?;
    let (lock_sha256, _) = crateship_support::hash::sha256_reader(lock.as_bytes())
        .map_err(|e| Error::io("cannot hash", &plan.records.cargo_lock, e))?;
    let mut formats: Vec<String> = plan
        .targets
        .iter()
        .flat_map(|t| t.artifacts.iter().map(|a| a.format.name().to_owned()))
        .collect();
    formats.sort();
    formats.dedup();
    let input = ProvenanceInput {
        subjects: produced
            .iter()
            .map(|p| Subject {
                name: p.entry.path.clone(),
                sha256: p.entry.sha256.clone(),
            })
            .collect(),
        parameters: ExternalParameters {
            commit: (plan.build_info.commit != "unknown").then(|| plan.build_info.commit.clone()),
            dirty: plan.build_info.dirty,
            config: plan.records.config.clone(),
            targets: plan.targets.iter().map(|t| t.triple.to_string()).collect(),
            formats,
        },
        cargo_lock_sha256: lock_sha256,
        toolchain: toolchain(plan)?,
        builder_id: format!(
            "https://crateship.invalid/builder/crateship@{}",
            plan.crateship_version
        ),
        invocation_id: None,
        tool_version: plan.crateship_version.clone(),
        source_date_epoch: plan.source_date_epoch,
    };
    let statement = crateship_sbom::provenance_statement(&input)
        .map_err(|e| Error::artifact(plan.out_dir.join(PROVENANCE), e))?;
    let mut out = vec![stage_file(
        plan,
        PROVENANCE,
        "provenance",
        "",
        &statement[..],
        0o644,
    )?];
    if let Some(sign) = signers.dsse_signer()? {
        let envelope = crateship_sbom::dsse_envelope(&statement, sign)
            .map_err(|e| Error::artifact(plan.out_dir.join(PROVENANCE_DSSE), e))?;
        out.push(stage_file(
            plan,
            PROVENANCE_DSSE,
            "provenance-dsse",
            "",
            &envelope[..],
            0o644,
        )?);
    }
    Ok(out)
}

fn cargo_lock(plan: &Plan) -> Result<String> {
    let path = &plan.records.cargo_lock;
    std::fs::read_to_string(path).map_err(|e| {
        Error::requirement(
            format!(
                "SBOMs and provenance are made from {}, which cannot be read ({e})",
                path.display()
            ),
            "run `cargo generate-lockfile` (and commit Cargo.lock)",
        )
    })
}

/// The crates compiled into `target`'s binaries.
fn dependency_set(plan: &Plan, target: &TargetPlan, lock: &str) -> Result<DepSet> {
    // A universal binary holds both slices; their dependency sets are the same
    // crates (Apple targets share their cfgs but the arch), recorded for arm64.
    let triple = target
        .triple
        .universal_parts()
        .map(|[_, arm]| arm.to_string())
        .unwrap_or_else(|| target.triple.to_string());
    dependency_set_for(plan, &triple, lock)
}

/// The CycloneDX SBOM of the binaries `plan` builds for `triple`, describing an
/// artifact `file_name` with digest `sha256` (for `crateship debug sbom`).
pub(crate) fn cyclonedx_for_target(
    plan: &Plan,
    triple: &str,
    file_name: &str,
    sha256: &str,
) -> Result<Vec<u8>> {
    let deps = dependency_set_for(plan, triple, &cargo_lock(plan)?)?;
    let artifact = Artifact {
        file_name,
        version: &plan.app.version,
        sha256,
        kind: ArtifactKind::Application,
    };
    let stamp = Stamp {
        tool_version: &plan.crateship_version,
        source_date_epoch: plan.source_date_epoch,
    };
    crateship_sbom::cyclonedx_json(&deps, &artifact, &stamp)
        .map_err(|e| Error::input(format!("the CycloneDX SBOM for {triple}"), e))
}

/// Writes the `cargo auditable` object of `triple` to `object`: the crates its
/// binaries are built from, as `cargo metadata --filter-platform` resolves them.
/// That run also writes a missing Cargo.lock, so the lock is read after it.
pub(super) fn write_auditable_object(
    plan: &Plan,
    triple: &str,
    object: &std::path::Path,
) -> Result<()> {
    let json = platform_metadata(plan, triple)?;
    let deps = dependency_set_from(plan, triple, &json, &cargo_lock(plan)?)?;
    let bytes = crateship_sbom::auditable_object(&deps)
        .map_err(|e| Error::input(format!("the auditable dependency list for {triple}"), e))?;
    if let Some(dir) = object.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    }
    crateship_support::atomic::write(object, &bytes)?;
    Ok(())
}

/// The crates compiled into the binaries of the target `triple`.
fn dependency_set_for(plan: &Plan, triple: &str, lock: &str) -> Result<DepSet> {
    dependency_set_from(plan, triple, &platform_metadata(plan, triple)?, lock)
}

/// `cargo metadata --filter-platform TRIPLE` of the project (dependencies resolved).
fn platform_metadata(plan: &Plan, triple: &str) -> Result<String> {
    let manifest = format!("--manifest-path={}", plan.manifest_path.display());
    Ok(CommandSpec::new(
        "cargo",
        &[
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            triple,
            &manifest,
        ],
    )
    .run()?
    .stdout)
}

/// The dependency set of `triple` from its [`platform_metadata`] and `lock`.
fn dependency_set_from(plan: &Plan, triple: &str, json: &str, lock: &str) -> Result<DepSet> {
    DepSet::from_metadata_json(json, lock, &plan.app.name, triple).map_err(|e| {
        Error::input(
            format!("the dependencies of {} for {triple}", plan.app.name),
            e,
        )
    })
}

/// The toolchain the builds of this run used (none when every target was prebuilt).
fn toolchain(plan: &Plan) -> Result<Vec<ToolVersion>> {
    let steps: Vec<&BuildStep> = plan
        .targets
        .iter()
        .flat_map(|t| match &t.build {
            BuildStep::Universal { parts, .. } => parts.iter().collect(),
            other => vec![other],
        })
        .collect();
    let built = steps.iter().any(|s| matches!(s, BuildStep::Cargo { .. }));
    let zig = steps.iter().any(|s| {
        matches!(
            s,
            BuildStep::Cargo {
                needs_zig: true,
                ..
            }
        )
    });
    let mut tools = Vec::new();
    let mut version = |name: &str, program: &str, args: &[&str]| -> Result<()> {
        let out = CommandSpec::new(program, args).run()?;
        let text = if out.stdout.trim().is_empty() {
            out.stderr
        } else {
            out.stdout
        };
        tools.push(ToolVersion {
            name: name.to_owned(),
            version: text.lines().next().unwrap_or_default().trim().to_owned(),
        });
        Ok(())
    };
    if built {
        version("rustc", "rustc", &["-V"])?;
        version("cargo", "cargo", &["-V"])?;
    }
    if zig {
        version("cargo-zigbuild", "cargo-zigbuild", &["--version"])?;
        if crate::process::on_path("zig") {
            version("zig", "zig", &["version"])?;
        } else {
            version("zig", "python3", &["-m", "ziglang", "version"])?;
        }
    }
    Ok(tools)
}
