//! Bad input gives a clear error that names the input, before anything is written.

use crateship_linux::{LinuxError, PackageFile, write_deb, write_rpm};

use crate::sample_package;

fn aarch64_binary(dir: &std::path::Path) -> std::path::PathBuf {
    let mut bytes = std::fs::read("/bin/true").unwrap();
    bytes[18..20].copy_from_slice(&183u16.to_le_bytes()); // e_machine = EM_AARCH64
    let path = dir.join("hello-arm64");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn wrong_architecture_binary_is_rejected_by_both_writers() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pkg = sample_package(tmp.path(), "1.2.3");
    let arm = aarch64_binary(tmp.path());
    pkg.files[0] = PackageFile::from_path(&arm, "usr/bin/hello", 0o755);
    for result in [
        write_deb(&pkg, Vec::new()).map(|_| ()),
        write_rpm(&pkg, Vec::new()).map(|_| ()),
    ] {
        let err = result.unwrap_err();
        assert!(
            matches!(err, LinuxError::WrongArchitecture { .. }),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("hello-arm64") && msg.contains("aarch64") && msg.contains("x86_64"),
            "{msg}"
        );
    }
}

#[test]
fn bad_versions_names_and_destinations_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let good = sample_package(tmp.path(), "1.2.3");
    type Mutation = Box<dyn Fn(&mut crateship_linux::LinuxPackage)>;
    let cases: Vec<(&str, Mutation)> = vec![
        ("version", Box::new(|p| p.version = "1.2".into())),
        ("name", Box::new(|p| p.name = "Hello World".into())),
        ("maintainer", Box::new(|p| p.maintainer = "nobody".into())),
        (
            "..",
            Box::new(|p| p.files[1].dest = "usr/../../etc/passwd".into()),
        ),
        (
            "/etc/shadow",
            Box::new(|p| p.files[1].dest = "/etc/shadow".into()),
        ),
        (
            "two files",
            Box::new(|p| p.files[2].dest = p.files[1].dest.clone()),
        ),
        (
            "conffile",
            Box::new(|p| p.conffiles = vec!["etc/missing.conf".into()]),
        ),
        ("source_date_epoch", Box::new(|p| p.source_date_epoch = -1)),
        ("summary", Box::new(|p| p.summary = "two\nlines".into())),
        (
            "control characters",
            Box::new(|p| p.files[1].dest = "usr/share/a\nb".into()),
        ),
    ];
    for (needle, mutate) in cases {
        let mut pkg = good.clone();
        mutate(&mut pkg);
        for err in [
            write_deb(&pkg, Vec::new()).unwrap_err(),
            write_rpm(&pkg, Vec::new()).unwrap_err(),
        ] {
            assert!(err.to_string().contains(needle), "{needle}: {err}");
        }
    }
}

#[test]
fn missing_source_file_names_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pkg = sample_package(tmp.path(), "1.2.3");
    pkg.files.push(PackageFile::from_path(
        tmp.path().join("nope.txt"),
        "usr/share/hello/nope.txt",
        0o644,
    ));
    for err in [
        write_deb(&pkg, Vec::new()).unwrap_err(),
        write_rpm(&pkg, Vec::new()).unwrap_err(),
    ] {
        assert!(matches!(err, LinuxError::ReadSource { .. }), "{err:?}");
        assert!(err.to_string().contains("nope.txt"), "{err}");
    }
}

#[test]
fn aarch64_packages_use_each_formats_arch_name() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pkg = sample_package(tmp.path(), "1.2.3");
    pkg.arch = crateship_linux::Arch::Aarch64;
    pkg.files[0] = PackageFile::from_path(aarch64_binary(tmp.path()), "usr/bin/hello", 0o755);
    let deb = crate::deb::build_deb(&pkg, tmp.path());
    assert_eq!(deb.file_name().unwrap(), "hello_1.2.3_arm64.deb");
    let arch = crate::stdout(
        std::process::Command::new("dpkg-deb")
            .arg("-f")
            .arg(&deb)
            .arg("Architecture"),
    );
    assert_eq!(arch.trim(), "arm64");
    let rpm = crate::rpm::build_rpm(&pkg, tmp.path());
    assert_eq!(rpm.file_name().unwrap(), "hello-1.2.3-1.aarch64.rpm");
    let arch = crate::stdout(
        std::process::Command::new("rpm")
            .args(["-qp", "--qf", "%{ARCH}"])
            .arg(&rpm),
    );
    assert_eq!(arch, "aarch64");
}
