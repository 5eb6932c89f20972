//! Identifiers that must be stable and unique: document UUIDs derived from the
//! artifact digest, and per-document element ids made unique without randomness.

use std::collections::HashMap;

use uuid::Uuid;

/// The namespace of every UUID this crate derives.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://crateship.invalid/sbom")
}

/// UUIDv5 of a document kind (`cyclonedx`, `spdx`) and the artifact's SHA-256, so
/// the same artifact always gets the same document id and different artifacts never
/// share one.
pub(crate) fn document_uuid(kind: &str, sha256: &str) -> Uuid {
    Uuid::new_v5(&namespace(), format!("{kind}\0{sha256}").as_bytes())
}

/// Makes `ids` unique in order: the second and later copies of an id get `-2`, `-3`,
/// … appended (two path crates of the same name and version share a purl).
pub(crate) fn unique(ids: Vec<String>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let count = seen.entry(id.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            out.push(id);
        } else {
            let mut n = *count;
            let mut candidate = format!("{id}-{n}");
            while seen.contains_key(&candidate) {
                n += 1;
                candidate = format!("{id}-{n}");
            }
            seen.insert(candidate.clone(), 1);
            out.push(candidate);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_uuids_are_stable_version_5_and_differ_per_kind() {
        let a = document_uuid("cyclonedx", "ab");
        assert_eq!(a, document_uuid("cyclonedx", "ab"));
        assert_eq!(a.get_version_num(), 5);
        assert_ne!(a, document_uuid("spdx", "ab"));
        assert_ne!(a, document_uuid("cyclonedx", "ac"));
    }

    #[test]
    fn duplicates_get_numbered_suffixes() {
        let ids = ["a", "b", "a", "a-2", "a"].map(String::from).to_vec();
        assert_eq!(unique(ids), ["a", "b", "a-2", "a-2-2", "a-3"]);
    }
}
