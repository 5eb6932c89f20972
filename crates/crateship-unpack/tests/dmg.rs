//! A .dmg written by crateship-macos reads back file for file: every regular
//! file of the bundle with its bytes, in name order, and nothing else (no
//! `/Applications` link, no HFS+ private directories), names composed as
//! they were written although HFS+ stores them decomposed.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use crateship_macos::{DmgOptions, write_dmg};
use crateship_unpack::{Container, read};

fn put(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn every_file_of_the_app_reads_back_with_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("Tiny App.app");
    let program: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    put(
        &app,
        "Contents/Info.plist",
        b"<plist version=\"1.0\"><dict/></plist>",
    );
    put(&app, "Contents/MacOS/tiny", &program);
    put(
        &app,
        "Contents/Resources/n\u{e4}me with spaces.txt",
        b"unicode",
    );
    put(&app, "Contents/Resources/empty", b"");
    let dmg = dir.path().join("Tiny App.dmg");
    let file = std::fs::File::create(&dmg).unwrap();
    write_dmg(&app, &DmgOptions::new("Tiny App", 1_700_000_000), file).unwrap();

    let mut seen = Vec::new();
    read(&dmg, Container::Dmg, &mut |path, reader| {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        seen.push((path.to_owned(), bytes));
        Ok(())
    })
    .unwrap();
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Tiny App.app/Contents/Info.plist",
            "Tiny App.app/Contents/MacOS/tiny",
            "Tiny App.app/Contents/Resources/empty",
            "Tiny App.app/Contents/Resources/n\u{e4}me with spaces.txt",
        ]
    );
    assert_eq!(seen[1].1, program);
    assert_eq!(seen[3].1, b"unicode");
}

#[test]
fn a_file_that_is_not_a_dmg_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("bogus.dmg");
    std::fs::write(&bogus, vec![0u8; 8192]).unwrap();
    let err = read(&bogus, Container::Dmg, &mut |_, _| Ok(())).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("bogus.dmg"), "{message}");
}
