//! The macOS bundling step: builds the `.app` bundle from a target's binary
//! (Info.plist, icon, resources, ad-hoc code signature) in a staging directory,
//! then writes the planned artifact from it: the zipped `.app`, a `.dmg` or a
//! `.pkg`.

use std::path::{Path, PathBuf};

use crateship_icons::IconSet;
use crateship_macos::{AdHocOptions, AppBundle, DmgOptions, PkgInfo};

use crate::archive::{self, ArchiveSpec};
use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::format::Format;
use crate::plan::{ArtifactPlan, Plan, TargetPlan};

/// Writes one macOS artifact to `path` atomically.
pub fn write_artifact(
    plan: &Plan,
    target: &TargetPlan,
    artifact: &ArtifactPlan,
    icons: &IconSet,
    path: &Path,
) -> Result<()> {
    let staging = plan
        .target_dir
        .join("crateship")
        .join("macos")
        .join(target.triple.as_str())
        .join(artifact.format.name());
    let app_dir = build_app(plan, artifact, icons, &staging)?;
    let fail = |e: crateship_macos::MacosError| {
        Error::Command(format!("cannot write {}: {e}", path.display()))
    };
    let sde = plan.source_date_epoch.max(0) as u64;
    match artifact.format {
        Format::Dmg => {
            let out = AtomicFile::create(path)?;
            let out = crateship_macos::write_dmg(
                &app_dir,
                &DmgOptions::new(plan.app.product_name.clone(), sde),
                out,
            )
            .map_err(fail)?;
            out.commit()?;
        }
        Format::Pkg => {
            let mut info = PkgInfo::new(plan.app.product_name.clone(), sde);
            info.minimum_system_version = Some(plan.macos_minimum_system_version.clone());
            let out = AtomicFile::create(path)?;
            let out = crateship_macos::write_pkg(&app_dir, &info, out).map_err(fail)?;
            out.commit()?;
        }
        _ => {
            let root = app_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let spec = ArchiveSpec::from_dir(&app_dir, &root, plan.source_date_epoch)?;
            archive::write(Format::Zip, &spec, path)?;
        }
    }
    let _ = std::fs::remove_dir_all(&staging);
    Ok(())
}

/// Writes and ad-hoc signs the `.app` in a fresh `staging` directory; returns its path.
fn build_app(
    plan: &Plan,
    artifact: &ArtifactPlan,
    icons: &IconSet,
    staging: &Path,
) -> Result<PathBuf> {
    let app = &plan.app;
    let identifier = app.identifier.clone().ok_or_else(|| {
        Error::Usage(format!(
            "{} needs `identifier` in [package.metadata.crateship]",
            artifact.format
        ))
    })?;
    let (main, rest) = artifact
        .entries
        .split_first()
        .ok_or_else(|| Error::Usage(format!("{} has no binary to bundle", artifact.file_name)))?;
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir_all(staging).map_err(|e| Error::io("cannot create", staging, e))?;
    let year = crate::epoch::rfc3339(plan.source_date_epoch)
        .chars()
        .take(4)
        .collect::<String>();
    let owner = app
        .authors
        .first()
        .map(|a| a.split('<').next().unwrap_or(a).trim().to_owned())
        .unwrap_or_default();
    let bundle = AppBundle {
        identifier,
        name: app.product_name.clone(),
        display_name: app.product_name.clone(),
        executable: main.dest.clone(),
        binary: main.source.clone(),
        version: app.version.clone(),
        bundle_version: None,
        icns: Some(icons.icns.clone()),
        minimum_system_version: plan.macos_minimum_system_version.clone(),
        category: Some("public.app-category.utilities".into()),
        copyright: (!owner.is_empty()).then(|| format!("Copyright © {year} {owner}")),
        url_schemes: Vec::new(),
        document_types: Vec::new(),
        resources: rest
            .iter()
            .map(|e| (e.source.clone(), e.dest.clone()))
            .collect(),
        extra_plist: Default::default(),
        source_date_epoch: plan.source_date_epoch.max(0) as u64,
    };
    let fail =
        |e: crateship_macos::MacosError| Error::Usage(format!("{}: {e}", artifact.file_name));
    let app_dir = crateship_macos::write_app(&bundle, staging).map_err(fail)?;
    let opts = AdHocOptions {
        hardened_runtime: false,
        source_date_epoch: bundle.source_date_epoch,
    };
    crateship_macos::sign_app_adhoc(&app_dir, &opts).map_err(fail)?;
    Ok(app_dir)
}

/// Wraps an existing `.app` directory in a `.dmg` or `.pkg` at `out` (for
/// benchmarks against `tar -czf`; releases go through [`write_artifact`]).
pub fn wrap_app(app_dir: &Path, format: Format, out: &Path, source_date_epoch: u64) -> Result<()> {
    let fail = |e: crateship_macos::MacosError| {
        Error::Command(format!("cannot write {}: {e}", out.display()))
    };
    let file = AtomicFile::create(out)?;
    let file = match format {
        Format::Dmg => crateship_macos::write_dmg(
            app_dir,
            &DmgOptions::new("Payload", source_date_epoch),
            file,
        )
        .map_err(fail)?,
        Format::Pkg => {
            crateship_macos::write_pkg(app_dir, &PkgInfo::new("Payload", source_date_epoch), file)
                .map_err(fail)?
        }
        other => {
            return Err(Error::Usage(format!(
                "`{other}` does not wrap an app; use dmg or pkg"
            )));
        }
    };
    file.commit()?;
    Ok(())
}
