//! Checks shared by the repository settings: values end up in file names, deb822
//! fields and INI lines, so each is checked to be something those can hold.

use crate::RepoError;

fn bad(key: &'static str, value: &str, reason: &str) -> RepoError {
    RepoError::BadConfig {
        key,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

/// A name used in file names: `hello`, `org.example-tools`.
pub(crate) fn file_name(key: &'static str, value: &str) -> Result<(), RepoError> {
    let ok = value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(bad(
            key,
            value,
            "cannot name a file; use letters, digits and `._+-`, starting with a letter or digit",
        ))
    }
}

/// A single path segment of a URL and a directory (suite, component).
pub(crate) fn segment(key: &'static str, value: &str) -> Result<(), RepoError> {
    let ok = !value.is_empty()
        && value != "."
        && value != ".."
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(bad(
            key,
            value,
            "cannot be a directory name in the repository; use letters, digits and `._-`",
        ))
    }
}

/// Free text on one line (an Origin, a repository title).
pub(crate) fn single_line(key: &'static str, value: &str) -> Result<(), RepoError> {
    if value.trim().is_empty() || value.chars().any(char::is_control) {
        Err(bad(
            key,
            value,
            "must be one non-empty line without control characters",
        ))
    } else {
        Ok(())
    }
}

/// An `http://` or `https://` URL without spaces.
pub(crate) fn http_url(key: &'static str, value: &str) -> Result<(), RepoError> {
    let ok = (value.starts_with("https://") || value.starts_with("http://"))
        && !value
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control());
    if ok {
        Ok(())
    } else {
        Err(bad(
            key,
            value,
            "is not an http(s) URL; give the address users download the repository from, e.g. https://example.org/apt",
        ))
    }
}

/// A URL of any scheme without spaces (a `gpgkey=` may be `file://`).
pub(crate) fn url(key: &'static str, value: &str) -> Result<(), RepoError> {
    let ok = value.contains("://")
        && !value
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control());
    if ok {
        Ok(())
    } else {
        Err(bad(
            key,
            value,
            "is not a URL; give e.g. https://example.org/rpm/RPM-GPG-KEY-hello or file:///etc/pki/rpm-gpg/RPM-GPG-KEY-hello",
        ))
    }
}

/// An absolute path without spaces (where users install the keyring).
pub(crate) fn absolute_path(key: &'static str, value: &str) -> Result<(), RepoError> {
    let ok = value.starts_with('/')
        && !value
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control());
    if ok {
        Ok(())
    } else {
        Err(bad(
            key,
            value,
            "must be an absolute path without spaces, e.g. /etc/apt/keyrings/hello-archive-keyring.gpg",
        ))
    }
}

/// The signature time for `epoch` (OpenPGP times are unsigned 32-bit).
pub(crate) fn signature_time(epoch: i64) -> Result<u32, RepoError> {
    u32::try_from(epoch).map_err(|_| RepoError::BadEpoch { epoch })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_check_names_the_key_and_the_fix() {
        let err = http_url("base_url", "ftp://x").unwrap_err().to_string();
        assert!(
            err.contains("base_url") && err.contains("https://"),
            "{err}"
        );
        assert!(segment("suite", "../x").is_err() && segment("suite", "stable").is_ok());
        assert!(file_name("name", "hello world").is_err() && file_name("name", "hello").is_ok());
        assert!(single_line("origin", "a\nb").is_err());
        assert!(absolute_path("keyring_path", "keyrings/x.gpg").is_err());
        assert!(url("gpgkey_url", "file:///etc/k").is_ok());
        assert!(signature_time(-1).is_err() && signature_time(1_700_000_000).is_ok());
    }
}
