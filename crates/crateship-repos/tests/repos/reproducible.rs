//! The same packages, key and SOURCE_DATE_EPOCH give byte-identical repositories,
//! whatever the output directory is called.

use std::fs;

use crateship_repos::{AptConfig, RpmConfig, write_apt_repo, write_rpm_repo};

use crate::support::{SDE, deb, keys, rpm, tempdir, tree};

#[test]
fn apt_and_rpm_repositories_are_byte_identical_across_runs() {
    let (release, _) = keys();
    let work = tempdir();
    let inputs = work.path().join("in");
    fs::create_dir_all(&inputs).unwrap();
    let debs = [
        deb(&inputs, "hello", "1.0.0"),
        deb(&inputs, "hello-data", "1.0.0"),
    ];
    let rpms = [
        rpm(&inputs, "hello", "1.0.0", &release.key),
        rpm(&inputs, "hello-data", "1.0.0", &release.key),
    ];
    let apt_config = AptConfig::new("hello", "https://example.org/apt");
    let rpm_config = RpmConfig::new("hello", "https://example.org/rpm");
    for (first, second) in [("a", "second-run"), ("merged-a", "merged-b")] {
        let previous = (first == "merged-a").then(|| work.path().join("a"));
        let [one, two] = [first, second].map(|name| {
            let apt = work.path().join(name).join("apt");
            let rpm_dir = work.path().join(name).join("rpm");
            let apt_prev = previous.as_ref().map(|p| p.join("apt"));
            let rpm_prev = previous.as_ref().map(|p| p.join("rpm"));
            write_apt_repo(
                &apt_config,
                &debs,
                apt_prev.as_deref(),
                &release.key,
                SDE,
                &apt,
            )
            .unwrap();
            write_rpm_repo(
                &rpm_config,
                &rpms,
                rpm_prev.as_deref(),
                &release.key,
                SDE,
                &rpm_dir,
            )
            .unwrap();
            tree(&work.path().join(name))
        });
        let names: Vec<&str> = one.iter().map(|(rel, _)| rel.as_str()).collect();
        assert!(names.contains(&"apt/dists/stable/InRelease"), "{names:?}");
        assert!(names.contains(&"rpm/repodata/repomd.xml.asc"), "{names:?}");
        for ((rel_a, a), (rel_b, b)) in one.iter().zip(&two) {
            assert_eq!(rel_a, rel_b);
            assert!(a == b, "{rel_a} differs between runs");
        }
        assert_eq!(one.len(), two.len());
    }
}
