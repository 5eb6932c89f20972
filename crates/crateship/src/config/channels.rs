//! `[package.metadata.crateship.channels]`, validated: which package-manager
//! channels a release gets, where its files are downloaded from and where its
//! repositories are served. The repositories are signed with `signing.pgp-key-env`.

use serde::Serialize;

use super::raw::{RawAptChannel, RawChannels, RawRpmChannel, RawSigning, RawUpdates};
use super::rules::Ctx;
use super::updates::check_url;
use crate::error::Result;

/// Validated channel settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelsSettings {
    /// Where the release's files are downloaded from, `{version}` not yet replaced.
    pub base_url: String,
    /// The apt repository, if selected.
    pub apt: Option<AptChannel>,
    /// The dnf/yum repository, if selected.
    pub rpm: Option<RpmChannel>,
    /// The AUR `-bin` package.
    pub aur: bool,
    /// winget manifests.
    pub winget: bool,
    /// winget's package identifier, when not the default.
    pub winget_identifier: Option<String>,
    /// The Scoop manifest.
    pub scoop: bool,
    /// Scoop's `checkver` page, when not the default.
    pub scoop_checkver_url: Option<String>,
    /// Homebrew formula and cask.
    pub homebrew: bool,
    /// The verifying `install.sh`.
    pub install_sh: bool,
}

/// The apt repository's settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AptChannel {
    /// Where users reach the repository.
    pub url: String,
    /// The suite.
    pub suite: String,
    /// The component.
    pub component: String,
    /// `Origin`, when not the package name.
    pub origin: Option<String>,
    /// `Label`, when not the package name.
    pub label: Option<String>,
}

/// The dnf/yum repository's settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RpmChannel {
    /// Where users reach the repository.
    pub url: String,
    /// The `name=` of the `.repo` file, when not the product name.
    pub title: Option<String>,
}

pub(super) fn validate(
    raw: RawChannels,
    updates: Option<&RawUpdates>,
    signing: Option<&RawSigning>,
    ctx: Ctx<'_>,
) -> Result<ChannelsSettings> {
    let base_url = match (&raw.base_url, updates) {
        (Some(url), _) => check_url(url, "channels.base-url", ctx)?,
        (None, Some(u)) => check_url(&u.base_url, "updates.base-url", ctx)?,
        (None, None) => {
            return Err(ctx.err(
                "channels.base-url",
                "channels point at the release's files: set `base-url` to where they will be \
                 served, e.g. \"https://github.com/OWNER/REPO/releases/download/v{version}\"",
            ));
        }
    };
    let has_pgp = signing.is_some_and(|s| s.pgp_key_env.is_some());
    let needs_pgp = |channel: &str| {
        ctx.err(
            &format!("channels.{channel}"),
            format!(
                "the {channel} repository is signed with an OpenPGP key: set \
                 `signing.pgp-key-env` to the environment variable holding it"
            ),
        )
    };
    let repo_url = |channel: &str, url: Option<String>| -> Result<String> {
        let key = format!("channels.{channel}.url");
        match url {
            Some(url) => {
                let url = check_url(&url, &key, ctx)?;
                if url.contains("{version}") {
                    return Err(ctx.err(
                        &key,
                        "a repository has one stable address that every installed version \
                         polls; remove `{version}`",
                    ));
                }
                Ok(url)
            }
            None if base_url.contains("{version}") => Err(ctx.err(
                &key,
                format!(
                    "`base-url` changes with the version, but users add one stable repository \
                     address; set `url` (e.g. \"https://example.org/{channel}\")"
                ),
            )),
            None => Ok(format!("{base_url}/channels/{channel}")),
        }
    };
    let apt = raw
        .apt
        .map(|a: RawAptChannel| -> Result<AptChannel> {
            if !has_pgp {
                return Err(needs_pgp("apt"));
            }
            let word = |key: &str, value: Option<String>, default: &str| -> Result<String> {
                let value = value.unwrap_or_else(|| default.to_owned());
                let ok = !value.is_empty()
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
                if ok {
                    Ok(value)
                } else {
                    Err(ctx.err(
                        key,
                        format!(
                            "`{value}` is not a plain word; use letters, digits, `-`, `_` and `.`"
                        ),
                    ))
                }
            };
            Ok(AptChannel {
                url: repo_url("apt", a.url)?,
                suite: word("channels.apt.suite", a.suite, "stable")?,
                component: word("channels.apt.component", a.component, "main")?,
                origin: a.origin,
                label: a.label,
            })
        })
        .transpose()?;
    let rpm = raw
        .rpm
        .map(|r: RawRpmChannel| -> Result<RpmChannel> {
            if !has_pgp {
                return Err(needs_pgp("rpm"));
            }
            Ok(RpmChannel {
                url: repo_url("rpm", r.url)?,
                title: r.title,
            })
        })
        .transpose()?;
    let scoop_checkver_url = raw
        .scoop_checkver_url
        .map(|u| check_url(&u, "channels.scoop-checkver-url", ctx))
        .transpose()?;
    let settings = ChannelsSettings {
        base_url,
        apt,
        rpm,
        aur: raw.aur.unwrap_or(false),
        winget: raw.winget.unwrap_or(false),
        winget_identifier: raw.winget_identifier,
        scoop: raw.scoop.unwrap_or(false),
        scoop_checkver_url,
        homebrew: raw.homebrew.unwrap_or(false),
        install_sh: raw.install_sh.unwrap_or(false),
    };
    if settings.names().is_empty() {
        return Err(ctx.err(
            "channels",
            "no channel is selected; add e.g. `apt = {}`, `aur = true` or `install-sh = true`",
        ));
    }
    Ok(settings)
}

impl ChannelsSettings {
    /// The selected channels' directory names under `channels/`, in writing order.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        let pick = [
            (self.apt.is_some(), "apt"),
            (self.rpm.is_some(), "rpm"),
            (self.aur, "aur"),
            (self.winget, "winget"),
            (self.scoop, "scoop"),
            (self.homebrew, "homebrew"),
            (self.install_sh, "install-sh"),
        ];
        for (on, name) in pick {
            if on {
                names.push(name);
            }
        }
        names
    }
}
