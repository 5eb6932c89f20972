//! The [`Plan`]: every target, build command and artifact of a release, as plain data.
//!
//! [`plan`] is a pure function of [`Inputs`] and [`Options`]; `crateship plan --json`
//! prints its result and `dist` executes it. Its `ci` part is a ready-made CI
//! matrix: one entry per target with the commands a matrix job runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::GlibcVersion;
use crate::epoch::{self, EpochSource};
use crate::error::{Error, Result};
use crate::format::{ALL_FORMATS, Format};
use crate::inputs::Inputs;
use crate::process::CommandSpec;
use crate::target::{Arch, Os, TargetTriple};

/// What the user asked for on the command line (or through the xtask API).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The project's Cargo.toml; default `./Cargo.toml`.
    pub manifest_path: Option<PathBuf>,
    /// The package to release, when the workspace has several.
    pub package: Option<String>,
    /// Targets to build; empty means the config's, else the host.
    pub targets: Vec<TargetTriple>,
    /// Formats to write; empty means the config's, else every applicable one.
    pub formats: Vec<Format>,
    /// Output directory; default `<target-dir>/dist`.
    pub out_dir: Option<PathBuf>,
    /// Package prebuilt binaries from this directory instead of building.
    pub binary_dir: Option<PathBuf>,
    /// Install missing rustup targets, ziglang and cargo-zigbuild before building.
    pub install_missing: bool,
}

/// A complete release plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Version of crateship that made the plan.
    pub crateship_version: String,
    /// The application being released.
    pub app: App,
    /// The package's Cargo.toml.
    pub manifest_path: PathBuf,
    /// Cargo's target directory.
    pub target_dir: PathBuf,
    /// Where artifacts, `SHA256SUMS` and `dist-manifest.json` go.
    pub out_dir: PathBuf,
    /// Timestamp of every file in every artifact.
    pub source_date_epoch: i64,
    /// Where the timestamp came from.
    pub epoch_source: EpochSource,
    /// Build information compiled into the binaries.
    pub build_info: BuildInfo,
    /// Highest glibc a gnu binary may require.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_glibc: Option<GlibcVersion>,
    /// Install missing build tools before building.
    pub install_missing: bool,
    /// Signing keys' locations (paths absolute, secrets only as variable names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing: Option<crate::config::Signing>,
    /// Oldest macOS the binaries and bundles support (`LSMinimumSystemVersion`).
    pub macos_minimum_system_version: String,
    /// Info.plist, .pkg and .dmg settings (paths absolute).
    pub macos_bundle: crate::config::MacosBundle,
    /// Windows installer settings.
    pub windows: WindowsInstaller,
    /// Desktop integration for Linux packages.
    pub linux: LinuxDesktop,
    /// The icon set every bundle format draws from.
    pub icons: IconsStep,
    /// One entry per target, built one at a time in this order.
    pub targets: Vec<TargetPlan>,
    /// A CI matrix: one job per target.
    pub ci: CiMatrix,
}

/// Identity of the application, from Cargo metadata and config.
#[derive(Debug, Clone, Serialize)]
pub struct App {
    /// Package name, used in file names.
    pub name: String,
    /// Package version (semver).
    pub version: String,
    /// Human-readable product name.
    pub product_name: String,
    /// Reverse-DNS identifier, if configured.
    pub identifier: Option<String>,
    /// One-line description.
    pub description: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// SPDX license expression.
    pub license: Option<String>,
    /// Homepage URL.
    pub homepage: Option<String>,
    /// Repository URL.
    pub repository: Option<String>,
}

/// The build information passed to the compiler as environment variables.
#[derive(Debug, Clone, Serialize)]
pub struct BuildInfo {
    /// Git commit hash, or `unknown` outside git.
    pub commit: String,
    /// Whether the checkout had uncommitted changes.
    pub dirty: bool,
    /// Build time (RFC 3339, from `SOURCE_DATE_EPOCH`).
    pub time: String,
}

/// Settings of the MSI installer.
#[derive(Debug, Clone, Serialize)]
pub struct WindowsInstaller {
    /// UpgradeCode that ties versions together (`None`: derived from the identifier).
    pub upgrade_code: Option<String>,
    /// Windows binaries must be GUI-subsystem exes.
    pub windowed: bool,
    /// Install for the current user instead of the machine.
    pub per_user: bool,
    /// Add a desktop shortcut.
    pub desktop_shortcut: bool,
}

/// What the .desktop file and AppStream metainfo of Linux packages say.
#[derive(Debug, Clone, Serialize)]
pub struct LinuxDesktop {
    /// freedesktop.org menu categories.
    pub categories: Vec<String>,
    /// AppImage update information (`.upd_info`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_information: Option<String>,
    /// Search keywords.
    pub keywords: Vec<String>,
    /// MIME types the app opens.
    pub mime_types: Vec<String>,
    /// The user's `.desktop` template (absolute), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desktop_template: Option<PathBuf>,
    /// The user's metainfo template (absolute), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metainfo_template: Option<PathBuf>,
    /// Copy non-base shared libraries from the host into AppImages.
    pub bundle_libraries: bool,
}

/// Generating the icon set (.ico, .icns, hicolor, .iconset) from one source.
#[derive(Debug, Clone, Serialize)]
pub struct IconsStep {
    /// The source image.
    pub source: IconSource,
    /// Base name of the icon files (the identifier, else the package name).
    pub name: String,
    /// Hand-made layers by pixel size.
    pub overrides: BTreeMap<u32, PathBuf>,
    /// Where the icon set is written.
    pub out_dir: PathBuf,
}

/// Where the icon comes from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum IconSource {
    /// The file named by the `icon` config key.
    File {
        /// Its path.
        path: PathBuf,
    },
    /// crateship's built-in icon (assets/icon.svg), used when none is configured.
    Default,
}

/// Everything done for one target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetPlan {
    /// The Rust target triple.
    pub triple: TargetTriple,
    /// Its operating system.
    pub os: Os,
    /// Its CPU architecture.
    pub arch: Arch,
    /// How its binaries are obtained.
    pub build: BuildStep,
    /// The binaries shipped, with where the build leaves them.
    pub binaries: Vec<Binary>,
    /// Artifacts written for this target.
    pub artifacts: Vec<ArtifactPlan>,
}

/// How a target's binaries are obtained.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum BuildStep {
    /// Run cargo (`cargo build` for the host, `cargo zigbuild` otherwise).
    Cargo {
        /// The exact command, environment included.
        command: CommandSpec,
        /// Rustup target that must be installed.
        rustup_target: String,
        /// Whether zig and cargo-zigbuild are needed.
        needs_zig: bool,
        /// Windows resources (icon, VERSIONINFO, manifest) compiled before the
        /// build and linked into every exe.
        #[serde(skip_serializing_if = "Option::is_none")]
        windows_resources: Option<PathBuf>,
    },
    /// Build both Apple targets, then merge each binary into a universal Mach-O.
    Universal {
        /// The two cargo builds, x86-64 first; each is a `cargo` step.
        parts: Vec<BuildStep>,
        /// Where each part leaves its binaries, in the same order.
        part_dirs: Vec<PathBuf>,
        /// Where the merged binaries are written.
        output_dir: PathBuf,
    },
    /// Take prebuilt binaries from a directory (`--no-build --binary-dir`).
    Prebuilt {
        /// Directory holding the binaries.
        binary_dir: PathBuf,
    },
}

/// One shipped executable.
#[derive(Debug, Clone, Serialize)]
pub struct Binary {
    /// The `[[bin]]` name.
    pub name: String,
    /// File name on the target (with `.exe` on Windows).
    pub file_name: String,
    /// Where the build leaves it.
    pub path: PathBuf,
}

/// One artifact to write.
#[derive(Debug, Clone, Serialize)]
pub struct ArtifactPlan {
    /// Its format.
    pub format: Format,
    /// File name inside the out dir.
    pub file_name: String,
    /// Top-level directory inside archives.
    pub root_dir: String,
    /// Files it contains, in archive order.
    pub entries: Vec<Entry>,
}

/// One file placed in an artifact.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Where it comes from on disk.
    pub source: PathBuf,
    /// Its path inside the artifact, below `root_dir`, with `/` separators.
    pub dest: String,
    /// Whether it is executable (mode 0755, else 0644).
    pub executable: bool,
}

/// A CI matrix: `include` entries, as GitHub Actions' `strategy.matrix` takes them.
#[derive(Debug, Clone, Serialize)]
pub struct CiMatrix {
    /// One job per target.
    pub include: Vec<MatrixJob>,
}

/// One CI job.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixJob {
    /// The target this job builds.
    pub target: TargetTriple,
    /// The runner image (every target cross-builds on Linux).
    pub runner: String,
    /// Shell commands the job runs, in order.
    pub commands: Vec<String>,
}

/// Makes the plan for `inputs` and `options`. Pure: no I/O.
pub fn plan(inputs: &Inputs, options: &Options) -> Result<Plan> {
    let pkg = &inputs.package;
    let config = &inputs.config;
    let app = App {
        name: pkg.name.to_string(),
        version: pkg.version.to_string(),
        product_name: config
            .product_name
            .clone()
            .unwrap_or_else(|| pkg.name.to_string()),
        identifier: config.identifier.clone(),
        description: pkg.description.clone(),
        authors: pkg.authors.clone(),
        license: pkg.license.clone(),
        homepage: pkg.homepage.clone(),
        repository: pkg.repository.clone(),
    };
    let targets = choose_targets(inputs, options)?;
    let formats = choose_formats(inputs, options, &targets)?;
    let binaries = choose_binaries(inputs)?;
    let packages_windows =
        formats.contains(&Format::Msi) && targets.iter().any(|t| Format::Msi.applies_to(t));
    if packages_windows {
        crateship_windows::MsiVersion::from_semver(&app.version).map_err(|e| Error::Config {
            file: pkg.manifest_path.clone().into_std_path_buf(),
            key: "package.version".into(),
            message: format!(
                "{e}; choose --format zip for Windows, or release a plain major.minor.patch version"
            ),
        })?;
    }
    let packages_macos = formats
        .iter()
        .any(|f| matches!(f, Format::App | Format::Dmg | Format::Pkg))
        && targets.iter().any(|t| Format::App.applies_to(t));
    if let (true, Some(identifier)) = (packages_macos, &app.identifier) {
        crate::macos::check_info_plist(
            identifier,
            &app.version,
            &config.macos_minimum_system_version,
            &config.macos_bundle,
        )
        .map_err(|message| Error::Config {
            file: pkg.manifest_path.clone().into_std_path_buf(),
            key: "macos".into(),
            message,
        })?;
    }
    let packages_linux = formats
        .iter()
        .any(|f| matches!(f, Format::Deb | Format::Rpm))
        && targets.iter().any(|t| Format::Deb.applies_to(t));
    if packages_linux
        && !app
            .authors
            .iter()
            .any(|a| a.contains('<') && a.contains('>'))
    {
        return Err(Error::Config {
            file: pkg.manifest_path.clone().into_std_path_buf(),
            key: "package.authors".into(),
            message:
                "deb, rpm and AppImage packages need a maintainer with an e-mail address; set \
                      `authors = [\"Name <mail@example.org>\"]`, or choose formats with --format"
                    .into(),
        });
    }
    let target_dir = inputs.metadata.target_directory.clone().into_std_path_buf();
    let out_dir = options
        .out_dir
        .clone()
        .unwrap_or_else(|| target_dir.join("dist"));
    let build_info = BuildInfo {
        commit: inputs
            .git
            .as_ref()
            .map(|g| g.commit.clone())
            .unwrap_or_else(|| "unknown".into()),
        dirty: inputs.git.as_ref().is_some_and(|g| g.dirty),
        time: epoch::rfc3339(inputs.source_date_epoch),
    };
    let docs = doc_files(inputs);
    let target_plans = targets
        .iter()
        .map(|triple| {
            let build = build_step(inputs, options, triple, &binaries, &build_info, &target_dir);
            let bin_dir = match &build {
                BuildStep::Cargo { .. } => target_dir.join(triple.as_str()).join("release"),
                BuildStep::Universal { output_dir, .. } => output_dir.clone(),
                BuildStep::Prebuilt { binary_dir } => binary_dir.clone(),
            };
            let bins: Vec<Binary> = binaries
                .iter()
                .map(|name| {
                    let file_name = format!("{name}{}", triple.exe_suffix());
                    Binary {
                        name: name.clone(),
                        path: bin_dir.join(&file_name),
                        file_name,
                    }
                })
                .collect();
            let artifacts = formats
                .iter()
                .filter(|f| f.applies_to(triple))
                .map(|&format| match format {
                    Format::App | Format::Dmg | Format::Pkg => macos_artifact(
                        &app,
                        triple,
                        format,
                        &bins,
                        &docs,
                        &inputs.resource_files,
                        &inputs.package_dir(),
                    ),
                    Format::AppImage => appimage_artifact(
                        &app,
                        triple,
                        &bins,
                        &docs,
                        &inputs.resource_files,
                        &inputs.package_dir(),
                    ),
                    Format::Msi => msi_package(
                        triple,
                        &app,
                        &bins,
                        &docs,
                        &inputs.resource_files,
                        &inputs.package_dir(),
                    ),
                    Format::Deb | Format::Rpm => linux_package(
                        &app,
                        triple,
                        format,
                        &bins,
                        &docs,
                        &inputs.resource_files,
                        &inputs.package_dir(),
                    ),
                    _ => {
                        let mut files = docs.clone();
                        files.extend(inputs.resource_files.iter().cloned());
                        artifact(&app, triple, format, &bins, &files, &inputs.package_dir())
                    }
                })
                .collect();
            TargetPlan {
                triple: triple.clone(),
                os: triple.os(),
                arch: triple.arch(),
                build,
                binaries: bins,
                artifacts,
            }
        })
        .collect::<Vec<_>>();
    let ci = ci_matrix(inputs, &targets);
    let icons = icons_step(inputs, &app, &target_dir);
    let package_dir = inputs.package_dir();
    Ok(Plan {
        crateship_version: env!("CARGO_PKG_VERSION").to_owned(),
        app,
        manifest_path: pkg.manifest_path.clone().into_std_path_buf(),
        target_dir,
        out_dir,
        source_date_epoch: inputs.source_date_epoch,
        epoch_source: inputs.epoch_source,
        build_info,
        max_glibc: config.max_glibc,
        install_missing: options.install_missing,
        signing: config
            .signing
            .clone()
            .map(|s| absolute_signing(s, &inputs.package_dir())),
        macos_minimum_system_version: config.macos_minimum_system_version.clone(),
        macos_bundle: absolute_macos(config.macos_bundle.clone(), &package_dir),
        windows: WindowsInstaller {
            upgrade_code: config.upgrade_code.clone(),
            windowed: config.windows_windowed,
            per_user: config.windows_per_user,
            desktop_shortcut: config.windows_desktop_shortcut,
        },
        linux: LinuxDesktop {
            categories: if config.linux_categories.is_empty() {
                vec!["Utility".to_owned()]
            } else {
                config.linux_categories.clone()
            },
            update_information: config.update_information.clone(),
            keywords: config
                .linux_keywords
                .clone()
                .unwrap_or_else(|| pkg.keywords.clone()),
            mime_types: config.linux_mime_types.clone(),
            desktop_template: config
                .linux_desktop_template
                .as_ref()
                .map(|p| package_dir.join(p)),
            bundle_libraries: config.linux_bundle_libraries,
            metainfo_template: config
                .linux_metainfo_template
                .as_ref()
                .map(|p| package_dir.join(p)),
        },
        icons,
        targets: target_plans,
        ci,
    })
}

/// Makes the key file paths absolute so executing the plan needs no config.
/// Makes the template and script paths absolute so executing the plan needs no config.
fn absolute_macos(mut m: crate::config::MacosBundle, dir: &Path) -> crate::config::MacosBundle {
    for path in [
        &mut m.info_plist_template,
        &mut m.distribution_template,
        &mut m.package_info_template,
        &mut m.preinstall,
        &mut m.postinstall,
    ] {
        *path = path.as_ref().map(|p| dir.join(p));
    }
    m
}

fn absolute_signing(mut s: crate::config::Signing, dir: &Path) -> crate::config::Signing {
    use crate::config::WindowsKey;
    let abs = |p: &String| dir.join(p).display().to_string();
    s.windows = s.windows.map(|w| match w {
        WindowsKey::Pkcs12 { file, password_env } => WindowsKey::Pkcs12 {
            file: abs(&file),
            password_env,
        },
        WindowsKey::Pem { key, chain } => WindowsKey::Pem {
            key: abs(&key),
            chain: abs(&chain),
        },
    });
    s.apple = s.apple.map(|a| absolute_apple(a, dir));
    s
}

fn absolute_apple(mut a: crate::config::AppleSigning, dir: &Path) -> crate::config::AppleSigning {
    use crate::config::{KeySource, NotaryKey};
    let source = |k: KeySource| match k {
        KeySource::Pkcs12 { file, password_env } => KeySource::Pkcs12 {
            file: dir.join(file),
            password_env,
        },
        KeySource::Pem { key, chain } => KeySource::Pem {
            key: dir.join(key),
            chain: dir.join(chain),
        },
    };
    a.application = a.application.map(source);
    a.installer = a.installer.map(source);
    a.entitlements = a.entitlements.map(|e| dir.join(e));
    if let Some(n) = &mut a.notarize
        && let NotaryKey::File { path } = &mut n.key
    {
        *path = dir.join(&*path);
    }
    a
}

fn icons_step(inputs: &Inputs, app: &App, target_dir: &Path) -> IconsStep {
    let dir = inputs.package_dir();
    IconsStep {
        source: match &inputs.config.icon {
            Some(icon) => IconSource::File {
                path: dir.join(icon),
            },
            None => IconSource::Default,
        },
        name: app.identifier.clone().unwrap_or_else(|| app.name.clone()),
        overrides: inputs
            .config
            .icon_overrides
            .iter()
            .map(|(px, p)| (*px, dir.join(p)))
            .collect(),
        out_dir: target_dir.join("crateship").join("icons"),
    }
}

fn choose_targets(inputs: &Inputs, options: &Options) -> Result<Vec<TargetTriple>> {
    let mut targets = if !options.targets.is_empty() {
        options.targets.clone()
    } else if let Some(t) = &inputs.config.targets {
        t.clone()
    } else {
        vec![inputs.host.parse().map_err(|_| {
            Error::Usage(format!(
                "the host target {} is not one crateship builds; name targets with --target",
                inputs.host
            ))
        })?]
    };
    let mut seen = std::collections::BTreeSet::new();
    targets.retain(|t| seen.insert(t.clone()));
    Ok(targets)
}

fn choose_formats(
    inputs: &Inputs,
    options: &Options,
    targets: &[TargetTriple],
) -> Result<Vec<Format>> {
    let explicit = if !options.formats.is_empty() {
        Some(options.formats.clone())
    } else {
        inputs.config.formats.clone()
    };
    let has_identifier = inputs.config.identifier.is_some();
    let Some(formats) = explicit else {
        // By default, formats that need an identifier are made only when one is set.
        return Ok(ALL_FORMATS
            .iter()
            .copied()
            .filter(|f| has_identifier || !f.needs_identifier())
            .collect());
    };
    for f in &formats {
        if f.needs_identifier() && !has_identifier {
            return Err(Error::Config {
                file: inputs.config_file.clone(),
                key: "identifier".into(),
                message: format!(
                    "format `{f}` needs the app's reverse-DNS identifier; add `identifier = \"org.example.{}\"` to [package.metadata.crateship]",
                    inputs.package.name
                ),
            });
        }
        if !targets.iter().any(|t| f.applies_to(t)) {
            let names: Vec<_> = targets.iter().map(|t| t.as_str()).collect();
            return Err(Error::Usage(format!(
                "format `{f}` applies to none of the targets ({}); add a matching --target or drop the format",
                names.join(", ")
            )));
        }
    }
    let mut formats = formats;
    formats.sort();
    formats.dedup();
    Ok(formats)
}

fn choose_binaries(inputs: &Inputs) -> Result<Vec<String>> {
    let all: Vec<String> = inputs
        .package
        .targets
        .iter()
        .filter(|t| t.is_bin())
        .map(|t| t.name.clone())
        .collect();
    let chosen = match &inputs.config.binaries {
        None => all.clone(),
        Some(names) => {
            for n in names {
                if !all.contains(n) {
                    return Err(Error::Config {
                        file: inputs.config_file.clone(),
                        key: "binaries".into(),
                        message: format!(
                            "`{n}` is not a [[bin]] target of {}; binaries: {}",
                            inputs.package.name,
                            all.join(", ")
                        ),
                    });
                }
            }
            names.clone()
        }
    };
    if chosen.is_empty() {
        return Err(Error::Usage(format!(
            "package {} has no binary target to release",
            inputs.package.name
        )));
    }
    Ok(chosen)
}

/// README and license files shipped in every archive, relative to the package dir.
fn doc_files(inputs: &Inputs) -> Vec<String> {
    let mut docs: Vec<String> = Vec::new();
    let pkg = &inputs.package;
    if let Some(readme) = &pkg.readme {
        docs.push(readme.to_string());
    }
    if let Some(lf) = &pkg.license_file {
        docs.push(lf.to_string());
    }
    for name in &inputs.package_files {
        let upper = name.to_ascii_uppercase();
        let is_doc = [
            "README",
            "LICENSE",
            "LICENCE",
            "COPYING",
            "COPYRIGHT",
            "NOTICE",
        ]
        .iter()
        .any(|p| upper.starts_with(p));
        if is_doc && !docs.contains(name) {
            docs.push(name.clone());
        }
    }
    docs.sort();
    docs.dedup();
    docs
}

/// Where each kind of file goes inside an artifact (`""` for its root).
struct Layout<'a> {
    bin_dir: &'a str,
    doc_dir: &'a str,
    resource_dir: &'a str,
}

/// The entries of an artifact, binaries first, laid out per `layout`.
fn layout_entries(
    bins: &[Binary],
    docs: &[String],
    resources: &[String],
    package_dir: &Path,
    layout: &Layout<'_>,
) -> Vec<Entry> {
    let under = |dir: &str, name: &str| {
        if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        }
    };
    let file = |rel: &String, dir: &str| Entry {
        source: package_dir.join(rel),
        dest: under(dir, &rel.replace('\\', "/")),
        executable: false,
    };
    bins.iter()
        .map(|b| Entry {
            source: b.path.clone(),
            dest: under(layout.bin_dir, &b.file_name),
            executable: true,
        })
        .chain(docs.iter().map(|d| file(d, layout.doc_dir)))
        .chain(resources.iter().map(|r| file(r, layout.resource_dir)))
        .collect()
}

/// Entries sorted by destination, as archives and installers list them.
fn sorted(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by(|a, b| a.dest.cmp(&b.dest));
    entries
}

/// An AppImage: the main binary in `usr/bin`, docs in `usr/share/doc/NAME`,
/// resources in `usr/share/NAME`; desktop file, metainfo and icons are added
/// when it is written.
fn appimage_artifact(
    app: &App,
    triple: &TargetTriple,
    bins: &[Binary],
    docs: &[String],
    resources: &[String],
    package_dir: &Path,
) -> ArtifactPlan {
    let arch = crate::linux::linux_arch(triple.arch());
    let doc_dir = format!("usr/share/doc/{}", app.name);
    let resource_dir = format!("usr/share/{}", app.name);
    let layout = Layout {
        bin_dir: "usr/bin",
        doc_dir: &doc_dir,
        resource_dir: &resource_dir,
    };
    // The main binary only, and first: the writer installs it as AppRun's target.
    let entries = layout_entries(
        &bins[..bins.len().min(1)],
        docs,
        resources,
        package_dir,
        &layout,
    );
    ArtifactPlan {
        format: Format::AppImage,
        file_name: crateship_appimage::appimage_file_name(&app.product_name, &app.version, arch),
        root_dir: String::new(),
        entries,
    }
}

/// A macOS artifact built from the app bundle: `.app` (zipped, as apps are
/// downloaded), `.dmg` or `.pkg`. Entries are the bundle's inputs: the main
/// binary first, then resources for `Contents/Resources`.
fn macos_artifact(
    app: &App,
    triple: &TargetTriple,
    format: Format,
    bins: &[Binary],
    docs: &[String],
    resources: &[String],
    package_dir: &Path,
) -> ArtifactPlan {
    let arch = match triple.arch() {
        Arch::X86_64 => crateship_macos::DmgArch::X86_64,
        Arch::Aarch64 => crateship_macos::DmgArch::Arm64,
        Arch::Universal => crateship_macos::DmgArch::Universal,
    };
    let dmg = crateship_macos::dmg_file_name(&app.product_name, &app.version, arch);
    let stem = dmg.trim_end_matches(".dmg");
    let file_name = match format {
        Format::Dmg => dmg.clone(),
        // A universal pkg serves every Mac; thin ones carry their arch so they don't collide.
        Format::Pkg if triple.is_universal() => {
            crateship_macos::pkg_file_name(&app.product_name, &app.version)
        }
        Format::Pkg => format!("{stem}.pkg"),
        _ => format!("{stem}.app.zip"),
    };
    let root = Layout {
        bin_dir: "",
        doc_dir: "",
        resource_dir: "",
    };
    // The main binary only, and first: it becomes the bundle's executable.
    let entries = layout_entries(
        &bins[..bins.len().min(1)],
        docs,
        resources,
        package_dir,
        &root,
    );
    ArtifactPlan {
        format,
        file_name,
        root_dir: format!("{}.app", app.product_name),
        entries,
    }
}

/// An MSI: binaries, docs and resources side by side in the install folder
/// (`Program Files\<product name>`), as Windows apps are laid out.
fn msi_package(
    triple: &TargetTriple,
    app: &App,
    bins: &[Binary],
    docs: &[String],
    resources: &[String],
    package_dir: &Path,
) -> ArtifactPlan {
    let naming = crateship_windows::MsiPackage {
        product_name: app.product_name.clone(),
        manufacturer: String::new(),
        version: app.version.clone(),
        identifier: app.identifier.clone().unwrap_or_default(),
        upgrade_code: None,
        description: String::new(),
        homepage: None,
        files: Vec::new(),
        main_exe: String::new(),
        icon: None,
        desktop_shortcut: false,
        per_user: false,
        arch: match triple.arch() {
            Arch::Aarch64 => crateship_windows::MsiArch::Arm64,
            // Windows targets are never universal.
            Arch::X86_64 | Arch::Universal => crateship_windows::MsiArch::X64,
        },
        source_date_epoch: 0,
    };
    let root = Layout {
        bin_dir: "",
        doc_dir: "",
        resource_dir: "",
    };
    let entries = sorted(layout_entries(bins, docs, resources, package_dir, &root));
    ArtifactPlan {
        format: Format::Msi,
        file_name: crateship_windows::msi_file_name(&naming),
        root_dir: String::new(),
        entries,
    }
}

/// A .deb or .rpm: binaries in `usr/bin`, docs in `usr/share/doc/NAME`,
/// resources in `usr/share/NAME`; desktop file, metainfo and icons are added
/// when the package is written.
fn linux_package(
    app: &App,
    triple: &TargetTriple,
    format: Format,
    bins: &[Binary],
    docs: &[String],
    resources: &[String],
    package_dir: &Path,
) -> ArtifactPlan {
    let arch = crate::linux::linux_arch(triple.arch());
    let naming =
        crateship_linux::LinuxPackage::new(app.name.clone(), app.version.clone(), "", "", arch);
    let file_name = match format {
        Format::Deb => crateship_linux::deb_file_name(&naming),
        _ => crateship_linux::rpm_file_name(&naming),
    };
    let doc_dir = format!("usr/share/doc/{}", app.name);
    let resource_dir = format!("usr/share/{}", app.name);
    let layout = Layout {
        bin_dir: "usr/bin",
        doc_dir: &doc_dir,
        resource_dir: &resource_dir,
    };
    let entries = sorted(layout_entries(bins, docs, resources, package_dir, &layout));
    ArtifactPlan {
        format,
        file_name,
        root_dir: String::new(),
        entries,
    }
}

fn artifact(
    app: &App,
    triple: &TargetTriple,
    format: Format,
    bins: &[Binary],
    docs: &[String],
    package_dir: &Path,
) -> ArtifactPlan {
    let root_dir = format!("{}-{}-{}", app.name, app.version, triple);
    let extension = match format {
        Format::Zip => "zip",
        _ => "tar.gz",
    };
    let root = Layout {
        bin_dir: "",
        doc_dir: "",
        resource_dir: "",
    };
    let entries = sorted(layout_entries(bins, docs, &[], package_dir, &root));
    ArtifactPlan {
        format,
        file_name: format!("{root_dir}.{extension}"),
        root_dir,
        entries,
    }
}

fn build_step(
    inputs: &Inputs,
    options: &Options,
    triple: &TargetTriple,
    binaries: &[String],
    info: &BuildInfo,
    target_dir: &Path,
) -> BuildStep {
    if let Some(dir) = &options.binary_dir {
        return BuildStep::Prebuilt {
            binary_dir: dir.clone(),
        };
    }
    if let Some(parts) = triple.universal_parts() {
        return BuildStep::Universal {
            part_dirs: parts
                .iter()
                .map(|t| target_dir.join(t.as_str()).join("release"))
                .collect(),
            parts: parts
                .iter()
                .map(|t| build_step(inputs, options, t, binaries, info, target_dir))
                .collect(),
            output_dir: target_dir
                .join("crateship")
                .join(triple.as_str())
                .join("release"),
        };
    }
    let needs_zig = triple.as_str() != inputs.host;
    let manifest = inputs.package.manifest_path.to_string();
    let mut args: Vec<String> = vec![if needs_zig { "zigbuild" } else { "build" }.into()];
    args.extend(["--release", "--manifest-path"].map(String::from));
    args.push(manifest);
    args.extend([
        "--target".into(),
        triple.to_string(),
        "--package".into(),
        inputs.package.name.to_string(),
    ]);
    for b in binaries {
        args.extend(["--bin".into(), b.clone()]);
    }
    let mut flags = rustflags(inputs, target_dir);
    let windows_resources = (triple.os() == Os::Windows).then(|| {
        let res = target_dir
            .join("crateship")
            .join("windows")
            .join(triple.as_str())
            .join("app.res");
        flags.push(format!("-Clink-arg={}", res.display()));
        res
    });
    let mut env = BTreeMap::new();
    env.insert("CARGO_ENCODED_RUSTFLAGS".to_owned(), flags.join("\u{1f}"));
    env.insert(
        "CARGO_PROFILE_RELEASE_STRIP".to_owned(),
        "symbols".to_owned(),
    );
    env.insert(
        "SOURCE_DATE_EPOCH".to_owned(),
        inputs.source_date_epoch.to_string(),
    );
    env.insert(
        "CRATESHIP_VERSION".to_owned(),
        inputs.package.version.to_string(),
    );
    env.insert("CRATESHIP_GIT_COMMIT".to_owned(), info.commit.clone());
    env.insert("CRATESHIP_GIT_DIRTY".to_owned(), info.dirty.to_string());
    env.insert("CRATESHIP_BUILD_TIME".to_owned(), info.time.clone());
    env.insert("CRATESHIP_TARGET".to_owned(), triple.to_string());
    if triple.os() == Os::Macos {
        env.insert(
            "MACOSX_DEPLOYMENT_TARGET".to_owned(),
            inputs.config.macos_minimum_system_version.clone(),
        );
    }
    BuildStep::Cargo {
        command: CommandSpec {
            program: "cargo".into(),
            args,
            env,
            cwd: None,
        },
        rustup_target: triple.to_string(),
        needs_zig,
        windows_resources,
    }
}

/// Rust flags for a release build: the user's own, then path remapping so no
/// host path reaches a binary. (Windows PE timestamps come from the
/// `SOURCE_DATE_EPOCH` the build environment carries, which lld honours.)
fn rustflags(inputs: &Inputs, target_dir: &Path) -> Vec<String> {
    let mut flags = inputs.user_rustflags.clone();
    let workspace = inputs.metadata.workspace_root.as_std_path();
    let remaps = [
        (inputs.cargo_home.as_path(), "/cargo"),
        (inputs.rustup_home.as_path(), "/rustup"),
        (target_dir, "/target"),
        (workspace, "/build"),
    ];
    for (from, to) in remaps {
        if !from.as_os_str().is_empty() {
            flags.push(format!("--remap-path-prefix={}={to}", from.display()));
        }
    }
    flags
}

fn ci_matrix(inputs: &Inputs, targets: &[TargetTriple]) -> CiMatrix {
    let manifest = inputs.package.manifest_path.as_std_path();
    let root = inputs
        .git
        .as_ref()
        .map(|g| g.toplevel.as_path())
        .unwrap_or(inputs.metadata.workspace_root.as_std_path());
    let rel = manifest
        .strip_prefix(root)
        .unwrap_or(manifest)
        .to_string_lossy()
        .replace('\\', "/");
    CiMatrix {
        include: targets
            .iter()
            .map(|t| MatrixJob {
                target: t.clone(),
                runner: "ubuntu-latest".into(),
                commands: vec![format!(
                    "crateship dist --manifest-path {rel} --target {t} --install-missing"
                )],
            })
            .collect(),
    }
}
