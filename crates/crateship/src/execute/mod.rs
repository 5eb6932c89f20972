//! Executing a [`Plan`]: icons, builds, one writer per artifact, signatures, then
//! finalize (`SHA256SUMS`, `dist-manifest.json`).
//!
//! Every artifact goes through one seam: its family's adapter writes the
//! unsigned bytes into an [`AtomicFile`] beside its final name
//! (`write_artifact`); the file is staged under a hidden name, its embedded
//! signature is applied there (`Signers::sign_embedded`), it is hashed,
//! published under its final name, and only then do its detached signatures
//! appear. So nothing unsigned ever stands under a final name when signing is
//! configured, and a killed run leaves the previous artifact in place.
//!
//! Architecture Invariant: execution reads only the plan — nothing here names
//! `crate::config`; the values it needs are the plan's.

mod appimage;
mod archive;
pub(crate) mod binaries;
mod build;
mod channels;
pub mod feeds;
pub mod finalize;
mod hooks;
mod icons;
mod linux;
mod macos;
pub(crate) mod notarize;
pub mod outdir;
pub(crate) mod records;
pub mod sign;
mod windows;

use crateship_icons::IconSet;
use crateship_support::AtomicFile;

use crate::error::{Error, Result};
use crate::format::Family;
use crate::manifest::{DistManifest, ManifestArtifact, Requirements, Signature};
use crate::plan::{ArtifactPlan, BuildStep, Plan, TargetPlan};
use crate::progress::{Event, Reporter};
use crate::target::Os;

pub use finalize::{MANIFEST, SHA256SUMS};

/// Builds every target of `plan` (icons, missing tools, cargo / cargo-zigbuild,
/// the binary checks) and copies the finished binaries to `dir/TARGET/BIN`,
/// the layout `dist --no-build --binary-dir dir` reads. This is what a CI build
/// job runs before it hands the binaries to the packaging job. Returns the
/// copied files.
pub fn build_binaries(
    plan: &Plan,
    dir: &std::path::Path,
    reporter: &dyn Reporter,
) -> Result<Vec<std::path::PathBuf>> {
    let warn = |w: String| reporter.report(Event::Warning(w));
    plan.warnings.iter().cloned().for_each(warn);
    let total = plan.targets.len() + 1;
    reporter.report(Event::Started {
        step: "icons".into(),
        total,
    });
    let icon_set = icons::generate(&plan.icons)?;
    icon_set
        .warnings
        .iter()
        .for_each(|w| warn(format!("icon: {w}")));
    let missing = build::missing_tools(plan)?;
    if !missing.is_empty() {
        if !plan.install_missing {
            return Err(Error::MissingTools(missing));
        }
        build::install(&missing)?;
    }
    let mut copied = Vec::new();
    for target in &plan.targets {
        let step = format!("build {}", target.triple);
        reporter.report(Event::Started {
            step: step.clone(),
            total,
        });
        if !matches!(target.build, BuildStep::Prebuilt { .. }) {
            build::run(plan, target, &target.build, &icon_set)?;
        }
        binaries::check(plan, target)?;
        let target_dir = dir.join(target.triple.to_string());
        for bin in &target.binaries {
            let dest = target_dir.join(&bin.file_name);
            let io = |action, path: &std::path::Path, e: std::io::Error| Error::Io {
                action,
                path: path.to_path_buf(),
                source: e,
            };
            std::fs::create_dir_all(&target_dir)
                .map_err(|e| io("cannot create the binary dir", &target_dir, e))?;
            let mut out =
                AtomicFile::create(&dest).map_err(|e| io("cannot write", &dest, e.source))?;
            let mut src = std::fs::File::open(&bin.path)
                .map_err(|e| io("cannot read the built binary", &bin.path, e))?;
            std::io::copy(&mut src, out.file()).map_err(|e| io("cannot write", &dest, e))?;
            out.set_mode(0o755)
                .map_err(|e| io("cannot write", &dest, e.source))?;
            copied.push(
                out.commit()
                    .map_err(|e| io("cannot write", &dest, e.source))?,
            );
        }
        reporter.report(Event::Finished {
            step,
            detail: target_dir.display().to_string(),
        });
    }
    Ok(copied)
}

/// Everything one artifact's writer needs from the run so far.
pub(crate) struct ArtifactCtx<'a> {
    /// The release plan.
    pub plan: &'a Plan,
    /// The target the artifact is for.
    pub target: &'a TargetPlan,
    /// The planned artifact.
    pub artifact: &'a ArtifactPlan,
    /// The generated icon set.
    pub icons: &'a IconSet,
    /// What the target's binaries need from the host (glibc floor, macOS minimum).
    pub requirements: &'a Requirements,
    /// The loaded keys (the macOS writer signs the `.app` inside).
    pub signers: &'a sign::Signers,
    /// The `.app` bundles built so far, shared by a target's macOS artifacts.
    pub bundles: &'a macos::Bundles,
}

impl ArtifactCtx<'_> {
    /// The artifact's final path.
    pub fn path(&self) -> std::path::PathBuf {
        self.plan.out_dir.join(&self.artifact.file_name)
    }

    /// An error from the format crate writing this artifact.
    pub fn fail(&self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::artifact(self.path(), source)
    }
}

/// What a writer reports about the unsigned artifact it wrote.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Things to tell the user (unmapped libraries, …).
    pub warnings: Vec<String>,
    /// A signature already inside the bytes (the `.app` in a `.app.zip`).
    pub signature: Option<Signature>,
    /// The file's Unix mode (0o755 for AppImages).
    pub mode: u32,
    /// An MSI's ProductCode and UpgradeCode (winget records them).
    pub msi: Option<crateship_windows::MsiCodes>,
}

/// Writes the unsigned bytes of `ctx.artifact` into `out` with its family's writer.
fn write_artifact(ctx: &ArtifactCtx<'_>, out: &mut AtomicFile) -> Result<Written> {
    match ctx.artifact.format.family() {
        Family::Archive(kind) => archive::write(ctx, kind, out),
        Family::Msi => windows::write(ctx, out),
        Family::Macos(kind) => macos::write(ctx, kind, out),
        Family::AppImage => appimage::write(ctx, out),
        Family::Linux(kind) => linux::write(ctx, kind, out),
    }
}

/// Runs the whole plan and returns the manifest it wrote.
pub fn execute(plan: &Plan, reporter: &dyn Reporter) -> Result<DistManifest> {
    let _out_dir = outdir::OutDir::open(&plan.out_dir, plan.no_wait, reporter)?;
    let builds = plan
        .targets
        .iter()
        .filter(|t| !matches!(t.build, BuildStep::Prebuilt { .. }))
        .count();
    let artifacts: usize = plan.targets.iter().map(|t| t.artifacts.len()).sum();
    let total = builds + artifacts + 2 + usize::from(!plan.before_package.is_empty());
    let step = |name: &str| {
        reporter.report(Event::Started {
            step: name.to_owned(),
            total,
        })
    };
    let done = |name: &str, detail: String| {
        reporter.report(Event::Finished {
            step: name.to_owned(),
            detail,
        })
    };
    let warn = |w: String| reporter.report(Event::Warning(w));
    plan.warnings.iter().cloned().for_each(warn);

    step("icons");
    let icon_set = icons::generate(&plan.icons)?;
    icon_set
        .warnings
        .iter()
        .for_each(|w| warn(format!("icon: {w}")));
    done("icons", plan.icons.out_dir.display().to_string());

    if builds > 0 {
        let missing = build::missing_tools(plan)?;
        if !missing.is_empty() {
            if !plan.install_missing {
                return Err(Error::MissingTools(missing));
            }
            for tool in &missing {
                step(&format!("install {}", tool.what));
            }
            build::install(&missing)?;
        }
    }
    // Keys are loaded before the long builds, so a missing secret fails early.
    let signers = sign::Signers::load(plan)?;
    let bundles = macos::Bundles::new(plan);
    let mut requirements = Vec::new();
    for target in &plan.targets {
        if !matches!(target.build, BuildStep::Prebuilt { .. }) {
            let name = format!("build {}", target.triple);
            step(&name);
            build::run(plan, target, &target.build, &icon_set)?;
            done(&name, format!("{} binaries", target.binaries.len()));
        }
        requirements.push(binaries::check(plan, target)?);
        // Exes are signed before anything packages them (zip, MSI).
        if target.os == Os::Windows {
            for bin in &target.binaries {
                signers.sign_exe(&bin.path)?.into_iter().for_each(warn);
            }
        }
    }
    if !plan.before_package.is_empty() {
        step("before-package");
        hooks::run(plan)?;
        done(
            "before-package",
            format!("{} commands", plan.before_package.len()),
        );
    }
    let mut produced = Vec::new();
    for (target, reqs) in plan.targets.iter().zip(&requirements) {
        for artifact in &target.artifacts {
            let name = format!("{} {}", artifact.format, target.triple);
            step(&name);
            let ctx = ArtifactCtx {
                plan,
                target,
                artifact,
                icons: &icon_set,
                requirements: reqs,
                signers: &signers,
                bundles: &bundles,
            };
            let (artifact_done, warnings) = produce(&ctx)?;
            warnings.into_iter().for_each(warn);
            done(&name, artifact.file_name.clone());
            produced.push(artifact_done);
        }
    }
    bundles.finish();
    step("finalize");
    let sboms = records::sboms(plan, &produced)?;
    produced.extend(sboms);
    let (feeds, feed_warnings) = feeds::write(plan, &signers, &produced)?;
    feed_warnings.into_iter().for_each(warn);
    produced.extend(feeds);
    let (channel_files, replaced) = channels::write(plan, &signers, &produced)?;
    produced.extend(channel_files);
    let provenance = records::provenance(plan, &signers, &produced)?;
    produced.extend(provenance);
    let manifest = finalize::publish(plan, produced, &replaced)?;
    let signatures = signers.sign_checksums(&plan.out_dir.join(SHA256SUMS))?;
    let mut files = vec![SHA256SUMS.to_owned()];
    files.extend(
        signatures
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned()),
    );
    files.push(MANIFEST.to_owned());
    done("finalize", files.join(", "));
    Ok(manifest)
}

/// Writes, signs and hashes one artifact, staged under its hidden name for
/// [`finalize::publish`]; returns it and the warnings to show.
fn produce(ctx: &ArtifactCtx<'_>) -> Result<(finalize::Produced, Vec<String>)> {
    let path = ctx.path();
    let mut out = AtomicFile::create(&path)?;
    let Written {
        mut warnings,
        signature,
        mode,
        msi,
    } = write_artifact(ctx, &mut out)?;
    out.set_mode(mode)?;
    let staged = out.stage()?;
    let embedded = ctx.signers.sign_embedded(ctx, staged.path())?;
    // A signer rewrites the staged file; the mode is the writer's.
    staged.set_mode(mode)?;
    warnings.extend(embedded.warnings);
    let detached = ctx
        .signers
        .detached(staged.path(), &ctx.artifact.file_name)?;
    let (sha256, size) = crateship_support::hash::sha256_file(staged.path())?;
    let first_detached = detached.first().map(|d| d.signature.clone());
    let entry = ManifestArtifact {
        path: ctx.artifact.file_name.clone(),
        format: ctx.artifact.format.name().to_owned(),
        target: ctx.target.triple.to_string(),
        sha256,
        size,
        requirements: ctx.requirements.clone(),
        signature: signature.or(embedded.signature).or(first_detached),
    };
    Ok((
        finalize::Produced {
            entry,
            staged,
            msi,
            detached: detached
                .into_iter()
                .map(|d| (d.file_name, d.text))
                .collect(),
        },
        warnings,
    ))
}
