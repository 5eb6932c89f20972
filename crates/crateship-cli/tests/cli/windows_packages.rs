//! MSI from `dist`, read back with msitools.

use crate::support::signing::windows_exe;
use crate::support::*;

fn tiny_windows_project(tmp: &std::path::Path, version: &str) -> std::path::PathBuf {
    let manifest = tiny_project(
        &tmp.join("p"),
        "tiny",
        "identifier = \"org.example.tiny\"\nproduct-name = \"Tiny Äpp\"",
    );
    let toml = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("version = \"0.4.2\"", &format!("version = \"{version}\""))
        .replace(
            "license = \"MIT\"",
            "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
        );
    std::fs::write(&manifest, toml).unwrap();
    manifest
}

#[test]
fn msi_lists_summary_and_extracts_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_windows_project(tmp.path(), "0.4.2");
    let bins = binary_dir(tmp.path(), "tiny.exe");
    let out_dir = tmp.path().join("out");
    let out =
        run(dist_prebuilt(&manifest, &bins, &out_dir).args(["--target", "x86_64-pc-windows-gnu"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let msi = "Tiny-Äpp-0.4.2-x64.msi";
    assert!(
        list(&out_dir).contains(&msi.to_owned()),
        "{:?}",
        list(&out_dir)
    );
    verify("sha256sum", &["-c", "SHA256SUMS"], &out_dir);
    let summary = verify("msiinfo", &["suminfo", msi], &out_dir);
    assert!(summary.contains("x64;1033"), "{summary}");
    let property = verify("msiinfo", &["export", msi, "Property"], &out_dir);
    assert!(property.contains("ProductVersion\t0.4.2"), "{property}");
    assert!(
        property.contains("Manufacturer\tTiny Maintainer"),
        "{property}"
    );
    let extracted = tmp.path().join("x");
    std::fs::create_dir_all(&extracted).unwrap();
    let files = verify(
        "msiextract",
        &[
            "-C",
            extracted.to_str().unwrap(),
            out_dir.join(msi).to_str().unwrap(),
        ],
        &out_dir,
    );
    let exe = files
        .lines()
        .find(|l| l.ends_with("tiny.exe"))
        .unwrap_or_else(|| panic!("no tiny.exe in\n{files}"));
    assert_eq!(
        std::fs::read(extracted.join(exe)).unwrap(),
        std::fs::read(bins.join("tiny.exe")).unwrap()
    );
    assert!(files.lines().any(|l| l.ends_with("LICENSE")), "{files}");
}

#[test]
fn a_pre_release_version_is_refused_for_msi_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_windows_project(tmp.path(), "0.4.2-rc.1");
    let bins = binary_dir(tmp.path(), "tiny.exe");
    let out_dir = tmp.path().join("out");
    let out =
        run(dist_prebuilt(&manifest, &bins, &out_dir).args(["--target", "x86_64-pc-windows-gnu"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("package.version"), "{}", stderr(&out));
    assert!(list(&out_dir).is_empty(), "{:?}", list(&out_dir));
}

#[test]
fn a_console_exe_for_a_windowed_app_is_refused_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_project(
        &tmp.path().join("p"),
        "tiny",
        "[package.metadata.crateship.windows]\nwindowed = true",
    );
    let bins = tmp.path().join("bins");
    let out_dir = tmp.path().join("out");
    windows_exe(&bins.join("tiny.exe"));
    let out =
        run(dist_prebuilt(&manifest, &bins, &out_dir).args(["--target", "x86_64-pc-windows-gnu"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("#![windows_subsystem = \"windows\"]"),
        "{}",
        stderr(&out)
    );
    assert!(list(&out_dir).is_empty(), "{:?}", list(&out_dir));
    compile_c(
        TRIVIAL_C,
        "x86_64-windows-gnu",
        &bins.join("tiny.exe"),
        &["-Wl,--subsystem,windows"],
    );
    let out =
        run(dist_prebuilt(&manifest, &bins, &out_dir).args(["--target", "x86_64-pc-windows-gnu"]));
    assert!(out.status.success(), "a GUI exe passes: {}", stderr(&out));
}

#[test]
fn per_user_msi_with_desktop_shortcut_from_config() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_windows_project(tmp.path(), "0.4.2");
    let mut toml = std::fs::read_to_string(&manifest).unwrap();
    toml.push_str(
        "\n[package.metadata.crateship.windows]\nper-user = true\ndesktop-shortcut = true\n",
    );
    std::fs::write(&manifest, toml).unwrap();
    let bins = binary_dir(tmp.path(), "tiny.exe");
    let out_dir = tmp.path().join("out");
    let out =
        run(dist_prebuilt(&manifest, &bins, &out_dir).args(["--target", "x86_64-pc-windows-gnu"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let msi = "Tiny-Äpp-0.4.2-x64.msi";
    let property = verify("msiinfo", &["export", msi, "Property"], &out_dir);
    assert!(
        !property.contains("ALLUSERS\t1"),
        "a per-user package must not force ALLUSERS:\n{property}"
    );
    let shortcuts = verify("msiinfo", &["export", msi, "Shortcut"], &out_dir);
    assert!(shortcuts.contains("DesktopFolder"), "{shortcuts}");
    assert!(
        shortcuts.contains("ProgramMenuFolder") || shortcuts.contains("ProgramMenu"),
        "{shortcuts}"
    );
}
