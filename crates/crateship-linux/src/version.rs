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

/// Orders two Debian versions as dpkg does (`[epoch:]upstream[-revision]`;
/// `~` sorts before everything, even the end of the string).
pub fn compare_deb(a: &str, b: &str) -> std::cmp::Ordering {
    let split = |v: &str| {
        let (epoch, rest) = match v.split_once(':') {
            Some((e, r)) if e.chars().all(|c| c.is_ascii_digit()) => {
                (e.parse::<u64>().unwrap_or(0), r)
            }
            _ => (0, v),
        };
        let (upstream, revision) = rest.rsplit_once('-').unwrap_or((rest, "0"));
        (epoch, upstream.to_owned(), revision.to_owned())
    };
    let (ea, ua, ra) = split(a);
    let (eb, ub, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| dpkg_part(&ua, &ub))
        .then_with(|| dpkg_part(&ra, &rb))
}

/// dpkg's `verrevcmp` on one part: alternating non-digit runs (letters before
/// non-letters, `~` first) and digit runs (numerically).
fn dpkg_part(a: &str, b: &str) -> std::cmp::Ordering {
    let order = |c: Option<u8>| -> i32 {
        match c {
            None => 0,
            Some(b'~') => -1,
            Some(c) if c.is_ascii_digit() => 0,
            Some(c) if c.is_ascii_alphabetic() => i32::from(c),
            Some(c) => i32::from(c) + 256,
        }
    };
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (ca, cb) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ca != cb {
                return ca.cmp(&cb);
            }
            i += 1;
            j += 1;
        }
        let digits = |s: &[u8], k: &mut usize| {
            let start = *k;
            while *k < s.len() && s[*k].is_ascii_digit() {
                *k += 1;
            }
            let run = std::str::from_utf8(&s[start..*k])
                .unwrap_or("0")
                .trim_start_matches('0');
            run.to_owned()
        };
        let (da, db) = (digits(a, &mut i), digits(b, &mut j));
        let by_number = da.len().cmp(&db.len()).then_with(|| da.cmp(&db));
        if by_number.is_ne() {
            return by_number;
        }
    }
    std::cmp::Ordering::Equal
}

/// Orders two rpm `[epoch:]version-release` strings as rpm's `rpmvercmp`
/// does (each part: digit runs numerically, letter runs as text, digits newer
/// than letters, `~` older than anything).
pub fn compare_rpm(a: &str, b: &str) -> std::cmp::Ordering {
    let split = |v: &str| {
        let (epoch, rest) = match v.split_once(':') {
            Some((e, r)) => (e.parse::<u64>().unwrap_or(0), r.to_owned()),
            None => (0, v.to_owned()),
        };
        let (version, release) = rest
            .rsplit_once('-')
            .map_or((rest.clone(), String::new()), |(v, r)| {
                (v.to_owned(), r.to_owned())
            });
        (epoch, version, release)
    };
    let (ea, va, ra) = split(a);
    let (eb, vb, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| rpmvercmp(&va, &vb))
        .then_with(|| rpmvercmp(&ra, &rb))
}

fn rpmvercmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        let separator = |c: u8| !c.is_ascii_alphanumeric() && c != b'~';
        while i < a.len() && separator(a[i]) {
            i += 1;
        }
        while j < b.len() && separator(b[j]) {
            j += 1;
        }
        let (ta, tb) = (a.get(i) == Some(&b'~'), b.get(j) == Some(&b'~'));
        if ta || tb {
            if !(ta && tb) {
                return if ta {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            i += 1;
            j += 1;
            continue;
        }
        if i >= a.len() || j >= b.len() {
            return (a.len() - i.min(a.len())).cmp(&(b.len() - j.min(b.len())));
        }
        let numeric = a[i].is_ascii_digit();
        let run = |s: &[u8], k: &mut usize| {
            let start = *k;
            while *k < s.len()
                && (if numeric {
                    s[*k].is_ascii_digit()
                } else {
                    s[*k].is_ascii_alphabetic()
                })
            {
                *k += 1;
            }
            std::str::from_utf8(&s[start..*k]).unwrap_or("").to_owned()
        };
        let ra = run(a, &mut i);
        let rb = run(b, &mut j);
        if rb.is_empty() {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let ordering = if numeric {
            let (x, y) = (ra.trim_start_matches('0'), rb.trim_start_matches('0'));
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        } else {
            ra.cmp(&rb)
        };
        if ordering.is_ne() {
            return ordering;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_as_dpkg_and_rpm_order_them() {
        use std::cmp::Ordering::{Equal, Greater, Less};
        for (a, b, want) in [
            ("1.2.3", "1.2.4", Less),
            ("1.10.0", "1.9.0", Greater),
            ("1.2.3~rc.1", "1.2.3", Less),
            ("1.2.3", "1.2.3+build.1", Less),
            ("1:0.1", "2.0", Greater),
            ("1.2.3-1", "1.2.3-2", Less),
            ("1.2.3", "1.2.3", Equal),
        ] {
            assert_eq!(compare_deb(a, b), want, "deb {a} vs {b}");
        }
        for (a, b, want) in [
            ("1.2.3-1", "1.2.4-1", Less),
            ("1.10.0-1", "1.9.0-1", Greater),
            ("1.2.3~rc.1-1", "1.2.3-1", Less),
            ("1.2.3-1", "1.2.3-2", Less),
            ("1.2.3a-1", "1.2.3-1", Greater),
            ("1.0-1", "1.0.1-1", Less),
            ("1.2.3-1", "1.2.3-1", Equal),
        ] {
            assert_eq!(compare_rpm(a, b), want, "rpm {a} vs {b}");
        }
    }

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
