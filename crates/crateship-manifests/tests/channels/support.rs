//! Helpers: a fake release made at test time (real tar.gz and zip archives, a real
//! MSI from crateship-windows, SHA256SUMS), running the independent tools, and a
//! loopback HTTP/1.0 file server.

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crateship_manifests::{
    Arch, ArtifactFormat, ChannelFile, Completions, Libc, MsiFacts, MsiScope, Os, Release,
    ReleaseArtifact,
};
use sha2::{Digest, Sha256};

/// The Debian and PyPI packages the tests need, named in every "cannot run" panic.
pub const INSTALL: &str = "install it: Debian makepkg fakeroot libarchive-tools zstd curl ruby shellcheck dash msitools zip minisign gnupg; PyPI check-jsonschema pyyaml (all installed by `cargo xtask test`)";

pub const VERSION: &str = "1.2.3";
pub const NAME: &str = "hello";

/// Runs `program` with `args` in `dir` with extra environment; panics naming what to
/// install if it cannot start.
pub fn run_env(
    dir: &Path,
    program: &str,
    args: &[&dyn AsRef<OsStr>],
    env: &[(&str, &dyn AsRef<OsStr>)],
) -> Output {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir);
    for arg in args {
        cmd.arg(arg);
    }
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run `{program}` ({e}); {INSTALL}"))
}

/// Runs `program` with `args` in `dir`.
pub fn run_in(dir: &Path, program: &str, args: &[&dyn AsRef<OsStr>]) -> Output {
    run_env(dir, program, args, &[])
}

/// Runs a program that must succeed; returns stdout + stderr.
pub fn run_ok(dir: &Path, program: &str, args: &[&dyn AsRef<OsStr>]) -> String {
    let out = run_in(dir, program, args);
    assert!(out.status.success(), "`{program}` failed: {}", text(&out));
    text(&out)
}

/// stdout + stderr as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Lower-case hex SHA-256 of a file.
pub fn sha256_file(path: &Path) -> String {
    let bytes = fs::read(path).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `files` under `dir` (the lead writes them with `write_files` too).
pub fn write(dir: &Path, files: &[ChannelFile]) {
    crateship_manifests::write_files(dir, files).unwrap();
}

/// The file at `path` among `files`.
pub fn file<'a>(files: &'a [ChannelFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| {
            panic!(
                "no `{path}` among {:?}",
                files.iter().map(|f| &f.path).collect::<Vec<_>>()
            )
        })
        .contents
}

/// A release laid out in a directory as `crateship dist` leaves one: archives, an MSI,
/// dmgs and SHA256SUMS.
pub struct FakeRelease {
    pub dir: PathBuf,
    pub release: Release,
}

/// (os, arch, libc, triple) of every tar.gz in the fake release.
const TAR_GZ: [(Os, Arch, Option<Libc>, &str); 5] = [
    (
        Os::Linux,
        Arch::X86_64,
        Some(Libc::Gnu),
        "x86_64-unknown-linux-gnu",
    ),
    (
        Os::Linux,
        Arch::X86_64,
        Some(Libc::Musl),
        "x86_64-unknown-linux-musl",
    ),
    (
        Os::Linux,
        Arch::Aarch64,
        Some(Libc::Gnu),
        "aarch64-unknown-linux-gnu",
    ),
    (Os::Macos, Arch::X86_64, None, "x86_64-apple-darwin"),
    (Os::Macos, Arch::Aarch64, None, "aarch64-apple-darwin"),
];

impl FakeRelease {
    /// Makes the release's files under `dir`; downloads come from `base_url`.
    pub fn new(dir: &Path, base_url: &str) -> FakeRelease {
        fs::create_dir_all(dir).unwrap();
        let mut artifacts = Vec::new();
        for (os, arch, libc, triple) in TAR_GZ {
            let root = format!("{NAME}-{VERSION}-{triple}");
            let file_name = format!("{root}.tar.gz");
            make_tree(&dir.join("stage").join(&root), triple, false);
            tar_gz(&dir.join("stage"), &root, &dir.join(&file_name));
            artifacts.push(artifact(
                dir,
                &file_name,
                os,
                arch,
                libc,
                ArtifactFormat::TarGz,
                &root,
            ));
        }
        for (arch, triple) in [
            (Arch::X86_64, "x86_64-pc-windows-gnu"),
            (Arch::Aarch64, "aarch64-pc-windows-gnullvm"),
        ] {
            let root = format!("{NAME}-{VERSION}-{triple}");
            let file_name = format!("{root}.zip");
            make_tree(&dir.join("stage").join(&root), triple, true);
            run_ok(
                &dir.join("stage"),
                "zip",
                &[&"-qrX", &dir.join(&file_name), &root],
            );
            artifacts.push(artifact(
                dir,
                &file_name,
                Os::Windows,
                arch,
                None,
                ArtifactFormat::Zip,
                &root,
            ));
        }
        let (msi_name, facts) = msi(dir);
        let mut msi_artifact = artifact(
            dir,
            &msi_name,
            Os::Windows,
            Arch::X86_64,
            None,
            ArtifactFormat::Msi,
            "",
        );
        msi_artifact.msi = Some(facts);
        artifacts.push(msi_artifact);
        for (arch, suffix) in [(Arch::X86_64, "x86_64"), (Arch::Aarch64, "arm64")] {
            let file_name = format!("Hello-Desktop-{VERSION}-{suffix}.dmg");
            fs::write(
                dir.join(&file_name),
                format!("not really a dmg for {suffix}"),
            )
            .unwrap();
            artifacts.push(artifact(
                dir,
                &file_name,
                Os::Macos,
                arch,
                None,
                ArtifactFormat::Dmg,
                "",
            ));
        }
        artifacts.sort_by(|a, b| a.file_name.cmp(&b.file_name));
        let sums: String = artifacts
            .iter()
            .map(|a| format!("{}  {}\n", a.sha256, a.file_name))
            .collect();
        fs::write(dir.join("SHA256SUMS"), sums).unwrap();
        fs::remove_dir_all(dir.join("stage")).unwrap();
        let release = Release {
            name: NAME.into(),
            product_name: "Hello Desktop".into(),
            version: VERSION.into(),
            summary: "Says hello   from the desktop".into(),
            homepage: "https://example.org/hello".into(),
            license: "MIT OR Apache-2.0".into(),
            maintainer: "Jane Doe <jane@example.org>".into(),
            identifier: "org.example.hello".into(),
            base_url: base_url.into(),
            artifacts,
            glibc_floor: Some("2.28".into()),
            linux_depends: vec![
                "libc.so.6".into(),
                "libgcc_s.so.1".into(),
                "libgtk-3.so.0".into(),
            ],
            binaries: vec!["hello".into(), "hello-cli".into()],
            license_files: vec!["LICENSE-APACHE".into(), "LICENSE-MIT".into()],
            man_pages: vec!["doc/hello.1".into()],
            completions: Completions {
                bash: Some("completions/hello.bash".into()),
                zsh: Some("completions/_hello".into()),
                fish: Some("completions/hello.fish".into()),
            },
            minisign_public_key: None,
            openpgp_public_key: None,
            winget_identifier: None,
            checkver_url: None,
        };
        FakeRelease {
            dir: dir.to_owned(),
            release,
        }
    }

    /// The artifact named `file_name`.
    pub fn artifact(&self, file_name: &str) -> &ReleaseArtifact {
        self.release
            .artifacts
            .iter()
            .find(|a| a.file_name == file_name)
            .unwrap()
    }
}

fn artifact(
    dir: &Path,
    file_name: &str,
    os: Os,
    arch: Arch,
    libc: Option<Libc>,
    format: ArtifactFormat,
    root_dir: &str,
) -> ReleaseArtifact {
    let path = dir.join(file_name);
    ReleaseArtifact {
        file_name: file_name.into(),
        sha256: sha256_file(&path),
        size: fs::metadata(&path).unwrap().len(),
        os,
        arch,
        libc,
        format,
        root_dir: root_dir.into(),
        msi: None,
    }
}

/// The files of one build: programs that print which build they are, licences, a man
/// page and completions.
fn make_tree(root: &Path, triple: &str, windows: bool) {
    fs::create_dir_all(root.join("doc")).unwrap();
    fs::create_dir_all(root.join("completions")).unwrap();
    let exe = if windows { ".exe" } else { "" };
    for bin in ["hello", "hello-cli"] {
        let path = root.join(format!("{bin}{exe}"));
        fs::write(
            &path,
            format!("#!/bin/sh\necho \"{bin} {VERSION} {triple}\"\n"),
        )
        .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::write(root.join("LICENSE-MIT"), "MIT licence text\n").unwrap();
    fs::write(root.join("LICENSE-APACHE"), "Apache licence text\n").unwrap();
    fs::write(root.join("doc/hello.1"), ".TH HELLO 1\n.SH NAME\nhello\n").unwrap();
    fs::write(root.join("completions/hello.bash"), "complete -W x hello\n").unwrap();
    fs::write(root.join("completions/_hello"), "#compdef hello\n").unwrap();
    fs::write(root.join("completions/hello.fish"), "complete -c hello\n").unwrap();
}

/// A deterministic tar.gz of `stage/root` (GNU tar, sorted, root-owned, epoch 0).
fn tar_gz(stage: &Path, root: &str, out: &Path) {
    let tar = run_in(
        stage,
        "tar",
        &[
            &"--sort=name",
            &"--mtime=@0",
            &"--owner=0",
            &"--group=0",
            &"--numeric-owner",
            &"-cf",
            &"-",
            &root,
        ],
    );
    assert!(tar.status.success(), "tar failed: {}", text(&tar));
    let mut gzip = Command::new("gzip")
        .args(["-n", "-c"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    gzip.stdin.take().unwrap().write_all(&tar.stdout).unwrap();
    let gz = gzip.wait_with_output().unwrap();
    assert!(gz.status.success());
    fs::write(out, gz.stdout).unwrap();
}

/// An MSI written by crateship-windows, and the facts winget needs about it.
fn msi(dir: &Path) -> (String, MsiFacts) {
    let exe = dir.join("stage/hello.exe");
    fs::create_dir_all(exe.parent().unwrap()).unwrap();
    fs::write(&exe, b"MZ not a real program").unwrap();
    let package = crateship_windows::MsiPackage {
        product_name: "Hello Desktop".into(),
        manufacturer: "Jane Doe".into(),
        version: VERSION.into(),
        identifier: "org.example.hello".into(),
        upgrade_code: None,
        description: "Says hello".into(),
        homepage: Some("https://example.org/hello".into()),
        files: vec![crateship_windows::MsiFile {
            source: exe,
            dest: "hello.exe".into(),
        }],
        main_exe: "hello.exe".into(),
        icon: None,
        desktop_shortcut: false,
        per_user: false,
        arch: crateship_windows::MsiArch::X64,
        source_date_epoch: 1_700_000_000,
    };
    let name = crateship_windows::msi_file_name(&package.product_name, VERSION, package.arch);
    let mut out = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(dir.join(&name))
        .unwrap();
    crateship_windows::write_msi(&package, &mut out).unwrap();
    let codes = crateship_windows::msi_codes(&package).unwrap();
    let facts = MsiFacts {
        product_code: codes.product_code,
        upgrade_code: codes.upgrade_code,
        product_version: codes.product_version,
        scope: MsiScope::Machine,
    };
    (name, facts)
}

pub use crateship_testkit::http::Server;
