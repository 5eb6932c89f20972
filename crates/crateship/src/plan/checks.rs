//! Plan-time checks: combinations that could not be written are refused before
//! anything is built — an MSI for a version Windows Installer cannot order, an
//! Info.plist whose extra keys collide with generated ones or whose template
//! does not fill, a broken `.desktop`/metainfo/pkg template, Linux packages
//! without a maintainer.

use super::{App, IconsStep, Inputs, TargetPlan, bundle, template};
use crate::error::{Error, Result};
use crate::format::Family;

/// The latest `SOURCE_DATE_EPOCH` a format can store, and what limits it.
fn latest_time(family: Family) -> (i64, &'static str) {
    match family {
        // HFS+ dates: unsigned 32-bit seconds since 1904.
        Family::Macos(crate::format::MacosKind::Dmg) => (2_212_122_495, "HFS+ dates in a .dmg"),
        // rpm headers and squashfs store unsigned 32-bit seconds since 1970.
        Family::Linux(crate::format::LinuxKind::Rpm) => (4_294_967_295, "rpm's 32-bit times"),
        Family::AppImage => (4_294_967_295, "squashfs's 32-bit times"),
        // MS-DOS dates in zip entries and cabinets end in 2107.
        Family::Archive(crate::format::ArchiveKind::Zip)
        | Family::Macos(crate::format::MacosKind::App)
        | Family::Msi => (4_354_819_198, "MS-DOS dates in zip files and cabinets"),
        Family::Archive(crate::format::ArchiveKind::TarGz)
        | Family::Linux(crate::format::LinuxKind::Deb)
        | Family::Macos(crate::format::MacosKind::Pkg)
        | Family::Macos(crate::format::MacosKind::AppTarGz) => {
            (8_589_934_591, "tar's 11-digit times")
        }
    }
}

/// Refuses what the planned artifacts cannot carry.
pub(super) fn before_building(
    inputs: &Inputs,
    app: &App,
    icons: &IconsStep,
    targets: &[TargetPlan],
    updates: Option<&super::updates::UpdatesPlan>,
) -> Result<()> {
    let manifest = inputs.package.manifest_path.clone().into_std_path_buf();
    let artifacts = || targets.iter().flat_map(|t| &t.artifacts);
    let epoch = inputs.source_date_epoch;
    if let Some((latest, why, format)) = artifacts()
        .map(|a| {
            let (latest, why) = latest_time(a.format.family());
            (latest, why, a.format)
        })
        .min_by_key(|(latest, _, _)| *latest)
        && epoch > latest
    {
        return Err(Error::requirement(
            format!(
                "SOURCE_DATE_EPOCH={epoch} ({}) is later than {format} can store ({why} end at {})",
                crateship_support::date::rfc3339(epoch),
                crateship_support::date::rfc3339(latest)
            ),
            "set SOURCE_DATE_EPOCH to the release's time (e.g. `$(git log -1 --format=%ct)`) or unset it",
        ));
    }
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
        let description = bundle::app_bundle(
            app,
            &macos.minimum_system_version,
            &macos.bundle,
            artifact,
            Some(icons.out_dir.join(format!("{}.icns", icons.name))),
            template::info_plist(inputs)?,
            inputs.source_date_epoch,
            updates,
            None,
        )?;
        crateship_macos::info_plist(&description).map_err(|e| {
            let key = match e {
                crateship_macos::MacosError::Template { .. }
                | crateship_macos::MacosError::TemplateFill(_) => "macos.info-plist-template",
                _ => "macos",
            };
            Error::Config {
                file: manifest.clone(),
                key: key.into(),
                message: e.to_string(),
            }
        })?;
    }
    template::check(inputs, targets)?;
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
