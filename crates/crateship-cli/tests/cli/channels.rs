//! `[channels]` through `crateship dist`: every channel lands under
//! `channels/NAME/`, is listed in `SHA256SUMS` (which `sha256sum -c` checks) and
//! the manifest, the repositories' signatures verify with `gpgv` against the
//! keyring they ship, the manifests are accepted by their ecosystems' readers
//! (`shellcheck`, `ruby -c`, `makepkg --printsrcinfo` is the crate's test), the
//! winget manifest carries the ProductCode `msiinfo` reads from the MSI, two runs
//! give the same bytes, `--channels-from` keeps the older package in the
//! repositories, and bad input writes no channel.

use std::path::{Path, PathBuf};

use crate::support::signing::{minisign_keypair, pgp_keypair};
use crate::support::{binary_dir_for_all, crateship, run, stderr, tiny_project, verify};

const CHANNELS: &str = "[package.metadata.crateship.channels]\n\
    base-url = \"https://example.org/tiny/{version}\"\n\
    aur = true\nwinget = true\nscoop = true\nhomebrew = true\ninstall-sh = true\n\
    [package.metadata.crateship.channels.apt]\nurl = \"https://example.org/apt\"\n\
    [package.metadata.crateship.channels.rpm]\nurl = \"https://example.org/rpm\"\n";

const SIGNING: &str = "[package.metadata.crateship.signing]\n\
    pgp-key-env = \"TINY_PGP_KEY\"\nminisign-key-env = \"TINY_MINISIGN_KEY\"\n";

struct Project {
    tmp: tempfile::TempDir,
    manifest: PathBuf,
    bins: PathBuf,
    pgp_secret: String,
    minisign_secret: String,
}

fn project(config: &str) -> Project {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny project");
    let manifest = tiny_project(
        &dir,
        "tiny",
        &format!("identifier = \"org.example.tiny\"\n{config}"),
    );
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]\n\
         homepage = \"https://example.org/tiny\"",
    );
    std::fs::write(&manifest, toml).unwrap();
    let bins = binary_dir_for_all(tmp.path(), "tiny");
    let (pgp_secret, _) = pgp_keypair(&tmp.path().join("gnupg"), "ed25519");
    minisign_keypair(tmp.path());
    let minisign_secret = std::fs::read_to_string(tmp.path().join("minisign.key")).unwrap();
    Project {
        tmp,
        manifest,
        bins,
        pgp_secret,
        minisign_secret,
    }
}

impl Project {
    /// `crateship dist` of the Linux gnu and Windows targets into `out`.
    fn dist(&self, out: &Path, extra: &[&str]) -> std::process::Output {
        let mut cmd = crateship();
        cmd.args(["dist", "--no-build", "--binary-dir"])
            .arg(&self.bins)
            .arg("--manifest-path")
            .arg(&self.manifest)
            .arg("--out-dir")
            .arg(out)
            .args(["--target", "x86_64-unknown-linux-gnu"])
            .args(["--target", "x86_64-pc-windows-gnu"])
            .args(["--format", "deb", "--format", "rpm", "--format", "tar.gz"])
            .args(["--format", "msi", "--format", "zip"])
            .args(extra)
            .env("TINY_PGP_KEY", &self.pgp_secret)
            .env("TINY_MINISIGN_KEY", &self.minisign_secret)
            .env("SOURCE_DATE_EPOCH", "1700000000");
        run(&mut cmd)
    }

    fn set_version(&self, version: &str) {
        let toml = std::fs::read_to_string(&self.manifest)
            .unwrap()
            .replace("version = \"0.4.2\"", &format!("version = \"{version}\""));
        std::fs::write(&self.manifest, toml).unwrap();
    }
}

/// Every file below `dir/channels`, relative to `dir`, sorted.
fn channel_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.join("channels")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                found.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    found
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn dist_writes_every_channel_listed_signed_and_reproducible() {
    let p = project(&format!("{CHANNELS}{SIGNING}"));
    let out = p.tmp.path().join("out");
    let done = p.dist(&out, &[]);
    assert!(done.status.success(), "dist: {}", stderr(&done));

    let files = channel_files(&out);
    for must in [
        "channels/apt/dists/stable/InRelease",
        "channels/apt/dists/stable/Release.gpg",
        "channels/apt/tiny-archive-keyring.gpg",
        "channels/apt/tiny.sources",
        "channels/rpm/repodata/repomd.xml",
        "channels/rpm/repodata/repomd.xml.asc",
        "channels/rpm/tiny.repo",
        "channels/aur/PKGBUILD",
        "channels/aur/.SRCINFO",
        "channels/scoop/tiny.json",
        "channels/homebrew/Formula/tiny.rb",
        "channels/install-sh/install.sh",
    ] {
        assert!(
            files.iter().any(|f| f == must),
            "{must} missing: {files:#?}"
        );
    }
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("channels/apt/pool/") && f.ends_with(".deb"))
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("channels/rpm/Packages/") && f.ends_with(".rpm"))
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("channels/winget/") && f.ends_with(".installer.yaml"))
    );

    // Listed in SHA256SUMS and the manifest; the sums check out and are signed.
    let sums = read(&out.join("SHA256SUMS"));
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("dist-manifest.json"))).unwrap();
    let listed: Vec<&str> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    for f in &files {
        assert!(
            sums.lines().any(|l| l.ends_with(&format!("  {f}"))),
            "{f} not in SHA256SUMS"
        );
        assert!(listed.contains(&f.as_str()), "{f} not in the manifest");
    }
    verify("sha256sum", &["--quiet", "-c", "SHA256SUMS"], &out);
    assert!(out.join("SHA256SUMS.asc").is_file());

    // The repositories verify with the keyring the apt channel ships.
    let keyring = out.join("channels/apt/tiny-archive-keyring.gpg");
    let keyring = keyring.to_str().unwrap();
    verify(
        "gpgv",
        &["--keyring", keyring, "channels/apt/dists/stable/InRelease"],
        &out,
    );
    verify(
        "gpgv",
        &[
            "--keyring",
            keyring,
            "channels/rpm/repodata/repomd.xml.asc",
            "channels/rpm/repodata/repomd.xml",
        ],
        &out,
    );

    // The manifests are what their ecosystems read.
    verify("shellcheck", &["channels/install-sh/install.sh"], &out);
    verify("ruby", &["-c", "channels/homebrew/Formula/tiny.rb"], &out);
    let msi = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "msi"))
        .unwrap();
    let property = p.tmp.path().join("Property.idt");
    let exported = verify(
        "msiinfo",
        &["export", msi.to_str().unwrap(), "Property"],
        p.tmp.path(),
    );
    std::fs::write(&property, &exported).unwrap();
    let product_code = exported
        .lines()
        .find_map(|l| l.strip_prefix("ProductCode\t"))
        .unwrap()
        .trim()
        .to_owned();
    let installer = files
        .iter()
        .find(|f| f.ends_with(".installer.yaml"))
        .unwrap();
    assert!(
        read(&out.join(installer)).contains(&product_code),
        "winget installer lacks {product_code}"
    );
    // The hashes in the manifests are the artifacts' final ones.
    let tar = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with("linux-gnu.tar.gz"))
        .unwrap();
    let tar_sum = sums
        .lines()
        .find(|l| l.ends_with(&format!("  {tar}")))
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    assert!(read(&out.join("channels/aur/PKGBUILD")).contains(tar_sum));
    assert!(read(&out.join("channels/homebrew/Formula/tiny.rb")).contains(tar_sum));

    // Same inputs, same bytes.
    let again = p.tmp.path().join("again");
    let done = p.dist(&again, &[]);
    assert!(done.status.success(), "second dist: {}", stderr(&done));
    assert_eq!(channel_files(&again), files);
    for f in &files {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f} differs between two runs"
        );
    }

    // The next release, merging the previous repositories: both versions listed,
    // and a second run into the same out dir leaves no stale file unlisted.
    p.set_version("0.4.3");
    let next = p.tmp.path().join("next");
    for _ in 0..2 {
        let done = p.dist(&next, &["--channels-from", out.to_str().unwrap()]);
        assert!(done.status.success(), "next dist: {}", stderr(&done));
    }
    let packages = read(&next.join("channels/apt/dists/stable/main/binary-amd64/Packages"));
    assert!(
        packages.contains("Version: 0.4.2") && packages.contains("Version: 0.4.3"),
        "{packages}"
    );
    let primary_pkgs: Vec<String> = channel_files(&next)
        .into_iter()
        .filter(|f| f.starts_with("channels/rpm/Packages/"))
        .collect();
    assert_eq!(primary_pkgs.len(), 2, "{primary_pkgs:?}");
    verify("sha256sum", &["--quiet", "-c", "SHA256SUMS"], &next);
    let next_sums = read(&next.join("SHA256SUMS"));
    for f in channel_files(&next) {
        assert!(
            next_sums.lines().any(|l| l.ends_with(&format!("  {f}"))),
            "{f} unlisted"
        );
    }
}

#[test]
fn bad_channel_input_is_refused_and_writes_no_channel() {
    let cases: [(&str, &[&str], &str); 4] = [
        // apt with no deb in the release.
        (
            "[package.metadata.crateship.channels]\nbase-url = \"https://example.org/d\"\napt = {}\n\
             [package.metadata.crateship.signing]\npgp-key-env = \"TINY_PGP_KEY\"\n",
            &["--format", "tar.gz"],
            "needs a `deb`",
        ),
        // A repository without an OpenPGP key.
        (
            "[package.metadata.crateship.channels]\nbase-url = \"https://example.org/d\"\nrpm = {}\n\
             [package.metadata.crateship.signing]\nminisign-key-env = \"TINY_MINISIGN_KEY\"\n",
            &[],
            "signing.pgp-key-env",
        ),
        // A base URL that is not http(s).
        (
            "[package.metadata.crateship.channels]\nbase-url = \"ftp://example.org/d\"\naur = true\n",
            &[],
            "not an http(s) URL",
        ),
        // A previous release that is not one.
        (
            "[package.metadata.crateship.channels]\nbase-url = \"https://example.org/d\"\naur = true\n",
            &["--channels-from", "/"],
            "is not a crateship release",
        ),
    ];
    for (config, extra, expected) in cases {
        let p = project(config);
        let out = p.tmp.path().join("out");
        let mut cmd = crateship();
        cmd.args(["dist", "--no-build", "--binary-dir"])
            .arg(&p.bins)
            .arg("--manifest-path")
            .arg(&p.manifest)
            .arg("--out-dir")
            .arg(&out)
            .args(["--target", "x86_64-unknown-linux-gnu"])
            .args(extra)
            .env("TINY_PGP_KEY", &p.pgp_secret)
            .env("TINY_MINISIGN_KEY", &p.minisign_secret);
        let done = run(&mut cmd);
        let err = stderr(&done);
        assert!(!done.status.success(), "{config}: succeeded");
        assert!(err.contains(expected), "{config}: {err}");
        assert!(
            !out.join("channels").exists(),
            "{config}: a channel was written"
        );
        assert!(
            !out.join("SHA256SUMS").exists(),
            "{config}: a release was written"
        );
    }
}
