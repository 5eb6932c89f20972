//! `crateship init`: the table is appended so that the original Cargo.toml is
//! kept byte for byte, the result parses (Python's tomllib) and `crateship
//! plan` accepts it; suggestions come from the manifest and the files; nothing
//! is asked off a terminal; an existing table, a missing or read-only
//! Cargo.toml are refused with nothing written.

use std::path::Path;
use std::process::Output;

use crate::support::{crateship, list, run, stderr, verify};

/// A Cargo.toml with comments, odd spacing and an unrelated metadata table,
/// all of which must survive.
const ORIGINAL: &str = "# The app.\n[package]\nname   = \"tone-gen\"  # spaced\nversion = \"1.2.0\"\n\
    edition = \"2021\"\nlicense = \"MIT\"\ndescription = \"Makes tones\"\n\
    repository = \"https://github.com/Some-Owner/tone-gen\"\n\
    categories = [\"multimedia::audio\", \"gui\"]\n\n\
    [package.metadata.deb]\nsection = \"sound\"\n\n[dependencies]\n\n# trailing comment\n[workspace]\n";

fn write_crate(dir: &Path, cargo_toml: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(dir.join("Cargo.toml"), cargo_toml).unwrap();
}

fn init(dir: &Path, extra: &[&str]) -> Output {
    run(crateship()
        .arg("init")
        .args(extra)
        .current_dir(dir)
        .stdin(std::process::Stdio::null()))
}

/// `crateship plan --json` in `dir` succeeds; returns the plan.
fn plan(dir: &Path) -> serde_json::Value {
    let out = run(crateship().args(["plan", "--json"]).current_dir(dir));
    assert!(out.status.success(), "plan: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Cargo.toml in `dir` read by Python's tomllib, as JSON.
fn parsed(dir: &Path) -> serde_json::Value {
    let json = verify(
        "python3",
        &[
            "-c",
            "import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], 'rb'))))",
            "Cargo.toml",
        ],
        dir,
    );
    serde_json::from_str(&json).unwrap()
}

/// A solid `size`×`size` PNG at `path` (Debian's Python, which has python3-pil).
fn png(path: &Path, size: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    verify(
        "/usr/bin/python3",
        &[
            "-c",
            "import sys; from PIL import Image; Image.new('RGBA', (int(sys.argv[2]),) * 2, (200, 40, 40, 255)).save(sys.argv[1])",
            path.to_str().unwrap(),
            &size.to_string(),
        ],
        Path::new("."),
    );
}

#[test]
fn init_appends_a_table_derived_from_the_project_and_keeps_every_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tone gen ü");
    write_crate(&dir, ORIGINAL);
    png(&dir.join("assets/icon.png"), 1024);
    png(&dir.join("icons/small.png"), 256);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.join("Cargo.toml"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();

    let out = init(&dir, &[]);
    assert!(out.status.success(), "init: {}", stderr(&out));
    assert!(
        !stderr(&out).contains("identifier (reverse DNS)"),
        "asked off a terminal"
    );
    assert!(
        stderr(&out).contains("icon: assets/icon.png"),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(
        text.starts_with(ORIGINAL),
        "the original lines changed:\n{text}"
    );
    assert!(text[ORIGINAL.len()..].contains("[package.metadata.crateship]"));
    assert_eq!(
        std::fs::metadata(dir.join("Cargo.toml"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o640
    );

    let toml = parsed(&dir);
    let table = &toml["package"]["metadata"]["crateship"];
    assert_eq!(table["identifier"], "io.github.some-owner.tone-gen");
    assert_eq!(table["product-name"], "Tone Gen");
    assert_eq!(table["icon"], "assets/icon.png");
    assert_eq!(
        table["linux"]["categories"],
        serde_json::json!(["AudioVideo", "Audio", "Utility"])
    );
    // No e-mail in authors: formats that need a maintainer are left out.
    assert!(
        !table["formats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "deb")
    );
    assert_eq!(toml["package"]["metadata"]["deb"]["section"], "sound");

    let plan = plan(&dir);
    assert_eq!(plan["app"]["identifier"], "io.github.some-owner.tone-gen");
    assert!(plan["targets"].as_array().unwrap().len() >= 4, "{plan}");
}

#[test]
fn a_bare_cargo_new_project_plans_after_init() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(std::process::Command::new("cargo")
        .args(["new", "-q", "--vcs", "none", "bare"])
        .current_dir(tmp.path()));
    assert!(out.status.success(), "cargo new: {}", stderr(&out));
    let dir = tmp.path().join("bare");
    let before = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let out = init(&dir, &["--yes"]);
    assert!(out.status.success(), "init: {}", stderr(&out));
    let after = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(after.starts_with(&before));
    assert_eq!(
        parsed(&dir)["package"]["metadata"]["crateship"]["identifier"],
        "org.example.bare"
    );
    assert!(stderr(&out).contains("placeholder"), "{}", stderr(&out));
    plan(&dir);
}

#[test]
fn an_existing_table_is_kept_unless_forced_and_force_keeps_everything_else() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let with_table = format!(
        "{ORIGINAL}\n[package.metadata.crateship]\nidentifier = \"org.mine.tone\"\n\n\
         [package.metadata.crateship.windows]\nupgrade-code = \"{}\"\n",
        "6F1C2D3E-4A5B-4C6D-8E7F-901234567890"
    );
    write_crate(&dir, &with_table);
    let out = init(&dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("Cargo.toml")).unwrap(),
        with_table
    );

    let out = init(&dir, &["--yes", "--force"]);
    assert!(out.status.success(), "init --force: {}", stderr(&out));
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(
        !text.contains("org.mine.tone") && !text.contains("upgrade-code"),
        "{text}"
    );
    for line in ORIGINAL.lines() {
        assert!(text.contains(line), "`{line}` was lost:\n{text}");
    }
    assert_eq!(text.matches("[package.metadata.crateship]").count(), 1);
    plan(&dir);
}

#[test]
fn in_a_workspace_the_table_goes_to_the_binary_package() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let workspace = "[workspace]\nmembers = [\"app\", \"core\"]\nresolver = \"2\"\n";
    std::fs::write(root.join("Cargo.toml"), workspace).unwrap();
    write_crate(
        &root.join("app"),
        "[package]\nname = \"ws-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         authors = [\"A Maintainer <a@example.org>\"]\nlicense = \"MIT\"\ndescription = \"App\"\n",
    );
    std::fs::create_dir_all(root.join("core/src")).unwrap();
    std::fs::write(root.join("core/src/lib.rs"), "").unwrap();
    std::fs::write(
        root.join("core/Cargo.toml"),
        "[package]\nname = \"ws-core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    let out = init(root, &["--yes"]);
    assert!(out.status.success(), "init: {}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(root.join("Cargo.toml")).unwrap(),
        workspace
    );
    let app = parsed(&root.join("app"));
    let table = &app["package"]["metadata"]["crateship"];
    // A maintainer with an e-mail: every format stays available.
    assert!(table.get("formats").is_none(), "{table}");
    plan(root);
}

#[test]
fn a_missing_or_read_only_cargo_toml_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = init(&empty, &["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no Cargo.toml"), "{}", stderr(&out));
    assert!(list(&empty).is_empty());

    let dir = tmp.path().join("ro");
    write_crate(&dir, ORIGINAL);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.join("Cargo.toml"),
        std::fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    let out = init(&dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert!(stderr(&out).contains("chmod u+w"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("Cargo.toml")).unwrap(),
        ORIGINAL
    );
    assert_eq!(list(&dir), ["Cargo.toml", "src"]);
}

#[test]
fn init_import_reads_the_other_tools_tables_and_leaves_their_keys_to_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tone-gen");
    let with_bundle = ORIGINAL.replace(
        "[dependencies]",
        "[package.metadata.bundle]\nidentifier = \"com.example.tonegen\"\nname = \"Tone Generator\"\n\n[dependencies]",
    );
    write_crate(&dir, &with_bundle);
    // Without --import the tables are named and explicitly not read.
    let out = init(&dir, &["--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = &parsed(&dir)["package"]["metadata"]["crateship"];
    assert_eq!(table["import"], serde_json::json!([]), "{table}");
    assert!(
        stderr(&out).contains("does not read (--import) deb, bundle"),
        "{}",
        stderr(&out)
    );

    write_crate(&dir, &with_bundle);
    let out = init(&dir, &["--yes", "--import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = &parsed(&dir)["package"]["metadata"]["crateship"];
    assert_eq!(
        table["import"],
        serde_json::json!(["deb", "bundle"]),
        "{table}"
    );
    assert!(table.get("identifier").is_none(), "{table}");
    assert!(table.get("product-name").is_none(), "{table}");
    let plan = plan(&dir);
    assert_eq!(
        plan["app"]["identifier"], "com.example.tonegen",
        "{}",
        plan["app"]
    );
    assert_eq!(plan["app"]["product_name"], "Tone Generator");
    assert_eq!(plan["linux_packaging"]["deb"]["section"], "sound");
    assert!(
        plan["warnings"].as_array().is_none_or(|w| !w
            .iter()
            .any(|w| w.as_str().unwrap_or_default().contains("set `import ="))),
        "{}",
        plan["warnings"]
    );
}

#[test]
fn init_xtask_writes_a_cargo_xtask_dist_that_releases_the_project() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tone");
    write_crate(
        &dir,
        "[package]\nname = \"tone\"\nversion = \"0.3.0\"\nedition = \"2021\"\n\
         license = \"MIT\"\ndescription = \"Makes tones\"\n\n[dependencies]\n",
    );
    let repo = crate::support::repo_root();
    let out = init(
        &dir,
        &[
            "--yes",
            "--xtask",
            "--crateship-path",
            repo.join("crates/crateship").to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("xtask/src/main.rs")).unwrap(),
        std::fs::read_to_string(repo.join("examples/user-xtask/src/main.rs")).unwrap()
    );
    let cargo_toml = parsed(&dir);
    assert_eq!(
        cargo_toml["workspace"]["members"],
        serde_json::json!(["xtask"])
    );
    // This repository's lock file: the same dependency versions, nothing fetched.
    std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let bins = crate::support::binary_dir(tmp.path(), "tone");
    let out_dir = tmp.path().join("out");
    // A target dir of its own, kept between runs (the outer cargo holds ours).
    let out = run(std::process::Command::new("cargo")
        .args(["xtask", "dist", "--no-build", "--binary-dir"])
        .arg(&bins)
        .args([
            "--target",
            "x86_64-unknown-linux-gnu",
            "--format",
            "tar.gz",
            "--out-dir",
        ])
        .arg(&out_dir)
        .env("CARGO_TARGET_DIR", repo.join("target/init-xtask"))
        .current_dir(&dir));
    assert!(out.status.success(), "{}", stderr(&out));
    verify("sha256sum", &["-c", "SHA256SUMS"], &out_dir);
    assert!(
        list(&out_dir).contains(&"tone-0.3.0-x86_64-unknown-linux-gnu.tar.gz".to_owned()),
        "{:?}",
        list(&out_dir)
    );
    // A usage mistake exits 2, as crateship's own.
    let out = run(std::process::Command::new("cargo")
        .args(["xtask", "dist", "--no-build"])
        .env("CARGO_TARGET_DIR", repo.join("target/init-xtask"))
        .current_dir(&dir));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Answers `crateship init`'s questions on a pseudo-terminal: each time output
/// ends with a `[...]: ` prompt, the next answer is typed. Returns what the
/// terminal showed.
fn init_on_a_terminal(dir: &Path, answers: &[&str]) -> String {
    const DRIVER: &str = r#"
import os, pty, sys
exe, answers = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(exe, [exe, "init"])
seen, pending = b"", b""
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    pending += chunk
    if pending.rstrip().endswith(b"]:"):
        pending = b""
        os.write(fd, (answers.pop(0) if answers else "").encode() + b"\n")
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let exe = env!("CARGO_BIN_EXE_crateship");
    let out = run(std::process::Command::new("python3")
        .args(["-c", DRIVER, exe])
        .args(answers)
        .current_dir(dir));
    assert!(out.status.success(), "{}", crate::support::stdout(&out));
    crate::support::stdout(&out)
}

#[test]
fn on_a_terminal_init_asks_checks_the_answers_and_takes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tone-gen");
    write_crate(&dir, ORIGINAL);
    let screen = init_on_a_terminal(&dir, &["not an id", "org.example.tones", "Tone Maker"]);
    assert!(
        screen.contains("Application identifier (reverse DNS) [io.github.some-owner.tone-gen]: "),
        "{screen}"
    );
    assert!(
        screen.contains("is not a reverse-DNS identifier"),
        "{screen}"
    );
    let table = &parsed(&dir)["package"]["metadata"]["crateship"];
    assert_eq!(table["identifier"], "org.example.tones", "{screen}");
    assert_eq!(table["product-name"], "Tone Maker");
    // Enter takes the suggestion.
    write_crate(&dir, ORIGINAL);
    init_on_a_terminal(&dir, &["", ""]);
    let table = &parsed(&dir)["package"]["metadata"]["crateship"];
    assert_eq!(table["identifier"], "io.github.some-owner.tone-gen");
    assert_eq!(table["product-name"], "Tone Gen");
}
