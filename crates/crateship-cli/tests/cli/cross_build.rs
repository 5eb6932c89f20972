//! The example app, cross-built for all six targets, twice, in two directories:
//! formats, architectures, build info, host paths and reproducibility, each
//! checked by a tool we did not write.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

const TARGETS: [(&str, &str); 8] = [
    (
        "x86_64-unknown-linux-gnu",
        "ELF 64-bit LSB pie executable, x86-64",
    ),
    (
        "aarch64-unknown-linux-gnu",
        "ELF 64-bit LSB pie executable, ARM aarch64",
    ),
    ("x86_64-unknown-linux-musl", "statically linked"),
    (
        "x86_64-pc-windows-gnu",
        "PE32+ executable (console) x86-64, for MS Windows",
    ),
    (
        "aarch64-pc-windows-gnullvm",
        "PE32+ executable (console) Aarch64, for MS Windows",
    ),
    ("x86_64-apple-darwin", "Mach-O 64-bit x86_64 executable"),
    ("aarch64-apple-darwin", "Mach-O 64-bit arm64 executable"),
    (
        "universal-apple-darwin",
        "Mach-O universal binary with 2 architectures",
    ),
];

/// Copies the example into `dir` and commits it with fixed identities and dates,
/// so both copies have the same commit hash.
pub(crate) fn example_checkout(dir: &Path) -> PathBuf {
    let src = repo_root().join("examples/hello-desktop");
    std::fs::create_dir_all(dir).unwrap();
    for entry in [
        "Cargo.toml",
        "Cargo.lock",
        "LICENSE",
        "README.md",
        "src",
        "assets",
        "packaging",
    ] {
        verify(
            "cp",
            &[
                "-r",
                src.join(entry).to_str().unwrap(),
                dir.to_str().unwrap(),
            ],
            dir,
        );
    }
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.org")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.org")
            .env("GIT_AUTHOR_DATE", "1700000000 +0000")
            .env("GIT_COMMITTER_DATE", "1700000000 +0000")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        stdout(&out)
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(dir.join(".gitignore"), "/target\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "example"]);
    dir.join("Cargo.toml")
}

fn dist(manifest: &Path) -> PathBuf {
    let out = run(crateship()
        .args(["dist", "--install-missing", "--manifest-path"])
        .arg(manifest));
    assert!(out.status.success(), "dist failed:\n{}", stderr(&out));
    manifest.parent().unwrap().join("target/dist")
}

#[test]
fn example_cross_builds_for_every_target_reproducibly_without_host_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let first = example_checkout(&tmp.path().join("one"));
    let second = example_checkout(&tmp.path().join("twö with spaces"));
    let dist_one = dist(&first);
    let dist_two = dist(&second);

    // Reproducible: same SHA256SUMS from two directories and two clean target dirs.
    let sums = std::fs::read_to_string(dist_one.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 25, "{sums}");
    assert_eq!(
        sums,
        std::fs::read_to_string(dist_two.join("SHA256SUMS")).unwrap()
    );
    verify("sha256sum", &["-c", "SHA256SUMS"], &dist_one);

    // The release gate, held to the example's config, passes on the real release:
    // every container opened, every program inside checked for its target.
    let gate = run(crateship()
        .args(["check", "--json", "--manifest-path"])
        .arg(&first)
        .arg(&dist_one));
    let report: serde_json::Value =
        serde_json::from_str(&stdout(&gate)).unwrap_or_else(|_| panic!("check: {}", stderr(&gate)));
    assert!(gate.status.success(), "{report:#}");
    let checked: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == "binary.target" && r["passed"] == true)
        .map(|r| r["artifact"].as_str().unwrap())
        .collect();
    for (triple, _) in TARGETS {
        assert!(
            checked.iter().any(|a| a.contains(triple)),
            "no program checked in {triple}'s archive: {checked:?}"
        );
    }

    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dist_one.join("dist-manifest.json")).unwrap(),
    )
    .unwrap();
    let commit = verify("git", &["rev-parse", "HEAD"], first.parent().unwrap())
        .trim()
        .to_owned();
    let unpacked = tmp.path().join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    for (triple, file_kind) in TARGETS {
        let artifact = manifest["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["target"] == triple && (a["format"] == "tar.gz" || a["format"] == "zip"))
            .unwrap_or_else(|| panic!("no artifact for {triple}"));
        let path = dist_one.join(artifact["path"].as_str().unwrap());
        let archive = path.to_str().unwrap();
        if triple.contains("windows") {
            verify("unzip", &["-q", archive], &unpacked);
        } else {
            verify("tar", &["-xzf", archive], &unpacked);
        }
        let root = unpacked.join(format!("hello-desktop-1.2.3-{triple}"));
        let bin = root.join(if triple.contains("windows") {
            "hello-desktop.exe"
        } else {
            "hello-desktop"
        });
        let bin_str = bin.to_str().unwrap();

        let kind = verify("file", &["-b", bin_str], &unpacked);
        assert!(kind.contains(file_kind), "{triple}: `file` says {kind}");
        assert!(root.join("LICENSE").is_file() && root.join("README.md").is_file());

        // No host path, user name or home directory inside.
        let strings = verify("strings", &["-a", bin_str], &unpacked);
        for needle in [
            tmp.path().to_str().unwrap(),
            "/root",
            "/home/",
            ".cargo/registry",
            ".rustup",
            "twö",
        ] {
            assert!(
                !strings.contains(needle),
                "{triple}: binary contains host path {needle:?}"
            );
        }

        // Build info and glibc floor.
        let runner: Option<Vec<&str>> = match triple {
            "x86_64-unknown-linux-gnu" | "x86_64-unknown-linux-musl" => Some(vec![]),
            "aarch64-unknown-linux-gnu" => {
                Some(vec!["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"])
            }
            _ => None,
        };
        if let Some(prefix) = runner {
            let mut argv = prefix.clone();
            argv.push(bin_str);
            argv.push("--build-info");
            let out = verify(argv[0], &argv[1..], &unpacked);
            assert!(out.contains("version:    1.2.3"), "{triple}: {out}");
            assert!(
                out.contains(&format!("commit:     {commit}")),
                "{triple}: {out}"
            );
            assert!(
                out.contains("built:      2023-11-14T22:13:20Z"),
                "{triple}: {out}"
            );
            assert!(
                out.contains(&format!("target:     {triple}")),
                "{triple}: {out}"
            );
        }
        if triple.ends_with("-gnu") && triple.contains("linux") {
            let floor = artifact["requirements"]["glibc"]
                .as_str()
                .unwrap_or_else(|| panic!("{triple}: no glibc floor"));
            let objdump = verify("objdump", &["-T", bin_str], &unpacked);
            assert!(
                objdump.contains(&format!("GLIBC_{floor}")),
                "{triple}: floor {floor} not among its symbols"
            );
        }
        if triple.ends_with("-linux-gnu") {
            let (deb_arch, rpm_arch) = if triple.starts_with("aarch64") {
                ("arm64", "aarch64")
            } else {
                ("amd64", "x86_64")
            };
            let deb = format!("hello-desktop_1.2.3_{deb_arch}.deb");
            let rpm = format!("hello-desktop-1.2.3-1.{rpm_arch}.rpm");
            let floor = artifact["requirements"]["glibc"].as_str().unwrap();
            assert_eq!(
                verify("dpkg-deb", &["-f", &deb, "Architecture"], &dist_one).trim(),
                deb_arch
            );
            let depends = verify("dpkg-deb", &["-f", &deb, "Depends"], &dist_one);
            assert!(
                depends.contains(&format!("libc6 (>= {floor})")),
                "{triple}: Depends {depends}"
            );
            assert_eq!(
                verify("rpm", &["-qp", "--qf", "%{ARCH}", &rpm], &dist_one),
                rpm_arch
            );
            let requires = verify("rpm", &["-qpR", &rpm], &dist_one);
            assert!(
                requires.contains(&format!("GLIBC_{floor})")),
                "{triple}: Requires {requires}"
            );
            verify("rpm", &["-K", &rpm], &dist_one);

            // AppImage: our runtime reports the squashfs offset, unsquashfs reads the
            // superblock there, and the x86_64 one runs the app through extract-and-run.
            let appimage_arch = if triple.starts_with("aarch64") {
                "aarch64"
            } else {
                "x86_64"
            };
            let appimage = dist_one.join(format!("Hello_Desktop-1.2.3-{appimage_arch}.AppImage"));
            let appimage_str = appimage.to_str().unwrap();
            let offset = if appimage_arch == "aarch64" {
                verify(
                    "qemu-aarch64-static",
                    &[appimage_str, "--appimage-offset"],
                    &unpacked,
                )
            } else {
                verify(appimage_str, &["--appimage-offset"], &unpacked)
            };
            let superblock = verify(
                "unsquashfs",
                &["-s", "-o", offset.trim(), appimage_str],
                &unpacked,
            );
            assert!(superblock.contains("Block size 131072"), "{superblock}");
            if appimage_arch == "x86_64" {
                let out = Command::new(&appimage)
                    .args(["--build-info"])
                    .env("APPIMAGE_EXTRACT_AND_RUN", "1")
                    .current_dir(&unpacked)
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{}", stderr(&out));
                assert!(
                    stdout(&out).contains("version:    1.2.3"),
                    "{}",
                    stdout(&out)
                );
            }
        }
        if triple.contains("windows") {
            // The exe is dressed: icon group, VERSIONINFO and application manifest.
            let resources = verify("wrestool", &["-l", bin_str], &unpacked);
            for kind in ["type=group_icon", "type=version", "--type=24"] {
                assert!(
                    resources.contains(kind),
                    "no {kind} resource in\n{resources}"
                );
            }
            let pe = verify(
                "/usr/bin/python3",
                &[
                    "-c",
                    "import pefile,sys; pe=pefile.PE(sys.argv[1]); \
                     print({k.decode(): v.decode() for fi in pe.FileInfo[0] if hasattr(fi, 'StringTable') \
                     for st in fi.StringTable for k, v in st.entries.items()})",
                    bin_str,
                ],
                &unpacked,
            );
            assert!(
                pe.contains("'ProductName': 'Hello Desktop'")
                    && pe.contains("'FileVersion': '1.2.3'"),
                "{pe}"
            );
            // The MSI installs the very exe the zip carries.
            let (msi_name, template) = if triple.starts_with("aarch64") {
                ("Hello-Desktop-1.2.3-arm64.msi".to_owned(), "Arm64;1033")
            } else {
                ("Hello-Desktop-1.2.3-x64.msi".to_owned(), "x64;1033")
            };
            let msi_dir = unpacked.join("msi");
            std::fs::create_dir_all(&msi_dir).unwrap();
            let listed = verify(
                "msiextract",
                &["-C", msi_dir.to_str().unwrap(), &msi_name],
                &dist_one,
            );
            let exe = listed
                .lines()
                .find(|l| l.ends_with("hello-desktop.exe"))
                .expect("exe in the MSI");
            assert_eq!(
                std::fs::read(msi_dir.join(exe)).unwrap(),
                std::fs::read(&bin).unwrap()
            );
            assert!(verify("msiinfo", &["suminfo", &msi_name], &dist_one).contains(template));
        }
        if triple.contains("apple") {
            let arch = match triple {
                "aarch64-apple-darwin" => "arm64",
                "x86_64-apple-darwin" => "x86_64",
                _ => "universal",
            };
            // A universal pkg serves every Mac; thin ones carry their arch.
            let pkg_name = if arch == "universal" {
                "Hello-Desktop-1.2.3.pkg".to_owned()
            } else {
                format!("Hello-Desktop-1.2.3-{arch}.pkg")
            };
            let dmg = format!("Hello-Desktop-1.2.3-{arch}.dmg");
            let listing = verify("7zz", &["l", &dmg], &dist_one);
            // The volume is named by `macos.dmg-volume-name`.
            for path in [
                "Hello Desktop Installer/Hello Desktop.app/Contents/MacOS/hello-desktop",
                "Hello Desktop Installer/Hello Desktop.app/Contents/_CodeSignature/CodeResources",
                "Hello Desktop Installer/Applications",
            ] {
                assert!(listing.contains(path), "{dmg} lacks {path}:\n{listing}");
            }
            let pkg = verify("bsdtar", &["-tf", &pkg_name], &dist_one);
            assert!(
                pkg.contains("Distribution") && pkg.contains("Payload") && pkg.contains("Bom"),
                "{pkg}"
            );
            // `macos.postinstall` travels in the component's Scripts archive.
            assert!(pkg.contains("Scripts"), "{pkg}");
            let plist = verify(
                "python3",
                &[
                    "-c",
                    "import plistlib, sys, zipfile; \
                     p = plistlib.loads(zipfile.ZipFile(sys.argv[1]).read('Hello Desktop.app/Contents/Info.plist')); \
                     print(p['CFBundleIdentifier'], p['CFBundleShortVersionString'], p['LSMinimumSystemVersion'], p['NSHighResolutionCapable'], \
                           p['LSApplicationCategoryType'], p['CFBundleURLTypes'][0]['CFBundleURLSchemes'], \
                           p['CFBundleDocumentTypes'][0]['CFBundleTypeExtensions'], p['ITSAppUsesNonExemptEncryption'])",
                    &format!("Hello-Desktop-1.2.3-{arch}.app.zip"),
                ],
                &dist_one,
            );
            assert_eq!(
                plist.trim(),
                "org.example.hello-desktop 1.2.3 11.0 True public.app-category.utilities \
                 ['hello-desktop'] ['hello'] False"
            );
            assert_eq!(artifact["requirements"]["macos"], "11.0");
        }
    }
}

#[test]
fn a_chosen_glibc_links_every_gnu_target_against_it_and_the_packages_follow() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = example_checkout(&tmp.path().join("p"));
    let toml = std::fs::read_to_string(&manifest).unwrap();
    assert!(toml.contains("max-glibc = \"2.34\"\n"), "{toml}");
    std::fs::write(
        &manifest,
        toml.replace(
            "max-glibc = \"2.34\"\n",
            "max-glibc = \"2.34\"\nglibc = \"2.17\"\n",
        ),
    )
    .unwrap();
    let out = run(crateship()
        .args(["dist", "--install-missing", "--manifest-path"])
        .arg(&manifest)
        .args(["--target", "x86_64-unknown-linux-gnu"])
        .args(["--target", "aarch64-unknown-linux-gnu"])
        .args(["--format", "deb", "--format", "rpm"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let project = manifest.parent().unwrap();
    let dist = project.join("target/dist");
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("dist-manifest.json")).unwrap())
            .unwrap();
    // `2.17`, or `2.2.5` (the patch level does not matter here).
    let version = |v: &str| -> (u32, u32) {
        let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap());
        (parts.next().unwrap(), parts.next().unwrap_or(0))
    };
    for (triple, deb, rpm) in [
        (
            "x86_64-unknown-linux-gnu",
            "hello-desktop_1.2.3_amd64.deb",
            "hello-desktop-1.2.3-1.x86_64.rpm",
        ),
        (
            "aarch64-unknown-linux-gnu",
            "hello-desktop_1.2.3_arm64.deb",
            "hello-desktop-1.2.3-1.aarch64.rpm",
        ),
    ] {
        let bin = project.join(format!("target/{triple}/release/hello-desktop"));
        let symbols = verify("objdump", &["-T", bin.to_str().unwrap()], project);
        let newest = symbols
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .filter_map(|w| w.strip_prefix("GLIBC_"))
            .filter(|v| v.starts_with("2."))
            .filter(|v| v.split('.').all(|p| p.parse::<u32>().is_ok()))
            .map(version)
            .max()
            .unwrap_or_else(|| panic!("{triple}: no GLIBC_ symbol\n{symbols}"));
        assert!(newest <= (2, 17), "{triple} needs GLIBC {newest:?}");
        let artifact = recorded["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["path"] == deb)
            .unwrap();
        let floor = artifact["requirements"]["glibc"].as_str().unwrap();
        assert!(version(floor) <= (2, 17), "{triple}: manifest says {floor}");
        let depends = verify("dpkg-deb", &["-f", deb, "Depends"], &dist);
        assert!(
            depends.contains(&format!("libc6 (>= {floor})")),
            "{triple}: {depends}"
        );
        let requires = verify("rpm", &["-qpR", rpm], &dist);
        assert!(
            requires.contains(&format!("glibc >= {floor}")),
            "{triple}: {requires}"
        );
    }
}

#[test]
fn a_macos_build_without_the_sdk_says_so_in_one_line_and_keeps_cargos_output() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("secrand");
    let manifest = tiny_project(&project, "secrand", "");
    std::fs::write(
        project.join("src/main.rs"),
        "#[cfg(target_os = \"macos\")]\n\
         #[link(name = \"Security\", kind = \"framework\")]\n\
         extern \"C\" {\n    static kSecRandomDefault: *const u8;\n    \
         fn SecRandomCopyBytes(rnd: *const u8, count: usize, bytes: *mut u8) -> i32;\n}\n\
         fn main() {\n    let mut b = [0u8; 8];\n    \
         #[cfg(target_os = \"macos\")]\n    \
         unsafe { SecRandomCopyBytes(kSecRandomDefault, b.len(), b.as_mut_ptr()); }\n    \
         println!(\"{b:?}\");\n}\n",
    )
    .unwrap();
    let out_dir = tmp.path().join("out");
    let out = run(crateship()
        .args([
            "dist",
            "--install-missing",
            "--target",
            "aarch64-apple-darwin",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--out-dir")
        .arg(&out_dir)
        .env_remove("SDKROOT"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let message: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.starts_with("error:"))
        .collect();
    assert!(message.len() <= 3, "{err}");
    let text = message.join("\n");
    for needle in [
        "aarch64-apple-darwin",
        "Security.framework",
        "SDKROOT=",
        "--no-build --binary-dir",
    ] {
        assert!(text.contains(needle), "{needle} in\n{text}");
    }
    let log = text
        .split("cargo's output: ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no log named in\n{text}"));
    let logged = std::fs::read_to_string(log).unwrap();
    assert!(
        logged.contains("unable to find system framework \"Security\""),
        "{logged}"
    );
    assert!(list(&out_dir).is_empty(), "{:?}", list(&out_dir));
}

#[test]
fn every_binary_carries_its_dependency_list_for_cargo_audit_and_it_matches_the_sbom() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny");
    // A dependency for every target, and one only Windows builds.
    let manifest = tiny_project(&dir, "tiny", "sbom-formats = [\"cyclonedx\"]\n");
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "\n[workspace]\n",
        "\n[dependencies]\ncommon = { path = \"common\", version = \"0.1\" }\n\n\
         [target.'cfg(windows)'.dependencies]\nwinonly = { path = \"winonly\", version = \"0.2\" }\n\n[workspace]\n",
    );
    std::fs::write(&manifest, toml).unwrap();
    for (name, version) in [("common", "0.1.0"), ("winonly", "0.2.0")] {
        std::fs::create_dir_all(dir.join(name).join("src")).unwrap();
        std::fs::write(
            dir.join(name).join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\nlicense = \"MIT\"\n"),
        )
        .unwrap();
        std::fs::write(dir.join(name).join("src/lib.rs"), "pub fn f() {}\n").unwrap();
    }
    std::fs::write(
        dir.join("src/main.rs"),
        "fn main() {\n    common::f();\n    #[cfg(windows)]\n    winonly::f();\n}\n",
    )
    .unwrap();
    let out_dir = tmp.path().join("out");
    let out = run(crateship()
        .args(["dist", "--install-missing", "--manifest-path"])
        .arg(&manifest)
        .arg("--out-dir")
        .arg(&out_dir)
        .args([
            "--target",
            "x86_64-unknown-linux-gnu",
            "--target",
            "x86_64-pc-windows-gnu",
        ])
        .args(["--target", "aarch64-apple-darwin"]));
    assert!(out.status.success(), "{}", stderr(&out));
    for (triple, binary, archive, windows) in [
        (
            "x86_64-unknown-linux-gnu",
            "tiny",
            "tiny-0.4.2-x86_64-unknown-linux-gnu.tar.gz",
            false,
        ),
        (
            "x86_64-pc-windows-gnu",
            "tiny.exe",
            "tiny-0.4.2-x86_64-pc-windows-gnu.zip",
            true,
        ),
        (
            "aarch64-apple-darwin",
            "tiny",
            "tiny-0.4.2-aarch64-apple-darwin.tar.gz",
            false,
        ),
    ] {
        let bin = dir.join("target").join(triple).join("release").join(binary);
        let audit = verify("rust-audit-info", &[bin.to_str().unwrap()], &dir);
        let audit: serde_json::Value = serde_json::from_str(&audit).unwrap();
        let mut listed: Vec<String> = audit["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{}@{}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                )
            })
            .collect();
        listed.sort();
        let mut expected = vec!["common@0.1.0".to_owned(), "tiny@0.4.2".to_owned()];
        if windows {
            expected.push("winonly@0.2.0".to_owned());
            expected.sort();
        }
        assert_eq!(listed, expected, "{triple}");
        // The SBOM beside the artifact names the same crates.
        let sbom: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out_dir.join(format!("{archive}.cdx.json"))).unwrap(),
        )
        .unwrap();
        let mut described: Vec<String> = sbom["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["purl"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("pkg:cargo/"))
            })
            .map(|c| {
                format!(
                    "{}@{}",
                    c["name"].as_str().unwrap(),
                    c["version"].as_str().unwrap()
                )
            })
            .chain(std::iter::once("tiny@0.4.2".to_owned()))
            .collect();
        described.sort();
        described.dedup();
        assert_eq!(described, expected, "{triple}: {sbom}");
    }
}

#[test]
fn auditable_is_on_by_default_and_off_with_auditable_false() {
    let tmp = tempfile::tempdir().unwrap();
    for (config, linked) in [("", true), ("auditable = false\n", false)] {
        let dir = tmp.path().join(if linked { "on" } else { "off" });
        let manifest = tiny_project(&dir, "tiny", config);
        let out = run(crateship()
            .args([
                "plan",
                "--json",
                "--target",
                "x86_64-pc-windows-gnu",
                "--manifest-path",
            ])
            .arg(&manifest));
        assert!(out.status.success(), "{}", stderr(&out));
        let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let build = &plan["targets"][0]["build"];
        assert_eq!(build.get("auditable_object").is_some(), linked, "{build}");
        let flags = build["command"]["env"]["CARGO_ENCODED_RUSTFLAGS"]
            .as_str()
            .unwrap();
        assert_eq!(
            flags.contains("-Wl,-u,AUDITABLE_VERSION_INFO"),
            linked,
            "{flags}"
        );
    }
}
