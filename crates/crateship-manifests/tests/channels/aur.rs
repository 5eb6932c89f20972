//! The AUR channel read by Debian's `makepkg` 6: `--printsrcinfo` must print our
//! `.SRCINFO` byte for byte, and a real build (as an unprivileged user) downloads the
//! tar.gz from a loopback server, checks its SHA-256 and packages the files where
//! Arch wants them.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use crateship_manifests::aur::aur;

use crate::support::{FakeRelease, Server, file, run_env, text, write};

/// Runs `program` in `dir` as an unprivileged user: `nobody` through `runuser` when
/// the tests run as root (makepkg refuses root), else as the current user.
fn unprivileged(dir: &Path, program: &str, args: &[&str]) -> Output {
    let home = dir.display().to_string();
    // pacman is not installed; makepkg looks it up even with -d, so `true` stands in.
    let env: [(&str, &dyn AsRef<OsStr>); 4] = [
        ("HOME", &home),
        ("PACMAN", &"true"),
        ("PKGEXT", &".pkg.tar.zst"),
        ("LC_ALL", &"C"),
    ];
    if rustix_is_root() {
        let mut all: Vec<&dyn AsRef<OsStr>> = vec![&"-u", &"nobody", &"--", &"env"];
        let assignments: Vec<String> = env
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_ref().to_string_lossy()))
            .collect();
        for a in &assignments {
            all.push(a);
        }
        all.push(&program);
        for a in args {
            all.push(a);
        }
        run_env(dir, "runuser", &all, &[])
    } else {
        let args: Vec<&dyn AsRef<OsStr>> = args.iter().map(|a| a as &dyn AsRef<OsStr>).collect();
        run_env(dir, program, &args, &env)
    }
}

fn rustix_is_root() -> bool {
    let out = run_env(Path::new("/"), "id", &[&"-u"], &[]);
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// A directory the unprivileged user may write.
fn shared_dir(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    fs::set_permissions(dir, fs::Permissions::from_mode(0o777)).unwrap();
}

#[test]
fn makepkg_prints_our_srcinfo_and_builds_the_package_with_verified_checksums() {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let served = tmp.path().join("release");
    let server = Server::start(&served);
    let fake = FakeRelease::new(&served, &server.base());
    let files = aur(&fake.release).unwrap();

    let build = tmp.path().join("build");
    shared_dir(&build);
    write(&build, &files);
    let printed = unprivileged(&build, "makepkg", &["--printsrcinfo"]);
    assert!(
        printed.status.success(),
        "makepkg --printsrcinfo: {}",
        text(&printed)
    );
    assert_eq!(
        String::from_utf8_lossy(&printed.stdout),
        file(&files, ".SRCINFO")
    );

    let built = unprivileged(&build, "makepkg", &["-d", "--noconfirm", "--nocolor"]);
    assert!(built.status.success(), "makepkg: {}", text(&built));
    let log = text(&built);
    assert!(
        log.contains("Validating source_x86_64 files with sha256sums..."),
        "{log}"
    );
    let package = build.join("hello-bin-1.2.3-1-x86_64.pkg.tar.zst");
    let listing = crate::support::run_ok(&build, "bsdtar", &[&"-tf", &package]);
    let mut entries: Vec<&str> = listing
        .lines()
        .filter(|l| !l.starts_with('.') && !l.ends_with('/'))
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            "usr/bin/hello",
            "usr/bin/hello-cli",
            "usr/share/bash-completion/completions/hello",
            "usr/share/fish/vendor_completions.d/hello.fish",
            "usr/share/licenses/hello-bin/LICENSE-APACHE",
            "usr/share/licenses/hello-bin/LICENSE-MIT",
            "usr/share/man/man1/hello.1.gz",
            "usr/share/zsh/site-functions/_hello",
        ]
    );
    let pkginfo = crate::support::run_ok(&build, "bsdtar", &[&"-xOf", &package, &".PKGINFO"]);
    for line in [
        "pkgname = hello-bin",
        "pkgver = 1.2.3-1",
        "license = MIT OR Apache-2.0",
        "depend = gcc-libs",
        "depend = glibc>=2.28",
        "depend = libgtk-3.so=0-64",
        "provides = hello=1.2.3",
        "conflict = hello",
    ] {
        assert!(
            pkginfo.lines().any(|l| l == line),
            "{line} not in .PKGINFO:\n{pkginfo}"
        );
    }
}

#[test]
fn makepkg_refuses_an_archive_altered_after_the_pkgbuild_was_written() {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let served = tmp.path().join("release");
    let server = Server::start(&served);
    let fake = FakeRelease::new(&served, &server.base());
    let files = aur(&fake.release).unwrap();
    let archive = served.join("hello-1.2.3-x86_64-unknown-linux-gnu.tar.gz");
    let mut bytes = fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&archive, bytes).unwrap();

    let build = tmp.path().join("build");
    shared_dir(&build);
    write(&build, &files);
    let built = unprivileged(&build, "makepkg", &["-d", "--noconfirm", "--nocolor"]);
    assert!(
        !built.status.success(),
        "makepkg accepted a bad checksum: {}",
        text(&built)
    );
    assert!(text(&built).contains("FAILED"), "{}", text(&built));
    assert!(!build.join("hello-bin-1.2.3-1-x86_64.pkg.tar.zst").exists());
}

#[test]
fn the_pkgbuild_reads_as_arch_expects() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = FakeRelease::new(tmp.path(), "https://example.org/dl/v{version}");
    let files = aur(&fake.release).unwrap();
    let pkgbuild = file(&files, "PKGBUILD");
    let sha = &fake
        .artifact("hello-1.2.3-x86_64-unknown-linux-gnu.tar.gz")
        .sha256;
    assert!(
        pkgbuild.contains(&format!("sha256sums_x86_64=('{sha}')")),
        "{pkgbuild}"
    );
    assert!(pkgbuild.contains(
        "source_aarch64=('https://example.org/dl/v1.2.3/hello-1.2.3-aarch64-unknown-linux-gnu.tar.gz')"
    ));
    assert!(
        pkgbuild.contains("pkgdesc='Says hello from the desktop'"),
        "{pkgbuild}"
    );
    assert!(pkgbuild.starts_with("# Maintainer: Jane Doe <jane@example.org>\n"));
}
