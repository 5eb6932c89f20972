//! The update feeds, written after every artifact is signed (from the staged,
//! final bytes, so no hash or signature in a feed goes stale) and before the
//! checksums: `latest.json` for the Tauri / cargo-packager updater (a minisign
//! signature per platform), `appcast.xml` for Sparkle (an EdDSA signature per
//! archive; prepended to the previous release's appcast with
//! `--previous-feed`), and a `.zsync` per AppImage at the stable name its
//! embedded update information points at.

use crateship_feeds::sparkle::{AppcastChannel, Enclosure, SparkleArch, SparkleItem};
use crateship_feeds::tauri::{PlatformUpdate, UpdaterPlatform, UpdaterRelease};
use crateship_feeds::zsync::ZsyncHeader;
use serde::Serialize;

use super::finalize::{Produced, earlier_entries, stage_file};
use super::sign::Signers;
use crate::error::{Error, Result};
use crate::format::{Family, MacosKind};
use crate::plan::Plan;
use crate::plan::updates::{UpdatesPlan, zsync_file_name};
use crate::target::{Arch, Os, TargetTriple};

/// The updater manifest's file name in the out dir.
const LATEST_JSON: &str = "latest.json";

/// The public keys an app is built with to trust its feeds.
#[derive(Debug, Clone, Serialize)]
pub struct PublicKeys {
    /// The Tauri / cargo-packager updater's `pubkey`: base64 of the minisign
    /// public-key file.
    pub updater: String,
    /// Sparkle's `SUPublicEDKey`, when a Sparkle key is configured.
    pub sparkle: Option<String>,
}

/// The public keys of the configured update-feed keys (`crateship updates pubkey`).
pub fn public_keys(plan: &Plan) -> Result<PublicKeys> {
    if plan.updates.is_none() {
        return Err(Error::requirement(
            "no update feeds are configured",
            "add [package.metadata.crateship.updates] with a base-url (see docs/config.md)",
        ));
    }
    let signers = Signers::load(plan)?;
    Ok(PublicKeys {
        updater: signers.updater_public_key()?,
        sparkle: signers.sparkle_public_key(),
    })
}

/// The feeds of this release, staged beside the artifacts in `produced`.
pub(crate) fn write(
    plan: &Plan,
    signers: &Signers,
    produced: &[Produced],
) -> Result<(Vec<Produced>, Vec<String>)> {
    let Some(updates) = &plan.updates else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut feeds = Vec::new();
    let mut warnings = Vec::new();
    let mut platforms = Vec::new();
    let mut sparkle_items = Vec::new();
    for p in produced {
        let Some((target, format)) = p.planned(plan) else {
            continue;
        };
        let installs = matches!(
            format.family(),
            Family::AppImage | Family::Msi | Family::Macos(MacosKind::AppTarGz)
        );
        if installs {
            let platforms_of = updater_platforms(&target.triple);
            if platforms_of.is_empty() {
                warnings.push(format!(
                    "updates: the updater has no platform for {}; {} is not in latest.json",
                    target.triple, p.entry.path
                ));
            }
            if !platforms_of.is_empty() {
                let comment = format!(
                    "timestamp:{}\tfile:{}\tversion:{}",
                    plan.source_date_epoch.max(0),
                    p.entry.path,
                    plan.app.version
                );
                let signature = signers.updater_signature(p.staged.path(), &comment)?;
                for platform in platforms_of {
                    platforms.push(PlatformUpdate {
                        platform,
                        url: updates.file_url(&p.entry.path),
                        minisign_signature: signature.clone(),
                    });
                }
            }
        }
        if format.family() == Family::AppImage && updates.zsync {
            feeds.push(zsync(plan, updates, p)?);
        }
        let sparkle_archive = match format.family() {
            Family::Macos(MacosKind::Dmg) => true,
            // The zipped app, where a target has no disk image.
            Family::Macos(MacosKind::App) => !target
                .artifacts
                .iter()
                .any(|a| a.format.family() == Family::Macos(MacosKind::Dmg)),
            _ => false,
        };
        if sparkle_archive && let Some(item) = sparkle_item(plan, updates, signers, p, target.arch)?
        {
            sparkle_items.push(item);
        }
    }
    let kept = earlier_platforms(plan, updates, &platforms)?;
    platforms.extend(kept);
    if !platforms.is_empty() {
        let release = UpdaterRelease {
            version: plan.app.version.clone(),
            notes: updates.notes.clone(),
            pub_date: plan.source_date_epoch,
            platforms,
        };
        let json = crateship_feeds::tauri::latest_json(&release)
            .map_err(|e| feed_error(plan, LATEST_JSON, e))?;
        feeds.push(stage_file(
            plan,
            LATEST_JSON,
            "updater-json",
            "",
            json.as_bytes(),
            0o644,
        )?);
    }
    if !sparkle_items.is_empty() {
        let xml = match &updates.previous_feed {
            Some(previous) => {
                let text = std::fs::read_to_string(previous)
                    .map_err(|e| Error::io("cannot read the previous appcast", previous, e))?;
                crateship_feeds::sparkle::prepend(
                    &previous.display().to_string(),
                    &text,
                    &sparkle_items,
                )
            }
            None => crateship_feeds::sparkle::write_appcast(
                &AppcastChannel {
                    title: plan.app.product_name.clone(),
                    link: plan
                        .app
                        .homepage
                        .clone()
                        .unwrap_or_else(|| updates.feed_url.clone()),
                    description: plan.app.summary.clone(),
                    language: Some("en".into()),
                },
                &sparkle_items,
            ),
        }
        .map_err(|e| feed_error(plan, "appcast.xml", e))?;
        feeds.push(stage_file(
            plan,
            "appcast.xml",
            "appcast",
            "",
            xml.as_bytes(),
            0o644,
        )?);
    }
    Ok((feeds, warnings))
}

/// The platforms of an earlier run of this release into the same out dir
/// (per-target CI jobs) that this run does not build, kept while the artifact
/// they point at is still there and listed, so one `latest.json` serves every
/// platform of the release. A `latest.json` of another version, or one that
/// cannot be read, is replaced.
fn earlier_platforms(
    plan: &Plan,
    updates: &UpdatesPlan,
    ours: &[PlatformUpdate],
) -> Result<Vec<PlatformUpdate>> {
    let Ok(text) = std::fs::read_to_string(plan.out_dir.join(LATEST_JSON)) else {
        return Ok(Vec::new());
    };
    let Ok(feed) = crateship_feeds::tauri::read_latest_json(&text) else {
        return Ok(Vec::new());
    };
    if feed.version != plan.app.version {
        return Ok(Vec::new());
    }
    let listed = earlier_entries(plan)?;
    Ok(feed
        .platforms
        .into_iter()
        .filter(|p| !ours.iter().any(|o| o.platform == p.platform))
        .filter(|p| listed.iter().any(|e| updates.file_url(&e.path) == p.url))
        .collect())
}

fn feed_error(plan: &Plan, name: &str, e: crateship_feeds::FeedError) -> Error {
    Error::artifact(plan.out_dir.join(name), e)
}

/// The updater platforms a target's installer serves (a universal app serves both Macs).
fn updater_platforms(triple: &TargetTriple) -> Vec<UpdaterPlatform> {
    let os = match triple.os() {
        Os::Linux => "linux",
        Os::Windows => "windows",
        Os::Macos => "macos",
    };
    // musl builds ship no AppImage; every other arch maps directly.
    let arches: &[&str] = match triple.arch() {
        Arch::X86_64 => &["x86_64"],
        Arch::Aarch64 => &["aarch64"],
        Arch::Universal => &["x86_64", "aarch64"],
    };
    arches
        .iter()
        .filter_map(|a| UpdaterPlatform::from_target(os, a))
        .collect()
}

/// The AppImage's `.zsync`, at the stable name its update information names.
fn zsync(plan: &Plan, updates: &UpdatesPlan, p: &Produced) -> Result<Produced> {
    let name = zsync_file_name(&p.entry.path, &plan.app.version);
    let header = ZsyncHeader {
        file_name: p.entry.path.clone(),
        length: p.entry.size,
        mtime: plan.source_date_epoch,
        url: updates.file_url(&p.entry.path),
        block_size: None,
    };
    let input = std::fs::File::open(p.staged.path())
        .map_err(|e| Error::io("cannot read", p.staged.path(), e))?;
    let mut bytes = Vec::new();
    crateship_feeds::zsync::write_zsync(std::io::BufReader::new(input), &header, &mut bytes, 0)
        .map_err(|e| feed_error(plan, &name, e))?;
    stage_file(plan, &name, "zsync", &p.entry.target, &bytes[..], 0o644)
}

/// The Sparkle item of a macOS archive, if a Sparkle key is configured.
fn sparkle_item(
    plan: &Plan,
    updates: &UpdatesPlan,
    signers: &Signers,
    p: &Produced,
    arch: Arch,
) -> Result<Option<SparkleItem>> {
    let Some(signature) = signers.sparkle_signature(p.staged.path())? else {
        return Ok(None);
    };
    let versions = plan.app.versions.macos.as_ref().ok_or_else(|| {
        Error::requirement(
            format!("version {} has no macOS bundle version", plan.app.version),
            "release a MAJOR.MINOR.PATCH version",
        )
    })?;
    Ok(Some(SparkleItem {
        title: format!("Version {}", plan.app.version),
        pub_date: plan.source_date_epoch,
        version: versions.bundle.clone(),
        short_version: versions.short.clone(),
        minimum_system_version: plan.macos_minimum_system_version.clone(),
        release_notes_link: None,
        arch: match arch {
            Arch::Aarch64 => SparkleArch::Arm64,
            Arch::X86_64 => SparkleArch::X86_64,
            Arch::Universal => SparkleArch::Universal,
        },
        enclosure: Enclosure {
            url: updates.file_url(&p.entry.path),
            length: p.entry.size,
            ed_signature: signature,
        },
    }))
}
