//! Sparkle appcasts: the RSS 2.0 feed with the Sparkle namespace that a macOS app's
//! Sparkle framework polls (`SUFeedURL`), one `<item>` per release with an
//! `<enclosure>` whose `sparkle:edSignature` is the Ed25519 signature of the file
//! (made with `crateship_sign::SparkleKey`).
//!
//! Architectures: Sparkle 2 has no per-architecture enclosure. Since Sparkle 2.9 an
//! item may carry `<sparkle:hardwareRequirements>arm64</sparkle:hardwareRequirements>`,
//! which Intel Macs skip; among items of equal version Sparkle takes the first it
//! accepts. So a release with separate builds is written as an arm64 item (with that
//! requirement) followed by the x86_64 or universal item: Apple silicon takes the
//! first, Intel the second. Apps on Sparkle older than 2.9 ignore the requirement and
//! would take the arm64 item on Intel too: give them one universal item, or one feed
//! per architecture (`SUFeedURL` differs per build).
//!
//! Everything written is XML-escaped (quick-xml); [`prepend`] adds a release to an
//! existing appcast and keeps every byte of it outside the insertion.

mod previous;

use std::fmt::Write as _;

use quick_xml::escape::escape;

use crate::FeedError;

pub use previous::prepend;

/// The Sparkle XML namespace (bound to the `sparkle` prefix).
pub const SPARKLE_NAMESPACE: &str = "http://www.andymatuschak.org/xml-namespaces/sparkle";
/// The enclosure type Sparkle is given for every archive.
const ENCLOSURE_TYPE: &str = "application/octet-stream";
/// One level of indentation in the appcasts we write.
const INDENT: &str = "    ";

/// The `<channel>` of a new appcast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppcastChannel {
    /// `<title>`, e.g. the product name.
    pub title: String,
    /// `<link>`: the app's home page (RSS requires one).
    pub link: String,
    /// `<description>`.
    pub description: String,
    /// `<language>`, e.g. `en`, if any.
    pub language: Option<String>,
}

/// Which Macs an item's archive runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SparkleArch {
    /// Apple silicon only: written with `sparkle:hardwareRequirements` `arm64`
    /// (Sparkle ≥ 2.9), and first among items of its version.
    Arm64,
    /// Intel only (Apple silicon runs it under Rosetta when no arm64 item is offered).
    X86_64,
    /// Both, in one universal binary.
    Universal,
}

/// The archive an item points to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enclosure {
    /// Absolute URL of the `.dmg` or `.app.zip`.
    pub url: String,
    /// Its size in bytes (Sparkle checks it).
    pub length: u64,
    /// base64 Ed25519 signature over the file's bytes.
    pub ed_signature: String,
}

/// One release of one archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparkleItem {
    /// `<title>`, e.g. `Version 1.2.3`.
    pub title: String,
    /// `<pubDate>`: seconds since 1970 (`SOURCE_DATE_EPOCH`), written as RFC 2822.
    pub pub_date: i64,
    /// `<sparkle:version>`: the bundle's CFBundleVersion, which Sparkle compares.
    pub version: String,
    /// `<sparkle:shortVersionString>`: CFBundleShortVersionString, shown to users.
    pub short_version: String,
    /// `<sparkle:minimumSystemVersion>`, e.g. `11.0`.
    pub minimum_system_version: String,
    /// `<sparkle:releaseNotesLink>`, if any.
    pub release_notes_link: Option<String>,
    /// The Macs the archive runs on.
    pub arch: SparkleArch,
    /// The archive.
    pub enclosure: Enclosure,
}

/// A whole new appcast with `items` (newest release first; within a release arm64
/// items go first, see the module docs).
pub fn write_appcast(channel: &AppcastChannel, items: &[SparkleItem]) -> Result<String, FeedError> {
    let items = ordered(items)?;
    for (field, value) in [
        ("channel title", &channel.title),
        ("channel link", &channel.link),
        ("channel description", &channel.description),
    ] {
        check_text(field, value)?;
    }
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        out,
        "<rss version=\"2.0\" xmlns:sparkle=\"{SPARKLE_NAMESPACE}\">"
    );
    let _ = writeln!(out, "{INDENT}<channel>");
    let inner = INDENT.repeat(2);
    element(&mut out, &inner, "title", &channel.title);
    element(&mut out, &inner, "link", &channel.link);
    element(&mut out, &inner, "description", &channel.description);
    if let Some(language) = &channel.language {
        check_text("channel language", language)?;
        element(&mut out, &inner, "language", language);
    }
    for item in items {
        out.push_str(&inner);
        out.push_str(&render_item(item, &inner, INDENT));
        out.push('\n');
    }
    let _ = writeln!(out, "{INDENT}</channel>");
    out.push_str("</rss>\n");
    Ok(out)
}

/// The two Info.plist values Sparkle needs, for the caller to put into the app's
/// Info.plist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparklePlistKeys {
    /// `SUFeedURL`: where the appcast is served.
    pub feed_url: String,
    /// `SUPublicEDKey`: base64 of the 32-byte Ed25519 public key.
    pub public_ed_key: String,
}

impl SparklePlistKeys {
    /// Checks `feed_url` is an http(s) URL and `public_ed_key` the base64 of 32 bytes.
    pub fn new(feed_url: &str, public_ed_key: &str) -> Result<SparklePlistKeys, FeedError> {
        if !(feed_url.starts_with("https://") || feed_url.starts_with("http://"))
            || feed_url.contains(char::is_whitespace)
        {
            return Err(FeedError::invalid(
                "Info.plist",
                "SUFeedURL",
                feed_url,
                "Sparkle fetches the appcast from an absolute http(s):// URL (https for released apps)",
            ));
        }
        use base64ct::Encoding;
        let decoded = base64ct::Base64::decode_vec(public_ed_key).unwrap_or_default();
        if decoded.len() != 32 {
            return Err(FeedError::invalid(
                "Info.plist",
                "SUPublicEDKey",
                public_ed_key,
                "it is not the base64 of a 32-byte Ed25519 public key; use the key `generate_keys -p` prints",
            ));
        }
        Ok(SparklePlistKeys {
            feed_url: feed_url.to_owned(),
            public_ed_key: public_ed_key.to_owned(),
        })
    }

    /// `(key, value)` pairs in Info.plist order.
    pub fn entries(&self) -> [(&'static str, &str); 2] {
        [
            ("SUFeedURL", &self.feed_url),
            ("SUPublicEDKey", &self.public_ed_key),
        ]
    }
}

/// `items` in feed order: releases as given, arm64 items first within a run of
/// equal versions. Checks every value can be written.
fn ordered(items: &[SparkleItem]) -> Result<Vec<&SparkleItem>, FeedError> {
    let mut keyed = Vec::with_capacity(items.len());
    let mut release = 0usize;
    for (i, item) in items.iter().enumerate() {
        check_item(item)?;
        if i > 0 && items[i - 1].version != item.version {
            release += 1;
        }
        let same_arch = items[..i]
            .iter()
            .any(|other| other.version == item.version && other.arch == item.arch);
        if same_arch {
            return Err(FeedError::invalid(
                "appcast",
                "item",
                &format!("{} {:?}", item.version, item.arch),
                "two items share this version and architecture; give one archive per architecture",
            ));
        }
        let rank = if item.arch == SparkleArch::Arm64 {
            0
        } else {
            1
        };
        keyed.push(((release, rank), item));
    }
    keyed.sort_by_key(|(key, _)| *key);
    Ok(keyed.into_iter().map(|(_, item)| item).collect())
}

/// The `<item>…</item>` text; lines after the first start with `indent` (the
/// item's own indentation), children one `step` deeper.
fn render_item(item: &SparkleItem, indent: &str, step: &str) -> String {
    let child = format!("{indent}{step}");
    let mut out = String::from("<item>\n");
    element(&mut out, &child, "title", &item.title);
    element(
        &mut out,
        &child,
        "pubDate",
        &crateship_support::date::rfc2822(item.pub_date),
    );
    element(&mut out, &child, "sparkle:version", &item.version);
    element(
        &mut out,
        &child,
        "sparkle:shortVersionString",
        &item.short_version,
    );
    element(
        &mut out,
        &child,
        "sparkle:minimumSystemVersion",
        &item.minimum_system_version,
    );
    if item.arch == SparkleArch::Arm64 {
        element(&mut out, &child, "sparkle:hardwareRequirements", "arm64");
    }
    if let Some(link) = &item.release_notes_link {
        element(&mut out, &child, "sparkle:releaseNotesLink", link);
    }
    let enclosure = &item.enclosure;
    let _ = writeln!(
        out,
        "{child}<enclosure url=\"{}\" length=\"{}\" type=\"{ENCLOSURE_TYPE}\" sparkle:edSignature=\"{}\"/>",
        escape(enclosure.url.as_str()),
        enclosure.length,
        escape(enclosure.ed_signature.as_str()),
    );
    out.push_str(indent);
    out.push_str("</item>");
    out
}

fn element(out: &mut String, indent: &str, name: &str, text: &str) {
    let _ = writeln!(out, "{indent}<{name}>{}</{name}>", escape(text));
}

fn check_item(item: &SparkleItem) -> Result<(), FeedError> {
    for (field, value) in [
        ("title", &item.title),
        ("sparkle:version", &item.version),
        ("sparkle:shortVersionString", &item.short_version),
        ("sparkle:minimumSystemVersion", &item.minimum_system_version),
        ("enclosure url", &item.enclosure.url),
        ("sparkle:edSignature", &item.enclosure.ed_signature),
    ] {
        check_text(field, value)?;
    }
    if let Some(link) = &item.release_notes_link {
        check_text("sparkle:releaseNotesLink", link)?;
    }
    Ok(())
}

/// Text XML 1.0 can hold, and not empty.
fn check_text(field: &str, value: &str) -> Result<(), FeedError> {
    if value.trim().is_empty() {
        return Err(FeedError::invalid(
            "appcast",
            field,
            value,
            "it is empty; give a value",
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(FeedError::invalid(
            "appcast",
            field,
            value,
            "it contains a control character XML cannot hold; remove it",
        ));
    }
    Ok(())
}
