//! Building binaries: checking the toolchain, installing what is missing, and
//! running cargo for one target at a time.

use std::collections::BTreeSet;

use crate::error::{Error, MissingTool, Result};
use crate::plan::{BuildStep, Plan};
use crate::process::{self, CommandSpec};

/// Install command for zig (cargo-zigbuild finds it as `python3 -m ziglang`).
pub const INSTALL_ZIG: &str = "python3 -m pip install ziglang";
/// Install command for cargo-zigbuild.
pub const INSTALL_ZIGBUILD: &str = "cargo install cargo-zigbuild --locked";

/// Lists the tools the plan's builds need that are not installed.
pub fn missing_tools(plan: &Plan) -> Result<Vec<MissingTool>> {
    let mut wanted_targets = BTreeSet::new();
    let mut needs_zig = false;
    let steps = plan.targets.iter().flat_map(|t| match &t.build {
        BuildStep::Universal { parts, .. } => parts.iter().collect::<Vec<_>>(),
        other => vec![other],
    });
    for step in steps {
        if let BuildStep::Cargo {
            rustup_target,
            needs_zig: z,
            ..
        } = step
        {
            wanted_targets.insert(rustup_target.clone());
            needs_zig |= *z;
        }
    }
    let mut missing = Vec::new();
    if wanted_targets.is_empty() {
        return Ok(missing);
    }
    let installed = installed_rustup_targets()?;
    for t in wanted_targets.difference(&installed) {
        missing.push(MissingTool {
            what: format!("rustup target {t}"),
            install: format!("rustup target add {t}"),
        });
    }
    if needs_zig {
        if !zig_available() {
            missing.push(MissingTool {
                what: "zig (the linker cargo-zigbuild drives)".into(),
                install: INSTALL_ZIG.into(),
            });
        }
        if !process::on_path("cargo-zigbuild") {
            missing.push(MissingTool {
                what: "cargo-zigbuild".into(),
                install: INSTALL_ZIGBUILD.into(),
            });
        }
    }
    Ok(missing)
}

/// Runs the install command of each missing tool.
pub fn install(missing: &[MissingTool]) -> Result<()> {
    for tool in missing {
        let argv: Vec<&str> = tool.install.split(' ').collect();
        let cmd = CommandSpec::new(argv[0], &argv[1..]);
        let (ok, out) = cmd.run_unchecked()?;
        if !ok {
            // Debian's system Python refuses plain pip installs (PEP 668).
            if tool.install == INSTALL_ZIG && out.stderr.contains("externally-managed-environment")
            {
                CommandSpec::new(
                    "python3",
                    &["-m", "pip", "install", "--break-system-packages", "ziglang"],
                )
                .run()?;
                continue;
            }
            return Err(Error::Command(format!(
                "installing {} with `{}` failed:\n{}",
                tool.what,
                tool.install,
                process::tail(&out.stderr, 30)
            )));
        }
    }
    Ok(())
}

/// Runs one target's cargo build; explains the macOS SDK case in one line.
pub fn run_cargo(command: &CommandSpec, target: &str) -> Result<()> {
    let (ok, out) = command.run_unchecked()?;
    if ok {
        return Ok(());
    }
    let needs_sdk = out.stderr.contains("unable to find framework")
        || out.stderr.contains("framework not found");
    if needs_sdk {
        return Err(Error::Command(format!(
            "building {target} needs a macOS SDK: the program (or a dependency) links an Apple framework; \
             set SDKROOT to a macOS SDK directory, or drop the dependency that links the framework\n{}",
            process::tail(&out.stderr, 10)
        )));
    }
    Err(Error::Command(format!(
        "`{}` failed for {target}:\n{}",
        command.display(),
        process::tail(&out.stderr, 40)
    )))
}

fn installed_rustup_targets() -> Result<BTreeSet<String>> {
    let out = CommandSpec::new("rustup", &["target", "list", "--installed"]).run().map_err(|e| {
        Error::Command(format!("cannot list installed Rust targets ({e}); crateship needs rustup to add cross targets"))
    })?;
    Ok(out
        .stdout
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect())
}

fn zig_available() -> bool {
    if std::env::var_os("CARGO_ZIGBUILD_ZIG_PATH").is_some() || process::on_path("zig") {
        return true;
    }
    CommandSpec::new("python3", &["-m", "ziglang", "version"])
        .run_unchecked()
        .map(|(ok, _)| ok)
        .unwrap_or(false)
}
