//! .rpm read back with rpm, rpmlint and bsdtar.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use crateship_linux::{LinuxPackage, rpm_file_name, write_rpm};

use crate::{LONG_NAME, ODD_NAME, run, sample_package, stdout, tree};

pub fn build_rpm(pkg: &LinuxPackage, dir: &Path) -> PathBuf {
    let path = dir.join(rpm_file_name(&pkg.name, &pkg.version, pkg.arch));
    write_rpm(pkg, File::create(&path).unwrap()).unwrap();
    path
}

#[test]
fn rpm_query_and_digest_check() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3");
    let rpm = build_rpm(&pkg, tmp.path());
    assert_eq!(rpm.file_name().unwrap(), "hello-1.2.3-1.x86_64.rpm");

    let info = stdout(Command::new("rpm").arg("-qpi").arg(&rpm));
    for want in [
        "Name        : hello",
        "Version     : 1.2.3",
        "Release     : 1",
        "Architecture: x86_64",
        "License     : MIT",
        "Build Host  : localhost",
        "URL         : https://example.org/hello",
        "Summary     : Greets the world",
        "Vendor      : Example",
        "Packager    : Jane Doe <jane@example.org>",
        "Build Date  : Wed May  1 12:00:00 2024",
    ] {
        assert!(info.contains(want), "missing {want:?} in\n{info}");
    }
    let listing = stdout(Command::new("rpm").arg("-qplv").arg(&rpm));
    for line in listing.lines() {
        assert!(line.contains(" root     root "), "not root-owned: {line}");
    }
    for want in [
        "-rwxr-xr-x",
        "/usr/bin/hello",
        ODD_NAME,
        LONG_NAME,
        "/usr/share/licenses/hello/LICENSE",
    ] {
        assert!(listing.contains(want), "missing {want:?} in\n{listing}");
    }
    // The package owns its own directories, never system ones.
    let dirs: Vec<&str> = listing.lines().filter(|l| l.starts_with('d')).collect();
    assert!(
        dirs.iter()
            .all(|l| l.split_whitespace().last().unwrap().contains("/hello")),
        "{dirs:?}"
    );
    assert!(
        !listing
            .lines()
            .any(|l| l.ends_with(" /usr/bin") || l.ends_with(" /usr")),
        "{listing}"
    );

    let docs = stdout(Command::new("rpm").arg("-qpd").arg(&rpm));
    assert_eq!(docs, "/usr/share/doc/hello/README\n");
    let licenses = stdout(Command::new("rpm").arg("-qpL").arg(&rpm));
    assert_eq!(licenses, "/usr/share/licenses/hello/LICENSE\n");
    let changelog = stdout(Command::new("rpm").arg("-qp").arg("--changelog").arg(&rpm));
    assert!(
        changelog.starts_with(
            "* Wed May 01 2024 Jane Doe <jane@example.org> - 1.2.3-1\n- Release 1.2.3."
        ),
        "{changelog}"
    );

    let check = stdout(Command::new("rpm").arg("-K").arg(&rpm));
    assert!(check.trim_end().ends_with("digests OK"), "{check}");

    let payload = stdout(Command::new("bsdtar").arg("-tvf").arg(&rpm));
    assert!(
        payload.contains("./usr/bin/hello") && payload.contains(ODD_NAME),
        "{payload}"
    );
}

#[test]
fn rpm_installs_verifies_runs_and_erases() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3");
    let rpm = build_rpm(&pkg, tmp.path());
    let root = tmp.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let rpm_cmd = || {
        let mut c = Command::new("rpm");
        c.arg("--root").arg(&root);
        c
    };
    run(rpm_cmd().arg("--initdb"));
    run(rpm_cmd().args(["-i", "--nodeps"]).arg(&rpm));
    let verify = stdout(rpm_cmd().args(["-V", "--nodeps", "hello"]));
    assert_eq!(verify, "", "rpm -V reported changes");
    assert_eq!(
        std::fs::read_to_string(root.join(ODD_NAME)).unwrap(),
        "odd name\n"
    );
    let out = stdout(Command::new(root.join("usr/bin/hello")).arg("x"));
    assert!(
        out.starts_with("hello from crateship") && out.ends_with(", 1 args\n"),
        "{out}"
    );
    run(rpm_cmd().args(["-e", "hello"]));
    let left: Vec<String> = tree(&root, &["var", "usr/lib/sysimage", "root/.rpmdb"])
        .into_iter()
        .filter(|p| !root.join(p).is_dir())
        .collect();
    assert_eq!(left, Vec::<String>::new(), "files left after rpm -e");
    assert!(!root.join("usr/share/doc/hello").exists() && !root.join("usr/share/hello").exists());
}

#[test]
fn rpmlint_reports_only_listed_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3");
    let rpm = build_rpm(&pkg, tmp.path());
    // Findings we accept, each with its reason:
    let allowed = [
        // crateship does not generate man pages (yet).
        "no-manual-page-for-binary",
        // Signing is crateship-sign's job; this writer produces unsigned packages.
        "no-signature",
        // rpmlint 2.4's license list predates Fedora's switch to SPDX ids; `MIT` is valid SPDX.
        "invalid-license",
    ];
    let out = Command::new("rpmlint").arg(&rpm).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(": W: ") || l.contains(": E: "))
        .filter(|l| !allowed.iter().any(|a| l.contains(&format!(" {a}"))))
        .collect();
    assert!(
        findings.is_empty(),
        "rpmlint findings:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rpm_is_byte_identical_across_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3");
    let a = std::fs::read(build_rpm(&pkg, tmp.path())).unwrap();
    let f = File::options()
        .append(true)
        .open(tmp.path().join("hello"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now()).unwrap();
    let mut shuffled = pkg.clone();
    shuffled.files.reverse();
    let b = std::fs::read(build_rpm(&shuffled, tmp.path())).unwrap();
    assert!(a == b, "two builds of the same .rpm differ");
}

#[test]
fn rpm_carries_scriptlets_and_config_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pkg = sample_package(tmp.path(), "1.2.3");
    pkg.files.push(crateship_linux::PackageFile::from_bytes(
        "greeting = 1\n",
        "etc/hello.conf",
        0o644,
    ));
    pkg.conffiles = vec!["etc/hello.conf".into()];
    pkg.scripts.post_install = Some("echo installed".into());
    let rpm = build_rpm(&pkg, tmp.path());
    let scripts = stdout(Command::new("rpm").args(["-qp", "--scripts"]).arg(&rpm));
    assert!(
        scripts.contains("postinstall scriptlet (using /bin/sh):\necho installed"),
        "{scripts}"
    );
    let configs = stdout(Command::new("rpm").arg("-qpc").arg(&rpm));
    assert_eq!(configs, "/etc/hello.conf\n");
}
