//! Dependency sets equal what `cargo tree -e normal` lists for each target.

use crateship_sbom::{CrateSource, DepSet};

use crate::support::{LINUX, WINDOWS, cargo_tree, depset, fixture, metadata, names, run_ok};

#[test]
fn the_set_equals_cargo_tree_for_a_linux_and_a_windows_target() {
    let fixture = fixture();
    for target in [LINUX, WINDOWS] {
        let deps = depset(fixture, target);
        let (tree, tree_macros) = cargo_tree(&fixture.dir, target);
        assert_eq!(names(&deps), tree, "{target}");
        let macros = deps
            .crates()
            .iter()
            .filter(|c| c.proc_macro)
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(tree_macros, macros, "{target}");
        assert_eq!(deps.root().name, "fixture-app");
        assert_eq!(deps.target(), target);
    }
}

#[test]
fn target_specific_build_and_dev_dependencies_land_where_they_belong() {
    let fixture = fixture();
    let linux = names(&depset(fixture, LINUX));
    let windows = names(&depset(fixture, WINDOWS));
    let has = |set: &std::collections::BTreeSet<String>, name: &str| {
        set.iter().any(|c| c.split(' ').next() == Some(name))
    };
    for name in ["libc", "either"] {
        assert!(has(&linux, name) && !has(&windows, name), "{name}");
    }
    for name in ["fixture-win", "fnv", "smallvec"] {
        assert!(has(&windows, name) && !has(&linux, name), "{name}");
    }
    // Build- and dev-dependencies are in no set.
    for name in ["cc", "scopeguard"] {
        assert!(!has(&linux, name) && !has(&windows, name), "{name}");
    }
}

#[test]
fn crates_carry_checksums_licences_sources_and_build_only_marks() {
    let fixture = fixture();
    let deps = depset(fixture, WINDOWS);
    for krate in deps.crates() {
        match &krate.source {
            CrateSource::CratesIo => {
                let sum = krate.sha256.as_deref().unwrap();
                assert!(
                    fixture.lock.contains(&format!("checksum = \"{sum}\"")),
                    "{krate:?}"
                );
                assert_eq!(
                    krate.purl,
                    format!("pkg:cargo/{}@{}", krate.name, krate.version)
                );
            }
            CrateSource::Local => assert_eq!(krate.sha256, None, "{krate:?}"),
            other => panic!("unexpected source {other:?}"),
        }
        let via_macro = [
            "serde_derive",
            "proc-macro2",
            "quote",
            "syn",
            "unicode-ident",
        ];
        assert_eq!(
            krate.build_only,
            via_macro.contains(&krate.name.as_str()),
            "{krate:?}"
        );
    }
    let win = deps
        .crates()
        .iter()
        .find(|c| c.name == "fixture-win")
        .unwrap();
    assert_eq!(win.license.as_deref(), Some("MIT"));
    assert_eq!(win.source, CrateSource::Local);
    let fnv = deps.crates().iter().position(|c| c.name == "fnv").unwrap();
    assert_eq!(win.dependencies, [fnv]);
}

#[test]
fn an_unknown_package_lists_the_workspace_members() {
    let fixture = fixture();
    let json = metadata(&fixture.dir, LINUX);
    let err = DepSet::from_metadata_json(&json, &fixture.lock, "fixture-ap", LINUX)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`fixture-ap`"), "{err}");
    assert!(err.contains("members: fixture-app, fixture-win"), "{err}");
}

#[test]
fn metadata_without_a_resolve_graph_says_to_drop_no_deps() {
    let fixture = fixture();
    let json = run_ok(
        &fixture.dir,
        "cargo",
        &[
            "metadata",
            "--offline",
            "--format-version",
            "1",
            "--no-deps",
        ],
        &[],
    );
    let err = DepSet::from_metadata_json(&json, &fixture.lock, "fixture-app", LINUX)
        .unwrap_err()
        .to_string();
    assert!(err.contains("without `--no-deps`"), "{err}");
    assert!(err.contains(LINUX), "{err}");
}

#[test]
fn text_that_is_not_metadata_says_which_command_to_run() {
    let err = DepSet::from_metadata_json("{\"packages\": 3}", "", "app", LINUX)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cargo metadata --format-version 1 --filter-platform"),
        "{err}"
    );
}
