//! Debian's libappimage (an independent implementation) reads our AppImages.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crateship_linux::Arch;

use crate::{PNG, build, offset, run, sample_app};

const CHECKER: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <appimage/appimage.h>
int main(int argc, char **argv) {
    if (argc < 2) return 2;
    printf("type %d\n", appimage_get_type(argv[1], false));
    printf("offset %lld\n", (long long) appimage_get_payload_offset(argv[1]));
    char **files = appimage_list_files(argv[1]);
    for (char **f = files; f && *f; f++) printf("file %s\n", *f);
    appimage_string_list_free(files);
    for (int i = 2; i < argc; i++) {
        char *buf = NULL; unsigned long size = 0;
        if (!appimage_read_file_into_buffer_following_symlinks(argv[1], argv[i], &buf, &size)) {
            printf("read %s failed\n", argv[i]);
            continue;
        }
        printf("read %s %lu\n", argv[i], size);
        fwrite(buf, 1, size, stderr);
        free(buf);
    }
    return 0;
}
"#;

fn checker(dir: &Path) -> PathBuf {
    let src = dir.join("checker.c");
    fs::write(&src, CHECKER).unwrap();
    let bin = dir.join("checker");
    run(Command::new("gcc")
        .arg("-o")
        .arg(&bin)
        .arg(&src)
        .arg("-lappimage"));
    bin
}

#[test]
fn libappimage_reports_type_2_offset_files_and_reads_diricon() {
    let tmp = tempfile::tempdir().unwrap();
    let image = build(&sample_app(tmp.path(), Arch::X86_64), tmp.path());
    let out = run(Command::new(checker(tmp.path()))
        .arg(&image)
        .arg(".DirIcon"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("type 2\n"), "{text}");
    assert!(
        text.contains(&format!("offset {}\n", offset(Arch::X86_64))),
        "{text}"
    );
    for file in [
        "file AppRun\n",
        "file .DirIcon\n",
        "file org.example.Hello.desktop\n",
        "file usr/bin/hello\n",
        "file usr/share/icons/hicolor/16x16/apps/org.example.Hello.png\n",
        "file usr/share/metainfo/org.example.Hello.metainfo.xml\n",
    ] {
        assert!(text.contains(file), "missing {file:?} in\n{text}");
    }
    assert!(
        text.contains(&format!("read .DirIcon {}\n", PNG.len())),
        "{text}"
    );
    assert_eq!(out.stderr, PNG, ".DirIcon read through its symlinks");
}

#[test]
fn libappimage_rejects_an_appimage_with_zeroed_magic() {
    let tmp = tempfile::tempdir().unwrap();
    let image = build(&sample_app(tmp.path(), Arch::X86_64), tmp.path());
    let mut bytes = fs::read(&image).unwrap();
    bytes[8..11].fill(0);
    fs::write(&image, bytes).unwrap();
    let out = run(Command::new(checker(tmp.path())).arg(&image));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("type 2\n"), "{text}");
    assert!(text.contains("type -1\n"), "{text}");
}
