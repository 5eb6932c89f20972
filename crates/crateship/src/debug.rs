//! Entry points for developing and benchmarking crateship itself (`crateship
//! debug …`, used by `cargo xtask bench`): one format writer on a plain
//! directory, without a plan. Releases go through [`crate::execute`].

use std::path::Path;

use crateship_linux::{LinuxPackage, PackageFile};
use crateship_macos::{DmgOptions, PkgInfo};
use crateship_support::AtomicFile;
use crateship_windows::{MsiArch, MsiFile, MsiPackage};

use crate::error::{Error, Result};
use crate::format::ArchiveKind;

/// Every file below `dir` with its `/`-separated path relative to `dir`.
fn files(dir: &Path) -> Result<Vec<crateship_support::walk::Entry>> {
    crateship_support::walk::files_below(dir)
        .map_err(|e| Error::input(format!("the directory {}", dir.display()), e))
}

/// Packages every file below `dir` into a .deb at `out` under `usr/share/NAME/`.
pub fn deb_from_dir(dir: &Path, name: &str, out: &Path, source_date_epoch: i64) -> Result<()> {
    let mut pkg = LinuxPackage::new(
        name,
        "1.0.0",
        "Benchmark payload",
        "crateship <bench@example.org>",
        crateship_linux::Arch::X86_64,
    );
    pkg.source_date_epoch = source_date_epoch;
    for e in files(dir)? {
        pkg.files.push(PackageFile::from_path(
            e.path,
            format!("usr/share/{name}/{}", e.rel),
            0o644,
        ));
    }
    let mut file = AtomicFile::create(out)?;
    crateship_linux::write_deb(&pkg, file.file()).map_err(|e| Error::artifact(out, e))?;
    file.commit()?;
    Ok(())
}

/// Packages every file below `dir` into an MSI at `out`.
pub fn msi_from_dir(dir: &Path, out: &Path, source_date_epoch: i64) -> Result<()> {
    let files: Vec<MsiFile> = files(dir)?
        .into_iter()
        .map(|e| MsiFile {
            source: e.path,
            dest: e.rel,
        })
        .collect();
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
    crateship_windows::write_msi(&pkg, file.file()).map_err(|e| Error::artifact(out, e))?;
    file.commit()?;
    Ok(())
}

/// A bundle-wrapping format for [`wrap_app`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// A `.dmg`.
    Dmg,
    /// A `.pkg`.
    Pkg,
}

/// Wraps an existing `.app` directory in a `.dmg` or `.pkg` at `out`.
pub fn wrap_app(app_dir: &Path, wrap: Wrap, out: &Path, source_date_epoch: u64) -> Result<()> {
    let mut file = AtomicFile::create(out)?;
    match wrap {
        Wrap::Dmg => crateship_macos::write_dmg(
            app_dir,
            &DmgOptions::new("Payload", source_date_epoch),
            file.file(),
        )
        .map(drop),
        Wrap::Pkg => crateship_macos::write_pkg(
            app_dir,
            &PkgInfo::new("Payload", source_date_epoch),
            file.file(),
        )
        .map(drop),
    }
    .map_err(|e| Error::artifact(out, e))?;
    file.commit()?;
    Ok(())
}

/// Archives a directory as it is with crateship's own writer.
pub fn archive_dir(
    kind: ArchiveKind,
    dir: &Path,
    root: &str,
    out: &Path,
    mtime: i64,
) -> Result<()> {
    let spec = crateship_archive::ArchiveSpec::from_dir(dir, root, mtime)
        .map_err(|e| Error::input(format!("the directory {}", dir.display()), e))?;
    crateship_archive::write_file(kind, &spec, out).map_err(|e| Error::artifact(out, e))
}

/// Signs a PE or MSI with a PEM key and chain, natively and without a timestamp;
/// returns the warnings.
pub fn sign_with_pem(key: &Path, chain: &Path, input: &Path, output: &Path) -> Result<Vec<String>> {
    use crateship_sign::Signer;
    let source = crateship_sign::KeySource::Pem {
        key: key.to_owned(),
        chain: chain.to_owned(),
    };
    let options = crateship_sign::AuthenticodeOptions {
        allow_unstamped: true,
        ..crateship_sign::AuthenticodeOptions::default()
    };
    let key = source
        .load()
        .map_err(|e| Error::input(format!("cannot load the key {}", key.display()), e))?;
    let signer = crateship_sign::NativeSigner::new(key, options);
    Ok(signer
        .sign(input, output)
        .map_err(|e| Error::artifact(output, e))?
        .warnings)
}

/// Writes the CycloneDX SBOM of the package `options` selects, for `triple`,
/// to `out` (the artifact it describes is its first binary, digest zero): SBOM
/// generation alone, for `cargo xtask bench sbom`.
pub fn sbom(options: &crate::Options, triple: &str, out: &Path) -> Result<()> {
    let inputs = crate::Inputs::gather(options)?;
    let plan = crate::plan::plan(&inputs, options)?;
    let bytes = crate::execute::records::cyclonedx_for_target(
        &plan,
        triple,
        &plan.app.name,
        &"0".repeat(64),
    )?;
    crateship_support::atomic::write(out, &bytes)?;
    Ok(())
}
