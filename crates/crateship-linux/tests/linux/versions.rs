//! Semver pre-releases sort before their release in dpkg's and rpm's own ordering.

use std::process::Command;

use crateship_linux::version::{RPM_RELEASE, deb_version, rpm_version};

use crate::{deb::build_deb, rpm::build_rpm, sample_package, stdout};

#[test]
fn prerelease_sorts_before_release_in_dpkg_and_rpm() {
    let ordered = [
        "1.2.3-alpha",
        "1.2.3-beta.1",
        "1.2.3-beta.2",
        "1.2.3-rc-1",
        "1.2.3",
        "1.2.4-beta.1",
        "1.2.4",
    ];
    for pair in ordered.windows(2) {
        let (a, b) = (deb_version(pair[0]), deb_version(pair[1]));
        let status = Command::new("dpkg")
            .args(["--compare-versions", &a, "lt", &b])
            .status()
            .unwrap();
        assert!(status.success(), "dpkg: {a} should sort before {b}");
        let (a, b) = (
            format!("{}-{RPM_RELEASE}", rpm_version(pair[0])),
            format!("{}-{RPM_RELEASE}", rpm_version(pair[1])),
        );
        let lua = format!("%{{lua: print(rpm.vercmp(\"{a}\", \"{b}\"))}}");
        let cmp = stdout(Command::new("rpm").arg("--eval").arg(lua));
        assert_eq!(cmp.trim(), "-1", "rpm: {a} should sort before {b}");
    }
}

#[test]
fn prerelease_version_reaches_both_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3-beta.1");
    let deb = build_deb(&pkg, tmp.path());
    assert_eq!(deb.file_name().unwrap(), "hello_1.2.3~beta.1_amd64.deb");
    let v = stdout(Command::new("dpkg-deb").arg("-f").arg(&deb).arg("Version"));
    assert_eq!(v.trim(), "1.2.3~beta.1");
    let rpm = build_rpm(&pkg, tmp.path());
    assert_eq!(rpm.file_name().unwrap(), "hello-1.2.3~beta.1-1.x86_64.rpm");
    let v = stdout(
        Command::new("rpm")
            .args(["-qp", "--qf", "%{VERSION}-%{RELEASE}"])
            .arg(&rpm),
    );
    assert_eq!(v, "1.2.3~beta.1-1");
}
