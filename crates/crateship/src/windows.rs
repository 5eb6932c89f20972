//! The Windows installer step: turns a planned MSI into a
//! `crateship_windows::MsiPackage` (files, Start-menu shortcut to the main exe,
//! icon, upgrade code) and writes it atomically.

use std::path::Path;

use crateship_icons::IconSet;
use crateship_windows::{MsiArch, MsiFile, MsiPackage};

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::plan::{ArtifactPlan, Plan, TargetPlan};
use crate::target::Arch;

/// Writes the MSI for `target` to `path`; nothing is left behind on error.
pub fn write_msi(
    plan: &Plan,
    target: &TargetPlan,
    artifact: &ArtifactPlan,
    icons: &IconSet,
    path: &Path,
) -> Result<()> {
    let pkg = package(plan, target, artifact, icons)?;
    let mut out = AtomicFile::create(path)?;
    crateship_windows::write_msi(&pkg, out.file())
        .map_err(|e| Error::Command(format!("cannot write {}: {e}", path.display())))?;
    out.commit()?;
    Ok(())
}

/// Builds the MSI description for one artifact.
pub fn package(
    plan: &Plan,
    target: &TargetPlan,
    artifact: &ArtifactPlan,
    icons: &IconSet,
) -> Result<MsiPackage> {
    let app = &plan.app;
    let identifier = app.identifier.clone().ok_or_else(|| {
        Error::Usage("msi needs `identifier` in [package.metadata.crateship]".into())
    })?;
    let manufacturer = app
        .authors
        .first()
        .map(|a| a.split('<').next().unwrap_or(a).trim().to_owned())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| app.product_name.clone());
    let main_exe = target
        .binaries
        .first()
        .map(|b| b.file_name.clone())
        .unwrap_or_default();
    Ok(MsiPackage {
        product_name: app.product_name.clone(),
        manufacturer,
        version: app.version.clone(),
        identifier,
        upgrade_code: plan.windows.upgrade_code.clone(),
        description: app
            .description
            .clone()
            .unwrap_or_else(|| app.product_name.clone()),
        homepage: app.homepage.clone(),
        files: artifact
            .entries
            .iter()
            .map(|e| MsiFile {
                source: e.source.clone(),
                dest: e.dest.clone(),
            })
            .collect(),
        main_exe,
        icon: Some(icons.ico.clone()),
        desktop_shortcut: plan.windows.desktop_shortcut,
        per_user: plan.windows.per_user,
        arch: match target.arch {
            // Windows targets are never universal.
            Arch::X86_64 | Arch::Universal => MsiArch::X64,
            Arch::Aarch64 => MsiArch::Arm64,
        },
        source_date_epoch: plan.source_date_epoch,
    })
}

/// Packages every file below `dir` into an MSI at `out` (for benchmarks against
/// wixl; releases go through [`write_msi`]).
pub fn msi_from_dir(dir: &Path, out: &Path, source_date_epoch: i64) -> Result<()> {
    let mut files: Vec<MsiFile> = crate::linux::files_below(dir)?
        .into_iter()
        .map(|(source, dest)| MsiFile { source, dest })
        .collect();
    files.sort_by(|a, b| a.dest.cmp(&b.dest));
    let main_exe = files.first().map(|f| f.dest.clone()).unwrap_or_default();
    let pkg = MsiPackage {
        product_name: "SamplePayload".into(),
        manufacturer: "crateship".into(),
        version: "1.0.0".into(),
        identifier: "org.example.sample-payload".into(),
        upgrade_code: None,
        description: "Benchmark payload".into(),
        homepage: None,
        files,
        main_exe,
        icon: None,
        desktop_shortcut: false,
        per_user: false,
        arch: MsiArch::X64,
        source_date_epoch,
    };
    let mut file = AtomicFile::create(out)?;
    crateship_windows::write_msi(&pkg, file.file())
        .map_err(|e| Error::Command(format!("cannot write {}: {e}", out.display())))?;
    file.commit()?;
    Ok(())
}

/// Compiles the resources linked into every Windows exe of `target`: the app
/// icon, a VERSIONINFO block and an application manifest (per-monitor-v2 DPI,
/// long paths, UTF-8 code page, Windows 10/11, common controls v6). The script
/// is compiled to `res` with zig's resource compiler, which the Windows cross
/// build already requires.
pub fn compile_resources(
    plan: &Plan,
    target: &TargetPlan,
    icons: &IconSet,
    res: &Path,
) -> Result<()> {
    let app = &plan.app;
    let company = app
        .authors
        .first()
        .map(|a| a.split('<').next().unwrap_or(a).trim().to_owned())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| app.product_name.clone());
    let year = crate::epoch::rfc3339(plan.source_date_epoch)
        .chars()
        .take(4)
        .collect::<String>();
    let info = crateship_windows::exe::ExeInfo {
        product_name: app.product_name.clone(),
        company: company.clone(),
        description: app
            .description
            .clone()
            .unwrap_or_else(|| app.product_name.clone()),
        version: app.version.clone(),
        copyright: format!("Copyright © {year} {company}"),
        original_filename: target
            .binaries
            .first()
            .map(|b| b.file_name.clone())
            .unwrap_or_default(),
        identifier: app.identifier.clone().unwrap_or_else(|| app.name.clone()),
        icon: Some(icons.ico.clone()),
    };
    let dir = res.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let script = crateship_windows::exe::write_resource_script(&info, dir)
        .map_err(|e| Error::Usage(format!("Windows resources for {}: {e}", target.triple)))?;
    let script = script.to_string_lossy().into_owned();
    let out = res.to_string_lossy().into_owned();
    let cmd = if crate::process::on_path("zig") {
        crate::process::CommandSpec::new("zig", &["rc", "/fo", &out, &script])
    } else {
        crate::process::CommandSpec::new("python3", &["-m", "ziglang", "rc", "/fo", &out, &script])
    };
    cmd.run().map(|_| ())
}
