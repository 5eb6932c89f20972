//! Executing a [`Plan`]: build each target, write each artifact, then finalize
//! with `SHA256SUMS` and `dist-manifest.json`.
//!
//! Architecture Invariant: execution reads only the plan, never the config.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::archive::{self, ArchiveFile, ArchiveSpec};
use crate::atomic::{self, AtomicFile};
use crate::build;
use crate::config::GlibcVersion;
use crate::elf;
use crate::error::{Error, Result};
use crate::format::Format;
use crate::manifest::{DistManifest, ManifestApp, ManifestArtifact, Requirements};
use crate::plan::{ArtifactPlan, BuildStep, Plan, TargetPlan};
use crate::progress::{Event, Reporter};
use crate::target::Os;

/// Name of the checksum file in the out dir.
pub const SHA256SUMS: &str = "SHA256SUMS";
/// Name of the manifest in the out dir.
pub const MANIFEST: &str = "dist-manifest.json";

/// Runs the whole plan and returns the manifest it wrote.
pub fn execute(plan: &Plan, reporter: &dyn Reporter) -> Result<DistManifest> {
    prepare_out_dir(&plan.out_dir)?;
    let builds = plan
        .targets
        .iter()
        .filter(|t| !matches!(t.build, BuildStep::Prebuilt { .. }))
        .count();
    let artifacts: usize = plan.targets.iter().map(|t| t.artifacts.len()).sum();
    let total = builds + artifacts + 2;
    reporter.report(Event::Started {
        step: "icons".into(),
        total,
    });
    let icon_set = crate::icons::generate(&plan.icons)?;
    for warning in &icon_set.warnings {
        reporter.report(Event::Warning(format!("icon: {warning}")));
    }
    reporter.report(Event::Finished {
        step: "icons".into(),
        detail: plan.icons.out_dir.display().to_string(),
    });
    if builds > 0 {
        let missing = build::missing_tools(plan)?;
        if !missing.is_empty() {
            if !plan.install_missing {
                return Err(Error::MissingTools(missing));
            }
            for tool in &missing {
                reporter.report(Event::Started {
                    step: format!("install {}", tool.what),
                    total,
                });
            }
            build::install(&missing)?;
        }
    }
    // Load signing keys before the long builds, so a missing secret fails early.
    let signers = crate::sign::Signers::load(plan.signing.as_ref(), plan.source_date_epoch)?;
    let mut macos = crate::macos::MacosSession::load(plan)?;
    let mut requirements = Vec::new();
    for target in &plan.targets {
        if !matches!(target.build, BuildStep::Prebuilt { .. }) {
            let step = format!("build {}", target.triple);
            reporter.report(Event::Started {
                step: step.clone(),
                total,
            });
            run_build(plan, target, &target.build, &icon_set)?;
            reporter.report(Event::Finished {
                step,
                detail: format!("{} binaries", target.binaries.len()),
            });
        }
        requirements.push(check_binaries(plan, target)?);
        // Exes are signed before anything packages them (zip, MSI).
        if let (true, crate::target::Os::Windows) = (signers.has_authenticode(), target.os) {
            for bin in &target.binaries {
                for warning in signers.sign_exe(&bin.path)? {
                    reporter.report(Event::Warning(warning));
                }
            }
        }
    }
    let mut written = Vec::new();
    for (target, reqs) in plan.targets.iter().zip(&requirements) {
        for artifact in &target.artifacts {
            let step = format!("{} {}", artifact.format, target.triple);
            reporter.report(Event::Started {
                step: step.clone(),
                total,
            });
            let path = plan.out_dir.join(&artifact.file_name);
            let mut apple_signature = None;
            match artifact.format {
                Format::Deb | Format::Rpm => {
                    let ctx = crate::linux::Context {
                        plan,
                        target,
                        artifact,
                        icons: &icon_set,
                        glibc: reqs.glibc.clone(),
                    };
                    for warning in crate::linux::write_package(&ctx, &path)? {
                        reporter.report(Event::Warning(warning));
                    }
                }
                Format::App | Format::Dmg | Format::Pkg => {
                    apple_signature = macos.write_artifact(target, artifact, &icon_set, &path)?;
                }
                Format::AppImage => {
                    let ctx = crate::linux::Context {
                        plan,
                        target,
                        artifact,
                        icons: &icon_set,
                        glibc: reqs.glibc.clone(),
                    };
                    for warning in crate::linux::appimage_library_warnings(&ctx)? {
                        reporter.report(Event::Warning(warning));
                    }
                    crate::linux::write_appimage(&ctx, &path)?
                }
                Format::Msi => crate::windows::write_msi(plan, target, artifact, &icon_set, &path)?,
                _ => write_artifact(plan, artifact, &path)?,
            }
            // MSIs get Authenticode, .rpm and AppImages an OpenPGP signature inside,
            // every artifact the configured detached signatures.
            let signed = signers.sign_artifact(artifact.format, &path)?;
            for warning in signed.warnings {
                reporter.report(Event::Warning(warning));
            }
            let signature = apple_signature.or(signed.signature);
            let (sha256, size) = hash_file(&path)?;
            reporter.report(Event::Finished {
                step,
                detail: artifact.file_name.clone(),
            });
            written.push(ManifestArtifact {
                path: artifact.file_name.clone(),
                format: artifact.format.name().to_owned(),
                target: target.triple.to_string(),
                sha256,
                size,
                requirements: reqs.clone(),
                signature,
            });
        }
    }
    macos.finish();
    reporter.report(Event::Started {
        step: "finalize".into(),
        total,
    });
    let manifest = finalize(plan, written)?;
    let sums_signatures = signers.sign_checksums(&plan.out_dir.join(SHA256SUMS))?;
    reporter.report(Event::Finished {
        step: "finalize".into(),
        detail: {
            let mut files = vec![SHA256SUMS.to_owned()];
            files.extend(
                sums_signatures
                    .iter()
                    .filter_map(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned()),
            );
            files.push(MANIFEST.to_owned());
            files.join(", ")
        },
    });
    Ok(manifest)
}

/// Runs one build step: cargo (after compiling Windows resources), or both
/// Apple builds followed by merging each binary into a universal Mach-O.
fn run_build(
    plan: &Plan,
    target: &TargetPlan,
    step: &BuildStep,
    icons: &crateship_icons::IconSet,
) -> Result<()> {
    match step {
        BuildStep::Cargo {
            command,
            windows_resources,
            rustup_target,
            ..
        } => {
            if let Some(res) = windows_resources {
                crate::windows::compile_resources(plan, target, icons, res)?;
            }
            build::run_cargo(command, rustup_target)
        }
        BuildStep::Universal {
            parts,
            part_dirs,
            output_dir,
        } => {
            for part in parts {
                run_build(plan, target, part, icons)?;
            }
            std::fs::create_dir_all(output_dir)
                .map_err(|e| Error::io("cannot create", output_dir, e))?;
            for bin in &target.binaries {
                let read = |dir: &std::path::PathBuf| {
                    let path = dir.join(&bin.file_name);
                    std::fs::read(&path).map_err(|e| Error::io("cannot read", path, e))
                };
                let (x86_64, arm64) = (read(&part_dirs[0])?, read(&part_dirs[1])?);
                let fat = crateship_macos::merge_universal(&x86_64, &arm64).map_err(|e| {
                    Error::Requirement(format!(
                        "cannot merge {} into a universal binary: {e}",
                        bin.name
                    ))
                })?;
                atomic::write(&bin.path, &fat)?;
                set_executable(&bin.path)?;
            }
            Ok(())
        }
        BuildStep::Prebuilt { .. } => Ok(()),
    }
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io("cannot make executable", path, e))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> Result<()> {
    Ok(())
}

/// Creates the out dir and proves it writable before any long build starts.
fn prepare_out_dir(dir: &Path) -> Result<()> {
    let fix = |e: std::io::Error| Error::Io {
        action: "out dir is not writable (choose another --out-dir):",
        path: dir.to_path_buf(),
        source: e,
    };
    std::fs::create_dir_all(dir).map_err(fix)?;
    let probe = AtomicFile::create(&dir.join(".crateship-write-test")).map_err(|e| match e {
        Error::Io { source, .. } => fix(source),
        other => other,
    })?;
    drop(probe);
    Ok(())
}

/// Checks that every binary exists and meets the plan's requirements.
fn check_binaries(plan: &Plan, target: &TargetPlan) -> Result<Requirements> {
    let mut reqs = Requirements::default();
    for bin in &target.binaries {
        if !bin.path.is_file() {
            let fix = match &target.build {
                BuildStep::Prebuilt { .. } => {
                    "put the binary there, or drop --no-build to let crateship build it"
                }
                BuildStep::Cargo { .. } | BuildStep::Universal { .. } => {
                    "the build finished without it; check the [[bin]] name"
                }
            };
            return Err(Error::Usage(format!(
                "binary `{}` for {} not found at {}; {fix}",
                bin.name,
                target.triple,
                bin.path.display()
            )));
        }
        let floor = if target.triple.is_gnu_linux() {
            elf::glibc_floor(&bin.path, target.arch)?
        } else {
            None
        };
        if let (Some(floor), Some(max)) = (floor, plan.max_glibc)
            && floor > max
        {
            return Err(Error::Requirement(format!(
                "{} requires glibc >= {floor}, above the configured ceiling linux.max-glibc = \"{max}\"; \
                 build against an older glibc (cargo zigbuild --target {}.{max}) or raise the ceiling",
                bin.path.display(),
                target.triple
            )));
        }
        if target.os == Os::Windows && plan.windows.windowed {
            crateship_windows::exe::check_windowed(&bin.path)
                .map_err(|e| Error::Requirement(e.to_string()))?;
        }
        if target.os == Os::Macos {
            reqs.macos = elf::macos_minimum(&bin.path)?;
        }
        if let Some(floor) = floor {
            let current: Option<GlibcVersion> = reqs.glibc.as_deref().and_then(|g| g.parse().ok());
            if current.is_none_or(|c| floor > c) {
                reqs.glibc = Some(floor.to_string());
            }
        }
    }
    Ok(reqs)
}

fn write_artifact(plan: &Plan, artifact: &ArtifactPlan, path: &Path) -> Result<()> {
    let spec = ArchiveSpec {
        root_dir: artifact.root_dir.clone(),
        files: artifact
            .entries
            .iter()
            .map(|e| ArchiveFile {
                source: e.source.clone(),
                dest: e.dest.clone(),
                executable: e.executable,
            })
            .collect(),
        mtime: plan.source_date_epoch,
        level: 6,
    };
    archive::write(artifact.format, &spec, path)
}

/// SHA-256 (hex) and size of a file, read in a streaming fashion.
pub fn hash_file(path: &Path) -> Result<(String, u64)> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::io("cannot read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((format!("{:x}", hasher.finalize()), size))
}

/// Writes `SHA256SUMS` and `dist-manifest.json` for the artifacts of this run.
pub fn finalize(plan: &Plan, mut artifacts: Vec<ManifestArtifact>) -> Result<DistManifest> {
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    let sums: String = artifacts
        .iter()
        .map(|a| format!("{}  {}\n", a.sha256, a.path))
        .collect();
    atomic::write(&plan.out_dir.join(SHA256SUMS), sums.as_bytes())?;
    let manifest = DistManifest {
        app: ManifestApp {
            name: plan.app.name.clone(),
            version: plan.app.version.clone(),
            identifier: plan.app.identifier.clone(),
        },
        artifacts,
    };
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::Command(format!("cannot serialise the manifest: {e}")))?
        + "\n";
    atomic::write(&plan.out_dir.join(MANIFEST), json.as_bytes())?;
    Ok(manifest)
}
