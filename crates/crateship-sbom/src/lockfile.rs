//! The registry checksums `Cargo.lock` records: the SHA-256 of each downloaded
//! `.crate` file, which the SBOMs carry as the component hash.

use std::collections::HashMap;

use serde::Deserialize;

use crate::SbomError;

/// `Cargo.lock`'s `[[package]]` entries that carry a checksum, keyed by
/// `(name, version, source)` exactly as `cargo metadata` spells them.
#[derive(Debug, Default)]
pub(crate) struct LockChecksums {
    by_package: HashMap<(String, String, String), String>,
}

#[derive(Deserialize)]
struct LockFile {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
}

impl LockChecksums {
    /// Reads the checksums of `Cargo.lock` text (lockfile versions 3 and 4; version 1's
    /// `[metadata]` table is not read). A checksum that is not 64 hex digits is an error.
    pub(crate) fn parse(cargo_lock: &str) -> Result<LockChecksums, SbomError> {
        let lock: LockFile =
            toml::from_str(cargo_lock).map_err(|source| SbomError::LockToml { source })?;
        let mut by_package = HashMap::new();
        for package in lock.package {
            let (Some(source), Some(checksum)) = (package.source, package.checksum) else {
                continue;
            };
            if !is_sha256_hex(&checksum) {
                return Err(SbomError::LockChecksum {
                    name: package.name,
                    version: package.version,
                    checksum,
                });
            }
            by_package.insert(
                (package.name, package.version, source),
                checksum.to_ascii_lowercase(),
            );
        }
        Ok(LockChecksums { by_package })
    }

    /// The checksum of one package, if the lockfile records one (registry packages do;
    /// git and path packages do not).
    pub(crate) fn get(&self, name: &str, version: &str, source: &str) -> Option<&str> {
        self.by_package
            .get(&(name.to_owned(), version.to_owned(), source.to_owned()))
            .map(String::as_str)
    }
}

/// Whether `text` is a SHA-256 digest written as 64 hexadecimal digits.
pub(crate) fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["itoa"]

[[package]]
name = "itoa"
version = "1.0.18"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "8EAF4BC02D17CBDD7FF4C7438CAFCDF7FB9A4613313AD11B4F8FEFE7D3FA0C77"

[[package]]
name = "gitdep"
version = "0.2.0"
source = "git+https://example.invalid/gitdep#0123456789abcdef0123456789abcdef01234567"
"#;

    #[test]
    fn registry_packages_have_lowercased_checksums_and_others_none() {
        let sums = LockChecksums::parse(LOCK).unwrap();
        assert_eq!(
            sums.get(
                "itoa",
                "1.0.18",
                "registry+https://github.com/rust-lang/crates.io-index"
            ),
            Some("8eaf4bc02d17cbdd7ff4c7438cafcdf7fb9a4613313ad11b4f8fefe7d3fa0c77")
        );
        assert_eq!(sums.get("app", "0.1.0", ""), None);
        assert_eq!(sums.by_package.len(), 1);
    }

    #[test]
    fn a_malformed_checksum_names_the_crate_and_the_fix() {
        let lock = LOCK.replace("8EAF4BC02D", "zz");
        let err = LockChecksums::parse(&lock).unwrap_err().to_string();
        assert!(err.contains("`itoa 1.0.18`"), "{err}");
        assert!(err.contains("cargo generate-lockfile"), "{err}");
    }

    #[test]
    fn a_lockfile_that_is_not_toml_says_what_to_pass() {
        let err = LockChecksums::parse("[[package]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("Cargo.lock does not parse"), "{err}");
    }
}
