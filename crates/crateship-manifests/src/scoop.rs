//! The Scoop channel: an app manifest (`<name>.json`) for a bucket, installing the
//! Windows zip.
//!
//! Per architecture (`64bit`, `arm64`, `32bit`) it names the zip's URL, SHA-256 and
//! `extract_dir`; `bin` lists the programs and `shortcuts` puts the main one in the
//! Start menu. `checkver` finds newer versions (the GitHub releases of a
//! `github.com` base-url, else a page whose text holds the zip's name), and
//! `autoupdate` is this release's URLs with the version replaced by `$version`,
//! hashes read from the new release's `SHA256SUMS`.

use serde::Serialize;

use crate::release::lower_hex;
use crate::spdx::License;
use crate::{Arch, ArtifactFormat, ChannelFile, ManifestError, Os, Release, ReleaseArtifact};

const CHANNEL: &str = "scoop";

#[derive(Serialize)]
struct Manifest {
    version: String,
    description: String,
    homepage: String,
    license: String,
    architecture: Architectures<Install>,
    bin: Vec<String>,
    shortcuts: Vec<[String; 2]>,
    checkver: Checkver,
    autoupdate: Autoupdate,
}

#[derive(Serialize)]
struct Architectures<T> {
    #[serde(rename = "64bit", skip_serializing_if = "Option::is_none")]
    x64: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arm64: Option<T>,
    #[serde(rename = "32bit", skip_serializing_if = "Option::is_none")]
    x86: Option<T>,
}

#[derive(Serialize)]
struct Install {
    url: String,
    hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    extract_dir: Option<String>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Checkver {
    Github { github: String },
    Page { url: String, regex: String },
}

#[derive(Serialize)]
struct Autoupdate {
    architecture: Architectures<UpdateInstall>,
}

#[derive(Serialize)]
struct UpdateInstall {
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    extract_dir: Option<String>,
    hash: HashFrom,
}

#[derive(Serialize)]
struct HashFrom {
    url: String,
}

/// The Scoop manifest of `release`'s Windows zips.
pub fn scoop(release: &Release) -> Result<Vec<ChannelFile>, ManifestError> {
    release.check_common(CHANNEL)?;
    let license = License::parse(&release.license)?.scoop();
    let zip = |arch| release.find(CHANNEL, Os::Windows, arch, None, &ArtifactFormat::Zip);
    let zips = Architectures {
        x64: zip(Arch::X86_64)?,
        arm64: zip(Arch::Aarch64)?,
        x86: zip(Arch::X86)?,
    };
    let Some(first) = zips.x64.or(zips.arm64).or(zips.x86) else {
        return Err(ManifestError::MissingArtifact {
            channel: CHANNEL,
            needs: "a Windows zip".into(),
            fix: "add `zip` to `formats` and a `*-pc-windows-*` target, or remove `scoop` from the channels".into(),
        });
    };
    let install = |a: Option<&ReleaseArtifact>| -> Result<Option<Install>, ManifestError> {
        a.map(|a| {
            Ok(Install {
                url: release.url(a)?,
                hash: lower_hex(&a.sha256),
                extract_dir: non_empty(&a.root_dir),
            })
        })
        .transpose()
    };
    let update = |a: Option<&ReleaseArtifact>| -> Result<Option<UpdateInstall>, ManifestError> {
        a.map(|a| {
            Ok(UpdateInstall {
                url: templated(release, &release.url(a)?),
                extract_dir: non_empty(&a.root_dir).map(|d| templated(release, &d)),
                hash: HashFrom {
                    url: "$baseurl/SHA256SUMS".into(),
                },
            })
        })
        .transpose()
    };
    let main = format!("{}.exe", release.main_binary());
    let manifest = Manifest {
        version: release.version.clone(),
        description: release.summary.clone(),
        homepage: release.homepage.clone(),
        license,
        architecture: Architectures {
            x64: install(zips.x64)?,
            arm64: install(zips.arm64)?,
            x86: install(zips.x86)?,
        },
        bin: release
            .binaries
            .iter()
            .map(|b| format!("{b}.exe"))
            .collect(),
        shortcuts: vec![[main, release.product_name.clone()]],
        checkver: checkver(release, first)?,
        autoupdate: Autoupdate {
            architecture: Architectures {
                x64: update(zips.x64)?,
                arm64: update(zips.arm64)?,
                x86: update(zips.x86)?,
            },
        },
    };
    let mut json = serde_json::to_string_pretty(&manifest).map_err(|e| {
        ManifestError::invalid(Some(CHANNEL), "manifest", &release.name, e.to_string())
    })?;
    json.push('\n');
    Ok(vec![ChannelFile::text(
        format!("{}.json", release.name.to_ascii_lowercase()),
        json,
    )])
}

fn non_empty(dir: &str) -> Option<String> {
    (!dir.is_empty()).then(|| dir.to_owned())
}

/// `text` with this release's version replaced by Scoop's `$version`.
fn templated(release: &Release, text: &str) -> String {
    text.replace(&release.version, "$version")
}

/// GitHub releases for a `github.com/OWNER/REPO/releases/download/…` base-url; else
/// the configured page (default: the homepage) searched for the zip's name.
fn checkver(release: &Release, zip: &ReleaseArtifact) -> Result<Checkver, ManifestError> {
    if release.checkver_url.is_none()
        && let Some(repo) = github_repo(&release.base_url)
    {
        return Ok(Checkver::Github { github: repo });
    }
    let url = release
        .checkver_url
        .clone()
        .unwrap_or_else(|| release.homepage.clone());
    crate::release::check_url("checkver url", &url)?;
    let regex = zip
        .file_name
        .split(release.version.as_str())
        .map(regex_escape)
        .collect::<Vec<_>>()
        .join(r"([\w.+-]+?)");
    Ok(Checkver::Page { url, regex })
}

/// `https://github.com/OWNER/REPO` of a GitHub release-download base-url.
fn github_repo(base_url: &str) -> Option<String> {
    let rest = base_url.strip_prefix("https://github.com/")?;
    let mut parts = rest.split('/');
    let (owner, repo) = (parts.next()?, parts.next()?);
    (parts.next() == Some("releases") && !owner.is_empty() && !repo.is_empty())
        .then(|| format!("https://github.com/{owner}/{repo}"))
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if r"\.^$|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_release_urls_are_recognised() {
        assert_eq!(
            github_repo("https://github.com/o/r/releases/download/v{version}").as_deref(),
            Some("https://github.com/o/r")
        );
        assert_eq!(github_repo("https://example.org/o/r/releases"), None);
        assert_eq!(github_repo("https://github.com/o"), None);
    }
}
