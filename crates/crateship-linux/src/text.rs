//! Small text helpers: the calendar dates formats store, word wrapping, the
//! Debian copyright and changelog files, deterministic gzip.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::package::LinuxPackage;
use crate::version;

/// `2024-05-01`.
pub(crate) fn iso_date(epoch: i64) -> String {
    crateship_support::date::iso_date(epoch)
}

/// `Wed, 01 May 2024 12:00:00 +0000` (RFC 2822, as Debian changelogs want).
pub(crate) fn rfc2822(epoch: i64) -> String {
    crateship_support::date::rfc2822(epoch)
}

/// Splits `text` into paragraphs (blank-line separated), re-wraps each at `width`
/// columns and returns the lines with an empty string between paragraphs.
pub(crate) fn wrap_paragraphs(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for para in paragraphs(text) {
        if !out.is_empty() {
            out.push(String::new());
        }
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            out.push(line);
        }
    }
    out
}

/// Paragraphs of `text`: blank-line separated, each with its lines joined by spaces.
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    let mut paras = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paras.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line.trim());
        }
    }
    if !current.is_empty() {
        paras.push(current.join(" "));
    }
    paras
}

/// gzip at maximum compression with no name and mtime 0 (reproducible).
pub(crate) fn gzip(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    enc.write_all(data)?;
    enc.finish()
}

/// The machine-readable (DEP-5) `usr/share/doc/NAME/copyright`.
pub(crate) fn deb_copyright(pkg: &LinuxPackage) -> String {
    let mut c = String::from(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n",
    );
    let _ = writeln!(c, "Upstream-Name: {}", pkg.name);
    if let Some(home) = &pkg.homepage {
        let _ = writeln!(c, "Source: {home}");
    }
    c.push('\n');
    c.push_str("Files: *\n");
    let holder = pkg.copyright.clone().unwrap_or_else(|| {
        let year = crateship_support::date::year(pkg.source_date_epoch);
        format!("{year} {}", pkg.maintainer)
    });
    let _ = writeln!(c, "Copyright: {holder}");
    let license = pkg.license.as_deref().unwrap_or("custom");
    // DEP-5 spells SPDX's `OR`/`AND` in lowercase.
    let license = license.replace(" OR ", " or ").replace(" AND ", " and ");
    let _ = writeln!(c, "License: {license}");
    match &pkg.license_text {
        Some(text) => c.push_str(&indent_dep5(text)),
        None if pkg.license.is_none() => c.push_str(" All rights reserved.\n"),
        None => {}
    }
    c
}

fn indent_dep5(text: &str) -> String {
    let mut out = String::new();
    for line in text.trim_matches('\n').lines() {
        if line.trim().is_empty() {
            out.push_str(" .\n");
        } else {
            let _ = writeln!(out, " {}", line.trim_end());
        }
    }
    out
}

/// A Debian-format changelog (native package: `usr/share/doc/NAME/changelog.gz`).
pub(crate) fn deb_changelog(pkg: &LinuxPackage) -> String {
    let mut c = String::new();
    for (i, entry) in pkg.effective_changelog().iter().enumerate() {
        if i > 0 {
            c.push('\n');
        }
        let _ = writeln!(
            c,
            "{} ({}) unstable; urgency=medium\n",
            pkg.name,
            version::deb_version(&entry.version)
        );
        for change in &entry.changes {
            let _ = writeln!(c, "  * {}", change.trim());
        }
        let _ = writeln!(c, "\n -- {}  {}", entry.author, rfc2822(entry.date));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_known_values() {
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc2822(1_714_564_800), "Wed, 01 May 2024 12:00:00 +0000");
        assert_eq!(iso_date(951_782_400), "2000-02-29");
    }

    #[test]
    fn wraps_paragraphs() {
        let lines = wrap_paragraphs("aaa bbb\nccc\n\n ddd ", 7);
        assert_eq!(lines, ["aaa bbb", "ccc", "", "ddd"]);
    }
}
