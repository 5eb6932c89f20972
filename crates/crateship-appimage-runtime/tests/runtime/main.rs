//! Integration tests of the runtime: AppImages are written with the runtime just
//! built by cargo (`CARGO_BIN_EXE_…`), then run as users would run them. Results
//! are checked with independent tools where they exist (`md5sum`, `diff`).
//! Needs: `apt-get install -y coreutils diffutils` (present on Debian).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure
// Tests run AppImages and verifiers; that is what they are for.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crateship_appimage::{AppImageInput, Icon, IconSize, write_appimage};
use crateship_linux::{Arch, DesktopApp, FileSource, PackageFile};

const RUNTIME: &str = env!("CARGO_BIN_EXE_crateship-appimage-runtime");
const UPDATE_INFO: &str = "gh-releases-zsync|example|hello|latest|Hello-*x86_64.AppImage.zsync";

/// Runs `cmd`; retries on ETXTBSY (a child forked by another test thread can
/// hold the AppImage's write descriptor until it execs).
fn output(cmd: &mut Command) -> Output {
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `cmd` successfully and returns its stdout.
fn stdout(cmd: &mut Command) -> String {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({})\n{}\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// 1 MiB + 1234 bytes of poorly compressible data: eight full 128 KiB blocks
/// and a tail that lands in a fragment.
/// 1.3 MiB of text (zstd blocks) and a file that is mostly holes (all-zero blocks).
fn text_and_holes() -> (Vec<u8>, Vec<u8>) {
    let text: String = (0..60_000)
        .map(|i| format!("line {i}: {}\n", i * 7919 % 104_729))
        .collect();
    let mut holes = vec![0u8; 700 << 10];
    holes[300_000..300_000 + 4096].copy_from_slice(&big()[..4096]);
    (text.into_bytes(), holes)
}

fn big() -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..(1 << 20) + 1234)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// The sample app: a script that prints its arguments and environment and exits 7
/// (or kills itself with SIGTERM when the first argument is `die`).
fn sample_input(dir: &Path) -> AppImageInput {
    let bin = dir.join("hello-src");
    fs::write(
        &bin,
        "#!/bin/sh\n[ \"$1\" = die ] && kill -TERM $$\n[ \"$1\" = cat ] && exec cat \"$APPDIR/$2\"\n[ \"$1\" = tail ] && exec tail -c \"$3\" \"$APPDIR/$2\"\nfor a in \"$@\"; do echo \"arg=$a\"; done\n\
         echo \"APPIMAGE=$APPIMAGE\"\necho \"APPDIR=$APPDIR\"\necho \"ARGV0=$ARGV0\"\n\
         echo \"OWD=$OWD\"\necho \"HOME=$HOME\"\nexit 7\n",
    )
    .unwrap();
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    let mut desktop = DesktopApp::new("org.example.Hello", "Hello", "Says hello", "hello");
    desktop.categories = vec!["Utility".into()];
    desktop.developer_name = "Example".into();
    AppImageInput {
        desktop,
        version: "1.0.0".into(),
        arch: Arch::X86_64,
        binary: bin,
        binary_name: "hello".into(),
        icons: vec![Icon {
            size: IconSize::Scalable,
            source: FileSource::Bytes(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec()),
        }],
        files: vec![
            PackageFile::from_bytes(big(), "usr/share/hello/big.bin", 0o644),
            PackageFile::from_bytes(text_and_holes().0, "usr/share/hello/text.txt", 0o644),
            PackageFile::from_bytes(text_and_holes().1, "usr/share/hello/holes.bin", 0o644),
        ],
        update_information: Some(UPDATE_INFO.into()),
        source_date_epoch: 1_714_564_800,
    }
}

/// The sample app as an AppImage, with the runtime cargo just built.
fn appimage(dir: &Path) -> PathBuf {
    let app = sample_input(dir);
    let path = dir.join("Hello-1.0.0-x86_64.AppImage");
    let runtime = fs::read(RUNTIME).unwrap();
    write_appimage(&app, &runtime, fs::File::create(&path).unwrap()).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn offset_is_the_size_of_the_runtime() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    let size = fs::metadata(RUNTIME).unwrap().len();
    assert_eq!(
        stdout(Command::new(&image).arg("--appimage-offset")),
        format!("{size}\n")
    );
}

#[test]
fn help_and_version_are_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    let help = stdout(Command::new(&image).arg("--appimage-help"));
    for option in [
        "--appimage-extract ",
        "--appimage-extract-and-run",
        "--appimage-offset",
        "--appimage-updateinformation",
        "--appimage-signature",
        "--appimage-version",
    ] {
        assert!(help.contains(option), "{help}");
    }
    let version = stdout(Command::new(&image).arg("--appimage-version"));
    assert_eq!(
        version,
        format!("crateship AppImage runtime {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn update_information_and_empty_signature_are_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    assert_eq!(
        stdout(Command::new(&image).arg("--appimage-updateinformation")),
        format!("{UPDATE_INFO}\n")
    );
    assert_eq!(
        stdout(Command::new(&image).arg("--appimage-signature")),
        "\n"
    );
}

#[test]
fn target_appimage_points_the_runtime_at_another_file() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    let printed = stdout(
        Command::new(RUNTIME)
            .arg("--appimage-updateinformation")
            .env("TARGET_APPIMAGE", &image),
    );
    assert_eq!(printed, format!("{UPDATE_INFO}\n"));
}

#[test]
fn unknown_appimage_option_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    let out = output(Command::new(&image).arg("--appimage-frobnicate"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("unknown option --appimage-frobnicate"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn without_fuse_one_line_names_extract_and_run() {
    // As `nobody`, /dev/fuse (0600 root) cannot be opened, and FUSERMOUNT_PATH
    // points at no helper: FUSE is unavailable, as on a machine without fuse3.
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let image = appimage(tmp.path());
    for args in [&[][..], &["--appimage-mount"][..], &["plain-arg"][..]] {
        let out = output(
            Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(&image)
                .args(args)
                .env_remove("APPIMAGE_EXTRACT_AND_RUN")
                .env("FUSERMOUNT_PATH", "/nonexistent/fusermount3")
                .env("TMPDIR", "/tmp"),
        );
        let err = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}{err}",
            text(&out.stdout)
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("--appimage-extract-and-run"), "{err}");
    }
}

#[test]
fn extract_with_a_pattern_extracts_only_matching_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    stdout(
        Command::new(&image)
            .args(["--appimage-extract", "*.desktop"])
            .current_dir(tmp.path()),
    );
    let root = tmp.path().join("squashfs-root");
    let found = stdout(
        Command::new("find")
            .arg(".")
            .args(["-mindepth", "1"])
            .current_dir(&root),
    );
    let mut found: Vec<&str> = found.lines().collect();
    found.sort();
    assert_eq!(
        found,
        [
            "./org.example.Hello.desktop",
            "./usr",
            "./usr/share",
            "./usr/share/applications",
            "./usr/share/applications/org.example.Hello.desktop",
        ]
    );
}

#[test]
fn extract_and_run_flag_runs_the_app_and_no_cleanup_keeps_the_md5_named_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    let scratch = tmp.path().join("tmp");
    fs::create_dir(&scratch).unwrap();
    let out = output(
        Command::new(&image)
            .args(["--appimage-extract-and-run", "x", "--appimage-offset"])
            .env("TMPDIR", &scratch)
            .env("NO_CLEANUP", "1"),
    );
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("arg=x\narg=--appimage-offset\n"),
        "{}",
        text(&out.stdout)
    );
    let md5 = stdout(Command::new("md5sum").arg(&image));
    let digest = md5.split_whitespace().next().unwrap();
    let kept = scratch.join(format!("appimage_extracted_{digest}"));
    assert!(kept.join("AppRun").exists(), "{} missing", kept.display());
    assert!(text(&out.stdout).contains(&format!("APPDIR={}\n", kept.display())));
}

#[test]
fn exit_by_signal_maps_to_128_plus_signal_and_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    let scratch = tmp.path().join("tmp");
    fs::create_dir(&scratch).unwrap();
    let out = output(
        Command::new(&image)
            .arg("die")
            .env("APPIMAGE_EXTRACT_AND_RUN", "1")
            .env("TMPDIR", &scratch),
    );
    assert_eq!(out.status.code(), Some(128 + 15));
    assert_eq!(fs::read_dir(&scratch).unwrap().count(), 0);
}

#[test]
fn portable_home_is_created_and_used_as_home() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    stdout(Command::new(&image).arg("--appimage-portable-home"));
    let home = tmp.path().join("Hello-1.0.0-x86_64.AppImage.home");
    assert!(home.is_dir());
    let out = output(
        Command::new(&image)
            .env("APPIMAGE_EXTRACT_AND_RUN", "1")
            .env("TMPDIR", tmp.path()),
    );
    assert!(
        text(&out.stdout).contains(&format!("HOME={}\n", home.display())),
        "{}",
        text(&out.stdout)
    );
}

fn mounts() -> String {
    fs::read_to_string("/proc/mounts").unwrap()
}

#[test]
fn fuse_mount_runs_the_app_and_leaves_no_mount_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    let scratch = tmp.path().join("tmp");
    fs::create_dir(&scratch).unwrap();
    let out = output(
        Command::new(&image)
            .args(["a", "b c"])
            .env_remove("APPIMAGE_EXTRACT_AND_RUN")
            .env("TMPDIR", &scratch),
    );
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.starts_with("arg=a\narg=b c\n"), "{stdout}");
    assert!(
        stdout.contains(&format!("APPDIR={}/.mount_Hello-", scratch.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("APPIMAGE={}\n", image.display())),
        "{stdout}"
    );
    assert!(
        !mounts().contains(scratch.to_str().unwrap()),
        "mount left behind"
    );
    assert_eq!(
        fs::read_dir(&scratch).unwrap().count(),
        0,
        "mount point left behind"
    );
}

/// Reads the sample's files through a FUSE mount of `image` and compares them:
/// stored blocks and a fragment, zstd blocks read in order (with read-ahead),
/// holes, and a read that starts mid-file (no read-ahead until it goes on in order).
fn assert_sample_files_read_through_the_mount(image: &Path, tmp: &Path) {
    let (text_file, holes) = text_and_holes();
    let big = big();
    for (args, want) in [
        (vec!["cat", "usr/share/hello/big.bin"], &big[..]),
        (vec!["cat", "usr/share/hello/text.txt"], &text_file[..]),
        (vec!["cat", "usr/share/hello/holes.bin"], &holes[..]),
        (
            vec!["tail", "usr/share/hello/text.txt", "500000"],
            &text_file[text_file.len() - 500_000..],
        ),
    ] {
        let out = output(
            Command::new(image)
                .args(&args)
                .env_remove("APPIMAGE_EXTRACT_AND_RUN")
                .env("TMPDIR", tmp),
        );
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(
            out.stdout == want,
            "{args:?} read through the mount differs"
        );
    }
}

#[test]
fn fuse_mount_reads_blocks_and_fragments_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    assert_sample_files_read_through_the_mount(&image, tmp.path());
}

#[test]
fn appimage_mount_serves_until_sigterm() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let image = appimage(tmp.path());
    let mut child = loop {
        match Command::new(&image)
            .arg("--appimage-mount")
            .env("TMPDIR", tmp.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
        {
            Err(e) if e.raw_os_error() == Some(26) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            other => break other.unwrap(),
        }
    };
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let dir = PathBuf::from(line.trim_end());
    assert!(
        mounts().contains(dir.to_str().unwrap()),
        "{} not mounted",
        dir.display()
    );
    // Read through the mount with tools we did not write.
    let listing = stdout(Command::new("ls").arg("-A").arg(&dir));
    assert_eq!(
        listing,
        ".DirIcon\nAppRun\norg.example.Hello.desktop\norg.example.Hello.svg\nusr\n"
    );
    run_ok(
        Command::new("cmp")
            .arg(dir.join("usr/share/hello/big.bin"))
            .arg("-")
            .stdin(std::process::Stdio::from(write_big(tmp.path()))),
    );
    let link = fs::read_link(dir.join("AppRun")).unwrap();
    assert_eq!(link, Path::new("usr/bin/hello"));
    assert!(
        Command::new("kill")
            .arg(child.id().to_string())
            .status()
            .unwrap()
            .success()
    );
    assert!(child.wait().unwrap().success());
    assert!(
        !mounts().contains(dir.to_str().unwrap()),
        "mount left behind"
    );
    assert!(!dir.exists(), "mount point left behind");
}

fn write_big(dir: &Path) -> fs::File {
    let path = dir.join("big-expected.bin");
    fs::write(&path, big()).unwrap();
    fs::File::open(path).unwrap()
}

fn run_ok(cmd: &mut Command) {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn unprivileged_user_falls_back_to_fusermount3() {
    // `nobody` cannot open /dev/fuse (0600 here), so the runtime hands the mount
    // to the setuid fusermount3 (Debian fuse3). This sandbox does not honour
    // setuid, so the helper fails too: the runtime must say so in one line that
    // names the helper and --appimage-extract-and-run, and leave nothing behind.
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let image = appimage(tmp.path());
    let scratch = tmp.path().join("tmp");
    fs::create_dir(&scratch).unwrap();
    fs::set_permissions(&scratch, fs::Permissions::from_mode(0o777)).unwrap();
    let out = output(
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&image)
            .env_remove("APPIMAGE_EXTRACT_AND_RUN")
            .env_remove("FUSERMOUNT_PATH")
            .env("PATH", "/usr/bin:/bin")
            .env("TMPDIR", &scratch),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}{err}", text(&out.stdout));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/usr/bin/fusermount3 did not mount"), "{err}");
    assert!(err.contains("--appimage-extract-and-run"), "{err}");
    assert_eq!(
        fs::read_dir(&scratch).unwrap().count(),
        0,
        "mount point left behind"
    );
}

#[test]
fn zstd_payload_from_mksquashfs_extracts_and_mounts() {
    // The payload comes from squashfs-tools (zstd, level 15), not from our writer.
    let tmp = tempfile::tempdir().unwrap();
    let app = sample_input(tmp.path());
    let appdir = tmp.path().join("Hello.AppDir");
    crateship_appimage::write_appdir(&app, &appdir).unwrap();
    let sqfs = tmp.path().join("payload.sqfs");
    stdout(Command::new("mksquashfs").arg(&appdir).arg(&sqfs).args([
        "-comp",
        "zstd",
        "-Xcompression-level",
        "15",
        "-root-owned",
        "-noappend",
        "-quiet",
    ]));
    let image = tmp.path().join("Zstd.AppImage");
    let mut bytes = fs::read(RUNTIME).unwrap();
    bytes.extend(fs::read(&sqfs).unwrap());
    fs::write(&image, bytes).unwrap();
    fs::set_permissions(&image, fs::Permissions::from_mode(0o755)).unwrap();

    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    stdout(
        Command::new(&image)
            .arg("--appimage-extract")
            .current_dir(&work),
    );
    stdout(
        Command::new("diff")
            .args(["-r", "--no-dereference"])
            .arg(&appdir)
            .arg(work.join("squashfs-root")),
    );

    assert_sample_files_read_through_the_mount(&image, tmp.path());
}
