//! Packaging prebuilt binaries (`--no-build --binary-dir`): fast pipeline tests.

use crate::support::*;

#[test]
fn prebuilt_binaries_become_verified_archives_with_sums_and_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("my project ü");
    let manifest = tiny_project(
        &project,
        "tiny",
        "targets = [\"x86_64-unknown-linux-gnu\", \"x86_64-pc-windows-gnu\"]",
    );
    // A glibc-linked Linux program (its floor is recorded) and a Windows one.
    let bins = binary_dir(tmp.path(), "tiny");
    crate::support::signing::windows_exe(&bins.join("tiny.exe"));
    let out_dir = tmp.path().join("out dir");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir)
        .args(["--json"])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_str(&stdout(&out)).expect("--json prints one JSON document");
    assert_eq!(manifest["app"]["name"], "tiny");
    assert_eq!(manifest["artifacts"].as_array().unwrap().len(), 2);

    assert_eq!(
        list(&out_dir),
        [
            "SHA256SUMS",
            "dist-manifest.json",
            "tiny-0.4.2-x86_64-pc-windows-gnu.zip",
            "tiny-0.4.2-x86_64-unknown-linux-gnu.tar.gz"
        ]
    );
    verify("sha256sum", &["-c", "SHA256SUMS"], &out_dir);
    let on_disk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("dist-manifest.json")).unwrap())
            .unwrap();
    // `--json` is the manifest plus the run's warnings (none here).
    let mut printed = manifest.clone();
    assert_eq!(printed["warnings"], serde_json::json!([]));
    printed.as_object_mut().unwrap().remove("warnings");
    assert_eq!(on_disk, printed);
    let glibc = manifest["artifacts"][1]["requirements"]["glibc"]
        .as_str()
        .expect("glibc floor recorded");
    assert!(glibc.starts_with("2."), "{glibc}");

    // GNU tar: root ownership, SOURCE_DATE_EPOCH mtimes, 0755 executables.
    let listing = verify(
        "tar",
        &[
            "--utc",
            "-tvzf",
            "tiny-0.4.2-x86_64-unknown-linux-gnu.tar.gz",
        ],
        &out_dir,
    );
    let expected = [
        "drwxr-xr-x root/root         0 2023-11-14 22:13 tiny-0.4.2-x86_64-unknown-linux-gnu/",
        "-rw-r--r-- root/root         4 2023-11-14 22:13 tiny-0.4.2-x86_64-unknown-linux-gnu/LICENSE",
        "-rw-r--r-- root/root         7 2023-11-14 22:13 tiny-0.4.2-x86_64-unknown-linux-gnu/README.md",
    ];
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(&lines[..3], expected, "{listing}");
    assert!(
        lines[3].starts_with("-rwxr-xr-x root/root")
            && lines[3].ends_with("2023-11-14 22:13 tiny-0.4.2-x86_64-unknown-linux-gnu/tiny"),
        "{listing}"
    );
    // libarchive agrees, numerically.
    let listing = verify(
        "bsdtar",
        &["-tvnf", "tiny-0.4.2-x86_64-unknown-linux-gnu.tar.gz"],
        &out_dir,
    );
    assert!(
        listing
            .lines()
            .all(|l| l.contains(" 0      0 ") || l.contains(" root   root ")),
        "{listing}"
    );
    // Info-ZIP: Unix modes, DOS time in UTC, archive integrity.
    let listing = verify(
        "unzip",
        &["-Z", "tiny-0.4.2-x86_64-pc-windows-gnu.zip"],
        &out_dir,
    );
    assert!(listing.contains("-rwxr-xr-x  3.0 unx"), "{listing}");
    assert!(
        listing.contains("23-Nov-14 22:13 tiny-0.4.2-x86_64-pc-windows-gnu/tiny.exe"),
        "{listing}"
    );
    assert!(listing.contains("-rw-r--r--  3.0 unx"), "{listing}");
    verify(
        "unzip",
        &["-tq", "tiny-0.4.2-x86_64-pc-windows-gnu.zip"],
        &out_dir,
    );
    let extracted = tmp.path().join("x");
    std::fs::create_dir_all(&extracted).unwrap();
    verify(
        "unzip",
        &[
            "-q",
            out_dir
                .join("tiny-0.4.2-x86_64-pc-windows-gnu.zip")
                .to_str()
                .unwrap(),
        ],
        &extracted,
    );
    assert_eq!(
        std::fs::read(extracted.join("tiny-0.4.2-x86_64-pc-windows-gnu/tiny.exe")).unwrap(),
        std::fs::read(bins.join("tiny.exe")).unwrap()
    );
}

#[test]
fn same_inputs_give_byte_identical_archives() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_project(&tmp.path().join("p"), "tiny", "");
    let bins = binary_dir_for_all(tmp.path(), "tiny");
    let sums: Vec<String> = ["a", "b"]
        .iter()
        .map(|d| {
            let out_dir = tmp.path().join(d);
            let out = run(crateship()
                .args([
                    "dist",
                    "--no-build",
                    "--target",
                    "x86_64-unknown-linux-gnu",
                    "--target",
                    "x86_64-pc-windows-gnu",
                ])
                .arg("--binary-dir")
                .arg(&bins)
                .arg("--manifest-path")
                .arg(&manifest)
                .arg("--out-dir")
                .arg(&out_dir)
                .env("SOURCE_DATE_EPOCH", "1700000000"));
            assert!(out.status.success(), "{}", stderr(&out));
            std::fs::read_to_string(out_dir.join("SHA256SUMS")).unwrap()
        })
        .collect();
    assert_eq!(sums[0].lines().count(), 2);
    assert_eq!(sums[0], sums[1]);
}

#[test]
fn plan_json_is_one_document_with_a_ci_matrix() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_project(
        &tmp.path().join("p"),
        "tiny",
        "targets = [\"aarch64-apple-darwin\", \"x86_64-pc-windows-gnu\"]\n[package.metadata.crateship.macos]\nminimum-system-version = \"12.0\"",
    );
    let out = run(crateship()
        .args(["plan", "--json", "--manifest-path"])
        .arg(&manifest));
    assert!(out.status.success(), "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let jobs = plan["ci"]["include"].as_array().unwrap();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0]["target"], "aarch64-apple-darwin");
    assert_eq!(
        plan["targets"][0]["build"]["command"]["env"]["MACOSX_DEPLOYMENT_TARGET"],
        "12.0"
    );
    assert_eq!(
        plan["targets"][0]["build"]["command"]["args"][0],
        "zigbuild"
    );
}

#[test]
fn binary_names_with_spaces_and_non_ascii_are_packaged() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_project(&tmp.path().join("p"), "tiny", "");
    let mut toml = std::fs::read_to_string(&manifest).unwrap();
    toml.push_str("\n[[bin]]\nname = \"héllo wörld\"\npath = \"src/main.rs\"\n");
    std::fs::write(&manifest, toml).unwrap();
    let bins = binary_dir_for_all(tmp.path(), "héllo wörld");
    let out_dir = tmp.path().join("out");
    let out = run(crateship()
        .args([
            "dist",
            "--no-build",
            "--target",
            "x86_64-pc-windows-gnu",
            "--target",
            "x86_64-unknown-linux-musl",
        ])
        .arg("--binary-dir")
        .arg(&bins)
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--out-dir")
        .arg(&out_dir));
    assert!(out.status.success(), "{}", stderr(&out));
    let zip = verify(
        "unzip",
        &["-l", "tiny-0.4.2-x86_64-pc-windows-gnu.zip"],
        &out_dir,
    );
    assert!(
        zip.contains("tiny-0.4.2-x86_64-pc-windows-gnu/héllo wörld.exe"),
        "{zip}"
    );
    let tar = verify(
        "bsdtar",
        &["-tf", "tiny-0.4.2-x86_64-unknown-linux-musl.tar.gz"],
        &out_dir,
    );
    assert!(
        tar.contains("tiny-0.4.2-x86_64-unknown-linux-musl/héllo wörld\n"),
        "{tar}"
    );
}
