//! dnf installs from our repository over loopback HTTP into a scratch installroot,
//! with `gpgcheck=1` and `repo_gpgcheck=1` from our `.repo` file and the key fetched
//! from its `gpgkey=` URL; a `repomd.xml` edited after signing is refused; and
//! createrepo_c, run on the same rpms, writes the same primary, filelists and other
//! data (compared entry by entry, parsed by Python's ElementTree).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crateship_repos::{RpmConfig, write_rpm_repo};
use tempfile::TempDir;

use crate::support::{SDE, Server, copy_tree, keys, rpm, run, run_ok, tempdir};

/// A scratch dnf: its own config, repos dir, cache and installroot.
struct DnfRoot {
    dir: TempDir,
}

impl DnfRoot {
    fn new(repo: &Path, config: &RpmConfig) -> DnfRoot {
        let dir = tempdir();
        for sub in ["repos.d", "installroot", "cache"] {
            fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        fs::write(
            dir.path().join("dnf.conf"),
            "[main]\ngpgcheck=1\nrepo_gpgcheck=1\nskip_if_unavailable=False\ninstall_weak_deps=False\n",
        )
        .unwrap();
        fs::copy(
            repo.join(config.repo_file_name()),
            dir.path().join("repos.d").join(config.repo_file_name()),
        )
        .unwrap();
        DnfRoot { dir }
    }

    fn installroot(&self) -> PathBuf {
        self.dir.path().join("installroot")
    }

    fn dnf(&self, args: &[&str]) -> (bool, String) {
        let root = self.dir.path();
        run(Command::new("dnf")
            .env("LC_ALL", "C.UTF-8")
            .arg("-y")
            .arg("--noplugins")
            .arg("--releasever=1")
            .arg(format!("--installroot={}", self.installroot().display()))
            .arg(format!("--config={}", root.join("dnf.conf").display()))
            .arg(format!(
                "--setopt=reposdir={}",
                root.join("repos.d").display()
            ))
            .arg(format!(
                "--setopt=cachedir={}",
                root.join("cache").display()
            ))
            .args(args))
    }
}

/// Release 1.0.0 and then 2.0.0 merged over it, written into `served`.
fn two_releases(work: &Path, served: &Path, config: &RpmConfig) -> Vec<PathBuf> {
    let (release, _) = keys();
    let v1 = work.join("v1");
    let v2 = work.join("v2");
    fs::create_dir_all(&v1).unwrap();
    fs::create_dir_all(&v2).unwrap();
    let first = [
        rpm(&v1, "hello", "1.0.0", &release.key),
        rpm(&v1, "hello-data", "1.0.0", &release.key),
    ];
    let old_repo = work.join("old-repo");
    write_rpm_repo(config, &first, None, &release.key, SDE - 86_400, &old_repo).unwrap();
    let second = [
        rpm(&v2, "hello", "2.0.0", &release.key),
        rpm(&v2, "hello-data", "2.0.0", &release.key),
    ];
    write_rpm_repo(config, &second, Some(&old_repo), &release.key, SDE, served).unwrap()
}

#[test]
fn dnf_installs_from_our_repository_with_package_and_repository_signatures_checked() {
    let work = tempdir();
    let served = work.path().join("served");
    let server = Server::start(&served);
    let config = RpmConfig::new("hello", &server.base());
    let written = two_releases(work.path(), &served, &config);
    for rel in [
        "Packages/hello-1.0.0-1.x86_64.rpm",
        "Packages/hello-2.0.0-1.x86_64.rpm",
        "repodata/repomd.xml",
        "repodata/repomd.xml.asc",
        "RPM-GPG-KEY-hello",
        "hello.repo",
    ] {
        assert!(
            written.contains(&served.join(rel)),
            "{rel} not in {written:?}"
        );
    }
    let repo_file = fs::read_to_string(served.join("hello.repo")).unwrap();
    for line in [
        "gpgcheck=1",
        "repo_gpgcheck=1",
        &format!("baseurl={}", server.base()),
    ] {
        assert!(
            repo_file.lines().any(|l| l == line),
            "{line} missing in\n{repo_file}"
        );
    }

    let root = DnfRoot::new(&served, &config);
    let (ok, out) = root.dnf(&["--showduplicates", "list", "available", "hello"]);
    assert!(ok, "dnf list:\n{out}");
    for version in ["1.0.0-1", "2.0.0-1"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("hello.x86_64") && l.contains(version)),
            "{out}"
        );
    }
    let (ok, out) = root.dnf(&["install", "hello"]);
    assert!(ok, "dnf install:\n{out}");
    assert!(
        out.contains("Importing GPG key"),
        "the key comes from gpgkey=: {out}"
    );
    let installed = run_ok(
        Command::new("rpm")
            .arg(format!("--root={}", root.installroot().display()))
            .args(["-q", "--qf", "%{NAME} %{VERSION}\n", "hello", "hello-data"]),
    );
    assert_eq!(installed, "hello 2.0.0\nhello-data 2.0.0\n");
    assert_eq!(
        fs::read_to_string(root.installroot().join("usr/bin/hello")).unwrap(),
        "#!/bin/sh\necho hello 2.0.0\n"
    );
    // The older release stays installable.
    let (ok, out) = root.dnf(&["downgrade", "hello-1.0.0"]);
    assert!(ok, "dnf downgrade:\n{out}");
    assert_eq!(
        fs::read_to_string(root.installroot().join("usr/bin/hello")).unwrap(),
        "#!/bin/sh\necho hello 1.0.0\n"
    );
}

#[test]
fn dnf_refuses_a_repomd_edited_after_signing() {
    let (release, _) = keys();
    let work = tempdir();
    let served = work.path().join("served");
    let server = Server::start(&served);
    let config = RpmConfig::new("hello", &server.base());
    let rpms = [rpm(work.path(), "hello-data", "1.0.0", &release.key)];
    write_rpm_repo(&config, &rpms, None, &release.key, SDE, &served).unwrap();
    let repomd = served.join("repodata/repomd.xml");
    let text = fs::read_to_string(&repomd).unwrap();
    fs::write(
        &repomd,
        text.replace(
            &format!("<revision>{SDE}</revision>"),
            "<revision>1</revision>",
        ),
    )
    .unwrap();
    let root = DnfRoot::new(&served, &config);
    let (ok, out) = root.dnf(&["makecache"]);
    assert!(!ok, "dnf must refuse the edited repomd.xml:\n{out}");
    assert!(out.to_lowercase().contains("gpg"), "{out}");
    let (ok, out) = root.dnf(&["install", "hello-data"]);
    assert!(!ok, "{out}");
}

#[test]
fn createrepo_c_writes_the_same_repodata_for_the_same_rpms() {
    let work = tempdir();
    let served = work.path().join("served");
    let config = RpmConfig::new("hello", "https://example.org/rpm");
    two_releases(work.path(), &served, &config);
    // createrepo_c indexes a copy holding only the rpms, at the same paths.
    let reference = work.path().join("reference");
    copy_tree(&served.join("Packages"), &reference.join("Packages"));
    run_ok(
        Command::new("createrepo_c")
            .args(["--no-database", "--simple-md-filenames"])
            .arg(&reference),
    );
    let dump = |repo: &Path| {
        run_ok(
            Command::new("python3")
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/repos/repodata.py"))
                .arg(repo),
        )
    };
    let ours = dump(&served);
    for kind in ["primary", "filelists", "other"] {
        assert!(ours.contains(&format!("{kind} packages 4\n")), "{ours}");
    }
    assert_eq!(ours, dump(&reference));
}
