//! The AppImage adapter: a planned AppImage onto `crateship_appimage` (our
//! runtime + a squashfs of the AppDir), the desktop integration shared with
//! the Linux packages, and the shared libraries beyond every desktop's base set
//! (named in a warning, or bundled with `linux.bundle-libraries`).

use std::path::PathBuf;

use crateship_appimage::{AppImageInput, Icon, IconSize};
use crateship_linux::{FileSource, PackageFile};
use crateship_support::AtomicFile;

use super::linux::{desktop_app, hicolor_files};
use super::{ArtifactCtx, Written};
use crate::error::{Error, Result};
use crate::target::Arch;

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

/// Writes the unsigned AppImage into `out`.
pub(super) fn write(ctx: &ArtifactCtx<'_>, out: &mut AtomicFile) -> Result<Written> {
    let (main, rest) = ctx.artifact.entries.split_first().ok_or_else(|| {
        Error::requirement(
            format!("{} has no binary to package", ctx.artifact.file_name),
            "ship at least one [[bin]] target",
        )
    })?;
    let main_file = PackageFile::from_path(main.source.clone(), main.dest.clone(), 0o755);
    let mut icons = Vec::new();
    for (source, rel) in hicolor_files(&ctx.icons.hicolor_dir)? {
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
    let (libraries, warnings) = if ctx.plan.linux.bundle_libraries {
        (bundled_libraries(ctx, &main_file)?, Vec::new())
    } else {
        (Vec::new(), library_warnings(ctx, &main_file)?)
    };
    let arch = ctx.target.arch.linux();
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
        update_information: update_information(ctx),
        source_date_epoch: ctx.plan.source_date_epoch,
    };
    let runtime = crateship_appimage::runtime::runtime(arch);
    crateship_appimage::write_appimage(&input, runtime, out.file()).map_err(|e| ctx.fail(e))?;
    Ok(Written {
        warnings,
        signature: None,
        mode: 0o755,
        msi: None,
    })
}

/// The update information embedded in the AppImage: the configured string,
/// else — with update feeds and zsync — the stable `.zsync` the feed step writes.
fn update_information(ctx: &ArtifactCtx<'_>) -> Option<String> {
    if let Some(info) = &ctx.plan.linux.update_information {
        return Some(info.clone());
    }
    let updates = ctx.plan.updates.as_ref().filter(|u| u.zsync)?;
    let name =
        crate::plan::updates::zsync_file_name(&ctx.artifact.file_name, &ctx.plan.app.version);
    Some(format!("zsync|{}", updates.feed_file_url(&name)))
}

/// Names every shared library the main binary needs beyond
/// [`DESKTOP_BASE_LIBRARIES`]: it is not bundled, so the user must have it.
fn library_warnings(ctx: &ArtifactCtx<'_>, main: &PackageFile) -> Result<Vec<String>> {
    Ok(beyond_base(ctx, main)?
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

/// The sonames `file` needs that neither it nor every desktop provides.
fn beyond_base(ctx: &ArtifactCtx<'_>, file: &PackageFile) -> Result<Vec<String>> {
    let needs = crateship_linux::elf_needs(std::slice::from_ref(file), ctx.target.arch.linux())
        .map_err(|e| ctx.fail(e))?;
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
        Arch::X86_64 | Arch::Universal => "x86_64-linux-gnu",
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
fn bundled_libraries(ctx: &ArtifactCtx<'_>, main: &PackageFile) -> Result<Vec<PackageFile>> {
    let dirs = host_library_dirs(ctx.target.arch);
    let mut libs: Vec<PackageFile> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    // Each file's needs are read once: the binary's, then each newly bundled library's.
    let mut pending = vec![main.clone()];
    while let Some(file) = pending.pop() {
        for soname in beyond_base(ctx, &file)? {
            if !seen.insert(soname.clone()) {
                continue;
            }
            let found = dirs.iter().map(|d| d.join(&soname)).find(|p| p.exists());
            let Some(path) = found else {
                return Err(Error::requirement(
                    format!(
                        "{}: linux.bundle-libraries is on but {soname} is not installed on this \
                         host (looked in {})",
                        ctx.artifact.file_name,
                        dirs.iter()
                            .map(|d| d.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    format!(
                        "install the package that provides it for {} (e.g. `apt-get install` \
                         its runtime package) or turn bundling off",
                        ctx.target.triple.as_str()
                    ),
                ));
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
