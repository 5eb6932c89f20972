//! Gathering the plan's inputs: the only place planning touches the outside world.
//!
//! [`Inputs`] holds Cargo metadata, the validated config, git state, the chosen
//! `SOURCE_DATE_EPOCH`, tool locations and the package's shippable files. The
//! planner is a pure function of `Inputs` and [`Options`], so tests build
//! `Inputs` from a committed metadata JSON without running cargo.

use std::path::{Path, PathBuf};

use cargo_metadata::{Metadata, Package};

use super::Options;
use crate::config::{self, Config};
use crate::epoch::{self, EpochSource};
use crate::error::{Error, Result};
use crate::git::{self, GitInfo};
use crate::process::CommandSpec;

/// Everything the planner needs, gathered once.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// `cargo metadata --no-deps` of the project.
    pub metadata: Metadata,
    /// The package being released.
    pub package: Package,
    /// Its validated `[package.metadata.crateship]` (merged with the workspace table).
    pub config: Config,
    /// The Cargo.toml the config came from (named in errors).
    pub config_file: PathBuf,
    /// Git state, if the project is a git checkout.
    pub git: Option<GitInfo>,
    /// The release timestamp.
    pub source_date_epoch: i64,
    /// Where the timestamp came from.
    pub epoch_source: EpochSource,
    /// The host's target triple (`rustc -vV`).
    pub host: String,
    /// Cargo's home directory (remapped out of binaries).
    pub cargo_home: PathBuf,
    /// Rustup's home directory (remapped out of binaries).
    pub rustup_home: PathBuf,
    /// Rust flags the user already set (`CARGO_ENCODED_RUSTFLAGS` or `RUSTFLAGS`); kept.
    pub user_rustflags: Vec<String>,
    /// File names in the package directory (to find README and license files).
    pub package_files: Vec<String>,
    /// Resource files matched by the config's globs, relative to the package directory.
    pub resource_files: Vec<String>,
    /// The package's README (Cargo's `readme`, else the first `README*` file), the
    /// source of the long description.
    pub readme_text: Option<String>,
}

impl Inputs {
    /// Reads metadata, config, git state and the environment for `options`.
    pub fn gather(options: &Options) -> Result<Inputs> {
        let manifest = options
            .manifest_path
            .clone()
            .unwrap_or_else(|| PathBuf::from("Cargo.toml"));
        if !manifest.is_file() {
            return Err(Error::Usage(format!(
                "no Cargo.toml at {}; run from a Cargo project or pass --manifest-path",
                manifest.display()
            )));
        }
        let metadata_json = CommandSpec::new(
            "cargo",
            &[
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--manifest-path",
                &manifest.to_string_lossy(),
            ],
        )
        .run()
        .map_err(|e| Error::Metadata {
            manifest: manifest.clone(),
            message: e.to_string(),
        })?
        .stdout;
        let metadata = parse_metadata(&metadata_json, &manifest)?;
        let package = select_package(&metadata, &manifest, options.package.as_deref())?;
        let package_dir = package_dir(&package);
        let git = git::read(&package_dir);
        let sde = std::env::var("SOURCE_DATE_EPOCH").ok();
        let (source_date_epoch, epoch_source) =
            epoch::resolve(sde.as_deref(), git.as_ref().map(|g| g.commit_time))?;
        let host = host_triple()?;
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".cargo"));
        let rustup_home = std::env::var_os("RUSTUP_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".rustup"));
        let user_rustflags = match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
            Ok(v) if !v.is_empty() => v.split('\u{1f}').map(str::to_owned).collect(),
            _ => std::env::var("RUSTFLAGS")
                .map(|v| v.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
        };
        let package_files = list_dir(&package_dir)?;
        let (config, config_file) = config::load(&metadata, &package)?;
        let resource_files = expand_resources(&package_dir, &config.resources, &config_file)?;
        let readme_text = read_readme(&package, &package_dir, &package_files)?;
        Ok(Inputs {
            metadata,
            package,
            config,
            config_file,
            git,
            source_date_epoch,
            epoch_source,
            host,
            cargo_home,
            rustup_home,
            user_rustflags,
            package_files,
            resource_files,
            readme_text,
        })
    }

    /// The package's directory (where its Cargo.toml is).
    pub fn package_dir(&self) -> PathBuf {
        package_dir(&self.package)
    }
}

/// Parses `cargo metadata` JSON, naming the manifest on failure.
pub fn parse_metadata(json: &str, manifest: &Path) -> Result<Metadata> {
    serde_json::from_str(json).map_err(|e| Error::Metadata {
        manifest: manifest.to_path_buf(),
        message: format!("cargo printed metadata crateship cannot read: {e}"),
    })
}

/// Picks the package to release: `--package`, else the one whose manifest was
/// named, else the only workspace member with a binary.
pub fn select_package(metadata: &Metadata, manifest: &Path, name: Option<&str>) -> Result<Package> {
    let members: Vec<&Package> = metadata.workspace_packages();
    if let Some(name) = name {
        return members
            .iter()
            .find(|p| p.name.as_str() == name)
            .map(|p| (*p).clone())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no package `{name}` in the workspace; members: {}",
                    members
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            });
    }
    let wanted = manifest
        .canonicalize()
        .unwrap_or_else(|_| manifest.to_path_buf());
    if let Some(p) = members
        .iter()
        .find(|p| p.manifest_path.as_std_path() == wanted)
    {
        return Ok((*p).clone());
    }
    let with_bins: Vec<&&Package> = members
        .iter()
        .filter(|p| p.targets.iter().any(|t| t.is_bin()))
        .collect();
    match with_bins.as_slice() {
        [one] => Ok((**one).clone()),
        [] => Err(Error::Usage(format!(
            "the workspace at {} has no package with a binary to release",
            manifest.display()
        ))),
        many => Err(Error::Usage(format!(
            "the workspace has several packages with binaries ({}); choose one with --package",
            many.iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn package_dir(package: &Package) -> PathBuf {
    package
        .manifest_path
        .parent()
        .map(|p| p.as_std_path().to_path_buf())
        .unwrap_or_default()
}

/// The README's text: Cargo's `readme` if set, else the first `README*` file.
fn read_readme(package: &Package, dir: &Path, files: &[String]) -> Result<Option<String>> {
    let name = match &package.readme {
        Some(readme) => Some(readme.to_string()),
        None => files
            .iter()
            .find(|f| f.to_ascii_uppercase().starts_with("README"))
            .cloned(),
    };
    let Some(name) = name else { return Ok(None) };
    let path = dir.join(&name);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("cannot read", path, e)),
    }
}

fn host_triple() -> Result<String> {
    let out = CommandSpec::new("rustc", &["-vV"]).run()?;
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::requirement(
                "`rustc -vV` printed no host triple",
                "install the Rust toolchain with rustup (https://rustup.rs)",
            )
        })
}

fn list_dir(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io("cannot list", dir, e))? {
        let entry = entry.map_err(|e| Error::io("cannot list", dir, e))?;
        if entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Expands resource globs to files inside `package_dir`; a match that resolves
/// outside it (through `..` or a symlink) is an error.
pub fn expand_resources(
    package_dir: &Path,
    patterns: &[String],
    config_file: &Path,
) -> Result<Vec<String>> {
    let root = package_dir
        .canonicalize()
        .map_err(|e| Error::io("cannot resolve", package_dir, e))?;
    let mut files = Vec::new();
    for pattern in patterns {
        let full = root.join(pattern);
        let bad = |message: String| Error::Config {
            file: config_file.to_path_buf(),
            key: "resources".into(),
            message,
        };
        let paths = glob::glob(&full.to_string_lossy())
            .map_err(|e| bad(format!("`{pattern}` is not a valid glob: {e}")))?;
        let mut matched = false;
        for path in paths {
            let path = path.map_err(|e| bad(format!("`{pattern}`: {e}")))?;
            if !path.is_file() {
                continue;
            }
            let real = path
                .canonicalize()
                .map_err(|e| Error::io("cannot resolve", &path, e))?;
            if !real.starts_with(&root) {
                return Err(bad(format!(
                    "`{pattern}` matches {}, which resolves outside the project ({}); keep resources inside the package directory",
                    path.display(),
                    real.display()
                )));
            }
            let rel = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            files.push(rel);
            matched = true;
        }
        if !matched {
            return Err(bad(format!(
                "`{pattern}` matches no file in {}; fix the pattern or remove it",
                root.display()
            )));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}
