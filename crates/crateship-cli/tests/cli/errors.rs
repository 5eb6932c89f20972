//! Bad input: one clear message naming the input and the fix, the right exit
//! code, and no artifact left behind.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::*;

struct Case {
    _tmp: tempfile::TempDir,
    manifest: PathBuf,
    bins: PathBuf,
    out_dir: PathBuf,
}

fn case(config: &str) -> Case {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tiny_project(&tmp.path().join("p"), "tiny", config);
    let bins = binary_dir(tmp.path(), "tiny");
    let out_dir = tmp.path().join("out");
    Case {
        _tmp: tmp,
        manifest,
        bins,
        out_dir,
    }
}

fn dist(c: &Case, extra: &[&str]) -> Output {
    run(dist_prebuilt(&c.manifest, &c.bins, &c.out_dir).args(extra))
}

fn assert_fails(out: &Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert!(
        stdout(out).is_empty(),
        "nothing on stdout on failure: {}",
        stdout(out)
    );
    for n in needles {
        assert!(err.contains(n), "stderr should mention {n:?}:\n{err}");
    }
}

fn assert_no_artifacts(dir: &Path) {
    let left = list(dir);
    assert!(
        left.is_empty(),
        "out dir should hold nothing, holds {left:?}"
    );
}

#[test]
fn success_exits_zero() {
    let c = case("");
    let out = dist(&c, &["--target", "x86_64-unknown-linux-gnu"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_two() {
    let out = run(crateship().args(["dist", "--no-such-flag"]));
    assert_fails(&out, 2, &["--no-such-flag"]);
    let out = run(crateship().args(["dist", "--no-build"]));
    assert_fails(&out, 2, &["--binary-dir"]);
}

#[test]
fn unknown_config_key_names_key_and_file() {
    let c = case("product-nme = \"Typo\"");
    let out = dist(&c, &[]);
    assert_fails(
        &out,
        1,
        &[
            "product-nme",
            &c.manifest.display().to_string(),
            "docs/config.md",
        ],
    );
    assert_no_artifacts(&c.out_dir);
}

#[test]
fn malformed_cargo_toml_is_reported_with_its_path() {
    let c = case("");
    std::fs::write(&c.manifest, "[package\nname = ").unwrap();
    let out = dist(&c, &[]);
    assert_fails(&out, 1, &["Cargo.toml"]);
    assert_no_artifacts(&c.out_dir);
}

#[test]
fn unknown_target_and_format_list_the_valid_ones() {
    let c = case("");
    // A command-line mistake: usage errors exit 2.
    let out = dist(&c, &["--target", "x86_64-unknown-linux-gnux"]);
    assert_fails(
        &out,
        2,
        &["`x86_64-unknown-linux-gnux`", "aarch64-apple-darwin"],
    );
    let out = dist(&c, &["--format", "exe"]);
    assert_fails(&out, 2, &["`exe`", "tar.gz"]);
    assert_no_artifacts(&c.out_dir);
}

#[test]
fn missing_prebuilt_binary_names_the_path() {
    let c = case("");
    let out = dist(&c, &["--target", "x86_64-pc-windows-gnu"]);
    assert_fails(&out, 1, &["tiny.exe", "--no-build"]);
    assert!(!c.out_dir.join("SHA256SUMS").exists());
}

#[test]
fn source_date_epoch_must_be_a_number() {
    let c = case("");
    let out = run(crateship()
        .args(["plan", "--manifest-path"])
        .arg(&c.manifest)
        .env("SOURCE_DATE_EPOCH", "last tuesday"));
    assert_fails(&out, 1, &["SOURCE_DATE_EPOCH=`last tuesday`"]);
}

#[test]
fn unwritable_out_dir_is_reported_before_building() {
    let c = case("");
    let blocker = c.manifest.parent().unwrap().join("a-file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let out = run(&mut dist_prebuilt(
        &c.manifest,
        &c.bins,
        &blocker.join("out"),
    ));
    assert_fails(
        &out,
        1,
        &["out dir is not writable", "a-file/out", "--out-dir"],
    );
}

#[test]
fn glibc_above_the_ceiling_fails_with_the_fix() {
    let c = case("[package.metadata.crateship.linux]\nmax-glibc = \"2.0\"");
    let out = dist(&c, &["--target", "x86_64-unknown-linux-gnu"]);
    assert_fails(
        &out,
        1,
        &[
            "requires glibc >=",
            "glibc 2.0 (linux.glibc or linux.max-glibc)",
        ],
    );
    assert_no_artifacts(&c.out_dir);
}

#[test]
fn a_glibc_zig_cannot_link_against_is_refused_at_plan_time() {
    for (glibc, needle) in [
        ("2.9", "2.17 or later"),
        ("2.99", "up to 2.41"),
        ("two", "MAJOR.MINOR"),
    ] {
        let c = case(&format!(
            "[package.metadata.crateship.linux]\nglibc = \"{glibc}\""
        ));
        let out = dist(&c, &["--target", "x86_64-unknown-linux-gnu"]);
        assert_fails(&out, 1, &["linux.glibc", needle]);
        assert_no_artifacts(&c.out_dir);
    }
}

#[test]
fn missing_zig_is_reported_with_install_commands() {
    let c = case("");
    // A PATH with cargo, rustc and rustup but neither zig, python3 nor cargo-zigbuild.
    let tools = c.manifest.parent().unwrap().join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    for tool in ["cargo", "rustc", "rustup"] {
        let real = which(tool);
        std::os::unix::fs::symlink(real, tools.join(tool)).unwrap();
    }
    let out = run(crateship()
        .args([
            "dist",
            "--target",
            "aarch64-unknown-linux-gnu",
            "--manifest-path",
        ])
        .arg(&c.manifest)
        .arg("--out-dir")
        .arg(&c.out_dir)
        .env("PATH", &tools));
    assert_fails(
        &out,
        1,
        &[
            "python3 -m pip install ziglang",
            "cargo install cargo-zigbuild --locked",
            "--install-missing",
        ],
    );
    assert_no_artifacts(&c.out_dir);
}

fn which(tool: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap();
    std::env::split_paths(&path)
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{tool} not on PATH"))
}

#[test]
fn a_binary_for_the_wrong_architecture_is_refused_by_its_header() {
    let c = case("");
    // /bin/true is an x86-64 ELF; offer it as the aarch64 build.
    let out = dist(&c, &["--target", "aarch64-unknown-linux-gnu"]);
    assert_fails(
        &out,
        1,
        &["x86-64 Linux program", "aarch64-unknown-linux-gnu", "arm64"],
    );
    assert_no_artifacts(&c.out_dir);
}

#[test]
fn bad_macos_settings_are_refused_before_building() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[package.metadata.crateship.macos]\ncategory = \"games\"",
            &["macos.category", "`games`", "public.app-category."],
        ),
        (
            "[package.metadata.crateship.macos]\nurl-schemes = [\"hello://\"]",
            &["macos.url-schemes", "`hello://`"],
        ),
        (
            "[package.metadata.crateship.macos]\ndocument-types = [{ name = \"Doc\", extensions = [\".txt\"] }]",
            &["macos.document-types", "without the dot"],
        ),
        (
            "[package.metadata.crateship.macos]\ninfo-plist-template = \"../../etc/Info.plist\"",
            &["macos.info-plist-template", "leaves the project"],
        ),
        (
            "[package.metadata.crateship.macos]\ndmg-volume-name = \"a/b\"",
            &["macos.dmg-volume-name", "`a/b`"],
        ),
        // Collides with a key crateship generates: refused at plan time, naming the setting.
        (
            "identifier = \"org.example.tiny\"\ntargets = [\"aarch64-apple-darwin\"]\n\
             [package.metadata.crateship.macos]\ninfo-plist = { CFBundleIdentifier = \"x.y\" }",
            &["CFBundleIdentifier", "identifier"],
        ),
    ];
    for (config, needles) in cases {
        let c = case(config);
        let out = run(crateship()
            .arg("plan")
            .arg("--manifest-path")
            .arg(&c.manifest));
        assert_fails(&out, 1, needles);
        let out = dist(&c, &[]);
        assert_fails(&out, 1, needles);
        assert_no_artifacts(&c.out_dir);
    }
}

#[test]
fn a_missing_template_is_named_with_the_fix() {
    let c = case(
        "identifier = \"org.example.tiny\"\nformats = [\"deb\"]\n\
         [package.metadata.crateship.linux]\ndesktop-template = \"packaging/missing.desktop\"",
    );
    std::fs::write(
        &c.manifest,
        std::fs::read_to_string(&c.manifest).unwrap().replace(
            "license = \"MIT\"",
            "license = \"MIT\"\nauthors = [\"T <t@example.org>\"]",
        ),
    )
    .unwrap();
    let out = dist(&c, &["--target", "x86_64-unknown-linux-gnu"]);
    assert_fails(
        &out,
        1,
        &[
            "packaging/missing.desktop",
            "relative to the package directory",
        ],
    );
    assert_no_artifacts(&c.out_dir);
}
