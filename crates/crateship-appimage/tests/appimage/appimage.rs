//! The AppImage as a whole: header, squashfs payload, extraction, running.

use std::fs;
use std::process::Command;

use crateship_appimage::{
    AppImageError, appimage_file_name, runtime, write_appdir, write_appimage,
};
use crateship_linux::Arch;

use crate::{UPDATE_INFO, build, offset, output, run, sample_app, stdout};

#[test]
fn file_name_follows_the_appimage_convention() {
    assert_eq!(
        appimage_file_name("Hello", "1.2.3", Arch::X86_64),
        "Hello-1.2.3-x86_64.AppImage"
    );
    assert_eq!(
        appimage_file_name("Hello Desktop", "1.2.3-beta.1", Arch::Aarch64),
        "Hello_Desktop-1.2.3-beta.1-aarch64.AppImage"
    );
}

#[test]
fn header_carries_the_type_2_magic_and_payload_follows_the_runtime() {
    let tmp = tempfile::tempdir().unwrap();
    let image = build(&sample_app(tmp.path(), Arch::X86_64), tmp.path());
    let bytes = fs::read(&image).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF");
    assert_eq!(&bytes[8..11], b"AI\x02");
    let off = offset(Arch::X86_64);
    assert_eq!(
        &bytes[off..off + 4],
        b"hsqs",
        "squashfs magic right after the runtime"
    );
    let printed = stdout(Command::new(&image).arg("--appimage-offset"));
    assert_eq!(printed.trim(), off.to_string());
}

#[test]
fn unsquashfs_reads_the_payload_at_the_runtime_offset() {
    let tmp = tempfile::tempdir().unwrap();
    let image = build(&sample_app(tmp.path(), Arch::X86_64), tmp.path());
    let off = offset(Arch::X86_64).to_string();
    let sb = stdout(
        Command::new("unsquashfs")
            .args(["-s", "-o", &off])
            .arg(&image),
    );
    assert!(sb.contains("Compression zstd"), "{sb}");
    assert!(sb.contains("Block size 131072"), "{sb}");
    // Every entry root-owned, every mtime = SOURCE_DATE_EPOCH (2024-05-01 12:00 UTC).
    let list = stdout(
        Command::new("unsquashfs")
            .env("TZ", "UTC")
            .args(["-lln", "-o", &off])
            .arg(&image),
    );
    let entries: Vec<&str> = list
        .lines()
        .filter(|l| l.contains("squashfs-root/"))
        .collect();
    assert!(entries.len() > 15, "{list}");
    for line in &entries {
        assert!(line.contains(" 0/0 "), "not root-owned: {line}");
        assert!(line.contains("2024-05-01 12:00"), "wrong mtime: {line}");
    }
    for expected in [
        "squashfs-root/AppRun -> usr/bin/hello",
        "-rwxr-xr-x 0/0                     148 2024-05-01 12:00 squashfs-root/usr/bin/hello",
        "squashfs-root/.DirIcon -> org.example.Hello.png",
        "squashfs-root/org.example.Hello.desktop -> usr/share/applications/org.example.Hello.desktop",
        "squashfs-root/org.example.Hello.png -> usr/share/icons/hicolor/32x32/apps/org.example.Hello.png",
        "squashfs-root/usr/share/metainfo/org.example.Hello.metainfo.xml",
    ] {
        assert!(list.contains(expected), "missing {expected:?} in\n{list}");
    }
}

#[test]
fn extract_gives_a_tree_identical_to_the_appdir() {
    let tmp = tempfile::tempdir().unwrap();
    let app = sample_app(tmp.path(), Arch::X86_64);
    let image = build(&app, tmp.path());
    let appdir = tmp.path().join("Hello.AppDir");
    write_appdir(&app, &appdir).unwrap();
    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    run(Command::new(&image)
        .arg("--appimage-extract")
        .current_dir(&work));
    run(Command::new("diff")
        .args(["-r", "--no-dereference"])
        .arg(&appdir)
        .arg(work.join("squashfs-root")));
    // Modes survive too (diff -r does not compare them).
    let modes = |root: &std::path::Path| {
        stdout(
            Command::new("find")
                .arg(".")
                .args(["-printf", "%M %p\n"])
                .current_dir(root),
        )
        .lines()
        .map(str::to_owned)
        .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(modes(&appdir), modes(&work.join("squashfs-root")));
}

#[test]
fn extract_and_run_passes_arguments_environment_and_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let image = build(&sample_app(tmp.path(), Arch::X86_64), tmp.path());
    let scratch = tmp.path().join("tmp");
    fs::create_dir(&scratch).unwrap();
    let out = output(
        Command::new(&image)
            .args(["a", "b c"])
            .env("APPIMAGE_EXTRACT_AND_RUN", "1")
            .env("TMPDIR", &scratch)
            .current_dir(tmp.path()),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("arg=a\narg=b c\n"), "{text}");
    assert!(
        text.contains(&format!("APPIMAGE={}\n", image.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("ARGV0={}\n", image.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("OWD={}\n", tmp.path().display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("APPDIR={}/appimage_extracted_", scratch.display())),
        "{text}"
    );
    assert_eq!(
        fs::read_dir(&scratch).unwrap().count(),
        0,
        "extraction dir left behind"
    );
}

#[test]
fn update_information_is_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let image = build(&sample_app(tmp.path(), Arch::X86_64), tmp.path());
    let printed = stdout(Command::new(&image).arg("--appimage-updateinformation"));
    assert_eq!(printed, format!("{UPDATE_INFO}\n"));
}

#[test]
fn two_builds_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let app = sample_app(tmp.path(), Arch::X86_64);
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    fs::create_dir(&a).unwrap();
    fs::create_dir(&b).unwrap();
    let first = fs::read(build(&app, &a)).unwrap();
    let second = fs::read(build(&app, &b)).unwrap();
    assert!(first == second, "two builds differ");
}

#[test]
fn aarch64_appimage_extracts_under_qemu() {
    let tmp = tempfile::tempdir().unwrap();
    let app = sample_app(tmp.path(), Arch::Aarch64);
    let image = build(&app, tmp.path());
    let appdir = tmp.path().join("Hello.AppDir");
    write_appdir(&app, &appdir).unwrap();
    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    run(Command::new("qemu-aarch64-static")
        .arg(&image)
        .arg("--appimage-extract")
        .current_dir(&work));
    run(Command::new("diff")
        .args(["-r", "--no-dereference"])
        .arg(&appdir)
        .arg(work.join("squashfs-root")));
    let scratch = tmp.path().join("tmp");
    fs::create_dir(&scratch).unwrap();
    let out = output(
        Command::new("qemu-aarch64-static")
            .arg(&image)
            .args(["a", "b c"])
            .env("APPIMAGE_EXTRACT_AND_RUN", "1")
            .env("TMPDIR", &scratch),
    );
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("arg=a\narg=b c\n"));
    assert_eq!(
        fs::read_dir(&scratch).unwrap().count(),
        0,
        "extraction dir left behind"
    );
    let printed = stdout(
        Command::new("qemu-aarch64-static")
            .arg(&image)
            .arg("--appimage-updateinformation"),
    );
    assert_eq!(printed, format!("{UPDATE_INFO}\n"));
}

#[test]
fn bad_input_is_rejected_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let sink = || std::io::Cursor::new(Vec::new());

    let mut app = sample_app(tmp.path(), Arch::X86_64);
    app.icons.clear();
    let err = write_appimage(&app, runtime::runtime(Arch::X86_64), sink()).unwrap_err();
    assert!(err.to_string().contains("needs an icon"), "{err}");

    let app = sample_app(tmp.path(), Arch::X86_64);
    let err = write_appimage(&app, runtime::runtime(Arch::Aarch64), sink()).unwrap_err();
    assert!(matches!(err, AppImageError::Runtime { .. }), "{err}");
    assert!(err.to_string().contains("x86_64"), "{err}");

    let mut app = sample_app(tmp.path(), Arch::X86_64);
    app.update_information = Some("x".repeat(1024));
    let err = write_appimage(&app, runtime::runtime(Arch::X86_64), sink()).unwrap_err();
    assert!(err.to_string().contains("update_information"), "{err}");

    let mut app = sample_app(tmp.path(), Arch::X86_64);
    app.files[0].dest = "../../etc/passwd".into();
    let err = write_appimage(&app, runtime::runtime(Arch::X86_64), sink()).unwrap_err();
    assert!(err.to_string().contains("../../etc/passwd"), "{err}");

    let mut app = sample_app(tmp.path(), Arch::X86_64);
    app.binary = tmp.path().join("missing-binary");
    let err = write_appimage(&app, runtime::runtime(Arch::X86_64), sink()).unwrap_err();
    assert!(err.to_string().contains("missing-binary"), "{err}");

    let mut app = sample_app(tmp.path(), Arch::X86_64);
    app.desktop.categories.clear();
    let err = write_appimage(&app, runtime::runtime(Arch::X86_64), sink()).unwrap_err();
    assert!(err.to_string().contains("categor"), "{err}");

    let mut with_tail = runtime::runtime(Arch::X86_64).to_vec();
    with_tail.extend_from_slice(b"junk");
    let app = sample_app(tmp.path(), Arch::X86_64);
    let err = write_appimage(&app, &with_tail, sink()).unwrap_err();
    assert!(err.to_string().contains("trailing data"), "{err}");
}

#[test]
fn fuse_mount_runs_the_app_and_leaves_no_mount_behind() {
    // Runs as root here (the sandbox's /dev/fuse is root-only); the runtime's own
    // tests cover the no-FUSE message as an unprivileged user.
    let tmp = tempfile::tempdir().unwrap();
    let image = build(&sample_app(tmp.path(), Arch::X86_64), tmp.path());
    let scratch = tmp.path().join("tmp");
    fs::create_dir(&scratch).unwrap();
    let out = output(
        Command::new(&image)
            .args(["a", "b c"])
            .env_remove("APPIMAGE_EXTRACT_AND_RUN")
            .env("TMPDIR", &scratch),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("arg=a\narg=b c\n"), "{text}");
    assert!(
        text.contains(&format!("APPDIR={}/.mount_", scratch.display())),
        "{text}"
    );
    let mounts = fs::read_to_string("/proc/mounts").unwrap();
    assert!(
        !mounts.contains(scratch.to_str().unwrap()),
        "mount left behind:\n{mounts}"
    );
    assert_eq!(
        fs::read_dir(&scratch).unwrap().count(),
        0,
        "mount point left behind"
    );
}

#[test]
fn appdir_passes_desktop_file_validate_and_appstream_validate_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let app = sample_app(tmp.path(), Arch::X86_64);
    let appdir = tmp.path().join("Hello.AppDir");
    write_appdir(&app, &appdir).unwrap();
    run(Command::new("desktop-file-validate").arg(appdir.join("org.example.Hello.desktop")));
    run(Command::new("appstreamcli")
        .args(["validate-tree", "--no-net"])
        .arg(&appdir));
}

#[test]
fn shipped_runtime_reads_a_zstd_payload_from_mksquashfs() {
    // Our writer emits gzip; the runtime must also accept zstd images (as made by
    // squashfs-tools) for both extraction and the FUSE mount.
    let tmp = tempfile::tempdir().unwrap();
    let app = sample_app(tmp.path(), Arch::X86_64);
    let appdir = tmp.path().join("Hello.AppDir");
    write_appdir(&app, &appdir).unwrap();
    let sqfs = tmp.path().join("payload.sqfs");
    run(Command::new("mksquashfs").arg(&appdir).arg(&sqfs).args([
        "-comp",
        "zstd",
        "-root-owned",
        "-noappend",
        "-quiet",
    ]));
    let image = tmp.path().join("Zstd.AppImage");
    let mut bytes =
        runtime::prepare_runtime(runtime::runtime(Arch::X86_64), Arch::X86_64, None).unwrap();
    bytes.extend(fs::read(&sqfs).unwrap());
    fs::write(&image, bytes).unwrap();
    fs::set_permissions(&image, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    run(Command::new(&image)
        .arg("--appimage-extract")
        .current_dir(&work));
    run(Command::new("diff")
        .args(["-r", "--no-dereference"])
        .arg(&appdir)
        .arg(work.join("squashfs-root")));
    let out = output(
        Command::new(&image)
            .arg("x")
            .env_remove("APPIMAGE_EXTRACT_AND_RUN")
            .env("TMPDIR", tmp.path()),
    );
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn gzip_payload_from_our_writer_extracts_and_runs_through_fuse() {
    // zstd is the default; gzip stays available for older readers.
    let tmp = tempfile::tempdir().unwrap();
    let app = sample_app(tmp.path(), Arch::X86_64);
    let image = tmp.path().join("Gzip.AppImage");
    let file = fs::File::create(&image).unwrap();
    crateship_appimage::write_appimage_with(
        &app,
        runtime::runtime(Arch::X86_64),
        crateship_appimage::Compression::Gzip { level: 9 },
        file,
    )
    .unwrap();
    fs::set_permissions(&image, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let off = offset(Arch::X86_64).to_string();
    let sb = stdout(
        Command::new("unsquashfs")
            .args(["-s", "-o", &off])
            .arg(&image),
    );
    assert!(sb.contains("Compression gzip"), "{sb}");
    let appdir = tmp.path().join("Hello.AppDir");
    write_appdir(&app, &appdir).unwrap();
    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    run(Command::new(&image)
        .arg("--appimage-extract")
        .current_dir(&work));
    run(Command::new("diff")
        .args(["-r", "--no-dereference"])
        .arg(&appdir)
        .arg(work.join("squashfs-root")));
    let out = output(
        Command::new(&image)
            .arg("x")
            .env_remove("APPIMAGE_EXTRACT_AND_RUN")
            .env("TMPDIR", tmp.path()),
    );
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
