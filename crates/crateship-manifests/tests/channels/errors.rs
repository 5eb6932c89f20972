//! Bad input: a channel without its artifact, a base-url that is not http(s), values
//! a format cannot carry. Each error names the input and the fix. And the good path
//! is deterministic: the same release gives the same bytes, with no host path in them.

use crateship_manifests::{
    ArtifactFormat, ChannelFile, ManifestError, Os, Release, aur::aur, homebrew::homebrew,
    install_sh::install_sh, scoop::scoop, winget::winget,
};

use crate::support::FakeRelease;

fn every_channel(release: &Release) -> Vec<ChannelFile> {
    let mut all = aur(release).unwrap();
    all.extend(winget(release).unwrap());
    all.extend(scoop(release).unwrap());
    all.extend(homebrew(release).unwrap());
    all.extend(install_sh(release).unwrap());
    all
}

fn fake() -> (tempfile::TempDir, FakeRelease) {
    let tmp = tempfile::tempdir().unwrap();
    let fake = FakeRelease::new(tmp.path(), "https://example.org/dl/v{version}");
    (tmp, fake)
}

fn message(result: Result<Vec<ChannelFile>, ManifestError>) -> String {
    match result {
        Ok(files) => panic!(
            "accepted: {:?}",
            files.iter().map(|f| &f.path).collect::<Vec<_>>()
        ),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_channel_file_is_the_same_bytes_on_a_second_run_and_names_no_host_path() {
    let (tmp, fake) = fake();
    let first = every_channel(&fake.release);
    let second = every_channel(&fake.release.clone());
    assert_eq!(first, second);
    assert_eq!(first.len(), 2 + 3 + 1 + 2 + 1);
    let host = tmp.path().display().to_string();
    for file in &first {
        assert!(!file.contents.contains(&host), "{} names {host}", file.path);
    }
}

#[test]
fn a_channel_without_its_artifact_says_which_format_to_add() {
    let (_tmp, mut fake) = fake();
    let release = &mut fake.release;
    release
        .artifacts
        .retain(|a| a.format != ArtifactFormat::Msi);
    let err = message(winget(release));
    assert!(
        err.contains("the winget channel needs an MSI") && err.contains("add `msi` to `formats`"),
        "{err}"
    );

    release
        .artifacts
        .retain(|a| a.format != ArtifactFormat::Zip);
    let err = message(scoop(release));
    assert!(
        err.contains("the scoop channel needs a Windows zip") && err.contains("add `zip`"),
        "{err}"
    );

    release.artifacts.retain(|a| a.os != Os::Linux);
    let err = message(aur(release));
    assert!(
        err.contains("the aur channel needs a Linux tar.gz")
            && err.contains("remove `aur` from the channels"),
        "{err}"
    );

    release
        .artifacts
        .retain(|a| a.format != ArtifactFormat::TarGz);
    let err = message(install_sh(release));
    assert!(
        err.contains("install.sh channel needs a Linux or macOS tar.gz"),
        "{err}"
    );
    // The cask alone is still written from the dmgs.
    let files = homebrew(release).unwrap();
    assert_eq!(files.len(), 1);
    release
        .artifacts
        .retain(|a| a.format != ArtifactFormat::Dmg);
    let err = message(homebrew(release));
    assert!(
        err.contains("homebrew channel needs a macOS or Linux tar.gz") && err.contains(".dmg"),
        "{err}"
    );
}

#[test]
fn a_base_url_that_is_not_http_is_refused_by_every_channel() {
    let (_tmp, mut fake) = fake();
    fake.release.base_url = "ftp://example.org/dl".into();
    for result in [
        aur(&fake.release),
        winget(&fake.release),
        scoop(&fake.release),
        homebrew(&fake.release),
        install_sh(&fake.release),
    ] {
        let err = message(result);
        assert!(
            err.contains("invalid base-url `ftp://example.org/dl`"),
            "{err}"
        );
        assert!(err.contains("http:// or https://"), "{err}");
    }
}

#[test]
fn values_a_format_cannot_carry_are_named_with_the_fix() {
    let (_tmp, fake) = fake();
    let with = |change: &dyn Fn(&mut Release)| {
        let mut release = fake.release.clone();
        change(&mut release);
        release
    };
    let err = message(aur(&with(&|r| r.version = "1.2.3+build.7".into())));
    assert!(
        err.contains("invalid version `1.2.3+build.7` for the aur channel")
            && err.contains("drop it"),
        "{err}"
    );
    let err = message(aur(&with(&|r| r.version = "v1.2".into())));
    assert!(
        err.contains("invalid version `v1.2`") && err.contains("MAJOR.MINOR.PATCH"),
        "{err}"
    );
    let err = message(homebrew(&with(&|r| r.license = "MIT/Apache-2.0".into())));
    assert!(
        err.contains("invalid license `MIT/Apache-2.0`") && err.contains("MIT OR Apache-2.0"),
        "{err}"
    );
    let err = message(winget(&with(&|r| r.identifier = "hello".into())));
    assert!(
        err.contains("invalid identifier `hello` for the winget channel")
            && err.contains("winget-identifier"),
        "{err}"
    );
    let err = message(winget(&with(&|r| {
        for a in &mut r.artifacts {
            a.msi = None;
        }
    })));
    assert!(
        err.contains("invalid MSI facts `Hello-Desktop-1.2.3-x64.msi`")
            && err.contains("msi_codes"),
        "{err}"
    );
    let err = message(aur(&with(&|r| r.linux_depends.push("GTK 3".into()))));
    assert!(
        err.contains("invalid linux dependency `GTK 3`") && err.contains("libgtk-3.so.0"),
        "{err}"
    );
    let err = message(aur(&with(&|r| r.man_pages = vec!["doc/hello.txt".into()])));
    assert!(
        err.contains("invalid man page `doc/hello.txt`") && err.contains("hello.1"),
        "{err}"
    );
    let err = message(install_sh(&with(&|r| {
        r.minisign_public_key = Some("not a key".into())
    })));
    assert!(
        err.contains("invalid minisign public key") && err.contains("RW"),
        "{err}"
    );
    let err = message(scoop(&with(&|r| r.artifacts[0].sha256 = "abc".into())));
    assert!(
        err.contains("invalid sha256 of `") && err.contains("64 hex digits"),
        "{err}"
    );
    let err = message(aur(&with(&|r| {
        let mut twin = r
            .artifacts
            .iter()
            .find(|a| a.file_name.contains("x86_64-unknown-linux-gnu"))
            .unwrap()
            .clone();
        twin.file_name = "hello-1.2.3-x86_64-unknown-linux-gnu.2.17.tar.gz".into();
        r.artifacts.push(twin);
    })));
    assert!(
        err.contains("two artifacts for Linux x86_64 gnu tar.gz") && err.contains("build only one"),
        "{err}"
    );
}
