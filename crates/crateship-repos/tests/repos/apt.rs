//! apt reads our repository over loopback HTTP in a scratch apt state (its own
//! config, lists, cache, dpkg status and sources; nothing from the host's /etc/apt),
//! verifies `InRelease` (or `Release.gpg`) against our keyring, and downloads and
//! resolves packages from our indexes; dpkg installs the download into a scratch root.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crateship_repos::{AptConfig, write_apt_repo};
use tempfile::TempDir;

use crate::support::{SDE, Server, deb, keys, run, run_ok, tempdir};

/// A scratch apt installation that uses only our `.sources` snippet and keyring.
struct AptRoot {
    dir: TempDir,
}

impl AptRoot {
    fn new() -> AptRoot {
        let dir = tempdir();
        let root = dir.path();
        for sub in [
            "etc/apt/apt.conf.d",
            "etc/apt/preferences.d",
            "etc/apt/sources.list.d",
            "etc/apt/trusted.gpg.d",
            "etc/apt/keyrings",
            "var/lib/apt/lists/partial",
            "var/cache/apt/archives/partial",
            "var/lib/dpkg",
            "var/log/apt",
        ] {
            fs::create_dir_all(root.join(sub)).unwrap();
        }
        fs::write(root.join("var/lib/dpkg/status"), "").unwrap();
        let conf = format!(
            "Dir \"{root}/\";\nDir::State \"var/lib/apt/\";\nDir::State::status \"{root}/var/lib/dpkg/status\";\n\
             Dir::Cache \"var/cache/apt/\";\nDir::Etc \"etc/apt/\";\nDir::Etc::sourcelist \"sources.list\";\n\
             Dir::Etc::sourceparts \"sources.list.d\";\nDir::Etc::trusted \"trusted.gpg\";\n\
             Dir::Etc::trustedparts \"trusted.gpg.d\";\nDir::Etc::preferencesparts \"preferences.d\";\n\
             Dir::Log \"var/log/apt\";\nAPT::Architecture \"amd64\";\nAPT::Architectures {{ \"amd64\"; }};\n\
             APT::Sandbox::User \"root\";\nAcquire::Languages \"none\";\nAcquire::Retries \"0\";\n\
             Acquire::http::Pipeline-Depth \"0\";\nAcquire::http::Proxy \"DIRECT\";\nDebug::NoLocking \"true\";\n",
            root = root.display()
        );
        fs::write(root.join("etc/apt/apt.conf"), conf).unwrap();
        AptRoot { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The repository's `.sources` and keyring installed the way users do it.
    fn add_repository(&self, repo: &Path, config: &AptConfig) {
        fs::copy(repo.join(config.keyring_file_name()), &config.keyring_path).unwrap();
        fs::copy(
            repo.join(config.sources_file_name()),
            self.path("etc/apt/sources.list.d")
                .join(config.sources_file_name()),
        )
        .unwrap();
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("APT_CONFIG", self.path("etc/apt/apt.conf"))
            .env("LC_ALL", "C.UTF-8")
            .current_dir(self.dir.path());
        cmd
    }

    /// `apt-get update`: `(success, output)`.
    fn update(&self) -> (bool, String) {
        run(self.command("apt-get").args(["-q", "update"]))
    }
}

/// A repository config for the server at `url` whose keyring goes into `root`.
fn apt_config(url: &str, root: &AptRoot) -> AptConfig {
    let mut config = AptConfig::new("hello", url);
    config.origin = "Example Org".into();
    config.label = "Example apt".into();
    config.keyring_path = root
        .path("etc/apt/keyrings/hello-archive-keyring.gpg")
        .display()
        .to_string();
    config
}

fn clean(output: &str) -> bool {
    !output
        .lines()
        .any(|l| l.starts_with("W:") || l.starts_with("E:"))
}

#[test]
fn apt_installs_from_our_repository_and_keeps_the_previous_release_installable() {
    let (release, _) = keys();
    let work = tempdir();
    let served = work.path().join("served");
    let server = Server::start(&served);
    let root = AptRoot::new();
    let config = apt_config(&server.base(), &root);

    // Release 1.0.0, then 2.0.0 merged over it.
    let v1 = work.path().join("v1");
    fs::create_dir_all(&v1).unwrap();
    let first = [deb(&v1, "hello", "1.0.0"), deb(&v1, "hello-data", "1.0.0")];
    let old_repo = work.path().join("old-repo");
    write_apt_repo(&config, &first, None, &release.key, SDE - 86_400, &old_repo).unwrap();
    let v2 = work.path().join("v2");
    fs::create_dir_all(&v2).unwrap();
    let second = [deb(&v2, "hello", "2.0.0"), deb(&v2, "hello-data", "2.0.0")];
    let written = write_apt_repo(
        &config,
        &second,
        Some(&old_repo),
        &release.key,
        SDE,
        &served,
    )
    .unwrap();
    assert!(
        written.iter().all(|p| p.starts_with(&served)),
        "{written:?}"
    );
    for rel in [
        "pool/main/h/hello/hello_1.0.0_amd64.deb",
        "pool/main/h/hello/hello_2.0.0_amd64.deb",
        "pool/main/h/hello-data/hello-data_2.0.0_amd64.deb",
        "dists/stable/main/binary-amd64/Packages.xz",
        "dists/stable/InRelease",
        "dists/stable/Release.gpg",
        "hello-archive-keyring.gpg",
        "hello.sources",
    ] {
        assert!(
            written.contains(&served.join(rel)),
            "{rel} not in {written:?}"
        );
    }
    let keyring = fs::read(served.join("hello-archive-keyring.gpg")).unwrap();
    assert_eq!(
        keyring, release.public_binary,
        "the keyring is what gpg --export writes"
    );

    // gpgv, apt's own verifier, accepts both signatures with only our keyring.
    let dists = served.join("dists/stable");
    let keyring_path = served.join("hello-archive-keyring.gpg");
    run_ok(
        Command::new("gpgv")
            .arg("--keyring")
            .arg(&keyring_path)
            .arg(dists.join("InRelease")),
    );
    run_ok(
        Command::new("gpgv")
            .arg("--keyring")
            .arg(&keyring_path)
            .arg(dists.join("Release.gpg"))
            .arg(dists.join("Release")),
    );

    root.add_repository(&served, &config);
    let (ok, out) = root.update();
    assert!(ok && clean(&out), "apt-get update:\n{out}");
    assert!(
        out.contains(&format!("Get:1 {} stable InRelease", server.base())),
        "{out}"
    );

    let madison = run_ok(root.command("apt-cache").args(["madison", "hello"]));
    let rows: Vec<Vec<&str>> = madison
        .lines()
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    for version in ["1.0.0", "2.0.0"] {
        let source = format!("{} stable/main amd64 Packages", server.base());
        assert!(rows.contains(&vec!["hello", version, &source]), "{madison}");
    }
    let policy = run_ok(root.command("apt-cache").args(["policy", "hello"]));
    assert!(policy.contains("Candidate: 2.0.0"), "{policy}");
    let show = run_ok(root.command("apt-cache").args(["show", "hello=2.0.0"]));
    assert!(show.contains("Depends: hello-data (>= 1.0)"), "{show}");
    assert!(
        show.contains("Description: Says hello from a repository"),
        "{show}"
    );

    // apt resolves the dependency from our index.
    let plan = run_ok(root.command("apt-get").args(["-s", "install", "hello"]));
    assert!(plan.contains("Inst hello-data (2.0.0"), "{plan}");
    assert!(plan.contains("Inst hello (2.0.0"), "{plan}");

    // Both versions download, checked against Packages' SHA256 by apt.
    let downloads = root.path("downloads");
    fs::create_dir_all(&downloads).unwrap();
    for spec in ["hello=1.0.0", "hello=2.0.0", "hello-data=2.0.0"] {
        let out = run_ok(
            root.command("apt-get")
                .args(["-q", "download", spec])
                .current_dir(&downloads),
        );
        assert!(clean(&out), "{out}");
    }
    let target = root.path("target");
    for sub in ["var/lib/dpkg/info", "var/lib/dpkg/updates"] {
        fs::create_dir_all(target.join(sub)).unwrap();
    }
    fs::write(target.join("var/lib/dpkg/status"), "").unwrap();
    let debs: Vec<PathBuf> = ["hello-data_2.0.0_amd64.deb", "hello_2.0.0_amd64.deb"]
        .iter()
        .map(|name| downloads.join(name))
        .collect();
    run_ok(
        Command::new("dpkg")
            .arg(format!("--root={}", target.display()))
            .args(["--log=/dev/null", "-i"])
            .args(&debs),
    );
    assert_eq!(
        fs::read_to_string(target.join("usr/bin/hello")).unwrap(),
        "#!/bin/sh\necho hello 2.0.0\n"
    );
    let status = run_ok(
        Command::new("dpkg-query")
            .arg(format!(
                "--admindir={}",
                target.join("var/lib/dpkg").display()
            ))
            .args(["-W", "-f=${Package} ${Version} ${Status}\n"]),
    );
    assert!(
        status.contains("hello 2.0.0 install ok installed"),
        "{status}"
    );

    // Without InRelease apt falls back to Release + Release.gpg.
    let detached_only = work.path().join("detached-only");
    let detached_server = Server::start(&detached_only);
    let other_root = AptRoot::new();
    let detached_config = apt_config(&detached_server.base(), &other_root);
    write_apt_repo(
        &detached_config,
        &second,
        Some(&old_repo),
        &release.key,
        SDE,
        &detached_only,
    )
    .unwrap();
    fs::remove_file(detached_only.join("dists/stable/InRelease")).unwrap();
    other_root.add_repository(&detached_only, &detached_config);
    let (ok, out) = other_root.update();
    assert!(
        ok && clean(&out),
        "apt-get update with Release.gpg only:\n{out}"
    );
    assert!(out.contains("stable Release.gpg"), "{out}");
}

#[test]
fn apt_refuses_a_repository_signed_by_another_key() {
    let (release, stranger) = keys();
    let work = tempdir();
    let served = work.path().join("served");
    let server = Server::start(&served);
    let root = AptRoot::new();
    let config = apt_config(&server.base(), &root);
    let debs = [deb(work.path(), "hello-data", "1.0.0")];
    write_apt_repo(&config, &debs, None, &stranger.key, SDE, &served).unwrap();
    // The user trusts the release key, not the stranger's.
    write_apt_repo(
        &config,
        &debs,
        None,
        &release.key,
        SDE,
        &work.path().join("genuine"),
    )
    .unwrap();
    root.add_repository(&work.path().join("genuine"), &config);
    let (ok, out) = root.update();
    assert!(!ok, "apt must refuse a foreign signature:\n{out}");
    assert!(
        out.contains("NO_PUBKEY") && out.contains("is not signed"),
        "{out}"
    );
    let (_, madison) = run(root.command("apt-cache").args(["madison", "hello-data"]));
    assert!(
        !madison.contains("1.0.0"),
        "nothing from the refused repository: {madison}"
    );
}

#[test]
fn apt_refuses_a_packages_index_edited_after_signing() {
    let (release, _) = keys();
    let work = tempdir();
    let served = work.path().join("served");
    let server = Server::start(&served);
    let root = AptRoot::new();
    let config = apt_config(&server.base(), &root);
    let debs = [deb(work.path(), "hello-data", "1.0.0")];
    write_apt_repo(&config, &debs, None, &release.key, SDE, &served).unwrap();

    // An attacker rewrites every form of the index (and its by-hash copies) consistently.
    let dir = served.join("dists/stable/main/binary-amd64");
    let edited = fs::read_to_string(dir.join("Packages"))
        .unwrap()
        .replace("Version: 1.0.0", "Version: 9.9.9");
    fs::write(dir.join("Packages"), &edited).unwrap();
    run_ok(
        Command::new("gzip")
            .args(["-9nkf", "Packages"])
            .current_dir(&dir),
    );
    run_ok(
        Command::new("xz")
            .args(["-kf", "Packages"])
            .current_dir(&dir),
    );
    for entry in fs::read_dir(dir.join("by-hash/SHA256")).unwrap() {
        let path = entry.unwrap().path();
        let original = fs::read(&path).unwrap();
        let replacement = match original.get(..2) {
            Some([0x1f, 0x8b]) => "Packages.gz",
            Some([0xfd, b'7']) => "Packages.xz",
            _ => "Packages",
        };
        fs::copy(dir.join(replacement), &path).unwrap();
    }
    root.add_repository(&served, &config);
    let (ok, out) = root.update();
    assert!(
        !ok,
        "apt must refuse an index that does not match Release:\n{out}"
    );
    assert!(
        out.contains("Hash Sum mismatch") || out.contains("File has unexpected size"),
        "{out}"
    );
    let (_, madison) = run(root.command("apt-cache").args(["madison", "hello-data"]));
    assert!(!madison.contains("9.9.9"), "{madison}");
}

/// A .deb built by dpkg-deb with `compression` for both members, Architecture: all.
fn dpkg_deb(dir: &Path, name: &str, compression: &str) -> PathBuf {
    let tree = dir.join(format!("{name}-tree"));
    fs::create_dir_all(tree.join("DEBIAN")).unwrap();
    fs::create_dir_all(tree.join("usr/share").join(name)).unwrap();
    fs::write(
        tree.join("DEBIAN/control"),
        format!("Package: {name}\nVersion: 1:0.5-2\nArchitecture: all\nMaintainer: Jane Doe <jane@example.org>\nDescription: arch-independent data\n"),
    )
    .unwrap();
    fs::write(tree.join("usr/share").join(name).join("data.txt"), "data\n").unwrap();
    let deb = dir.join(format!("{name}.deb"));
    run_ok(
        Command::new("dpkg-deb")
            .arg(format!("-Z{compression}"))
            .args(["--root-owner-group", "--build"])
            .arg(&tree)
            .arg(&deb),
    );
    deb
}

#[test]
fn apt_reads_architecture_all_packages_built_by_dpkg_deb_with_gzip_and_zstd_control() {
    let (release, _) = keys();
    let work = tempdir();
    let served = work.path().join("served");
    let server = Server::start(&served);
    let root = AptRoot::new();
    let config = apt_config(&server.base(), &root);
    let debs = [
        dpkg_deb(work.path(), "gz-data", "gzip"),
        dpkg_deb(work.path(), "zst-data", "zstd"),
    ];
    let written = write_apt_repo(&config, &debs, None, &release.key, SDE, &served).unwrap();
    // The epoch is not part of the file name, as in Debian's pool.
    assert!(
        written.contains(&served.join("pool/main/z/zst-data/zst-data_0.5-2_all.deb")),
        "{written:?}"
    );
    let release_text = fs::read_to_string(served.join("dists/stable/Release")).unwrap();
    assert!(
        release_text.contains("\nArchitectures: all\n"),
        "{release_text}"
    );

    root.add_repository(&served, &config);
    let (ok, out) = root.update();
    assert!(ok && clean(&out), "apt-get update:\n{out}");
    let downloads = root.path("downloads");
    fs::create_dir_all(&downloads).unwrap();
    for name in ["gz-data", "zst-data"] {
        let policy = run_ok(root.command("apt-cache").args(["policy", name]));
        assert!(policy.contains("Candidate: 1:0.5-2"), "{policy}");
        run_ok(
            root.command("apt-get")
                .args(["-q", "download", name])
                .current_dir(&downloads),
        );
    }
    // apt names downloads with the epoch, `:` escaped.
    assert!(downloads.join("zst-data_1%3a0.5-2_all.deb").is_file());
}
