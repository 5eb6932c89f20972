//! Careless or hostile input gets a clear refusal and leaves nothing behind:
//! binaries that are not programs for their target, files that escape the
//! project, resource globs that would ship VCS data, build output or secrets.
//! Warnings reach `--json` too.

use std::path::{Path, PathBuf};

use crate::support::signing::windows_exe;
use crate::support::*;

/// `dist --no-build` of `target` with `file` as the binary `tiny[.exe]`.
fn dist_with_binary(target: &str, write: impl FnOnce(&Path)) -> (std::process::Output, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_project(&tmp.path().join("p"), "tiny", "");
    let bins = tmp.path().join("bins");
    std::fs::create_dir_all(&bins).unwrap();
    let name = if target.contains("windows") {
        "tiny.exe"
    } else {
        "tiny"
    };
    write(&bins.join(name));
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir).args([
        "--target",
        target,
        "--format",
        if target.contains("windows") {
            "zip"
        } else {
            "tar.gz"
        },
    ]));
    assert!(
        list(&out_dir).is_empty(),
        "nothing may be written: {:?}",
        list(&out_dir)
    );
    // Keep the temp dir alive only as long as needed: the output is all we check.
    drop(tmp);
    (out, out_dir)
}

fn assert_refused(out: &std::process::Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr should mention {n:?}:\n{err}");
    }
}

#[test]
fn a_file_that_is_not_a_program_for_its_target_is_refused() {
    let windows = "x86_64-pc-windows-gnu";
    let (out, _) = dist_with_binary(windows, |p| std::fs::write(p, b"").unwrap());
    assert_refused(&out, &["tiny.exe", "empty", windows]);
    let (out, _) = dist_with_binary(windows, |p| {
        std::fs::write(p, b"#!/bin/sh\necho hi\n").unwrap()
    });
    assert_refused(&out, &["tiny.exe", "script", "/bin/sh"]);
    let (out, _) = dist_with_binary(windows, |p| {
        std::fs::copy("/bin/true", p).unwrap();
    });
    assert_refused(
        &out,
        &["tiny.exe", "Linux program", "Windows program", "--target"],
    );
    let (out, _) = dist_with_binary(windows, |p| {
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        std::fs::write(p, noise).unwrap();
    });
    assert_refused(&out, &["tiny.exe", "unrecognised data"]);
    // An x64 exe for Windows on Arm.
    let (out, _) = dist_with_binary("aarch64-pc-windows-gnullvm", windows_exe);
    assert_refused(
        &out,
        &[
            "x86-64 Windows program",
            "arm64",
            "aarch64-pc-windows-gnullvm",
        ],
    );
    // A glibc-linked ELF for a musl target.
    let (out, _) = dist_with_binary("x86_64-unknown-linux-musl", |p| {
        std::fs::copy("/bin/true", p).unwrap();
    });
    assert_refused(
        &out,
        &["dynamically linked", "x86_64-unknown-linux-musl", "static"],
    );
    // An x86-64 Mach-O for Apple silicon, a thin arm64 one for universal.
    let (out, _) = dist_with_binary("aarch64-apple-darwin", |p| {
        compile_c(TRIVIAL_C, "x86_64-macos.11.0", p, &[]);
    });
    assert_refused(&out, &["x86-64", "arm64", "aarch64-apple-darwin"]);
    let (out, _) = dist_with_binary("universal-apple-darwin", |p| {
        compile_c(TRIVIAL_C, "aarch64-macos.11.0", p, &[]);
    });
    assert_refused(&out, &["universal-apple-darwin", "x86-64", "arm64"]);
}

/// A project whose resources would pick up VCS data, build output and `.env`.
fn messy_project(dir: &Path, resources: &str) -> PathBuf {
    let manifest = tiny_project(dir, "tiny", &format!("resources = {resources}"));
    for (file, text) in [
        ("assets/data/a.txt", "a"),
        ("assets/data/deep/er/b.txt", "b"),
        ("assets/.env", "SECRET=1"),
        ("assets/.git/config", "[core]"),
        ("assets/target/junk.o", "junk"),
    ] {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    manifest
}

fn tarball_listing(out_dir: &Path) -> String {
    verify(
        "tar",
        &["-tzf", "tiny-0.4.2-x86_64-unknown-linux-gnu.tar.gz"],
        out_dir,
    )
}

#[test]
fn resource_globs_skip_vcs_build_output_and_env_files_and_take_everything_below_a_trailing_double_star()
 {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = messy_project(&tmp.path().join("p"), "[\"assets/**\"]");
    let bins = binary_dir(tmp.path(), "tiny");
    let out_dir = tmp.path().join("out");
    let out =
        run(dist_prebuilt(&manifest, &bins, &out_dir)
            .args(["--target", "x86_64-unknown-linux-gnu"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let listing = tarball_listing(&out_dir);
    assert!(listing.contains("assets/data/a.txt"), "{listing}");
    assert!(listing.contains("assets/data/deep/er/b.txt"), "{listing}");
    for skipped in [".env", ".git/", "target/"] {
        assert!(!listing.contains(skipped), "{skipped} shipped:\n{listing}");
    }
}

#[test]
fn an_explicitly_named_env_file_ships_with_a_warning_also_in_json() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = messy_project(
        &tmp.path().join("p"),
        "[\"assets/data/*\", \"assets/.env\"]",
    );
    let bins = binary_dir(tmp.path(), "tiny");
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir).args([
        "--target",
        "x86_64-unknown-linux-gnu",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(tarball_listing(&out_dir).contains("assets/.env"));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let warnings = doc["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("assets/.env")),
        "{doc}"
    );
    assert!(
        stderr(&out).contains("warning: resources: `assets/.env`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn files_that_resolve_outside_the_project_are_refused_with_their_key() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.md"), "not yours").unwrap();
    let bins = binary_dir(tmp.path(), "tiny");
    let plan = |manifest: &Path| run(crateship().args(["plan", "--manifest-path"]).arg(manifest));

    // A README that is a symlink to a file outside.
    let p = tmp.path().join("a");
    let manifest = tiny_project(&p, "tiny", "");
    std::fs::remove_file(p.join("README.md")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.md"), p.join("README.md")).unwrap();
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nreadme = \"README.md\"",
    );
    std::fs::write(&manifest, toml).unwrap();
    assert_refused(&plan(&manifest), &["package.readme", "outside the project"]);

    // An absolute license-file.
    let p = tmp.path().join("b");
    let manifest = tiny_project(&p, "tiny", "");
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        &format!("license-file = \"{}\"", outside.join("secret.md").display()),
    );
    std::fs::write(&manifest, toml).unwrap();
    assert_refused(&plan(&manifest), &["package.license-file", "absolute path"]);

    // An icon symlinked from outside.
    let p = tmp.path().join("c");
    let manifest = tiny_project(&p, "tiny", "icon = \"icon.svg\"");
    std::os::unix::fs::symlink(outside.join("secret.md"), p.join("icon.svg")).unwrap();
    let out_dir = tmp.path().join("out");
    let out =
        run(dist_prebuilt(&manifest, &bins, &out_dir)
            .args(["--target", "x86_64-unknown-linux-gnu"]));
    assert_refused(&out, &["`icon`", "outside the project"]);
    assert!(list(&out_dir).is_empty(), "{:?}", list(&out_dir));
}

#[test]
fn names_identifiers_and_timestamps_are_checked_when_planning() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = |config: &str, epoch: Option<&str>| {
        let dir = tempfile::tempdir_in(tmp.path()).unwrap().keep();
        let manifest = tiny_project(&dir, "tiny", config);
        let mut cmd = crateship();
        cmd.args(["plan", "--manifest-path"]).arg(&manifest);
        if let Some(e) = epoch {
            cmd.env("SOURCE_DATE_EPOCH", e);
        }
        run(&mut cmd)
    };
    let long = "x".repeat(300);
    for (value, needle) in [
        ("", "is empty"),
        ("   ", "is empty"),
        ("Hello/World", "'/'"),
        ("Say \\\"hi\\\"", "'\"'"),
        ("two\\nlines", "'\\n'"),
        ("a..b", "`..`"),
        (long.as_str(), "longer than 100"),
    ] {
        let out = plan(&format!("product-name = \"{value}\""), None);
        assert_refused(&out, &["`product-name`", needle]);
    }
    for id in [
        "-org.example",
        "org.-example",
        "org..example",
        "org.example-",
    ] {
        let out = plan(&format!("identifier = \"{id}\""), None);
        assert_refused(&out, &["`identifier`", "reverse-DNS"]);
    }
    let out = plan("", Some("253402300799"));
    assert_refused(&out, &["SOURCE_DATE_EPOCH=253402300799", "9999", "tar.gz"]);
    assert!(
        plan("product-name = \"Hello Desktop\"", None)
            .status
            .success()
    );
}

#[test]
fn signing_keys_come_from_outside_the_tree_or_from_variables_never_echoed() {
    use crate::support::signing::{PASSWORD, pki};
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("secrets");
    std::fs::create_dir_all(&keys).unwrap();
    pki(&keys);
    let exe = tmp.path().join("work/tiny.exe");
    windows_exe(&exe);
    let verify_exe = |exe: &Path| {
        let out = run(std::process::Command::new("osslsigncode")
            .args(["verify", "-CAfile"])
            .arg(keys.join("cert.pem"))
            .arg("-in")
            .arg(exe));
        assert!(out.status.success(), "{}", stdout(&out));
    };
    let sign = |config: &str, exe: &Path, env: &[(&str, String)]| {
        let dir = tempfile::tempdir_in(tmp.path()).unwrap().keep();
        let manifest = tiny_project(&dir, "tiny", config);
        let mut cmd = crateship();
        cmd.args(["sign", "--manifest-path"])
            .arg(&manifest)
            .arg(exe);
        for (k, v) in env {
            cmd.env(k, v);
        }
        run(&mut cmd)
    };
    // An absolute path outside the project.
    let config = format!(
        "[package.metadata.crateship.signing]\nwindows-pfx = \"{}\"\nwindows-password-env = \"TINY_PW\"",
        keys.join("cert.pfx").display()
    );
    let copy = tmp.path().join("work/a.exe");
    std::fs::copy(&exe, &copy).unwrap();
    let out = sign(&config, &copy, &[("TINY_PW", PASSWORD.to_owned())]);
    assert!(out.status.success(), "{}", stderr(&out));
    verify_exe(&copy);
    // The .pfx itself, base64, in a variable.
    let pfx_b64 = verify("base64", &["-w0", "cert.pfx"], &keys);
    let config = "[package.metadata.crateship.signing]\nwindows-pfx-env = \"TINY_PFX\"\nwindows-password-env = \"TINY_PW\"";
    let copy = tmp.path().join("work/b.exe");
    std::fs::copy(&exe, &copy).unwrap();
    let out = sign(
        config,
        &copy,
        &[("TINY_PFX", pfx_b64), ("TINY_PW", PASSWORD.to_owned())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    verify_exe(&copy);
    // A secret pasted where a variable name belongs is refused and not echoed.
    let pasted = "hunter2-very-secret value!";
    let out = sign(
        &format!("[package.metadata.crateship.signing]\npgp-key-env = \"{pasted}\""),
        &exe,
        &[],
    );
    assert_refused(
        &out,
        &["signing.pgp-key-env", "NAME of an environment variable"],
    );
    assert!(!stderr(&out).contains("hunter2"), "{}", stderr(&out));
}

#[test]
fn a_key_inside_the_checkout_that_git_does_not_ignore_gets_a_warning() {
    use crate::support::signing::pki;
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    let manifest = tiny_project(
        &p,
        "tiny",
        "[package.metadata.crateship.signing]\nwindows-pfx = \"cert.pfx\"\nwindows-password-env = \"TINY_PW\"",
    );
    pki(&p);
    verify("git", &["init", "-q"], &p);
    verify("git", &["add", "Cargo.toml"], &p);
    verify(
        "git",
        &[
            "-c",
            "user.email=t@example.org",
            "-c",
            "user.name=T",
            "commit",
            "-qm",
            "x",
        ],
        &p,
    );
    let plan = || run(crateship().args(["plan", "--manifest-path"]).arg(&manifest));
    let out = plan();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cert.pfx is inside the project and git does not ignore it"),
        "{}",
        stderr(&out)
    );
    std::fs::write(p.join(".gitignore"), "*.pfx\n*.pem\n").unwrap();
    let out = plan();
    assert!(
        !stderr(&out).contains("does not ignore"),
        "{}",
        stderr(&out)
    );
}

/// Every template kind, broken in each way a user can break it, is refused by
/// `crateship plan` with the config key and the file named, and `dist` writes
/// nothing: templates are checked before anything is built, with the checks
/// writing applies.
#[test]
fn broken_templates_of_every_kind_are_refused_at_plan_time() {
    let desktop_ok = "[Desktop Entry]\nType=Application\nName={{name}}\nExec={{exec}}\n";
    let metainfo_ok = "<?xml version=\"1.0\"?>\n<component type=\"desktop-application\"><id>{{id}}</id></component>\n";
    // (config key, file name, text, target, format, what stderr must say)
    let cases: [(&str, &str, &str, &str, &str, &str); 9] = [
        (
            "linux.desktop-template",
            "app.desktop",
            "[Desktop Entry]\nType=Application\nName={{nmae}}\nExec={{exec}}\n",
            "x86_64-unknown-linux-gnu",
            "deb",
            "unknown placeholder `{{nmae}}`",
        ),
        (
            "linux.desktop-template",
            "app.desktop",
            "[Desktop Entry]\nType=Application\nName={{name\nExec={{exec}}\n",
            "x86_64-unknown-linux-gnu",
            "rpm",
            "line 3: `{{` is not closed",
        ),
        (
            "linux.desktop-template",
            "app.desktop",
            "[Desktop Entry]\nType=Application\nName={{name}}\nExec {{exec}}\n",
            "x86_64-unknown-linux-gnu",
            "appimage",
            "line 4: `Exec app %F` is neither `Key=Value`",
        ),
        (
            "linux.desktop-template",
            "app.desktop",
            "Name={{name}}\n[Desktop Entry]\nType=Application\nExec={{exec}}\n",
            "x86_64-unknown-linux-gnu",
            "deb",
            "comes before the `[Desktop Entry]` header",
        ),
        (
            "linux.metainfo-template",
            "app.metainfo.xml",
            "<component><id>{{id}}</id></componnt>\n",
            "x86_64-unknown-linux-gnu",
            "deb",
            "not well-formed XML",
        ),
        (
            "macos.info-plist-template",
            "Info.plist",
            "<?xml version=\"1.0\"?>\n<plist version=\"1.0\"><dict><key>CFBundleExecutable</key><string>{{exe}}</string></dict></plist>\n",
            "aarch64-apple-darwin",
            "dmg",
            "unknown placeholder `{{exe}}`",
        ),
        (
            "macos.distribution-template",
            "Distribution.xml",
            "<?xml version=\"1.0\"?>\n<installer-gui-script minSpecVersion=\"2\"><title>{{title}}</title></installer-gui-script>\n",
            "aarch64-apple-darwin",
            "pkg",
            "has no `<pkg-ref",
        ),
        (
            "macos.package-info-template",
            "PackageInfo.xml",
            "<?xml version=\"1.0\"?>\n<pkg-info identifier=\"{{identifier}}\">\n",
            "aarch64-apple-darwin",
            "pkg",
            "not well-formed XML",
        ),
        (
            "macos.package-info-template",
            "PackageInfo.xml",
            "<pkg-info version=\"{{short_version}\"/>\n",
            "aarch64-apple-darwin",
            "pkg",
            "line 1: `{{` is not closed",
        ),
    ];
    for (key, file, text, target, format, needle) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("p");
        let table = key.split_once('.').unwrap();
        let manifest = tiny_project(
            &p,
            "tiny",
            &format!(
                "identifier = \"org.example.tiny\"\n[package.metadata.crateship.{}]\n{} = \"packaging/{file}\"",
                table.0, table.1
            ),
        );
        std::fs::write(
            &manifest,
            std::fs::read_to_string(&manifest).unwrap().replace(
                "license = \"MIT\"",
                "license = \"MIT\"\nauthors = [\"T <t@example.org>\"]",
            ),
        )
        .unwrap();
        std::fs::create_dir_all(p.join("packaging")).unwrap();
        let template = p.join("packaging").join(file);
        std::fs::write(&template, text).unwrap();
        let plan = |args: &[&str]| {
            run(crateship()
                .args(["plan", "--manifest-path"])
                .arg(&manifest)
                .args(["--target", target, "--format", format])
                .args(args))
        };
        let out = plan(&[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{key} {file}: {err}");
        for n in [needle, key, &template.display().to_string()] {
            assert!(
                err.contains(n),
                "{key} {file}: stderr should mention {n:?}:\n{err}"
            );
        }
        // The same text made valid plans: the refusal is about the template.
        let fixed = match file {
            "app.desktop" => desktop_ok,
            "app.metainfo.xml" => metainfo_ok,
            _ => "",
        };
        if !fixed.is_empty() {
            std::fs::write(&template, fixed).unwrap();
            let out = plan(&[]);
            assert!(out.status.success(), "{key} fixed: {}", stderr(&out));
            std::fs::write(&template, text).unwrap();
        }
        if target.contains("linux") {
            let bins = binary_dir(tmp.path(), "tiny");
            let out_dir = tmp.path().join("out");
            let out = run(dist_prebuilt(&manifest, &bins, &out_dir)
                .args(["--target", target, "--format", format]));
            assert_eq!(out.status.code(), Some(1), "{key} dist: {}", stderr(&out));
            assert!(stderr(&out).contains(needle), "{}", stderr(&out));
            let left = list(&out_dir);
            assert!(left.is_empty(), "{key}: dist left {left:?}");
        }
    }
}

#[test]
fn recursive_resource_patterns_ship_every_nested_file_in_every_format() {
    for pattern in ["[\"assets/data/**\"]", "[\"assets/**/*\"]"] {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = messy_project(&tmp.path().join("p"), pattern);
        let toml = std::fs::read_to_string(&manifest)
            .unwrap()
            .replace(
                "license = \"MIT\"",
                "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
            )
            .replace(
                "resources =",
                "identifier = \"org.example.tiny\"\nresources =",
            );
        std::fs::write(&manifest, toml).unwrap();
        let bins = crate::support::binary_dir_for_all(tmp.path(), "tiny");
        let out_dir = tmp.path().join("out");
        let out = run(dist_prebuilt(&manifest, &bins, &out_dir)
            .args([
                "--target",
                "x86_64-unknown-linux-gnu",
                "--target",
                "x86_64-pc-windows-gnu",
            ])
            .args(["--format", "tar.gz", "--format", "zip", "--format", "deb"])
            .args(["--format", "rpm", "--format", "msi", "--format", "appimage"]));
        assert!(out.status.success(), "{pattern}: {}", stderr(&out));
        let listings = [
            (
                "tar.gz",
                verify(
                    "tar",
                    &["-tzf", "tiny-0.4.2-x86_64-unknown-linux-gnu.tar.gz"],
                    &out_dir,
                ),
            ),
            (
                "zip",
                verify(
                    "unzip",
                    &["-Z1", "tiny-0.4.2-x86_64-pc-windows-gnu.zip"],
                    &out_dir,
                ),
            ),
            (
                "deb",
                verify("dpkg-deb", &["-c", "tiny_0.4.2_amd64.deb"], &out_dir),
            ),
            (
                "rpm",
                verify("rpm", &["-qlp", "tiny-0.4.2-1.x86_64.rpm"], &out_dir),
            ),
            (
                "msi",
                verify(
                    "msiinfo",
                    &["export", "tiny-0.4.2-x64.msi", "File"],
                    &out_dir,
                ),
            ),
            (
                "appimage",
                verify(
                    "unsquashfs",
                    &[
                        "-l",
                        "-o",
                        &appimage_offset(&out_dir),
                        "tiny-0.4.2-x86_64.AppImage",
                    ],
                    &out_dir,
                ),
            ),
        ];
        for (format, listing) in &listings {
            for file in ["a.txt", "b.txt"] {
                assert!(
                    listing.contains(file),
                    "{pattern} {format}: no {file} in\n{listing}"
                );
            }
            assert!(
                listing.contains("deep/er/b.txt") || *format == "msi",
                "{pattern} {format}: the nested path is lost\n{listing}"
            );
        }
    }
}

/// The byte offset of the squashfs payload in the one AppImage in `dir`, as its
/// runtime reports it (`--appimage-offset`).
fn appimage_offset(dir: &Path) -> String {
    let name = crate::support::list(dir)
        .into_iter()
        .find(|n| n.ends_with(".AppImage"))
        .unwrap();
    let path = dir.join(name);
    verify(path.to_str().unwrap(), &["--appimage-offset"], dir)
        .trim()
        .to_owned()
}
