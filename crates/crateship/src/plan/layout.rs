//! One layout per format: each artifact's file name and every file it contains,
//! with where it comes from and where it goes.
//!
//! Binaries, docs (README, LICENSE, …) and resources are placed per family:
//! side by side at the root of archives and the MSI's install folder; in
//! `usr/bin`, `usr/share/doc/NAME` and `usr/share/NAME` in Linux packages and
//! AppImages; the main binary first, then the bundle's resources, for macOS
//! bundles. Desktop entries, metainfo and icons are added by the writers.

use std::path::{Path, PathBuf};

use super::assets::PlannedAsset;
use super::{App, ArtifactPlan, Binary, BuildStep, Entry, Inputs};
use crate::format::{Family, Format, LinuxKind, MacosKind};
use crate::target::TargetTriple;

/// What every artifact ships besides binaries, relative to `package_dir`.
pub(super) struct Shipped<'a> {
    /// README and license files.
    pub docs: &'a [String],
    /// Files matched by the resource globs.
    pub resources: &'a [String],
    /// Files with destinations of their own.
    pub assets: &'a [PlannedAsset],
    /// The package directory.
    pub package_dir: &'a Path,
}

/// Where each kind of file goes inside an artifact (`""` for its root).
struct Dirs {
    bin: String,
    doc: String,
    resource: String,
}

impl Dirs {
    /// Everything side by side at the root (archives, the MSI's folder, bundles).
    fn root() -> Dirs {
        Dirs {
            bin: String::new(),
            doc: String::new(),
            resource: String::new(),
        }
    }

    /// The FHS places: `usr/bin`, `usr/share/doc/NAME`, `usr/share/NAME`.
    fn linux(app: &App) -> Dirs {
        Dirs {
            bin: "usr/bin".into(),
            doc: format!("usr/share/doc/{}", app.name),
            resource: format!("usr/share/{}", app.name),
        }
    }
}

/// README and license files shipped in every archive, relative to the package dir.
pub(super) fn doc_files(inputs: &Inputs) -> Vec<String> {
    let mut docs: Vec<String> = Vec::new();
    let pkg = &inputs.package;
    if let Some(readme) = &pkg.readme {
        docs.push(readme.to_string());
    }
    if let Some(lf) = &pkg.license_file {
        docs.push(lf.to_string());
    }
    for name in &inputs.package_files {
        if is_doc_name(name) && !docs.contains(name) {
            docs.push(name.clone());
        }
    }
    docs.sort();
    docs.dedup();
    docs
}

/// Whether a file name looks like a README, licence or notice.
pub(super) fn is_doc_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "README",
        "LICENSE",
        "LICENCE",
        "COPYING",
        "COPYRIGHT",
        "NOTICE",
    ]
    .iter()
    .any(|p| upper.starts_with(p))
}

/// The binaries of a target with where its build step leaves them.
pub(super) fn binaries(
    build: &BuildStep,
    triple: &TargetTriple,
    names: &[String],
    target_dir: &Path,
) -> Vec<Binary> {
    let dir: PathBuf = match build {
        BuildStep::Cargo { .. } => target_dir.join(triple.as_str()).join("release"),
        BuildStep::Universal { output_dir, .. } => output_dir.clone(),
        BuildStep::Prebuilt { binary_dir } => binary_dir.clone(),
    };
    names
        .iter()
        .map(|name| {
            let file_name = format!("{name}{}", triple.exe_suffix());
            Binary {
                name: name.clone(),
                path: dir.join(&file_name),
                file_name,
            }
        })
        .collect()
}

/// The planned artifact of `format` for `triple`.
pub(super) fn artifact(
    app: &App,
    triple: &TargetTriple,
    format: Format,
    bins: &[Binary],
    shipped: &Shipped<'_>,
) -> ArtifactPlan {
    match format.family() {
        Family::Archive(_) => archive(app, triple, format, bins, shipped),
        Family::Msi => msi(app, triple, bins, shipped),
        Family::Macos(kind) => macos(app, triple, format, kind, bins, shipped),
        Family::AppImage => appimage(app, triple, bins, shipped),
        Family::Linux(kind) => linux_package(app, triple, format, kind, bins, shipped),
    }
}

/// The entries of an artifact of `format`, binaries first, laid out per `dirs`.
fn entries(bins: &[Binary], shipped: &Shipped<'_>, dirs: &Dirs, format: Format) -> Vec<Entry> {
    let under = |dir: &str, name: &str| {
        if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        }
    };
    let file = |rel: &String, dir: &str| Entry {
        source: shipped.package_dir.join(rel),
        dest: under(dir, &rel.replace('\\', "/")),
        executable: false,
        mode: None,
        gzip: false,
    };
    let linux_package = matches!(format.family(), Family::Linux(_));
    let assets = shipped.assets.iter().filter_map(|a| {
        Some(Entry {
            source: a.source.clone(),
            dest: a.dest_in(format, &dirs.resource)?,
            executable: a.mode & 0o111 != 0,
            mode: Some(a.mode),
            gzip: a.gzip && linux_package,
        })
    });
    let assets: Vec<Entry> = assets.collect();
    // An asset placed where crateship would put a doc or resource (ripgrep's
    // `LICENSE-MIT` into `usr/share/doc/ripgrep/`) replaces it.
    let taken = |dest: &str| assets.iter().any(|a| a.dest == dest);
    bins.iter()
        .map(|b| Entry {
            source: b.path.clone(),
            dest: under(&dirs.bin, &b.file_name),
            executable: true,
            mode: None,
            gzip: false,
        })
        .chain(shipped.docs.iter().map(|d| file(d, &dirs.doc)))
        .chain(shipped.resources.iter().map(|r| file(r, &dirs.resource)))
        .filter(|e| !taken(&e.dest))
        .chain(assets.iter().cloned())
        .collect()
}

/// Entries sorted by destination, as archives and installers list them.
fn sorted(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by(|a, b| a.dest.cmp(&b.dest));
    entries
}

/// The main binary only (the first `[[bin]]`): what a bundle or AppImage runs.
fn main_only(bins: &[Binary]) -> &[Binary] {
    &bins[..bins.len().min(1)]
}

/// `NAME-VERSION-TRIPLE.tar.gz` / `.zip`: binaries, docs and resources side by
/// side in a directory of the same name.
fn archive(
    app: &App,
    triple: &TargetTriple,
    format: Format,
    bins: &[Binary],
    shipped: &Shipped<'_>,
) -> ArtifactPlan {
    let root_dir = format!("{}-{}-{}", app.name, app.version, triple);
    ArtifactPlan {
        format,
        file_name: format!("{root_dir}.{}", format.name()),
        root_dir,
        entries: sorted(entries(bins, shipped, &Dirs::root(), format)),
    }
}

/// An MSI: binaries, docs and resources side by side in the install folder
/// (`Program Files\<product name>`), as Windows apps are laid out.
fn msi(app: &App, triple: &TargetTriple, bins: &[Binary], shipped: &Shipped<'_>) -> ArtifactPlan {
    ArtifactPlan {
        format: Format::Msi,
        file_name: crateship_windows::msi_file_name(
            &app.product_name,
            &app.version,
            triple.arch().msi(),
        ),
        root_dir: String::new(),
        entries: sorted(entries(bins, shipped, &Dirs::root(), Format::Msi)),
    }
}

/// A macOS artifact built from the app bundle: `.app` (zipped, as apps are
/// downloaded), `.dmg` or `.pkg`. Entries are the bundle's inputs: the main
/// binary first, then resources for `Contents/Resources`.
fn macos(
    app: &App,
    triple: &TargetTriple,
    format: Format,
    kind: MacosKind,
    bins: &[Binary],
    shipped: &Shipped<'_>,
) -> ArtifactPlan {
    let dmg = crateship_macos::dmg_file_name(&app.product_name, &app.version, triple.arch().dmg());
    let stem = dmg.trim_end_matches(".dmg");
    let file_name = match kind {
        MacosKind::Dmg => dmg.clone(),
        // A universal pkg serves every Mac; thin ones carry their arch so they don't collide.
        MacosKind::Pkg if triple.is_universal() => {
            crateship_macos::pkg_file_name(&app.product_name, &app.version)
        }
        MacosKind::Pkg => format!("{stem}.pkg"),
        MacosKind::App => format!("{stem}.app.zip"),
        MacosKind::AppTarGz => format!("{stem}.app.tar.gz"),
    };
    ArtifactPlan {
        format,
        file_name,
        root_dir: format!("{}.app", app.product_name),
        entries: entries(main_only(bins), shipped, &Dirs::root(), format),
    }
}

/// An AppImage: the main binary in `usr/bin` (first: the writer makes it
/// AppRun's target), docs in `usr/share/doc/NAME`, resources in `usr/share/NAME`.
fn appimage(
    app: &App,
    triple: &TargetTriple,
    bins: &[Binary],
    shipped: &Shipped<'_>,
) -> ArtifactPlan {
    ArtifactPlan {
        format: Format::AppImage,
        file_name: crateship_appimage::appimage_file_name(
            &app.product_name,
            &app.version,
            triple.arch().linux(),
        ),
        root_dir: String::new(),
        entries: entries(
            main_only(bins),
            shipped,
            &Dirs::linux(app),
            Format::AppImage,
        ),
    }
}

/// A .deb or .rpm: binaries in `usr/bin`, docs in `usr/share/doc/NAME`,
/// resources in `usr/share/NAME`.
fn linux_package(
    app: &App,
    triple: &TargetTriple,
    format: Format,
    kind: LinuxKind,
    bins: &[Binary],
    shipped: &Shipped<'_>,
) -> ArtifactPlan {
    let arch = triple.arch().linux();
    let file_name = match kind {
        LinuxKind::Deb => crateship_linux::deb_file_name(&app.name, &app.version, arch),
        LinuxKind::Rpm => crateship_linux::rpm_file_name(&app.name, &app.version, arch),
    };
    ArtifactPlan {
        format,
        file_name,
        root_dir: String::new(),
        entries: sorted(entries(bins, shipped, &Dirs::linux(app), format)),
    }
}
