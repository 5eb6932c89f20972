//! The release's records: every manifest entry is there with its size and
//! SHA-256, `SHA256SUMS` agrees with the files and the manifest, nothing in the
//! dir is unaccounted for, and `SHA256SUMS` is signed (and verifies, when a
//! public key is configured).

use std::collections::BTreeMap;
use std::path::Path;

use super::{Level, Policy, REBUILD, Results};
use crate::error::{Error, Result};
use crate::execute::SHA256SUMS;
use crate::manifest::{DistManifest, FILE_NAME};

/// Adds the integrity results for the release in `dir`.
pub(super) fn check(
    dir: &Path,
    manifest: &DistManifest,
    policy: &Policy,
    results: &mut Results,
) -> Result<()> {
    let digests = manifest_entries(dir, manifest, results);
    sha256sums(dir, manifest, &digests, results);
    unknown_files(dir, manifest, results)?;
    sums_signature(dir, policy, results);
    Ok(())
}

/// `integrity.manifest`; returns the digests that matched.
fn manifest_entries(
    dir: &Path,
    manifest: &DistManifest,
    results: &mut Results,
) -> BTreeMap<String, String> {
    let root = dir.to_path_buf();
    let hashed = super::each_artifact(manifest, move |entry| {
        crateship_support::hash::sha256_file(&root.join(&entry.path))
    });
    let mut digests = BTreeMap::new();
    for (entry, hash) in manifest.artifacts.iter().zip(hashed) {
        let outcome = match hash {
            Err(e) => Err((format!("cannot be read: {e}"), REBUILD.to_owned())),
            Ok((_, size)) if size != entry.size => Err((
                format!("is {size} bytes, the manifest says {}", entry.size),
                REBUILD.to_owned(),
            )),
            Ok((sha, _)) if sha != entry.sha256 => Err((
                format!("SHA-256 {sha}, the manifest says {}", entry.sha256),
                REBUILD.to_owned(),
            )),
            Ok((sha, size)) => {
                digests.insert(entry.path.clone(), sha);
                Ok(format!("{size} bytes, SHA-256 as listed"))
            }
        };
        results.add("integrity.manifest", Level::Blocking, &entry.path, outcome);
    }
    digests
}

/// `integrity.sha256sums`: each line matches its file and the manifest, both ways.
fn sha256sums(
    dir: &Path,
    manifest: &DistManifest,
    digests: &BTreeMap<String, String>,
    results: &mut Results,
) {
    let id = "integrity.sha256sums";
    let text = match std::fs::read_to_string(dir.join(SHA256SUMS)) {
        Ok(text) => text,
        Err(e) => {
            let found = format!("cannot be read: {e}");
            results.add(
                id,
                Level::Blocking,
                SHA256SUMS,
                Err((found, REBUILD.into())),
            );
            return;
        }
    };
    let mut listed = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let Some((sha, name)) = line.split_once("  ") else {
            let found = format!("the line `{line}` is not `SHA256  NAME`");
            results.add(
                id,
                Level::Blocking,
                SHA256SUMS,
                Err((found, REBUILD.into())),
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
            None => Err(("is listed but missing".to_owned(), REBUILD.to_owned())),
            Some(d) if d != sha => Err((
                format!("SHA-256 {d}, SHA256SUMS says {sha}"),
                REBUILD.to_owned(),
            )),
            Some(_) if !manifest.artifacts.iter().any(|a| a.path == name) => Err((
                "is in SHA256SUMS but not in the manifest".to_owned(),
                REBUILD.to_owned(),
            )),
            Some(_) => Ok("matches SHA256SUMS".to_owned()),
        };
        results.add(id, Level::Blocking, name, outcome);
    }
    for entry in &manifest.artifacts {
        if !listed.contains(&entry.path) {
            let found = "is in the manifest but not in SHA256SUMS".to_owned();
            results.add(
                id,
                Level::Blocking,
                &entry.path,
                Err((found, REBUILD.into())),
            );
        }
    }
}

/// `integrity.unknown-file`: every file is listed, a record, or a detached
/// signature of a listed file.
fn unknown_files(dir: &Path, manifest: &DistManifest, results: &mut Results) -> Result<()> {
    let files = crateship_support::walk::files_below(dir)
        .map_err(|e| Error::input(format!("the dist dir {}", dir.display()), e))?;
    let records = [
        FILE_NAME,
        SHA256SUMS,
        "SHA256SUMS.asc",
        "SHA256SUMS.minisig",
    ];
    let known = |rel: &str| {
        records.contains(&rel)
            || manifest.artifacts.iter().any(|a| {
                a.path == rel
                    || [".asc", ".minisig", ".sig"]
                        .iter()
                        .any(|ext| format!("{}{ext}", a.path) == rel)
            })
    };
    for file in files.iter().filter(|f| !known(&f.rel)) {
        results.add(
            "integrity.unknown-file",
            Level::Blocking,
            &file.rel,
            Err((
                "is in the dist dir but not in the manifest".to_owned(),
                "remove it, or rebuild the release into an empty out dir".to_owned(),
            )),
        );
    }
    Ok(())
}

/// `signature.sha256sums`: a warning when `SHA256SUMS` is unsigned or no key
/// is configured to verify it; blocking when a configured public key does not
/// verify its signature (or the signature that key needs is missing).
fn sums_signature(dir: &Path, policy: &Policy, results: &mut Results) {
    let id = "signature.sha256sums";
    let signatures: Vec<&str> = ["SHA256SUMS.asc", "SHA256SUMS.minisig"]
        .into_iter()
        .filter(|n| dir.join(n).is_file())
        .collect();
    let keys: Vec<(&str, &std::path::PathBuf)> = [
        ("SHA256SUMS.minisig", policy.minisign_public_key.as_ref()),
        ("SHA256SUMS.asc", policy.pgp_public_key.as_ref()),
    ]
    .into_iter()
    .filter_map(|(sig, key)| key.map(|k| (sig, k)))
    .collect();
    if keys.is_empty() {
        results.add(
            id,
            Level::Warning,
            SHA256SUMS,
            if signatures.is_empty() {
                Err((
                    "has no detached signature".to_owned(),
                    "set signing.pgp-key-env or signing.minisign-key-env so users can verify the release"
                        .to_owned(),
                ))
            } else {
                Ok(format!(
                    "signed ({}); not verified: set check.minisign-public-key or check.pgp-public-key to verify it",
                    signatures.join(", ")
                ))
            },
        );
        return;
    }
    for (signature_file, key_path) in keys {
        let key_fix = format!(
            "sign with the secret key whose public key is {} (signing.minisign-key-env / \
             signing.pgp-key-env), or point check.*-public-key at the right public key",
            key_path.display()
        );
        let outcome = (|| {
            let key = std::fs::read_to_string(key_path).map_err(|e| {
                format!("the public key {} cannot be read: {e}", key_path.display())
            })?;
            let signature = std::fs::read_to_string(dir.join(signature_file))
                .map_err(|_| format!("has no signature {signature_file}"))?;
            let sums =
                std::fs::read(dir.join(SHA256SUMS)).map_err(|e| format!("cannot be read: {e}"))?;
            if signature_file.ends_with(".minisig") {
                crateship_sign::verify_minisign(&key, &signature, &sums)?;
            } else {
                crateship_sign::verify_detached_pgp(&key, &signature, &sums)?;
            }
            Ok(format!(
                "{signature_file} verifies with {}",
                key_path.display()
            ))
        })()
        .map_err(|found: String| (found, key_fix));
        results.add(id, Level::Blocking, SHA256SUMS, outcome);
    }
}
