//! `.gitlab-ci.yml`: build jobs hand binaries to one packaging job through job
//! artifacts; secrets are the project's masked CI/CD variables of the names the
//! signing config gives, which GitLab puts in the environment itself, so the
//! file names them only in a comment.

use super::{BINARIES_DIR, CHECK_REPORT, CiSystem, DIST_DIR, Pipeline, yaml_block, yaml_str};
use crate::target::TargetTriple;

/// The Linux image, by the toolchain's version (`rust:1.85-bookworm`).
fn linux_image(rust: &str) -> String {
    if rust.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("rust:{rust}-bookworm")
    } else {
        "rust:bookworm".into()
    }
}

fn script(out: &mut String, lines: &[String]) {
    out.push_str("  script:\n");
    for l in lines {
        out.push_str("    - |\n");
        out.push_str(&yaml_block(l, 6));
    }
}

fn build_job(out: &mut String, p: &Pipeline, id: &str, macos: bool, targets: &[TargetTriple]) {
    out.push_str(&format!("{id}:\n  stage: build\n"));
    if macos {
        if let Some(why) = &p.macos_reason {
            out.push_str(&format!("  # On a macOS runner: {why}.\n"));
        }
        out.push_str("  image: macos-14-xcode-15\n  tags:\n    - saas-macos-medium-m1\n");
    } else {
        out.push_str(&format!("  image: {}\n", linux_image(&p.rust)));
    }
    out.push_str(
        "  cache:\n    key: \"$CI_JOB_NAME\"\n    paths:\n      - .cargo-home/\n      - target/\n",
    );
    script(
        out,
        &[
            "export CARGO_HOME=\"$CI_PROJECT_DIR/.cargo-home\" PATH=\"$CI_PROJECT_DIR/.cargo-home/bin:$PATH\"".into(),
            p.install_crateship(),
            p.build_command(targets),
        ],
    );
    out.push_str(&format!(
        "  artifacts:\n    paths:\n      - {BINARIES_DIR}/\n    expire_in: 3 days\n"
    ));
}

/// The GitLab CI release pipeline of `p`.
pub fn gitlab(p: &Pipeline) -> String {
    let mut out = p.header(CiSystem::Gitlab);
    if !p.secrets.is_empty() {
        out.push_str(&format!(
            "# Signing reads these masked, protected CI/CD variables: {}.\n",
            p.secrets.join(", ")
        ));
    }
    out.push_str(
        "\nworkflow:\n  rules:\n    - if: $CI_COMMIT_TAG =~ /^v/\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n    \
         - if: $CI_PIPELINE_SOURCE == \"web\"\n\nstages:\n  - build\n  - package\n  - release\n\n",
    );
    out.push_str(&format!(
        "variables:\n  CARGO_TERM_COLOR: always\n  CRATESHIP_VERSION: {}\n  RUST_TOOLCHAIN: {}\n\n",
        yaml_str(&p.crateship_version),
        yaml_str(&p.rust)
    ));
    let mut needs = Vec::new();
    if !p.linux_targets.is_empty() {
        build_job(&mut out, p, "build-linux", false, &p.linux_targets);
        needs.push("build-linux");
        out.push('\n');
    }
    if !p.macos_targets.is_empty() {
        build_job(&mut out, p, "build-macos", true, &p.macos_targets);
        needs.push("build-macos");
        out.push('\n');
    }
    out.push_str(&format!(
        "package:\n  stage: package\n  image: {}\n  needs: [{}]\n",
        linux_image(&p.rust),
        needs.join(", ")
    ));
    out.push_str("  cache:\n    key: \"$CI_JOB_NAME\"\n    paths:\n      - .cargo-home/\n");
    script(
        &mut out,
        &[
            "export CARGO_HOME=\"$CI_PROJECT_DIR/.cargo-home\" PATH=\"$CI_PROJECT_DIR/.cargo-home/bin:$PATH\"".into(),
            p.install_crateship(),
            format!(
            "{} --manifest-path {} --check",
            CiSystem::Gitlab.command(),
            super::shell_word(&p.manifest)
        ),
            format!(
                "if [ \"$CI_PIPELINE_SOURCE\" = \"merge_request_event\" ]; then\n  {}\nelse\n  {}\nfi",
                p.dist_command(true),
                p.dist_command(false)
            ),
            format!("crateship check {DIST_DIR} --junit {CHECK_REPORT}"),
        ],
    );
    out.push_str(&format!(
        "  artifacts:\n    when: always\n    paths:\n      - {DIST_DIR}/\n    reports:\n      junit: {CHECK_REPORT}\n\n"
    ));
    out.push_str(
        "release:\n  stage: release\n  image: registry.gitlab.com/gitlab-org/release-cli:v0.18.0\n  needs:\n    \
         - job: package\n      artifacts: true\n  rules:\n    - if: $CI_COMMIT_TAG =~ /^v/\n  script:\n    \
         - echo \"Releasing $CI_COMMIT_TAG\"\n  release:\n    tag_name: $CI_COMMIT_TAG\n    name: $CI_COMMIT_TAG\n    \
         description: \"Release $CI_COMMIT_TAG; the files are this pipeline's package job artifacts.\"\n    \
         assets:\n      links:\n        - name: dist\n          \
         url: \"$CI_PROJECT_URL/-/jobs/artifacts/$CI_COMMIT_TAG/browse/ci-dist?job=package\"\n",
    );
    out
}
