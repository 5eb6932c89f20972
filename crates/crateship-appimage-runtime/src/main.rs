//! crateship's AppImage type 2 runtime: the ELF executable at the start of every
//! AppImage crateship writes. The squashfs image starts right where this ELF
//! file ends (end of its section header table); the runtime finds that offset
//! from its own headers, then extracts the image (or parts of it) or extracts
//! it to a temporary directory and runs `AppRun` from there.
//!
//! Built as a static musl executable without any C code; reads gzip and zstd
//! squashfs (see the writer crate's README for how the binaries ship).
//!
//! By default it mounts the image read-only with FUSE (pure Rust `fuser`:
//! `mount(2)` as root, the `fusermount3`/`fusermount` helper otherwise) in a
//! `.mount_*` directory under `$TMPDIR`, runs `AppRun` from there, then
//! unmounts. When FUSE is unavailable it says so in one line, naming
//! `--appimage-extract-and-run`, and exits 1.

// Telling the user what went wrong on stderr is the runtime's job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod blocks;
mod decompress;
mod elf;
mod extract;
mod fusermount;
mod mount;
mod sections;
mod signals;

use std::env;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use md5::{Digest, Md5};

use crate::elf::Elf;

const VERSION: &str = env!("CARGO_PKG_VERSION");

const HELP: &str = "\
AppImage options (crateship runtime):

  --appimage-extract [<pattern>]  Extract the content (or the entries matching
                                  <pattern>) into ./squashfs-root
  --appimage-extract-and-run ...  Extract to a temporary directory, run AppRun
                                  with the remaining arguments, then remove it
                                  (kept when NO_CLEANUP is set)
  --appimage-help                 Print this help
  --appimage-mount                Mount the image, print the mount point and
                                  wait until interrupted (SIGINT/SIGTERM)
  --appimage-offset               Print the byte offset of the squashfs image
  --appimage-portable-home        Create <AppImage>.home, used as $HOME
  --appimage-portable-config      Create <AppImage>.config, used as $XDG_CONFIG_HOME
  --appimage-signature            Print the embedded signature
  --appimage-updateinformation    Print the embedded update information
  --appimage-version              Print the runtime version

Environment: APPIMAGE_EXTRACT_AND_RUN=1 (same as --appimage-extract-and-run),
NO_CLEANUP=1 (keep the extracted directory), TARGET_APPIMAGE=<file> (operate on
another AppImage), TMPDIR (where to extract).
";

/// The one line printed when mounting fails.
fn no_fuse(reason: impl std::fmt::Display) -> String {
    format!(
        "cannot mount the AppImage with FUSE ({reason}); run it with \
         --appimage-extract-and-run (or set APPIMAGE_EXTRACT_AND_RUN=1) instead"
    )
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The AppImage being operated on.
struct Image {
    path: PathBuf,
    elf: Elf,
    file: File,
}

impl Image {
    fn open() -> Result<Image, String> {
        let path = match env::var_os("TARGET_APPIMAGE") {
            Some(target) => PathBuf::from(target),
            None => PathBuf::from("/proc/self/exe"),
        };
        let path = fs::canonicalize(&path)
            .map_err(|e| format!("cannot locate the AppImage {}: {e}", path.display()))?;
        let mut file =
            File::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let elf = Elf::read(&mut file)
            .map_err(|e| format!("cannot read the ELF headers of {}: {e}", path.display()))?;
        Ok(Image { path, elf, file })
    }

    fn section_text(&mut self, name: &str) -> Result<Vec<u8>, String> {
        self.elf
            .section_text(&mut self.file, name)
            .map_err(|e| format!("cannot read section {name} of {}: {e}", self.path.display()))
    }
}

fn run() -> Result<ExitCode, String> {
    let mut args: Vec<OsString> = env::args_os().collect();
    let argv0 = if args.is_empty() {
        OsString::new()
    } else {
        args.remove(0)
    };
    let option = args
        .first()
        .and_then(|a| a.to_str())
        .filter(|a| a.starts_with("--appimage-"))
        .map(str::to_owned);
    let mut image = Image::open()?;
    match option.as_deref() {
        Some("--appimage-help") => print(HELP.as_bytes()),
        Some("--appimage-version") => {
            print(format!("crateship AppImage runtime {VERSION}\n").as_bytes())
        }
        Some("--appimage-offset") => print(format!("{}\n", image.elf.end).as_bytes()),
        Some("--appimage-updateinformation") => {
            let mut text = image.section_text(".upd_info")?;
            text.push(b'\n');
            print(&text)
        }
        Some("--appimage-signature") => {
            let mut text = image.section_text(".sha256_sig")?;
            text.push(b'\n');
            print(&text)
        }
        Some("--appimage-extract") => {
            let pattern = match args.get(1) {
                Some(p) => Some(
                    p.to_str()
                        .ok_or_else(|| "the extract pattern is not UTF-8".to_string())?,
                ),
                None => None,
            };
            extract::extract(
                &image.path,
                image.elf.end,
                Path::new("squashfs-root"),
                pattern,
            )
            .map_err(|e| format!("cannot extract: {e}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Some("--appimage-extract-and-run") => extract_and_run(&image, argv0, &args[1..]),
        Some("--appimage-portable-home") => portable(&image, "home"),
        Some("--appimage-portable-config") => portable(&image, "config"),
        Some("--appimage-mount") => mount_and_wait(&image),
        Some(other) => Err(format!(
            "unknown option {other}; run with --appimage-help to list the --appimage-* options"
        )),
        None if env::var_os("APPIMAGE_EXTRACT_AND_RUN").is_some_and(|v| v == "1") => {
            extract_and_run(&image, argv0, &args)
        }
        None => mount_and_run(&image, argv0, &args),
    }
}

fn print(bytes: &[u8]) -> Result<ExitCode, String> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// `<AppImage>.home` / `<AppImage>.config` beside the AppImage.
fn portable_dir(image: &Path, kind: &str) -> PathBuf {
    let mut name = image.as_os_str().to_owned();
    name.push(".");
    name.push(kind);
    PathBuf::from(name)
}

fn portable(image: &Image, kind: &str) -> Result<ExitCode, String> {
    let dir = portable_dir(&image.path, kind);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    print(format!("Portable {kind} directory created at {}\n", dir.display()).as_bytes())
}

/// Hex MD5 of the whole AppImage file: names the extraction directory, so two
/// different AppImages never share one and the same one reuses its name.
fn file_md5(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn extract_and_run(image: &Image, argv0: OsString, args: &[OsString]) -> Result<ExitCode, String> {
    let digest =
        file_md5(&image.path).map_err(|e| format!("cannot read {}: {e}", image.path.display()))?;
    let dir = env::temp_dir().join(format!("appimage_extracted_{digest}"));
    extract::extract(&image.path, image.elf.end, &dir, None)
        .map_err(|e| format!("cannot extract to {}: {e}", dir.display()))?;
    let status = launch(image, &dir, argv0, args);
    if env::var_os("NO_CLEANUP").is_none() {
        make_writable(&dir);
        // Best effort: a failure to clean up must not hide the app's exit status.
        let _ = fs::remove_dir_all(&dir);
    }
    status
}

/// Directories extracted read-only would stop `remove_dir_all`.
fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = fs::symlink_metadata(dir)
        && meta.is_dir()
    {
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
        if let Ok(entries) = fs::read_dir(dir) {
            for entry in entries.flatten() {
                make_writable(&entry.path());
            }
        }
    }
}

fn launch(
    image: &Image,
    appdir: &Path,
    argv0: OsString,
    args: &[OsString],
) -> Result<ExitCode, String> {
    let apprun = appdir.join("AppRun");
    let owd = env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    // The runtime is defined as launching AppRun; this is its one process spawn.
    #[allow(clippy::disallowed_methods)]
    let mut command = std::process::Command::new(&apprun);
    command
        .args(args)
        .env("APPIMAGE", &image.path)
        .env("APPDIR", appdir)
        .env("ARGV0", &argv0)
        .env("OWD", &owd);
    for (kind, var) in [("home", "HOME"), ("config", "XDG_CONFIG_HOME")] {
        let dir = portable_dir(&image.path, kind);
        if dir.is_dir() {
            command.env(var, dir);
        }
    }
    signals::survive_termination();
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", apprun.display()))?;
    let status = loop {
        if let Some(signal) = signals::take_pending() {
            signals::forward(child.id(), signal);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(e) => return Err(format!("cannot wait for {}: {e}", apprun.display())),
        }
    };
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => ExitCode::from(code as u8),
        (None, Some(signal)) => ExitCode::from((128 + signal) as u8),
        (None, None) => ExitCode::FAILURE,
    })
}

/// A fresh, private mount point under `$TMPDIR`: `.mount_<name><pid><nanos>`.
fn mount_point(image: &Image) -> Result<PathBuf, String> {
    let stem: String = image
        .path
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(6).collect())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = env::temp_dir().join(format!(".mount_{stem}{:x}{nanos:x}", std::process::id()));
    fs::create_dir(&dir)
        .map_err(|e| no_fuse(format_args!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// A mounted payload: the session serves requests on a background thread.
struct Mounted {
    dir: PathBuf,
    session: fuser::BackgroundSession,
    /// Mounted by our own fusermount handshake (so unmount with the helper).
    by_helper: bool,
}

/// Mounts the payload at a new mount point: `fuser` first (mount(2) as root,
/// or its own helper fallback), then our helper handshake when `/dev/fuse`
/// itself is not accessible to this user.
fn mount(image: &Image) -> Result<Mounted, String> {
    let open = || {
        mount::SquashFuse::open(&image.path, image.elf.end)
            .map_err(|e| format!("cannot read {}: {e}", image.path.display()))
    };
    let dir = mount_point(image)?;
    let fsname = image.path.display().to_string();
    let mut config = fuser::Config::default();
    config.mount_options = vec![
        fuser::MountOption::RO,
        fuser::MountOption::FSName(fsname.clone()),
        fuser::MountOption::Subtype("crateship-appimage".into()),
    ];
    let direct = fuser::Session::new(open()?, &dir, &config).and_then(fuser::Session::spawn);
    let error = match direct {
        Ok(session) => {
            return Ok(Mounted {
                dir,
                session,
                by_helper: false,
            });
        }
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => e,
        Err(e) => {
            let _ = fs::remove_dir(&dir);
            return Err(no_fuse(e));
        }
    };
    let via_helper = fusermount::mount(&dir, &fsname).and_then(|fd| {
        let session = fuser::Session::from_fd(
            open().map_err(io::Error::other)?,
            fd,
            fuser::SessionACL::Owner,
            config,
        )
        .and_then(fuser::Session::spawn);
        if session.is_err() {
            fusermount::unmount(&dir);
        }
        session
    });
    match via_helper {
        Ok(session) => Ok(Mounted {
            dir,
            session,
            by_helper: true,
        }),
        Err(helper_error) => {
            let _ = fs::remove_dir(&dir);
            Err(no_fuse(format_args!("{error}; {helper_error}")))
        }
    }
}

fn unmount(mounted: Mounted) {
    // Best effort: report nothing so the app's exit status stays the runtime's.
    if mounted.by_helper {
        fusermount::unmount(&mounted.dir);
    }
    let _ = mounted.session.umount_and_join();
    let _ = fs::remove_dir(&mounted.dir);
}

fn mount_and_run(image: &Image, argv0: OsString, args: &[OsString]) -> Result<ExitCode, String> {
    let mounted = mount(image)?;
    let status = launch(image, &mounted.dir, argv0, args);
    unmount(mounted);
    status
}

fn mount_and_wait(image: &Image) -> Result<ExitCode, String> {
    signals::survive_termination();
    let mounted = mount(image)?;
    let printed = print(format!("{}\n", mounted.dir.display()).as_bytes());
    while printed.is_ok() && signals::take_pending().is_none() {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    unmount(mounted);
    printed
}
