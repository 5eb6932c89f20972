//! `crateship check`: the release gate. Reads a dist directory's
//! `dist-manifest.json` and `SHA256SUMS` and checks what is there, never writing
//! into it.
//!
//! Every result has a stable id, a level ([`Level`]), the file it concerns, what
//! was found and the fix. A release passes when no blocking check failed (with
//! `strict`, no warning either). The checks so far:
//! * `integrity.manifest`: each manifest entry exists with its size and SHA-256;
//! * `integrity.sha256sums`: each `SHA256SUMS` line matches its file, and
//!   `SHA256SUMS` and the manifest list the same files;
//! * `integrity.unknown-file`: no file the manifest does not know (detached
//!   signatures of listed files and the records themselves excepted);
//! * `content.host-path`: no build-host path (`/home/…`, `/root/…`, a cargo
//!   registry or rustup toolchain path) in any file's bytes, gzip streams
//!   (`tar.gz`) decompressed — the members of zip, deb, rpm, MSI and dmg files
//!   are not looked into yet;
//! * `signature.sha256sums` (warning): `SHA256SUMS` has a detached signature;
//! * with a previous release: `consistency.version-increases` and
//!   `consistency.identifier` (blocking).

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

/// Checks the release in `dir`, against the release in `previous` if given.
/// A dir that holds no crateship release, or a previous release that is the
/// same one, is a usage error.
pub fn check(dir: &Path, previous: Option<&Path>) -> Result<Report> {
    let manifest = read_manifest(dir)?;
    let mut results = Vec::new();
    let mut add =
        |id, level, artifact: &str, outcome: std::result::Result<String, (String, String)>| {
            let (passed, found, fix) = match outcome {
                Ok(found) => (true, found, String::new()),
                Err((found, fix)) => (false, found, fix),
            };
            results.push(CheckResult {
                id,
                level,
                artifact: artifact.to_owned(),
                passed,
                found,
                fix,
            });
        };
    let rebuild = "rebuild the release with `crateship dist`; never edit a dist dir by hand";

    // The manifest's entries.
    let mut digests = std::collections::BTreeMap::new();
    for entry in &manifest.artifacts {
        let path = dir.join(&entry.path);
        let outcome = match crateship_support::hash::sha256_file(&path) {
            Err(e) => Err((format!("cannot be read: {e}"), rebuild.to_owned())),
            Ok((_, size)) if size != entry.size => Err((
                format!("is {size} bytes, the manifest says {}", entry.size),
                rebuild.to_owned(),
            )),
            Ok((sha, _)) if sha != entry.sha256 => Err((
                format!("SHA-256 {sha}, the manifest says {}", entry.sha256),
                rebuild.to_owned(),
            )),
            Ok((sha, size)) => {
                digests.insert(entry.path.clone(), sha);
                Ok(format!("{size} bytes, SHA-256 as listed"))
            }
        };
        add("integrity.manifest", Level::Blocking, &entry.path, outcome);
    }

    // SHA256SUMS against the files and the manifest.
    let sums_path = dir.join(crate::execute::SHA256SUMS);
    match std::fs::read_to_string(&sums_path) {
        Err(e) => add(
            "integrity.sha256sums",
            Level::Blocking,
            crate::execute::SHA256SUMS,
            Err((format!("cannot be read: {e}"), rebuild.to_owned())),
        ),
        Ok(text) => {
            let mut listed = Vec::new();
            for line in text.lines().filter(|l| !l.is_empty()) {
                let Some((sha, name)) = line.split_once("  ") else {
                    add(
                        "integrity.sha256sums",
                        Level::Blocking,
                        crate::execute::SHA256SUMS,
                        Err((
                            format!("the line `{line}` is not `SHA256  NAME`"),
                            rebuild.to_owned(),
                        )),
                    );
                    continue;
                };
                listed.push(name.to_owned());
                let actual = match digests.get(name) {
                    Some(d) => Some(d.clone()),
                    None => crateship_support::hash::sha256_file(&dir.join(name))
                        .ok()
                        .map(|(d, _)| d),
                };
                let outcome = match actual {
                    None => Err(("is listed but missing".to_owned(), rebuild.to_owned())),
                    Some(d) if d != sha => Err((
                        format!("SHA-256 {d}, SHA256SUMS says {sha}"),
                        rebuild.to_owned(),
                    )),
                    Some(_) if !manifest.artifacts.iter().any(|a| a.path == name) => Err((
                        "is in SHA256SUMS but not in the manifest".to_owned(),
                        rebuild.to_owned(),
                    )),
                    Some(_) => Ok("matches SHA256SUMS".to_owned()),
                };
                add("integrity.sha256sums", Level::Blocking, name, outcome);
            }
            for entry in &manifest.artifacts {
                if !listed.contains(&entry.path) {
                    add(
                        "integrity.sha256sums",
                        Level::Blocking,
                        &entry.path,
                        Err((
                            "is in the manifest but not in SHA256SUMS".to_owned(),
                            rebuild.to_owned(),
                        )),
                    );
                }
            }
        }
    }

    // Files nobody listed, and host paths in every file.
    let files = crateship_support::walk::files_below(dir)
        .map_err(|e| Error::input(format!("the dist dir {}", dir.display()), e))?;
    let known = |rel: &str| {
        let records = [
            FILE_NAME,
            crate::execute::SHA256SUMS,
            "SHA256SUMS.asc",
            "SHA256SUMS.minisig",
        ];
        records.contains(&rel)
            || manifest.artifacts.iter().any(|a| {
                a.path == rel
                    || [".asc", ".minisig", ".sig"]
                        .iter()
                        .any(|ext| format!("{}{ext}", a.path) == rel)
            })
    };
    let markers = host_path_markers();
    for file in &files {
        if !known(&file.rel) {
            add(
                "integrity.unknown-file",
                Level::Blocking,
                &file.rel,
                Err((
                    "is in the dist dir but not in the manifest".to_owned(),
                    "remove it, or rebuild the release into an empty out dir".to_owned(),
                )),
            );
        }
        let outcome = match host_path_in(&file.path, &markers) {
            Ok(None) => Ok("no build-host path".to_owned()),
            Ok(Some(found)) => Err((
                format!("contains the build-host path `{found}`"),
                "build with crateship (it remaps host paths), and keep host paths out of \
                 release notes, templates and resources"
                    .to_owned(),
            )),
            Err(e) => Err((format!("cannot be read: {e}"), rebuild.to_owned())),
        };
        add("content.host-path", Level::Blocking, &file.rel, outcome);
    }

    // Whether SHA256SUMS is signed.
    let signatures: Vec<&str> = ["SHA256SUMS.asc", "SHA256SUMS.minisig"]
        .into_iter()
        .filter(|n| dir.join(n).is_file())
        .collect();
    add(
        "signature.sha256sums",
        Level::Warning,
        crate::execute::SHA256SUMS,
        if signatures.is_empty() {
            Err((
                "has no detached signature".to_owned(),
                "set signing.pgp-key-env or signing.minisign-key-env so users can verify the release"
                    .to_owned(),
            ))
        } else {
            Ok(format!("signed ({})", signatures.join(", ")))
        },
    );

    if let Some(previous_dir) = previous {
        let earlier = read_manifest(previous_dir)?;
        let same_dir = previous_dir.canonicalize().ok() == dir.canonicalize().ok();
        if same_dir || earlier == manifest {
            return Err(Error::Usage(format!(
                "--previous {} is this same release; pass the last published release's dist dir",
                previous_dir.display()
            )));
        }
        let newer = match (
            parse_version(&manifest.app.version),
            parse_version(&earlier.app.version),
        ) {
            (Some(now), Some(before)) => now > before,
            _ => false,
        };
        add(
            "consistency.version-increases",
            Level::Blocking,
            "",
            if newer {
                Ok(format!(
                    "{} > {}",
                    manifest.app.version, earlier.app.version
                ))
            } else {
                Err((
                    format!(
                        "version {} does not come after the previous release's {}",
                        manifest.app.version, earlier.app.version
                    ),
                    "raise `version` in Cargo.toml above the previous release's".to_owned(),
                ))
            },
        );
        add(
            "consistency.identifier",
            Level::Blocking,
            "",
            if manifest.app.identifier == earlier.app.identifier
                && manifest.app.name == earlier.app.name
            {
                Ok("name and identifier unchanged".to_owned())
            } else {
                Err((
                    format!(
                        "{} / {:?} was {} / {:?}: installed copies would not upgrade",
                        manifest.app.name,
                        manifest.app.identifier,
                        earlier.app.name,
                        earlier.app.identifier
                    ),
                    "keep the package name and `identifier` of the previous release".to_owned(),
                ))
            },
        );
    }
    Ok(Report {
        dir: dir.to_path_buf(),
        release: format!("{} {}", manifest.app.name, manifest.app.version),
        results,
    })
}

fn read_manifest(dir: &Path) -> Result<DistManifest> {
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

/// `MAJOR.MINOR.PATCH[-PRE]` as comparable parts (a pre-release sorts before its release).
fn parse_version(v: &str) -> Option<(u64, u64, u64, bool, String)> {
    let (core, pre) = match v.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (v.split('+').next().unwrap_or(v), None),
    };
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let (a, b, c) = (parts.next()??, parts.next()??, parts.next()??);
    Some((a, b, c, pre.is_none(), pre.unwrap_or_default().to_owned()))
}

/// Byte strings that only a build host's paths contain.
fn host_path_markers() -> Vec<String> {
    let mut markers = vec![
        "/home/".to_owned(),
        "/root/".to_owned(),
        "/.cargo/registry/".to_owned(),
        "/.rustup/toolchains/".to_owned(),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        let home = home.to_string_lossy().trim_end_matches('/').to_owned();
        if home.len() > 1 && !markers.iter().any(|m| m.trim_end_matches('/') == home) {
            markers.push(format!("{home}/"));
        }
    }
    markers
}

/// The first host path marker in the file's bytes, with what follows it; a
/// gzip file (`.tar.gz`, `.gz`) is looked into, since its compressed bytes hide
/// the paths of every file inside.
fn host_path_in(path: &Path, markers: &[String]) -> std::io::Result<Option<String>> {
    let file = std::fs::File::open(path)?;
    let name = path.to_string_lossy();
    if name.ends_with(".gz") || name.ends_with(".tgz") {
        let found = host_path_in_stream(flate2::read::MultiGzDecoder::new(file), markers)?;
        if found.is_some() {
            return Ok(found);
        }
        return host_path_in_stream(std::fs::File::open(path)?, markers);
    }
    host_path_in_stream(file, markers)
}

/// The first host path marker in what `file` reads, with what follows it.
fn host_path_in_stream(
    mut file: impl std::io::Read,
    markers: &[String],
) -> std::io::Result<Option<String>> {
    let finders: Vec<memchr::memmem::Finder<'_>> = markers
        .iter()
        .map(|m| memchr::memmem::Finder::new(m.as_bytes()))
        .collect();
    let longest = markers.iter().map(String::len).max().unwrap_or(0);
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = 0usize;
    loop {
        let n = file.read(&mut buf[carry..])?;
        if n == 0 {
            return Ok(None);
        }
        let window = &buf[..carry + n];
        for finder in &finders {
            if let Some(at) = finder.find(window) {
                let end = window[at..]
                    .iter()
                    .position(|&b| b == 0 || b == b'"' || b.is_ascii_whitespace())
                    .map_or(window.len(), |p| at + p)
                    .min(at + 80);
                return Ok(Some(String::from_utf8_lossy(&window[at..end]).into_owned()));
            }
        }
        // Keep the tail, so a marker split across reads is still found.
        let keep = longest.saturating_sub(1).min(window.len());
        let len = window.len();
        buf.copy_within(len - keep..len, 0);
        carry = keep;
    }
}
