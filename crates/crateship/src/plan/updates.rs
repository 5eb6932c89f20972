//! The update feeds a release carries, as the plan states them: where the
//! release's files and its feeds are served, the release notes, the keys, and
//! the names the feeds' files get.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{App, Inputs};
use crate::error::{Error, Result};

/// What the finalize step writes for the updaters.
#[derive(Debug, Clone, Serialize)]
pub struct UpdatesPlan {
    /// Where this release's files are served (`{version}` replaced).
    pub base_url: String,
    /// Where the feeds are served.
    pub feed_url: String,
    /// Release notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Environment variable with Sparkle's EdDSA key (`None`: no appcast).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sparkle_key_env: Option<String>,
    /// `.zsync` files for AppImages.
    pub zsync: bool,
    /// An existing appcast the new item is prepended to (`--previous-feed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_feed: Option<PathBuf>,
}

impl UpdatesPlan {
    /// The URL of a release file.
    pub fn file_url(&self, file_name: &str) -> String {
        format!("{}/{}", self.base_url, url_escape(file_name))
    }

    /// The URL of a feed file.
    pub fn feed_file_url(&self, file_name: &str) -> String {
        format!("{}/{}", self.feed_url, url_escape(file_name))
    }
}

/// The stable name of an architecture's AppImage `.zsync`, which the embedded
/// update information points at: `PRODUCT-latest-ARCH.AppImage.zsync`.
pub fn zsync_file_name(appimage_file_name: &str, version: &str) -> String {
    appimage_file_name.replacen(&format!("-{version}-"), "-latest-", 1) + ".zsync"
}

/// Percent-encodes what may not stand in a URL path segment.
fn url_escape(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The updates plan of `inputs`, if configured.
pub(super) fn plan(
    inputs: &Inputs,
    app: &App,
    previous_feed: Option<&Path>,
) -> Option<UpdatesPlan> {
    let settings = inputs.config.updates.as_ref()?;
    Some(UpdatesPlan {
        base_url: settings.base_url.replace("{version}", &app.version),
        feed_url: settings.feed_url.clone(),
        notes: inputs.release_notes.clone(),
        sparkle_key_env: settings.sparkle_key_env.clone(),
        zsync: settings.zsync,
        previous_feed: previous_feed.map(Path::to_path_buf),
    })
}

/// The release notes: the notes file, or the changelog's section for `version`.
pub(super) fn read_notes(
    notes_file: Option<&Path>,
    changelog: Option<&Path>,
    version: &str,
    config_file: &Path,
) -> Result<Option<String>> {
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| Error::io("cannot read", p, e));
    if let Some(file) = notes_file {
        return Ok(Some(read(file)?.trim().to_owned()));
    }
    let Some(file) = changelog else {
        return Ok(None);
    };
    let text = read(file)?;
    changelog_section(&text, version)
        .map(Some)
        .ok_or_else(|| Error::Config {
            file: config_file.to_path_buf(),
            key: "updates.changelog".into(),
            message: format!(
                "{} has no section for version {version} (a `## {version}` or `## [{version}]` \
                 heading); add the release's notes there",
                file.display()
            ),
        })
}

/// The text under the `##` heading naming `version`, up to the next `##`.
fn changelog_section(text: &str, version: &str) -> Option<String> {
    let names_version = |heading: &str| {
        heading
            .split(|c: char| c.is_whitespace() || "[]()".contains(c))
            .any(|w| w == version || w.strip_prefix('v') == Some(version))
    };
    let mut lines = text.lines();
    lines.find(|l| l.starts_with("## ") && names_version(l))?;
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
    Some(body.join("\n").trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_changelog_section_of_the_version_is_found() {
        let log =
            "# Changes\n\n## [1.1.0] - 2026-01-02\n\n- faster\n- safer\n\n## 1.0.0\n\n- first\n";
        assert_eq!(
            changelog_section(log, "1.1.0").as_deref(),
            Some("- faster\n- safer")
        );
        assert_eq!(changelog_section(log, "1.0.0").as_deref(), Some("- first"));
        assert_eq!(changelog_section(log, "1.0"), None);
    }

    #[test]
    fn zsync_names_are_stable_across_versions() {
        assert_eq!(
            zsync_file_name("Hello_Desktop-1.2.3-x86_64.AppImage", "1.2.3"),
            "Hello_Desktop-latest-x86_64.AppImage.zsync"
        );
    }
}
