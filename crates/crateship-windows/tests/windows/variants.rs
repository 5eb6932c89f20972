//! Per-user, arm64 and x86 packages, as `msiinfo` (msitools) sees them.

use tempfile::TempDir;

use crateship_windows::{MsiArch, msi_file_name};

use crate::support::{build, export, run_ok, sample_package};

#[test]
fn per_user_packages_install_below_local_app_data_without_elevation() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    pkg.per_user = true;
    let msi = dir.path().join("user.msi");
    build(&pkg, &msi).unwrap();
    let properties = export(&msi, "Property");
    assert!(
        !properties.iter().any(|r| r[0] == "ALLUSERS"),
        "{properties:?}"
    );
    let dirs = export(&msi, "Directory");
    assert!(dirs.iter().any(|d| d[0] == "UserProgramsFolder"
        && d[1] == "LocalAppDataFolder"
        && d[2] == "Programs"));
    assert!(
        dirs.iter()
            .any(|d| d[0] == "INSTALLDIR" && d[1] == "UserProgramsFolder")
    );
    // Word count 10: compressed (2) + no elevation needed (8).
    let info = run_ok("msiinfo", &[&"suminfo", &msi]);
    assert!(info.contains("Source: 10"), "{info}");
}

#[test]
fn arm64_and_x86_packages_name_their_platform() {
    let dir = TempDir::new().unwrap();
    for (arch, template, attributes, program_files) in [
        (
            MsiArch::Arm64,
            "Template: Arm64;1033",
            "256",
            "ProgramFiles64Folder",
        ),
        (
            MsiArch::X86,
            "Template: Intel;1033",
            "0",
            "ProgramFilesFolder",
        ),
    ] {
        let mut pkg = sample_package(dir.path());
        pkg.arch = arch;
        let msi = dir
            .path()
            .join(msi_file_name(&pkg.product_name, &pkg.version, pkg.arch));
        build(&pkg, &msi).unwrap();
        let info = run_ok("msiinfo", &[&"suminfo", &msi]);
        assert!(info.contains(template), "{info}");
        let components = export(&msi, "Component");
        let files = export(&msi, "File");
        for file in &files {
            let component = components.iter().find(|c| c[0] == file[1]).unwrap();
            assert_eq!(component[3], attributes, "{arch:?}");
        }
        let dirs = export(&msi, "Directory");
        assert!(
            dirs.iter()
                .any(|d| d[0] == "INSTALLDIR" && d[1] == program_files),
            "{arch:?}"
        );
    }
}

#[test]
fn artifact_names_follow_the_convention() {
    let dir = TempDir::new().unwrap();
    let mut pkg = sample_package(dir.path());
    assert_eq!(
        msi_file_name(&pkg.product_name, &pkg.version, pkg.arch),
        "Hello-Desktop-1.2.3-x64.msi"
    );
    pkg.product_name = "Hello".into();
    pkg.arch = MsiArch::Arm64;
    assert_eq!(
        msi_file_name(&pkg.product_name, &pkg.version, pkg.arch),
        "Hello-1.2.3-arm64.msi"
    );
}
