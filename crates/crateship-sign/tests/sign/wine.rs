//! The pipeline order under Wine (Debian `wine`, `wine64`): the exe is signed, packed
//! into an MSI, the MSI is signed, and Windows Installer still installs it (and the
//! installed exe is the signed one) and uninstalls it.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crateship_sign::{SigningKey, sign_msi, sign_pe};
use tempfile::TempDir;

use crate::support::{PASSWORD, exe, msi_with, pki, text, tsa_options, verify};

/// A throw-away Wine prefix; its wineserver is stopped on drop.
struct Prefix(TempDir);

impl Prefix {
    fn run(&self, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .env("WINEPREFIX", self.0.path().join("prefix"))
            .env("HOME", self.0.path().join("home"))
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run `{program}` ({e}); install Debian `wine` and `wine64`")
            })
    }

    fn msiexec(&self, action: &str, msi: &Path) -> Output {
        let windows = format!("Z:{}", msi.display()).replace('/', "\\");
        let out = self.run("wine", &["msiexec", action, &windows, "/qn"]);
        self.run("wineserver", &["-w"]);
        out
    }
}

impl Drop for Prefix {
    fn drop(&mut self) {
        let _ = self.run("wineserver", &["-k"]);
    }
}

#[test]
fn signed_msi_with_signed_exe_installs_and_uninstalls_under_wine() {
    let dir = TempDir::new().unwrap();
    let key = SigningKey::from_pkcs12(&pki().read("ec.pfx"), PASSWORD).unwrap();
    let signed_exe = dir.path().join("hello.exe");
    sign_pe(exe(), &signed_exe, &key, &tsa_options()).unwrap();
    let msi = msi_with(dir.path(), &signed_exe);
    sign_msi(&msi, &msi, &key, &tsa_options()).unwrap();
    let (ok, out) = verify(&msi);
    assert!(ok, "{out}");

    let prefix = Prefix(TempDir::new().unwrap());
    let boot = prefix.run("wineboot", &["-i"]);
    assert!(boot.status.success(), "wineboot: {}", text(&boot));
    let install = prefix.msiexec("/i", &msi);
    assert!(install.status.success(), "install: {}", text(&install));
    let installed = prefix
        .0
        .path()
        .join("prefix/drive_c/Program Files/Hello Desktop/hello.exe");
    assert_eq!(
        fs::read(&installed).unwrap(),
        fs::read(&signed_exe).unwrap(),
        "the installed exe is not the signed one"
    );
    let remove = prefix.msiexec("/x", &msi);
    assert!(remove.status.success(), "uninstall: {}", text(&remove));
    assert!(!installed.exists());
}
