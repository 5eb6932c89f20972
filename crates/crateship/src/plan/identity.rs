//! The application's identity, derived once: who publishes it, who maintains the
//! Linux packages, the copyright line, the summary and long description, and the
//! version string every format writes. Writers read these facts from the plan
//! and never re-derive them.

use std::fmt;

use serde::Serialize;

use super::Inputs;

/// Identity of the application, from Cargo metadata and config, and every fact
/// derived from it.
#[derive(Debug, Clone, Serialize)]
pub struct App {
    /// Package name, used in file names.
    pub name: String,
    /// Package version (semver).
    pub version: String,
    /// Human-readable product name.
    pub product_name: String,
    /// Reverse-DNS identifier, if configured.
    pub identifier: Option<String>,
    /// One-line description.
    pub description: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// SPDX license expression.
    pub license: Option<String>,
    /// Homepage URL.
    pub homepage: Option<String>,
    /// Repository URL.
    pub repository: Option<String>,
    /// Who publishes the app: the first author's name, else the product name
    /// (MSI Manufacturer, VERSIONINFO CompanyName, the copyright holder).
    pub publisher: String,
    /// The first author with an e-mail address (deb Maintainer, rpm Packager,
    /// AppStream developer); Linux packages need one.
    pub maintainer: Option<Maintainer>,
    /// `Copyright © YEAR PUBLISHER`, the year from `SOURCE_DATE_EPOCH`.
    pub copyright: String,
    /// One-line summary: the description, else the product name.
    pub summary: String,
    /// Long description: the README's first prose paragraph, else a sentence
    /// naming the product and version.
    pub long_description: String,
    /// The version as each format writes it.
    pub versions: FormatVersions,
}

impl App {
    /// The reverse-DNS identifier a `format` that needs one is written with. The
    /// plan refuses such a format without an identifier, so this fails only for a
    /// hand-made plan.
    pub fn identifier_for(&self, format: crate::Format) -> crate::Result<&str> {
        self.identifier.as_deref().ok_or_else(|| {
            crate::Error::Usage(format!(
                "format `{format}` needs `identifier` in [package.metadata.crateship]"
            ))
        })
    }
}

/// A package maintainer, `Name <mail>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Maintainer {
    /// The name part.
    pub name: String,
    /// The e-mail address, without the angle brackets.
    pub email: String,
}

impl fmt::Display for Maintainer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "<{}>", self.email)
        } else {
            write!(f, "{} <{}>", self.name, self.email)
        }
    }
}

/// The package version in each format's notation.
#[derive(Debug, Clone, Serialize)]
pub struct FormatVersions {
    /// Debian `Version` (pre-releases sort before the release: `1.2.3~beta.1`).
    pub deb: String,
    /// rpm `Version-Release`.
    pub rpm: String,
    /// MSI ProductVersion, if the version has one (pre-releases do not).
    pub msi: Option<String>,
    /// Info.plist versions, if the version maps to them.
    pub macos: Option<MacosVersions>,
}

/// `CFBundleShortVersionString` and `CFBundleVersion`.
#[derive(Debug, Clone, Serialize)]
pub struct MacosVersions {
    /// The marketing version.
    pub short: String,
    /// The build version.
    pub bundle: String,
}

/// The identity of the package `inputs` describe.
pub(super) fn app(inputs: &Inputs) -> App {
    let pkg = &inputs.package;
    let config = &inputs.config;
    let name = pkg.name.to_string();
    let version = pkg.version.to_string();
    let product_name = config.product_name.clone().unwrap_or_else(|| name.clone());
    let publisher = pkg
        .authors
        .first()
        .map(|a| author_name(a).to_owned())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| product_name.clone());
    let year = crateship_support::date::year(inputs.source_date_epoch);
    // What a description may start with: the package and its binaries (fd-find's `fd`).
    let subjects: Vec<String> = std::iter::once(name.clone())
        .chain(
            pkg.targets
                .iter()
                .filter(|t| t.is_bin())
                .map(|t| t.name.clone()),
        )
        .collect();
    let long_description = inputs
        .readme_text
        .as_deref()
        .and_then(|readme| first_paragraph(readme, pkg.description.as_deref()))
        .unwrap_or_else(|| format!("{product_name} {version} for the desktop."));
    App {
        identifier: config.identifier.clone(),
        description: pkg.description.clone(),
        authors: pkg.authors.clone(),
        license: pkg.license.clone(),
        homepage: pkg.homepage.clone(),
        repository: pkg.repository.clone(),
        maintainer: pkg.authors.iter().find_map(|a| maintainer(a)),
        copyright: format!("Copyright © {year} {publisher}"),
        summary: pkg
            .description
            .as_deref()
            .map(|d| synopsis(d, &subjects))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| product_name.clone()),
        long_description,
        versions: versions(&version),
        publisher,
        product_name,
        version,
        name,
    }
}

/// The longest synopsis: what Debian allows on the `Description:` line.
const MAX_SYNOPSIS: usize = 80;

/// A one-line synopsis of a Cargo description, which may span lines (ripgrep's
/// does): white space collapsed, then the first sentence when the whole is too
/// long, then cut at the last word that fits.
fn synopsis(description: &str, subjects: &[String]) -> String {
    let mut line = description.split_whitespace().collect::<Vec<_>>().join(" ");
    // One sentence needs no full stop (lintian's synopsis-is-a-sentence).
    if line.ends_with('.') && !line.trim_end_matches('.').contains(". ") {
        line = line.trim_end_matches('.').to_owned();
    }
    // "ripgrep is a line-oriented search tool" → "Line-oriented search tool":
    // a synopsis does not start with the package name (lintian's
    // description-starts-with-package-name).
    let lower = line.to_lowercase();
    let leads = [" is an ", " is a ", " is ", " - ", ": "];
    for (subject, lead) in subjects
        .iter()
        .flat_map(|s| leads.iter().map(move |l| (s, l)))
    {
        let prefix = format!("{}{lead}", subject.to_lowercase());
        if lower.starts_with(&prefix) {
            // Nor with an article (description-synopsis-starts-with-article).
            line = capitalized(&line[prefix.len()..]);
            break;
        }
    }
    for article in ["A ", "An ", "The "] {
        if let Some(rest) = line.strip_prefix(article).filter(|r| !r.is_empty()) {
            line = capitalized(rest);
            break;
        }
    }
    if line.chars().count() <= MAX_SYNOPSIS {
        return line;
    }
    let sentence = line
        .split_once(". ")
        .map_or(line.as_str(), |(first, _)| first);
    if sentence.chars().count() <= MAX_SYNOPSIS {
        return sentence.to_owned();
    }
    let mut cut = String::new();
    for word in sentence.split(' ') {
        if cut.chars().count() + 1 + word.chars().count() > MAX_SYNOPSIS {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    // Not ending on a word that needs the rest of the sentence.
    const DANGLING: &[&str] = &[
        "a", "an", "the", "and", "or", "of", "for", "to", "in", "on", "with", "while", "that",
        "which", "by", "from", "at", "as",
    ];
    let mut words: Vec<&str> = cut.trim_end_matches([',', ';', ':']).split(' ').collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| DANGLING.contains(&w.trim_end_matches(',').to_lowercase().as_str()))
    {
        words.pop();
    }
    words.join(" ").trim_end_matches([',', ';', ':']).to_owned()
}

/// `text` with its first letter upper-cased.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The name part of a Cargo author, `Name <mail>` → `Name`.
fn author_name(author: &str) -> &str {
    author.split('<').next().unwrap_or(author).trim()
}

/// `Name <mail>` as a maintainer; `None` without an e-mail address.
fn maintainer(author: &str) -> Option<Maintainer> {
    let (_, rest) = author.split_once('<')?;
    let (email, _) = rest.split_once('>')?;
    let email = email.trim();
    (!email.is_empty()).then(|| Maintainer {
        name: author_name(author).to_owned(),
        email: email.to_owned(),
    })
}

pub(crate) fn versions(version: &str) -> FormatVersions {
    FormatVersions {
        deb: crateship_linux::version::deb_version(version),
        rpm: format!(
            "{}-{}",
            crateship_linux::version::rpm_version(version),
            crateship_linux::version::RPM_RELEASE
        ),
        msi: crateship_windows::MsiVersion::from_semver(version)
            .ok()
            .map(|v| v.to_string()),
        macos: crateship_macos::version::bundle_versions(version, None)
            .ok()
            .map(|v| MacosVersions {
                short: v.short,
                bundle: v.build,
            }),
    }
}

/// The first prose paragraph of a README (headings, code, lists, HTML, badges
/// and tables skipped), joined into one line ending in a full stop.
fn first_paragraph(text: &str, summary: Option<&str>) -> Option<String> {
    // Compared without case, spacing and final period: a README that opens with
    // the description would repeat the synopsis (lintian's
    // description-synopsis-is-duplicated).
    let normal = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end_matches(['.', ':'])
            .to_lowercase()
    };
    let summary = summary.map(normal);
    let paragraph: Vec<&str> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty() && !p.starts_with(['#', '`', '-', '*', '<', '!', '[', '|']))
        .find(|p| summary.as_deref() != Some(normal(p).as_str()))?
        .lines()
        .map(str::trim)
        .collect();
    let line = paragraph.join(" ").trim_end_matches(':').to_owned() + ".";
    Some(line.replace("..", "."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_multi_line_description_becomes_a_one_line_synopsis() {
        let fd = ["fd-find".to_owned(), "fd".to_owned()];
        assert_eq!(
            synopsis(
                "fd is a simple, fast and user-friendly alternative to find.",
                &fd
            ),
            "Simple, fast and user-friendly alternative to find"
        );
        assert_eq!(
            synopsis("Makes tones\n  from the shell", &["tone".to_owned()]),
            "Makes tones from the shell"
        );
        let rg = "ripgrep is a line-oriented search tool that recursively searches the current\n\
                  directory for a regex pattern while respecting gitignore rules. ripgrep has\n\
                  first class support on Windows, macOS and Linux.\n";
        assert_eq!(
            synopsis(rg, &["ripgrep".to_owned()]),
            "Line-oriented search tool that recursively searches the current directory"
        );
        assert_eq!(
            synopsis("zoxide is a smarter cd command", &["zoxide".to_owned()]),
            "Smarter cd command"
        );
        assert_eq!(
            synopsis("A smarter cd command for your terminal", &[]),
            "Smarter cd command for your terminal"
        );
        assert_eq!(
            synopsis(
                "Short one. Then a long second sentence that goes on and on and on until it is far too long.",
                &["x".to_owned()]
            ),
            "Short one"
        );
    }

    #[test]
    fn maintainer_needs_an_address() {
        assert_eq!(
            maintainer("Ann Example <ann@example.org>"),
            Some(Maintainer {
                name: "Ann Example".into(),
                email: "ann@example.org".into()
            })
        );
        assert_eq!(maintainer("Ann Example"), None);
        assert_eq!(maintainer("Ann <>"), None);
    }

    #[test]
    fn readme_paragraph_skips_headings_and_badges() {
        let readme = "# Hello\n\n[![ci](x)](y)\n\nA tiny app\nthat greets:\n\n## Use\n";
        assert_eq!(
            first_paragraph(readme, None).as_deref(),
            Some("A tiny app that greets.")
        );
        assert_eq!(first_paragraph("# Only a heading\n", None), None);
    }

    #[test]
    fn readme_paragraph_that_repeats_the_description_is_skipped() {
        let readme = "# Tone\n\nMakes  tones from\nthe command line.\n\nIt plays them too.\n";
        assert_eq!(
            first_paragraph(readme, Some("Makes tones from the command line")).as_deref(),
            Some("It plays them too.")
        );
        assert_eq!(
            first_paragraph("# T\n\nMakes tones\n", Some("makes tones.")),
            None
        );
    }
}
