//! The MSI adapter: a planned MSI onto `crateship_windows::MsiPackage` (files
//! side by side in the install folder, a Start-menu shortcut to the main exe,
//! the generated `.ico`, the configured UpgradeCode).

use crateship_support::AtomicFile;
use crateship_windows::{MsiFile, MsiPackage};

use super::{ArtifactCtx, Written};
use crate::error::Result;

/// Writes the unsigned MSI into `out`.
pub(super) fn write(ctx: &ArtifactCtx<'_>, out: &mut AtomicFile) -> Result<Written> {
    let pkg = package(ctx)?;
    crateship_windows::write_msi(&pkg, out.file()).map_err(|e| ctx.fail(e))?;
    Ok(Written {
        mode: 0o644,
        msi: Some(crateship_windows::msi_codes(&pkg).map_err(|e| ctx.fail(e))?),
        ..Written::default()
    })
}

/// The MSI description of one planned artifact.
fn package(ctx: &ArtifactCtx<'_>) -> Result<MsiPackage> {
    let (plan, app) = (ctx.plan, &ctx.plan.app);
    let identifier = app.identifier_for(ctx.artifact.format)?.to_owned();
    Ok(MsiPackage {
        product_name: app.product_name.clone(),
        manufacturer: app.publisher.clone(),
        version: app.version.clone(),
        identifier,
        upgrade_code: plan.windows.upgrade_code.clone(),
        description: app.summary.clone(),
        homepage: app.homepage.clone(),
        files: ctx
            .artifact
            .entries
            .iter()
            .map(|e| MsiFile {
                source: e.source.clone(),
                dest: e.dest.clone(),
            })
            .collect(),
        main_exe: plan
            .main_binary(ctx.target)
            .map(|b| b.file_name.clone())
            .unwrap_or_default(),
        icon: Some(ctx.icons.ico.clone()),
        desktop_shortcut: plan.windows.desktop_shortcut,
        per_user: plan.windows.per_user,
        arch: ctx.target.arch.msi(),
        source_date_epoch: plan.source_date_epoch,
    })
}
