//! Executable dressing: the generated resource script, compiled by zig's resource
//! compiler and linked by zig, gives an exe whose icon group, VERSIONINFO and manifest
//! `wrestool` (icoutils) lists and Python `pefile` (Debian python3-pefile) reads.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

use crateship_windows::exe::{
    ExeError, ExeInfo, PeSubsystem, check_windowed, pe_subsystem, write_resource_script,
};

use crate::support::{ico_bytes, run_ok};

fn zig(dir: &Path, args: &[&str]) {
    let out = Command::new("python3")
        .arg("-m")
        .arg("ziglang")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "zig {args:?} failed (pip install ziglang): {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Compiles a console C program, optionally with `app.res` and as a GUI program.
fn c_exe(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    fs::write(dir.join("main.c"), "int main(void) { return 0; }\n").unwrap();
    let mut args = vec!["cc", "-target", "x86_64-windows-gnu", "main.c", "-o", name];
    args.extend_from_slice(extra);
    zig(dir, &args);
    dir.join(name)
}

fn info(dir: &Path) -> ExeInfo {
    let icon = dir.join("app.ico");
    fs::write(&icon, ico_bytes()).unwrap();
    ExeInfo {
        product_name: "Hello \"Desktop\" Grüße".into(),
        company: "Example Corp".into(),
        description: "Says hello".into(),
        version: "1.2.3-rc.1".into(),
        copyright: "Copyright © 2024 Example Corp".into(),
        original_filename: "hello.exe".into(),
        identifier: "org.example.hello".into(),
        icon: Some(icon),
    }
}

/// pefile script printing the version strings and the manifest.
const PEFILE: &str = r#"
import sys, pefile
pe = pefile.PE(sys.argv[1])
for fi in pe.FileInfo[0]:
    for table in getattr(fi, "StringTable", []):
        for key, value in sorted(table.entries.items()):
            print(key.decode() + "=" + value.decode())
print("FileVersionMS=%#x LS=%#x" % (pe.VS_FIXEDFILEINFO[0].FileVersionMS, pe.VS_FIXEDFILEINFO[0].FileVersionLS))
for kind in pe.DIRECTORY_ENTRY_RESOURCE.entries:
    if kind.id == 24:
        entry = kind.directory.entries[0].directory.entries[0]
        print(pe.get_data(entry.data.struct.OffsetToData, entry.data.struct.Size).decode())
"#;

#[test]
fn dressed_exe_carries_icon_version_and_manifest() {
    let dir = TempDir::new().unwrap();
    let rc = write_resource_script(&info(dir.path()), dir.path()).unwrap();
    zig(dir.path(), &["rc", "/fo", "app.res", rc.to_str().unwrap()]);
    let exe = c_exe(dir.path(), "hello.exe", &["app.res"]);

    let listing = run_ok("wrestool", &[&"-l", &exe]);
    for kind in ["--type=14", "--type=16", "--type=24", "--type=3"] {
        assert!(listing.contains(kind), "{kind} missing in:\n{listing}");
    }

    let script = dir.path().join("read.py");
    fs::write(&script, PEFILE).unwrap();
    // Debian's python3-pefile lives with the system interpreter.
    let report = run_ok("/usr/bin/python3", &[&script, &exe]);
    for expected in [
        "ProductName=Hello \"Desktop\" Grüße",
        "CompanyName=Example Corp",
        "FileDescription=Says hello",
        "FileVersion=1.2.3-rc.1",
        "ProductVersion=1.2.3-rc.1",
        "LegalCopyright=Copyright © 2024 Example Corp",
        "OriginalFilename=hello.exe",
        "InternalName=hello",
        "FileVersionMS=0x10002 LS=0x30000",
        "<dpiAwareness xmlns=\"http://schemas.microsoft.com/SMI/2016/WindowsSettings\">PerMonitorV2</dpiAwareness>",
        "<longPathAware xmlns=\"http://schemas.microsoft.com/SMI/2016/WindowsSettings\">true</longPathAware>",
        "<activeCodePage xmlns=\"http://schemas.microsoft.com/SMI/2019/WindowsSettings\">UTF-8</activeCodePage>",
        "8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a",
        "Microsoft.Windows.Common-Controls",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
}

#[test]
fn console_programs_are_caught_when_a_window_is_expected() {
    let dir = TempDir::new().unwrap();
    let console = c_exe(dir.path(), "console.exe", &[]);
    let gui = c_exe(dir.path(), "gui.exe", &["-Wl,--subsystem,windows"]);
    assert_eq!(pe_subsystem(&console).unwrap(), PeSubsystem::Console);
    assert_eq!(pe_subsystem(&gui).unwrap(), PeSubsystem::Windows);
    check_windowed(&gui).unwrap();
    let err = check_windowed(&console).unwrap_err();
    assert!(matches!(err, ExeError::ConsoleSubsystem { .. }));
    let message = err.to_string();
    assert!(
        message.contains("console.exe") && message.contains("#![windows_subsystem = \"windows\"]"),
        "{message}"
    );

    let text = dir.path().join("notes.txt");
    fs::write(&text, "not an exe").unwrap();
    assert!(matches!(pe_subsystem(&text), Err(ExeError::NotPe { .. })));
}

#[test]
fn bad_resource_input_is_refused() {
    let dir = TempDir::new().unwrap();
    let mut bad = info(dir.path());
    bad.icon = Some(dir.path().join("missing.ico"));
    let err = write_resource_script(&bad, dir.path()).unwrap_err();
    assert!(err.to_string().contains("missing.ico"), "{err}");
    let mut bad = info(dir.path());
    bad.version = "1.2.70000".into();
    let err = write_resource_script(&bad, dir.path()).unwrap_err();
    assert!(
        matches!(err, ExeError::InvalidVersion { .. }) && err.to_string().contains("1.2.70000"),
        "{err}"
    );
}
