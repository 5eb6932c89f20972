//! The macOS bundling step: builds each target's `.app` bundle once (Info.plist,
//! icon, resources) in a staging directory, signs it (Developer ID, else ad-hoc),
//! notarizes and staples it when configured, then writes the planned artifacts
//! from it: the zipped `.app`, a `.dmg` (signed with the application identity) or
//! a `.pkg` (signed with the installer identity, notarized and stapled).

use std::path::{Path, PathBuf};

use crateship_icons::IconSet;
use std::collections::BTreeMap;

use crateship_macos::{
    AdHocOptions, AppBundle, AppSignOptions, AppleIdentity, ApplePurpose, DmgOptions,
    DmgSignOptions, PkgInfo, PkgSignOptions,
};

use crate::template::read_template;

use crate::archive::{self, ArchiveSpec};
use crate::atomic::AtomicFile;
use crate::config::KeySource;
use crate::error::{Error, Result};
use crate::format::Format;
use crate::manifest::Signature;
use crate::notary::NotaryClient;
use crate::plan::{ArtifactPlan, Plan, TargetPlan};

/// The macOS step of one `dist` run. Developer ID identities are loaded once,
/// before the builds (so a wrong password fails early), and each target's `.app`
/// is built, signed — and, if configured, notarized and stapled — once, then
/// shared by its `.app.zip`, `.dmg` and `.pkg`.
pub struct MacosSession<'p> {
    plan: &'p Plan,
    application: Option<AppleIdentity>,
    installer: Option<AppleIdentity>,
    notary: Option<NotaryClient>,
    apps: BTreeMap<String, BuiltApp>,
}

/// A signed bundle in its staging directory and how it was signed.
struct BuiltApp {
    dir: PathBuf,
    signature: Option<Signature>,
}

impl<'p> MacosSession<'p> {
    /// Loads the configured Apple identities (files and variables named in the plan).
    pub fn load(plan: &'p Plan) -> Result<Self> {
        let apple = plan.signing.as_ref().and_then(|s| s.apple.as_ref());
        let load =
            |source: Option<&KeySource>, purpose: ApplePurpose| -> Result<Option<AppleIdentity>> {
                let Some(source) = source else {
                    return Ok(None);
                };
                let read = |p: &Path| std::fs::read(p).map_err(|e| Error::io("cannot read", p, e));
                let identity = match source {
                    KeySource::Pkcs12 { file, password_env } => {
                        let password = std::env::var(password_env).map_err(|_| {
                            Error::Usage(format!(
                                "signing.apple: the environment variable `{password_env}` with the \
                             password of `{}` is not set; export it before running crateship",
                                file.display()
                            ))
                        })?;
                        AppleIdentity::from_pkcs12(&read(file)?, &password, purpose)
                    }
                    KeySource::Pem { key, chain } => {
                        AppleIdentity::from_pem(&read(key)?, &read(chain)?, purpose)
                    }
                };
                identity
                    .map(Some)
                    .map_err(|e| Error::Usage(format!("signing.apple: {e}")))
            };
        Ok(Self {
            plan,
            application: load(
                apple.and_then(|a| a.application.as_ref()),
                ApplePurpose::Application,
            )?,
            installer: load(
                apple.and_then(|a| a.installer.as_ref()),
                ApplePurpose::Installer,
            )?,
            notary: apple
                .and_then(|a| a.notarize.as_ref())
                .map(NotaryClient::load)
                .transpose()?,
            apps: BTreeMap::new(),
        })
    }

    /// Writes one macOS artifact to `path` atomically; returns how it was signed
    /// with a Developer ID (`None`: ad-hoc or unsigned).
    pub fn write_artifact(
        &mut self,
        target: &TargetPlan,
        artifact: &ArtifactPlan,
        icons: &IconSet,
        path: &Path,
    ) -> Result<Option<Signature>> {
        let plan = self.plan;
        let staging = staging_dir(plan, target);
        let app = self.app(target, artifact, icons)?;
        let app_dir = app.dir.clone();
        let app_signature = app.signature.clone();
        let fail = |e: crateship_macos::MacosError| {
            Error::Command(format!("cannot write {}: {e}", path.display()))
        };
        let sde = plan.source_date_epoch.max(0) as u64;
        let apple = plan.signing.as_ref().and_then(|s| s.apple.as_ref());
        let timestamp_urls = apple.map(|a| a.timestamp_urls.clone()).unwrap_or_default();
        match artifact.format {
            Format::Dmg => {
                let volume = plan
                    .macos_bundle
                    .dmg_volume_name
                    .clone()
                    .unwrap_or_else(|| plan.app.product_name.clone());
                let Some(identity) = &self.application else {
                    let out = AtomicFile::create(path)?;
                    crateship_macos::write_dmg(&app_dir, &DmgOptions::new(volume, sde), out)
                        .map_err(fail)?
                        .commit()?;
                    return Ok(None);
                };
                let unsigned = staging.join("unsigned.dmg");
                let out = std::fs::File::create(&unsigned)
                    .map_err(|e| Error::io("cannot create", &unsigned, e))?;
                crateship_macos::write_dmg(&app_dir, &DmgOptions::new(volume, sde), out)
                    .map_err(fail)?;
                let report = crateship_macos::sign_dmg(
                    &unsigned,
                    path,
                    &DmgSignOptions {
                        identity: Some(identity),
                        identifier: None,
                        signing_time: sde,
                        timestamp_urls,
                        timestamp_timeout: TIMESTAMP_TIMEOUT,
                    },
                )
                .map_err(fail)?;
                let _ = std::fs::remove_file(&unsigned);
                Ok(Some(apple_signature(
                    identity,
                    report.timestamp_server,
                    None,
                )))
            }
            Format::Pkg => {
                let mut info = PkgInfo::new(plan.app.product_name.clone(), sde);
                info.minimum_system_version = Some(plan.macos_minimum_system_version.clone());
                let settings = &plan.macos_bundle;
                info.preinstall = settings.preinstall.clone();
                info.postinstall = settings.postinstall.clone();
                info.distribution_template =
                    read_template(settings.distribution_template.as_deref())?;
                info.package_info_template =
                    read_template(settings.package_info_template.as_deref())?;
                let Some(identity) = &self.installer else {
                    let out = AtomicFile::create(path)?;
                    crateship_macos::write_pkg(&app_dir, &info, out)
                        .map_err(fail)?
                        .commit()?;
                    return Ok(None);
                };
                let unsigned = staging.join("unsigned.pkg");
                let out = std::fs::File::create(&unsigned)
                    .map_err(|e| Error::io("cannot create", &unsigned, e))?;
                crateship_macos::write_pkg(&app_dir, &info, out).map_err(fail)?;
                // Signed and notarized in the staging dir, published last.
                let signed = staging.join("signed.pkg");
                let report = crateship_macos::sign_pkg(
                    &unsigned,
                    &signed,
                    &PkgSignOptions {
                        identity,
                        signing_time: sde,
                        timestamp_urls,
                        timestamp_timeout: TIMESTAMP_TIMEOUT,
                    },
                )
                .map_err(fail)?;
                let _ = std::fs::remove_file(&unsigned);
                let notarized = match &self.notary {
                    Some(client) => Some(client.notarize_pkg(&signed)?),
                    None => None,
                };
                std::fs::rename(&signed, path).map_err(|e| Error::io("cannot publish", path, e))?;
                Ok(Some(apple_signature(
                    identity,
                    report.timestamp_server,
                    notarized,
                )))
            }
            _ => {
                let root = app_dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let spec = ArchiveSpec::from_dir(&app_dir, &root, plan.source_date_epoch)?;
                archive::write(Format::Zip, &spec, path)?;
                Ok(app_signature)
            }
        }
    }

    /// Removes the staging directories of the bundles.
    pub fn finish(self) {
        for target in &self.plan.targets {
            let _ = std::fs::remove_dir_all(staging_dir(self.plan, target));
        }
    }

    /// The target's signed `.app`, built on first use.
    fn app(
        &mut self,
        target: &TargetPlan,
        artifact: &ArtifactPlan,
        icons: &IconSet,
    ) -> Result<&BuiltApp> {
        let key = target.triple.to_string();
        if !self.apps.contains_key(&key) {
            let staging = staging_dir(self.plan, target);
            let _ = std::fs::remove_dir_all(&staging);
            std::fs::create_dir_all(&staging)
                .map_err(|e| Error::io("cannot create", &staging, e))?;
            let built = build_app(
                self.plan,
                artifact,
                icons,
                &staging,
                self.application.as_ref(),
                self.notary.as_ref(),
            )?;
            self.apps.insert(key.clone(), built);
        }
        Ok(&self.apps[&key])
    }
}

/// How long one timestamp server may take.
const TIMESTAMP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

fn staging_dir(plan: &Plan, target: &TargetPlan) -> PathBuf {
    plan.target_dir
        .join("crateship")
        .join("macos")
        .join(target.triple.as_str())
}

fn apple_signature(
    identity: &AppleIdentity,
    timestamp_server: Option<String>,
    notarization: Option<String>,
) -> Signature {
    Signature {
        scheme: "apple-developer-id".into(),
        subject: identity.subject().to_owned(),
        sha256_fingerprint: identity.sha256_fingerprint().to_owned(),
        timestamp_server,
        notarization,
    }
}

/// Writes the `.app` into `staging` and signs it: with the Developer ID
/// `identity` (then notarizes and staples it if configured), else ad-hoc.
fn build_app(
    plan: &Plan,
    artifact: &ArtifactPlan,
    icons: &IconSet,
    staging: &Path,
    identity: Option<&AppleIdentity>,
    notary: Option<&NotaryClient>,
) -> Result<BuiltApp> {
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
    let apple = plan.signing.as_ref().and_then(|sg| sg.apple.as_ref());
    let Some(identity) = identity else {
        let opts = AdHocOptions {
            hardened_runtime: settings.hardened_runtime,
            source_date_epoch: bundle.source_date_epoch,
        };
        crateship_macos::sign_app_adhoc(&app_dir, &opts).map_err(fail)?;
        return Ok(BuiltApp {
            dir: app_dir,
            signature: None,
        });
    };
    let report = crateship_macos::sign_app(
        &app_dir,
        &AppSignOptions {
            identity: Some(identity),
            hardened_runtime: settings.hardened_runtime,
            entitlements: apple.and_then(|a| a.entitlements.clone()),
            source_date_epoch: bundle.source_date_epoch,
            timestamp_urls: apple.map(|a| a.timestamp_urls.clone()).unwrap_or_default(),
            timestamp_timeout: TIMESTAMP_TIMEOUT,
        },
    )
    .map_err(fail)?;
    let notarization = match notary {
        Some(client) => Some(client.notarize_app(&app_dir, &report, staging)?),
        None => None,
    };
    Ok(BuiltApp {
        dir: app_dir,
        signature: Some(apple_signature(
            identity,
            report.timestamp_server,
            notarization,
        )),
    })
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
/// benchmarks against `tar -czf`; releases go through [`MacosSession`]).
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
