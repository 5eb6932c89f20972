//! Windows Installer behaviour, under Wine (Debian `wine`, `wine64`): install, run,
//! upgrade, refused downgrade and clean uninstall, in a throw-away prefix.
//!
//! The payload exe is a tiny C program cross-compiled with zig (`python3 -m ziglang cc`,
//! which crateship requires anyway) that prints its version; a C exe needs no
//! `ProcessPrng` shim, unlike a Rust one on Wine 8.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

use crate::support::{build, export, sample_package};

/// A Wine prefix with its own HOME, no display, quiet logs; its wineserver is stopped on drop.
pub(crate) struct Prefix {
    dir: TempDir,
}

impl Prefix {
    pub(crate) fn new() -> Prefix {
        let prefix = Prefix {
            dir: TempDir::new().unwrap(),
        };
        let out = prefix.wine("wineboot", &["-i"]);
        assert!(out.status.success(), "wineboot failed: {}", text(&out));
        prefix
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("prefix")
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("WINEPREFIX", self.root())
            .env("HOME", self.dir.path().join("home"))
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        cmd
    }

    fn wine(&self, program: &str, args: &[&str]) -> Output {
        self.command(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run `{program}` ({e}); install Debian `wine` and `wine64`")
            })
    }

    /// `msiexec ACTION MSI /qn` with a verbose log; returns the exit status (Wine reports
    /// it modulo 256) and the log as text (Wine mixes UTF-16 and ASCII in it).
    pub(crate) fn msiexec(&self, action: &str, msi: &Path) -> (i32, String) {
        let windows = |p: &Path| format!("Z:{}", p.display()).replace('/', "\\");
        let log = self.dir.path().join("msiexec.log");
        let _ = fs::remove_file(&log);
        let out = self.wine(
            "wine",
            &[
                "msiexec",
                action,
                &windows(msi),
                "/qn",
                "/l*v",
                &windows(&log),
            ],
        );
        // Let the installer's service finish before looking at the prefix.
        self.wine("wineserver", &["-w"]);
        let log_bytes = fs::read(&log).unwrap_or_default();
        let log_text: String = String::from_utf8_lossy(&log_bytes)
            .chars()
            .filter(|&c| c != '\0')
            .collect();
        (
            out.status.code().unwrap_or(-1),
            format!("{}{log_text}", text(&out)),
        )
    }

    pub(crate) fn program_dir(&self) -> PathBuf {
        self.root().join("drive_c/Program Files/Hello Desktop")
    }

    /// Runs the installed exe and returns what it printed.
    fn run_installed_exe(&self) -> String {
        let out = self.wine("wine", &["C:\\Program Files\\Hello Desktop\\hello.exe"]);
        assert!(out.status.success(), "installed exe failed: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Whether the ARP (uninstall) key of `product_code` exists.
    fn is_registered(&self, product_code: &str) -> bool {
        let key = format!(
            "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{product_code}"
        );
        self.wine("wine", &["reg", "query", &key]).status.success()
    }

    /// Every `.lnk` in the prefix whose name starts with the product name.
    fn shortcuts(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        find(&self.root().join("drive_c"), &mut found);
        found
    }
}

impl Drop for Prefix {
    fn drop(&mut self) {
        let _ = self.command("wineserver").arg("-k").output();
    }
}

fn find(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            find(&path, found);
        } else if entry
            .file_name()
            .to_string_lossy()
            .starts_with("Hello Desktop")
            && path.extension().is_some_and(|e| e == "lnk")
        {
            found.push(path);
        }
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Cross-compiles a console exe that prints `hello VERSION`.
fn hello_exe(dir: &Path, version: &str) -> PathBuf {
    let source = dir.join("hello.c");
    fs::write(
        &source,
        "#include <stdio.h>\nint main(void) { puts(\"hello \" VERSION); return 0; }\n",
    )
    .unwrap();
    let exe = dir.join(format!("hello-{version}.exe"));
    let out = Command::new("python3")
        .args([
            "-m",
            "ziglang",
            "cc",
            "-target",
            "x86_64-windows-gnu",
            "-O1",
        ])
        .arg(format!("-DVERSION=\"{version}\""))
        .arg("-o")
        .arg(&exe)
        .arg(&source)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "zig cc failed (pip install ziglang): {}",
        text(&out)
    );
    exe
}

/// Builds the sample package at `version` with a real exe; returns the MSI and ProductCode.
fn package(dir: &Path, version: &str) -> (PathBuf, String) {
    let work = dir.join(version);
    fs::create_dir_all(&work).unwrap();
    let mut pkg = sample_package(&work);
    pkg.version = version.to_owned();
    pkg.files[0].source = hello_exe(&work, version);
    let msi = work.join(format!("hello-{version}.msi"));
    build(&pkg, &msi).unwrap();
    let code = export(&msi, "Property")
        .into_iter()
        .find(|r| r[0] == "ProductCode")
        .unwrap()[1]
        .clone();
    (msi, code)
}

#[test]
fn installs_upgrades_refuses_downgrade_and_uninstalls_cleanly_under_wine() {
    let dir = TempDir::new().unwrap();
    let (old_msi, old_code) = package(dir.path(), "1.0.0");
    let (new_msi, new_code) = package(dir.path(), "1.1.0");
    let wine = Prefix::new();

    // Fresh install.
    let (status, log) = wine.msiexec("/i", &old_msi);
    assert_eq!(status, 0, "install of 1.0.0 failed: {log}");
    assert_eq!(wine.run_installed_exe(), "hello 1.0.0");
    assert!(wine.is_registered(&old_code), "no uninstall key for 1.0.0");
    assert!(!wine.shortcuts().is_empty(), "no Start-menu shortcut");
    let nested = wine.program_dir().join("Grüße/naïve café ✓.txt");
    assert!(nested.is_file(), "{} missing", nested.display());

    // Major upgrade: exactly one product afterwards, and the new exe.
    let (status, log) = wine.msiexec("/i", &new_msi);
    assert_eq!(status, 0, "upgrade to 1.1.0 failed: {log}");
    assert_eq!(wine.run_installed_exe(), "hello 1.1.0");
    assert!(wine.is_registered(&new_code), "no uninstall key for 1.1.0");
    assert!(
        !wine.is_registered(&old_code),
        "1.0.0 still registered after the upgrade"
    );

    // Downgrade: refused (1603, modulo 256 on Wine), nothing changes.
    let (status, log) = wine.msiexec("/i", &old_msi);
    assert_ne!(status, 0, "installing 1.0.0 over 1.1.0 was not refused");
    // Refused by our launch condition (Wine's /qn log omits the message text, which the
    // msiinfo tests check): the newer product was detected and LaunchConditions failed.
    assert!(
        log.contains(&format!("NEWERFOUND = {new_code}")),
        "newer product not detected: {log}"
    );
    assert!(
        log.lines().any(
            |l| l.contains("LaunchConditions. Return value") && !l.ends_with("Return value 1.")
        ),
        "not refused by the launch condition: {log}"
    );
    assert_eq!(wine.run_installed_exe(), "hello 1.1.0");
    assert!(!wine.is_registered(&old_code));

    // Uninstall leaves no file, shortcut or uninstall key.
    let (status, log) = wine.msiexec("/x", &new_msi);
    assert_eq!(status, 0, "uninstall failed: {log}");
    assert!(!wine.is_registered(&new_code), "uninstall key left behind");
    assert!(
        wine.shortcuts().is_empty(),
        "shortcuts left behind: {:?}",
        wine.shortcuts()
    );
    assert!(
        !wine.program_dir().exists(),
        "{} left behind",
        wine.program_dir().display()
    );
}

#[test]
fn per_user_package_installs_below_local_app_data_and_uninstalls_under_wine() {
    let dir = TempDir::new().unwrap();
    let work = dir.path().join("user");
    fs::create_dir_all(&work).unwrap();
    let mut pkg = sample_package(&work);
    pkg.per_user = true;
    pkg.files[0].source = hello_exe(&work, "2.0.0");
    let msi = work.join("user.msi");
    build(&pkg, &msi).unwrap();
    let code = export(&msi, "Property")
        .into_iter()
        .find(|r| r[0] == "ProductCode")
        .unwrap()[1]
        .clone();

    let wine = Prefix::new();
    let (status, log) = wine.msiexec("/i", &msi);
    assert_eq!(status, 0, "per-user install failed: {log}");
    let users = wine.root().join("drive_c/users");
    let installed: Vec<PathBuf> = fs::read_dir(&users)
        .unwrap()
        .flatten()
        .map(|user| {
            user.path()
                .join("AppData/Local/Programs/Hello Desktop/hello.exe")
        })
        .filter(|exe| exe.is_file())
        .collect();
    assert_eq!(
        installed.len(),
        1,
        "exe not below LocalAppData\\Programs: {log}"
    );
    assert!(
        !wine.program_dir().exists(),
        "a per-user package wrote to Program Files"
    );
    // Where Wine keeps the ARP entry of a per-user product (HKCU or HKLM) is its business;
    // one of them must have it.
    let registered = |wine: &Prefix| {
        ["HKCU", "HKLM"].iter().any(|hive| {
            let key =
                format!("{hive}\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{code}");
            wine.wine("wine", &["reg", "query", &key]).status.success()
        })
    };
    assert!(registered(&wine), "no uninstall key");

    let (status, log) = wine.msiexec("/x", &msi);
    assert_eq!(status, 0, "per-user uninstall failed: {log}");
    assert!(!installed[0].exists(), "exe left behind");
    assert!(!registered(&wine), "uninstall key left behind");
}
