//! The Windows installer step: turns a planned MSI into a
//! `crateship_windows::MsiPackage` (files, Start-menu shortcut to the main exe,
//! icon, upgrade code) and writes it atomically.

use std::path::Path;

use crateship_icons::IconSet;
use crateship_windows::{MsiArch, MsiFile, MsiPackage};

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::plan::{ArtifactPlan, Plan, TargetPlan};
use crate::target::Arch;

/// Writes the MSI for `target` to `path`; nothing is left behind on error.
pub fn write_msi(
    plan: &Plan,
    target: &TargetPlan,
    artifact: &ArtifactPlan,
    icons: &IconSet,
    path: &Path,
) -> Result<()> {
    let pkg = package(plan, target, artifact, icons)?;
    let mut out = AtomicFile::create(path)?;
    crateship_windows::write_msi(&pkg, out.file())
        .map_err(|e| Error::Command(format!("cannot write {}: {e}", path.display())))?;
    out.commit()?;
    Ok(())
}

/// Builds the MSI description for one artifact.
pub fn package(
    plan: &Plan,
    target: &TargetPlan,
    artifact: &ArtifactPlan,
    icons: &IconSet,
) -> Result<MsiPackage> {
    let app = &plan.app;
    let identifier = app.identifier.clone().ok_or_else(|| {
        Error::Usage("msi needs `identifier` in [package.metadata.crateship]".into())
    })?;
    let manufacturer = app
        .authors
        .first()
        .map(|a| a.split('<').next().unwrap_or(a).trim().to_owned())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| app.product_name.clone());
    let main_exe = target
        .binaries
        .first()
        .map(|b| b.file_name.clone())
        .unwrap_or_default();
    Ok(MsiPackage {
        product_name: app.product_name.clone(),
        manufacturer,
        version: app.version.clone(),
        identifier,
        upgrade_code: plan.windows.upgrade_code.clone(),
        description: app
            .description
            .clone()
            .unwrap_or_else(|| app.product_name.clone()),
        homepage: app.homepage.clone(),
        files: artifact
            .entries
            .iter()
            .map(|e| MsiFile {
                source: e.source.clone(),
                dest: e.dest.clone(),
            })
            .collect(),
        main_exe,
        icon: Some(icons.ico.clone()),
        desktop_shortcut: false,
        per_user: false,
        arch: match target.arch {
            Arch::X86_64 => MsiArch::X64,
            Arch::Aarch64 => MsiArch::Arm64,
        },
        source_date_epoch: plan.source_date_epoch,
    })
}
