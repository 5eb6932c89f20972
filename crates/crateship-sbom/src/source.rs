//! Where a crate came from, as `cargo metadata` reports it, and the identifiers SBOMs
//! derive from that: the `pkg:cargo` package URL (purl) and a download location.

use serde::Serialize;

/// The source of one crate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum CrateSource {
    /// The crates.io registry (git or sparse index).
    CratesIo,
    /// Another registry, e.g. `sparse+https://crates.example.invalid/index/`.
    Registry {
        /// The index protocol: `registry` (git index), `sparse`, or whatever cargo
        /// wrote before the `+`.
        scheme: String,
        /// The index URL.
        url: String,
    },
    /// A git repository at a locked commit.
    Git {
        /// The repository URL without cargo's `?branch=`/`?tag=`/`?rev=` query.
        url: String,
        /// The commit cargo locked.
        rev: String,
    },
    /// A path dependency or workspace member (no source in `cargo metadata`).
    Local,
}

/// The crates.io index as `cargo metadata` names it (git index).
const CRATES_IO_GIT: &str = "registry+https://github.com/rust-lang/crates.io-index";
/// The crates.io index as `cargo metadata` names it (sparse protocol).
const CRATES_IO_SPARSE: &str = "sparse+https://index.crates.io/";

impl CrateSource {
    /// Reads a `cargo metadata` source string (`None` for path packages).
    pub(crate) fn parse(repr: Option<&str>) -> CrateSource {
        let Some(repr) = repr else {
            return CrateSource::Local;
        };
        if repr == CRATES_IO_GIT || repr == CRATES_IO_SPARSE {
            return CrateSource::CratesIo;
        }
        let (scheme, rest) = repr.split_once('+').unwrap_or(("registry", repr));
        if scheme == "git" {
            let (location, rev) = rest.split_once('#').unwrap_or((rest, ""));
            let url = location.split_once('?').map_or(location, |(url, _)| url);
            return CrateSource::Git {
                url: url.to_owned(),
                rev: rev.to_owned(),
            };
        }
        CrateSource::Registry {
            scheme: scheme.to_owned(),
            url: rest.to_owned(),
        }
    }

    /// The word `cargo auditable` records for this source: `crates.io`, `git`,
    /// `local`, `registry` or the index scheme (`sparse`).
    pub fn auditable_name(&self) -> &str {
        match self {
            CrateSource::CratesIo => "crates.io",
            CrateSource::Git { .. } => "git",
            CrateSource::Local => "local",
            CrateSource::Registry { scheme, .. } => scheme,
        }
    }

    /// Where the crate's source can be fetched from, in SPDX's `downloadLocation`
    /// syntax, or `None` when it cannot be said without a host path (path crates) or
    /// a registry's download API is unknown.
    pub fn download_location(&self, name: &str, version: &str) -> Option<String> {
        match self {
            CrateSource::CratesIo => Some(format!(
                "https://crates.io/api/v1/crates/{name}/{version}/download"
            )),
            CrateSource::Git { url, rev } => Some(vcs_location(url, rev)),
            CrateSource::Registry { .. } | CrateSource::Local => None,
        }
    }
}

/// The package URL of a crate: `pkg:cargo/NAME@VERSION`, qualified with
/// `repository_url` for another registry or `vcs_url` for a git source, as the purl
/// specification's `cargo` type and its standard qualifiers define.
pub fn purl(name: &str, version: &str, source: &CrateSource) -> String {
    let mut purl = format!(
        "pkg:cargo/{}@{}",
        percent_encode(name),
        percent_encode(version)
    );
    match source {
        CrateSource::CratesIo | CrateSource::Local => {}
        CrateSource::Registry { url, .. } => {
            purl.push_str("?repository_url=");
            purl.push_str(&percent_encode(url));
        }
        CrateSource::Git { url, rev } => {
            purl.push_str("?vcs_url=");
            purl.push_str(&percent_encode(&vcs_location(url, rev)));
        }
    }
    purl
}

/// `git+URL@REV` (the purl `vcs_url` and SPDX `downloadLocation` form).
fn vcs_location(url: &str, rev: &str) -> String {
    let url = url.strip_prefix("git+").unwrap_or(url);
    if rev.is_empty() {
        format!("git+{url}")
    } else {
        format!("git+{url}@{rev}")
    }
}

/// Percent-encodes everything but the characters a purl component may carry as they
/// are: ASCII letters, digits, `.-_~`, and `:` and `/` (which the purl specification
/// leaves unencoded in qualifier values).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b".-_~:/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_io_in_either_protocol_is_a_bare_purl() {
        for repr in [CRATES_IO_GIT, CRATES_IO_SPARSE] {
            let source = CrateSource::parse(Some(repr));
            assert_eq!(source, CrateSource::CratesIo);
            assert_eq!(purl("serde", "1.0.229", &source), "pkg:cargo/serde@1.0.229");
            assert_eq!(source.auditable_name(), "crates.io");
        }
    }

    #[test]
    fn other_registries_carry_repository_url() {
        let source = CrateSource::parse(Some("sparse+https://crates.example.invalid/index/"));
        assert_eq!(
            purl("inner", "2.0.0+build.5", &source),
            "pkg:cargo/inner@2.0.0%2Bbuild.5?repository_url=https://crates.example.invalid/index/"
        );
        assert_eq!(source.auditable_name(), "sparse");
        assert_eq!(source.download_location("inner", "2.0.0"), None);
    }

    #[test]
    fn git_sources_carry_vcs_url_with_the_locked_commit() {
        let source = CrateSource::parse(Some(
            "git+https://example.invalid/org/repo?branch=main#0123abcd",
        ));
        assert_eq!(
            source,
            CrateSource::Git {
                url: "https://example.invalid/org/repo".into(),
                rev: "0123abcd".into()
            }
        );
        assert_eq!(
            purl("repo", "0.1.0", &source),
            "pkg:cargo/repo@0.1.0?vcs_url=git%2Bhttps://example.invalid/org/repo%400123abcd"
        );
        assert_eq!(
            source.download_location("repo", "0.1.0").unwrap(),
            "git+https://example.invalid/org/repo@0123abcd"
        );
    }

    #[test]
    fn path_crates_are_local_without_a_download_location() {
        let source = CrateSource::parse(None);
        assert_eq!(source, CrateSource::Local);
        assert_eq!(source.auditable_name(), "local");
        assert_eq!(source.download_location("app", "1.0.0"), None);
    }
}
