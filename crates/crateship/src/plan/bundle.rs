//! The `.app` bundle a macOS artifact is made from, described once: the plan's
//! check runs Info.plist generation on it before anything is built, and the
//! bundle writer writes the same description.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crateship_macos::{AppBundle, UserTemplate};

use super::updates::UpdatesPlan;
use super::{App, ArtifactPlan, MacosBundle};
use crate::error::{Error, Result};

/// The bundle of `artifact` (a planned `.app.zip`, `.dmg` or `.pkg`): its main
/// binary first, then its resources. `icns` is the icon to embed and
/// `template` the user's Info.plist template, read by the caller; every file
/// gets `source_date_epoch` as its time. With a Sparkle key configured in
/// `updates`, the Info.plist gets `SUFeedURL` and `SUPublicEDKey` (the public
/// key, known once keys are loaded; the plan-time check passes none).
#[allow(clippy::too_many_arguments)]
pub fn app_bundle(
    app: &App,
    minimum_system_version: &str,
    settings: &MacosBundle,
    artifact: &ArtifactPlan,
    icns: Option<PathBuf>,
    template: Option<UserTemplate>,
    source_date_epoch: i64,
    updates: Option<&UpdatesPlan>,
    sparkle_public_key: Option<&str>,
) -> Result<AppBundle> {
    let identifier = app.identifier_for(artifact.format)?.to_owned();
    let (main, rest) = artifact.entries.split_first().ok_or_else(|| {
        Error::requirement(
            format!("{} has no binary to bundle", artifact.file_name),
            "ship at least one [[bin]] target",
        )
    })?;
    Ok(AppBundle {
        identifier,
        name: app.product_name.clone(),
        display_name: app.product_name.clone(),
        executable: main.dest.clone(),
        binary: main.source.clone(),
        version: app.version.clone(),
        bundle_version: None,
        icns,
        minimum_system_version: minimum_system_version.to_owned(),
        category: Some(settings.category.clone()),
        copyright: Some(app.copyright.clone()),
        url_schemes: settings.url_schemes.clone(),
        document_types: settings
            .document_types
            .iter()
            .map(|t| crateship_macos::DocumentType {
                name: t.name.clone(),
                extensions: t.extensions.clone(),
                role: t.role.clone(),
            })
            .collect(),
        resources: rest
            .iter()
            .map(|e| (e.source.clone(), e.dest.clone()))
            .collect(),
        extra_plist: {
            let mut extra: BTreeMap<String, plist::Value> = settings
                .info_plist
                .iter()
                .map(|(k, v)| (k.clone(), plist_value(v)))
                .collect();
            if let Some(u) = updates.filter(|u| u.sparkle_key_env.is_some()) {
                for key in ["SUFeedURL", "SUPublicEDKey"] {
                    if extra.contains_key(key) {
                        return Err(Error::requirement(
                            format!(
                                "macos.info-plist sets `{key}`, which updates.sparkle-key-env generates"
                            ),
                            format!("remove `{key}` from macos.info-plist"),
                        ));
                    }
                }
                extra.insert(
                    "SUFeedURL".into(),
                    plist::Value::String(u.feed_file_url("appcast.xml")),
                );
                extra.insert(
                    "SUPublicEDKey".into(),
                    plist::Value::String(
                        sparkle_public_key
                            .unwrap_or("checked-when-signing")
                            .to_owned(),
                    ),
                );
            }
            extra
        },
        info_plist_template: template,
        source_date_epoch: u64::try_from(source_date_epoch).unwrap_or(0),
    })
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
