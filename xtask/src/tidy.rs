//! Tidy checks: the architecture invariants of ARCHITECTURE.md, enforced as
//! ordinary tests over the repository's sources (rust-analyzer style).
//!
//! Each rule is a function from a file's path and text to its violations, so
//! each can be shown to fire on a planted violation (the `planted_*` tests).

use std::path::{Path, PathBuf};

/// One broken rule: where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Violation {
    file: String,
    message: String,
}

fn violation(file: &str, message: impl Into<String>) -> Violation {
    Violation {
        file: file.to_owned(),
        message: message.into(),
    }
}

/// This file: its tests plant violations in strings, which the rules would see.
const THIS_FILE: &str = "xtask/src/tidy.rs";

/// Lines of `text` that are code, not comments (for rules about what code names).
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| {
        let t = l.trim_start();
        !t.starts_with("//")
    })
}

/// Imports run one way in the core: `execute → plan → config`.
fn layering(file: &str, text: &str) -> Vec<Violation> {
    let core = "crates/crateship/src/";
    let Some(module) = file.strip_prefix(core) else {
        return Vec::new();
    };
    let forbidden: &[&str] = if module.starts_with("execute/") {
        &["crate::config"]
    } else if module.starts_with("plan/") {
        &["crate::execute"]
    } else if module.starts_with("config/") {
        &["crate::execute", "crate::plan"]
    } else {
        &[]
    };
    let mut found = Vec::new();
    for name in forbidden {
        if code_lines(text).any(|l| l.contains(name)) {
            found.push(violation(
                file,
                format!(
                    "names `{name}`: the core's imports run execute → plan → config; \
                     take the value from the plan (plan re-exports the config types it carries)"
                ),
            ));
        }
    }
    found
}

/// Every source file says what it owns in a `//!` line.
fn module_doc(file: &str, text: &str) -> Vec<Violation> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim_start().starts_with("//!") {
        Vec::new()
    } else {
        vec![violation(
            file,
            "starts without a `//!` line; say what the module owns",
        )]
    }
}

/// The only source files that may start processes directly.
const PROCESS_FUNNELS: &[&str] = &[
    "crates/crateship/src/process.rs",
    "crates/crateship-sign/src/tool.rs",
    "crates/crateship-appimage-runtime/src/main.rs",
    "crates/crateship-appimage-runtime/src/fusermount.rs",
];

/// `allow(clippy::disallowed_methods)` only in the process funnels (and tests).
fn process_funnel(file: &str, text: &str) -> Vec<Violation> {
    let in_src = file.contains("/src/");
    if !in_src || PROCESS_FUNNELS.contains(&file) || file == THIS_FILE {
        return Vec::new();
    }
    if code_lines(text).any(|l| l.contains("allow(clippy::disallowed_methods)")) {
        vec![violation(
            file,
            "allows clippy::disallowed_methods outside the process funnels; start programs \
             through crateship::process::CommandSpec (or crateship-sign's tool.rs)",
        )]
    } else {
        Vec::new()
    }
}

/// Crates that may spawn processes: the core (cargo, git), the signing backends,
/// the CLI, the AppImage runtime (it runs the app) and our own automation.
const MAY_SPAWN: &[&str] = &[
    "crateship",
    "crateship-cli",
    "crateship-sign",
    "crateship-appimage-runtime",
    "xtask",
];

/// Crates whose whole purpose is starting processes.
const SPAWNING_CRATES: &[&str] = &["xshell", "duct", "subprocess", "cmd_lib", "execute"];

/// The names of the `[dependencies]` (not dev- or build-) of a Cargo.toml.
fn dependencies(manifest: &str) -> Vec<String> {
    let mut in_deps = false;
    let mut names = Vec::new();
    for line in manifest.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_deps =
                t == "[dependencies]" || t.starts_with("[target.") && t.ends_with(".dependencies]");
            continue;
        }
        if in_deps
            && !t.starts_with('#')
            && let Some((name, _)) = t.split_once('=')
        {
            let name = name.trim().split('.').next().unwrap_or("").trim();
            if !name.is_empty() {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// A format crate never depends on a process-spawning crate.
fn format_crate_deps(crate_name: &str, file: &str, manifest: &str) -> Vec<Violation> {
    if MAY_SPAWN.contains(&crate_name) {
        return Vec::new();
    }
    dependencies(manifest)
        .into_iter()
        .filter(|d| SPAWNING_CRATES.contains(&d.as_str()))
        .map(|d| {
            violation(
                file,
                format!(
                    "format crate {crate_name} depends on `{d}`, which spawns processes; format \
                     crates take their inputs as data (the caller passes a function for host lookups)"
                ),
            )
        })
        .collect()
}

/// Every crate uses the workspace lints.
fn workspace_lints(file: &str, manifest: &str) -> Vec<Violation> {
    let compact: String = manifest.split_whitespace().collect::<Vec<_>>().join(" ");
    if compact.contains("[lints] workspace = true") {
        Vec::new()
    } else {
        vec![violation(
            file,
            "has no `[lints] workspace = true`; every crate keeps the workspace lints",
        )]
    }
}

/// A dependency used by two or more crates is declared once, in the root
/// `[workspace.dependencies]`, and inherited (`name.workspace = true`).
fn shared_dependencies(manifests: &[(String, String)]) -> Vec<Violation> {
    use std::collections::BTreeMap;
    let mut users: BTreeMap<String, Vec<(&str, bool)>> = BTreeMap::new();
    for (file, text) in manifests {
        let mut section = String::new();
        for line in text.lines() {
            let t = line.trim();
            if t.starts_with('[') {
                section = t.to_owned();
                continue;
            }
            let is_deps =
                section.ends_with("dependencies]") && section != "[workspace.dependencies]";
            if !is_deps || t.starts_with('#') {
                continue;
            }
            let Some((key, value)) = t.split_once('=') else {
                continue;
            };
            let key = key.trim();
            let name = key.split('.').next().unwrap_or("").trim().to_owned();
            let inherited = key.ends_with(".workspace") || value.contains("workspace = true");
            // A crate depending on itself for tests (`path = "."`) is not sharing.
            if value.contains("path = \".\"") {
                continue;
            }
            users
                .entry(name)
                .or_default()
                .push((file.as_str(), inherited));
        }
    }
    let mut found = Vec::new();
    for (name, uses) in users {
        let crates: std::collections::BTreeSet<&str> = uses.iter().map(|(f, _)| *f).collect();
        if crates.len() < 2 {
            continue;
        }
        for (file, inherited) in uses {
            if !inherited {
                found.push(violation(
                    file,
                    format!(
                        "declares `{name}` itself, but {} crates use it; declare it once in the \
                         root [workspace.dependencies] and write `{name}.workspace = true`",
                        crates.len()
                    ),
                ));
            }
        }
    }
    found
}

/// The team's shared directory beside the checkout, spelled in pieces so this
/// file itself never names it.
fn shared_dir() -> String {
    ["..", "shared"].join("/")
}

/// Nothing in the repository reads the shared directory beside the checkout: a
/// clone anywhere tests itself.
fn no_shared_reads(file: &str, text: &str) -> Vec<Violation> {
    if file == THIS_FILE {
        return Vec::new();
    }
    let dir = shared_dir();
    let fixtures = format!("{}/fixtures", dir.trim_start_matches("../"));
    if code_lines(text).any(|l| l.contains(&dir) || l.contains(&fixtures)) {
        vec![violation(
            file,
            format!(
                "reads {dir}, which a clone elsewhere does not have; the repository owns \
                 every fixture it uses (e.g. `cargo xtask payload DIR`)"
            ),
        )]
    } else {
        Vec::new()
    }
}

/// Every file below `dir` ending in one of `exts`, skipping build output.
fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                files(&path, exts, out);
            }
        } else if exts.iter().any(|e| name.ends_with(e)) {
            out.push(path);
        }
    }
}

fn root() -> PathBuf {
    crate::project_root()
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Runs `rule` over every Rust source of the repository.
fn check_sources(rule: impl Fn(&str, &str) -> Vec<Violation>) -> Vec<Violation> {
    let mut paths = Vec::new();
    for dir in ["crates", "xtask", "examples"] {
        files(&root().join(dir), &[".rs"], &mut paths);
    }
    paths
        .iter()
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            rule(&rel(p), &text)
        })
        .collect()
}

/// Every crate manifest of the workspace: (path, text, package name).
fn manifests() -> Vec<(String, String, String)> {
    let mut paths = Vec::new();
    files(&root().join("crates"), &["Cargo.toml"], &mut paths);
    paths.push(root().join("xtask/Cargo.toml"));
    paths
        .iter()
        .filter(|p| p.parent().and_then(Path::parent).is_some())
        // Fixture projects under `tests/` are inputs to tests, not workspace crates.
        .filter(|p| !rel(p).contains("/tests/"))
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let name = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("name = "))
                .unwrap_or("")
                .trim_matches('"')
                .to_owned();
            (rel(p), text, name)
        })
        .collect()
}

fn assert_none(found: Vec<Violation>) {
    let report: Vec<String> = found
        .iter()
        .map(|v| format!("{}: {}", v.file, v.message))
        .collect();
    assert!(report.is_empty(), "tidy:\n{}", report.join("\n"));
}

#[test]
fn core_imports_run_execute_plan_config() {
    assert_none(check_sources(layering));
}

#[test]
fn every_source_file_has_a_module_doc() {
    assert_none(check_sources(module_doc));
}

#[test]
fn only_the_process_funnels_allow_spawning() {
    assert_none(check_sources(process_funnel));
}

#[test]
fn nothing_reads_the_shared_directory() {
    let mut found = check_sources(no_shared_reads);
    let mut other = Vec::new();
    files(&root().join(".ci"), &[""], &mut other);
    files(&root(), &["Cargo.toml"], &mut other);
    for p in other {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        found.extend(no_shared_reads(&rel(&p), &text));
    }
    assert_none(found);
}

#[test]
fn format_crates_spawn_no_processes_and_every_crate_keeps_the_lints() {
    let mut found = Vec::new();
    for (file, text, name) in manifests() {
        found.extend(format_crate_deps(&name, &file, &text));
        found.extend(workspace_lints(&file, &text));
    }
    assert_none(found);
}

#[test]
fn shared_dependencies_are_declared_once() {
    let all: Vec<(String, String)> = manifests().into_iter().map(|(f, t, _)| (f, t)).collect();
    assert_none(shared_dependencies(&all));
}

#[test]
fn the_guides_xtask_example_is_the_one_the_workspace_builds() {
    let guide = std::fs::read_to_string(root().join("docs/guide.md")).unwrap_or_default();
    let example =
        std::fs::read_to_string(root().join("examples/user-xtask/src/main.rs")).unwrap_or_default();
    let section = guide
        .split("## In your own xtask")
        .nth(1)
        .and_then(|s| s.split("```rust\n").nth(1))
        .and_then(|s| s.split("```").next())
        .unwrap_or_default();
    assert!(
        !example.is_empty() && section == example,
        "docs/guide.md's xtask example differs from examples/user-xtask/src/main.rs; \
         copy the file into the guide"
    );
    let template = std::fs::read_to_string(root().join("crates/crateship/templates/xtask/main.rs"))
        .unwrap_or_default();
    assert!(
        template == example,
        "crates/crateship/templates/xtask/main.rs (what `crateship init --xtask` writes) differs \
         from examples/user-xtask/src/main.rs; copy the example over it"
    );
}

#[test]
fn planted_violations_are_caught() {
    let exec = "crates/crateship/src/execute/x.rs";
    assert_eq!(
        layering(exec, "//! x\nuse crate::config::Signing;\n").len(),
        1
    );
    assert!(layering(exec, "//! x\n// crate::config in a comment\n").is_empty());
    assert_eq!(
        layering(
            "crates/crateship/src/plan/x.rs",
            "use crate::execute::sign;"
        )
        .len(),
        1
    );
    assert_eq!(
        layering("crates/crateship/src/config/x.rs", "use crate::plan::Plan;").len(),
        1
    );
    assert_eq!(module_doc("crates/x/src/lib.rs", "use std::io;\n").len(), 1);
    assert!(module_doc("crates/x/src/lib.rs", "\n//! Owns x.\n").is_empty());
    let allow = "#[allow(clippy::disallowed_methods)]\nfn f() {}";
    assert_eq!(
        process_funnel("crates/crateship-linux/src/deb.rs", allow).len(),
        1
    );
    assert!(process_funnel("crates/crateship-sign/src/tool.rs", allow).is_empty());
    assert!(process_funnel("crates/crateship-linux/tests/linux/main.rs", allow).is_empty());
    let spawning = "[package]\nname = \"crateship-linux\"\n[dependencies]\nxshell = \"0.2\"\n";
    assert_eq!(
        format_crate_deps(
            "crateship-linux",
            "crates/crateship-linux/Cargo.toml",
            spawning
        )
        .len(),
        1
    );
    assert!(format_crate_deps("crateship", "crates/crateship/Cargo.toml", spawning).is_empty());
    assert_eq!(
        workspace_lints("xtask/Cargo.toml", "[package]\nname = \"xtask\"\n").len(),
        1
    );
    let twice = vec![
        (
            "a/Cargo.toml".to_owned(),
            "[dependencies]\nflate2 = \"1\"\n".to_owned(),
        ),
        (
            "b/Cargo.toml".to_owned(),
            "[dependencies]\nflate2.workspace = true\n".to_owned(),
        ),
    ];
    let found = shared_dependencies(&twice);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].file, "a/Cargo.toml");
    assert_eq!(
        no_shared_reads(
            "xtask/src/bench.rs",
            &format!("let p = \"{}/fixtures/make_payload.py\";", shared_dir())
        )
        .len(),
        1
    );
}
