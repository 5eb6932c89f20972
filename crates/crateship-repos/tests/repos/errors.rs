//! Bad input: each error names the offending file or setting and the fix, and
//! nothing is written.

use std::fs;
use std::path::{Path, PathBuf};

use crateship_repos::{AptConfig, RepoError, RpmConfig, write_apt_repo, write_rpm_repo};

use crate::support::{SDE, deb, keys, rpm, tempdir};

fn assert_nothing_written(out: &Path) {
    assert!(!out.exists(), "{} was created", out.display());
}

fn apt(debs: &[PathBuf], previous: Option<&Path>, out: &Path) -> RepoError {
    let config = AptConfig::new("hello", "https://example.org/apt");
    write_apt_repo(&config, debs, previous, &keys().0.key, SDE, out).unwrap_err()
}

fn rpm_repo(rpms: &[PathBuf], previous: Option<&Path>, out: &Path) -> RepoError {
    let config = RpmConfig::new("hello", "https://example.org/rpm");
    write_rpm_repo(&config, rpms, previous, &keys().0.key, SDE, out).unwrap_err()
}

/// An ar archive with the given members (what `ar` and `dpkg-deb` write).
fn ar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = b"!<arch>\n".to_vec();
    for (name, data) in members {
        out.extend(
            format!(
                "{name:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                0,
                0,
                0,
                100644,
                data.len()
            )
            .bytes(),
        );
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(b'\n');
        }
    }
    out
}

#[test]
fn a_deb_without_a_control_member_is_named_with_the_fix() {
    let dir = tempdir();
    let good = deb(dir.path(), "hello-data", "1.0.0");
    let broken = dir.path().join("broken_1.0_amd64.deb");
    fs::write(
        &broken,
        ar(&[("debian-binary", b"2.0\n"), ("data.tar.xz", b"xz")]),
    )
    .unwrap();
    let out = dir.path().join("repo");
    let err = apt(&[good, broken.clone()], None, &out);
    let message = err.to_string();
    assert!(matches!(err, RepoError::NoControl { .. }), "{err:?}");
    assert!(message.contains(&broken.display().to_string()), "{message}");
    assert!(
        message.contains("rebuild it with dpkg-deb or crateship"),
        "{message}"
    );
    assert_nothing_written(&out);
}

#[test]
fn a_deb_whose_control_lacks_a_version_is_named_with_the_fix() {
    let dir = tempdir();
    let control = tar_xz_control("Package: hello\nArchitecture: amd64\n");
    let broken = dir.path().join("hello.deb");
    fs::write(
        &broken,
        ar(&[
            ("debian-binary", b"2.0\n"),
            ("control.tar.gz", &control),
            ("data.tar.gz", b""),
        ]),
    )
    .unwrap();
    let out = dir.path().join("repo");
    let message = apt(std::slice::from_ref(&broken), None, &out).to_string();
    assert!(message.contains(&broken.display().to_string()), "{message}");
    assert!(message.contains("has no Version field"), "{message}");
    assert!(message.contains("rebuild the .deb"), "{message}");
    assert_nothing_written(&out);
}

/// A gzip control tarball holding `./control`.
fn tar_xz_control(control: &str) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_size(control.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder
        .append_data(&mut header, "./control", control.as_bytes())
        .unwrap();
    builder.into_inner().unwrap().finish().unwrap()
}

#[test]
fn a_file_that_is_not_an_rpm_is_named_with_the_fix() {
    let dir = tempdir();
    let good = rpm(dir.path(), "hello-data", "1.0.0", &keys().0.key);
    let text = dir.path().join("notes.rpm");
    fs::write(&text, "this is a text file, not a package\n").unwrap();
    let deb_file = deb(dir.path(), "hello", "1.0.0");
    let out = dir.path().join("repo");
    for bad in [text, deb_file] {
        let err = rpm_repo(&[good.clone(), bad.clone()], None, &out);
        let message = err.to_string();
        assert!(matches!(err, RepoError::NotAnRpm { .. }), "{err:?}");
        assert!(message.contains(&bad.display().to_string()), "{message}");
        assert!(
            message.contains("pass a .rpm built by rpmbuild or crateship"),
            "{message}"
        );
        assert_nothing_written(&out);
    }
    // An rpm given to the apt writer is not a .deb.
    let err = apt(std::slice::from_ref(&good), None, &out);
    assert!(matches!(err, RepoError::NotADeb { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&good.display().to_string()),
        "{err}"
    );
    assert_nothing_written(&out);
}

#[test]
fn a_previous_directory_that_is_not_a_repository_is_named_with_the_fix() {
    let dir = tempdir();
    let debs = [deb(dir.path(), "hello-data", "1.0.0")];
    let rpms = [rpm(dir.path(), "hello-data", "1.0.0", &keys().0.key)];
    let not_repo = dir.path().join("dist-1.0");
    fs::create_dir_all(not_repo.join("pool")).unwrap();
    fs::write(not_repo.join("SHA256SUMS"), "").unwrap();
    let out = dir.path().join("repo");

    let message = apt(&debs, Some(&not_repo), &out).to_string();
    assert!(
        message.contains(&not_repo.display().to_string()),
        "{message}"
    );
    assert!(message.contains("no dists/ directory"), "{message}");
    assert!(
        message.contains("pass the repository directory of an earlier release"),
        "{message}"
    );
    assert_nothing_written(&out);

    let message = rpm_repo(&rpms, Some(&not_repo), &out).to_string();
    assert!(
        message.contains(&not_repo.display().to_string()),
        "{message}"
    );
    assert!(message.contains("repodata/repomd.xml"), "{message}");
    assert_nothing_written(&out);

    // A previous repository holding a damaged package names that package.
    let previous = dir.path().join("previous");
    fs::create_dir_all(previous.join("dists/stable")).unwrap();
    fs::create_dir_all(previous.join("pool/main/h/hello")).unwrap();
    let damaged = previous.join("pool/main/h/hello/hello_0.9_amd64.deb");
    fs::write(&damaged, b"!<arch>\ndebian-binary   0").unwrap();
    let message = apt(&debs, Some(&previous), &out).to_string();
    assert!(
        message.contains(&damaged.display().to_string()),
        "{message}"
    );
    assert_nothing_written(&out);
}

#[test]
fn two_inputs_of_the_same_version_and_bad_settings_are_refused() {
    let dir = tempdir();
    let a = deb(dir.path(), "hello-data", "1.0.0");
    let copy = dir.path().join("copy.deb");
    fs::copy(&a, &copy).unwrap();
    let out = dir.path().join("repo");
    let message = apt(&[a.clone(), copy.clone()], None, &out).to_string();
    assert!(
        message.contains("hello-data 1.0.0 (amd64)") && message.contains("pass only one"),
        "{message}"
    );
    assert_nothing_written(&out);

    let mut config = AptConfig::new("hello", "ftp://example.org/apt");
    let err = write_apt_repo(
        &config,
        std::slice::from_ref(&a),
        None,
        &keys().0.key,
        SDE,
        &out,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`base_url`"), "{err}");
    config.base_url = "https://example.org/apt".into();
    config.suite = "../stable".into();
    let err = write_apt_repo(
        &config,
        std::slice::from_ref(&a),
        None,
        &keys().0.key,
        SDE,
        &out,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`suite`"), "{err}");
    config.suite = "stable".into();
    let err = write_apt_repo(
        &config,
        std::slice::from_ref(&a),
        None,
        &keys().0.key,
        -1,
        &out,
    )
    .unwrap_err();
    assert!(err.to_string().contains("SOURCE_DATE_EPOCH -1"), "{err}");
    let err = write_apt_repo(&config, &[], None, &keys().0.key, SDE, &out).unwrap_err();
    assert!(matches!(err, RepoError::NoPackages { .. }), "{err:?}");
    assert_nothing_written(&out);
}
