//! Plan-time checks: combinations that could not be written are refused before
//! anything is built — an MSI for a version Windows Installer cannot order, an
//! Info.plist whose extra keys collide with generated ones, Linux packages
//! without a maintainer.

use super::{App, IconsStep, Inputs, TargetPlan, bundle};
use crate::error::{Error, Result};
use crate::format::Family;

/// Refuses what the planned artifacts cannot carry.
pub(super) fn before_building(
    inputs: &Inputs,
    app: &App,
    icons: &IconsStep,
    targets: &[TargetPlan],
) -> Result<()> {
    let manifest = inputs.package.manifest_path.clone().into_std_path_buf();
    let artifacts = || targets.iter().flat_map(|t| &t.artifacts);
    if artifacts().any(|a| a.format.family() == Family::Msi)
        && let Err(e) = crateship_windows::MsiVersion::from_semver(&app.version)
    {
        return Err(Error::Config {
            file: manifest,
            key: "package.version".into(),
            message: format!(
                "{e}; choose --format zip for Windows, or release a plain major.minor.patch version"
            ),
        });
    }
    if let Some(artifact) = artifacts().find(|a| matches!(a.format.family(), Family::Macos(_))) {
        let macos = &inputs.config.macos;
        // The user's template is read (and checked) when the bundle is written.
        let description = bundle::app_bundle(
            app,
            &macos.minimum_system_version,
            &macos.bundle,
            artifact,
            Some(icons.out_dir.join(format!("{}.icns", icons.name))),
            None,
            inputs.source_date_epoch,
        )?;
        crateship_macos::info_plist(&description).map_err(|e| Error::Config {
            file: manifest.clone(),
            key: "macos".into(),
            message: e.to_string(),
        })?;
    }
    if artifacts().any(|a| matches!(a.format.family(), Family::Linux(_) | Family::AppImage))
        && app.maintainer.is_none()
    {
        return Err(Error::Config {
            file: manifest,
            key: "package.authors".into(),
            message:
                "deb, rpm and AppImage packages need a maintainer with an e-mail address; set \
                      `authors = [\"Name <mail@example.org>\"]`, or choose formats with --format"
                    .into(),
        });
    }
    Ok(())
}
