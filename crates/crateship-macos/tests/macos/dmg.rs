//! The `.dmg`: 7-Zip lists it, dmg2img converts it, the HFS+ volume extracts to the bundle.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crateship_macos::{DmgOptions, write_dmg};

use crate::{SDE, assert_same_tree, built_app, run, snapshot, stdout};

fn build_dmg(dir: &Path) -> (PathBuf, PathBuf) {
    let app = built_app(dir);
    let out = dir.join("Hello-1.2.3-arm64.dmg");
    write_dmg(
        &app,
        &DmgOptions::new("Hello 1.2.3", SDE),
        fs::File::create(&out).unwrap(),
    )
    .unwrap();
    (app, out)
}

#[test]
fn sevenzip_lists_the_app_and_applications_link() {
    let dir = tempfile::tempdir().unwrap();
    let (_, dmg) = build_dmg(dir.path());
    let t = stdout(Command::new("7zz").arg("t").arg(&dmg));
    assert!(t.contains("Everything is Ok"), "{t}");
    let l = stdout(Command::new("7zz").arg("l").arg("-slt").arg(&dmg));
    // `-slt` prints "Path = …" followed (later) by "Mode = …" per entry.
    let mut modes = std::collections::BTreeMap::new();
    let mut path = None;
    for line in l.lines() {
        if let Some(p) = line.strip_prefix("Path = ") {
            path = Some(p.to_owned());
        } else if let Some(m) = line.strip_prefix("Mode = ")
            && let Some(p) = path.take()
        {
            modes.insert(p, m.to_owned());
        }
    }
    let mode = |p: &str| modes.get(p).map(String::as_str);
    assert_eq!(mode("Hello 1.2.3/Applications"), Some("lrwxr-xr-x"), "{l}");
    assert_eq!(
        mode("Hello 1.2.3/Hello.app/Contents/MacOS/hello"),
        Some("-rwxr-xr-x"),
        "{l}"
    );
    assert_eq!(
        mode("Hello 1.2.3/Hello.app/Contents/Info.plist"),
        Some("-rw-r--r--"),
        "{l}"
    );
    assert_eq!(
        mode("Hello 1.2.3/Hello.app/Contents/Resources/data/sub dir/link to data"),
        Some("lrwxr-xr-x"),
        "{l}"
    );
}

#[test]
fn dmg2img_converts_and_the_volume_matches_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (app, dmg) = build_dmg(dir.path());
    let img = dir.path().join("volume.img");
    run(Command::new("dmg2img")
        .arg("-i")
        .arg(&dmg)
        .arg("-o")
        .arg(&img));
    let x = dir.path().join("x");
    fs::create_dir(&x).unwrap();
    run(Command::new("7zz")
        .arg("x")
        .arg("-snl")
        .arg(format!("-o{}", x.display()))
        .arg(&img));
    let vol = x.join("Hello 1.2.3");
    let root = if vol.is_dir() { vol } else { x.clone() };
    // HFS+ stores names decomposed (NFD); compare them recomposed.
    let nfc = |s: crate::Snapshot| -> crate::Snapshot {
        s.into_iter()
            .map(|(k, v)| (k.replace("u\u{308}", "ü").replace("i\u{308}", "ï"), v))
            .collect()
    };
    assert_same_tree(&nfc(snapshot(&root.join("Hello.app"))), &snapshot(&app));
    // 7-Zip rewrites absolute link targets on extraction; read the link's data instead.
    let target = stdout(
        Command::new("7zz")
            .args(["x", "-so"])
            .arg(&img)
            .arg("Hello 1.2.3/Applications"),
    );
    assert_eq!(target, "/Applications");
}

#[test]
fn two_dmgs_are_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (_, da) = build_dmg(a.path());
    let (_, db) = build_dmg(b.path());
    assert_eq!(fs::read(da).unwrap(), fs::read(db).unwrap());
}
