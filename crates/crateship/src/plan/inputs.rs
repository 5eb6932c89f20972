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
    /// The files each `assets` entry names, in config order.
    pub asset_files: Vec<AssetFile>,
    /// The `linux.scripts` files' contents, without a `#!` line.
    pub script_texts: crateship_linux::Scripts,
    /// The package's README (Cargo's `readme`, else the first `README*` file), the
    /// source of the long description.
    pub readme_text: Option<String>,
    /// Release notes for the update feeds (`updates.notes-file` or the changelog).
    pub release_notes: Option<String>,
    /// The per-target subdirectories of `--binary-dir` (`DIR/TRIPLE/`), by name: a
    /// target with one takes its binaries from there, so one dir serves targets
    /// whose binaries share a name (`tiny` for Linux and macOS).
    pub binary_subdirs: Vec<String>,
    /// Things gathering found worth telling the user (resources picked from
    /// normally skipped places).
    pub warnings: Vec<String>,
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
        let metadata = cargo_metadata(&manifest)?;
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
        check_boundaries(&package, &metadata, &config, &config_file)?;
        let out_dir = options
            .out_dir
            .clone()
            .unwrap_or_else(|| metadata.target_directory.join("dist").into_std_path_buf());
        let (resource_files, mut warnings) = expand_resources(
            &package_dir,
            "resources",
            &config.resources,
            &config_file,
            Some(&out_dir),
        )?;
        let (asset_files, asset_warnings) =
            expand_assets(&package_dir, &config, &config_file, &out_dir)?;
        warnings.extend(asset_warnings);
        let script_texts = read_scripts(&config.linux.scripts)?;
        warnings.extend(config.warnings.iter().cloned());
        if git.is_some() {
            warnings.extend(unignored_keys(&config, &package_dir));
        }
        let readme_text = read_readme(&package, &package_dir, &package_files)?;
        let release_notes = match &config.updates {
            Some(u) => super::updates::read_notes(
                u.notes_file.as_deref(),
                u.changelog.as_deref(),
                &package.version.to_string(),
                &config_file,
            )?,
            None => None,
        };
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
            asset_files,
            script_texts,
            readme_text,
            release_notes,
            binary_subdirs: options
                .binary_dir
                .as_deref()
                .map(subdirectories)
                .unwrap_or_default(),
            warnings,
        })
    }

    /// The package's directory (where its Cargo.toml is).
    pub fn package_dir(&self) -> PathBuf {
        package_dir(&self.package)
    }
}

/// The names of the directories in `dir` (none when it cannot be read: the
/// build step reports a missing binary by its path).
fn subdirectories(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `cargo metadata --no-deps` of `manifest`. Not even cargo sees the keys and
/// passwords the configuration names: they are withheld from every child first.
pub fn cargo_metadata(manifest: &Path) -> Result<Metadata> {
    crate::process::withhold_secrets(config::secrets::secret_variables(manifest));
    // `--manifest-path=PATH` as one word: a path starting with `-` stays a path.
    let manifest_arg = format!("--manifest-path={}", manifest.display());
    let json = CommandSpec::new(
        "cargo",
        &[
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            &manifest_arg,
        ],
    )
    .run()
    .map_err(|e| Error::Metadata {
        manifest: manifest.to_path_buf(),
        message: e.to_string(),
    })?
    .stdout;
    parse_metadata(&json, manifest)
}

/// Parses `cargo metadata` JSON, naming the manifest on failure.
pub fn parse_metadata(json: &str, manifest: &Path) -> Result<Metadata> {
    serde_json::from_str(json).map_err(|e| Error::Metadata {
        manifest: manifest.to_path_buf(),
        message: format!("cargo printed metadata crateship cannot read: {e}"),
    })
}

/// One package of a run that releases several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRelease {
    /// The package (`None`: the one [`select_package`] picks).
    pub package: Option<String>,
    /// Its own out dir (`OUT/NAME`) when the run releases several, else `None`.
    pub out_dir: Option<PathBuf>,
}

/// The packages one run releases: those named on the command line, else the
/// workspace's `packages` list, else the one package [`select_package`] picks.
/// With several, each gets `OUT/NAME` (`OUT`: `out_dir`, else `TARGET/dist`), so
/// no two packages' artifacts share a directory.
pub fn packages_to_release(
    manifest_path: Option<&Path>,
    requested: &[String],
    out_dir: Option<&Path>,
) -> Result<Vec<PackageRelease>> {
    let single = |package: Option<String>| {
        Ok(vec![PackageRelease {
            package,
            out_dir: out_dir.map(Path::to_path_buf),
        }])
    };
    if requested.len() == 1 {
        return single(requested.first().cloned());
    }
    let manifest = manifest_path.unwrap_or(Path::new("Cargo.toml"));
    let names: Vec<String> = if requested.is_empty() {
        if !manifest.is_file() {
            return single(None);
        }
        let metadata = cargo_metadata(manifest)?;
        let listed = metadata
            .workspace_metadata
            .get("crateship")
            .and_then(|c| c.get("packages"));
        match listed {
            None => return single(None),
            Some(v) => {
                let names: Vec<String> =
                    serde_json::from_value(v.clone()).map_err(|e| Error::Config {
                        file: metadata
                            .workspace_root
                            .join("Cargo.toml")
                            .into_std_path_buf(),
                        key: "[workspace.metadata.crateship] packages".into(),
                        message: format!("{e}; write a list of package names"),
                    })?;
                let members: Vec<&str> = metadata
                    .workspace_packages()
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect();
                if let Some(bad) = names.iter().find(|n| !members.contains(&n.as_str())) {
                    return Err(Error::Config {
                        file: metadata
                            .workspace_root
                            .join("Cargo.toml")
                            .into_std_path_buf(),
                        key: "[workspace.metadata.crateship] packages".into(),
                        message: format!(
                            "`{bad}` is not a workspace member; members: {}",
                            members.join(", ")
                        ),
                    });
                }
                if names.len() == 1 {
                    return single(names.first().cloned());
                }
                let base = match out_dir {
                    Some(d) => d.to_path_buf(),
                    None => metadata.target_directory.join("dist").into_std_path_buf(),
                };
                return Ok(names
                    .into_iter()
                    .map(|n| PackageRelease {
                        out_dir: Some(base.join(&n)),
                        package: Some(n),
                    })
                    .collect());
            }
        }
    } else {
        requested.to_vec()
    };
    // Several on the command line: the target dir is needed for the default base.
    let base = match out_dir {
        Some(d) => d.to_path_buf(),
        None => cargo_metadata(manifest)?
            .target_directory
            .join("dist")
            .into_std_path_buf(),
    };
    let mut seen = Vec::new();
    for n in &names {
        if seen.contains(n) {
            return Err(Error::Usage(format!("--package {n} is given twice")));
        }
        seen.push(n.clone());
    }
    Ok(names
        .into_iter()
        .map(|n| PackageRelease {
            out_dir: Some(base.join(&n)),
            package: Some(n),
        })
        .collect())
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

/// Components of a path that resource globs skip unless a pattern names them:
/// version-control data and build output.
const EXCLUDED_DIRS: &[&str] = &[".git", ".hg", ".svn", ".jj", "target"];

/// Whether a file name is an environment file (`.env`, `.env.local`, …), which
/// holds secrets more often than not.
fn is_env_file(name: &str) -> bool {
    name == ".env" || name.starts_with(".env.")
}

/// Expands resource globs to files inside `package_dir`; a match that resolves
/// outside it (through `..` or a symlink) is an error. A pattern ending in `**`
/// takes every file below it. VCS directories, `target/`, the out dir and
/// `.env*` files are skipped unless the pattern names them literally, and then
/// each such file gets a warning; returns the files and the warnings.
pub fn expand_resources(
    package_dir: &Path,
    key: &str,
    patterns: &[String],
    config_file: &Path,
    out_dir: Option<&Path>,
) -> Result<(Vec<String>, Vec<String>)> {
    let root = package_dir
        .canonicalize()
        .map_err(|e| Error::io("cannot resolve", package_dir, e))?;
    let out_dir = out_dir.and_then(|d| d.canonicalize().ok());
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for pattern in patterns {
        // `dir/**` as users (and DESIGN) write it: everything below `dir`.
        let expanded = if pattern == "**" || pattern.ends_with("/**") {
            format!("{pattern}/*")
        } else {
            pattern.clone()
        };
        let full = root.join(&expanded);
        let bad = |message: String| Error::Config {
            file: config_file.to_path_buf(),
            key: key.into(),
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
            let parts: Vec<&str> = rel.split('/').collect();
            let excluded = parts
                .iter()
                .find(|c| EXCLUDED_DIRS.contains(c))
                .map(|c| format!("{c}/"))
                .or_else(|| {
                    parts
                        .last()
                        .filter(|n| is_env_file(n))
                        .map(|n| (*n).to_owned())
                })
                .or_else(|| {
                    out_dir
                        .as_ref()
                        .filter(|o| real.starts_with(o))
                        .map(|_| "the out dir".to_owned())
                });
            if let Some(what) = excluded {
                let named = pattern
                    .split('/')
                    .any(|c| c == what.trim_end_matches('/') || (is_env_file(c) && c == what));
                if !named {
                    continue;
                }
                warnings.push(format!(
                    "{key}: `{pattern}` ships {rel} from {what}, which is skipped unless named; \
                     make sure it holds no secret or build output"
                ));
            }
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
    Ok((files, warnings))
}

/// One file an `assets` entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetFile {
    /// Index of the entry in `config.assets`.
    pub asset: usize,
    /// The file, relative to the package directory.
    pub rel: String,
    /// Whether the file does not exist yet: a literal path a `before-package`
    /// hook is expected to write (checked again after the hooks ran).
    pub pending: bool,
}

/// Expands every asset's source like a resource glob. A literal source that does
/// not exist is accepted when `before-package` hooks are configured (they may
/// write it), else it is an error naming the key and the file.
fn expand_assets(
    package_dir: &Path,
    config: &Config,
    config_file: &Path,
    out_dir: &Path,
) -> Result<(Vec<AssetFile>, Vec<String>)> {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for (asset, a) in config.assets.iter().enumerate() {
        let literal = !a.source.contains(['*', '?', '[']);
        if literal && !package_dir.join(&a.source).exists() {
            if config.before_package.is_empty() {
                return Err(Error::Config {
                    file: config_file.to_path_buf(),
                    key: format!("{}.source", a.key),
                    message: format!(
                        "{} does not exist; fix the path, or add the `before-package` command that writes it",
                        package_dir.join(&a.source).display()
                    ),
                });
            }
            files.push(AssetFile {
                asset,
                rel: a.source.clone(),
                pending: true,
            });
            continue;
        }
        let key = format!("{}.source", a.key);
        let (rels, w) = expand_resources(
            package_dir,
            &key,
            std::slice::from_ref(&a.source),
            config_file,
            Some(out_dir),
        )?;
        warnings.extend(w);
        files.extend(rels.into_iter().map(|rel| AssetFile {
            asset,
            rel,
            pending: false,
        }));
    }
    Ok((files, warnings))
}

/// Reads the maintainer scripts, dropping a `#!` line (the writers add their
/// own interpreter line) and cargo-deb's `#DEBHELPER#` marker (crateship's
/// snippets are added after the script).
fn read_scripts(files: &crate::config::ScriptFiles) -> Result<crateship_linux::Scripts> {
    use crate::config::ScriptSource;
    let read = |source: &Option<ScriptSource>| -> Result<Option<String>> {
        let text = match source {
            None => return Ok(None),
            Some(ScriptSource::Inline(text)) => text.clone(),
            Some(ScriptSource::File(path)) => std::fs::read_to_string(path).map_err(|e| {
                Error::io("cannot read the maintainer script (linux.scripts)", path, e)
            })?,
        };
        let body = match text.strip_prefix("#!") {
            Some(rest) => rest.split_once('\n').map(|(_, b)| b).unwrap_or(""),
            None => &text,
        };
        let body: Vec<&str> = body.lines().filter(|l| l.trim() != "#DEBHELPER#").collect();
        Ok(Some(body.join("\n")))
    };
    Ok(crateship_linux::Scripts {
        pre_install: read(&files.pre_install)?,
        post_install: read(&files.post_install)?,
        pre_remove: read(&files.pre_remove)?,
        post_remove: read(&files.post_remove)?,
    })
}

/// A warning for each key file inside the package directory that git does not
/// ignore: one `git add` away from being published.
fn unignored_keys(config: &Config, package_dir: &Path) -> Vec<String> {
    let Some(signing) = &config.signing else {
        return Vec::new();
    };
    let mut files: Vec<&PathBuf> = signing.windows.iter().flat_map(|k| k.files()).collect();
    if let Some(apple) = &signing.apple {
        files.extend(apple.application.iter().flat_map(|k| k.files()));
        files.extend(apple.installer.iter().flat_map(|k| k.files()));
        if let Some(n) = &apple.notarize
            && let crate::config::NotaryKey::File { path } = &n.key
        {
            files.push(path);
        }
    }
    let root = package_dir
        .canonicalize()
        .unwrap_or_else(|_| package_dir.to_path_buf());
    files
        .into_iter()
        .filter(|f| f.canonicalize().is_ok_and(|r| r.starts_with(&root)))
        .filter(|f| {
            let path = f.to_string_lossy().into_owned();
            // `git check-ignore` exits 0 when the path is ignored, 1 when not.
            CommandSpec::new("git", &["check-ignore", "-q", &path])
                .current_dir(package_dir)
                .run_unchecked()
                .is_ok_and(|(ignored, _)| !ignored)
        })
        .map(|f| {
            format!(
                "the signing key {} is inside the project and git does not ignore it; one \
                 `git add` publishes it: move it out of the checkout (key paths may be absolute \
                 or `~/…`), give it through a `…-env` variable, or add it to .gitignore",
                f.display()
            )
        })
        .collect()
}

/// Refuses a file the package ships or reads (`key` names where it is set) that
/// resolves — through `..`, an absolute path or a symlink — outside `root`.
fn check_inside(path: &Path, root: &Path, key: &str, file: &Path) -> Result<()> {
    let Ok(real) = path.canonicalize() else {
        // Missing files are reported where they are read, with their own fix.
        return Ok(());
    };
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if real.starts_with(&root) {
        return Ok(());
    }
    Err(Error::Config {
        file: file.to_path_buf(),
        key: key.to_owned(),
        message: format!(
            "{} resolves to {}, outside the project ({}); keep the file inside the project \
             (copy it in instead of linking to it)",
            path.display(),
            real.display(),
            root.display()
        ),
    })
}

/// Checks every file the package's metadata and config name against the
/// project boundary: Cargo's `readme` and `license-file` against the workspace,
/// the icon, icon overrides, templates and scripts against the package directory.
fn check_boundaries(
    package: &Package,
    metadata: &Metadata,
    config: &Config,
    config_file: &Path,
) -> Result<()> {
    let package_dir = package_dir(package);
    let workspace = metadata.workspace_root.as_std_path();
    let manifest = package.manifest_path.as_std_path();
    for (key, value) in [
        ("package.readme", package.readme.as_ref()),
        ("package.license-file", package.license_file.as_ref()),
    ] {
        if let Some(v) = value {
            if v.is_absolute() {
                return Err(Error::Config {
                    file: manifest.to_path_buf(),
                    key: key.into(),
                    message: format!(
                        "`{v}` is an absolute path: it would put a host path into the \
                         artifacts; give a path relative to the package"
                    ),
                });
            }
            check_inside(&package_dir.join(v), workspace, key, manifest)?;
        }
    }
    let macos = &config.macos.bundle;
    let linux = &config.linux;
    let named = [
        ("icon", config.icon.as_ref()),
        ("linux.desktop-template", linux.desktop_template.as_ref()),
        ("linux.metainfo-template", linux.metainfo_template.as_ref()),
        (
            "macos.info-plist-template",
            macos.info_plist_template.as_ref(),
        ),
        (
            "macos.distribution-template",
            macos.distribution_template.as_ref(),
        ),
        (
            "macos.package-info-template",
            macos.package_info_template.as_ref(),
        ),
        ("macos.preinstall", macos.preinstall.as_ref()),
        ("macos.postinstall", macos.postinstall.as_ref()),
    ];
    for (key, path) in named {
        if let Some(p) = path {
            check_inside(p, &package_dir, key, config_file)?;
        }
    }
    for p in config.icon_overrides.values() {
        check_inside(p, &package_dir, "icon-overrides", config_file)?;
    }
    Ok(())
}
