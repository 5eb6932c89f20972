//! `assets`, `before-package` and the `linux.deb`/`linux.rpm`/`linux.scripts`
//! keys: a service-style crate (man page, three completions, a systemd unit, an
//! `/etc` conffile, a postinst, extra relationships) packaged as .deb and .rpm
//! and checked by lintian, rpmlint, dpkg, rpm, man and systemd-analyze.

use std::path::{Path, PathBuf};

use crate::support::*;

const MAN_PAGE: &str = r#".TH TONE 1 "2023-11-14" "tone 0.4.2" "User Commands"
.SH NAME
tone \- makes tones from the command line
.SH SYNOPSIS
.B tone
.RI [ options ]
.SH DESCRIPTION
.B tone
plays sine waves at any pitch.
"#;

const UNIT: &str = "[Unit]\nDescription=Tone player\nDocumentation=man:tone(1)\n\n\
                    [Service]\nExecStart=/usr/bin/tone\n\n[Install]\nWantedBy=multi-user.target\n";

const CONFIG: &str = r#"identifier = "org.example.tone"
assets = [
    { source = "gen/tone.1", dest = "usr/share/man/man1/" },
    { source = "complete/tone.bash" },
    { source = "complete/_tone" },
    { source = "complete/tone.fish" },
    { source = "pkg/tone.service" },
    { source = "pkg/tone.toml", dest = "etc/tone/tone.toml" },
    { source = "data/**", dest = "usr/share/tone/data/" },
    { source = "pkg/tone.desktop" },
]
before-package = [["install", "-D", "-m", "644", "doc/tone.1.in", "gen/tone.1"]]

[package.metadata.crateship.linux.deb]
depends = ["sound-theme-freedesktop"]
recommends = ["pulseaudio-utils | pipewire-bin"]
section = "sound"
lintian-overrides = ["spelling-error-in-binary sine sign [usr/bin/tone]"]

[package.metadata.crateship.linux.rpm]
requires = ["sound-theme-freedesktop"]
provides = ["tone-player = 0.4.2"]

[package.metadata.crateship.linux.scripts]
post-install = "pkg/postinst"
"#;

/// The fixture: a dual-licensed crate whose README repeats its description.
fn tone_project(dir: &Path, config: &str) -> PathBuf {
    let manifest = tiny_project(dir, "tone", config);
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
    std::fs::remove_file(dir.join("LICENSE")).unwrap();
    std::fs::write(
        dir.join("LICENSE-MIT"),
        "MIT License\n\nCopyright (c) 2024 Tone Maintainer\n\nPermission is hereby granted, free of charge.\n",
    )
    .unwrap();
    std::fs::copy(
        "/usr/share/common-licenses/Apache-2.0",
        dir.join("LICENSE-APACHE"),
    )
    .unwrap();
    std::fs::write(
        dir.join("README.md"),
        "# tone\n\nMakes tones from the command line.\n\nTone plays sine waves at any pitch.\n",
    )
    .unwrap();
    let files: &[(&str, &str)] = &[
        ("doc/tone.1.in", MAN_PAGE),
        (
            "complete/tone.bash",
            "complete -W '--help --version' tone\n",
        ),
        (
            "complete/_tone",
            "#compdef tone\n_arguments '--help' '--version'\n",
        ),
        ("complete/tone.fish", "complete -c tone -l help\n"),
        ("pkg/tone.service", UNIT),
        ("pkg/tone.toml", "pitch = 440\n"),
        (
            "pkg/tone.desktop",
            "[Desktop Entry]\nType=Application\nName=Tone Player\nComment=Plays tones\n\
             Exec=tone\nIcon=org.example.tone\nTerminal=true\nCategories=AudioVideo;Audio;\n\
             Keywords=tone;sine;\n",
        ),
        (
            "pkg/postinst",
            "#!/bin/sh\necho \"$1\" > /var/lib/tone-postinst\n",
        ),
        ("data/a4.txt", "440\n"),
        ("data/nested/c5.txt", "523\n"),
    ];
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    manifest
}

/// A dpkg root whose maintainer scripts run chrooted in it (a `/bin/sh` with
/// its libraries), so they cannot touch this machine.
fn dpkg_root(root: &Path) {
    for dir in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
        "bin",
    ] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    std::fs::write(root.join("var/lib/dpkg/status"), "").unwrap();
    std::fs::copy("/bin/dash", root.join("bin/sh")).unwrap();
    let ldd = verify("ldd", &["/bin/dash"], Path::new("/"));
    for lib in ldd.split_whitespace().filter(|w| w.starts_with('/')) {
        let dest = root.join(lib.trim_start_matches('/'));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(lib, dest).unwrap();
    }
}

#[test]
fn a_service_crate_ships_every_file_in_its_place_lint_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tone_project(&tmp.path().join("p"), CONFIG);
    let bins = binary_dir(tmp.path(), "tone");
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir)
        .args(["--target", "x86_64-unknown-linux-gnu"])
        .args(["--format", "deb", "--format", "rpm", "--format", "tar.gz"])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert!(out.status.success(), "{}", stderr(&out));
    let deb = "tone_0.4.2_amd64.deb";
    let rpm = "tone-0.4.2-1.x86_64.rpm";

    // lintian: no error, no warning.
    let lint = verify(
        "lintian",
        &["--fail-on", "error,warning", "--display-info", deb],
        &out_dir,
    );
    assert!(!lint.contains(" E: ") && !lint.contains(" W: "), "{lint}");
    let control = verify("dpkg-deb", &["-f", deb], &out_dir);
    for field in [
        "Section: sound",
        "Recommends: pulseaudio-utils | pipewire-bin",
        "sound-theme-freedesktop",
    ] {
        assert!(control.contains(field), "{field} in\n{control}");
    }
    let overrides = verify(
        "sh",
        &[
            "-c",
            &format!("dpkg-deb --fsys-tarfile {deb} | tar -xO ./usr/share/lintian/overrides/tone"),
        ],
        &out_dir,
    );
    assert_eq!(
        overrides,
        "tone: spelling-error-in-binary sine sign [usr/bin/tone]\n"
    );
    let conffiles = verify(
        "sh",
        &[
            "-c",
            &format!("dpkg-deb --ctrl-tarfile {deb} | tar -xO ./conffiles"),
        ],
        &out_dir,
    );
    assert_eq!(conffiles, "/etc/tone/tone.toml\n");

    // rpmlint: no error but the missing signature.
    let lint = run(std::process::Command::new("rpmlint")
        .arg(rpm)
        .current_dir(&out_dir));
    let report = stdout(&lint);
    let errors: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(": E: ") && !l.contains("E: no-signature"))
        .collect();
    assert!(errors.is_empty(), "rpmlint errors:\n{report}");

    // Every file where it belongs, in both packages.
    let expected = [
        "/usr/bin/tone",
        "/usr/share/man/man1/tone.1.gz",
        "/usr/share/bash-completion/completions/tone",
        "/usr/share/fish/vendor_completions.d/tone.fish",
        "/usr/lib/systemd/system/tone.service",
        "/etc/tone/tone.toml",
        "/usr/share/tone/data/a4.txt",
        "/usr/share/tone/data/nested/c5.txt",
    ];
    let rpm_files = verify("rpm", &["-qlvp", rpm], &out_dir);
    for path in expected
        .iter()
        .chain(&["/usr/share/zsh/site-functions/_tone"])
    {
        assert!(
            rpm_files.lines().any(|l| l.ends_with(&format!(" {path}"))),
            "{path} in\n{rpm_files}"
        );
    }
    let config_files = verify("rpm", &["-qpc", rpm], &out_dir);
    assert_eq!(config_files, "/etc/tone/tone.toml\n");
    let scripts = verify("rpm", &["-qp", "--scripts", rpm], &out_dir);
    assert!(scripts.contains("/var/lib/tone-postinst"), "{scripts}");
    assert!(scripts.contains("preset 'tone.service'"), "{scripts}");
    let provides = verify("rpm", &["-qp", "--provides", rpm], &out_dir);
    assert!(provides.contains("tone-player = 0.4.2"), "{provides}");

    // Installed into a scratch root, scripts chrooted there.
    let root = tmp.path().join("root");
    dpkg_root(&root);
    let root_arg = format!("--root={}", root.display());
    verify("dpkg", &[&root_arg, "--force-depends", "-i", deb], &out_dir);
    let listed = verify("dpkg", &[&root_arg, "-L", "tone"], &out_dir);
    for path in expected
        .iter()
        .chain(&["/usr/share/zsh/vendor-completions/_tone"])
    {
        assert!(listed.lines().any(|l| l == *path), "{path} in\n{listed}");
        assert!(
            root.join(path.trim_start_matches('/')).is_file(),
            "{path} not installed"
        );
    }
    // The maintainer's postinst ran (with the usual argument).
    assert_eq!(
        std::fs::read_to_string(root.join("var/lib/tone-postinst")).unwrap(),
        "configure\n"
    );
    // The project's own desktop entry replaced the generated one.
    let entry = root.join("usr/share/applications/org.example.tone.desktop");
    assert!(
        std::fs::read_to_string(&entry)
            .unwrap()
            .contains("Name=Tone Player"),
        "{}",
        std::fs::read_to_string(&entry).unwrap()
    );
    verify("desktop-file-validate", &[entry.to_str().unwrap()], &root);
    let page = verify(
        "man",
        &["-P", "cat", "-l", "usr/share/man/man1/tone.1.gz"],
        &root,
    );
    assert!(page.contains("plays sine waves at any pitch"), "{page}");
    // systemd-analyze resolves the unit's dependencies (multi-user.target …)
    // and its ExecStart inside the root: give it this machine's targets. The
    // man page is checked with `man -l` above, so `--man=no`.
    let units = root.join("usr/lib/systemd/system");
    for target in std::fs::read_dir("/lib/systemd/system").unwrap() {
        let target = target.unwrap().path();
        if target.extension().is_some_and(|e| e == "target") {
            std::fs::copy(&target, units.join(target.file_name().unwrap())).unwrap();
        }
    }
    let analyze = run(std::process::Command::new("systemd-analyze")
        .arg(format!("--root={}", root.display()))
        .args(["--man=no", "verify"])
        .arg(units.join("tone.service")));
    assert!(analyze.status.success(), "{}", stderr(&analyze));
    // Purging removes the conffile too.
    verify("dpkg", &[&root_arg, "-P", "tone"], &out_dir);
    assert!(!root.join("etc/tone/tone.toml").exists());
    assert!(!root.join("usr/bin/tone").exists());

    // The archive carries the man page and completions, not the unit or /etc file.
    let tar = verify(
        "tar",
        &["-tzf", "tone-0.4.2-x86_64-unknown-linux-gnu.tar.gz"],
        &out_dir,
    );
    let root_dir = "tone-0.4.2-x86_64-unknown-linux-gnu";
    for name in [
        "tone.1",
        "tone.bash",
        "_tone",
        "tone.fish",
        "data/nested/c5.txt",
    ] {
        assert!(
            tar.lines().any(|l| l == format!("{root_dir}/{name}")),
            "{name} in\n{tar}"
        );
    }
    assert!(
        !tar.contains("tone.service") && !tar.contains("tone.toml"),
        "{tar}"
    );
}

/// `dist` with `config`, expecting exit 1, a message containing each of
/// `needles`, and no artifact.
fn refused(config: &str, needles: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tone_project(&tmp.path().join("p"), config);
    let bins = binary_dir(tmp.path(), "tone");
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir)
        .args(["--target", "x86_64-unknown-linux-gnu"])
        .args(["--format", "deb", "--format", "rpm"]));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} in\n{err}");
    }
    assert!(
        list(&out_dir)
            .iter()
            .all(|f| !f.ends_with(".deb") && !f.ends_with(".rpm")),
        "{:?}",
        list(&out_dir)
    );
}

#[test]
fn bad_assets_and_hooks_are_refused_with_the_key_and_nothing_written() {
    let id = "identifier = \"org.example.tone\"\n";
    refused(
        &format!("{id}assets = [{{ source = \"pkg/tone.toml\", dest = \"../etc/x\" }}]"),
        &["assets[0].dest", "../etc/x"],
    );
    refused(
        &format!("{id}assets = [{{ source = \"../outside.txt\" }}]"),
        &["assets[0].source", "leaves the project"],
    );
    refused(
        &format!(
            "{id}assets = [{{ source = \"pkg/tone.toml\", dest = \"etc/a.toml\" }}, \
             {{ source = \"data/a4.txt\", dest = \"etc/a.toml\" }}]"
        ),
        &["assets[1]", "/etc/a.toml", "another `dest`"],
    );
    refused(
        &format!("{id}assets = [{{ source = \"doc/missing.1\" }}]"),
        &["assets[0].source", "missing.1", "does not exist"],
    );
    refused(
        &format!(
            "{id}before-package = [[\"sh\", \"-c\", \"echo generating; echo broken >&2; exit 3\"]]"
        ),
        &["before-package[0]", "exited with status 3", "broken"],
    );
    refused(
        &format!("{id}assets = [{{ source = \"gen/never.1\" }}]\nbefore-package = [[\"true\"]]"),
        &[
            "assets[0].source",
            "never.1",
            "after the `before-package` commands ran",
        ],
    );
}

/// The same packaging in cargo-deb, cargo-generate-rpm and cargo-wix syntax, as
/// their documentation writes it.
const FOREIGN: &str = r#"identifier = "org.example.tone"
import = ["deb", "generate-rpm", "wix"]

[package.metadata.deb]
depends = "$auto, sound-theme-freedesktop"
recommends = "pulseaudio-utils | pipewire-bin"
section = "sound"
priority = "optional"
assets = [
    ["target/release/tone", "usr/bin/", "755"],
    ["doc/tone.1", "usr/share/man/man1/tone.1", "644"],
    ["complete/tone.bash", "usr/share/bash-completion/completions/tone", "644"],
    ["complete/_tone", "usr/share/zsh/vendor-completions/", "644"],
    ["complete/tone.fish", "usr/share/fish/vendor_completions.d/", "644"],
    ["pkg/tone.toml", "etc/tone/tone.toml", "644"],
    ["data/**/*", "usr/share/tone/data/", "644"],
]
conf-files = ["/etc/tone/tone.toml"]
maintainer-scripts = "pkg/"
systemd-units = { enable = true }

[package.metadata.generate-rpm]
assets = [
    { source = "target/release/tone", dest = "/usr/bin/tone", mode = "755" },
    { source = "doc/tone.1", dest = "/usr/share/man/man1/tone.1", mode = "644", doc = true },
    { source = "complete/tone.bash", dest = "/usr/share/bash-completion/completions/tone", mode = "644" },
    { source = "complete/_tone", dest = "/usr/share/zsh/site-functions/_tone", mode = "644" },
    { source = "complete/tone.fish", dest = "/usr/share/fish/vendor_completions.d/tone.fish", mode = "644" },
    { source = "pkg/tone.service", dest = "/usr/lib/systemd/system/tone.service", mode = "644" },
    { source = "pkg/tone.toml", dest = "/etc/tone/tone.toml", mode = "644", config = true },
    { source = "data/**/*", dest = "/usr/share/tone/data/", mode = "644" },
]
post_install_script = "pkg/postinst"
requires = { sound-theme-freedesktop = "*" }

[package.metadata.wix]
upgrade-guid = "5B4B1C3E-6F1A-4C38-9E53-0B3F2A8C7D11"
path-guid = "0E9F7A64-2C5B-4D0E-8A3C-7F1B6D2E9A40"
license = false
eula = false
"#;

/// Every path in the .deb and the .rpm of a packaged `config`, sorted.
fn package_file_lists(config: &str, man_from_hook: bool) -> (Vec<String>, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let manifest = tone_project(&project, config);
    if !man_from_hook {
        std::fs::copy(project.join("doc/tone.1.in"), project.join("doc/tone.1")).unwrap();
    }
    let bins = binary_dir(tmp.path(), "tone");
    let out_dir = tmp.path().join("out");
    let out = run(dist_prebuilt(&manifest, &bins, &out_dir)
        .args(["--target", "x86_64-unknown-linux-gnu"])
        .args(["--format", "deb", "--format", "rpm"])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert!(out.status.success(), "{}", stderr(&out));
    let deb = verify("dpkg-deb", &["-c", "tone_0.4.2_amd64.deb"], &out_dir);
    let mut deb: Vec<String> = deb
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        // cargo-deb has no lintian-overrides key: CONFIG's override file is extra.
        .filter(|p| !p.starts_with("./usr/share/lintian/"))
        .map(str::to_owned)
        .collect();
    deb.sort();
    let rpm = verify("rpm", &["-qlp", "tone-0.4.2-1.x86_64.rpm"], &out_dir);
    let mut rpm: Vec<String> = rpm.lines().map(str::to_owned).collect();
    rpm.sort();
    let scripts = verify(
        "rpm",
        &["-qp", "--scripts", "tone-0.4.2-1.x86_64.rpm"],
        &out_dir,
    );
    assert!(scripts.contains("/var/lib/tone-postinst"), "{scripts}");
    assert!(scripts.contains("preset 'tone.service'"), "{scripts}");
    (deb, rpm)
}

#[test]
fn cargo_deb_generate_rpm_and_wix_tables_give_the_same_packages() {
    let own = package_file_lists(CONFIG, true);
    let imported = package_file_lists(FOREIGN, false);
    assert_eq!(own.0, imported.0, "deb file lists");
    assert_eq!(own.1, imported.1, "rpm file lists");
    assert!(
        own.0.iter().any(|p| p == "./usr/share/man/man1/tone.1.gz"),
        "{:?}",
        own.0
    );

    // The wix upgrade-guid becomes the MSI's UpgradeCode.
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tone_project(&tmp.path().join("p"), FOREIGN);
    std::fs::copy(
        tmp.path().join("p/doc/tone.1.in"),
        tmp.path().join("p/doc/tone.1"),
    )
    .unwrap();
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
    assert!(
        stdout(&out).contains("5B4B1C3E-6F1A-4C38-9E53-0B3F2A8C7D11"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn imported_tables_are_announced_and_their_missing_files_named() {
    let tmp = tempfile::tempdir().unwrap();
    let config = "identifier = \"org.example.tone\"\n\n[package.metadata.deb]\n\
                  section = \"sound\"\nfrobnicate = true\n\
                  assets = [[\"doc/rg.1\", \"usr/share/man/man1/\", \"644\"]]\n";
    let manifest = tone_project(&tmp.path().join("p"), config);
    let out = run(crateship()
        .args([
            "plan",
            "--target",
            "x86_64-unknown-linux-gnu",
            "--manifest-path",
        ])
        .arg(&manifest));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let message: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(message.len() <= 2, "{err}");
    for needle in [
        "[package.metadata.deb] assets[0]",
        "doc/rg.1",
        "does not exist",
    ] {
        assert!(err.contains(needle), "{needle} in\n{err}");
    }
    // Without the missing file: a warning names the table and the unknown key.
    let fixed = config.replace("doc/rg.1", "doc/tone.1.in");
    std::fs::write(
        &manifest,
        std::fs::read_to_string(&manifest)
            .unwrap()
            .replace(config, &fixed),
    )
    .unwrap();
    let out = run(crateship()
        .args([
            "plan",
            "--target",
            "x86_64-unknown-linux-gnu",
            "--manifest-path",
        ])
        .arg(&manifest));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    for needle in [
        "crateship reads [package.metadata.deb]",
        "import = [\"deb\"]",
        "`frobnicate`",
    ] {
        assert!(err.contains(needle), "{needle} in\n{err}");
    }
}
