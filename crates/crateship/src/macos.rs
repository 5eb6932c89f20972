//! The macOS bundling step: builds the `.app` bundle from a target's binary
//! (Info.plist, icon, resources, ad-hoc code signature) in a staging directory,
//! then writes the planned artifact from it: the zipped `.app`, a `.dmg` or a
//! `.pkg`.

use std::path::{Path, PathBuf};

use crateship_icons::IconSet;
use crateship_macos::{AdHocOptions, AppBundle, DmgOptions, PkgInfo};

use crate::template::read_template;

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
            let volume = plan
                .macos_bundle
                .dmg_volume_name
                .clone()
                .unwrap_or_else(|| plan.app.product_name.clone());
            let out = crateship_macos::write_dmg(&app_dir, &DmgOptions::new(volume, sde), out)
                .map_err(fail)?;
            out.commit()?;
        }
        Format::Pkg => {
            let mut info = PkgInfo::new(plan.app.product_name.clone(), sde);
            info.minimum_system_version = Some(plan.macos_minimum_system_version.clone());
            let settings = &plan.macos_bundle;
            info.preinstall = settings.preinstall.clone();
            info.postinstall = settings.postinstall.clone();
            info.distribution_template = read_template(settings.distribution_template.as_deref())?;
            info.package_info_template = read_template(settings.package_info_template.as_deref())?;
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
    let settings = &plan.macos_bundle;
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
        category: Some(settings.category.clone()),
        copyright: (!owner.is_empty()).then(|| format!("Copyright © {year} {owner}")),
        url_schemes: settings.url_schemes.clone(),
        document_types: document_types(settings),
        resources: rest
            .iter()
            .map(|e| (e.source.clone(), e.dest.clone()))
            .collect(),
        extra_plist: extra_plist(settings),
        info_plist_template: read_template(settings.info_plist_template.as_deref())?,
        source_date_epoch: plan.source_date_epoch.max(0) as u64,
    };
    let fail =
        |e: crateship_macos::MacosError| Error::Usage(format!("{}: {e}", artifact.file_name));
    let app_dir = crateship_macos::write_app(&bundle, staging).map_err(fail)?;
    let opts = AdHocOptions {
        hardened_runtime: settings.hardened_runtime,
        source_date_epoch: bundle.source_date_epoch,
    };
    crateship_macos::sign_app_adhoc(&app_dir, &opts).map_err(fail)?;
    Ok(app_dir)
}

/// Checks at plan time that the configured Info.plist settings combine (extra
/// keys colliding with generated ones, versions, identifier), before anything
/// is built. The user's template is read and checked when the bundle is written.
pub(crate) fn check_info_plist(
    identifier: &str,
    version: &str,
    minimum_system_version: &str,
    settings: &crate::config::MacosBundle,
) -> std::result::Result<(), String> {
    let stub = AppBundle {
        identifier: identifier.to_owned(),
        name: "App".into(),
        display_name: "App".into(),
        executable: "app".into(),
        binary: PathBuf::new(),
        version: version.to_owned(),
        bundle_version: None,
        icns: None,
        minimum_system_version: minimum_system_version.to_owned(),
        category: Some(settings.category.clone()),
        copyright: None,
        url_schemes: settings.url_schemes.clone(),
        document_types: document_types(settings),
        resources: Vec::new(),
        extra_plist: extra_plist(settings),
        info_plist_template: None,
        source_date_epoch: 0,
    };
    crateship_macos::info_plist(&stub)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn document_types(settings: &crate::config::MacosBundle) -> Vec<crateship_macos::DocumentType> {
    settings
        .document_types
        .iter()
        .map(|t| crateship_macos::DocumentType {
            name: t.name.clone(),
            extensions: t.extensions.clone(),
            role: t.role.clone(),
        })
        .collect()
}

fn extra_plist(
    settings: &crate::config::MacosBundle,
) -> std::collections::BTreeMap<String, plist::Value> {
    settings
        .info_plist
        .iter()
        .map(|(k, v)| (k.clone(), plist_value(v)))
        .collect()
}

/// Maps a config value (TOML via JSON) to its plist type; config validation
/// has already refused nulls.
fn plist_value(v: &serde_json::Value) -> plist::Value {
    use serde_json::Value as J;
    match v {
        J::Null => plist::Value::String(String::new()),
        J::Bool(b) => plist::Value::Boolean(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => plist::Value::Integer(i.into()),
            (None, Some(u)) => plist::Value::Integer(u.into()),
            _ => plist::Value::Real(n.as_f64().unwrap_or_default()),
        },
        J::String(s) => plist::Value::String(s.clone()),
        J::Array(items) => plist::Value::Array(items.iter().map(plist_value).collect()),
        J::Object(map) => plist::Value::Dictionary(
            map.iter()
                .map(|(k, v)| (k.clone(), plist_value(v)))
                .collect(),
        ),
    }
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
