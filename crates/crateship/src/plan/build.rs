//! How each target's binaries are obtained: the exact cargo (or cargo-zigbuild)
//! command with its environment, the two builds merged into a universal macOS
//! binary, or prebuilt binaries taken from a directory.

use std::collections::BTreeMap;
use std::path::Path;

use super::{BuildInfo, BuildStep, Inputs, Options};
use crate::process::CommandSpec;
use crate::target::{Os, TargetTriple};

/// The build step of `triple`.
pub(super) fn step(
    inputs: &Inputs,
    options: &Options,
    triple: &TargetTriple,
    binaries: &[String],
    info: &BuildInfo,
    target_dir: &Path,
) -> BuildStep {
    if let Some(dir) = &options.binary_dir {
        let own = inputs.binary_subdirs.iter().any(|d| d == triple.as_str());
        return BuildStep::Prebuilt {
            binary_dir: if own {
                dir.join(triple.as_str())
            } else {
                dir.clone()
            },
        };
    }
    if let Some(parts) = triple.universal_parts() {
        return BuildStep::Universal {
            part_dirs: parts
                .iter()
                .map(|t| target_dir.join(t.as_str()).join("release"))
                .collect(),
            parts: parts
                .iter()
                .map(|t| step(inputs, options, t, binaries, info, target_dir))
                .collect(),
            output_dir: target_dir
                .join("crateship")
                .join(triple.as_str())
                .join("release"),
        };
    }
    // A chosen glibc is linked through zig's versioned sysroot, on the host too.
    let glibc = inputs
        .config
        .linux
        .glibc
        .filter(|_| triple.as_str().ends_with("-linux-gnu"));
    let needs_zig = triple.as_str() != inputs.host || glibc.is_some();
    let cargo_target = match glibc {
        Some(v) => format!("{triple}.{v}"),
        None => triple.to_string(),
    };
    let mut args: Vec<String> = vec![if needs_zig { "zigbuild" } else { "build" }.into()];
    args.push("--release".into());
    // One word, so a path starting with `-` stays a path.
    args.push(format!("--manifest-path={}", inputs.package.manifest_path));
    args.extend([
        "--target".into(),
        cargo_target,
        "--package".into(),
        inputs.package.name.to_string(),
    ]);
    for b in binaries {
        args.extend(["--bin".into(), b.clone()]);
    }
    let mut flags = rustflags(inputs, target_dir);
    let windows_resources = (triple.os() == Os::Windows).then(|| {
        let res = target_dir
            .join("crateship")
            .join("windows")
            .join(triple.as_str())
            .join("app.res");
        flags.push(format!("-Clink-arg={}", res.display()));
        res
    });
    // The dependency list `cargo auditable` embeds: an object written just
    // before the build, linked into every binary of this target only.
    // (Every crateship target has an object format; another gets none.)
    let auditable_object = inputs
        .config
        .auditable
        .then(|| {
            target_dir
                .join("crateship")
                .join("auditable")
                .join(triple.as_str())
                .join("dep-v0.o")
        })
        .and_then(|object| {
            let args = crateship_sbom::auditable_link_args(&object, triple.as_str()).ok()?;
            flags.extend(args);
            Some(object)
        });
    let mut env = BTreeMap::new();
    let mut set = |k: &str, v: String| env.insert(k.to_owned(), v);
    set("CARGO_ENCODED_RUSTFLAGS", flags.join("\u{1f}"));
    set("CARGO_PROFILE_RELEASE_STRIP", "symbols".into());
    set("SOURCE_DATE_EPOCH", inputs.source_date_epoch.to_string());
    set("CRATESHIP_VERSION", inputs.package.version.to_string());
    set("CRATESHIP_GIT_COMMIT", info.commit.clone());
    set("CRATESHIP_GIT_DIRTY", info.dirty.to_string());
    set("CRATESHIP_BUILD_TIME", info.time.clone());
    set("CRATESHIP_TARGET", triple.to_string());
    if triple.os() == Os::Macos {
        set(
            "MACOSX_DEPLOYMENT_TARGET",
            inputs.config.macos.minimum_system_version.clone(),
        );
    }
    BuildStep::Cargo {
        command: CommandSpec {
            program: "cargo".into(),
            args,
            env,
            cwd: None,
        },
        rustup_target: triple.to_string(),
        needs_zig,
        windows_resources,
        auditable_object,
    }
}

/// Rust flags for a release build: the user's own, then path remapping so no
/// host path reaches a binary. (Windows PE timestamps come from the
/// `SOURCE_DATE_EPOCH` the build environment carries, which lld honours.)
fn rustflags(inputs: &Inputs, target_dir: &Path) -> Vec<String> {
    let mut flags = inputs.user_rustflags.clone();
    let workspace = inputs.metadata.workspace_root.as_std_path();
    let remaps = [
        (inputs.cargo_home.as_path(), "/cargo"),
        (inputs.rustup_home.as_path(), "/rustup"),
        (target_dir, "/target"),
        (workspace, "/build"),
    ];
    for (from, to) in remaps {
        if !from.as_os_str().is_empty() {
            flags.push(format!("--remap-path-prefix={}={to}", from.display()));
        }
    }
    flags
}

/// The `before-package` commands, run in the package directory with the
/// environment every build gets (the release time and build information; the
/// target-specific flags stay with the target builds).
pub(super) fn hooks(inputs: &Inputs, info: &BuildInfo) -> Vec<super::Hook> {
    let dir = inputs.package_dir();
    inputs
        .config
        .before_package
        .iter()
        .enumerate()
        .map(|(i, argv)| {
            let mut env = BTreeMap::new();
            let mut set = |k: &str, v: String| env.insert(k.to_owned(), v);
            set("SOURCE_DATE_EPOCH", inputs.source_date_epoch.to_string());
            set("CARGO_PROFILE_RELEASE_STRIP", "symbols".into());
            set("CRATESHIP_VERSION", inputs.package.version.to_string());
            set("CRATESHIP_GIT_COMMIT", info.commit.clone());
            set("CRATESHIP_GIT_DIRTY", info.dirty.to_string());
            set("CRATESHIP_BUILD_TIME", info.time.clone());
            super::Hook {
                key: format!("before-package[{i}]"),
                command: CommandSpec {
                    program: argv[0].clone(),
                    args: argv[1..].to_vec(),
                    env,
                    cwd: Some(dir.clone()),
                },
            }
        })
        .collect()
}
