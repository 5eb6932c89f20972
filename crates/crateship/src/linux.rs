//! The Linux packaging step: turns a planned .deb or .rpm into a
//! `crateship_linux::LinuxPackage` (binaries, docs, resources, desktop entry,
//! AppStream metainfo, hicolor icons, shared-library dependencies) and writes it.

use std::path::{Path, PathBuf};

use crateship_icons::IconSet;
use crateship_linux::{DesktopApp, LinuxPackage, PackageFile, Release};

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::format::Format;
use crate::plan::{ArtifactPlan, Plan, TargetPlan};
use crate::process::{self, CommandSpec};
use crate::target::Arch;

/// Everything one package needs from the run so far.
pub struct Context<'a> {
    /// The release plan.
    pub plan: &'a Plan,
    /// The target the package is for.
    pub target: &'a TargetPlan,
    /// The planned artifact.
    pub artifact: &'a ArtifactPlan,
    /// The generated icon set.
    pub icons: &'a IconSet,
    /// The glibc floor measured on the binaries.
    pub glibc: Option<String>,
}

/// Writes the package to `path` atomically; returns warnings (unmapped libraries).
pub fn write_package(ctx: &Context<'_>, path: &Path) -> Result<Vec<String>> {
    let (pkg, warnings) = package(ctx)?;
    let fail = |e: crateship_linux::LinuxError| {
        Error::Command(format!("cannot write {}: {e}", path.display()))
    };
    let out = AtomicFile::create(path)?;
    let out = match ctx.artifact.format {
        Format::Deb => crateship_linux::write_deb(&pkg, out).map_err(fail)?,
        _ => crateship_linux::write_rpm(&pkg, out).map_err(fail)?,
    };
    out.commit()?;
    Ok(warnings)
}

/// The Linux packaging architecture of a target architecture (Linux targets
/// are never universal).
pub(crate) fn linux_arch(arch: Arch) -> crateship_linux::Arch {
    match arch {
        Arch::X86_64 | Arch::Universal => crateship_linux::Arch::X86_64,
        Arch::Aarch64 => crateship_linux::Arch::Aarch64,
    }
}

/// Shared libraries every desktop Linux system provides, so an AppImage may
/// link them without bundling (the AppImage community's "excludelist", abridged).
pub const DESKTOP_BASE_LIBRARIES: &[&str] = &[
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libresolv.so.2",
    "libutil.so.1",
    "libgcc_s.so.1",
    "libstdc++.so.6",
    "libz.so.1",
    "libGL.so.1",
    "libEGL.so.1",
    "libGLX.so.0",
    "libGLdispatch.so.0",
    "libOpenGL.so.0",
    "libdrm.so.2",
    "libgbm.so.1",
    "libvulkan.so.1",
    "libfontconfig.so.1",
    "libfreetype.so.6",
    "libharfbuzz.so.0",
    "libX11.so.6",
    "libX11-xcb.so.1",
    "libxcb.so.1",
    "libXext.so.6",
    "libXrender.so.1",
    "libXi.so.6",
    "libXcursor.so.1",
    "libXrandr.so.2",
    "libXfixes.so.3",
    "libXinerama.so.1",
    "libxkbcommon.so.0",
    "libxkbcommon-x11.so.0",
    "libwayland-client.so.0",
    "libwayland-cursor.so.0",
    "libwayland-egl.so.1",
    "libasound.so.2",
    "libpulse.so.0",
    "libdbus-1.so.3",
    "libudev.so.1",
    "libexpat.so.1",
    "libuuid.so.1",
];

/// Names every shared library the AppImage's binary needs beyond
/// [`DESKTOP_BASE_LIBRARIES`]: it is not bundled, so the user must have it.
/// Empty when `linux.bundle-libraries` is on (they are bundled instead).
pub fn appimage_library_warnings(ctx: &Context<'_>) -> Result<Vec<String>> {
    if ctx.plan.linux.bundle_libraries {
        return Ok(Vec::new());
    }
    let Some(main) = ctx.artifact.entries.first() else {
        return Ok(Vec::new());
    };
    Ok(beyond_base(
        ctx,
        &[PackageFile::from_path(
            main.source.clone(),
            main.dest.clone(),
            0o755,
        )],
    )?
    .into_iter()
    .map(|s| {
        format!(
            "{}: {s} is not bundled and is not among the libraries every desktop has; users \
             must install it (or set linux.bundle-libraries = true)",
            ctx.artifact.file_name
        )
    })
    .collect())
}

/// The sonames `files` need that neither they nor every desktop provide.
fn beyond_base(ctx: &Context<'_>, files: &[PackageFile]) -> Result<Vec<String>> {
    let mut probe = LinuxPackage::new(
        ctx.plan.app.name.clone(),
        ctx.plan.app.version.clone(),
        "probe",
        "probe <probe@localhost>",
        linux_arch(ctx.target.arch),
    );
    probe.files = files.to_vec();
    let needs = crateship_linux::elf_needs(&probe)
        .map_err(|e| Error::Usage(format!("{}: {e}", ctx.artifact.file_name)))?;
    Ok(needs
        .sonames
        .into_iter()
        .filter(|s| !DESKTOP_BASE_LIBRARIES.contains(&s.as_str()))
        .collect())
}

/// Where this host keeps shared libraries for `arch`, most specific first.
fn host_library_dirs(arch: Arch) -> Vec<PathBuf> {
    let triplet = match arch {
        Arch::Aarch64 => "aarch64-linux-gnu",
        _ => "x86_64-linux-gnu",
    };
    [
        format!("/lib/{triplet}"),
        format!("/usr/lib/{triplet}"),
        "/lib64".into(),
        "/usr/lib64".into(),
        "/lib".into(),
        "/usr/lib".into(),
        "/usr/local/lib".into(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect()
}

/// The shared libraries to copy into the AppImage's `usr/lib` for
/// `linux.bundle-libraries`: the binary's non-base sonames and theirs, in turn,
/// found on this host (a library for another architecture is refused by its
/// ELF header when its own needs are read).
fn bundled_libraries(ctx: &Context<'_>, main: &PackageFile) -> Result<Vec<PackageFile>> {
    let dirs = host_library_dirs(ctx.target.arch);
    let mut libs: Vec<PackageFile> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    // Each file's needs are read once: the binary's, then each newly bundled library's.
    let mut pending = vec![main.clone()];
    while let Some(file) = pending.pop() {
        for soname in beyond_base(ctx, std::slice::from_ref(&file))? {
            if !seen.insert(soname.clone()) {
                continue;
            }
            let found = dirs.iter().map(|d| d.join(&soname)).find(|p| p.exists());
            let Some(path) = found else {
                return Err(Error::Usage(format!(
                    "{}: linux.bundle-libraries is on but {soname} is not installed on this \
                     host (looked in {}); install the package that provides it for {} \
                     (e.g. `apt-get install` its runtime package) or turn bundling off",
                    ctx.artifact.file_name,
                    dirs.iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    ctx.target.triple.as_str(),
                )));
            };
            let real =
                std::fs::canonicalize(&path).map_err(|e| Error::io("cannot resolve", &path, e))?;
            let lib = PackageFile::from_path(real, format!("usr/lib/{soname}"), 0o644);
            pending.push(lib.clone());
            libs.push(lib);
        }
    }
    libs.sort_by(|a, b| a.dest.cmp(&b.dest));
    Ok(libs)
}

/// Writes the AppImage (our runtime + squashfs of the AppDir) to `path`
/// atomically, executable.
pub fn write_appimage(ctx: &Context<'_>, path: &Path) -> Result<()> {
    use crateship_appimage::{AppImageInput, Icon, IconSize};
    use crateship_linux::FileSource;
    let (main, rest) = ctx.artifact.entries.split_first().ok_or_else(|| {
        Error::Usage(format!(
            "{} has no binary to package",
            ctx.artifact.file_name
        ))
    })?;
    let mut icons = Vec::new();
    for (source, rel) in files_below(&ctx.icons.hicolor_dir)? {
        let size = rel.split('/').next().unwrap_or_default();
        let size = if size == "scalable" {
            Some(IconSize::Scalable)
        } else {
            // `NxN` only; the `NxN@2` HiDPI copies duplicate larger sizes.
            size.split_once('x')
                .filter(|(w, h)| w == h)
                .and_then(|(w, _)| w.parse().ok())
                .map(IconSize::Png)
        };
        if let Some(size) = size {
            icons.push(Icon {
                size,
                source: FileSource::Path(source),
            });
        }
    }
    let arch = linux_arch(ctx.target.arch);
    let libraries = if ctx.plan.linux.bundle_libraries {
        bundled_libraries(
            ctx,
            &PackageFile::from_path(main.source.clone(), main.dest.clone(), 0o755),
        )?
    } else {
        Vec::new()
    };
    let input = AppImageInput {
        desktop: desktop_app(ctx)?,
        version: ctx.plan.app.version.clone(),
        arch,
        binary: main.source.clone(),
        binary_name: main
            .dest
            .rsplit('/')
            .next()
            .unwrap_or(&main.dest)
            .to_owned(),
        icons,
        files: rest
            .iter()
            .map(|e| PackageFile::from_path(e.source.clone(), e.dest.clone(), 0o644))
            .chain(libraries)
            .collect(),
        update_information: ctx.plan.linux.update_information.clone(),
        source_date_epoch: ctx.plan.source_date_epoch,
    };
    let mut out = AtomicFile::create(path)?;
    let runtime = crateship_appimage::runtime::runtime(arch);
    let file = crateship_appimage::write_appimage(&input, runtime, out.file())
        .map_err(|e| Error::Command(format!("cannot write {}: {e}", path.display())))?;
    set_executable(file, path)?;
    out.commit()?;
    Ok(())
}

#[cfg(unix)]
fn set_executable(file: &std::fs::File, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io("cannot make executable", path, e))
}

#[cfg(not(unix))]
fn set_executable(_file: &std::fs::File, _path: &Path) -> Result<()> {
    Ok(())
}

/// The application's desktop integration (menu entry, AppStream data) as
/// .deb, .rpm and AppImage describe it.
pub(crate) fn desktop_app(ctx: &Context<'_>) -> Result<DesktopApp> {
    let app = &ctx.plan.app;
    let app_id = app.identifier.clone().ok_or_else(|| {
        Error::Usage(format!(
            "{} needs `identifier` in [package.metadata.crateship]",
            ctx.artifact.format
        ))
    })?;
    let summary = app
        .description
        .clone()
        .unwrap_or_else(|| app.product_name.clone());
    let main_bin = ctx
        .target
        .binaries
        .first()
        .map(|b| b.file_name.clone())
        .unwrap_or_default();
    let mut desktop = DesktopApp::new(
        app_id,
        app.product_name.clone(),
        summary.trim_end_matches('.'),
        main_bin,
    );
    desktop.description = readme_paragraph(ctx.artifact)
        .unwrap_or_else(|| format!("{} {} for the desktop.", app.product_name, app.version));
    desktop.categories = ctx.plan.linux.categories.clone();
    desktop.keywords = ctx.plan.linux.keywords.clone();
    desktop.mime_types = ctx.plan.linux.mime_types.clone();
    desktop.desktop_template =
        crate::template::read_template(ctx.plan.linux.desktop_template.as_deref())?;
    desktop.metainfo_template =
        crate::template::read_template(ctx.plan.linux.metainfo_template.as_deref())?;
    desktop.developer_name = maintainer(ctx)?
        .split('<')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    desktop.homepage = app.homepage.clone();
    desktop.project_license = app.license.clone();
    desktop.releases = vec![Release {
        version: app.version.clone(),
        date: ctx.plan.source_date_epoch,
    }];
    Ok(desktop)
}

/// The first author with an e-mail address, as Debian and RPM want a maintainer.
fn maintainer(ctx: &Context<'_>) -> Result<String> {
    ctx.plan.app.authors.iter().find(|a| a.contains('<') && a.contains('>')).cloned().ok_or_else(|| {
        Error::Usage(format!(
            "{} packages need a maintainer with an e-mail address; set `authors = [\"Name <mail@example.org>\"]` in {}",
            ctx.artifact.format,
            ctx.plan.manifest_path.display()
        ))
    })
}

/// Builds the package description for one artifact.
pub fn package(ctx: &Context<'_>) -> Result<(LinuxPackage, Vec<String>)> {
    let app = &ctx.plan.app;
    let desktop = desktop_app(ctx)?;
    let app_id = desktop.app_id.clone();
    let summary = app
        .description
        .clone()
        .unwrap_or_else(|| app.product_name.clone());
    let long_description = desktop.description.clone();
    let linux_err =
        |e: crateship_linux::LinuxError| Error::Usage(format!("{}: {e}", ctx.artifact.file_name));
    let desktop_entry = crateship_linux::desktop_entry(&desktop).map_err(linux_err)?;
    let metainfo = crateship_linux::metainfo_xml(&desktop).map_err(linux_err)?;

    let arch = linux_arch(ctx.target.arch);
    let mut pkg = LinuxPackage::new(
        app.name.clone(),
        app.version.clone(),
        summary.clone(),
        maintainer(ctx)?,
        arch,
    );
    pkg.description = long_description;
    pkg.license = app.license.clone();
    pkg.homepage = app.homepage.clone();
    pkg.glibc_floor = ctx.glibc.clone();
    pkg.source_date_epoch = ctx.plan.source_date_epoch;
    pkg.license_text = license_text(ctx.artifact)?;
    for e in &ctx.artifact.entries {
        pkg.files.push(PackageFile::from_path(
            e.source.clone(),
            e.dest.clone(),
            if e.executable { 0o755 } else { 0o644 },
        ));
    }
    pkg.files.push(PackageFile::from_bytes(
        desktop_entry,
        format!("usr/share/applications/{}", desktop.desktop_file_name()),
        0o644,
    ));
    pkg.files.push(PackageFile::from_bytes(
        metainfo,
        format!("usr/share/metainfo/{app_id}.metainfo.xml"),
        0o644,
    ));
    for (source, rel) in files_below(&ctx.icons.hicolor_dir)? {
        pkg.files.push(PackageFile::from_path(
            source,
            format!("usr/share/icons/hicolor/{rel}"),
            0o644,
        ));
    }
    let mut warnings = Vec::new();
    if ctx.artifact.format == Format::Deb {
        let deps = crateship_linux::deb_shlib_depends(&pkg, &dpkg_owner).map_err(linux_err)?;
        for soname in &deps.unmapped {
            warnings.push(format!(
                "{}: no Debian package found for shared library {soname}; it is not declared in Depends",
                ctx.artifact.file_name
            ));
        }
        pkg.deb_depends = deps.depends;
    }
    Ok((pkg, warnings))
}

/// Packages every file below `dir` into a .deb at `out` under `usr/share/NAME/`
/// (for benchmarks against `dpkg-deb -b`; releases go through [`write_package`]).
pub fn deb_from_dir(dir: &Path, name: &str, out: &Path, source_date_epoch: i64) -> Result<()> {
    let mut pkg = LinuxPackage::new(
        name,
        "1.0.0",
        "Benchmark payload",
        "crateship <bench@example.org>",
        crateship_linux::Arch::X86_64,
    );
    pkg.source_date_epoch = source_date_epoch;
    for (source, rel) in files_below(dir)? {
        pkg.files.push(PackageFile::from_path(
            source,
            format!("usr/share/{name}/{rel}"),
            0o644,
        ));
    }
    let file = AtomicFile::create(out)?;
    let file = crateship_linux::write_deb(&pkg, file)
        .map_err(|e| Error::Command(format!("cannot write {}: {e}", out.display())))?;
    file.commit()?;
    Ok(())
}

/// The first prose paragraph of the README (headings, code and lists skipped), as
/// the package's long description; the summary alone would repeat the synopsis.
fn readme_paragraph(artifact: &ArtifactPlan) -> Option<String> {
    let readme = entry_named(artifact, &["README"])?;
    let text = std::fs::read_to_string(&readme.source).ok()?;
    let paragraph: Vec<&str> = text
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with(['#', '`', '-', '*', '<', '!', '[', '|']))?
        .lines()
        .map(str::trim)
        .collect();
    Some(paragraph.join(" ").trim_end_matches(':').to_owned() + ".").map(|p| p.replace("..", "."))
}

/// The first entry whose file name starts with one of `prefixes` (case-insensitive).
fn entry_named<'a>(
    artifact: &'a ArtifactPlan,
    prefixes: &[&str],
) -> Option<&'a crate::plan::Entry> {
    artifact.entries.iter().find(|e| {
        let name = e
            .dest
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        prefixes.iter().any(|p| name.starts_with(p))
    })
}

/// The first license file among the entries, for `copyright` / `%license`.
fn license_text(artifact: &ArtifactPlan) -> Result<Option<String>> {
    entry_named(artifact, &["LICENSE", "LICENCE", "COPYING"])
        .map(|e| {
            std::fs::read_to_string(&e.source)
                .map_err(|err| Error::io("cannot read", &e.source, err))
        })
        .transpose()
}

/// The Debian package that ships `soname` in a system library directory, via `dpkg -S`.
fn dpkg_owner(soname: &str) -> Option<String> {
    if !process::on_path("dpkg") {
        return None;
    }
    let (ok, out) = CommandSpec::new("dpkg", &["-S", soname])
        .run_unchecked()
        .ok()?;
    if !ok {
        return None;
    }
    out.stdout.lines().find_map(|line| {
        let (package, path) = line.split_once(": ")?;
        let system_dir = path.starts_with("/lib/") || path.starts_with("/usr/lib/");
        (system_dir && path.ends_with(&format!("/{soname}")))
            .then(|| package.split(':').next().unwrap_or(package).to_owned())
    })
}

/// Every file below `dir` with its `/`-separated path relative to `dir`, sorted.
pub(crate) fn files_below(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| Error::io("cannot list", &d, e))? {
            let path = entry.map_err(|e| Error::io("cannot list", &d, e))?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((path, rel));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
