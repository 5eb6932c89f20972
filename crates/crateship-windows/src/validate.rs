//! Input checks that run before any output is produced: version, GUIDs, names, icon.

use std::fs;

use uuid::Uuid;

use crate::{MsiError, MsiPackage, MsiVersion, guid};

/// Magic bytes of a Windows icon file: reserved 0, type 1 (icon).
const ICO_MAGIC: [u8; 4] = [0, 0, 1, 0];

/// The validated, derived facts every later step needs.
#[derive(Debug)]
pub(crate) struct Checked {
    /// ProductVersion.
    pub version: MsiVersion,
    /// UpgradeCode (configured or derived from the identifier).
    pub upgrade_code: Uuid,
    /// ProductCode, one per version, architecture and scope.
    pub product_code: Uuid,
    /// Bytes of the `.ico`, if one was given (icons are small).
    pub icon: Option<Vec<u8>>,
}

/// Checks `pkg` and derives its codes.
pub(crate) fn check(pkg: &MsiPackage) -> Result<Checked, MsiError> {
    let (version, upgrade_code, product_code) = codes(pkg)?;
    check_file_name("product name", &pkg.product_name, 128)?;
    check_text("manufacturer", &pkg.manufacturer, 128)?;
    if pkg.manufacturer.contains('\\') {
        return Err(invalid(
            "manufacturer",
            &pkg.manufacturer,
            "it contains `\\`, which would split its registry key; remove it",
        ));
    }
    check_text("description", &pkg.description, 0)?;
    if let Some(homepage) = &pkg.homepage {
        check_text("homepage", homepage, 0)?;
    }
    if pkg.files.is_empty() {
        return Err(MsiError::NoFiles);
    }
    let icon = match &pkg.icon {
        Some(path) => {
            let bytes = fs::read(path).map_err(|source| MsiError::ReadInput {
                what: "icon",
                path: path.clone(),
                source,
            })?;
            if bytes.len() < 6 || bytes[..4] != ICO_MAGIC {
                return Err(MsiError::InvalidIcon {
                    path: path.clone(),
                    reason: format!(
                        "it does not start with the ICO header 00 00 01 00 ({} bytes)",
                        bytes.len()
                    ),
                });
            }
            Some(bytes)
        }
        None => None,
    };
    Ok(Checked {
        version,
        upgrade_code,
        product_code,
        icon,
    })
}

/// The ProductVersion, UpgradeCode and ProductCode of `pkg`, from its version,
/// identifier (or configured UpgradeCode), architecture and scope alone.
pub(crate) fn codes(pkg: &MsiPackage) -> Result<(MsiVersion, Uuid, Uuid), MsiError> {
    let version = MsiVersion::from_semver(&pkg.version)?;
    check_identifier(&pkg.identifier)?;
    let upgrade_code = match &pkg.upgrade_code {
        Some(code) => guid::parse_upgrade_code(code)?,
        None => guid::derive(&["upgrade-code", &pkg.identifier]),
    };
    let product_code = guid::derive(&[
        "product-code",
        &guid::braced(upgrade_code),
        &version.to_string(),
        pkg.arch.as_str(),
        scope(pkg),
    ]);
    Ok((version, upgrade_code, product_code))
}

/// `per-user` or `per-machine`, an input of derived GUIDs.
pub(crate) fn scope(pkg: &MsiPackage) -> &'static str {
    if pkg.per_user {
        "per-user"
    } else {
        "per-machine"
    }
}

fn invalid(field: &'static str, value: &str, reason: &str) -> MsiError {
    MsiError::InvalidName {
        field,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

fn check_identifier(identifier: &str) -> Result<(), MsiError> {
    let ok = !identifier.is_empty()
        && identifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "identifier",
            identifier,
            "use a reverse-DNS name of letters, digits, `.`, `-` and `_`, e.g. `org.example.hello`",
        ))
    }
}

/// Text that lands in MSI string columns: no control characters, no `[`/`]` (which
/// formatted columns would expand), at most `max_chars` characters (0: unlimited).
pub(crate) fn check_text(
    field: &'static str,
    value: &str,
    max_chars: usize,
) -> Result<(), MsiError> {
    if value.trim().is_empty() && field != "description" {
        return Err(invalid(field, value, "it is empty; set it"));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(invalid(
            field,
            value,
            &format!(
                "it contains the control character U+{:04X}; remove it",
                c as u32
            ),
        ));
    }
    if value.contains(['[', ']']) {
        return Err(invalid(
            field,
            value,
            "it contains `[` or `]`, which Windows Installer expands as properties; remove them",
        ));
    }
    if max_chars > 0 && value.chars().count() > max_chars {
        return Err(invalid(
            field,
            value,
            &format!("it is longer than {max_chars} characters; shorten it"),
        ));
    }
    Ok(())
}

/// A single Windows file-name component (used for the install folder and shortcuts).
pub(crate) fn check_file_name(
    field: &'static str,
    value: &str,
    max_chars: usize,
) -> Result<(), MsiError> {
    check_text(field, value, max_chars)?;
    if let Some(reason) = file_name_problem(value) {
        return Err(invalid(field, value, &reason));
    }
    Ok(())
}

/// Why `name` cannot be a Windows file or folder name, if it cannot.
pub(crate) fn file_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it has an empty path component".into());
    }
    if name == "." || name == ".." {
        return Some(format!("`{name}` is not a name"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| "\\/:*?\"<>|".contains(*c) || c.is_control())
    {
        return Some(format!(
            "it contains `{}`, which Windows does not allow in file names",
            c.escape_default()
        ));
    }
    if name.ends_with(['.', ' ']) || name.starts_with(' ') {
        return Some(
            "it starts with a space or ends with a space or a dot, which Windows strips".into(),
        );
    }
    let stem = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        return Some(format!("`{name}` is a reserved device name on Windows"));
    }
    if name.chars().count() > 255 {
        return Some("a path component is longer than 255 characters".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_file_names_are_checked() {
        assert!(file_name_problem("Hello World.exe").is_none());
        assert!(file_name_problem("Grüße ✓.txt").is_none());
        for bad in [
            "a:b", "a|b", "CON", "com1.txt", "x.", " x", "..", "a\tb", "",
        ] {
            assert!(file_name_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn bracketed_text_is_refused() {
        assert!(check_text("product name", "Hello [x]", 0).is_err());
        assert!(check_text("product name", "Hello", 0).is_ok());
    }
}
