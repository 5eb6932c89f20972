//! The example's MSI under Wine: install, run the real Rust exe from Program
//! Files, uninstall. Wine 8 (Debian 12) lacks `ProcessPrng`, which Rust's std
//! imports from bcryptprimitives.dll; the test builds a tiny shim DLL with zig
//! into the throw-away prefix only — it is never part of the MSI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::*;

const SHIM: &str = r#"#include <windows.h>
LONG WINAPI BCryptGenRandom(void *alg, unsigned char *buf, ULONG len, ULONG flags);
__declspec(dllexport) BOOL WINAPI ProcessPrng(unsigned char *data, SIZE_T len) {
    /* 2 = BCRYPT_USE_SYSTEM_PREFERRED_RNG */
    return BCryptGenRandom(NULL, data, (ULONG)len, 2) == 0;
}
"#;

struct Wine {
    home: tempfile::TempDir,
}

impl Wine {
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("WINEPREFIX", self.prefix())
            .env("HOME", self.home.path())
            .env("WINEDEBUG", "-all")
            .env(
                "WINEDLLOVERRIDES",
                "mscoree,mshtml=;winemenubuilder.exe=d;bcryptprimitives=n,b",
            )
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        cmd
    }

    fn prefix(&self) -> PathBuf {
        self.home.path().join("prefix")
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let out = self.command(program).args(args).output();
        let out = out.unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}); `cargo xtask test` installs wine")
        });
        let _ = self.command("wineserver").arg("-w").output();
        out
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        let _ = self.command("wineserver").arg("-k").output();
    }
}

fn windows_path(p: &Path) -> String {
    format!("Z:{}", p.display()).replace('/', "\\")
}

#[test]
fn example_msi_installs_runs_and_uninstalls_under_wine() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("hello");
    std::fs::create_dir_all(&project).unwrap();
    let src = repo_root().join("examples/hello-desktop");
    for entry in [
        "Cargo.toml",
        "Cargo.lock",
        "LICENSE",
        "README.md",
        "src",
        "assets",
    ] {
        verify(
            "cp",
            &[
                "-r",
                src.join(entry).to_str().unwrap(),
                project.to_str().unwrap(),
            ],
            &project,
        );
    }
    let out = run(crateship()
        .args([
            "dist",
            "--install-missing",
            "--target",
            "x86_64-pc-windows-gnu",
            "--manifest-path",
        ])
        .arg(project.join("Cargo.toml")));
    assert!(out.status.success(), "{}", stderr(&out));
    let msi = project.join("target/dist/Hello-Desktop-1.2.3-x64.msi");
    assert!(msi.is_file());

    let wine = Wine {
        home: tempfile::tempdir().unwrap(),
    };
    let boot = wine.run("wineboot", &["-i"]);
    assert!(boot.status.success(), "wineboot: {}", stderr(&boot));
    let dll = wine
        .prefix()
        .join("drive_c/windows/system32/bcryptprimitives.dll");
    compile_c(SHIM, "x86_64-windows-gnu", &dll, &["-shared", "-lbcrypt"]);

    let install = wine.run("wine", &["msiexec", "/i", &windows_path(&msi), "/qn"]);
    assert!(install.status.success(), "msiexec /i: {}", stderr(&install));
    let installed = wine
        .prefix()
        .join("drive_c/Program Files/Hello Desktop/hello-desktop.exe");
    assert!(
        installed.is_file(),
        "not installed at {}",
        installed.display()
    );
    let version = wine.run(
        "wine",
        &[
            "C:\\Program Files\\Hello Desktop\\hello-desktop.exe",
            "--version",
        ],
    );
    assert_eq!(
        stdout(&version).trim(),
        "hello-desktop 1.2.3",
        "{}",
        stderr(&version)
    );

    let uninstall = wine.run("wine", &["msiexec", "/x", &windows_path(&msi), "/qn"]);
    assert!(
        uninstall.status.success(),
        "msiexec /x: {}",
        stderr(&uninstall)
    );
    assert!(!installed.exists(), "uninstall left the exe behind");
}
