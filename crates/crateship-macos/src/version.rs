//! Mapping a Cargo (semver) version to the two Info.plist version strings.
//!
//! macOS compares `CFBundleVersion` and `CFBundleShortVersionString` as up to
//! three period-separated non-negative integers; it has no pre-release notion.
//!
//! | Cargo version     | CFBundleShortVersionString | CFBundleVersion |
//! |-------------------|----------------------------|-----------------|
//! | `1.2.3`           | `1.2.3`                    | `1.2.3`         |
//! | `1.2.3-beta.1`    | `1.2.3`                    | `1.2.3`         |
//! | `1.2.3+build.7`   | `1.2.3`                    | `1.2.3`         |
//! | `1.2`, `1`        | refused (not semver)       |                 |
//! | `v1.2.3`, `1.x.3` | refused                    |                 |
//!
//! Pre-release and build metadata are dropped, so a pre-release and its release
//! get the same numbers; set [`crate::AppBundle::bundle_version`] to an explicit
//! build number (one to three integers, e.g. `123` or `1.2.3`) to tell them apart.

use crate::MacosError;

/// The two version strings of an Info.plist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleVersions {
    /// `CFBundleShortVersionString`: the marketing version, `MAJOR.MINOR.PATCH`.
    pub short: String,
    /// `CFBundleVersion`: the build version (same numbers unless overridden).
    pub build: String,
}

/// Maps a semver `version` (and an optional explicit `CFBundleVersion`) to the
/// Info.plist strings, or explains why it cannot.
pub fn bundle_versions(
    version: &str,
    bundle_version: Option<&str>,
) -> Result<BundleVersions, MacosError> {
    let core = version
        .split_once(['-', '+'])
        .map_or(version, |(core, _)| core);
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 || !parts.iter().all(|p| is_number(p)) {
        return Err(MacosError::InvalidField {
            field: "version",
            value: version.to_owned(),
            reason: "expected a semver version MAJOR.MINOR.PATCH with numeric parts \
                     (e.g. 1.2.3 or 1.2.3-beta.1); fix `version` in Cargo.toml"
                .into(),
        });
    }
    let short = parts
        .iter()
        .map(|p| p.trim_start_matches('0').to_owned())
        .map(|p| if p.is_empty() { "0".to_owned() } else { p })
        .collect::<Vec<_>>()
        .join(".");
    let build = match bundle_version {
        None => short.clone(),
        Some(b) => {
            let parts: Vec<&str> = b.split('.').collect();
            if parts.is_empty() || parts.len() > 3 || !parts.iter().all(|p| is_number(p)) {
                return Err(MacosError::InvalidField {
                    field: "bundle_version",
                    value: b.to_owned(),
                    reason: "CFBundleVersion must be one to three period-separated \
                             non-negative integers (e.g. 42 or 1.2.3)"
                        .into(),
                });
            }
            b.to_owned()
        }
    };
    Ok(BundleVersions { short, build })
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_release_prerelease_and_build_metadata() {
        for (v, short) in [
            ("1.2.3", "1.2.3"),
            ("1.2.3-beta.1", "1.2.3"),
            ("1.2.3+git.abc", "1.2.3"),
            ("0.10.0-rc.1+x", "0.10.0"),
        ] {
            let m = bundle_versions(v, None).unwrap();
            assert_eq!((m.short.as_str(), m.build.as_str()), (short, short), "{v}");
        }
        let m = bundle_versions("1.2.3-beta.1", Some("120")).unwrap();
        assert_eq!(m.build, "120");
    }

    #[test]
    fn refuses_non_numeric_versions() {
        for v in ["v1.2.3", "1.2", "1.x.3", "", "1.2.3.4", "1..3"] {
            assert!(bundle_versions(v, None).is_err(), "{v}");
        }
        assert!(bundle_versions("1.2.3", Some("1.2.3.4")).is_err());
        assert!(bundle_versions("1.2.3", Some("abc")).is_err());
    }
}
