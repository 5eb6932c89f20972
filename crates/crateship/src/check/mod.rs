//! `crateship check`: the release gate. Reads a dist directory's
//! `dist-manifest.json` and `SHA256SUMS`, opens every artifact it can
//! (`crateship-unpack`: tar.gz, zip, .deb, .rpm, MSI, AppImage) and checks what
//! is there, never writing into the directory.
//!
//! Every result has a stable id, a level ([`Level`]), the file it concerns, what
//! was found and the fix. A release passes when no blocking check failed (with
//! `strict`, no warning either). What the release is held to beyond the
//! manifest comes from a [`Policy`]: the project's plan when check runs in the
//! project, else only what the manifest itself records. The checks, by module:
//! * `integrity`: `integrity.manifest`, `integrity.sha256sums`,
//!   `integrity.unknown-file`, `signature.sha256sums`;
//! * `contents`: `content.members`, `content.host-path`, `content.metadata`,
//!   `content.desktop-entry`, `content.icons`,
//!   `binary.target`, `binary.stripped`, `binary.glibc`, `binary.macos-minimum`,
//!   `binary.gui-subsystem`, `signature.authenticode`, `signature.timestamp`,
//!   `signature.cert-expiry`, `signature.apple`, `signature.appimage`, `signature.rpm`,
//!   `consistency.version`;
//! * `supply`: `supply.licenses`, `supply.advisories`,
//!   `supply.advisories-informational`;
//! * `rebuild` (opt-in, `--rebuild`): `reproducible.artifact`;
//! * `previous` (with a previous release): `consistency.version-increases`,
//!   `consistency.identifier`, `consistency.upgrade-code`, `consistency.product-code`.

mod contents;
mod integrity;
mod previous;
mod rebuild;
mod supply;

pub use rebuild::{Rebuilt, rebuild};

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::manifest::{DistManifest, FILE_NAME};

/// How much a failed check matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The release must not be published.
    Blocking,
    /// Worth fixing; fails the gate with `--strict`.
    Warning,
    /// Informational only.
    Audit,
}

/// One check on one file.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// Stable id, e.g. `integrity.sha256sums`.
    pub id: &'static str,
    /// How much a failure matters.
    pub level: Level,
    /// The file it concerns, relative to the dist dir (empty: the release).
    pub artifact: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was found.
    pub found: String,
    /// How to fix a failure (empty when it passed).
    pub fix: String,
}

/// Every result of one `check` run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The dist dir checked.
    pub dir: PathBuf,
    /// The release's name and version.
    pub release: String,
    /// Where the policy came from (the project's plan, or the manifest only).
    pub policy: String,
    /// Every result, in check order.
    pub results: Vec<CheckResult>,
}

impl Report {
    /// Whether the release fails the gate: a blocking failure (or, `strict`, a warning).
    pub fn fails(&self, strict: bool) -> bool {
        self.results.iter().any(|r| {
            !r.passed && (r.level == Level::Blocking || (strict && r.level == Level::Warning))
        })
    }

    /// `(passed, failed blocking, failed warnings)`.
    pub fn counts(&self) -> (usize, usize, usize) {
        let failed = |level| {
            self.results
                .iter()
                .filter(|r| !r.passed && r.level == level)
                .count()
        };
        (
            self.results.iter().filter(|r| r.passed).count(),
            failed(Level::Blocking),
            failed(Level::Warning),
        )
    }

    /// The results as JUnit XML: one test suite, one test case per result, a
    /// failure element for each failed blocking or warning check.
    pub fn junit(&self) -> String {
        let failures = self
            .results
            .iter()
            .filter(|r| !r.passed && r.level != Level::Audit)
            .count();
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"crateship check\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
            self.results.len(),
            escape(&self.release),
            self.results.len()
        );
        for r in &self.results {
            let name = if r.artifact.is_empty() {
                r.id.to_owned()
            } else {
                format!("{} {}", r.id, r.artifact)
            };
            xml.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\"",
                r.id,
                escape(&name)
            ));
            if r.passed || r.level == Level::Audit {
                xml.push_str(" />\n");
            } else {
                xml.push_str(&format!(
                    ">\n      <failure type=\"{:?}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                    r.level,
                    escape(&r.found),
                    escape(&r.fix)
                ));
            }
        }
        xml.push_str("  </testsuite>\n</testsuites>\n");
        xml
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What a release is held to beyond what its manifest records.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The highest glibc a Linux binary may need (`linux.glibc` / `linux.max-glibc`);
    /// `None`: what the manifest records for the artifact.
    pub glibc_ceiling: Option<crateship_inspect::GlibcVersion>,
    /// The macOS version binaries may need at most (`macos.minimum-system-version`);
    /// `None`: what the manifest records.
    pub macos_minimum: Option<String>,
    /// Windows programs must use the GUI subsystem (`windows.windowed`).
    pub windowed: bool,
    /// Authenticode signing is configured, so every exe and MSI must be signed.
    pub authenticode: bool,
    /// SPDX ids every shipped crate's licence must be satisfiable from.
    pub allowed_licenses: Option<Vec<String>>,
    /// A certificate expiring within this many days is a warning.
    pub cert_expiry_days: u32,
    /// The minisign public key `SHA256SUMS.minisig` must verify with.
    pub minisign_public_key: Option<PathBuf>,
    /// The OpenPGP public key `SHA256SUMS.asc` and AppImage signatures must verify with.
    pub pgp_public_key: Option<PathBuf>,
    /// AppImage signing is configured, so every AppImage must carry a signature.
    pub appimage_signed: bool,
    /// rpm signing is configured, so every .rpm must carry a header signature.
    pub rpm_signed: bool,
    /// Apple Developer ID signing is configured, so every program in an `.app`
    /// must carry a Developer ID signature.
    pub apple_signed: bool,
    /// Notarization is configured, so the `.app` and `.pkg` must carry a stapled ticket.
    pub notarized: bool,
    /// A local RustSec advisory-db checkout (`--advisory-db`).
    pub advisory_db: Option<PathBuf>,
    /// The same commit released again (`--rebuild`): every artifact must equal it.
    pub rebuilt: Option<std::sync::Arc<Rebuilt>>,
    /// Where the policy came from, for the report (`the plan of …/Cargo.toml`).
    pub source: String,
}

impl Policy {
    /// The policy of a release with nothing but its manifest to go by.
    pub fn manifest_only() -> Policy {
        Policy {
            cert_expiry_days: crate::config::DEFAULT_CERT_EXPIRY_DAYS,
            source: "the manifest only (no project found; run check in the project or pass --manifest-path)".into(),
            ..Policy::default()
        }
    }

    /// The policy the project's plan sets.
    pub fn from_plan(plan: &crate::plan::Plan) -> Policy {
        Policy {
            glibc_ceiling: plan.max_glibc.map(|g| crateship_inspect::GlibcVersion {
                major: g.major,
                minor: g.minor,
            }),
            macos_minimum: Some(plan.macos_minimum_system_version.clone()),
            windowed: plan.windows.windowed,
            authenticode: plan.signing.as_ref().is_some_and(|s| s.windows.is_some()),
            allowed_licenses: plan.check.allowed_licenses.clone(),
            cert_expiry_days: plan.check.cert_expiry_days,
            minisign_public_key: plan.check.minisign_public_key.clone(),
            pgp_public_key: plan.check.pgp_public_key.clone(),
            appimage_signed: plan
                .signing
                .as_ref()
                .is_some_and(|s| s.sign_appimage && s.pgp_key_env.is_some()),
            apple_signed: plan.signing.as_ref().is_some_and(|s| s.apple.is_some()),
            notarized: plan
                .signing
                .as_ref()
                .and_then(|s| s.apple.as_ref())
                .is_some_and(|a| a.notarize.is_some()),
            rpm_signed: plan
                .signing
                .as_ref()
                .is_some_and(|s| s.sign_rpm && s.pgp_key_env.is_some()),
            advisory_db: None,
            rebuilt: None,
            source: format!("the plan of {}", plan.manifest_path.display()),
        }
    }
}

/// Every result, as checks add them.
#[derive(Default)]
pub(crate) struct Results(Vec<CheckResult>);

impl Results {
    /// Adds a result: `Ok(found)` passed, `Err((found, fix))` failed.
    pub(crate) fn add(
        &mut self,
        id: &'static str,
        level: Level,
        artifact: &str,
        outcome: std::result::Result<String, (String, String)>,
    ) {
        let (passed, found, fix) = match outcome {
            Ok(found) => (true, found, String::new()),
            Err((found, fix)) => (false, found, fix),
        };
        self.0.push(CheckResult {
            id,
            level,
            artifact: artifact.to_owned(),
            passed,
            found,
            fix,
        });
    }
}

/// `work` on every artifact of `manifest`, one artifact per job on the shared
/// ordered pool (a worker per core); the results come back in manifest order.
pub(crate) fn each_artifact<T: Send + 'static>(
    manifest: &DistManifest,
    work: impl Fn(&crate::manifest::ManifestArtifact) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let artifacts = std::sync::Arc::new(manifest.artifacts.clone());
    let jobs = std::sync::Arc::clone(&artifacts);
    let mut pool = crateship_support::pool::OrderedPool::stateless(0, 4, move |index: usize| {
        work(&jobs[index])
    });
    let mut out = Vec::with_capacity(artifacts.len());
    for index in 0..artifacts.len() {
        out.extend(pool.submit(index));
    }
    out.extend(pool.drain());
    out
}

/// The fix for anything that changed after the release was written.
pub(crate) const REBUILD: &str =
    "rebuild the release with `crateship dist`; never edit a dist dir by hand";

/// Checks the release in `dir` under `policy`, against the release in
/// `previous` if given. A dir that holds no crateship release, an unreadable
/// advisory db, or a previous release that is the same one, is a usage error.
pub fn check(dir: &Path, previous: Option<&Path>, policy: &Policy) -> Result<Report> {
    let manifest = read_manifest(dir)?;
    let advisories = match &policy.advisory_db {
        Some(db) => Some(
            crateship_sbom::load_advisories(db)
                .map_err(|e| Error::Usage(format!("--advisory-db {}: {e}", db.display())))?,
        ),
        None => None,
    };
    let earlier = match previous {
        Some(previous_dir) => {
            let earlier = read_manifest(previous_dir)?;
            let same_dir = previous_dir.canonicalize().ok() == dir.canonicalize().ok();
            if same_dir || earlier == manifest {
                return Err(Error::Usage(format!(
                    "--previous {} is this same release; pass the last published release's dist dir",
                    previous_dir.display()
                )));
            }
            Some((previous_dir, earlier))
        }
        None => None,
    };
    let mut results = Results::default();
    integrity::check(dir, &manifest, policy, &mut results)?;
    let facts = contents::check(dir, &manifest, policy, &mut results);
    supply::check(
        dir,
        &manifest,
        policy,
        advisories.as_deref(),
        &facts,
        &mut results,
    );
    if let Some(rebuilt) = &policy.rebuilt {
        rebuild::compare(&manifest, rebuilt, &mut results);
    }
    if let Some((previous_dir, earlier)) = &earlier {
        let earlier_facts = contents::read_facts(previous_dir, earlier);
        previous::check(&manifest, &facts, earlier, &earlier_facts, &mut results);
    }
    Ok(Report {
        dir: dir.to_path_buf(),
        release: format!("{} {}", manifest.app.name, manifest.app.version),
        policy: policy.source.clone(),
        results: results.0,
    })
}

/// The manifest of the release in `dir`; a dir without one (or with another
/// tool's) is a usage error.
pub fn read_manifest(dir: &Path) -> Result<DistManifest> {
    let path = dir.join(FILE_NAME);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::Usage(format!(
            "{} is not a crateship dist dir: {} cannot be read ({e}); pass the out dir of \
             `crateship dist`",
            dir.display(),
            FILE_NAME
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "{} is not a crateship manifest ({e}); pass the out dir of `crateship dist`",
            path.display()
        ))
    })
}
