//! Semver → package version mapping.
//!
//! Both formats use the tilde, which sorts before anything (also before the end
//! of the string), so a pre-release sorts before its release:
//!
//! | semver | deb `Version` | rpm `Version`-`Release` |
//! |---|---|---|
//! | `1.2.3` | `1.2.3` | `1.2.3-1` |
//! | `1.2.3-beta.1` | `1.2.3~beta.1` | `1.2.3~beta.1-1` |
//! | `1.2.3-rc-1+build.5` | `1.2.3~rc.1+build.5` | `1.2.3~rc.1+build.5-1` |
//!
//! `-` inside the pre-release becomes `.` (deb reads `-` as the revision separator,
//! rpm forbids it); build metadata is kept after `+`. rpm supports `~` since 4.10.
//! The rpm Release is always `1`, the .deb is native (no Debian revision).

use crate::LinuxError;

/// Checks that `version` is `MAJOR.MINOR.PATCH[-PRE][+BUILD]` with ASCII alphanumerics.
pub(crate) fn check_semver(version: &str) -> Result<(), LinuxError> {
    let bad = |reason: &str| LinuxError::InvalidField {
        field: "version",
        value: version.to_owned(),
        reason: format!("{reason}; use a semver version such as `1.2.3` or `1.2.3-beta.1`"),
    };
    let (rest, build) = match version.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (version, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad("the core must be three dot-separated numbers"));
    }
    for (what, ids) in [("pre-release", pre), ("build metadata", build)] {
        if let Some(ids) = ids
            && ids.split('.').any(|id| {
                id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
        {
            return Err(bad(&format!(
                "the {what} must be dot-separated identifiers of A-Z, a-z, 0-9 and `-`"
            )));
        }
    }
    Ok(())
}

fn mapped(version: &str) -> String {
    let (rest, build) = match version.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (version, None),
    };
    let mut out = match rest.split_once('-') {
        Some((core, pre)) => format!("{core}~{}", pre.replace('-', ".")),
        None => rest.to_owned(),
    };
    if let Some(build) = build {
        out.push('+');
        out.push_str(&build.replace('-', "."));
    }
    out
}

/// The Debian `Version` for a semver version (see the module docs).
pub fn deb_version(semver: &str) -> String {
    mapped(semver)
}

/// The rpm `Version` for a semver version (the Release is always `1`).
pub fn rpm_version(semver: &str) -> String {
    mapped(semver)
}

/// The rpm `Release` this crate writes.
pub const RPM_RELEASE: &str = "1";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prerelease_uses_tilde() {
        assert_eq!(deb_version("1.2.3"), "1.2.3");
        assert_eq!(deb_version("1.2.3-beta.1"), "1.2.3~beta.1");
        assert_eq!(rpm_version("1.2.3-rc-1+build-5"), "1.2.3~rc.1+build.5");
    }

    #[test]
    fn rejects_non_semver() {
        assert!(check_semver("1.2").is_err());
        assert!(check_semver("1.2.3-").is_err());
        assert!(check_semver("1.2.3-a b").is_err());
        assert!(check_semver("1.2.3-beta.1+x").is_ok());
    }
}
