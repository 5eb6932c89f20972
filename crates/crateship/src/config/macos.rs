//! `[package.metadata.crateship.macos]`, validated: the deployment target and
//! what goes into the `.app`'s Info.plist, the `.pkg` and the `.dmg`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::raw::RawMacos;
use super::rules::Ctx;
use crate::error::Result;

/// Default `MACOSX_DEPLOYMENT_TARGET` when the config names none.
pub const DEFAULT_MACOS_MINIMUM: &str = "11.0";

/// Default `LSApplicationCategoryType`.
pub const DEFAULT_MACOS_CATEGORY: &str = "public.app-category.utilities";

/// Validated macOS settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MacosSettings {
    /// `MACOSX_DEPLOYMENT_TARGET` and `LSMinimumSystemVersion`.
    pub minimum_system_version: String,
    /// Info.plist, .pkg and .dmg settings.
    pub bundle: MacosBundle,
}

/// Validated macOS bundle settings; paths are absolute.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MacosBundle {
    /// `LSApplicationCategoryType`.
    pub category: String,
    /// `CFBundleURLTypes` schemes.
    pub url_schemes: Vec<String>,
    /// `CFBundleDocumentTypes`.
    pub document_types: Vec<DocumentType>,
    /// Extra Info.plist keys (JSON values mapped to plist types when written).
    pub info_plist: BTreeMap<String, serde_json::Value>,
    /// User Info.plist template.
    pub info_plist_template: Option<PathBuf>,
    /// User Distribution template.
    pub distribution_template: Option<PathBuf>,
    /// User PackageInfo template.
    pub package_info_template: Option<PathBuf>,
    /// `.pkg` preinstall script.
    pub preinstall: Option<PathBuf>,
    /// `.pkg` postinstall script.
    pub postinstall: Option<PathBuf>,
    /// `.dmg` volume name (`None`: the product name).
    pub dmg_volume_name: Option<String>,
    /// Hardened runtime flag in the code signature.
    pub hardened_runtime: bool,
}

/// A validated `macos.document-types` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentType {
    /// Name shown by Finder.
    pub name: String,
    /// Extensions without the dot.
    pub extensions: Vec<String>,
    /// `Editor`, `Viewer`, `Shell` or `None`.
    pub role: String,
}

pub(super) fn validate(raw: RawMacos, ctx: Ctx<'_>) -> Result<MacosSettings> {
    let minimum_system_version = raw
        .minimum_system_version
        .clone()
        .unwrap_or_else(|| DEFAULT_MACOS_MINIMUM.into());
    check_macos_version(&minimum_system_version)
        .map_err(|m| ctx.err("macos.minimum-system-version", m))?;
    Ok(MacosSettings {
        minimum_system_version,
        bundle: validate_bundle(raw, ctx)?,
    })
}

fn validate_bundle(raw: RawMacos, ctx: Ctx<'_>) -> Result<MacosBundle> {
    let category = raw
        .category
        .unwrap_or_else(|| DEFAULT_MACOS_CATEGORY.into());
    let suffix = category.strip_prefix("public.app-category.").unwrap_or("");
    if suffix.is_empty() || !suffix.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
        return Err(ctx.err(
            "macos.category",
            format!(
                "`{category}` is not an App Store category; use one of Apple's \
                 `public.app-category.*` values, e.g. \"public.app-category.developer-tools\""
            ),
        ));
    }
    let url_schemes = raw.url_schemes.unwrap_or_default();
    for scheme in &url_schemes {
        if !crateship_macos::is_url_scheme(scheme) {
            return Err(ctx.err(
                "macos.url-schemes",
                format!(
                    "`{scheme}` is not a URL scheme; it starts with a letter and has only \
                     letters, digits, `+`, `-` and `.` (no `://`)"
                ),
            ));
        }
    }
    let mut document_types = Vec::new();
    for t in raw.document_types.unwrap_or_default() {
        let role = t.role.unwrap_or_else(|| "Viewer".into());
        if !crateship_macos::DOCUMENT_ROLES.contains(&role.as_str()) {
            return Err(ctx.err(
                "macos.document-types",
                format!(
                    "role `{role}` of `{}` must be Editor, Viewer, Shell or None",
                    t.name
                ),
            ));
        }
        if t.extensions.is_empty() || t.extensions.iter().any(|e| e.is_empty() || e.contains('.')) {
            return Err(ctx.err(
                "macos.document-types",
                format!(
                    "`{}` needs extensions without the dot, e.g. extensions = [\"hello\"]",
                    t.name
                ),
            ));
        }
        document_types.push(DocumentType {
            name: t.name,
            extensions: t.extensions,
            role,
        });
    }
    let info_plist = raw.info_plist.unwrap_or_default();
    for (key, value) in &info_plist {
        if contains_null(value) {
            return Err(ctx.err(
                "macos.info-plist",
                format!("`{key}` has no plist equivalent (null); give it a value"),
            ));
        }
    }
    if let Some(name) = &raw.dmg_volume_name
        && (name.trim().is_empty() || name.contains(['/', ':']) || name.chars().count() > 255)
    {
        return Err(ctx.err(
            "macos.dmg-volume-name",
            format!("`{name}` cannot name an HFS+ volume; use 1–255 characters without `/` or `:`"),
        ));
    }
    Ok(MacosBundle {
        category,
        url_schemes,
        document_types,
        info_plist,
        info_plist_template: ctx.opt_path(
            "macos.info-plist-template",
            raw.info_plist_template.as_deref(),
        )?,
        distribution_template: ctx.opt_path(
            "macos.distribution-template",
            raw.distribution_template.as_deref(),
        )?,
        package_info_template: ctx.opt_path(
            "macos.package-info-template",
            raw.package_info_template.as_deref(),
        )?,
        preinstall: ctx.opt_path("macos.preinstall", raw.preinstall.as_deref())?,
        postinstall: ctx.opt_path("macos.postinstall", raw.postinstall.as_deref())?,
        dmg_volume_name: raw.dmg_volume_name,
        hardened_runtime: raw.hardened_runtime.unwrap_or(false),
    })
}

fn check_macos_version(v: &str) -> std::result::Result<(), String> {
    let parts: Vec<&str> = v.split('.').collect();
    if (1..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.parse::<u32>().is_ok())
    {
        Ok(())
    } else {
        Err(format!(
            "`{v}` is not a macOS version; write it like \"11.0\""
        ))
    }
}

fn contains_null(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::Array(items) => items.iter().any(contains_null),
        serde_json::Value::Object(map) => map.values().any(contains_null),
        _ => false,
    }
}
