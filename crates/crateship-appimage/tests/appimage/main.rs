//! Integration tests of the AppImage writer. Every AppImage is read back by tools
//! we did not write: `unsquashfs` (squashfs-tools), Debian's libappimage (through a
//! tiny C checker, gcc + libappimage-dev), `diff -r`, `qemu-aarch64-static`.
//! Needs: `apt-get install -y squashfs-tools libappimage-dev gcc diffutils
//! qemu-user-static` and `rustup target add x86_64-unknown-linux-musl
//! aarch64-unknown-linux-musl` (for the runtime rebuild check).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure
// Tests spawn the independent verifiers; the library itself never does.
#![allow(clippy::disallowed_methods)]

mod appimage;
mod libappimage;
mod rebuild;
mod squashfs;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crateship_appimage::{AppImageInput, Icon, IconSize, runtime, write_appimage};
use crateship_linux::{Arch, DesktopApp, FileSource, PackageFile, Release};

/// 2024-05-01 12:00:00 UTC.
pub const SDE: i64 = 1_714_564_800;
/// The update information the sample app carries.
pub const UPDATE_INFO: &str = "zsync|https://example.org/Hello-latest-x86_64.AppImage.zsync";

/// A valid 16x16 RGBA PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0xd, 0xa, 0x1a, 0xa, 0x0, 0x0, 0x0, 0xd, 0x49, 0x48, 0x44, 0x52, 0x0,
    0x0, 0x0, 0x10, 0x0, 0x0, 0x0, 0x10, 0x8, 0x6, 0x0, 0x0, 0x0, 0x1f, 0xf3, 0xff, 0x61, 0x0, 0x0,
    0x0, 0x19, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x30, 0x48, 0x98, 0xf0, 0x9f, 0x12, 0xcc,
    0x30, 0x6a, 0xc0, 0xa8, 0x1, 0xa3, 0x6, 0xc, 0x17, 0x3, 0x0, 0xee, 0x13, 0x1f, 0x1f, 0x3c, 0x0,
    0xfc, 0xb4, 0x0, 0x0, 0x0, 0x0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Runs `cmd` and returns its output. Retries while the kernel reports "text
/// file busy": a child forked by another test thread may briefly hold the
/// AppImage's write descriptor (until it execs), the classic ETXTBSY race of
/// multi-threaded test runners.
pub fn output(cmd: &mut Command) -> Output {
    let mut tries = 0;
    loop {
        match cmd.output() {
            Err(e) if e.raw_os_error() == Some(26) && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}")),
        }
    }
}

/// Runs `cmd`, panicking with its output unless it succeeds.
pub fn run(cmd: &mut Command) -> Output {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({})\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd` successfully and returns its stdout.
pub fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(run(cmd).stdout).expect("UTF-8 output")
}

/// The sample app: a shell script that prints its arguments and the AppImage
/// environment, then exits with status 7.
pub fn sample_app(dir: &Path, arch: Arch) -> AppImageInput {
    let bin = dir.join("hello-src");
    fs::write(
        &bin,
        "#!/bin/sh\nfor a in \"$@\"; do echo \"arg=$a\"; done\necho \"APPIMAGE=$APPIMAGE\"\n         echo \"APPDIR=$APPDIR\"\necho \"ARGV0=$ARGV0\"\necho \"OWD=$OWD\"\nexit 7\n",
    )
    .unwrap();
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    let data = dir.join("data-src.txt");
    fs::write(&data, "resource\n").unwrap();
    let mut desktop = DesktopApp::new(
        "org.example.Hello",
        "Hello Desktop",
        "Says hello from an AppImage",
        "hello",
    );
    desktop.categories = vec!["Utility".into()];
    desktop.description = "A sample application packaged by crateship.".into();
    desktop.developer_name = "Example Developers".into();
    desktop.project_license = Some("MIT".into());
    desktop.releases = vec![Release {
        version: "1.2.3".into(),
        date: SDE,
    }];
    AppImageInput {
        desktop,
        version: "1.2.3".into(),
        arch,
        binary: bin,
        binary_name: "hello".into(),
        icons: vec![
            Icon {
                size: IconSize::Png(16),
                source: FileSource::Bytes(PNG.to_vec()),
            },
            Icon {
                size: IconSize::Png(32),
                source: FileSource::Bytes(PNG.to_vec()),
            },
        ],
        files: vec![
            PackageFile::from_path(&data, "usr/share/hello/data.txt", 0o644),
            PackageFile::from_bytes(
                b"odd\n".to_vec(),
                "usr/share/hello/it's a \"quoted\" naïve file ✓.txt",
                0o644,
            ),
        ],
        update_information: Some(UPDATE_INFO.into()),
        source_date_epoch: SDE,
    }
}

/// Writes `app` with the embedded runtime to `dir/NAME.AppImage` (mode 0755).
pub fn build(app: &AppImageInput, dir: &Path) -> PathBuf {
    let path = dir.join(crateship_appimage::appimage_file_name(
        &app.desktop.name,
        &app.version,
        app.arch,
    ));
    let file = fs::File::create(&path).unwrap();
    write_appimage(app, runtime::runtime(app.arch), file).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The payload offset of the embedded runtime for `arch`.
pub fn offset(arch: Arch) -> usize {
    runtime::runtime_layout(runtime::runtime(arch), arch)
        .unwrap()
        .end
}
