//! The validation rules shared by every config table: paths that must stay in the
//! project, reverse-DNS identifiers, GUIDs, macOS versions, and how an error
//! names the key and the file.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Where the values being validated come from: the Cargo.toml (named in every
/// error) and the package directory (relative paths are resolved against it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// The Cargo.toml holding the table.
    pub file: &'a Path,
    /// The package directory.
    pub package_dir: &'a Path,
}

impl Ctx<'_> {
    /// A config error for `key` (dotted, e.g. `macos.category`).
    pub fn err(&self, key: &str, message: impl Into<String>) -> Error {
        Error::Config {
            file: self.file.to_path_buf(),
            key: key.to_owned(),
            message: message.into(),
        }
    }

    /// `value` checked to stay inside the project and made absolute.
    pub fn path(&self, key: &str, value: &str) -> Result<PathBuf, Error> {
        check_relative(value).map_err(|m| self.err(key, m))?;
        Ok(self.package_dir.join(value))
    }

    /// A key file's path: absolute, `~/…` (the home directory) or relative to
    /// the package directory. Keys belong outside the checkout, so unlike
    /// project files they may live anywhere.
    pub fn key_path(&self, key: &str, value: &str) -> Result<PathBuf, Error> {
        if value.trim().is_empty() {
            return Err(self.err(key, "the path is empty; name the key file"));
        }
        if let Some(rest) = value.strip_prefix("~/") {
            let home = std::env::var_os("HOME").ok_or_else(|| {
                self.err(
                    key,
                    format!(
                        "`{value}` starts with `~/` but HOME is not set; give an absolute path"
                    ),
                )
            })?;
            return Ok(PathBuf::from(home).join(rest));
        }
        Ok(self.package_dir.join(value))
    }

    /// [`Ctx::path`] for an optional value.
    pub fn opt_path(&self, key: &str, value: Option<&str>) -> Result<Option<PathBuf>, Error> {
        value.map(|v| self.path(key, v)).transpose()
    }
}

/// Refuses absolute paths and `..` components: project files and patterns must be
/// relative and stay inside the package directory.
pub(crate) fn check_relative(pattern: &str) -> Result<(), String> {
    let escapes = Path::new(pattern).is_absolute()
        || pattern.starts_with('/')
        || pattern.split(['/', '\\']).any(|c| c == "..");
    if escapes {
        Err(format!(
            "`{pattern}` leaves the project; paths and patterns must be relative and stay inside the package directory"
        ))
    } else {
        Ok(())
    }
}

/// A reverse-DNS identifier: at least two dot-separated DNS labels (1–63
/// letters, digits and `-`, not starting or ending with `-`), 255 characters at
/// most. Every format that names files or GUIDs after it accepts this.
pub(crate) fn check_identifier(id: &str) -> Result<(), String> {
    let parts: Vec<&str> = id.split('.').collect();
    let ok_part = |p: &&str| {
        (1..=63).contains(&p.len())
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !p.starts_with('-')
            && !p.ends_with('-')
    };
    if id.len() > 255 || parts.len() < 2 || !parts.iter().all(ok_part) {
        return Err(format!(
            "`{}` is not a reverse-DNS identifier; use dot-separated parts of letters, digits \
             and '-' (not at a part's start or end, 63 characters at most each), e.g. \
             \"org.example.hello\"",
            id.escape_debug()
        ));
    }
    Ok(())
}

/// The longest product name accepted: it becomes file and folder names, and
/// 255 bytes is where file systems stop (with room for version and suffix).
const MAX_PRODUCT_NAME: usize = 100;

/// A product name every format can carry: not empty or blank, no path
/// separators, quotes, control characters or `..`, at most 100 characters.
/// One rule for all formats, so no format silently changes the name.
pub(crate) fn check_product_name(name: &str) -> Result<(), String> {
    let shown = name.escape_debug();
    let problem = if name.trim().is_empty() {
        Some("is empty".to_owned())
    } else if name.trim() != name {
        Some("starts or ends with white space".to_owned())
    } else if name.chars().count() > MAX_PRODUCT_NAME {
        Some(format!("is longer than {MAX_PRODUCT_NAME} characters"))
    } else if let Some(c) = name.chars().find(|c| {
        c.is_control()
            || matches!(
                c,
                '/' | '\\' | ':' | '"' | '\'' | '<' | '>' | '|' | '*' | '?'
            )
    }) {
        Some(format!("contains {:?}", c))
    } else if name.contains("..") {
        Some("contains `..`".to_owned())
    } else {
        None
    };
    match problem {
        Some(p) => Err(format!(
            "`{shown}` {p}; the product name becomes file, folder and menu names: use \
             letters, digits, spaces and simple punctuation, e.g. \"Hello Desktop\""
        )),
        None => Ok(()),
    }
}

/// A GUID written as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, braces optional.
pub(crate) fn check_guid(code: &str) -> Result<(), String> {
    let trimmed = code.trim_start_matches('{').trim_end_matches('}');
    let groups: Vec<&str> = trimmed.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{code}` is not a GUID; write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
        ))
    }
}

/// Only `http://` servers: RFC 3161 timestamp servers speak plain HTTP.
pub(crate) fn check_timestamp_urls(urls: &[String]) -> Result<(), String> {
    match urls.iter().find(|u| !u.starts_with("http://")) {
        Some(url) => Err(format!(
            "`{url}` is not an http:// URL (RFC 3161 servers speak plain HTTP)"
        )),
        None => Ok(()),
    }
}
