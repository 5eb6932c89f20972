//! Plan tests: built from a committed `cargo metadata` JSON, so no cargo runs.
//!
//! `UPDATE_EXPECT=1 cargo test -p crateship --test plan` re-blesses the snapshots.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // tests and tools print and panic on failure

use std::path::{Path, PathBuf};

use crateship::epoch::EpochSource;
use crateship::git::GitInfo;
use crateship::plan::{self, inputs};
use crateship::{Format, Inputs, Options, TargetTriple};
use expect_test::expect_file;

const METADATA: &str = include_str!("fixtures/hello-desktop-metadata.json");
const README: &str = include_str!("../../../examples/hello-desktop/README.md");

fn fixture_inputs() -> Inputs {
    let metadata =
        inputs::parse_metadata(METADATA, Path::new("/home/dev/hello-desktop/Cargo.toml")).unwrap();
    let package = inputs::select_package(
        &metadata,
        Path::new("/home/dev/hello-desktop/Cargo.toml"),
        None,
    )
    .unwrap();
    let (config, config_file) = crateship::config::load(&metadata, &package).unwrap();
    Inputs {
        metadata,
        package,
        config,
        config_file,
        git: Some(GitInfo {
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            dirty: false,
            commit_time: 1_700_000_000,
            toplevel: PathBuf::from("/home/dev"),
        }),
        source_date_epoch: 1_700_000_000,
        epoch_source: EpochSource::GitCommit,
        host: "x86_64-unknown-linux-gnu".into(),
        cargo_home: PathBuf::from("/home/dev/.cargo"),
        rustup_home: PathBuf::from("/home/dev/.rustup"),
        user_rustflags: vec![],
        package_files: vec![
            "Cargo.lock".into(),
            "Cargo.toml".into(),
            "LICENSE".into(),
            "README.md".into(),
        ],
        resource_files: vec![],
        asset_files: vec![],
        script_texts: Default::default(),
        readme_text: Some(README.into()),
        release_notes: None,
        binary_subdirs: Vec::new(),
        warnings: vec![],
    }
}

#[test]
fn plan_of_the_example_app_matches_snapshot() {
    let plan = plan::plan(&fixture_inputs(), &Options::default()).unwrap();
    let json = serde_json::to_string_pretty(&plan).unwrap() + "\n";
    expect_file!["snapshots/hello-desktop-plan.json"].assert_eq(&json);
}

#[test]
fn ci_matrix_has_one_job_per_target_with_its_command() {
    let plan = plan::plan(&fixture_inputs(), &Options::default()).unwrap();
    assert_eq!(plan.ci.include.len(), 8);
    let win = plan
        .ci
        .include
        .iter()
        .find(|j| j.target.as_str() == "x86_64-pc-windows-gnu")
        .unwrap();
    assert_eq!(
        win.commands,
        [
            "crateship dist --manifest-path hello-desktop/Cargo.toml --target x86_64-pc-windows-gnu --install-missing"
        ]
    );
}

#[test]
fn command_line_targets_and_formats_override_config() {
    let options = Options {
        targets: vec!["x86_64-pc-windows-gnu".parse::<TargetTriple>().unwrap()],
        formats: vec![Format::Zip],
        ..Options::default()
    };
    let plan = plan::plan(&fixture_inputs(), &options).unwrap();
    assert_eq!(plan.targets.len(), 1);
    assert_eq!(
        plan.targets[0].artifacts[0].file_name,
        "hello-desktop-1.2.3-x86_64-pc-windows-gnu.zip"
    );
}

#[test]
fn zero_config_uses_cargo_metadata_and_the_host_target() {
    let mut inputs = fixture_inputs();
    inputs.config = crateship::config::Config {
        macos: crateship::config::MacosSettings {
            minimum_system_version: "11.0".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let plan = plan::plan(&inputs, &Options::default()).unwrap();
    assert_eq!(plan.app.product_name, "hello-desktop");
    assert_eq!(plan.app.license.as_deref(), Some("MIT"));
    let triples: Vec<&str> = plan.targets.iter().map(|t| t.triple.as_str()).collect();
    assert_eq!(triples, ["x86_64-unknown-linux-gnu"]);
    assert_eq!(plan.targets[0].artifacts[0].format, Format::TarGz);
}

#[test]
fn remapping_covers_workspace_cargo_and_rustup_homes() {
    let plan = plan::plan(&fixture_inputs(), &Options::default()).unwrap();
    let crateship::plan::BuildStep::Cargo { command, .. } = &plan.targets[0].build else {
        panic!("expected a cargo build")
    };
    let flags = &command.env["CARGO_ENCODED_RUSTFLAGS"];
    for prefix in [
        "/home/dev/hello-desktop=",
        "/home/dev/.cargo=",
        "/home/dev/.rustup=",
    ] {
        assert!(
            flags.contains(&format!("--remap-path-prefix={prefix}")),
            "{prefix} not remapped in {flags}"
        );
    }
    assert_eq!(command.env["CRATESHIP_BUILD_TIME"], "2023-11-14T22:13:20Z");
    assert_eq!(command.env["SOURCE_DATE_EPOCH"], "1700000000");
}

#[test]
fn inapplicable_formats_are_clear_errors() {
    let zip_for_linux = Options {
        targets: vec!["x86_64-unknown-linux-gnu".parse().unwrap()],
        formats: vec![Format::Zip],
        ..Options::default()
    };
    let err = plan::plan(&fixture_inputs(), &zip_for_linux)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`zip` applies to none of the targets"),
        "{err}"
    );
}
