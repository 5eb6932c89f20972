//! The fixture project, its `cargo metadata`, and running the verifiers.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crateship_sbom::DepSet;

/// The Linux target of the comparisons.
pub const LINUX: &str = "x86_64-unknown-linux-gnu";
/// The Windows target of the comparisons.
pub const WINDOWS: &str = "x86_64-pc-windows-gnu";
/// The macOS target of the auditable test.
pub const MACOS: &str = "aarch64-apple-darwin";

/// A copy of the fixture project with a generated lockfile.
pub struct Fixture {
    /// The project directory.
    pub dir: PathBuf,
    /// Its `Cargo.lock`.
    pub lock: String,
}

/// How to install each verifier (what `cargo xtask setup` does).
const INSTALL: &[(&str, &str)] = &[
    (
        "check-jsonschema",
        "python3 -m pip install check-jsonschema",
    ),
    ("pyspdxtools", "python3 -m pip install spdx-tools"),
    ("rust-audit-info", "cargo install rust-audit-info --locked"),
    (
        "cargo-zigbuild",
        "cargo install cargo-zigbuild --locked (and pip install ziglang)",
    ),
    ("openssl", "apt-get install openssl"),
    ("python3", "apt-get install python3"),
];

/// Runs `program` with `args` in `dir`; a missing program panics with how to install it.
pub fn run_in(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir);
    for (key, value) in env {
        command.env(key, value);
    }
    match command.output() {
        Ok(out) => out,
        Err(e) => {
            let hint = INSTALL
                .iter()
                .find(|(name, _)| *name == program)
                .map_or("see xtask/src/setup.rs", |(_, hint)| hint);
            panic!("cannot run `{program}` ({e}); install it: {hint}")
        }
    }
}

/// [`run_in`] that must succeed; returns stdout.
pub fn run_ok(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = run_in(dir, program, args, env);
    assert!(
        out.status.success(),
        "`{program} {}` failed:\n{}",
        args.join(" "),
        text(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// stdout and stderr of a finished command.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Copies the fixture into `dir` and generates its lockfile offline.
pub fn make_fixture(dir: &Path) -> Fixture {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/target-deps");
    copy_dir(&source, dir);
    run_ok(dir, "cargo", &["generate-lockfile", "--offline"], &[]);
    let lock = fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    Fixture {
        dir: dir.to_owned(),
        lock,
    }
}

/// One fixture copy shared by the tests of this process, in a stable directory under
/// the target dir so that cross-builds of it are incremental between runs.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE
        .get_or_init(|| make_fixture(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbom-fixture")))
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `cargo metadata --format-version 1 --filter-platform TARGET` of a project.
pub fn metadata(dir: &Path, target: &str) -> String {
    run_ok(
        dir,
        "cargo",
        &[
            "metadata",
            "--offline",
            "--format-version",
            "1",
            "--filter-platform",
            target,
        ],
        &[],
    )
}

/// The fixture's dependency set for `target`.
pub fn depset(fixture: &Fixture, target: &str) -> DepSet {
    DepSet::from_metadata_json(
        &metadata(&fixture.dir, target),
        &fixture.lock,
        "fixture-app",
        target,
    )
    .unwrap()
}

/// `name version` of every crate `cargo tree --target TARGET -e normal` lists, and
/// the names it marks `(proc-macro)`.
pub fn cargo_tree(dir: &Path, target: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let out = run_ok(
        dir,
        "cargo",
        &[
            "tree",
            "--offline",
            "--target",
            target,
            "-e",
            "normal",
            "--prefix",
            "none",
        ],
        &[],
    );
    let mut crates = BTreeSet::new();
    let mut macros = BTreeSet::new();
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        let mut words = line.split_whitespace();
        let name = words.next().unwrap();
        let version = words.next().unwrap().trim_start_matches('v');
        crates.insert(format!("{name} {version}"));
        if line.contains("(proc-macro)") {
            macros.insert(name.to_owned());
        }
    }
    (crates, macros)
}

/// `name version` of every crate of a set.
pub fn names(deps: &DepSet) -> BTreeSet<String> {
    deps.crates()
        .iter()
        .map(|c| format!("{} {}", c.name, c.version))
        .collect()
}
