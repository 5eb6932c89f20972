//! `[package.metadata.crateship.updates]`, validated: where the release and its
//! feeds are served, the release notes, and the keys the feeds are signed with
//! (minisign for the Tauri feed, from `signing`; Sparkle's EdDSA key here).

use std::path::PathBuf;

use serde::Serialize;

use super::raw::{RawSigning, RawUpdates};
use super::rules::Ctx;
use super::signing::check_var_name;
use crate::error::Result;

/// Validated update-feed settings; paths are absolute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdatesSettings {
    /// Where the release's files are served, `{version}` not yet replaced.
    pub base_url: String,
    /// Where the feeds are served (a stable address).
    pub feed_url: String,
    /// Release notes file.
    pub notes_file: Option<PathBuf>,
    /// Changelog whose section for this version is the release notes.
    pub changelog: Option<PathBuf>,
    /// Environment variable with Sparkle's EdDSA private key.
    pub sparkle_key_env: Option<String>,
    /// `.zsync` files for AppImages.
    pub zsync: bool,
}

/// `url` without a trailing `/`, if it is an http(s) URL.
pub(super) fn check_url(url: &str, key: &str, ctx: Ctx<'_>) -> Result<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !url.contains(char::is_whitespace) => {
            Ok(url.trim_end_matches('/').to_owned())
        }
        _ => Err(ctx.err(
            key,
            format!("`{url}` is not an http(s) URL; write it like \"https://example.org/releases/{{version}}\""),
        )),
    }
}

pub(super) fn validate(
    raw: RawUpdates,
    signing: Option<&RawSigning>,
    ctx: Ctx<'_>,
) -> Result<UpdatesSettings> {
    let base_url = check_url(&raw.base_url, "updates.base-url", ctx)?;
    let feed_url = match raw.feed_url {
        Some(url) => {
            let url = check_url(&url, "updates.feed-url", ctx)?;
            if url.contains("{version}") {
                return Err(ctx.err(
                    "updates.feed-url",
                    "the feeds need one stable address that every installed version polls; remove `{version}`",
                ));
            }
            url
        }
        None if base_url.contains("{version}") => {
            return Err(ctx.err(
                "updates.feed-url",
                "`base-url` changes with the version, but apps poll one stable address for their \
                 feeds; set `feed-url` (e.g. \"https://example.org/releases/latest\")",
            ));
        }
        None => base_url.clone(),
    };
    if raw.notes_file.is_some() && raw.changelog.is_some() {
        return Err(ctx.err(
            "updates.notes-file",
            "give either `notes-file` or `changelog`, not both",
        ));
    }
    if signing.and_then(|s| s.minisign_key_env.as_ref()).is_none() {
        return Err(ctx.err(
            "updates",
            "update feeds are signed with a minisign key: set `signing.minisign-key-env` to the \
             environment variable holding it (`minisign -G` makes one)",
        ));
    }
    Ok(UpdatesSettings {
        base_url,
        feed_url,
        notes_file: ctx.opt_path("updates.notes-file", raw.notes_file.as_deref())?,
        changelog: ctx.opt_path("updates.changelog", raw.changelog.as_deref())?,
        sparkle_key_env: raw
            .sparkle_key_env
            .map(|v| check_var_name("updates.sparkle-key-env", v, ctx))
            .transpose()?,
        zsync: raw.zsync.unwrap_or(true),
    })
}
