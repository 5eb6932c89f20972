//! The real updater installs what crateship publishes: a tiny app that uses
//! `cargo-packager-updater` from crates.io (tests/fixtures/updater-app) is built at
//! 1.0.0 and 1.1.0, each packaged as an AppImage with `[updates]` pointing at a
//! loopback HTTP server; the running 1.0.0 AppImage reads 1.1.0's `latest.json`,
//! verifies the minisign signature with the key `crateship updates pubkey` prints,
//! and replaces itself, after which it prints 1.1.0. An AppImage altered by one
//! byte, a signature from another key and a feed that is not newer are each
//! refused by the updater, and the installed AppImage is left as it was. Debian's
//! `zsync` client, seeded with 1.0.0, rebuilds 1.1.0 from its `.zsync` and fetches
//! only part of it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::signing::minisign_keypair;
use crate::support::{crateship, repo_root, run, stderr, stdout};
use crateship_testkit::http::Server;

const TARGET: &str = "x86_64-unknown-linux-gnu";
const KEY_ENV: &str = "UPDATER_APP_MINISIGN_KEY";

/// The fixture app's source, copied to `dir` with its version set to `version`.
fn app_project(dir: &Path, version: &str, base_url: &str) -> PathBuf {
    let fixture = repo_root().join("crates/crateship-cli/tests/fixtures/updater-app");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    for file in ["Cargo.lock", "src/main.rs"] {
        std::fs::copy(fixture.join(file), dir.join(file)).unwrap();
    }
    let toml = std::fs::read_to_string(fixture.join("Cargo.toml"))
        .unwrap()
        .replace("version = \"1.0.0\"", &format!("version = \"{version}\""));
    let config = format!(
        "\n[package.metadata.crateship]\nidentifier = \"org.example.updaterapp\"\n\
         [package.metadata.crateship.signing]\nminisign-key-env = \"{KEY_ENV}\"\n\
         [package.metadata.crateship.updates]\nbase-url = \"{base_url}\"\n"
    );
    std::fs::write(dir.join("Cargo.toml"), toml + &config).unwrap();
    std::fs::write(dir.join("README.md"), "# updater-app\n").unwrap();
    dir.join("Cargo.toml")
}

/// Builds the app at `manifest` with the host cargo into a target dir kept between
/// runs (only the app itself is recompiled) and copies its binary into `bins`.
fn build_app(manifest: &Path, bins: &Path) {
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("updater-app-target");
    let out = run(Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(manifest)
        .env("CARGO_TARGET_DIR", &target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS"));
    assert!(
        out.status.success(),
        "building the updater app: {}",
        stderr(&out)
    );
    std::fs::create_dir_all(bins).unwrap();
    std::fs::copy(
        target_dir.join("release/updater-app"),
        bins.join("updater-app"),
    )
    .unwrap();
}

/// One packaged release: its out dir and AppImage.
struct Release {
    out: PathBuf,
    appimage: PathBuf,
}

/// Builds and packages the app at `version` under `root`.
fn release(root: &Path, version: &str, base_url: &str, secret: &str) -> Release {
    let dir = root.join(format!("app-{version}"));
    let manifest = app_project(&dir.join("project"), version, base_url);
    let bins = dir.join("bins");
    build_app(&manifest, &bins);
    let out = dir.join("out");
    let done = run(crateship()
        .args([
            "dist",
            "--no-build",
            "--format",
            "appimage",
            "--target",
            TARGET,
        ])
        .arg("--binary-dir")
        .arg(&bins)
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--out-dir")
        .arg(&out)
        .env(KEY_ENV, secret)
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert!(done.status.success(), "dist {version}: {}", stderr(&done));
    let appimage = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "AppImage"))
        .unwrap_or_else(|| panic!("no AppImage in {}", out.display()));
    Release { out, appimage }
}

/// The updater key (`crateship updates pubkey --json`, field `updater`) of a project.
fn updater_pubkey(manifest: &Path, secret: &str) -> String {
    let keys = run(crateship()
        .args(["updates", "pubkey", "--json", "--manifest-path"])
        .arg(manifest)
        .env(KEY_ENV, secret));
    assert!(keys.status.success(), "pubkey: {}", stderr(&keys));
    let keys: serde_json::Value = serde_json::from_str(&stdout(&keys)).unwrap();
    keys["updater"].as_str().unwrap().to_owned()
}

/// Makes `served` hold exactly the files of `from`.
fn serve_release(served: &Path, from: &Path) {
    let _ = std::fs::remove_dir_all(served);
    std::fs::create_dir_all(served).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), served.join(entry.file_name())).unwrap();
        }
    }
}

/// Runs the installed AppImage; with `endpoint`, it asks it for an update.
fn run_app(appimage: &Path, update: Option<(&str, &str)>) -> (bool, String) {
    let mut cmd = Command::new(appimage);
    for proxy in ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"] {
        cmd.env_remove(proxy);
    }
    if let Some((endpoint, pubkey)) = update {
        cmd.env("UPDATER_APP_ENDPOINT", endpoint)
            .env("UPDATER_APP_PUBKEY", pubkey);
    }
    let out = run(&mut cmd);
    (
        out.status.success(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

/// A fresh "installed" copy of `release`'s AppImage under `dir`.
fn install(dir: &Path, release: &Release) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let installed = dir.join("Updater App.AppImage");
    std::fs::copy(&release.appimage, &installed).unwrap();
    installed
}

#[test]
fn cargo_packager_updater_installs_the_newer_appimage_and_refuses_bad_feeds() {
    let tmp = tempfile::tempdir().unwrap();
    let served = tmp.path().join("served");
    std::fs::create_dir_all(&served).unwrap();
    let server = Server::start(&served);
    let base_url = server.url("");
    let endpoint = server.url("latest.json");

    minisign_keypair(tmp.path());
    let secret = std::fs::read_to_string(tmp.path().join("minisign.key")).unwrap();
    let old = release(tmp.path(), "1.0.0", &base_url, &secret);
    let new = release(tmp.path(), "1.1.0", &base_url, &secret);
    let pubkey = updater_pubkey(&tmp.path().join("app-1.1.0/project/Cargo.toml"), &secret);
    let stranger = tmp.path().join("stranger");
    std::fs::create_dir_all(&stranger).unwrap();
    minisign_keypair(&stranger);
    let stranger_secret = std::fs::read_to_string(stranger.join("minisign.key")).unwrap();
    let stranger_pubkey = updater_pubkey(
        &tmp.path().join("app-1.1.0/project/Cargo.toml"),
        &stranger_secret,
    );
    let old_bytes = std::fs::read(&old.appimage).unwrap();

    // The good update: 1.0.0 replaces itself with 1.1.0 and then prints 1.1.0.
    serve_release(&served, &new.out);
    let installed = install(&tmp.path().join("good"), &old);
    let (ok, text) = run_app(&installed, None);
    assert!(ok && text.contains("updater-app 1.0.0"), "{text}");
    let (ok, text) = run_app(&installed, Some((&endpoint, &pubkey)));
    assert!(ok && text.contains("updated to 1.1.0"), "update: {text}");
    assert_eq!(
        std::fs::read(&installed).unwrap(),
        std::fs::read(&new.appimage).unwrap(),
        "the installed AppImage is 1.1.0's, byte for byte"
    );
    let (ok, text) = run_app(&installed, None);
    assert!(
        ok && text.contains("updater-app 1.1.0"),
        "after update: {text}"
    );

    // zsync: Debian's client rebuilds 1.1.0 from 1.0.0 (the same app, one line -
    // its version - changed) through our .zsync, fetching only what differs.
    let zsync_file = std::fs::read_dir(&new.out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".AppImage.zsync"))
        .expect("a .zsync beside the AppImage");
    let seeded = tmp.path().join("zsync");
    std::fs::create_dir_all(&seeded).unwrap();
    let before = server.bytes_served(&new.appimage.file_name().unwrap().to_string_lossy());
    let out = run(Command::new("zsync")
        .current_dir(&seeded)
        .args(["-q", "-i"])
        .arg(&old.appimage)
        .args(["-o", "rebuilt.AppImage"])
        .arg(server.url(&zsync_file)));
    assert!(out.status.success(), "zsync: {}", stderr(&out));
    let new_bytes = std::fs::read(&new.appimage).unwrap();
    assert!(std::fs::read(seeded.join("rebuilt.AppImage")).unwrap() == new_bytes);
    let fetched =
        server.bytes_served(&new.appimage.file_name().unwrap().to_string_lossy()) - before;
    eprintln!(
        "zsync fetched {fetched} of {} bytes ({:.1} %) to update 1.0.0 to 1.1.0",
        new_bytes.len(),
        fetched as f64 * 100.0 / new_bytes.len() as f64
    );
    assert!(
        fetched > 0 && (fetched as usize) < new_bytes.len() / 2,
        "zsync fetched {fetched} of {} bytes",
        new_bytes.len()
    );

    // The AppImage altered by one byte: the signature check fails, nothing replaced.
    let name = new.appimage.file_name().unwrap();
    let mut altered = std::fs::read(served.join(name)).unwrap();
    let middle = altered.len() / 2;
    altered[middle] ^= 1;
    std::fs::write(served.join(name), altered).unwrap();
    let installed = install(&tmp.path().join("altered"), &old);
    let (ok, text) = run_app(&installed, Some((&endpoint, &pubkey)));
    assert!(
        !ok && text.contains("update failed"),
        "altered file: {text}"
    );
    assert_eq!(std::fs::read(&installed).unwrap(), old_bytes);

    // A genuine feed, but the app trusts another key.
    serve_release(&served, &new.out);
    let installed = install(&tmp.path().join("stranger-key"), &old);
    let (ok, text) = run_app(&installed, Some((&endpoint, &stranger_pubkey)));
    assert!(!ok && text.contains("update failed"), "other key: {text}");
    assert_eq!(std::fs::read(&installed).unwrap(), old_bytes);

    // A feed whose version is not newer than the running app's.
    serve_release(&served, &old.out);
    let installed = install(&tmp.path().join("not-newer"), &old);
    let (ok, text) = run_app(&installed, Some((&endpoint, &pubkey)));
    assert!(ok && text.contains("no update"), "same version: {text}");
    assert_eq!(std::fs::read(&installed).unwrap(), old_bytes);
}
