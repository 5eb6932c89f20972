//! The .deb and .rpm adapter: a planned package onto
//! `crateship_linux::LinuxPackage` (binaries, docs, resources, desktop entry,
//! AppStream metainfo, hicolor icons, shared-library dependencies). The
//! desktop integration ([`desktop_app`]) is shared with the AppImage adapter.

use std::path::{Path, PathBuf};

use crateship_linux::{DesktopApp, LinuxPackage, PackageFile, Relations, Release};
use crateship_support::AtomicFile;

use super::{ArtifactCtx, Written};
use crate::error::{Error, Result};
use crate::format::LinuxKind;
use crate::plan::template;
use crate::plan::{Entry, LinuxPackaging};
use crate::process::{self, CommandSpec};

/// Writes the unsigned package into `out`; returns warnings (unmapped libraries).
pub(super) fn write(
    ctx: &ArtifactCtx<'_>,
    kind: LinuxKind,
    out: &mut AtomicFile,
) -> Result<Written> {
    let (pkg, warnings) = package(ctx, kind)?;
    match kind {
        LinuxKind::Deb => crateship_linux::write_deb(&pkg, out.file()).map(drop),
        LinuxKind::Rpm => crateship_linux::write_rpm(&pkg, out.file()).map(drop),
    }
    .map_err(|e| ctx.fail(e))?;
    Ok(Written {
        warnings,
        signature: None,
        mode: 0o644,
        msi: None,
    })
}

/// The maintainer the plan requires for Linux packages.
fn maintainer<'a>(ctx: &ArtifactCtx<'a>) -> Result<&'a crate::plan::Maintainer> {
    ctx.plan.app.maintainer.as_ref().ok_or_else(|| {
        Error::requirement(
            format!(
                "{} packages need a maintainer with an e-mail address",
                ctx.artifact.format
            ),
            format!(
                "set `authors = [\"Name <mail@example.org>\"]` in {}",
                ctx.plan.manifest_path.display()
            ),
        )
    })
}

/// The application's desktop integration (menu entry, AppStream data) as
/// .deb, .rpm and AppImage describe it.
pub(super) fn desktop_app(ctx: &ArtifactCtx<'_>) -> Result<DesktopApp> {
    let (plan, app) = (ctx.plan, &ctx.plan.app);
    let app_id = app.identifier_for(ctx.artifact.format)?.to_owned();
    let main_bin = plan
        .main_binary(ctx.target)
        .map(|b| b.file_name.clone())
        .unwrap_or_default();
    let mut desktop = DesktopApp::new(
        app_id,
        app.product_name.clone(),
        app.summary.trim_end_matches('.'),
        main_bin,
    );
    desktop.description = app.long_description.clone();
    desktop.categories = plan.linux.categories.clone();
    desktop.keywords = plan.linux.keywords.clone();
    desktop.mime_types = plan.linux.mime_types.clone();
    desktop.desktop_template = template::read(plan.linux.desktop_template.as_deref())?;
    desktop.metainfo_template = template::read(plan.linux.metainfo_template.as_deref())?;
    desktop.developer_name = maintainer(ctx)?.name.clone();
    desktop.homepage = app.homepage.clone();
    desktop.project_license = app.license.clone();
    desktop.releases = vec![Release {
        version: app.version.clone(),
        date: plan.source_date_epoch,
    }];
    Ok(desktop)
}

/// The package description of one artifact, and warnings about it.
fn package(ctx: &ArtifactCtx<'_>, kind: LinuxKind) -> Result<(LinuxPackage, Vec<String>)> {
    let (plan, app) = (ctx.plan, &ctx.plan.app);
    let desktop = desktop_app(ctx)?;
    let bad_input = |e: crateship_linux::LinuxError| {
        Error::input(
            format!("the desktop integration of {}", ctx.artifact.file_name),
            e,
        )
    };
    let desktop_entry = crateship_linux::desktop_entry(&desktop).map_err(bad_input)?;
    let metainfo = crateship_linux::metainfo_xml(&desktop).map_err(bad_input)?;
    let mut pkg = LinuxPackage::new(
        app.name.clone(),
        app.version.clone(),
        app.summary.clone(),
        maintainer(ctx)?.to_string(),
        ctx.target.arch.linux(),
    );
    pkg.description = app.long_description.clone();
    pkg.license = app.license.clone();
    pkg.homepage = app.homepage.clone();
    pkg.glibc_floor = ctx.requirements.glibc.clone();
    pkg.source_date_epoch = plan.source_date_epoch;
    pkg.license_text = license_text(&ctx.artifact.entries)?;
    pkg.license_texts = license_texts(&ctx.artifact.entries)?;
    for e in &ctx.artifact.entries {
        pkg.files.push(if e.gzip {
            let bytes =
                std::fs::read(&e.source).map_err(|err| Error::io("cannot read", &e.source, err))?;
            let gz = crateship_linux::gzip_reproducible(&bytes)
                .map_err(|err| Error::io("cannot compress", &e.source, err))?;
            PackageFile::from_bytes(gz, e.dest.clone(), e.permissions())
        } else {
            PackageFile::from_path(e.source.clone(), e.dest.clone(), e.permissions())
        });
        // Files in /etc are the admin's once installed: kept on upgrade, removed on purge.
        if e.dest.starts_with("etc/") {
            pkg.conffiles.push(e.dest.clone());
        }
        if let Some(unit) = systemd_unit(&e.dest) {
            pkg.systemd_units.push(unit.to_owned());
        }
    }
    add_packaging(&mut pkg, &plan.linux_packaging, kind);
    pkg.files.push(PackageFile::from_bytes(
        desktop_entry,
        format!("usr/share/applications/{}", desktop.desktop_file_name()),
        0o644,
    ));
    pkg.files.push(PackageFile::from_bytes(
        metainfo,
        format!("usr/share/metainfo/{}.metainfo.xml", desktop.app_id),
        0o644,
    ));
    let hicolor = hicolor_files(&ctx.icons.hicolor_dir)?;
    let same = same_as_larger_size(&hicolor)?;
    for (source, rel) in hicolor {
        let dest = format!("usr/share/icons/hicolor/{rel}");
        match same.iter().find(|(link, _)| *link == rel) {
            // Stored once: rpmlint's files-duplicated-waste otherwise.
            Some((_, target)) => pkg.symlinks.push(crateship_linux::PackageSymlink {
                dest,
                target: target.clone(),
            }),
            None => pkg.files.push(PackageFile::from_path(source, dest, 0o644)),
        }
    }
    let mut warnings = Vec::new();
    if kind == LinuxKind::Deb {
        let deps =
            crateship_linux::deb_shlib_depends(&pkg, &dpkg_owner).map_err(|e| ctx.fail(e))?;
        for soname in &deps.unmapped {
            warnings.push(format!(
                "{}: no Debian package found for shared library {soname}; it is not declared in Depends",
                ctx.artifact.file_name
            ));
        }
        pkg.deb_depends.extend(deps.depends);
    }
    Ok((pkg, warnings))
}

/// The unit name of a file installed into a systemd unit directory.
fn systemd_unit(dest: &str) -> Option<&str> {
    crateship_linux::systemd::UNIT_DIRS
        .iter()
        .find_map(|dir| dest.strip_prefix(dir)?.strip_prefix('/'))
        .filter(|unit| !unit.contains('/'))
}

/// The relationships, fields, scripts and lintian overrides the config adds.
fn add_packaging(pkg: &mut LinuxPackage, config: &LinuxPackaging, kind: LinuxKind) {
    pkg.scripts = config.scripts.clone();
    if let Some(text) = &config.deb.extended_description {
        pkg.description = text.clone();
    }
    match kind {
        LinuxKind::Deb => {
            let deb = &config.deb;
            pkg.deb_depends.extend(deb.depends.iter().cloned());
            pkg.deb_relations = Relations {
                recommends: deb.recommends.clone(),
                suggests: deb.suggests.clone(),
                conflicts: deb.conflicts.clone(),
                provides: deb.provides.clone(),
                replaces: deb.replaces.clone(),
                obsoletes: Vec::new(),
            };
            pkg.section = deb.section.clone();
            pkg.priority = deb.priority.clone();
            if !deb.lintian_overrides.is_empty() {
                let text: String = deb
                    .lintian_overrides
                    .iter()
                    .map(|o| format!("{}: {o}\n", pkg.name))
                    .collect();
                pkg.files.push(PackageFile::from_bytes(
                    text,
                    format!("usr/share/lintian/overrides/{}", pkg.name),
                    0o644,
                ));
            }
        }
        LinuxKind::Rpm => {
            let rpm = &config.rpm;
            pkg.rpm_requires.extend(rpm.requires.iter().cloned());
            pkg.rpm_relations = Relations {
                recommends: rpm.recommends.clone(),
                suggests: rpm.suggests.clone(),
                conflicts: rpm.conflicts.clone(),
                provides: rpm.provides.clone(),
                replaces: Vec::new(),
                obsoletes: rpm.obsoletes.clone(),
            };
        }
    }
}

/// Every file of the generated hicolor theme with its path below `hicolor/`.
pub(super) fn hicolor_files(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let files = crateship_support::walk::files_below(dir)
        .map_err(|e| Error::input(format!("the icon theme in {}", dir.display()), e))?;
    Ok(files.into_iter().map(|e| (e.path, e.rel)).collect())
}

/// The HiDPI icons (`NxN@2/DIR/FILE`) that are byte for byte the `2Nx2N/DIR/FILE`
/// icon, each with the relative link target that replaces it.
fn same_as_larger_size(files: &[(PathBuf, String)]) -> Result<Vec<(String, String)>> {
    let mut links = Vec::new();
    for (source, rel) in files {
        let Some((size, rest)) = rel.split_once('/') else {
            continue;
        };
        let Some(n) = size
            .strip_suffix("@2")
            .and_then(|s| s.split_once('x'))
            .filter(|(w, h)| w == h)
            .and_then(|(w, _)| w.parse::<u32>().ok())
        else {
            continue;
        };
        let double = format!("{0}x{0}/{rest}", n * 2);
        let Some((other, _)) = files.iter().find(|(_, r)| *r == double) else {
            continue;
        };
        let read = |p: &Path| std::fs::read(p).map_err(|e| Error::io("cannot read", p, e));
        if read(source)? == read(other)? {
            let up = "../".repeat(rel.matches('/').count());
            links.push((rel.clone(), format!("{up}{double}")));
        }
    }
    Ok(links)
}

/// Whether an entry is a licence file (`LICENSE*`, `LICENCE*`, `COPYING*`).
fn is_license_file(e: &Entry) -> bool {
    let name = e
        .dest
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    ["LICENSE", "LICENCE", "COPYING"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// The first license file among the entries, for `copyright` / `%license`.
fn license_text(entries: &[Entry]) -> Result<Option<String>> {
    entries
        .iter()
        .find(|e| is_license_file(e))
        .map(|e| {
            std::fs::read_to_string(&e.source)
                .map_err(|err| Error::io("cannot read", &e.source, err))
        })
        .transpose()
}

/// Every licence file among the entries whose text is a licence crateship
/// recognises, with its SPDX id (for the copyright file's paragraphs).
fn license_texts(entries: &[Entry]) -> Result<Vec<(String, String)>> {
    let mut texts = Vec::new();
    for e in entries.iter().filter(|e| is_license_file(e)) {
        let text = std::fs::read_to_string(&e.source)
            .map_err(|err| Error::io("cannot read", &e.source, err))?;
        if let Some(id) = crateship_linux::identify_license(&text) {
            texts.push((id.to_owned(), text));
        }
    }
    Ok(texts)
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
