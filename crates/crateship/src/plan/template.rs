//! User templates the config names (Info.plist, Distribution, PackageInfo,
//! `.desktop`, metainfo): read and checked at plan time — placeholders, an
//! unclosed `{{`, and the file's own syntax — with the checks writing applies,
//! so `crateship plan` refuses a broken template before anything is built.
//! Writing reads them again and fills them with the real values.

use std::path::Path;

use crateship_template::UserTemplate;

use super::{Inputs, TargetPlan};
use crate::error::{Error, Result};
use crate::format::{Family, MacosKind};

/// Reads a user template named in the plan; errors name the file.
pub(crate) fn read(path: Option<&Path>) -> Result<Option<UserTemplate>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::requirement(
            format!("cannot read the template `{}`: {e}", path.display()),
            "fix the path in [package.metadata.crateship] (it is relative to the package directory)",
        )
    })?;
    Ok(Some(UserTemplate {
        name: path.display().to_string(),
        text,
    }))
}

/// The template that `key` (e.g. `linux.desktop-template`) names, refused
/// with the key when it cannot be read.
fn read_key(inputs: &Inputs, key: &str, path: Option<&Path>) -> Result<Option<UserTemplate>> {
    read(path).map_err(|e| Error::Config {
        file: inputs.config_file.clone(),
        key: key.into(),
        message: e.to_string(),
    })
}

/// Refuses a configured template a selected format would fail to fill.
fn refuse(
    inputs: &Inputs,
    key: &str,
    source: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::input(
        format!(
            "the template `{key}` in {} cannot be used",
            inputs.config_file.display()
        ),
        source,
    )
}

/// Checks the `.desktop`, metainfo, Distribution and PackageInfo templates of
/// the formats `targets` produce. (Info.plist templates are checked with the
/// real bundle description by the caller.)
pub(super) fn check(inputs: &Inputs, targets: &[TargetPlan]) -> Result<()> {
    let families: Vec<Family> = targets
        .iter()
        .flat_map(|t| &t.artifacts)
        .map(|a| a.format.family())
        .collect();
    if families
        .iter()
        .any(|f| matches!(f, Family::Linux(_) | Family::AppImage))
    {
        let linux = &inputs.config.linux;
        for (key, path, is_desktop) in [
            ("linux.desktop-template", &linux.desktop_template, true),
            ("linux.metainfo-template", &linux.metainfo_template, false),
        ] {
            let Some(template) = read_key(inputs, key, path.as_deref())? else {
                continue;
            };
            let (desktop, metainfo) = if is_desktop {
                (Some(&template), None)
            } else {
                (None, Some(&template))
            };
            crateship_linux::check_templates(desktop, metainfo)
                .map_err(|e| refuse(inputs, key, e))?;
        }
    }
    if families.contains(&Family::Macos(MacosKind::Pkg)) {
        let bundle = &inputs.config.macos.bundle;
        for (key, path, is_distribution) in [
            (
                "macos.distribution-template",
                &bundle.distribution_template,
                true,
            ),
            (
                "macos.package-info-template",
                &bundle.package_info_template,
                false,
            ),
        ] {
            let Some(template) = read_key(inputs, key, path.as_deref())? else {
                continue;
            };
            let mut pkg = crateship_macos::PkgInfo::new("App", 0);
            if is_distribution {
                pkg.distribution_template = Some(template);
            } else {
                pkg.package_info_template = Some(template);
            }
            crateship_macos::check_pkg_templates(&pkg).map_err(|e| refuse(inputs, key, e))?;
        }
    }
    Ok(())
}

/// The user's Info.plist template (`macos.info-plist-template`), read at plan time.
pub(super) fn info_plist(inputs: &Inputs) -> Result<Option<UserTemplate>> {
    read_key(
        inputs,
        "macos.info-plist-template",
        inputs.config.macos.bundle.info_plist_template.as_deref(),
    )
}
