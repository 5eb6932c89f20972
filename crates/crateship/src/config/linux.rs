//! `[package.metadata.crateship.linux]`, validated: desktop integration of the
//! Linux packages, the glibc ceiling and AppImage options.

use std::path::PathBuf;

use serde::Serialize;

use super::raw::{RawDeb, RawLinux, RawRpm, RawScript, RawScripts};
use super::rules::Ctx;
use crate::error::Result;

/// Validated Linux settings; template paths are absolute.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LinuxSettings {
    /// freedesktop.org menu categories (empty: the planner's default).
    pub categories: Vec<String>,
    /// Desktop entry / metainfo keywords (`None`: the package's keywords).
    pub keywords: Option<Vec<String>>,
    /// MIME types the app opens.
    pub mime_types: Vec<String>,
    /// User `.desktop` template.
    pub desktop_template: Option<PathBuf>,
    /// User AppStream metainfo template.
    pub metainfo_template: Option<PathBuf>,
    /// Bundle non-base shared libraries into AppImages.
    pub bundle_libraries: bool,
    /// glibc ceiling.
    pub max_glibc: Option<GlibcVersion>,
    /// The glibc gnu binaries are linked against (`linux.glibc`).
    pub glibc: Option<GlibcVersion>,
    /// AppImage update information.
    pub update_information: Option<String>,
    /// `linux.deb`: Debian fields and relationships.
    pub deb: DebSettings,
    /// `linux.rpm`: rpm relationships.
    pub rpm: RpmSettings,
    /// `linux.scripts`: maintainer script files (absolute).
    pub scripts: ScriptFiles,
}

/// Validated `linux.deb`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DebSettings {
    /// Extra `Depends`.
    pub depends: Vec<String>,
    /// `Recommends`.
    pub recommends: Vec<String>,
    /// `Suggests`.
    pub suggests: Vec<String>,
    /// `Conflicts`.
    pub conflicts: Vec<String>,
    /// `Provides`.
    pub provides: Vec<String>,
    /// `Replaces`.
    pub replaces: Vec<String>,
    /// `Section` (`None`: `utils`).
    pub section: Option<String>,
    /// `Priority` (`None`: `optional`).
    pub priority: Option<String>,
    /// The long description (`None`: from the README).
    pub extended_description: Option<String>,
    /// Lintian overrides shipped in the package.
    pub lintian_overrides: Vec<String>,
}

/// Validated `linux.rpm`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RpmSettings {
    /// Extra `Requires`.
    pub requires: Vec<String>,
    /// `Recommends`.
    pub recommends: Vec<String>,
    /// `Suggests`.
    pub suggests: Vec<String>,
    /// `Obsoletes`.
    pub obsoletes: Vec<String>,
    /// `Provides`.
    pub provides: Vec<String>,
    /// `Conflicts`.
    pub conflicts: Vec<String>,
}

/// Validated `linux.scripts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScriptFiles {
    /// deb `preinst`, rpm `%pre`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_install: Option<ScriptSource>,
    /// deb `postinst`, rpm `%post`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_install: Option<ScriptSource>,
    /// deb `prerm`, rpm `%preun`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_remove: Option<ScriptSource>,
    /// deb `postrm`, rpm `%postun`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_remove: Option<ScriptSource>,
}

/// Where a maintainer script comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScriptSource {
    /// A file (absolute path), read when planning.
    File(PathBuf),
    /// The script's text.
    Inline(String),
}

/// One relationship list, each entry one package on one line.
fn relations(key: &str, list: Option<Vec<String>>, ctx: Ctx<'_>) -> Result<Vec<String>> {
    let list = list.unwrap_or_default();
    for entry in &list {
        if entry.trim().is_empty() || entry.contains(['\n', ',']) {
            return Err(ctx.err(
                key,
                format!(
                    "`{}` must name one package (alternatives with `|` in deb); list each package as its own entry",
                    entry.escape_debug()
                ),
            ));
        }
    }
    Ok(list)
}

fn validate_deb(raw: RawDeb, ctx: Ctx<'_>) -> Result<DebSettings> {
    let one_line = |key: &str, v: Option<String>| -> Result<Option<String>> {
        match v {
            Some(v) if v.trim().is_empty() || v.contains(char::is_whitespace) => Err(ctx.err(
                key,
                format!("`{}` must be one word, e.g. \"utils\"", v.escape_debug()),
            )),
            v => Ok(v),
        }
    };
    Ok(DebSettings {
        depends: relations("linux.deb.depends", raw.depends, ctx)?,
        recommends: relations("linux.deb.recommends", raw.recommends, ctx)?,
        suggests: relations("linux.deb.suggests", raw.suggests, ctx)?,
        conflicts: relations("linux.deb.conflicts", raw.conflicts, ctx)?,
        provides: relations("linux.deb.provides", raw.provides, ctx)?,
        replaces: relations("linux.deb.replaces", raw.replaces, ctx)?,
        section: one_line("linux.deb.section", raw.section)?,
        priority: one_line("linux.deb.priority", raw.priority)?,
        extended_description: raw.extended_description,
        lintian_overrides: relations("linux.deb.lintian-overrides", raw.lintian_overrides, ctx)?,
    })
}

fn validate_rpm(raw: RawRpm, ctx: Ctx<'_>) -> Result<RpmSettings> {
    Ok(RpmSettings {
        requires: relations("linux.rpm.requires", raw.requires, ctx)?,
        recommends: relations("linux.rpm.recommends", raw.recommends, ctx)?,
        suggests: relations("linux.rpm.suggests", raw.suggests, ctx)?,
        obsoletes: relations("linux.rpm.obsoletes", raw.obsoletes, ctx)?,
        provides: relations("linux.rpm.provides", raw.provides, ctx)?,
        conflicts: relations("linux.rpm.conflicts", raw.conflicts, ctx)?,
    })
}

fn validate_scripts(raw: RawScripts, ctx: Ctx<'_>) -> Result<ScriptFiles> {
    let one = |key: &str, script: Option<RawScript>| -> Result<Option<ScriptSource>> {
        Ok(match script {
            None => None,
            Some(RawScript::File(path)) => Some(ScriptSource::File(ctx.path(key, &path)?)),
            Some(RawScript::Inline { inline }) => Some(ScriptSource::Inline(inline)),
        })
    };
    Ok(ScriptFiles {
        pre_install: one("linux.scripts.pre-install", raw.pre_install)?,
        post_install: one("linux.scripts.post-install", raw.post_install)?,
        pre_remove: one("linux.scripts.pre-remove", raw.pre_remove)?,
        post_remove: one("linux.scripts.post-remove", raw.post_remove)?,
    })
}

pub(super) fn validate(raw: RawLinux, ctx: Ctx<'_>) -> Result<LinuxSettings> {
    for mime in raw.mime_types.iter().flatten() {
        let ok = mime.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && !mime.contains([' ', ';', ','])
        });
        if !ok {
            return Err(ctx.err(
                "linux.mime-types",
                format!("`{mime}` is not a MIME type; write it like \"text/markdown\""),
            ));
        }
    }
    let max_glibc = raw
        .max_glibc
        .map(|v| {
            v.parse::<GlibcVersion>()
                .map_err(|m| ctx.err("linux.max-glibc", format!("{m}, e.g. \"2.31\"")))
        })
        .transpose()?;
    let glibc = raw
        .glibc
        .map(|v| {
            let parsed = v
                .parse::<GlibcVersion>()
                .map_err(|m| ctx.err("linux.glibc", format!("{m}, e.g. \"2.17\"")))?;
            if !(GLIBC_OLDEST..=GLIBC_NEWEST).contains(&parsed) {
                return Err(ctx.err(
                    "linux.glibc",
                    format!(
                        "glibc {parsed} cannot be linked against: Rust's standard library needs \
                         {GLIBC_OLDEST} or later and zig provides up to {GLIBC_NEWEST}; choose a \
                         version in that range, e.g. \"2.17\" (or \"2.28\" for RHEL 8)"
                    ),
                ));
            }
            if let Some(max) = max_glibc
                && parsed > max
            {
                return Err(ctx.err(
                    "linux.glibc",
                    format!("{parsed} is above linux.max-glibc = \"{max}\"; lower one or raise the other"),
                ));
            }
            Ok(parsed)
        })
        .transpose()?;
    Ok(LinuxSettings {
        glibc,
        categories: raw.categories.unwrap_or_default(),
        keywords: raw.keywords,
        mime_types: raw.mime_types.unwrap_or_default(),
        desktop_template: ctx
            .opt_path("linux.desktop-template", raw.desktop_template.as_deref())?,
        metainfo_template: ctx
            .opt_path("linux.metainfo-template", raw.metainfo_template.as_deref())?,
        bundle_libraries: raw.bundle_libraries.unwrap_or(false),
        max_glibc,
        update_information: raw.update_information,
        deb: validate_deb(raw.deb.unwrap_or_default(), ctx)?,
        rpm: validate_rpm(raw.rpm.unwrap_or_default(), ctx)?,
        scripts: validate_scripts(raw.scripts.unwrap_or_default(), ctx)?,
    })
}

/// The oldest glibc `linux.glibc` accepts: what Rust's standard library needs.
const GLIBC_OLDEST: GlibcVersion = GlibcVersion {
    major: 2,
    minor: 17,
};
/// The newest glibc `linux.glibc` accepts: what cargo-zigbuild's zig ships.
const GLIBC_NEWEST: GlibcVersion = GlibcVersion {
    major: 2,
    minor: 41,
};

/// A glibc version such as 2.17, ordered numerically; serialised as `"2.17"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GlibcVersion {
    /// Major version (2 for every glibc in use).
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl std::fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Serialize for GlibcVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for GlibcVersion {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("`{s}` is not a glibc version MAJOR.MINOR");
        let parts: Vec<u32> = s
            .split('.')
            .map(|p| p.parse::<u32>().map_err(|_| bad()))
            .collect::<std::result::Result<_, _>>()?;
        match parts.as_slice() {
            [major, minor] | [major, minor, _] => Ok(GlibcVersion {
                major: *major,
                minor: *minor,
            }),
            _ => Err(bad()),
        }
    }
}
