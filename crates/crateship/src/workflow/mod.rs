//! The release workflow `crateship ci github|gitlab` writes, from the plan: a
//! build job per build host (one Linux job for every target crateship
//! cross-builds there, a macOS job for Apple targets that need the macOS SDK),
//! one Linux job that packages every binary with `dist --no-build`, signs with
//! the configured secrets and gates with `crateship check`, and a release job on
//! version tags. Pull requests build and check unsigned, publishing nothing.
//!
//! Generation is pure (a [`Pipeline`] in, text out), so `--check` compares the
//! committed file with exactly what this run would write.

mod github;
mod gitlab;

use std::path::Path;

use crate::error::{Error, Result};
use crate::plan::{Inputs, Plan};
use crate::target::{Os, TargetTriple};

pub use github::github;
pub use gitlab::gitlab;

/// A CI system crateship writes a release workflow for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiSystem {
    /// GitHub Actions: `.github/workflows/release.yml`.
    Github,
    /// GitLab CI: `.gitlab-ci.yml`.
    Gitlab,
}

impl CiSystem {
    /// The supported systems, as `crateship ci` takes them.
    pub const NAMES: [&'static str; 2] = ["github", "gitlab"];

    /// The workflow file, relative to the repository root.
    pub fn default_path(self) -> &'static str {
        match self {
            CiSystem::Github => ".github/workflows/release.yml",
            CiSystem::Gitlab => ".gitlab-ci.yml",
        }
    }

    /// The command that regenerates the file.
    pub fn command(self) -> &'static str {
        match self {
            CiSystem::Github => "crateship ci github",
            CiSystem::Gitlab => "crateship ci gitlab",
        }
    }
}

impl std::str::FromStr for CiSystem {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "github" => Ok(CiSystem::Github),
            "gitlab" => Ok(CiSystem::Gitlab),
            other => Err(Error::Usage(format!(
                "no workflow generator for `{other}`; supported: {}",
                CiSystem::NAMES.join(", ")
            ))),
        }
    }
}

/// Where the build jobs put binaries and the packaging job the release,
/// relative to the checkout.
pub const BINARIES_DIR: &str = "ci-binaries";
/// The packaging job's out dir (uploaded, and released on tags).
pub const DIST_DIR: &str = "ci-dist";
/// The JUnit report `crateship check` writes in the packaging job.
pub const CHECK_REPORT: &str = "crateship-check.xml";

/// What a release workflow is generated from: facts of the plan and project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    /// The package released.
    pub package: String,
    /// Its Cargo.toml, relative to the repository root, `/`-separated.
    pub manifest: String,
    /// The Rust toolchain jobs install (`rust-toolchain.toml`, else
    /// `rust-version`, else `stable`).
    pub rust: String,
    /// The crateship version that generated the file (and that jobs install).
    pub crateship_version: String,
    /// Targets the Linux build job builds.
    pub linux_targets: Vec<TargetTriple>,
    /// Targets a macOS runner builds, and why.
    pub macos_targets: Vec<TargetTriple>,
    /// Why Apple targets go to a macOS runner (named in the file).
    pub macos_reason: Option<String>,
    /// Secret variables the signing config names (mapped from the CI's secrets).
    pub secrets: Vec<String>,
    /// Whether the packaging job signs (a signing config exists).
    pub signs: bool,
}

/// Crates in Cargo.lock whose build links an Apple framework on Apple
/// targets, so linking needs the macOS SDK only a macOS runner has.
const FRAMEWORK_CRATES: &[&str] = &[
    "core-foundation-sys",
    "core-graphics",
    "cocoa",
    "objc2-foundation",
    "objc2-app-kit",
    "objc2-core-foundation",
    "security-framework-sys",
    "coreaudio-sys",
    "metal",
    "system-configuration-sys",
];

/// The first framework-linking crate `lock` (Cargo.lock text) depends on.
pub fn framework_crate(lock: &str) -> Option<&'static str> {
    FRAMEWORK_CRATES.iter().copied().find(|name| {
        lock.lines()
            .any(|l| l.trim() == format!("name = \"{name}\""))
    })
}

/// The toolchain CI installs: `rust-toolchain.toml`'s or `rust-toolchain`'s
/// channel in `root`, else the package's `rust-version`, else `stable`.
fn rust_toolchain(root: &Path, rust_version: Option<String>) -> String {
    if let Ok(text) = std::fs::read_to_string(root.join("rust-toolchain.toml"))
        && let Ok(value) = text.parse::<toml::Table>()
        && let Some(channel) = value
            .get("toolchain")
            .and_then(|t| t.get("channel"))
            .and_then(|c| c.as_str())
    {
        return channel.to_owned();
    }
    if let Ok(text) = std::fs::read_to_string(root.join("rust-toolchain")) {
        let channel = text.trim();
        if !channel.is_empty() && !channel.contains(['\n', '[']) {
            return channel.to_owned();
        }
    }
    rust_version.unwrap_or_else(|| "stable".into())
}

impl Pipeline {
    /// The pipeline of `plan` (made from `inputs`).
    pub fn of(inputs: &Inputs, plan: &Plan) -> Pipeline {
        let root = inputs
            .git
            .as_ref()
            .map(|g| g.toplevel.clone())
            .unwrap_or_else(|| inputs.metadata.workspace_root.clone().into_std_path_buf());
        let manifest = plan
            .manifest_path
            .strip_prefix(&root)
            .unwrap_or(&plan.manifest_path)
            .to_string_lossy()
            .replace('\\', "/");
        let lock = std::fs::read_to_string(inputs.metadata.workspace_root.join("Cargo.lock"))
            .unwrap_or_default();
        let framework = framework_crate(&lock);
        let macos_reason = if inputs.config.ci_macos_runner {
            Some("ci.macos-runner = true".to_owned())
        } else {
            framework.map(|c| format!("`{c}` links an Apple framework, which needs the macOS SDK"))
        };
        let (macos_targets, linux_targets) = plan
            .targets
            .iter()
            .map(|t| t.triple.clone())
            .partition(|t| macos_reason.is_some() && t.os() == Os::Macos);
        Pipeline {
            package: inputs.package.name.to_string(),
            manifest,
            rust: rust_toolchain(
                &root,
                inputs.package.rust_version.as_ref().map(|v| v.to_string()),
            ),
            crateship_version: plan.crateship_version.clone(),
            linux_targets,
            macos_targets,
            macos_reason,
            secrets: crate::config::secrets::secret_variables(&plan.manifest_path),
            signs: plan.signing.is_some(),
        }
    }

    /// `--target A --target B` for `targets`.
    fn target_args(targets: &[TargetTriple]) -> String {
        targets.iter().map(|t| format!(" --target {t}")).collect()
    }

    /// The build command of a build job.
    fn build_command(&self, targets: &[TargetTriple]) -> String {
        format!(
            "crateship build --manifest-path {} --install-missing{} --out-dir {BINARIES_DIR}",
            shell_word(&self.manifest),
            Self::target_args(targets)
        )
    }

    /// The packaging command (`--unsigned` for pull requests).
    fn dist_command(&self, unsigned: bool) -> String {
        let mut targets = self.linux_targets.clone();
        targets.extend(self.macos_targets.iter().cloned());
        format!(
            "crateship dist --manifest-path {} --no-build --binary-dir {BINARIES_DIR}{}{} --out-dir {DIST_DIR}",
            shell_word(&self.manifest),
            Self::target_args(&targets),
            if unsigned { " --unsigned" } else { "" }
        )
    }

    /// Installs crateship at the generating version unless it is on PATH.
    fn install_crateship(&self) -> String {
        "crateship --version 2>/dev/null | grep -qx \"crateship $CRATESHIP_VERSION\" \\\n  || cargo install crateship-cli --locked --version \"$CRATESHIP_VERSION\"".into()
    }

    /// Installs the pinned Rust toolchain.
    fn install_rust(&self) -> String {
        "rustup toolchain install \"$RUST_TOOLCHAIN\" --profile minimal\nrustup default \"$RUST_TOOLCHAIN\"".into()
    }

    /// The header comment: what generated the file and how to regenerate it.
    fn header(&self, system: CiSystem) -> String {
        format!(
            "# Generated by `{cmd}` (crateship {v}) from the release plan of `{p}`.\n\
             # Do not edit: change [package.metadata.crateship] and run `{cmd}` again;\n\
             # `{cmd} --check` (run by the packaging job) fails when this file is out of date.\n",
            cmd = system.command(),
            v = self.crateship_version,
            p = self.package
        )
    }
}

/// `s` as one POSIX shell word (quoted when it needs to be).
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `s` as a YAML double-quoted scalar.
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// `text` as the lines of a YAML literal block indented by `indent` spaces.
fn yaml_block(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// Writes the workflow for `system`.
pub fn generate(system: CiSystem, pipeline: &Pipeline) -> String {
    match system {
        CiSystem::Github => github(pipeline),
        CiSystem::Gitlab => gitlab(pipeline),
    }
}

/// A unified diff of `old` → `new` (named `path`), or `None` when equal.
pub fn diff(path: &str, old: &str, new: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // Longest common subsequence table, then a walk that emits - and + lines.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = format!("--- {path} (committed)\n+++ {path} (generated)\n");
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!(" {}\n", a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // Removed lines come before the lines that replace them.
            out.push_str(&format!("-{}\n", a[i]));
            i += 1;
        } else {
            out.push_str(&format!("+{}\n", b[j]));
            j += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_crates_are_found_by_exact_name() {
        assert_eq!(
            framework_crate("[[package]]\nname = \"objc2-app-kit\"\n"),
            Some("objc2-app-kit")
        );
        assert_eq!(
            framework_crate("[[package]]\nname = \"objc2-app-kit-x\"\n"),
            None
        );
    }

    #[test]
    fn diff_marks_changed_lines() {
        assert_eq!(diff("f", "a\nb\n", "a\nb\n"), None);
        let d = diff("f", "a\nb\nc\n", "a\nx\nc\n").unwrap();
        assert!(d.contains("-b\n+x\n") && d.contains(" a\n"), "{d}");
    }
}
