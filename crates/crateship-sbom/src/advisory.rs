//! Known vulnerabilities from a local checkout of the RustSec advisory
//! database (its `crates/NAME/RUSTSEC-….md` files: a TOML front matter in a
//! fenced block, then the prose). Nothing is ever fetched: the caller names the
//! directory.

use std::path::Path;

use serde::Deserialize;

/// One advisory: which crate, which versions it spares, and what it says.
#[derive(Debug, Clone)]
pub struct Advisory {
    /// e.g. `RUSTSEC-2023-0001`.
    pub id: String,
    /// The affected crate.
    pub package: String,
    /// The first Markdown heading (the title), or the id.
    pub title: String,
    /// `None` for a vulnerability; `unmaintained`, `unsound` or `notice` for
    /// an informational advisory.
    pub informational: Option<String>,
    /// Versions that are fixed or never were affected.
    spared: Vec<semver::VersionReq>,
}

impl Advisory {
    /// Whether `name` at `version` is affected. A version that is no semver is
    /// treated as affected, so it is reported rather than hidden.
    pub fn affects(&self, name: &str, version: &str) -> bool {
        if name != self.package {
            return false;
        }
        match semver::Version::parse(version) {
            Ok(v) => !self.spared.iter().any(|req| req.matches(&v)),
            Err(_) => true,
        }
    }
}

#[derive(Deserialize)]
struct Front {
    advisory: FrontAdvisory,
    #[serde(default)]
    versions: FrontVersions,
}

#[derive(Deserialize)]
struct FrontAdvisory {
    id: String,
    package: String,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    withdrawn: Option<toml::Value>,
}

#[derive(Deserialize, Default)]
struct FrontVersions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// Every advisory under `db/crates/` that is not withdrawn, sorted by id. An
/// error names the directory or file and says what is wrong with it.
pub fn load_advisories(db: &Path) -> Result<Vec<Advisory>, String> {
    let crates = db.join("crates");
    let dirs = std::fs::read_dir(&crates).map_err(|e| {
        format!(
            "{} cannot be read ({e}); pass a checkout of https://github.com/rustsec/advisory-db \
             (its `crates/` directory holds the advisories)",
            crates.display()
        )
    })?;
    let mut advisories = Vec::new();
    for dir in dirs {
        let dir = dir
            .map_err(|e| format!("{}: {e}", crates.display()))?
            .path();
        if !dir.is_dir() {
            continue;
        }
        let files = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for file in files {
            let path = file.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if !name.starts_with("RUSTSEC-") || !(name.ends_with(".md") || name.ends_with(".toml"))
            {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("{} cannot be read: {e}", path.display()))?;
            if let Some(advisory) = parse(&text)
                .map_err(|e| format!("{} is not a RustSec advisory: {e}", path.display()))?
            {
                advisories.push(advisory);
            }
        }
    }
    advisories.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(advisories)
}

/// One advisory file (`.md` with a ```` ```toml ```` front matter, or bare
/// TOML); `None` when it was withdrawn.
fn parse(text: &str) -> Result<Option<Advisory>, String> {
    let (front, body) = match text.trim_start().strip_prefix("```toml") {
        Some(rest) => rest
            .split_once("\n```")
            .ok_or("its ```toml front matter is not closed")?,
        None => (text, ""),
    };
    let front: Front = toml::from_str(front).map_err(|e| e.to_string())?;
    if front.advisory.withdrawn.is_some() {
        return Ok(None);
    }
    let mut spared = Vec::new();
    for req in front
        .versions
        .patched
        .iter()
        .chain(&front.versions.unaffected)
    {
        spared.push(
            semver::VersionReq::parse(req)
                .map_err(|e| format!("the version requirement `{req}` does not parse: {e}"))?,
        );
    }
    let title = body
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .map_or_else(|| front.advisory.id.clone(), |t| t.trim().to_owned());
    Ok(Some(Advisory {
        id: front.advisory.id,
        package: front.advisory.package,
        title,
        informational: front.advisory.informational,
        spared,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADVISORY: &str = "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"smallvec\"\n\
        date = \"2099-01-01\"\n\n[versions]\npatched = [\">= 1.6.1\"]\nunaffected = [\"< 1.0.0\"]\n```\n\n\
        # Buffer overflow in insert_many\n\nProse.\n";

    #[test]
    fn patched_and_unaffected_versions_are_spared() {
        let a = parse(ADVISORY).unwrap().unwrap();
        assert_eq!(a.title, "Buffer overflow in insert_many");
        assert!(a.affects("smallvec", "1.6.0"));
        assert!(!a.affects("smallvec", "1.6.1"));
        assert!(!a.affects("smallvec", "0.6.9"));
        assert!(!a.affects("tinyvec", "1.6.0"));
        let withdrawn = ADVISORY.replace("date =", "withdrawn = \"2099-02-01\"\ndate =");
        assert!(parse(&withdrawn).unwrap().is_none());
        assert!(parse("```toml\n[advisory]\n").is_err());
        assert!(
            load_advisories(Path::new("/nonexistent/db"))
                .unwrap_err()
                .contains("advisory-db")
        );
    }
}
