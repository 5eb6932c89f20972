//! The static update manifest (`latest.json`) of the Tauri updater and of
//! `cargo-packager-updater`: the version, notes, publication date and, per platform,
//! the URL of the file that updater installs and its minisign signature.
//!
//! ```json
//! {
//!   "notes": "…",
//!   "platforms": {
//!     "linux-x86_64": { "format": "appimage", "signature": "<base64 of the .minisig text>", "url": "https://…" }
//!   },
//!   "pub_date": "2026-11-23T12:00:00Z",
//!   "version": "1.2.3"
//! }
//! ```
//!
//! Keys are sorted and the layout is serde_json's pretty form plus a final newline,
//! so equal inputs give equal bytes. Platform keys are `OS-ARCH` with OS `linux`,
//! `windows` or `darwin` (Tauri's names); a macOS entry is written a second time
//! under `macos-ARCH`, the name cargo-packager-updater looks up. Each entry also
//! carries `format` (`appimage`, `wix`, `app`), which cargo-packager-updater requires
//! and Tauri ignores.

use std::collections::BTreeMap;

use base64ct::{Base64, Encoding};
use serde::{Deserialize, Serialize};

use crate::FeedError;

/// An operating system and CPU the updaters have a platform key for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UpdaterPlatform {
    os: Os,
    arch: Arch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Os {
    Linux,
    Windows,
    Mac,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Arch {
    X86_64,
    Aarch64,
}

impl UpdaterPlatform {
    /// The platform of a Rust target's `target_os` (`linux`, `windows`, `macos`; the
    /// triple's `darwin` is accepted too) and `target_arch` (`x86_64`, `aarch64`);
    /// `None` for targets the updaters have no key for (the caller warns and skips).
    pub fn from_target(os: &str, arch: &str) -> Option<UpdaterPlatform> {
        let os = match os {
            "linux" => Os::Linux,
            "windows" => Os::Windows,
            "macos" | "darwin" => Os::Mac,
            _ => return None,
        };
        let arch = match arch {
            "x86_64" => Arch::X86_64,
            "aarch64" => Arch::Aarch64,
            _ => return None,
        };
        Some(UpdaterPlatform { os, arch })
    }

    /// The Tauri platform key, e.g. `linux-x86_64`, `darwin-aarch64`.
    pub fn key(&self) -> &'static str {
        self.keys()[0]
    }

    /// Every key this platform's entry is written under: the Tauri key, and for macOS
    /// also cargo-packager-updater's `macos-ARCH`.
    pub fn keys(&self) -> &'static [&'static str] {
        match (self.os, self.arch) {
            (Os::Linux, Arch::X86_64) => &["linux-x86_64"],
            (Os::Linux, Arch::Aarch64) => &["linux-aarch64"],
            (Os::Windows, Arch::X86_64) => &["windows-x86_64"],
            (Os::Windows, Arch::Aarch64) => &["windows-aarch64"],
            (Os::Mac, Arch::X86_64) => &["darwin-x86_64", "macos-x86_64"],
            (Os::Mac, Arch::Aarch64) => &["darwin-aarch64", "macos-aarch64"],
        }
    }

    /// The updater's name for the kind of file it installs here: `appimage` (Linux),
    /// `wix` (an MSI, Windows), `app` (a `.app.tar.gz`, macOS).
    pub fn format(&self) -> &'static str {
        match self.os {
            Os::Linux => "appimage",
            Os::Windows => "wix",
            Os::Mac => "app",
        }
    }
}

/// The Tauri platform key of a Rust target (see [`UpdaterPlatform::from_target`]),
/// or `None` when the updater has none for it.
pub fn platform_key(os: &str, arch: &str) -> Option<&'static str> {
    UpdaterPlatform::from_target(os, arch).map(|p| p.key())
}

/// One platform's update: where the file is and its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformUpdate {
    /// The platform.
    pub platform: UpdaterPlatform,
    /// Absolute `http(s)://` URL of the file the updater downloads.
    pub url: String,
    /// The whole text of the file's minisign signature (`.minisig`/`.sig`), as
    /// `minisign -S` writes it; it is base64-encoded into the manifest.
    pub minisign_signature: String,
}

/// A release as the updater manifest describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdaterRelease {
    /// The version (semver; the updater compares it with the running app's).
    pub version: String,
    /// Release notes, if any.
    pub notes: Option<String>,
    /// Publication time, seconds since 1970 (`SOURCE_DATE_EPOCH`), written as RFC 3339.
    pub pub_date: i64,
    /// One entry per platform, in any order.
    pub platforms: Vec<PlatformUpdate>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    platforms: BTreeMap<&'static str, Entry<'a>>,
    pub_date: String,
    version: &'a str,
}

#[derive(Serialize)]
struct Entry<'a> {
    format: &'static str,
    signature: String,
    url: &'a str,
}

/// The `latest.json` text of `release`.
pub fn latest_json(release: &UpdaterRelease) -> Result<String, FeedError> {
    check_version(&release.version)?;
    let mut platforms = BTreeMap::new();
    for update in &release.platforms {
        check_update(update)?;
        for &key in update.platform.keys() {
            let entry = Entry {
                format: update.platform.format(),
                signature: Base64::encode_string(update.minisign_signature.as_bytes()),
                url: &update.url,
            };
            if platforms.insert(key, entry).is_some() {
                return Err(FeedError::invalid(
                    "latest.json",
                    "platform",
                    key,
                    "it is given twice; pass one file per platform",
                ));
            }
        }
    }
    let manifest = Manifest {
        notes: release.notes.as_deref(),
        platforms,
        pub_date: crateship_support::date::rfc3339(release.pub_date),
        version: &release.version,
    };
    let mut text = serde_json::to_string_pretty(&manifest).map_err(|e| FeedError::Write {
        feed: "latest.json",
        name: release.version.clone(),
        source: e.into(),
    })?;
    text.push('\n');
    Ok(text)
}

/// What a published `latest.json` offers: its version and platform entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedFeed {
    /// The version it offers.
    pub version: String,
    /// One entry per platform.
    pub platforms: Vec<PlatformUpdate>,
}

/// The release a `latest.json` written by [`latest_json`] describes, read back, so a
/// later run into the same out dir (per-target CI jobs) can keep the platforms it
/// does not build. Each platform appears once (the `macos-ARCH` copy of a
/// `darwin-ARCH` entry is folded into it); keys no updater platform has are dropped.
pub fn read_latest_json(text: &str) -> Result<PublishedFeed, FeedError> {
    #[derive(Deserialize)]
    struct Read {
        version: String,
        platforms: BTreeMap<String, ReadEntry>,
    }
    #[derive(Deserialize)]
    struct ReadEntry {
        signature: String,
        url: String,
    }
    let not_ours = |what: &str| {
        FeedError::invalid(
            "latest.json",
            what,
            text.lines().next().unwrap_or_default(),
            "it is not a latest.json crateship wrote; remove it from the out dir",
        )
    };
    let read: Read = serde_json::from_str(text).map_err(|_| not_ours("document"))?;
    let mut platforms: Vec<PlatformUpdate> = Vec::new();
    for (key, entry) in read.platforms {
        let Some((os, arch)) = key.split_once('-') else {
            continue;
        };
        let Some(platform) = UpdaterPlatform::from_target(os, arch) else {
            continue;
        };
        if platforms.iter().any(|p| p.platform == platform) {
            continue;
        }
        let signature = Base64::decode_vec(&entry.signature)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| not_ours("signature"))?;
        platforms.push(PlatformUpdate {
            platform,
            url: entry.url,
            minisign_signature: signature,
        });
    }
    Ok(PublishedFeed {
        version: read.version,
        platforms,
    })
}

/// The public key as the updaters are configured with it (`pubkey` in Tauri's and
/// cargo-packager's config): the base64 of the whole minisign public-key file text.
pub fn updater_public_key(minisign_public_key: &str) -> Result<String, FeedError> {
    let mut lines = minisign_public_key.lines();
    let comment = lines.next().unwrap_or_default();
    let key = lines.next().unwrap_or_default();
    // A minisign public key is "Ed" + 8-byte key id + 32-byte key: 56 base64 characters.
    let decoded = Base64::decode_vec(key.trim()).unwrap_or_default();
    if !comment.starts_with("untrusted comment:")
        || decoded.len() != 42
        || !decoded.starts_with(b"Ed")
    {
        return Err(FeedError::invalid(
            "updater configuration",
            "minisign public key",
            comment,
            "it is not a minisign public key file; pass the text of the `.pub` file (`untrusted comment: …` and the key line)",
        ));
    }
    Ok(Base64::encode_string(minisign_public_key.as_bytes()))
}

fn check_version(version: &str) -> Result<(), FeedError> {
    let plain = version.strip_prefix('v').unwrap_or(version);
    let numeric = plain
        .split(['-', '+'])
        .next()
        .unwrap_or_default()
        .split('.')
        .collect::<Vec<_>>();
    let ok = numeric.len() == 3
        && numeric
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && !version.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(FeedError::invalid(
            "latest.json",
            "version",
            version,
            "the updaters compare semantic versions; use MAJOR.MINOR.PATCH (e.g. 1.2.3)",
        ))
    }
}

fn check_update(update: &PlatformUpdate) -> Result<(), FeedError> {
    let key = update.platform.key();
    if !(update.url.starts_with("https://") || update.url.starts_with("http://"))
        || update.url.contains(char::is_whitespace)
    {
        return Err(FeedError::invalid(
            "latest.json",
            format!("url of {key}"),
            &update.url,
            "the updater downloads from an absolute http(s):// URL; set the base URL the release is served from",
        ));
    }
    let lines: Vec<&str> = update.minisign_signature.lines().collect();
    let looks_right = lines.len() == 4
        && lines[0].starts_with("untrusted comment:")
        && lines[2].starts_with("trusted comment:");
    if !looks_right {
        return Err(FeedError::invalid(
            "latest.json",
            format!("signature of {key}"),
            lines.first().copied().unwrap_or_default(),
            "it is not the text of a minisign signature (4 lines: untrusted comment, signature, trusted comment, global signature); pass the .minisig text of that file",
        ));
    }
    Ok(())
}
