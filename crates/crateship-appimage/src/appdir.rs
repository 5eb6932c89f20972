//! The AppDir layout: one sorted list of entries from which both the on-disk
//! AppDir ([`write_appdir`]) and the squashfs payload are produced, so the two
//! can never differ.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use crateship_linux::{FileSource, desktop_entry, metainfo_xml};

use crate::{AppImageError, AppImageInput, IconSize};

/// What one AppDir path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A directory (mode 0755).
    Dir,
    /// A regular file with these permission bits.
    File {
        /// Where the content comes from.
        source: FileSource,
        /// Permission bits (`0o755` or `0o644`).
        mode: u16,
    },
    /// A symbolic link to this relative target.
    Symlink(String),
}

/// One path of the AppDir, relative to its root (`usr/bin/hello`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDirEntry {
    /// Path relative to the AppDir root, `/`-separated, no leading `/`.
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
}

fn invalid(field: &'static str, value: &str, reason: &str) -> AppImageError {
    AppImageError::InvalidInput {
        field,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn check_rel(field: &'static str, path: &str) -> Result<(), AppImageError> {
    let ok = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            path,
            "must be a relative path inside the AppDir without `.`, `..` or empty components",
        ))
    }
}

/// The AppDir of `app`, sorted by path, parents before children:
///
/// * `AppRun` → symlink to `usr/bin/{binary_name}` (the runtime executes it
///   directly: no shell script, no interpreter needed);
/// * `{app_id}.desktop` → symlink to `usr/share/applications/{app_id}.desktop`;
/// * `{icon}.png` (or `.svg`) → symlink into the hicolor set; `.DirIcon` → `{icon}.png`;
/// * `usr/bin/{binary_name}`, `usr/share/icons/hicolor/…`,
///   `usr/share/metainfo/{app_id}.metainfo.xml`, and the extra files.
pub fn appdir_entries(app: &AppImageInput) -> Result<Vec<AppDirEntry>, AppImageError> {
    if app.binary_name.is_empty()
        || app.binary_name.contains('/')
        || app.binary_name.starts_with('.')
    {
        return Err(invalid(
            "binary_name",
            &app.binary_name,
            "must be a plain file name such as `hello`",
        ));
    }
    let mut desktop = app.desktop.clone();
    desktop.exec = app.binary_name.clone();
    let desktop_text = desktop_entry(&desktop)?;
    let metainfo_text = metainfo_xml(&desktop)?;

    let mut map: BTreeMap<String, EntryKind> = BTreeMap::new();
    let mut add = |path: String, kind: EntryKind| -> Result<(), AppImageError> {
        check_rel("file destination", &path)?;
        if map.insert(path.clone(), kind).is_some() {
            return Err(invalid(
                "file destination",
                &path,
                "is given twice; give each file its own destination",
            ));
        }
        Ok(())
    };

    let bin = format!("usr/bin/{}", app.binary_name);
    add(
        bin.clone(),
        EntryKind::File {
            source: FileSource::Path(app.binary.clone()),
            mode: 0o755,
        },
    )?;
    add("AppRun".into(), EntryKind::Symlink(bin))?;
    let desktop_dest = desktop.desktop_dest();
    add(
        desktop_dest.clone(),
        EntryKind::File {
            source: FileSource::Bytes(desktop_text.into_bytes()),
            mode: 0o644,
        },
    )?;
    add(
        desktop.desktop_file_name(),
        EntryKind::Symlink(desktop_dest),
    )?;
    add(
        desktop.metainfo_dest(),
        EntryKind::File {
            source: FileSource::Bytes(metainfo_text.into_bytes()),
            mode: 0o644,
        },
    )?;

    let mut top_icon: Option<(IconSize, String)> = None;
    for icon in &app.icons {
        let dest = match icon.size {
            IconSize::Png(0) => {
                return Err(invalid("icon size", "0", "must be a positive pixel size"));
            }
            IconSize::Png(px) => format!(
                "usr/share/icons/hicolor/{px}x{px}/apps/{}.png",
                desktop.icon
            ),
            IconSize::Scalable => {
                format!("usr/share/icons/hicolor/scalable/apps/{}.svg", desktop.icon)
            }
        };
        // Prefer the largest PNG, then the SVG (IconSize orders Png(n) < Scalable).
        let better = match (&top_icon, icon.size) {
            (None, _) => true,
            (Some((IconSize::Scalable, _)), IconSize::Png(_)) => true,
            (Some((IconSize::Png(_), _)), IconSize::Scalable) => false,
            (Some((old, _)), new) => new > *old,
        };
        if better {
            top_icon = Some((icon.size, dest.clone()));
        }
        add(
            dest,
            EntryKind::File {
                source: icon.source.clone(),
                mode: 0o644,
            },
        )?;
    }
    let Some((size, icon_dest)) = top_icon else {
        return Err(invalid(
            "icons",
            "[]",
            "an AppImage needs an icon; add at least one PNG (256 px recommended) or an SVG",
        ));
    };
    let ext = if size == IconSize::Scalable {
        "svg"
    } else {
        "png"
    };
    let top_name = format!("{}.{ext}", desktop.icon);
    add(top_name.clone(), EntryKind::Symlink(icon_dest))?;
    add(".DirIcon".into(), EntryKind::Symlink(top_name))?;

    for file in &app.files {
        add(
            file.dest.trim_start_matches('/').to_string(),
            EntryKind::File {
                source: file.source.clone(),
                mode: if file.mode & 0o111 != 0 { 0o755 } else { 0o644 },
            },
        )?;
    }

    // Symlinks inside the AppDir are relative to their own directory.
    let mut entries = Vec::new();
    let mut dirs = std::collections::BTreeSet::new();
    for (path, kind) in map {
        let mut parent = String::new();
        for component in path
            .split('/')
            .collect::<Vec<_>>()
            .iter()
            .rev()
            .skip(1)
            .rev()
        {
            if !parent.is_empty() {
                parent.push('/');
            }
            parent.push_str(component);
            dirs.insert(parent.clone());
        }
        let kind = match kind {
            EntryKind::Symlink(target) => EntryKind::Symlink(relative_to(&path, &target)),
            other => other,
        };
        entries.push(AppDirEntry { path, kind });
    }
    entries.extend(dirs.into_iter().map(|path| AppDirEntry {
        path,
        kind: EntryKind::Dir,
    }));
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// The target of a symlink at `link` (AppDir-relative) pointing at `target`
/// (AppDir-relative), as a path relative to the link's directory.
fn relative_to(link: &str, target: &str) -> String {
    let depth = link.matches('/').count();
    let mut out = "../".repeat(depth);
    out.push_str(target);
    out
}

/// Writes the AppDir of `app` into `dir` (created; must not exist yet or be
/// empty) with the same content, modes and symlinks as the AppImage payload.
pub fn write_appdir(app: &AppImageInput, dir: &Path) -> Result<(), AppImageError> {
    let entries = appdir_entries(app)?;
    let werr = |path: &Path, source| AppImageError::Write {
        what: path.display().to_string(),
        source,
    };
    fs::create_dir_all(dir).map_err(|e| werr(dir, e))?;
    for entry in &entries {
        let path = dir.join(&entry.path);
        match &entry.kind {
            EntryKind::Dir => fs::create_dir_all(&path).map_err(|e| werr(&path, e))?,
            EntryKind::Symlink(target) => symlink(target, &path).map_err(|e| werr(&path, e))?,
            EntryKind::File { source, mode } => {
                match source {
                    FileSource::Path(src) => {
                        fs::copy(src, &path).map_err(|e| AppImageError::ReadSource {
                            path: src.clone(),
                            dest: entry.path.clone(),
                            source: e,
                        })?;
                    }
                    FileSource::Bytes(bytes) => fs::File::create(&path)
                        .and_then(|mut f| f.write_all(bytes))
                        .map_err(|e| werr(&path, e))?,
                }
                fs::set_permissions(&path, fs::Permissions::from_mode(u32::from(*mode)))
                    .map_err(|e| werr(&path, e))?;
            }
        }
    }
    Ok(())
}
