//! Golden hashes: the writers' bytes for a fixed tree. They were recorded from
//! the writers in `crates/crateship/src/archive` before they moved into this
//! crate (`crateship debug archive --root golden DIR`, epoch 1980-01-01), so a
//! change here is a change of every release archive: re-bless deliberately.

use crateship_archive::{ArchiveKind, ArchiveSpec, write_file};

use crate::*;

/// 1980-01-01T00:00:00Z, the epoch `crateship debug archive` stamps.
const EPOCH_1980: i64 = 315_532_800;

const TAR_GZ_SHA256: &str = "1722d046956dd6b52280fe76cc4aabaa6e8e05e1f789c10e415a34a76e529b96";
const ZIP_SHA256: &str = "110267234ed8023bcab826a963d5fb6d06b55efec1a99578b8a02c56ce08fb9a";

#[test]
fn archives_of_the_sample_tree_keep_their_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    sample_tree(&tree);
    let spec = ArchiveSpec::from_dir(&tree, "golden", EPOCH_1980).unwrap();
    for (kind, expected) in [
        (ArchiveKind::TarGz, TAR_GZ_SHA256),
        (ArchiveKind::Zip, ZIP_SHA256),
    ] {
        let path = tmp.path().join(format!("golden.{kind}"));
        write_file(kind, &spec, &path).unwrap();
        let (sha256, _) = crateship_support::hash::sha256_file(&path).unwrap();
        assert_eq!(sha256, expected, "{kind}");
    }
}
