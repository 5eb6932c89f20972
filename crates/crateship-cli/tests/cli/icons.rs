//! `crateship icons` and the icons step of `dist`.

use crate::support::*;

#[test]
fn icons_command_writes_every_set_and_reports_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("icons out");
    let svg = repo_root().join("assets/icon.svg");
    let out = run(crateship()
        .arg("icons")
        .arg(&svg)
        .arg("-o")
        .arg(&out_dir)
        .args(["--name", "hello", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let set: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(set["ico"].as_str().unwrap().ends_with("hello.ico"));
    let layers = verify("identify", &["-format", "%w %m\n", "hello.ico"], &out_dir);
    assert_eq!(layers.lines().count(), 10, "{layers}");
    assert!(out_dir.join("hello.icns").is_file());
    let png = verify(
        "identify",
        &["-format", "%w %h", "hicolor/48x48/apps/hello.png"],
        &out_dir,
    );
    assert_eq!(png, "48 48");
    assert!(out_dir.join("hicolor/scalable/apps/hello.svg").is_file());
}

#[test]
fn dist_renders_the_configured_icon_and_fails_early_on_a_corrupt_one() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let manifest = tiny_project(
        &project,
        "tiny",
        "identifier = \"org.example.tiny\"\nicon = \"icon.png\"",
    );
    std::fs::write(
        project.join("icon.png"),
        b"\x89PNG\r\n\x1a\nthis is not really a png",
    )
    .unwrap();
    let bins = binary_dir(tmp.path(), "tiny");
    let out_dir = tmp.path().join("out");
    let dist = |out_dir: &std::path::Path| {
        run(dist_prebuilt(&manifest, &bins, out_dir).args([
            "--target",
            "x86_64-unknown-linux-gnu",
            "--format",
            "tar.gz",
        ]))
    };
    let out = dist(&out_dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("icon.png"), "{}", stderr(&out));
    assert!(
        list(&out_dir).is_empty(),
        "no artifact after a bad icon: {:?}",
        list(&out_dir)
    );

    std::fs::copy(
        repo_root().join("assets/icon.svg"),
        project.join("icon.svg"),
    )
    .unwrap();
    let toml = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("icon.png", "icon.svg");
    std::fs::write(&manifest, toml).unwrap();
    let out = dist(&out_dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let icons = project.join("target/crateship/icons");
    let layers = verify("identify", &["org.example.tiny.ico"], &icons);
    assert_eq!(layers.lines().count(), 10, "{layers}");
}
