//! Deterministic GUIDs: every GUID in a package is a UUIDv5 of stable inputs, so two
//! builds of the same input are byte-identical and upgrades find their predecessors.

use uuid::Uuid;

use crate::MsiError;

/// The namespace of every GUID this crate derives.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://crateship.invalid/msi")
}

/// UUIDv5 of `parts` joined by NUL bytes (so that `("ab","c")` ≠ `("a","bc")`).
pub(crate) fn derive(parts: &[&str]) -> Uuid {
    let mut name = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            name.push(0);
        }
        name.extend_from_slice(part.as_bytes());
    }
    Uuid::new_v5(&namespace(), &name)
}

/// The registry form MSI tables use: `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, upper case.
pub(crate) fn braced(uuid: Uuid) -> String {
    format!("{{{}}}", uuid.hyphenated()).to_uppercase()
}

/// A compact identifier fragment (32 lower-case hex digits) for table keys.
pub(crate) fn key_fragment(uuid: Uuid) -> String {
    uuid.simple().to_string()
}

/// Parses a user-supplied UpgradeCode (with or without braces, any case).
pub(crate) fn parse_upgrade_code(value: &str) -> Result<Uuid, MsiError> {
    let trimmed = value.trim();
    let inner = trimmed
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(trimmed);
    // Only the hyphenated 8-4-4-4-12 form, which is what every MSI tool shows.
    let well_formed = inner.len() == 36
        && inner.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    match Uuid::parse_str(inner) {
        Ok(uuid) if well_formed && !uuid.is_nil() => Ok(uuid),
        _ => Err(MsiError::InvalidUpgradeCode {
            value: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_guids_are_stable_and_distinct() {
        assert_eq!(derive(&["a", "b"]), derive(&["a", "b"]));
        assert_ne!(derive(&["ab", "c"]), derive(&["a", "bc"]));
        assert_eq!(derive(&["a"]).get_version_num(), 5);
    }

    #[test]
    fn upgrade_codes_accept_braces_and_case() {
        let a = parse_upgrade_code("6f1c0a4e-3e1a-4f43-9a51-7b0b1b7b3f10").unwrap();
        let b = parse_upgrade_code("{6F1C0A4E-3E1A-4F43-9A51-7B0B1B7B3F10}").unwrap();
        assert_eq!(a, b);
        assert_eq!(braced(a), "{6F1C0A4E-3E1A-4F43-9A51-7B0B1B7B3F10}");
    }

    #[test]
    fn upgrade_codes_that_are_not_guids_are_refused() {
        for bad in [
            "",
            "hello",
            "6f1c0a4e3e1a4f439a517b0b1b7b3f10",
            "00000000-0000-0000-0000-000000000000",
            "{6f1c0a4e-3e1a-4f43-9a51-7b0b1b7b3f1}",
        ] {
            assert!(parse_upgrade_code(bad).is_err(), "{bad}");
        }
    }
}
