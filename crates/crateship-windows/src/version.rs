//! Semver → MSI ProductVersion (`major.minor.build`, at most 255.255.65535).
//!
//! Mapping: `major.minor.patch` maps field by field; build metadata (`+abc`) is dropped
//! because semver ignores it for ordering too; a pre-release (`-rc.1`) is an error, since
//! Windows Installer would see `1.2.3-rc.1` and `1.2.3` as the same version and refuse to
//! upgrade one to the other.

use std::fmt;

use crate::MsiError;

/// A validated MSI ProductVersion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MsiVersion {
    /// Major, at most 255.
    pub major: u8,
    /// Minor, at most 255.
    pub minor: u8,
    /// Build (the semver patch), at most 65535.
    pub build: u16,
}

impl MsiVersion {
    /// Parses a semver string into a ProductVersion, or says what is wrong with it.
    pub fn from_semver(version: &str) -> Result<Self, MsiError> {
        let invalid = |reason: &str| MsiError::InvalidVersion {
            version: version.to_owned(),
            reason: reason.to_owned(),
        };
        let core = version.split_once('+').map_or(version, |(core, _)| core);
        if let Some((_, pre)) = core.split_once('-') {
            return Err(MsiError::PreRelease {
                version: version.to_owned(),
                pre: pre.to_owned(),
            });
        }
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() != 3 {
            return Err(invalid(&format!(
                "it has {} dot-separated fields, not 3",
                parts.len()
            )));
        }
        let mut numbers = [0u64; 3];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(&format!("`{part}` is not a number")));
            }
            if part.len() > 1 && part.starts_with('0') {
                return Err(invalid(&format!("`{part}` has a leading zero")));
            }
            *slot = part
                .parse()
                .map_err(|_| invalid(&format!("`{part}` is too large")))?;
        }
        let check = |field: &'static str, value: u64, max: u32| {
            if value > u64::from(max) {
                Err(MsiError::VersionOutOfRange {
                    version: version.to_owned(),
                    field,
                    value,
                    max,
                })
            } else {
                Ok(())
            }
        };
        check("major", numbers[0], 255)?;
        check("minor", numbers[1], 255)?;
        check("patch", numbers[2], 65535)?;
        Ok(MsiVersion {
            major: numbers[0] as u8,
            minor: numbers[1] as u8,
            build: numbers[2] as u16,
        })
    }
}

impl fmt::Display for MsiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.build)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_semver_maps_field_by_field() {
        let v = MsiVersion::from_semver("1.2.3").unwrap();
        assert_eq!(v.to_string(), "1.2.3");
        assert_eq!(
            MsiVersion::from_semver("255.255.65535+build.7")
                .unwrap()
                .to_string(),
            "255.255.65535"
        );
    }

    #[test]
    fn pre_release_is_refused() {
        let err = MsiVersion::from_semver("1.2.3-rc.1").unwrap_err();
        assert!(matches!(err, MsiError::PreRelease { .. }), "{err}");
        assert!(err.to_string().contains("1.2.3-rc.1"));
    }

    #[test]
    fn out_of_range_fields_are_refused() {
        for (v, field) in [
            ("300.0.0", "major"),
            ("1.256.0", "minor"),
            ("1.2.65536", "patch"),
        ] {
            match MsiVersion::from_semver(v).unwrap_err() {
                MsiError::VersionOutOfRange { field: f, .. } => assert_eq!(f, field),
                other => panic!("{v}: {other}"),
            }
        }
    }

    #[test]
    fn malformed_versions_are_refused() {
        for v in [
            "1.2",
            "1.2.3.4",
            "a.b.c",
            "01.2.3",
            "",
            "1..3",
            "99999999999999999999999.0.0",
        ] {
            assert!(
                matches!(
                    MsiVersion::from_semver(v),
                    Err(MsiError::InvalidVersion { .. })
                ),
                "{v}"
            );
        }
    }
}
