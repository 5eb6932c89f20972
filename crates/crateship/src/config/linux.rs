//! `[package.metadata.crateship.linux]`, validated: desktop integration of the
//! Linux packages, the glibc ceiling and AppImage options.

use std::path::PathBuf;

use serde::Serialize;

use super::raw::RawLinux;
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
    /// AppImage update information.
    pub update_information: Option<String>,
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
    Ok(LinuxSettings {
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
    })
}

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
