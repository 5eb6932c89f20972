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

/// A reverse-DNS identifier: at least two dot-separated parts of letters, digits and `-`.
pub(crate) fn check_identifier(id: &str) -> Result<(), String> {
    let parts: Vec<&str> = id.split('.').collect();
    let ok_part =
        |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if parts.len() < 2 || !parts.iter().all(ok_part) {
        return Err(format!(
            "`{id}` is not a reverse-DNS identifier; use letters, digits and '-' in dot-separated parts, e.g. \"org.example.hello\""
        ));
    }
    Ok(())
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
