//! Sparkle appcasts read by `xmllint --noout` and Python's `xml.etree`, every
//! `sparkle:edSignature` verified by PyPI `pynacl` against the `SUPublicEDKey` value.

use std::fs;
use std::path::Path;

use crateship_feeds::FeedError;
use crateship_feeds::sparkle::{
    AppcastChannel, Enclosure, SparkleArch, SparkleItem, SparklePlistKeys, prepend, write_appcast,
};
use crateship_sign::{Secret, SparkleKey};
use tempfile::TempDir;

use crate::support::{noise, python, run_ok};

/// Python reads the appcast: per item one line with its fields (JSON), enclosure
/// attributes in the Sparkle namespace resolved.
const READ_APPCAST: &str = r#"
import json, sys
import xml.etree.ElementTree as ET
S = "{http://www.andymatuschak.org/xml-namespaces/sparkle}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "rss" and root.get("version") == "2.0", root.tag
channel = root.find("channel")
print(json.dumps({"channel": channel.findtext("title"), "link": channel.findtext("link")}))
for item in channel.findall("item"):
    enc = item.find("enclosure")
    print(json.dumps({
        "title": item.findtext("title"),
        "pubDate": item.findtext("pubDate"),
        "version": item.findtext(S + "version") or enc.get(S + "version"),
        "short": item.findtext(S + "shortVersionString"),
        "minimum": item.findtext(S + "minimumSystemVersion"),
        "hardware": item.findtext(S + "hardwareRequirements"),
        "notes": item.findtext(S + "releaseNotesLink"),
        "url": enc.get("url"), "length": enc.get("length"), "type": enc.get("type"),
        "signature": enc.get(S + "edSignature"),
    }, sort_keys=True))
"#;

/// pynacl's verdict on each `signature path` pair of arguments after the public key.
const VERIFY: &str = r#"
import base64, sys
import nacl.signing, nacl.exceptions
key = nacl.signing.VerifyKey(base64.b64decode(sys.argv[1]))
for signature, path in zip(sys.argv[2::2], sys.argv[3::2]):
    try:
        key.verify(open(path, "rb").read(), base64.b64decode(signature))
        print("good")
    except nacl.exceptions.BadSignatureError:
        print("bad")
"#;

const MAKE_KEY: &str = r#"
import base64, os
print(base64.b64encode(os.urandom(32)).decode())
"#;

fn key() -> SparkleKey {
    let exported = python(MAKE_KEY, &[]);
    SparkleKey::from_exported(&Secret::new(exported.trim()), "SPARKLE_KEY").unwrap()
}

fn channel() -> AppcastChannel {
    AppcastChannel {
        title: "Hello Desktop".into(),
        link: "https://example.org/hello".into(),
        description: "Updates of Hello Desktop".into(),
        language: Some("en".into()),
    }
}

fn item(
    key: &SparkleKey,
    file: &Path,
    version: &str,
    short: &str,
    arch: SparkleArch,
) -> SparkleItem {
    let signed = key.sign_file(file).unwrap();
    let name = file.file_name().unwrap().to_str().unwrap();
    SparkleItem {
        title: format!("Version {short}"),
        pub_date: 1_700_000_000,
        version: version.into(),
        short_version: short.into(),
        minimum_system_version: "11.0".into(),
        release_notes_link: Some(format!("https://example.org/notes/{short}.html")),
        arch,
        enclosure: Enclosure {
            url: format!("https://example.org/{short}/{name}"),
            length: signed.length,
            ed_signature: signed.ed_signature,
        },
    }
}

/// The item of a 3-byte `Hello.dmg`, version 1.0.0, signed with a new key.
fn first_release(dir: &Path) -> SparkleItem {
    let file = dir.join("Hello.dmg");
    fs::write(&file, b"dmg").unwrap();
    item(&key(), &file, "1", "1.0.0", SparkleArch::Universal)
}

fn read_items(dir: &Path, appcast: &str) -> Vec<serde_json::Value> {
    let path = dir.join("appcast-read.xml");
    fs::write(&path, appcast).unwrap();
    run_ok(dir, "xmllint", &[&"--noout", &path]);
    python(READ_APPCAST, &[&path])
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_enclosure_signature_verifies_with_pynacl_and_lengths_match() {
    let dir = TempDir::new().unwrap();
    let key = key();
    let plist =
        SparklePlistKeys::new("https://example.org/appcast.xml", &key.public_key()).unwrap();
    let intel = dir.path().join("Hello-1.2.0-x86_64.dmg");
    let arm = dir.path().join("Hello-1.2.0-arm64.dmg");
    fs::write(&intel, noise(150_001, 1)).unwrap();
    fs::write(&arm, noise(99_999, 2)).unwrap();
    // Given Intel first: arm64 must still come first in the feed.
    let items = [
        item(&key, &intel, "120", "1.2.0", SparkleArch::X86_64),
        item(&key, &arm, "120", "1.2.0", SparkleArch::Arm64),
    ];
    let appcast = write_appcast(&channel(), &items).unwrap();
    assert_eq!(
        write_appcast(&channel(), &items).unwrap(),
        appcast,
        "same input, same bytes"
    );
    assert!(
        appcast.contains("xmlns:sparkle=\"http://www.andymatuschak.org/xml-namespaces/sparkle\"")
    );

    let read = read_items(dir.path(), &appcast);
    assert_eq!(read.len(), 2);
    assert_eq!(read[0]["hardware"], "arm64");
    assert_eq!(read[1]["hardware"], serde_json::Value::Null);
    let mut args: Vec<String> = vec![plist.entries()[1].1.to_owned()];
    for (entry, file) in read.iter().zip([&arm, &intel]) {
        assert_eq!(entry["version"], "120");
        assert_eq!(entry["short"], "1.2.0");
        assert_eq!(entry["minimum"], "11.0");
        assert_eq!(entry["type"], "application/octet-stream");
        assert_eq!(entry["pubDate"], "Tue, 14 Nov 2023 22:13:20 +0000");
        assert_eq!(entry["notes"], "https://example.org/notes/1.2.0.html");
        assert_eq!(
            entry["length"],
            fs::metadata(file).unwrap().len().to_string()
        );
        assert!(
            entry["url"]
                .as_str()
                .unwrap()
                .ends_with(file.file_name().unwrap().to_str().unwrap())
        );
        args.push(entry["signature"].as_str().unwrap().to_owned());
        args.push(file.to_str().unwrap().to_owned());
    }
    let arg_refs: Vec<&dyn AsRef<std::ffi::OsStr>> = args.iter().map(|a| a as _).collect();
    assert_eq!(python(VERIFY, &arg_refs), "good\ngood\n");

    let mut flipped = fs::read(&arm).unwrap();
    flipped[4242] ^= 0x80;
    fs::write(&arm, flipped).unwrap();
    assert_eq!(python(VERIFY, &arg_refs), "bad\ngood\n");
}

#[test]
fn prepend_keeps_every_older_item_byte_for_byte() {
    let dir = TempDir::new().unwrap();
    let key = key();
    let file = dir.path().join("Hello-1.3.0.app.zip");
    fs::write(&file, noise(10_000, 3)).unwrap();
    let new = item(&key, &file, "130", "1.3.0", SparkleArch::Universal);
    // Written by another tool: tabs, CDATA, a comment, the version on the enclosure,
    // the namespace declared and an item that is not ours.
    let old_item = "<item>\n\t\t\t<title>Version 1.2.0</title>\n\t\t\t<description><![CDATA[<h2>New</h2> & more]]></description>\n\t\t\t<!-- kept -->\n\t\t\t<pubDate>Mon, 01 Jan 2024 00:00:00 +0000</pubDate>\n\t\t\t<enclosure url=\"https://example.org/1.2.0/Hello.zip\" sparkle:version=\"120\" sparkle:shortVersionString=\"1.2.0\" length=\"5\" type=\"application/octet-stream\" sparkle:edSignature=\"AAAA\"/>\n\t\t</item>";
    let older_item = "<item><title>Version 1.1.0</title><sparkle:version>110</sparkle:version><enclosure url=\"https://example.org/1.1.0/Hello.zip\" length=\"4\" type=\"application/octet-stream\"/></item>";
    let previous = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<rss xmlns:sparkle=\"http://www.andymatuschak.org/xml-namespaces/sparkle\" version=\"2.0\">\n\t<channel>\n\t\t<title>Hello</title>\n\t\t{old_item}\n\t\t{older_item}\n\t</channel>\n</rss>\n"
    );
    let updated = prepend(
        "previous-appcast.xml",
        &previous,
        std::slice::from_ref(&new),
    )
    .unwrap();
    assert_eq!(
        prepend(
            "previous-appcast.xml",
            &previous,
            std::slice::from_ref(&new)
        )
        .unwrap(),
        updated
    );

    let at = previous.find("<item>").unwrap();
    assert!(
        updated.starts_with(&previous[..at]),
        "the head changed:\n{updated}"
    );
    assert!(
        updated.ends_with(&previous[at..]),
        "the old items changed:\n{updated}"
    );
    assert!(updated.contains(old_item) && updated.contains(older_item));
    assert!(
        updated[at..].starts_with("<item>\n\t\t\t<title>Version 1.3.0</title>\n"),
        "{updated}"
    );

    let read = read_items(dir.path(), &updated);
    let versions: Vec<&str> = read
        .iter()
        .map(|i| i["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["130", "120", "110"]);
    let verdict = python(
        VERIFY,
        &[
            &key.public_key(),
            &read[0]["signature"].as_str().unwrap(),
            &file,
        ],
    );
    assert_eq!(verdict, "good\n");

    // A second release on top keeps the first one unchanged too.
    let next = item(&key, &file, "140", "1.4.0", SparkleArch::Universal);
    let again = prepend("appcast.xml", &updated, &[next]).unwrap();
    assert!(again.ends_with(&updated[at..]));
    let err = prepend("appcast.xml", &again, &[new]).unwrap_err();
    assert!(matches!(err, FeedError::DuplicateRelease { .. }), "{err:?}");
    assert!(
        err.to_string().contains("appcast.xml") && err.to_string().contains("130"),
        "{err}"
    );
}

#[test]
fn prepend_declares_the_namespace_and_fills_an_empty_channel() {
    let dir = TempDir::new().unwrap();
    let new = first_release(dir.path());
    let previous =
        "<rss version=\"2.0\">\n  <channel>\n    <title>Hello</title>\n  </channel>\n</rss>\n";
    let updated = prepend("appcast.xml", previous, std::slice::from_ref(&new)).unwrap();
    assert!(updated.starts_with(
        "<rss xmlns:sparkle=\"http://www.andymatuschak.org/xml-namespaces/sparkle\" version=\"2.0\">\n  <channel>\n    <title>Hello</title>\n    <item>\n"
    ), "{updated}");
    assert!(
        updated.ends_with("    </item>\n  </channel>\n</rss>\n"),
        "{updated}"
    );
    let read = read_items(dir.path(), &updated);
    assert_eq!(read.len(), 1);
    assert_eq!(read[0]["length"], "3");
}

#[test]
fn a_previous_feed_that_is_not_an_appcast_is_an_error_naming_it() {
    let dir = TempDir::new().unwrap();
    let new = first_release(dir.path());
    let cases = [
        ("<html><body>404</body></html>", "root element is <html>"),
        (
            "<rss version=\"2.0\"><title>x</title></rss>",
            "no <channel>",
        ),
        ("<rss><channel><item></channel></rss>", "not well-formed"),
        ("<rss><channel>", "ends before <channel> is closed"),
        ("", "no root element"),
        ("{\"version\": \"1.0.0\"}", "no root element"),
        (
            "<rss xmlns:sparkle=\"urn:other\"><channel/></rss>",
            "binds the prefix",
        ),
    ];
    for (previous, why) in cases {
        let err = prepend("dist/appcast.xml", previous, std::slice::from_ref(&new)).unwrap_err();
        assert!(
            matches!(err, FeedError::NotAnAppcast { .. }),
            "{previous}: {err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("`dist/appcast.xml`"), "{message}");
        assert!(message.contains(why), "{previous}: {message}");
        assert!(
            message.contains("pass the appcast.xml of the previous release"),
            "{message}"
        );
    }
}

#[test]
fn text_is_escaped_and_read_back_exactly() {
    let dir = TempDir::new().unwrap();
    let key = key();
    let file = dir.path().join("Hello.zip");
    fs::write(&file, b"zip").unwrap();
    let mut tricky = item(
        &key,
        &file,
        "5",
        "5.0 <beta> & \"more\" 'too'",
        SparkleArch::Universal,
    );
    tricky.enclosure.url = "https://example.org/get?file=Hello.zip&arch=any".into();
    let channel = AppcastChannel {
        title: "Q&A <Tool>".into(),
        ..channel()
    };
    let appcast = write_appcast(&channel, &[tricky.clone()]).unwrap();
    let read = read_items(dir.path(), &appcast);
    assert_eq!(read[0]["short"], tricky.short_version);
    assert_eq!(read[0]["title"], tricky.title);
    assert_eq!(read[0]["url"], tricky.enclosure.url);
    assert!(
        appcast.contains("<title>Q&amp;A &lt;Tool&gt;</title>"),
        "{appcast}"
    );

    let mut control = tricky;
    control.title = "bell\u{7}".into();
    let err = write_appcast(&channel, &[control]).unwrap_err();
    assert!(err.to_string().contains("control character"), "{err}");
}

#[test]
fn info_plist_values_are_checked() {
    let key = key();
    let keys = SparklePlistKeys::new("https://example.org/appcast.xml", &key.public_key()).unwrap();
    assert_eq!(
        keys.entries()[0],
        ("SUFeedURL", "https://example.org/appcast.xml")
    );
    assert_eq!(keys.entries()[1].0, "SUPublicEDKey");
    let err = SparklePlistKeys::new("appcast.xml", &key.public_key()).unwrap_err();
    assert!(err.to_string().contains("SUFeedURL"), "{err}");
    let err = SparklePlistKeys::new("https://example.org/a.xml", "c2hvcnQ=").unwrap_err();
    assert!(err.to_string().contains("generate_keys -p"), "{err}");
}
