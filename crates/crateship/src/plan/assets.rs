//! Assets with destinations of their own: each file an `assets` entry names,
//! with its kind (man page, completion, systemd unit, `/etc` file, other), its
//! place in the Linux packages, its mode and the formats that carry it.
//!
//! Kinds follow the conventions distributions use: man pages gzipped into
//! `usr/share/man/manN/`, completions in bash-completion's, zsh's and fish's
//! vendor directories, units in `usr/lib/systemd/system/`, `etc/` files as
//! conffiles.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::inputs::{AssetFile, Inputs};
use crate::config::Asset;
use crate::error::{Error, Result};
use crate::format::{Family, Format, LinuxKind};

/// What an asset is, which decides its conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetKind {
    /// A man page (gzipped in Linux packages).
    ManPage,
    /// A shell completion script.
    Completion,
    /// A systemd unit (enabled by the package scripts).
    SystemdUnit,
    /// A file under `etc/` (a conffile).
    Config,
    /// Anything else.
    Other,
}

/// One planned asset file.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedAsset {
    /// The config key it came from (`assets[0]`).
    pub key: String,
    /// The file on disk.
    pub source: PathBuf,
    /// Its kind.
    pub kind: AssetKind,
    /// Where it goes in a .deb and an AppImage, relative to `/`.
    pub dest: String,
    /// Where it goes in an .rpm (differs for zsh completions only).
    pub rpm_dest: String,
    /// Where it goes in the other formats, below their resource directory.
    pub resource_dest: String,
    /// Permission bits.
    pub mode: u32,
    /// Whether the Linux packages gzip it (a man page not yet compressed).
    pub gzip: bool,
    /// The formats that carry it.
    pub formats: Vec<Format>,
    /// Whether a `before-package` hook must write it (absent when planning).
    pub pending: bool,
}

impl PlannedAsset {
    /// Its destination in an artifact of `format`, or `None` when `format`
    /// does not carry it. `resource_dir` is where that format puts resources.
    pub fn dest_in(&self, format: Format, resource_dir: &str) -> Option<String> {
        if !self.formats.contains(&format) {
            return None;
        }
        Some(match format.family() {
            Family::Linux(LinuxKind::Rpm) => self.rpm_dest.clone(),
            Family::Linux(LinuxKind::Deb) | Family::AppImage => self.dest.clone(),
            _ if resource_dir.is_empty() => self.resource_dest.clone(),
            _ => format!("{resource_dir}/{}", self.resource_dest),
        })
    }
}

/// Plans every asset file of `inputs` for the package `name`.
pub(super) fn plan(inputs: &Inputs, name: &str) -> Result<Vec<PlannedAsset>> {
    let package_dir = inputs.package_dir();
    let config = &inputs.config;
    let mut planned = Vec::new();
    for (index, asset) in config.assets.iter().enumerate() {
        let files: Vec<&AssetFile> = inputs
            .asset_files
            .iter()
            .filter(|f| f.asset == index)
            .collect();
        let is_file_dest = asset.dest.as_deref().is_some_and(|d| !d.ends_with('/'));
        if is_file_dest && files.len() > 1 {
            return Err(Error::Config {
                file: inputs.config_file.clone(),
                key: format!("{}.dest", asset.key),
                message: format!(
                    "`{}` matches {} files but `{}` names one file; end the destination with `/` to place them in a directory",
                    asset.source,
                    files.len(),
                    asset.dest.as_deref().unwrap_or_default()
                ),
            });
        }
        for file in files {
            planned.push(plan_one(asset, file, &package_dir, name));
        }
    }
    check_unique(&planned, &inputs.config_file)?;
    Ok(planned)
}

/// The plan of one file of `asset`.
fn plan_one(asset: &Asset, file: &AssetFile, package_dir: &Path, name: &str) -> PlannedAsset {
    let file_name = file.rel.rsplit('/').next().unwrap_or(&file.rel).to_owned();
    let defaulted = asset.dest.is_none();
    let mut dest = match asset.dest.as_deref() {
        Some(d) if d.ends_with('/') => format!("{d}{}", below_glob_base(&asset.source, &file.rel)),
        Some(d) => d.to_owned(),
        None => default_dest(&file_name, name),
    };
    // `usr/share/man/` alone: the section directory comes from the extension.
    if let Some(rest) = dest.strip_prefix("usr/share/man/")
        && !rest.contains('/')
        && let Some(section) = man_section(rest)
    {
        dest = format!("usr/share/man/man{section}/{rest}");
    }
    let kind = kind_of(&dest);
    let gzip = kind == AssetKind::ManPage && !dest.ends_with(".gz");
    if gzip {
        dest.push_str(".gz");
    }
    let rpm_dest = match dest.strip_prefix("usr/share/zsh/vendor-completions/") {
        Some(rest) if defaulted => format!("usr/share/zsh/site-functions/{rest}"),
        _ => dest.clone(),
    };
    let shared = format!("usr/share/{name}/");
    let resource_dest = match dest.strip_prefix(&shared) {
        Some(rest) => rest.to_owned(),
        None => file_name.clone(),
    };
    let mode = asset.mode.unwrap_or(if dest.starts_with("usr/bin/") {
        0o755
    } else {
        0o644
    });
    let formats = asset.formats.clone().unwrap_or_else(|| {
        crate::format::ALL_FORMATS
            .iter()
            .copied()
            .filter(|f| match kind {
                AssetKind::SystemdUnit | AssetKind::Config => {
                    matches!(f.family(), Family::Linux(_))
                }
                AssetKind::ManPage | AssetKind::Completion => {
                    matches!(f.family(), Family::Linux(_) | Family::Archive(_))
                }
                AssetKind::Other => true,
            })
            .collect()
    });
    PlannedAsset {
        key: asset.key.clone(),
        source: package_dir.join(&file.rel),
        kind,
        dest,
        rpm_dest,
        resource_dest,
        mode,
        gzip,
        formats,
        pending: file.pending,
    }
}

/// The part of `rel` below the literal directories `pattern` starts with: a
/// glob keeps the directories it matched (`data/**` places `data/a/b.txt` as
/// `a/b.txt`), a plain path keeps its file name.
fn below_glob_base<'a>(pattern: &str, rel: &'a str) -> &'a str {
    let literal: Vec<&str> = pattern
        .split('/')
        .take_while(|c| !c.contains(['*', '?', '[']))
        .collect();
    let base_len = if literal.len() == pattern.split('/').count() {
        literal.len().saturating_sub(1)
    } else {
        literal.len()
    };
    let mut rest = rel;
    for _ in 0..base_len {
        match rest.split_once('/') {
            Some((_, tail)) => rest = tail,
            None => break,
        }
    }
    rest
}

/// The man section of a file name such as `hello.1` or `hello.8.gz`.
fn man_section(file_name: &str) -> Option<char> {
    let stem = file_name.strip_suffix(".gz").unwrap_or(file_name);
    let (base, ext) = stem.rsplit_once('.')?;
    let section = ext.chars().next()?;
    (!base.is_empty() && ('1'..='9').contains(&section) && ext.len() <= 4).then_some(section)
}

/// Where a file goes when its asset names no destination.
fn default_dest(file_name: &str, name: &str) -> String {
    if let Some(section) = man_section(file_name) {
        return format!("usr/share/man/man{section}/{file_name}");
    }
    if let Some(stem) = file_name.strip_suffix(".bash") {
        return format!("usr/share/bash-completion/completions/{stem}");
    }
    if let Some(stem) = file_name.strip_suffix(".zsh") {
        return format!("usr/share/zsh/vendor-completions/_{stem}");
    }
    if file_name.starts_with('_') && !file_name.contains('.') {
        return format!("usr/share/zsh/vendor-completions/{file_name}");
    }
    if file_name.ends_with(".fish") {
        return format!("usr/share/fish/vendor_completions.d/{file_name}");
    }
    const UNIT_SUFFIXES: &[&str] = &[".service", ".socket", ".timer", ".path", ".target"];
    if UNIT_SUFFIXES.iter().any(|s| file_name.ends_with(s)) {
        return format!("usr/lib/systemd/system/{file_name}");
    }
    format!("usr/share/{name}/{file_name}")
}

/// The kind of a file by where it is installed.
fn kind_of(dest: &str) -> AssetKind {
    if dest.starts_with("usr/share/man/") {
        AssetKind::ManPage
    } else if [
        "usr/share/bash-completion/",
        "usr/share/zsh/",
        "usr/share/fish/",
    ]
    .iter()
    .any(|p| dest.starts_with(p))
    {
        AssetKind::Completion
    } else if crateship_linux::systemd::UNIT_DIRS
        .iter()
        .any(|d| dest.strip_prefix(d).is_some_and(|r| r.starts_with('/')))
    {
        AssetKind::SystemdUnit
    } else if dest.starts_with("etc/") {
        AssetKind::Config
    } else {
        AssetKind::Other
    }
}

/// Two assets may not share a destination.
fn check_unique(planned: &[PlannedAsset], config_file: &Path) -> Result<()> {
    for (i, a) in planned.iter().enumerate() {
        let shared = |b: &&PlannedAsset| b.formats.iter().any(|f| a.formats.contains(f));
        if let Some(b) = planned[..i]
            .iter()
            .filter(shared)
            .find(|b| b.dest == a.dest || b.rpm_dest == a.rpm_dest)
        {
            return Err(Error::Config {
                file: config_file.to_path_buf(),
                key: a.key.clone(),
                message: format!(
                    "{} and {} ({}) both go to /{}; give one of them another `dest`",
                    a.source.display(),
                    b.source.display(),
                    b.key,
                    a.dest
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(source: &str, dest: Option<&str>) -> (Asset, AssetFile) {
        (
            Asset {
                key: "assets[0]".into(),
                source: source.into(),
                dest: dest.map(str::to_owned),
                mode: None,
                formats: None,
            },
            AssetFile {
                asset: 0,
                rel: source.into(),
                pending: false,
            },
        )
    }

    fn planned(source: &str, dest: Option<&str>) -> PlannedAsset {
        let (a, f) = asset(source, dest);
        plan_one(&a, &f, Path::new("/p"), "hello")
    }

    #[test]
    fn kinds_get_their_distribution_places() {
        let man = planned("doc/hello.1", None);
        assert_eq!(man.dest, "usr/share/man/man1/hello.1.gz");
        assert!(man.gzip);
        assert_eq!(man.kind, AssetKind::ManPage);
        assert_eq!(man.resource_dest, "hello.1");
        let man = planned("doc/hello.8", Some("usr/share/man/"));
        assert_eq!(man.dest, "usr/share/man/man8/hello.8.gz");
        assert_eq!(
            planned("c/hello.bash", None).dest,
            "usr/share/bash-completion/completions/hello"
        );
        let zsh = planned("c/_hello", None);
        assert_eq!(zsh.dest, "usr/share/zsh/vendor-completions/_hello");
        assert_eq!(zsh.rpm_dest, "usr/share/zsh/site-functions/_hello");
        assert_eq!(
            planned("c/hello.fish", None).dest,
            "usr/share/fish/vendor_completions.d/hello.fish"
        );
        let unit = planned("pkg/hello.service", None);
        assert_eq!(unit.dest, "usr/lib/systemd/system/hello.service");
        assert_eq!(unit.formats, vec![Format::Deb, Format::Rpm]);
        let conf = planned("pkg/hello.toml", Some("etc/hello/"));
        assert_eq!(conf.kind, AssetKind::Config);
        assert_eq!(conf.dest, "etc/hello/hello.toml");
        let data = planned("data/x.json", Some("usr/share/hello/data/"));
        assert_eq!(data.resource_dest, "data/x.json");
        assert_eq!(data.formats, crate::format::ALL_FORMATS.to_vec());
        assert_eq!(planned("bin/helper", Some("usr/bin/")).mode, 0o755);
    }

    #[test]
    fn globs_keep_the_directories_they_matched() {
        assert_eq!(below_glob_base("data/**", "data/a/b.txt"), "a/b.txt");
        assert_eq!(below_glob_base("data/*.txt", "data/b.txt"), "b.txt");
        assert_eq!(below_glob_base("a/**/*.1", "a/x/y.1"), "x/y.1");
        assert_eq!(below_glob_base("doc/hello.1", "doc/hello.1"), "hello.1");
        assert_eq!(below_glob_base("hello.1", "hello.1"), "hello.1");
    }

    #[test]
    fn other_formats_place_assets_where_resources_go() {
        let data = planned("data/x.json", Some("usr/share/hello/data/"));
        assert_eq!(
            data.dest_in(Format::Msi, "").as_deref(),
            Some("data/x.json")
        );
        assert_eq!(
            data.dest_in(Format::AppImage, "usr/share/hello").as_deref(),
            Some("usr/share/hello/data/x.json")
        );
        let unit = planned("pkg/hello.service", None);
        assert_eq!(unit.dest_in(Format::TarGz, ""), None);
    }

    #[test]
    fn two_assets_with_one_destination_are_refused() {
        let a = planned("a/hello.1", None);
        let b = planned("b/hello.1", None);
        let err = check_unique(&[a, b], Path::new("/p/Cargo.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("usr/share/man/man1/hello.1.gz"), "{err}");
    }
}
