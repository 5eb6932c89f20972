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

/// gzip at maximum compression with no name and mtime 0, as `gzip -9n` with a
/// fixed time stamp: how Debian and Fedora compress man pages and changelogs, so
/// the same input always gives the same bytes.
pub fn gzip_reproducible(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    enc.write_all(data)?;
    enc.finish()
}

/// Licences whose full text Debian ships in `/usr/share/common-licenses/`, by
/// SPDX id, with the file name there (also their DEP-5 short name).
const COMMON_LICENSES: &[(&str, &str)] = &[
    ("Apache-2.0", "Apache-2.0"),
    ("Artistic-1.0-Perl", "Artistic"),
    ("CC0-1.0", "CC0-1.0"),
    ("GFDL-1.2-only", "GFDL-1.2"),
    ("GFDL-1.2-or-later", "GFDL-1.2"),
    ("GFDL-1.3-only", "GFDL-1.3"),
    ("GFDL-1.3-or-later", "GFDL-1.3"),
    ("GPL-1.0-only", "GPL-1"),
    ("GPL-1.0-or-later", "GPL-1"),
    ("GPL-2.0", "GPL-2"),
    ("GPL-2.0-only", "GPL-2"),
    ("GPL-2.0-or-later", "GPL-2"),
    ("GPL-3.0", "GPL-3"),
    ("GPL-3.0-only", "GPL-3"),
    ("GPL-3.0-or-later", "GPL-3"),
    ("LGPL-2.0-only", "LGPL-2"),
    ("LGPL-2.0-or-later", "LGPL-2"),
    ("LGPL-2.1", "LGPL-2.1"),
    ("LGPL-2.1-only", "LGPL-2.1"),
    ("LGPL-2.1-or-later", "LGPL-2.1"),
    ("LGPL-3.0", "LGPL-3"),
    ("LGPL-3.0-only", "LGPL-3"),
    ("LGPL-3.0-or-later", "LGPL-3"),
    ("MPL-1.1", "MPL-1.1"),
    ("MPL-2.0", "MPL-2.0"),
];

/// The DEP-5 short name of an SPDX id: Debian's for the common licences
/// (`GPL-3.0-or-later` → `GPL-3+`), else the SPDX id itself.
fn dep5_name(spdx: &str) -> String {
    match COMMON_LICENSES.iter().find(|(id, _)| *id == spdx) {
        Some((id, name)) if id.ends_with("-or-later") => format!("{name}+"),
        Some((_, name)) => (*name).to_owned(),
        None => spdx.to_owned(),
    }
}

/// The licence ids of an SPDX expression, in order, without operators,
/// exceptions and parentheses.
fn spdx_ids(expression: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut after_with = false;
    for word in expression.replace(['(', ')'], " ").split_whitespace() {
        match word {
            "OR" | "AND" | "or" | "and" => after_with = false,
            "WITH" | "with" => after_with = true,
            id if !after_with => {
                let id = id.trim_end_matches('+').to_owned();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            _ => after_with = false,
        }
    }
    ids
}

/// The SPDX id of a licence text, recognised by phrases every copy of it has;
/// `None` when it is none of the licences most crates use.
pub fn identify_license(text: &str) -> Option<&'static str> {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let has = |p: &str| t.contains(p);
    if has("Apache License") && has("Version 2.0") {
        Some("Apache-2.0")
    } else if has("Permission is hereby granted, free of charge") {
        Some("MIT")
    } else if has("Permission to use, copy, modify, and/or distribute this software") {
        Some("ISC")
    } else if has("Mozilla Public License Version 2.0") {
        Some("MPL-2.0")
    } else if has("GNU GENERAL PUBLIC LICENSE") && has("Version 3") {
        Some("GPL-3.0")
    } else if has("GNU GENERAL PUBLIC LICENSE") && has("Version 2") {
        Some("GPL-2.0")
    } else if has("This is free and unencumbered software released into the public domain") {
        Some("Unlicense")
    } else if has("Boost Software License - Version 1.0") {
        Some("BSL-1.0")
    } else if has("zlib License") || has("must not be misrepresented; you must not claim") {
        Some("Zlib")
    } else if has("Redistribution and use in source and binary forms") {
        if has("Neither the name") {
            Some("BSD-3-Clause")
        } else {
            Some("BSD-2-Clause")
        }
    } else {
        None
    }
}

/// The machine-readable (DEP-5) `usr/share/doc/NAME/copyright`.
///
/// A licence expression of several ids (`MIT OR Apache-2.0`) gets a
/// standalone `License:` paragraph per id: for the licences Debian ships in
/// `/usr/share/common-licenses/`, a pointer there (the full text would be
/// lintian's copyright-file-contains-full-…-license); for the others the text
/// from `license_texts` whose id matches (an `-only`/`-or-later` suffix aside).
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
    let Some(expression) = pkg.license.as_deref() else {
        c.push_str("License: custom\n");
        match &pkg.license_text {
            Some(text) => c.push_str(&indent_dep5(text)),
            None => c.push_str(" All rights reserved.\n"),
        }
        return c;
    };
    let ids = spdx_ids(expression);
    // DEP-5 spells SPDX's `OR`/`AND` in lowercase, and uses Debian's short names.
    let mut dep5 = String::new();
    for word in expression.split_inclusive([' ', '(', ')']) {
        let bare = word.trim_matches([' ', '(', ')']);
        let mapped = match bare {
            "OR" => "or".to_owned(),
            "AND" => "and".to_owned(),
            "WITH" => "with".to_owned(),
            id if ids.iter().any(|i| i == id) => dep5_name(id),
            other => other.to_owned(),
        };
        dep5.push_str(&word.replacen(bare, &mapped, 1));
    }
    let _ = writeln!(c, "License: {}", dep5.trim());
    let base = |id: &str| {
        id.trim_end_matches("-only")
            .trim_end_matches("-or-later")
            .to_owned()
    };
    let text_of = |id: &str| {
        pkg.license_texts
            .iter()
            .find(|(t, _)| base(t) == base(id))
            .map(|(_, text)| text.as_str())
    };
    if ids.len() == 1 && COMMON_LICENSES.iter().all(|(i, _)| *i != ids[0]) {
        // One licence: its text right under the header, as before.
        if let Some(text) = text_of(&ids[0]).or(pkg.license_text.as_deref()) {
            c.push_str(&indent_dep5(text));
        }
        return c;
    }
    for id in &ids {
        let _ = writeln!(c, "\nLicense: {}", dep5_name(id));
        if let Some((_, file)) = COMMON_LICENSES.iter().find(|(i, _)| i == id) {
            let _ = writeln!(
                c,
                " On Debian systems, the complete text of this licence can be found in\n \"/usr/share/common-licenses/{file}\"."
            );
        } else if let Some(text) = text_of(id) {
            c.push_str(&indent_dep5(text));
        } else {
            let _ = writeln!(
                c,
                " See https://spdx.org/licenses/{id}.html; the project ships no file with this text."
            );
        }
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
    fn spdx_expressions_split_into_ids_and_debian_names() {
        assert_eq!(spdx_ids("MIT OR Apache-2.0"), ["MIT", "Apache-2.0"]);
        assert_eq!(
            spdx_ids("(MIT OR Apache-2.0) AND GPL-2.0-only WITH Classpath-exception-2.0"),
            ["MIT", "Apache-2.0", "GPL-2.0-only"]
        );
        assert_eq!(dep5_name("GPL-3.0-or-later"), "GPL-3+");
        assert_eq!(dep5_name("MIT"), "MIT");
    }

    #[test]
    fn licence_texts_are_recognised_by_their_phrases() {
        assert_eq!(
            identify_license("Permission is hereby granted, free of\n  charge, to any person"),
            Some("MIT")
        );
        assert_eq!(
            identify_license(
                "                                 Apache License\n                           Version 2.0, January 2004"
            ),
            Some("Apache-2.0")
        );
        assert_eq!(identify_license("All rights reserved."), None);
    }

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
