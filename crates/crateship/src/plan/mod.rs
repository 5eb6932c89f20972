//! The [`Plan`]: every target, build command and artifact of a release, and every
//! fact derived from the project, as plain data.
//!
//! [`plan`] is a pure function of [`Inputs`] (gathered once by
//! [`Inputs::gather`], the only place planning touches the world) and
//! [`Options`]. It selects targets, formats and binaries (`select`), derives the
//! app's identity once (`identity`: publisher, maintainer, copyright, long
//! description, per-format versions), lays out every artifact (`layout`, one
//! function per format), writes the build commands (`build`) and the CI matrix
//! (`ci`), and refuses combinations that cannot be written before anything is
//! built (`checks`). `crateship plan --json` prints the result; execution reads
//! nothing else.
//!
//! Architecture Invariant: nothing here names `crate::execute`; the validated
//! config values the plan carries are re-exported from here, so execution never
//! names `crate::config` either.

pub mod assets;
mod build;
pub mod bundle;
pub mod channels;
mod checks;
mod ci;
mod identity;
pub mod inputs;
mod layout;
pub mod records;
mod select;
pub(crate) mod template;
pub mod updates;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

pub use crate::config::{
    AppleSigning, DebSettings, DetachedKind, DocumentType, GlibcVersion, KeySource, MacosBundle,
    Material, Notarize, NotaryKey, RpmSettings, Signing, WindowsBackend, WindowsSettings,
};
pub(crate) use identity::versions as format_versions;
pub use identity::{App, FormatVersions, MacosVersions, Maintainer};
pub use inputs::Inputs;

use crate::epoch::EpochSource;
use crate::error::Result;
use crate::format::Format;
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
    /// Fail instead of waiting when another run holds the out dir.
    pub no_wait: bool,
    /// An existing Sparkle appcast to prepend this release to (`--previous-feed`).
    pub previous_feed: Option<PathBuf>,
    /// A previous release's out dir whose apt/rpm repositories are merged
    /// (`--channels-from`).
    pub channels_from: Option<PathBuf>,
    /// Package without signing (`--unsigned`): no signatures, and no update
    /// feeds or package channels, which need keys. For pull requests, whose
    /// CI jobs get no secrets.
    pub unsigned: bool,
}

/// A complete release plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Version of crateship that made the plan.
    pub crateship_version: String,
    /// The application being released, with every fact derived from it.
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
    /// Fail instead of waiting when another run holds the out dir.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_wait: bool,
    /// Signing keys' locations (paths absolute, secrets only as variable names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing: Option<Signing>,
    /// Oldest macOS the binaries and bundles support (`LSMinimumSystemVersion`).
    pub macos_minimum_system_version: String,
    /// Info.plist, .pkg and .dmg settings (paths absolute).
    pub macos_bundle: MacosBundle,
    /// Windows installer settings.
    pub windows: WindowsSettings,
    /// Desktop integration for Linux packages.
    pub linux: LinuxDesktop,
    /// Relationships, fields and scripts of the .deb and .rpm.
    #[serde(skip_serializing_if = "LinuxPackaging::is_empty")]
    pub linux_packaging: LinuxPackaging,
    /// The files of `assets`, with where each goes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<assets::PlannedAsset>,
    /// `before-package` commands, run after the builds, before any artifact.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub before_package: Vec<Hook>,
    /// The icon set every bundle format draws from.
    pub icons: IconsStep,
    /// One entry per target, built one at a time in this order.
    pub targets: Vec<TargetPlan>,
    /// A CI matrix: one job per target.
    pub ci: CiMatrix,
    /// Update feeds, when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates: Option<updates::UpdatesPlan>,
    /// Package-manager channels, if configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<channels::ChannelsPlan>,
    /// SBOMs and provenance.
    #[serde(skip_serializing_if = "records::RecordsPlan::is_empty")]
    pub records: records::RecordsPlan,
    /// What `crateship check` holds the release to (`[…check]`).
    #[serde(skip_serializing_if = "crate::config::CheckSettings::is_default")]
    pub check: crate::config::CheckSettings,
    /// Things planning found worth telling the user; `dist` reports them first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
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
        /// The `cargo auditable` dependency-list object linked into every
        /// binary (config `auditable`), written just before the build.
        #[serde(skip_serializing_if = "Option::is_none")]
        auditable_object: Option<PathBuf>,
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
    /// Permission bits an asset's `mode` sets (`None`: by `executable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    /// Compress with `gzip -9n` while writing (man pages in .deb/.rpm); `dest`
    /// already ends in `.gz`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gzip: bool,
}

impl Entry {
    /// The file's permission bits in the artifact.
    pub fn permissions(&self) -> u32 {
        self.mode
            .unwrap_or(if self.executable { 0o755 } else { 0o644 })
    }
}

/// A `before-package` command.
#[derive(Debug, Clone, Serialize)]
pub struct Hook {
    /// Its config key (`before-package[0]`).
    pub key: String,
    /// The command, run in the package directory with the build's environment.
    pub command: CommandSpec,
}

/// The Linux package fields the config adds to the derived ones.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinuxPackaging {
    /// `linux.deb`.
    pub deb: DebSettings,
    /// `linux.rpm`.
    pub rpm: RpmSettings,
    /// Maintainer scripts' bodies (`linux.scripts`, read when planning).
    #[serde(skip)]
    pub scripts: crateship_linux::Scripts,
}

impl LinuxPackaging {
    /// Whether the config sets none of it.
    pub fn is_empty(&self) -> bool {
        self.deb == DebSettings::default()
            && self.rpm == RpmSettings::default()
            && self.scripts == crateship_linux::Scripts::default()
    }
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

impl Plan {
    /// The main binary of `target` (the first `[[bin]]` shipped): what shortcuts,
    /// desktop entries and bundles launch.
    pub fn main_binary<'a>(&self, target: &'a TargetPlan) -> Option<&'a Binary> {
        target.binaries.first()
    }
}

/// Makes the plan for `inputs` and `options`. Pure: no I/O.
pub fn plan(inputs: &Inputs, options: &Options) -> Result<Plan> {
    let pkg = &inputs.package;
    let config = &inputs.config;
    let targets = select::targets(inputs, options)?;
    let formats = select::formats(inputs, options, &targets)?;
    let binaries = select::binaries(inputs)?;
    let app = identity::app(inputs);
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
        time: crateship_support::date::rfc3339(inputs.source_date_epoch),
    };
    let docs = layout::doc_files(inputs);
    let package_dir = inputs.package_dir();
    let planned_assets = assets::plan(inputs, &app.name)?;
    let hooks = build::hooks(inputs, &build_info);
    let shipped = layout::Shipped {
        docs: &docs,
        resources: &inputs.resource_files,
        assets: &planned_assets,
        package_dir: &package_dir,
    };
    let target_plans = targets
        .iter()
        .map(|triple| {
            let build = build::step(inputs, options, triple, &binaries, &build_info, &target_dir);
            let bins = layout::binaries(&build, triple, &binaries, &target_dir);
            let artifacts = formats
                .iter()
                .filter(|f| f.applies_to(triple))
                .map(|&format| layout::artifact(&app, triple, format, &bins, &shipped))
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
    let icons = IconsStep {
        source: match &config.icon {
            Some(path) => IconSource::File { path: path.clone() },
            None => IconSource::Default,
        },
        name: app.identifier.clone().unwrap_or_else(|| app.name.clone()),
        overrides: config.icon_overrides.clone(),
        out_dir: target_dir.join("crateship").join("icons"),
    };
    let updates =
        updates::plan(inputs, &app, options.previous_feed.as_deref()).filter(|_| !options.unsigned);
    checks::before_building(inputs, &app, &icons, &target_plans, updates.as_ref())?;
    let channels = channels::plan(
        config.channels.as_ref().filter(|_| !options.unsigned),
        &target_plans,
        options.channels_from.as_deref(),
    )?;
    let linux = &config.linux;
    Ok(Plan {
        crateship_version: env!("CARGO_PKG_VERSION").to_owned(),
        manifest_path: pkg.manifest_path.clone().into_std_path_buf(),
        out_dir,
        source_date_epoch: inputs.source_date_epoch,
        epoch_source: inputs.epoch_source,
        build_info,
        // A chosen glibc is also the ceiling the built binaries are checked against.
        max_glibc: match (linux.glibc, linux.max_glibc) {
            (Some(g), Some(m)) => Some(g.min(m)),
            (g, m) => g.or(m),
        },
        install_missing: options.install_missing,
        no_wait: options.no_wait,
        signing: config.signing.clone().filter(|_| !options.unsigned),
        macos_minimum_system_version: config.macos.minimum_system_version.clone(),
        macos_bundle: config.macos.bundle.clone(),
        windows: config.windows.clone(),
        linux: LinuxDesktop {
            categories: if linux.categories.is_empty() {
                vec!["Utility".to_owned()]
            } else {
                linux.categories.clone()
            },
            update_information: linux.update_information.clone(),
            keywords: linux
                .keywords
                .clone()
                .unwrap_or_else(|| pkg.keywords.clone()),
            mime_types: linux.mime_types.clone(),
            desktop_template: linux.desktop_template.clone(),
            metainfo_template: linux.metainfo_template.clone(),
            bundle_libraries: linux.bundle_libraries,
        },
        linux_packaging: LinuxPackaging {
            deb: linux.deb.clone(),
            rpm: linux.rpm.clone(),
            scripts: inputs.script_texts.clone(),
        },
        assets: planned_assets,
        before_package: hooks,
        icons,
        ci: ci::matrix(inputs, &targets),
        warnings: {
            let mut warnings = inputs.warnings.clone();
            if options.unsigned {
                warnings.push(
                    "--unsigned: nothing is signed, and no update feed or package channel is \
                     written; do not publish this release"
                        .into(),
                );
            }
            warnings
        },
        updates,
        channels,
        records: records::plan(inputs),
        check: inputs.config.check.clone(),
        targets: target_plans,
        target_dir,
        app,
    })
}
