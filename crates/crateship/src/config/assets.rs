//! `assets` and `before-package`, validated: files placed at destinations of
//! their own (man pages, completions, systemd units, `/etc` files), and the
//! commands that produce such files before anything is packaged.

use serde::Serialize;

use super::raw::RawAsset;
use super::rules::{self, Ctx};
use crate::error::Result;
use crate::format::Format;

/// One validated asset: a file (or glob) of the project and where it goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Asset {
    /// The config key it came from (`assets[2]`), named in errors.
    pub key: String,
    /// Source path or glob, relative to the package directory.
    pub source: String,
    /// Destination inside Linux packages, relative to `/`, `None` for the
    /// kind's default; ends in `/` for "into this directory".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dest: Option<String>,
    /// Permission bits; `None`: 0755 for files under `usr/bin`, 0644 otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    /// The formats that carry it; `None`: the kind's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formats: Option<Vec<Format>>,
}

/// Validates the `assets` list.
pub(super) fn validate(raw: Vec<RawAsset>, ctx: Ctx<'_>) -> Result<Vec<Asset>> {
    raw.into_iter()
        .enumerate()
        .map(|(i, a)| {
            let key = format!("assets[{i}]");
            rules::check_relative(&a.source).map_err(|m| ctx.err(&format!("{key}.source"), m))?;
            let dest = a
                .dest
                .map(|d| check_dest(&d).map_err(|m| ctx.err(&format!("{key}.dest"), m)))
                .transpose()?;
            let mode = a
                .mode
                .map(|m| parse_mode(&m).map_err(|msg| ctx.err(&format!("{key}.mode"), msg)))
                .transpose()?;
            let formats = a
                .formats
                .map(|fs| {
                    fs.iter()
                        .map(|f| {
                            f.parse::<Format>()
                                .map_err(|e| ctx.err(&format!("{key}.formats"), e.to_string()))
                        })
                        .collect::<Result<Vec<_>>>()
                })
                .transpose()?;
            Ok(Asset {
                key,
                source: a.source,
                dest,
                mode,
                formats,
            })
        })
        .collect()
}

/// A project's own `.desktop` file or AppStream metainfo among the assets
/// replaces the generated one: it becomes `linux.desktop-template` /
/// `linux.metainfo-template` (checked by `crateship plan` like any template,
/// installed under the identifier's name) instead of a second file. Only a
/// literal source qualifies, going to the standard directory (or no `dest`).
pub(super) fn take_desktop_files(
    assets: &mut Vec<Asset>,
    linux: &mut super::LinuxSettings,
    ctx: Ctx<'_>,
) -> Result<()> {
    let mut kept = Vec::new();
    for asset in assets.drain(..) {
        let name = asset.source.rsplit('/').next().unwrap_or(&asset.source);
        let into = |dir: &str| asset.dest.as_deref().is_none_or(|d| d.starts_with(dir));
        let literal = !asset.source.contains(['*', '?', '[']);
        let slot = if literal && name.ends_with(".desktop") && into("usr/share/applications/") {
            Some(("linux.desktop-template", &mut linux.desktop_template))
        } else if literal
            && (name.ends_with(".metainfo.xml") || name.ends_with(".appdata.xml"))
            && into("usr/share/metainfo/")
        {
            Some(("linux.metainfo-template", &mut linux.metainfo_template))
        } else {
            None
        };
        match slot {
            Some((key, slot)) => {
                if slot.is_some() {
                    return Err(ctx.err(
                        &asset.key,
                        format!(
                            "`{}` would replace the generated file, but `{key}` already does; keep one of them",
                            asset.source
                        ),
                    ));
                }
                *slot = Some(ctx.path(&format!("{}.source", asset.key), &asset.source)?);
            }
            None => kept.push(asset),
        }
    }
    *assets = kept;
    Ok(())
}

/// Validates `before-package`: each hook a non-empty argv list.
pub(super) fn validate_hooks(raw: Vec<Vec<String>>, ctx: Ctx<'_>) -> Result<Vec<Vec<String>>> {
    for (i, argv) in raw.iter().enumerate() {
        if argv.first().is_none_or(|p| p.trim().is_empty()) {
            return Err(ctx.err(
                &format!("before-package[{i}]"),
                "is empty; write the command as an argv list, e.g. [\"cargo\", \"run\", \"--\", \"--generate\", \"man\"]",
            ));
        }
    }
    Ok(raw)
}

/// A package destination: `/usr/share/man/man1/` and `usr/share/man/man1/` are
/// the same; `..`, empty and control characters are refused.
fn check_dest(dest: &str) -> std::result::Result<String, String> {
    let rel = dest.trim_start_matches('/');
    let bad = rel.is_empty()
        || rel.split('/').any(|c| c == ".." || c == ".")
        || rel.contains("//")
        || rel.contains('\\')
        || rel.chars().any(char::is_control);
    if bad {
        return Err(format!(
            "`{}` is not a destination inside the package; write a path such as \
             \"usr/share/man/man1/\" (a directory, ending in `/`) or \"etc/hello.conf\" \
             (a file), without `..`",
            dest.escape_debug()
        ));
    }
    Ok(rel.to_owned())
}

/// An octal mode such as `"644"`, `"0755"`; permission bits only.
fn parse_mode(mode: &str) -> std::result::Result<u32, String> {
    u32::from_str_radix(mode.trim_start_matches("0o"), 8)
        .ok()
        .filter(|m| *m <= 0o777 && !mode.is_empty())
        .ok_or_else(|| {
            format!("`{mode}` is not a file mode; write octal permission bits such as \"644\" or \"755\"")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_package_paths_that_stay_inside_the_package() {
        assert_eq!(
            check_dest("/usr/share/man/man1/").unwrap(),
            "usr/share/man/man1/"
        );
        assert_eq!(check_dest("etc/hello.conf").unwrap(), "etc/hello.conf");
        for bad in ["../etc/x", "usr/../../x", "/", "", "usr//x", "a\nb"] {
            assert!(check_dest(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn modes_are_octal_permission_bits() {
        assert_eq!(parse_mode("644"), Ok(0o644));
        assert_eq!(parse_mode("0755"), Ok(0o755));
        for bad in ["", "rw-r--r--", "4755", "999"] {
            assert!(parse_mode(bad).is_err(), "{bad:?}");
        }
    }
}
