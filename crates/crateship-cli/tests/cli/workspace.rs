//! Multi-package workspaces: `[workspace.metadata.crateship] packages` and a
//! repeated `--package` release several packages in one run, each into its own
//! directory with its own checksums and manifest.

use std::path::{Path, PathBuf};

use crate::support::*;

/// A workspace of two binary packages, `alpha` and `beta`, and a library.
fn workspace(dir: &Path, packages: Option<&str>) -> PathBuf {
    let member = |name: &str, bin: bool| {
        let d = dir.join(name);
        std::fs::create_dir_all(d.join("src")).unwrap();
        let (file, body) = if bin {
            ("src/main.rs", "fn main() {}\n")
        } else {
            ("src/lib.rs", "pub fn f() {}\n")
        };
        std::fs::write(d.join(file), body).unwrap();
        std::fs::write(d.join("LICENSE"), "MIT\n").unwrap();
        std::fs::write(
            d.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.{}.0\"\nedition = \"2021\"\n\
                 license = \"MIT\"\ndescription = \"{name} tool\"\n",
                name.len()
            ),
        )
        .unwrap();
    };
    member("alpha", true);
    member("beta", true);
    member("common", false);
    let list = packages
        .map(|p| format!("\n[workspace.metadata.crateship]\npackages = {p}\n"))
        .unwrap_or_default();
    let manifest = dir.join("Cargo.toml");
    std::fs::write(
        &manifest,
        format!(
            "[workspace]\nmembers = [\"alpha\", \"beta\", \"common\"]\nresolver = \"2\"\n{list}"
        ),
    )
    .unwrap();
    manifest
}

/// A binary dir holding both packages' binaries.
fn bins(dir: &Path) -> PathBuf {
    let bins = binary_dir(dir, "alpha");
    std::fs::copy(bins.join("alpha"), bins.join("beta")).unwrap();
    bins
}

fn released_into_their_own_dirs(out_dir: &Path) {
    assert_eq!(list(out_dir), vec!["alpha", "beta"], "{:?}", list(out_dir));
    for (name, version) in [("alpha", "0.5.0"), ("beta", "0.4.0")] {
        let dir = out_dir.join(name);
        verify("sha256sum", &["-c", "SHA256SUMS"], &dir);
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("dist-manifest.json")).unwrap())
                .unwrap();
        assert_eq!(manifest["app"]["name"], name);
        assert_eq!(manifest["app"]["version"], version);
        let archive = format!("{name}-{version}-x86_64-unknown-linux-gnu.tar.gz");
        let listing = verify("tar", &["-tzf", &archive], &dir);
        assert!(
            listing.contains(&format!(
                "{name}-{version}-x86_64-unknown-linux-gnu/{name}\n"
            )),
            "{listing}"
        );
    }
}

#[test]
fn the_workspace_packages_list_releases_each_package_into_its_own_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = workspace(&tmp.path().join("ws"), Some("[\"alpha\", \"beta\"]"));
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins(tmp.path()), &out_dir).args([
        "--target",
        "x86_64-unknown-linux-gnu",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["packages"].as_array().unwrap().len(), 2, "{doc}");
    released_into_their_own_dirs(&out_dir);
}

#[test]
fn a_repeated_package_flag_does_the_same_and_mistakes_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = workspace(&tmp.path().join("ws"), None);
    let bins = bins(tmp.path());
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir)
        .args(["--target", "x86_64-unknown-linux-gnu"])
        .args(["-p", "alpha", "--package", "beta"]));
    assert!(out.status.success(), "{}", stderr(&out));
    released_into_their_own_dirs(&out_dir);

    // Without a choice, two binary packages are a usage mistake naming both.
    let out = run(dist_prebuilt(&manifest, &bins, &tmp.path().join("o2"))
        .args(["--target", "x86_64-unknown-linux-gnu"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("alpha, beta"), "{}", stderr(&out));

    // A listed package that is not a member is named with the members.
    let manifest = workspace(&tmp.path().join("ws2"), Some("[\"alpha\", \"gamma\"]"));
    let out = run(dist_prebuilt(&manifest, &bins, &tmp.path().join("o3"))
        .args(["--target", "x86_64-unknown-linux-gnu"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`gamma` is not a workspace member"),
        "{}",
        stderr(&out)
    );
}
