//! .deb and .rpm from `dist`: desktop integration, icons, dependencies, and a real
//! install into a scratch root with dpkg and rpm.

use std::path::Path;

use crate::support::*;

const CONFIG: &str = "identifier = \"org.example.tiny\"\nproduct-name = \"Tiny App\"\n\
                      [package.metadata.crateship.linux]\ncategories = [\"Utility\", \"Development\"]";

fn tiny_linux_dist(tmp: &Path) -> std::path::PathBuf {
    let project = tmp.join("p");
    let manifest = tiny_project(&project, "tiny", CONFIG);
    let toml = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("description = \"tiny\"", "description = \"Program that does nothing, successfully\"")
        .replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]\nhomepage = \"https://example.org/tiny\"",
    );
    std::fs::write(&manifest, toml).unwrap();
    std::fs::write(
        project.join("README.md"),
        "# Tiny\n\nTiny does nothing, successfully, every time.\n",
    )
    .unwrap();
    let bins = binary_dir(tmp, "tiny");
    let out_dir = tmp.join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir)
        .args(["--target", "x86_64-unknown-linux-gnu"])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert!(out.status.success(), "{}", stderr(&out));
    out_dir
}

#[test]
fn deb_passes_lintian_and_installs_into_a_scratch_root() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tiny_linux_dist(tmp.path());
    let deb = "tiny_0.4.2_amd64.deb";
    assert!(list(&out).contains(&deb.to_owned()), "{:?}", list(&out));
    let info = verify("dpkg-deb", &["-I", deb], &out);
    for field in [
        "Package: tiny",
        "Version: 0.4.2",
        "Architecture: amd64",
        "Maintainer: Tiny Maintainer <tiny@example.org>",
        "Depends: libc6 (>= 2.",
    ] {
        assert!(info.contains(field), "missing {field:?} in\n{info}");
    }
    let contents = verify("dpkg-deb", &["-c", deb], &out);
    for path in [
        "./usr/bin/tiny",
        "./usr/share/applications/org.example.tiny.desktop",
        "./usr/share/metainfo/org.example.tiny.metainfo.xml",
        "./usr/share/icons/hicolor/48x48/apps/org.example.tiny.png",
        "./usr/share/icons/hicolor/scalable/apps/org.example.tiny.svg",
        "./usr/share/doc/tiny/copyright",
    ] {
        assert!(contents.contains(path), "missing {path} in\n{contents}");
    }
    assert!(
        contents.lines().all(|l| l.contains("root/root")),
        "{contents}"
    );
    // no-manual-page: this fixture ships none (assets.rs tests one that does).
    verify(
        "lintian",
        &[
            "--fail-on",
            "error,warning",
            "--suppress-tags",
            "no-manual-page",
            deb,
        ],
        &out,
    );

    let root = tmp.path().join("root");
    for dir in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
    ] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    std::fs::write(root.join("var/lib/dpkg/status"), "").unwrap();
    let root_arg = format!("--root={}", root.display());
    verify(
        "dpkg",
        &[
            &root_arg,
            "--force-depends",
            "--force-script-chrootless",
            "-i",
            deb,
        ],
        &out,
    );
    assert_eq!(verify("dpkg", &[&root_arg, "--verify", "tiny"], &out), "");
    verify(root.join("usr/bin/tiny").to_str().unwrap(), &[], &out);
    verify(
        "desktop-file-validate",
        &["usr/share/applications/org.example.tiny.desktop"],
        &root,
    );
    verify(
        "appstreamcli",
        &[
            "validate",
            "--no-net",
            "usr/share/metainfo/org.example.tiny.metainfo.xml",
        ],
        &root,
    );
    verify(
        "dpkg",
        &[&root_arg, "--force-script-chrootless", "-r", "tiny"],
        &out,
    );
    assert!(!root.join("usr/bin/tiny").exists());
}

#[test]
fn rpm_verifies_and_installs_into_a_scratch_root() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tiny_linux_dist(tmp.path());
    let rpm = "tiny-0.4.2-1.x86_64.rpm";
    verify("rpm", &["-K", rpm], &out);
    let info = verify("rpm", &["-qpi", rpm], &out);
    for field in [
        "tiny",
        "0.4.2",
        "MIT",
        "https://example.org/tiny",
        "localhost",
    ] {
        assert!(info.contains(field), "missing {field:?} in\n{info}");
    }
    let files = verify("rpm", &["-qplv", rpm], &out);
    assert!(
        files.contains("/usr/share/applications/org.example.tiny.desktop"),
        "{files}"
    );
    assert!(
        !files
            .lines()
            .any(|l| l.ends_with(" /usr") || l.ends_with(" /usr/bin")),
        "must not own system dirs:\n{files}"
    );
    let root = tmp.path().join("rpmroot");
    std::fs::create_dir_all(&root).unwrap();
    let root_str = root.to_str().unwrap();
    verify("rpm", &["--root", root_str, "--initdb"], &out);
    verify("rpm", &["--root", root_str, "-i", "--nodeps", rpm], &out);
    assert_eq!(
        verify("rpm", &["--root", root_str, "-V", "--nodeps", "tiny"], &out),
        ""
    );
    verify(root.join("usr/bin/tiny").to_str().unwrap(), &[], &out);
    verify("rpm", &["--root", root_str, "-e", "--nodeps", "tiny"], &out);
    assert!(!root.join("usr/bin/tiny").exists());
}

#[test]
fn deb_and_rpm_need_an_identifier_when_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_project(&tmp.path().join("p"), "tiny", "");
    let out = run(crateship()
        .args([
            "plan",
            "--format",
            "deb",
            "--target",
            "x86_64-unknown-linux-gnu",
            "--manifest-path",
        ])
        .arg(&manifest));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("identifier"), "{}", stderr(&out));
    // Zero config still works: archives only.
    let out = run(crateship()
        .args([
            "plan",
            "--json",
            "--target",
            "x86_64-unknown-linux-gnu",
            "--manifest-path",
        ])
        .arg(&manifest));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(plan["targets"][0]["artifacts"].as_array().unwrap().len(), 1);
}

#[test]
fn a_missing_maintainer_stops_the_run_before_any_artifact() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_project(
        &tmp.path().join("p"),
        "tiny",
        "identifier = \"org.example.tiny\"",
    );
    let bins = binary_dir(tmp.path(), "tiny");
    let out_dir = tmp.path().join("out");
    let out =
        run(dist_prebuilt(&manifest, &bins, &out_dir)
            .args(["--target", "x86_64-unknown-linux-gnu"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("authors = [\"Name <mail@example.org>\"]"),
        "{}",
        stderr(&out)
    );
    assert!(list(&out_dir).is_empty(), "{:?}", list(&out_dir));
}

#[test]
fn libraries_beyond_the_desktop_base_are_declared_or_named() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let manifest = tiny_project(&project, "tiny", CONFIG);
    let toml = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace(
            "description = \"tiny\"",
            "description = \"Program that links two libraries\"",
        )
        .replace(
            "license = \"MIT\"",
            "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
        );
    std::fs::write(&manifest, toml).unwrap();
    // A native program linking fontconfig (every desktop has it) and libpng (not on the list).
    let bins = tmp.path().join("bins");
    std::fs::create_dir_all(&bins).unwrap();
    let c = tmp.path().join("tiny.c");
    std::fs::write(
        &c,
        "#include <fontconfig/fontconfig.h>\n#include <png.h>\nint main(void) { return FcGetVersion() > 0 && png_access_version_number() > 0 ? 0 : 1; }\n",
    )
    .unwrap();
    verify(
        "gcc",
        &[
            "-O2",
            "-o",
            bins.join("tiny").to_str().unwrap(),
            c.to_str().unwrap(),
            "-lfontconfig",
            "-lpng16",
        ],
        tmp.path(),
    );
    let out_dir = tmp.path().join("out");
    let out =
        run(dist_prebuilt(&manifest, &bins, &out_dir)
            .args(["--target", "x86_64-unknown-linux-gnu"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains("libpng16.so.16 is not bundled"),
        "the AppImage must name libpng:\n{log}"
    );
    assert!(
        !log.contains("libfontconfig.so.1 is not bundled"),
        "fontconfig is on every desktop:\n{log}"
    );
    let depends = verify(
        "dpkg-deb",
        &["-f", "tiny_0.4.2_amd64.deb", "Depends"],
        &out_dir,
    );
    assert!(
        depends.contains("libfontconfig1") && depends.contains("libpng16-16"),
        "{depends}"
    );
    let requires = verify("rpm", &["-qpR", "tiny-0.4.2-1.x86_64.rpm"], &out_dir);
    assert!(
        requires.contains("libpng16.so.16()(64bit)")
            && requires.contains("libfontconfig.so.1()(64bit)"),
        "{requires}"
    );
    assert!(
        list(&out_dir).contains(&"Tiny_App-0.4.2-x86_64.AppImage".to_owned()),
        "{:?}",
        list(&out_dir)
    );
}

#[test]
fn a_users_desktop_template_and_keywords_reach_the_deb() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let config = format!(
        "{CONFIG}\nkeywords = [\"nothing\", \"success\"]\nmime-types = [\"text/plain\"]\n\
         desktop-template = \"packaging/tiny.desktop\""
    );
    let manifest = tiny_project(&project, "tiny", &config);
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    std::fs::create_dir_all(project.join("packaging")).unwrap();
    std::fs::write(
        project.join("packaging/tiny.desktop"),
        "[Desktop Entry]\nType=Application\nName={{name}}\nComment={{comment}}\nExec={{exec}}\n\
         Icon={{icon}}\nTerminal={{terminal}}\nCategories={{categories}}\nKeywords={{keywords}}\n\
         MimeType={{mime_types}}\nStartupNotify=true\n",
    )
    .unwrap();
    let bins = binary_dir(tmp.path(), "tiny");
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir).args([
        "--target",
        "x86_64-unknown-linux-gnu",
        "--format",
        "deb",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let x = tmp.path().join("x");
    verify(
        "dpkg-deb",
        &["-x", "tiny_0.4.2_amd64.deb", x.to_str().unwrap()],
        &out_dir,
    );
    let desktop = x.join("usr/share/applications/org.example.tiny.desktop");
    let text = std::fs::read_to_string(&desktop).unwrap();
    for line in [
        "StartupNotify=true\n",
        "Keywords=nothing;success;\n",
        "MimeType=text/plain;\n",
        "Exec=tiny %F\n",
    ] {
        assert!(text.contains(line), "{line:?} missing in\n{text}");
    }
    verify(
        "desktop-file-validate",
        &[desktop.to_str().unwrap()],
        &out_dir,
    );
    let metainfo = x.join("usr/share/metainfo/org.example.tiny.metainfo.xml");
    let meta = std::fs::read_to_string(&metainfo).unwrap();
    assert!(meta.contains("<keyword>success</keyword>"), "{meta}");
    assert!(meta.contains("<mediatype>text/plain</mediatype>"), "{meta}");
}

#[test]
fn bundled_libraries_are_copied_into_the_appimage_and_used() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let config = format!("{CONFIG}\nbundle-libraries = true");
    let manifest = tiny_project(&project, "tiny", &config);
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    // Prints the file libpng was loaded from: the bundled copy, not the host's.
    let bins = tmp.path().join("bins");
    std::fs::create_dir_all(&bins).unwrap();
    let c = tmp.path().join("tiny.c");
    std::fs::write(
        &c,
        "#define _GNU_SOURCE\n#include <dlfcn.h>\n#include <stdio.h>\n#include <png.h>\n\
         int main(void) { Dl_info i; if (!dladdr((void *)png_access_version_number, &i)) return 2;\n\
         puts(i.dli_fname); return 0; }\n",
    )
    .unwrap();
    verify(
        "gcc",
        &[
            "-O2",
            "-o",
            bins.join("tiny").to_str().unwrap(),
            c.to_str().unwrap(),
            "-lpng16",
            "-ldl",
        ],
        tmp.path(),
    );
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir).args([
        "--target",
        "x86_64-unknown-linux-gnu",
        "--format",
        "appimage",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("is not bundled"), "{}", stderr(&out));
    let appimage = out_dir.join("Tiny_App-0.4.2-x86_64.AppImage");
    verify(
        appimage.to_str().unwrap(),
        &["--appimage-extract"],
        &out_dir,
    );
    let root = out_dir.join("squashfs-root");
    let bundled = std::fs::read(root.join("usr/lib/libpng16.so.16")).unwrap();
    let host = std::fs::read("/lib/x86_64-linux-gnu/libpng16.so.16")
        .or_else(|_| std::fs::read("/usr/lib/x86_64-linux-gnu/libpng16.so.16"))
        .unwrap();
    assert_eq!(bundled, host, "the host's libpng, copied whole");
    assert!(
        !root.join("usr/lib/libc.so.6").exists() && !root.join("usr/lib/libz.so.1").exists(),
        "base libraries stay out"
    );
    let app_run = std::fs::read_to_string(root.join("AppRun")).unwrap();
    assert!(app_run.starts_with("#!/bin/sh\n"), "{app_run}");
    let ran = run(std::process::Command::new(&appimage)
        .env("APPIMAGE_EXTRACT_AND_RUN", "1")
        .current_dir(&out_dir));
    assert!(ran.status.success(), "{}", stderr(&ran));
    let loaded = stdout(&ran);
    assert!(
        loaded.trim().ends_with("/usr/lib/libpng16.so.16") && !loaded.contains("-linux-gnu/"),
        "libpng must come from the AppImage, came from {loaded}"
    );
}

#[test]
fn a_library_missing_on_the_host_stops_bundling_with_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let config = format!("{CONFIG}\nbundle-libraries = true");
    let manifest = tiny_project(&project, "tiny", &config);
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    // Link against a library that exists only in the temp dir, never on the host's paths.
    let lib_c = tmp.path().join("only.c");
    std::fs::write(&lib_c, "int only_here(void) { return 0; }\n").unwrap();
    let lib = tmp.path().join("libonlyhere.so.1");
    verify(
        "gcc",
        &[
            "-shared",
            "-fPIC",
            "-Wl,-soname,libonlyhere.so.1",
            "-o",
            lib.to_str().unwrap(),
            lib_c.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let bins = tmp.path().join("bins");
    std::fs::create_dir_all(&bins).unwrap();
    let c = tmp.path().join("tiny.c");
    std::fs::write(
        &c,
        "int only_here(void);\nint main(void) { return only_here(); }\n",
    )
    .unwrap();
    verify(
        "gcc",
        &[
            "-o",
            bins.join("tiny").to_str().unwrap(),
            c.to_str().unwrap(),
            lib.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir).args([
        "--target",
        "x86_64-unknown-linux-gnu",
        "--format",
        "appimage",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("libonlyhere.so.1")
            && err.contains("bundle-libraries")
            && err.contains("/usr/lib"),
        "{err}"
    );
    assert!(
        !list(&out_dir).iter().any(|n| n.ends_with(".AppImage")),
        "no partial AppImage: {:?}",
        list(&out_dir)
    );
}

/// The MIT licence as crates ship it.
const MIT_TEXT: &str = "MIT License\n\nCopyright (c) 2024 Tone Maintainer\n\n\
    Permission is hereby granted, free of charge, to any person obtaining a copy\n\
    of this software and associated documentation files (the \"Software\"), to deal\n\
    in the Software without restriction.\n\n\
    THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND.\n";

#[test]
fn a_dual_licensed_crate_whose_readme_repeats_the_description_is_lint_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let manifest = tiny_project(&project, "tone", "identifier = \"org.example.tone\"");
    let toml = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace(
            "description = \"tiny\"",
            "description = \"Makes tones from the command line\"",
        )
        .replace(
            "license = \"MIT\"",
            "license = \"MIT OR Apache-2.0\"\nauthors = [\"Tone Maintainer <tone@example.org>\"]\n\
             homepage = \"https://example.org/tone\"",
        );
    std::fs::write(&manifest, toml).unwrap();
    std::fs::remove_file(project.join("LICENSE")).unwrap();
    std::fs::write(project.join("LICENSE-MIT"), MIT_TEXT).unwrap();
    // The real Apache-2.0 text, as most crates ship it (Debian's own copy).
    std::fs::copy(
        "/usr/share/common-licenses/Apache-2.0",
        project.join("LICENSE-APACHE"),
    )
    .unwrap();
    std::fs::write(
        project.join("README.md"),
        "# tone\n\nMakes tones from the command line.\n\nTone plays sine waves at any pitch.\n",
    )
    .unwrap();
    let bins = binary_dir(tmp.path(), "tone");
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir)
        .args(["--target", "x86_64-unknown-linux-gnu"])
        .args(["--format", "deb", "--format", "rpm"])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert!(out.status.success(), "{}", stderr(&out));

    let deb = "tone_0.4.2_amd64.deb";
    // no-manual-page: this fixture ships none.
    verify(
        "lintian",
        &[
            "--fail-on",
            "error,warning",
            "--suppress-tags",
            "no-manual-page",
            deb,
        ],
        &out_dir,
    );
    let copyright = verify(
        "sh",
        &[
            "-c",
            &format!("dpkg-deb --fsys-tarfile {deb} | tar -xO ./usr/share/doc/tone/copyright"),
        ],
        &out_dir,
    );
    assert!(
        copyright.contains("License: MIT or Apache-2.0\n"),
        "{copyright}"
    );
    assert!(
        copyright.contains("\"/usr/share/common-licenses/Apache-2.0\""),
        "{copyright}"
    );
    assert!(
        copyright.contains(" Permission is hereby granted"),
        "{copyright}"
    );
    assert!(!copyright.contains("TERMS AND CONDITIONS"), "{copyright}");
    let info = verify("dpkg-deb", &["-f", deb, "Description"], &out_dir);
    assert!(info.contains("Tone plays sine waves"), "{info}");

    // rpmlint: no error but the missing signature (unsigned on purpose).
    let rpm = "tone-0.4.2-1.x86_64.rpm";
    let lint = run(std::process::Command::new("rpmlint")
        .arg(rpm)
        .current_dir(&out_dir));
    let report = stdout(&lint);
    let errors: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(": E: ") && !l.contains("E: no-signature"))
        .collect();
    assert!(errors.is_empty(), "rpmlint errors:\n{report}");
    assert!(!report.contains("files-duplicated-waste"), "{report}");
    // The HiDPI icons are links to the same image one size up.
    let files = verify("rpm", &["-qlvp", rpm], &out_dir);
    let link = files
        .lines()
        .find(|l| l.contains("/hicolor/32x32@2/apps/org.example.tone.png"))
        .unwrap_or_else(|| panic!("{files}"));
    assert!(
        link.starts_with('l') && link.ends_with("-> ../../64x64/apps/org.example.tone.png"),
        "{link}"
    );
}
