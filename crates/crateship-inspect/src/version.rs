//! The two version numbers a binary demands of its host: the glibc floor of an
//! ELF program and the minimum OS version of a Mach-O slice.

use std::fmt;
use std::str::FromStr;

/// A glibc version such as 2.17, ordered numerically (2.9 < 2.17); shown as `2.17`.
///
/// The glibc floor of a program is the highest `GLIBC_x.y` symbol version it
/// requires: it runs on that glibc and every later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GlibcVersion {
    /// Major version (2 for every glibc in use).
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A string that is not a version number, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a {what} version; write it as {example}")]
pub struct VersionError {
    /// The text that was given.
    pub input: String,
    /// Which kind of version was expected ("glibc", "macOS").
    pub what: &'static str,
    /// A well-formed example.
    pub example: &'static str,
}

impl FromStr for GlibcVersion {
    type Err = VersionError;

    /// Parses `MAJOR.MINOR`; a third component (`2.17.1`) is accepted and ignored,
    /// because glibc symbol versions never carry one.
    fn from_str(s: &str) -> Result<Self, VersionError> {
        let bad = || VersionError {
            input: s.to_owned(),
            what: "glibc",
            example: "MAJOR.MINOR, e.g. 2.17",
        };
        match numbers(s).ok_or_else(bad)?.as_slice() {
            [major, minor] | [major, minor, _] => Ok(GlibcVersion {
                major: *major,
                minor: *minor,
            }),
            _ => Err(bad()),
        }
    }
}

/// An Apple OS version such as 11.0 or 10.15.4, ordered numerically; shown
/// without a zero patch (`11.0`, `10.15.4`), as `LSMinimumSystemVersion` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OsVersion {
    /// Major version (`11` in 11.2.3).
    pub major: u32,
    /// Minor version (`2` in 11.2.3).
    pub minor: u32,
    /// Patch version (`3` in 11.2.3).
    pub patch: u32,
}

impl OsVersion {
    /// Decodes the `xxxx.yy.zz` nibble form of `LC_BUILD_VERSION` and
    /// `LC_VERSION_MIN_*` (`0x000b0000` is 11.0).
    pub fn from_packed(packed: u32) -> OsVersion {
        OsVersion {
            major: packed >> 16,
            minor: (packed >> 8) & 0xff,
            patch: packed & 0xff,
        }
    }
}

impl fmt::Display for OsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if self.patch != 0 {
            write!(f, ".{}", self.patch)?;
        }
        Ok(())
    }
}

impl FromStr for OsVersion {
    type Err = VersionError;

    /// Parses `MAJOR`, `MAJOR.MINOR` or `MAJOR.MINOR.PATCH` (`11`, `10.15`, `10.15.4`).
    fn from_str(s: &str) -> Result<Self, VersionError> {
        let bad = || VersionError {
            input: s.to_owned(),
            what: "macOS",
            example: "MAJOR.MINOR[.PATCH], e.g. 11.0",
        };
        let (major, minor, patch) = match numbers(s).ok_or_else(bad)?.as_slice() {
            [major] => (*major, 0, 0),
            [major, minor] => (*major, *minor, 0),
            [major, minor, patch] => (*major, *minor, *patch),
            _ => return Err(bad()),
        };
        Ok(OsVersion {
            major,
            minor,
            patch,
        })
    }
}

/// The dot-separated decimal numbers of `s`, or `None` if any part is not one.
fn numbers(s: &str) -> Option<Vec<u32>> {
    s.split('.')
        .map(|part| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                part.parse().ok()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_versions_order_numerically_not_as_text() {
        let v = |s: &str| s.parse::<GlibcVersion>().unwrap();
        assert!(v("2.9") < v("2.17"));
        assert!(v("2.17") < v("2.34"));
        assert_eq!(v("2.17.1"), v("2.17"));
        assert_eq!(v("2.17").to_string(), "2.17");
    }

    #[test]
    fn malformed_glibc_versions_name_the_input() {
        for bad in ["", "2", "2.", "a.b", "2.17.1.1", "+2.17", "2. 17"] {
            let e = bad.parse::<GlibcVersion>().unwrap_err();
            assert!(e.to_string().contains(&format!("`{bad}`")), "{e}");
            assert!(e.to_string().contains("e.g. 2.17"), "{e}");
        }
    }

    #[test]
    fn os_versions_decode_apples_nibbles_and_print_without_a_zero_patch() {
        assert_eq!(OsVersion::from_packed(0x000b_0000).to_string(), "11.0");
        assert_eq!(OsVersion::from_packed(0x000a_0f04).to_string(), "10.15.4");
        let v = |s: &str| s.parse::<OsVersion>().unwrap();
        assert_eq!(v("11"), OsVersion::from_packed(0x000b_0000));
        assert!(v("10.15") < v("11.0"));
        assert!(v("10.9") < v("10.15"));
        assert!("11.x".parse::<OsVersion>().is_err());
    }
}
