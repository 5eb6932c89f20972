//! `.github/workflows/release.yml`: least-privilege permissions, every action
//! pinned by commit SHA (its version in a comment), secrets only as
//! `${{ secrets.NAME }}` references in the one step that signs.

use super::{BINARIES_DIR, CHECK_REPORT, CiSystem, DIST_DIR, Pipeline, yaml_block, yaml_str};
use crate::target::TargetTriple;

/// The actions the workflow uses, pinned to the commit of a release tag.
const CHECKOUT: &str = "actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09 # v5.1.0";
const CACHE: &str = "actions/cache@a7833574556fa59680c1b7cb190c1735db73ebf0 # v5.0.0";
const UPLOAD: &str = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2";
const DOWNLOAD: &str =
    "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0";

/// The runner images jobs run on: the moving labels, so a generated file keeps
/// working when GitHub retires an image (the toolchain is pinned separately).
const LINUX_RUNNER: &str = "ubuntu-latest";
const MACOS_RUNNER: &str = "macos-latest";

/// A `run:` step.
fn run_step(out: &mut String, name: &str, command: &str) {
    out.push_str(&format!(
        "      - name: {}\n        run: |\n",
        yaml_str(name)
    ));
    out.push_str(&yaml_block(command, 10));
}

/// The steps every job that runs crateship starts with.
fn setup_steps(out: &mut String, p: &Pipeline, cache_key: &str) {
    out.push_str(&format!(
        "      - name: Check out\n        uses: {CHECKOUT}\n        with:\n          persist-credentials: false\n"
    ));
    out.push_str(&format!(
        "      - name: Cache cargo\n        uses: {CACHE}\n        with:\n          path: |\n            \
         ~/.cargo/bin/crateship\n            ~/.cargo/registry/index\n            ~/.cargo/registry/cache\n            \
         ~/.cargo/git/db\n            target\n          key: {}\n",
        yaml_str(&format!(
            "{cache_key}-${{{{ runner.os }}}}-${{{{ hashFiles('**/Cargo.lock') }}}}"
        ))
    ));
    run_step(out, "Install Rust", &p.install_rust());
    run_step(out, "Install crateship", &p.install_crateship());
}

fn build_job(
    out: &mut String,
    p: &Pipeline,
    id: &str,
    runner: &str,
    targets: &[TargetTriple],
    why: Option<&str>,
) {
    let names: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
    out.push_str(&format!("  {id}:\n"));
    if let Some(why) = why {
        out.push_str(&format!("    # On a macOS runner: {why}.\n"));
    }
    out.push_str(&format!(
        "    name: {}\n    runs-on: {runner}\n    timeout-minutes: 120\n    steps:\n",
        yaml_str(&format!("Build {}", names.join(", ")))
    ));
    setup_steps(out, p, id);
    run_step(out, "Build the binaries", &p.build_command(targets));
    out.push_str(&format!(
        "      - name: Upload the binaries\n        uses: {UPLOAD}\n        with:\n          name: binaries-{id}\n          \
         path: {BINARIES_DIR}\n          if-no-files-found: error\n          retention-days: 3\n"
    ));
}

/// The GitHub Actions release workflow of `p`.
pub fn github(p: &Pipeline) -> String {
    let mut out = p.header(CiSystem::Github);
    out.push_str(
        "name: Release\n\non:\n  push:\n    tags:\n      - \"v*\"\n  pull_request:\n  workflow_dispatch:\n\n\
         permissions:\n  contents: read\n\n\
         concurrency:\n  group: release-${{ github.ref }}\n  cancel-in-progress: false\n\n",
    );
    out.push_str(&format!(
        "env:\n  CARGO_TERM_COLOR: always\n  CRATESHIP_VERSION: {}\n  RUST_TOOLCHAIN: {}\n\njobs:\n",
        yaml_str(&p.crateship_version),
        yaml_str(&p.rust)
    ));
    let mut needs = Vec::new();
    if !p.linux_targets.is_empty() {
        build_job(
            &mut out,
            p,
            "build-linux",
            LINUX_RUNNER,
            &p.linux_targets,
            None,
        );
        needs.push("build-linux");
    }
    if !p.macos_targets.is_empty() {
        build_job(
            &mut out,
            p,
            "build-macos",
            MACOS_RUNNER,
            &p.macos_targets,
            p.macos_reason.as_deref(),
        );
        needs.push("build-macos");
    }
    out.push_str(&format!(
        "  package:\n    name: Package, sign and check\n    needs: [{}]\n    runs-on: {LINUX_RUNNER}\n    \
         timeout-minutes: 60\n    steps:\n",
        needs.join(", ")
    ));
    setup_steps(&mut out, p, "package");
    run_step(
        &mut out,
        "The workflow matches the release config",
        &format!(
            "{} --manifest-path {} --check",
            CiSystem::Github.command(),
            super::shell_word(&p.manifest)
        ),
    );
    out.push_str(&format!(
        "      - name: Download the binaries\n        uses: {DOWNLOAD}\n        with:\n          pattern: binaries-*\n          \
         path: {BINARIES_DIR}\n          merge-multiple: true\n"
    ));
    out.push_str(
        "      - name: \"Package and sign\"\n        if: github.event_name != 'pull_request'\n",
    );
    if !p.secrets.is_empty() {
        out.push_str("        env:\n");
        for s in &p.secrets {
            out.push_str(&format!("          {s}: ${{{{ secrets.{s} }}}}\n"));
        }
    }
    out.push_str("        run: |\n");
    out.push_str(&yaml_block(&p.dist_command(false), 10));
    out.push_str(
        "      - name: \"Package unsigned (pull requests get no secrets)\"\n        if: github.event_name == 'pull_request'\n        run: |\n",
    );
    out.push_str(&yaml_block(&p.dist_command(true), 10));
    run_step(
        &mut out,
        "Check the release",
        &format!("crateship check {DIST_DIR} --junit {CHECK_REPORT}"),
    );
    out.push_str(&format!(
        "      - name: Upload the release\n        uses: {UPLOAD}\n        with:\n          name: dist\n          \
         path: |\n            {DIST_DIR}\n            {CHECK_REPORT}\n          if-no-files-found: error\n"
    ));
    out.push_str(&format!(
        "  release:\n    name: Publish the GitHub release\n    needs: [package]\n    \
         if: startsWith(github.ref, 'refs/tags/v')\n    runs-on: {LINUX_RUNNER}\n    permissions:\n      contents: write\n    \
         steps:\n      - name: Download the release\n        uses: {DOWNLOAD}\n        with:\n          name: dist\n          path: .\n"
    ));
    out.push_str(
        "      - name: Create the release with every file of the dist dir\n        env:\n          \
         GH_TOKEN: ${{ github.token }}\n        run: |\n",
    );
    out.push_str(&yaml_block(
        &format!(
            "find {DIST_DIR} -maxdepth 1 -type f -print0 | xargs -0 \\\n  gh release create \"$GITHUB_REF_NAME\" --repo \"$GITHUB_REPOSITORY\" --verify-tag --title \"$GITHUB_REF_NAME\""
        ),
        10,
    ));
    out
}
