//! The package-manager channels, written after every artifact is signed and
//! hashed (so every checksum in them is final) and before the checksums: the
//! signed apt and dnf repositories of the release's packages (crateship-repos),
//! and the AUR, winget, Scoop, Homebrew and `install.sh` files
//! (crateship-manifests). Each channel's files are staged under
//! `channels/NAME/` and published with the artifacts, so they are listed in the
//! manifest and `SHA256SUMS` and covered by the signature of `SHA256SUMS`.

use std::path::{Path, PathBuf};

use crateship_manifests::{ChannelFile, Release, ReleaseArtifact};

use super::finalize::{Produced, stage_file};
use super::sign::Signers;
use crate::error::{Error, Result};
use crate::format::{Family, Format, LinuxKind};
use crate::manifest::ManifestArtifact;
use crate::plan::channels::ChannelsPlan;
use crate::plan::{Plan, TargetPlan};
use crate::target::{Arch, Os};

/// The channel files of this release, staged, and the channel directories they
/// replace whole (`channels/apt`, …).
pub(crate) fn write(
    plan: &Plan,
    signers: &Signers,
    produced: &[Produced],
) -> Result<(Vec<Produced>, Vec<String>)> {
    let Some(channels) = &plan.channels else {
        return Ok((Vec::new(), Vec::new()));
    };
    let settings = &channels.settings;
    let release = release(plan, channels, signers, produced)?;
    let mut staged = Vec::new();
    let mut replaced = Vec::new();
    for name in settings.names() {
        let dir = format!("channels/{name}");
        match name {
            "apt" | "rpm" => staged.extend(repository(plan, channels, signers, produced, name)?),
            _ => {
                let files = manifest_files(&release, name)
                    .map_err(|e| Error::artifact(plan.out_dir.join(&dir), e))?;
                for file in files {
                    let mode = if file.executable { 0o755 } else { 0o644 };
                    let rel = format!("{dir}/{}", file.path);
                    staged.push(stage_file(
                        plan,
                        &rel,
                        &format!("channel-{name}"),
                        "",
                        file.contents.as_bytes(),
                        mode,
                    )?);
                }
            }
        }
        replaced.push(dir);
    }
    Ok((staged, replaced))
}

/// The files of a manifest channel.
fn manifest_files(
    release: &Release,
    name: &str,
) -> std::result::Result<Vec<ChannelFile>, crateship_manifests::ManifestError> {
    match name {
        "aur" => crateship_manifests::aur::aur(release),
        "winget" => crateship_manifests::winget::winget(release),
        "scoop" => crateship_manifests::scoop::scoop(release),
        "homebrew" => crateship_manifests::homebrew::homebrew(release),
        _ => crateship_manifests::install_sh::install_sh(release),
    }
}

/// The apt or rpm repository, written into a hidden directory of the out dir and
/// staged file by file under `channels/NAME/`.
fn repository(
    plan: &Plan,
    channels: &ChannelsPlan,
    signers: &Signers,
    produced: &[Produced],
    name: &str,
) -> Result<Vec<Produced>> {
    let kind = if name == "apt" {
        LinuxKind::Deb
    } else {
        LinuxKind::Rpm
    };
    let packages: Vec<PathBuf> = produced
        .iter()
        .filter(|p| format_of(&p.entry) == Some(Family::Linux(kind)))
        .map(|p| p.staged.path().to_path_buf())
        .collect();
    let key = signers.repository_key(name)?;
    let previous = channels.previous_dir(name);
    let scratch = Scratch::new(&plan.out_dir, name)?;
    let dir = format!("channels/{name}");
    let fail = |e: crateship_repos::RepoError| Error::artifact(plan.out_dir.join(&dir), e);
    let app = &plan.app;
    if let Some(apt) = &channels.settings.apt
        && name == "apt"
    {
        let mut config = crateship_repos::AptConfig::new(&app.name, &apt.url);
        config.suite = apt.suite.clone();
        config.codename = apt.suite.clone();
        config.component = apt.component.clone();
        if let Some(origin) = &apt.origin {
            config.origin = origin.clone();
        }
        if let Some(label) = &apt.label {
            config.label = label.clone();
        }
        config.description = Some(app.summary.clone());
        crateship_repos::write_apt_repo(
            &config,
            &packages,
            previous.as_deref(),
            key,
            plan.source_date_epoch,
            &scratch.0,
        )
        .map_err(fail)?;
    } else if let Some(rpm) = &channels.settings.rpm {
        let mut config = crateship_repos::RpmConfig::new(&app.name, &rpm.url);
        config.title = rpm
            .title
            .clone()
            .unwrap_or_else(|| app.product_name.clone());
        crateship_repos::write_rpm_repo(
            &config,
            &packages,
            previous.as_deref(),
            key,
            plan.source_date_epoch,
            &scratch.0,
        )
        .map_err(fail)?;
    }
    let files = crateship_support::walk::files_below(&scratch.0)
        .map_err(|e| Error::input(format!("the {name} repository"), e))?;
    files
        .iter()
        .map(|file| {
            let input = std::fs::File::open(&file.path)
                .map_err(|e| Error::io("cannot read", &file.path, e))?;
            stage_file(
                plan,
                &format!("{dir}/{}", file.rel),
                &format!("channel-{name}"),
                "",
                input,
                0o644,
            )
        })
        .collect()
}

/// A hidden directory in the out dir, removed when dropped (and by the next run
/// if this one is killed).
struct Scratch(PathBuf);

impl Scratch {
    fn new(out: &Path, name: &str) -> Result<Scratch> {
        let dir = out.join(format!(
            "{}{}-channel-{name}",
            crateship_support::atomic::LEFTOVER_MARKER,
            std::process::id()
        ));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io("cannot remove", &dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn format_of(entry: &ManifestArtifact) -> Option<Family> {
    entry.format.parse::<Format>().ok().map(Format::family)
}

/// The release as the manifest channels describe it, from the plan and the
/// final (signed, hashed) artifacts.
fn release(
    plan: &Plan,
    channels: &ChannelsPlan,
    signers: &Signers,
    produced: &[Produced],
) -> Result<Release> {
    let app = &plan.app;
    let settings = &channels.settings;
    let homepage = app
        .homepage
        .clone()
        .or_else(|| app.repository.clone())
        .ok_or_else(|| {
            Error::requirement(
                "package-manager manifests link the project's homepage, and Cargo.toml has none",
                "set `homepage` or `repository` in [package]",
            )
        })?;
    let license = app.license.clone().ok_or_else(|| {
        Error::requirement(
            "package-manager manifests state the licence, and Cargo.toml has none",
            "set `license` in [package] (an SPDX expression such as \"MIT OR Apache-2.0\")",
        )
    })?;
    let maintainer = match &app.maintainer {
        Some(m) => format!("{} <{}>", m.name, m.email),
        None => app.publisher.clone(),
    };
    let mut artifacts = Vec::new();
    let mut glibc_floor: Option<String> = None;
    let mut license_files: Vec<String> = Vec::new();
    for p in produced {
        let Some((target, planned)) = plan.targets.iter().find_map(|t| {
            t.artifacts
                .iter()
                .find(|a| a.file_name == p.entry.path)
                .map(|a| (t, a))
        }) else {
            continue;
        };
        if target.triple.is_gnu_linux()
            && let Some(glibc) = &p.entry.requirements.glibc
            && glibc_floor.as_ref().is_none_or(|f| newer(glibc, f))
        {
            glibc_floor = Some(glibc.clone());
        }
        if planned.format == Format::TarGz && license_files.is_empty() {
            license_files = planned
                .entries
                .iter()
                .filter(|e| is_license_file(&e.dest))
                .map(|e| e.dest.clone())
                .collect();
        }
        artifacts.push(ReleaseArtifact {
            file_name: p.entry.path.clone(),
            sha256: p.entry.sha256.clone(),
            size: p.entry.size,
            os: match target.os {
                Os::Linux => crateship_manifests::Os::Linux,
                Os::Macos => crateship_manifests::Os::Macos,
                Os::Windows => crateship_manifests::Os::Windows,
            },
            arch: match target.arch {
                Arch::X86_64 => crateship_manifests::Arch::X86_64,
                Arch::Aarch64 => crateship_manifests::Arch::Aarch64,
                Arch::Universal => crateship_manifests::Arch::Universal,
            },
            libc: libc_of(target),
            format: crateship_manifests::ArtifactFormat::from_name(planned.format.name()),
            root_dir: planned.root_dir.clone(),
            msi: p.msi.as_ref().map(|codes| crateship_manifests::MsiFacts {
                product_code: codes.product_code.clone(),
                upgrade_code: codes.upgrade_code.clone(),
                product_version: codes.product_version.clone(),
                scope: if plan.windows.per_user {
                    crateship_manifests::MsiScope::User
                } else {
                    crateship_manifests::MsiScope::Machine
                },
            }),
        });
    }
    let binaries = plan
        .targets
        .first()
        .map(|t| t.binaries.iter().map(|b| b.name.clone()).collect())
        .unwrap_or_default();
    let (minisign_public_key, openpgp_public_key) = signers.checksum_public_keys()?;
    Ok(Release {
        name: app.name.clone(),
        product_name: app.product_name.clone(),
        version: app.version.clone(),
        summary: app.summary.clone(),
        homepage,
        license,
        maintainer,
        identifier: app.identifier.clone().unwrap_or_else(|| app.name.clone()),
        base_url: settings.base_url.clone(),
        artifacts,
        glibc_floor,
        linux_depends: Vec::new(),
        binaries,
        license_files,
        man_pages: Vec::new(),
        completions: crateship_manifests::Completions::default(),
        minisign_public_key,
        openpgp_public_key,
        winget_identifier: settings.winget_identifier.clone(),
        checkver_url: settings.scoop_checkver_url.clone(),
    })
}

fn libc_of(target: &TargetPlan) -> Option<crateship_manifests::Libc> {
    match target.os {
        Os::Linux if target.triple.is_gnu_linux() => Some(crateship_manifests::Libc::Gnu),
        Os::Linux => Some(crateship_manifests::Libc::Musl),
        Os::Macos | Os::Windows => None,
    }
}

/// Whether a file shipped at the archive root is a licence text.
fn is_license_file(dest: &str) -> bool {
    let upper = dest.to_ascii_uppercase();
    !dest.contains('/')
        && ["LICENSE", "LICENCE", "COPYING", "UNLICENSE"]
            .iter()
            .any(|p| upper.starts_with(p))
}

/// Whether dotted version `a` is newer than `b` (`2.31` > `2.17`).
fn newer(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Vec<u32> { v.split('.').filter_map(|p| p.parse().ok()).collect() };
    parts(a) > parts(b)
}
