//! The macOS adapter: each target's `.app` is built once in a staging directory
//! under the target dir (Info.plist, icon, resources), signed (Developer ID with
//! the application identity, else ad-hoc), notarized and stapled when
//! configured, and shared by the target's artifacts: the zipped `.app`, the
//! `.dmg` and the `.pkg`. Those two are written unsigned here; their Developer
//! ID signatures are applied to the staged file by the sign step.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use crateship_macos::{AdHocOptions, AppSignOptions, DmgOptions, PkgInfo};
use crateship_support::AtomicFile;

use super::sign::{TIMESTAMP_TIMEOUT, apple_signature};
use super::{ArtifactCtx, Written};
use crate::error::{Error, Result};
use crate::format::{ArchiveKind, MacosKind};
use crate::manifest::Signature;
use crate::plan::Plan;
use crate::plan::template;
use crateship_archive::ArchiveSpec;

/// The `.app` bundles of one run, built on first use and removed at the end.
pub(crate) struct Bundles {
    target_dir: PathBuf,
    triples: Vec<String>,
    built: Mutex<BTreeMap<String, BuiltApp>>,
}

/// A signed bundle in its staging directory and how it was signed.
#[derive(Clone)]
struct BuiltApp {
    dir: PathBuf,
    signature: Option<Signature>,
}

impl Bundles {
    /// No bundle built yet.
    pub fn new(plan: &Plan) -> Bundles {
        Bundles {
            target_dir: plan.target_dir.clone(),
            triples: plan.targets.iter().map(|t| t.triple.to_string()).collect(),
            built: Mutex::new(BTreeMap::new()),
        }
    }

    /// Removes the staging directories of the bundles.
    pub fn finish(&self) {
        for triple in &self.triples {
            let _ = std::fs::remove_dir_all(self.staging_dir(triple));
        }
    }

    fn staging_dir(&self, triple: &str) -> PathBuf {
        self.target_dir.join("crateship").join("macos").join(triple)
    }

    /// The target's signed `.app`, built on first use.
    fn app(&self, ctx: &ArtifactCtx<'_>) -> Result<BuiltApp> {
        let key = ctx.target.triple.to_string();
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(app) = built.get(&key) {
            return Ok(app.clone());
        }
        let staging = self.staging_dir(&key);
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).map_err(|e| Error::io("cannot create", &staging, e))?;
        let app = build_app(ctx, &staging)?;
        built.insert(key, app.clone());
        Ok(app)
    }
}

/// Writes the unsigned `.app.zip`, `.dmg` or `.pkg` of `ctx.target` into `out`.
pub(super) fn write(
    ctx: &ArtifactCtx<'_>,
    kind: MacosKind,
    out: &mut AtomicFile,
) -> Result<Written> {
    let plan = ctx.plan;
    let app = ctx.bundles.app(ctx)?;
    let sde = plan.source_date_epoch.max(0) as u64;
    let mut written = Written {
        mode: 0o644,
        ..Written::default()
    };
    match kind {
        MacosKind::Dmg => {
            let volume = plan
                .macos_bundle
                .dmg_volume_name
                .clone()
                .unwrap_or_else(|| plan.app.product_name.clone());
            crateship_macos::write_dmg(&app.dir, &DmgOptions::new(volume, sde), out.file())
                .map_err(|e| ctx.fail(e))?;
        }
        MacosKind::Pkg => {
            let settings = &plan.macos_bundle;
            let mut info = PkgInfo::new(plan.app.product_name.clone(), sde);
            info.minimum_system_version = Some(plan.macos_minimum_system_version.clone());
            info.preinstall = settings.preinstall.clone();
            info.postinstall = settings.postinstall.clone();
            info.distribution_template = template::read(settings.distribution_template.as_deref())?;
            info.package_info_template = template::read(settings.package_info_template.as_deref())?;
            crateship_macos::write_pkg(&app.dir, &info, out.file()).map_err(|e| ctx.fail(e))?;
        }
        MacosKind::App | MacosKind::AppTarGz => {
            let root = app
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let spec = ArchiveSpec::from_dir(&app.dir, &root, plan.source_date_epoch)
                .map_err(|e| ctx.fail(e))?;
            let kind = match kind {
                MacosKind::AppTarGz => ArchiveKind::TarGz,
                MacosKind::App | MacosKind::Dmg | MacosKind::Pkg => ArchiveKind::Zip,
            };
            match kind {
                ArchiveKind::TarGz => crateship_archive::tar_gz::write(&spec, out.file()).map(drop),
                ArchiveKind::Zip => crateship_archive::zip::write(&spec, out.file()).map(drop),
            }
            .map_err(|e| ctx.fail(e))?;
            written.signature = app.signature;
        }
    }
    Ok(written)
}

/// Writes the target's `.app` into `staging` and signs it: with the Developer
/// ID application identity (then notarizes and staples it if configured), else
/// ad-hoc.
fn build_app(ctx: &ArtifactCtx<'_>, staging: &std::path::Path) -> Result<BuiltApp> {
    let plan = ctx.plan;
    let settings = &plan.macos_bundle;
    let bundle = crate::plan::bundle::app_bundle(
        &plan.app,
        &plan.macos_minimum_system_version,
        settings,
        ctx.artifact,
        Some(ctx.icons.icns.clone()),
        template::read(settings.info_plist_template.as_deref())?,
        plan.source_date_epoch,
        plan.updates.as_ref(),
        ctx.signers.sparkle_public_key().as_deref(),
    )?;
    let bad_bundle = |e: crateship_macos::MacosError| {
        Error::input(format!("the app bundle of {}", ctx.artifact.file_name), e)
    };
    let app_dir = crateship_macos::write_app(&bundle, staging).map_err(bad_bundle)?;
    let apple = &ctx.signers.apple;
    let Some(identity) = &apple.application else {
        let opts = AdHocOptions {
            hardened_runtime: settings.hardened_runtime,
            source_date_epoch: bundle.source_date_epoch,
        };
        crateship_macos::sign_app_adhoc(&app_dir, &opts).map_err(bad_bundle)?;
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
            entitlements: apple.entitlements.clone(),
            source_date_epoch: bundle.source_date_epoch,
            timestamp_urls: apple.timestamp_urls.clone(),
            timestamp_timeout: TIMESTAMP_TIMEOUT,
        },
    )
    .map_err(bad_bundle)?;
    let notarization = match &apple.notary {
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
