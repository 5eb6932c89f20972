//! `[updates]` through `crateship dist`, checked with the updaters' own tools:
//! each `latest.json` signature verifies with the `minisign` CLI (and a flipped
//! byte fails), the appcast is RSS that `xmllint` and Python read and whose
//! `edSignature` verifies with `pynacl` against the key `crateship updates
//! pubkey` prints, the app's Info.plist (`plistlib`) names the feed and key, the
//! AppImage's embedded update information names the `.zsync` beside it (whose
//! SHA-1 and length are the AppImage's), `--previous-feed` keeps older items byte
//! for byte, two runs give the same feeds, and bad input writes no feed.
//! (`crateship-feeds`' tests run the `zsync` client and `zsyncmake` on the
//! `.zsync` format itself.)

use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};

use crate::support::signing::minisign_keypair;
use crate::support::{
    TRIVIAL_C, compile_c, crateship, run, static_linux_binary, stderr, stdout, tiny_project, verify,
};

const MAC: &str = "aarch64-apple-darwin";
const LINUX: &str = "x86_64-unknown-linux-gnu";

struct Project {
    tmp: tempfile::TempDir,
    manifest: PathBuf,
    bins: PathBuf,
    minisign_secret: String,
    sparkle_secret: String,
}

fn project(updates: &str) -> Project {
    let tmp = tempfile::tempdir().unwrap();
    let config = format!(
        "identifier = \"org.example.tiny\"\n\
         [package.metadata.crateship.signing]\nminisign-key-env = \"TINY_MINISIGN_KEY\"\n\
         [package.metadata.crateship.updates]\n{updates}"
    );
    let manifest = tiny_project(&tmp.path().join("p"), "tiny", &config);
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    // One binary dir, one subdirectory per target whose binary is `tiny`.
    let bins = tmp.path().join("bins");
    static_linux_binary(&bins.join(LINUX).join("tiny"));
    compile_c(
        TRIVIAL_C,
        "aarch64-macos.11.0",
        &bins.join(MAC).join("tiny"),
        &[],
    );
    crate::support::signing::windows_exe(&bins.join("tiny.exe"));
    minisign_keypair(tmp.path());
    let minisign_secret = std::fs::read_to_string(tmp.path().join("minisign.key")).unwrap();
    let sparkle_secret = Base64::encode_string(&[7u8; 32]);
    Project {
        tmp,
        manifest,
        bins,
        minisign_secret,
        sparkle_secret,
    }
}

impl Project {
    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = crateship();
        cmd.args(args)
            .arg("--manifest-path")
            .arg(&self.manifest)
            .env("TINY_MINISIGN_KEY", &self.minisign_secret)
            .env("TINY_SPARKLE_KEY", &self.sparkle_secret)
            .env("SOURCE_DATE_EPOCH", "1700000000");
        cmd
    }

    fn dist(&self, out: &Path, extra: &[&str]) -> std::process::Output {
        let mut cmd = self.command(&["dist", "--no-build"]);
        cmd.arg("--binary-dir")
            .arg(&self.bins)
            .arg("--out-dir")
            .arg(out)
            .args(["--target", LINUX, "--target", "x86_64-pc-windows-gnu"])
            .args(["--target", MAC])
            .args(["--format", "appimage", "--format", "msi"])
            .args(["--format", "app.tar.gz", "--format", "dmg"])
            .args(extra);
        run(&mut cmd)
    }

    fn set_version(&self, version: &str) {
        let toml = std::fs::read_to_string(&self.manifest)
            .unwrap()
            .replace("version = \"0.4.2\"", &format!("version = \"{version}\""));
        std::fs::write(&self.manifest, toml).unwrap();
    }
}

const UPDATES: &str = "base-url = \"https://example.org/tiny/{version}\"\n\
    feed-url = \"https://example.org/tiny/latest\"\n\
    sparkle-key-env = \"TINY_SPARKLE_KEY\"\n";

fn python(script: &str, args: &[&str], dir: &Path) -> String {
    let mut all = vec!["-c", script];
    all.extend_from_slice(args);
    verify("python3", &all, dir)
}

/// `minisign -V` of `file` against the signature at `sig` and the public key line.
fn minisign_verify(pubkey_line: &str, sig: &Path, file: &Path) -> std::process::Output {
    run(std::process::Command::new("minisign")
        .args(["-V", "-q", "-P", pubkey_line, "-x"])
        .arg(sig)
        .arg("-m")
        .arg(file))
}

fn file_named(dir: &Path, suffix: &str) -> String {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(suffix) && !n.starts_with('.'))
        .unwrap_or_else(|| panic!("no *{suffix} in {}", dir.display()))
}

#[test]
fn feeds_are_signed_after_every_signature_and_read_by_the_updaters_tools() {
    let p = project(UPDATES);
    let out = p.tmp.path().join("out");
    let done = p.dist(&out, &[]);
    assert!(done.status.success(), "dist: {}", stderr(&done));

    // The public keys the app is built with.
    let keys = run(&mut p.command(&["updates", "pubkey", "--json"]));
    assert!(keys.status.success(), "pubkey: {}", stderr(&keys));
    let keys: serde_json::Value = serde_json::from_str(&stdout(&keys)).unwrap();
    let minisign_pub = std::fs::read_to_string(p.tmp.path().join("minisign.pub")).unwrap();
    let updater_key = Base64::decode_vec(keys["updater"].as_str().unwrap()).unwrap();
    // The key line is the key; the comment line above it is free text.
    assert_eq!(
        String::from_utf8(updater_key).unwrap().lines().nth(1),
        minisign_pub.lines().nth(1)
    );
    let sparkle_pub = keys["sparkle"].as_str().unwrap().to_owned();

    // latest.json: one entry per platform, each signature verified by minisign.
    let latest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("latest.json")).unwrap()).unwrap();
    assert_eq!(latest["version"], "0.4.2");
    assert_eq!(latest["pub_date"], "2023-11-14T22:13:20Z");
    let platforms = latest["platforms"].as_object().unwrap();
    let expect = [
        ("linux-x86_64", ".AppImage"),
        ("windows-x86_64", ".msi"),
        ("darwin-aarch64", ".app.tar.gz"),
    ];
    let pubkey_line = minisign_pub.lines().nth(1).unwrap();
    for (platform, suffix) in expect {
        let entry = &platforms[platform];
        let name = file_named(&out, suffix);
        assert_eq!(
            entry["url"].as_str().unwrap(),
            format!("https://example.org/tiny/0.4.2/{name}"),
            "{platform}"
        );
        let sig = Base64::decode_vec(entry["signature"].as_str().unwrap()).unwrap();
        let sig_path = p.tmp.path().join(format!("{platform}.minisig"));
        std::fs::write(&sig_path, &sig).unwrap();
        let sig_text = String::from_utf8(sig).unwrap();
        assert!(
            sig_text.contains(&format!("file:{name}")) && sig_text.contains("version:0.4.2"),
            "{sig_text}"
        );
        let file = out.join(&name);
        let check = |path: &Path| minisign_verify(pubkey_line, &sig_path, path);
        let ok = check(&file);
        assert!(ok.status.success(), "minisign -V {name}: {}", stderr(&ok));
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        let flipped = p.tmp.path().join(format!("flipped-{name}"));
        std::fs::write(&flipped, bytes).unwrap();
        assert!(
            !check(&flipped).status.success(),
            "a flipped byte of {name} verified"
        );
    }

    // The appcast: RSS with the Sparkle namespace, the dmg's length and signature.
    verify("xmllint", &["--noout", "appcast.xml"], &out);
    let dmg = file_named(&out, ".dmg");
    let checked = python(
        r#"
import base64, os, sys, xml.etree.ElementTree as ET
from nacl.signing import VerifyKey
out, dmg, key = sys.argv[1:4]
ns = {"sparkle": "http://www.andymatuschak.org/xml-namespaces/sparkle"}
root = ET.parse(os.path.join(out, "appcast.xml")).getroot()
assert root.tag == "rss", root.tag
items = root.findall("channel/item")
assert len(items) == 1, len(items)
enc = items[0].find("enclosure")
assert enc.get("url").endswith("/" + dmg), enc.get("url")
data = open(os.path.join(out, dmg), "rb").read()
assert int(enc.get("length")) == len(data)
sig = enc.get("{%s}edSignature" % ns["sparkle"])
VerifyKey(base64.b64decode(key)).verify(data, base64.b64decode(sig))
print(items[0].find("sparkle:shortVersionString", ns).text)
"#,
        &[out.to_str().unwrap(), &dmg, &sparkle_pub],
        &out,
    );
    assert_eq!(checked.trim(), "0.4.2");

    // Info.plist of the shipped app carries the feed and the key.
    let unpacked = p.tmp.path().join("app");
    std::fs::create_dir_all(&unpacked).unwrap();
    let app_tar = out.join(file_named(&out, ".app.tar.gz"));
    verify(
        "tar",
        &[
            "-xzf",
            app_tar.to_str().unwrap(),
            "-C",
            unpacked.to_str().unwrap(),
        ],
        &unpacked,
    );
    let plist = python(
        r#"
import glob, plistlib, sys
path = glob.glob(sys.argv[1] + "/*.app/Contents/Info.plist")[0]
info = plistlib.load(open(path, "rb"))
print(info["SUFeedURL"]); print(info["SUPublicEDKey"])
"#,
        &[unpacked.to_str().unwrap()],
        &unpacked,
    );
    let mut lines = plist.lines();
    assert_eq!(
        lines.next(),
        Some("https://example.org/tiny/latest/appcast.xml")
    );
    assert_eq!(lines.next(), Some(sparkle_pub.as_str()));

    // The AppImage names the stable .zsync beside it, which describes its bytes.
    let appimage = file_named(&out, ".AppImage");
    let zsync_name = file_named(&out, ".AppImage.zsync");
    assert!(zsync_name.contains("-latest-"), "{zsync_name}");
    let image = std::fs::read(out.join(&appimage)).unwrap();
    let info = format!("zsync|https://example.org/tiny/latest/{zsync_name}");
    assert!(
        image.windows(info.len()).any(|w| w == info.as_bytes()),
        "the AppImage does not embed {info}"
    );
    let zsync = std::fs::read(out.join(&zsync_name)).unwrap();
    let header =
        String::from_utf8_lossy(&zsync[..zsync.windows(2).position(|w| w == b"\n\n").unwrap()])
            .into_owned();
    let sha1 = verify("sha1sum", &[&appimage], &out);
    let sha1 = sha1.split(' ').next().unwrap();
    assert!(header.contains(&format!("SHA-1: {sha1}")), "{header}");
    assert!(
        header.contains(&format!("Length: {}", image.len())),
        "{header}"
    );

    // Every feed is listed in SHA256SUMS, which checks out.
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    for feed in ["latest.json", "appcast.xml", zsync_name.as_str()] {
        assert!(
            sums.lines().any(|l| l.ends_with(&format!("  {feed}"))),
            "{feed} unlisted"
        );
    }
    verify("sha256sum", &["--quiet", "-c", "SHA256SUMS"], &out);

    // Reproducible: the same inputs give the same feeds.
    let again = p.tmp.path().join("again");
    let done = p.dist(&again, &[]);
    assert!(done.status.success(), "second dist: {}", stderr(&done));
    for feed in ["latest.json", "appcast.xml", zsync_name.as_str()] {
        assert_eq!(
            std::fs::read(out.join(feed)).unwrap(),
            std::fs::read(again.join(feed)).unwrap(),
            "{feed} differs between runs"
        );
    }

    // The next release prepends its item and keeps the old one byte for byte.
    let old = std::fs::read_to_string(out.join("appcast.xml")).unwrap();
    let old_item = &old[old.find("<item>").unwrap()..old.rfind("</item>").unwrap() + 7];
    p.set_version("0.4.3");
    let next = p.tmp.path().join("next");
    let previous = out.join("appcast.xml");
    let done = p.dist(&next, &["--previous-feed", previous.to_str().unwrap()]);
    assert!(done.status.success(), "next dist: {}", stderr(&done));
    let new = std::fs::read_to_string(next.join("appcast.xml")).unwrap();
    assert!(new.contains(old_item), "the previous item changed:\n{new}");
    let first_new = new.find("0.4.3").unwrap();
    assert!(
        first_new < new.find(old_item).unwrap(),
        "the new item is not first"
    );
    verify("xmllint", &["--noout", "appcast.xml"], &next);
}

#[test]
fn bad_update_settings_are_refused_and_write_no_feed() {
    let not_appcast = "previous.xml";
    let cases: [(&str, &str, &[&str], &str); 5] = [
        (
            "base-url = \"ftp://example.org/d\"\n",
            "",
            &[],
            "not an http(s) URL",
        ),
        (UPDATES, "TINY_MINISIGN_KEY", &[], "TINY_MINISIGN_KEY"),
        (UPDATES, "TINY_SPARKLE_KEY", &[], "TINY_SPARKLE_KEY"),
        (
            "base-url = \"https://example.org/tiny/{version}\"\n",
            "",
            &[],
            "feed-url",
        ),
        (UPDATES, "", &["--previous-feed", not_appcast], "appcast"),
    ];
    for (updates, unset, extra, expected) in cases {
        let p = project(updates);
        std::fs::write(p.tmp.path().join(not_appcast), "<html>not a feed</html>\n").unwrap();
        let extra: Vec<String> = extra
            .iter()
            .map(|a| {
                if *a == not_appcast {
                    p.tmp.path().join(a).to_string_lossy().into_owned()
                } else {
                    (*a).to_owned()
                }
            })
            .collect();
        let out = p.tmp.path().join("out");
        let mut cmd = p.command(&["dist", "--no-build"]);
        cmd.arg("--binary-dir")
            .arg(&p.bins)
            .arg("--out-dir")
            .arg(&out)
            .args(["--target", LINUX, "--target", MAC])
            .args(["--format", "appimage", "--format", "dmg"])
            .args(&extra);
        if !unset.is_empty() {
            // Unset, then malformed: both are refused by name.
            cmd.env_remove(unset);
        }
        let done = run(&mut cmd);
        let err = stderr(&done);
        assert!(!done.status.success(), "{updates} / {unset}: succeeded");
        assert!(err.contains(expected), "{updates} / {unset}: {err}");
        for feed in ["latest.json", "appcast.xml"] {
            assert!(!out.join(feed).exists(), "{updates}: {feed} was written");
        }
        if !unset.is_empty() {
            cmd.env(unset, "not a key");
            let done = run(&mut cmd);
            let err = stderr(&done);
            assert!(!done.status.success(), "malformed {unset}: succeeded");
            assert!(err.contains(unset), "malformed {unset}: {err}");
            assert!(!err.contains("not a key"), "the secret was echoed: {err}");
            assert!(!out.join("latest.json").exists());
        }
    }
}

#[test]
fn per_target_runs_into_one_out_dir_share_one_latest_json() {
    let p = project(UPDATES);
    let out = p.tmp.path().join("out");
    let one = |target: &str, format: &str| {
        let mut cmd = p.command(&["dist", "--no-build"]);
        cmd.arg("--binary-dir")
            .arg(&p.bins)
            .arg("--out-dir")
            .arg(&out)
            .args(["--target", target, "--format", format]);
        let done = run(&mut cmd);
        assert!(done.status.success(), "dist {target}: {}", stderr(&done));
        let text = std::fs::read_to_string(out.join("latest.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    // Two CI jobs of one release, one after the other: the second keeps the first's platform.
    one(LINUX, "appimage");
    let latest = one("x86_64-pc-windows-gnu", "msi");
    let platforms = latest["platforms"].as_object().unwrap();
    let keys: Vec<&String> = platforms.keys().collect();
    assert_eq!(keys, ["linux-x86_64", "windows-x86_64"], "{latest}");
    let pubkey_line = std::fs::read_to_string(p.tmp.path().join("minisign.pub")).unwrap();
    let pubkey_line = pubkey_line.lines().nth(1).unwrap();
    for (platform, suffix) in [("linux-x86_64", ".AppImage"), ("windows-x86_64", ".msi")] {
        let sig = Base64::decode_vec(platforms[platform]["signature"].as_str().unwrap()).unwrap();
        let sig_path = p.tmp.path().join(format!("{platform}.minisig"));
        std::fs::write(&sig_path, sig).unwrap();
        let file = out.join(file_named(&out, suffix));
        let ok = minisign_verify(pubkey_line, &sig_path, &file);
        assert!(
            ok.status.success(),
            "minisign -V {platform}: {}",
            stderr(&ok)
        );
    }
    verify("sha256sum", &["-c", "SHA256SUMS"], &out);

    // A run of the next version starts a new feed: the old platform is not offered.
    p.set_version("0.4.3");
    let latest = one("x86_64-pc-windows-gnu", "msi");
    let keys: Vec<&String> = latest["platforms"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["windows-x86_64"], "{latest}");
    assert_eq!(latest["version"], "0.4.3");
}
