//! Building binaries: checking the toolchain, installing what is missing,
//! compiling Windows resources, running cargo for one target at a time, and
//! merging the two Apple builds into universal binaries.

use std::collections::BTreeSet;
use std::path::Path;

use crateship_icons::IconSet;

use crate::error::{Error, MissingTool, Result};
use crate::plan::{BuildStep, Plan, TargetPlan};
use crate::process::{self, CommandSpec};

/// Install command for zig (cargo-zigbuild finds it as `python3 -m ziglang`).
pub const INSTALL_ZIG: &str = "python3 -m pip install ziglang";
/// Install command for cargo-zigbuild.
pub const INSTALL_ZIGBUILD: &str = "cargo install cargo-zigbuild --locked";

/// Lists the tools the plan's builds need that are not installed.
pub(crate) fn missing_tools(plan: &Plan) -> Result<Vec<MissingTool>> {
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
pub(crate) fn install(missing: &[MissingTool]) -> Result<()> {
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
            return Err(Error::Tool {
                command: tool.install.clone(),
                stderr_tail: process::tail(&out.stderr, 30),
            });
        }
    }
    Ok(())
}

/// Runs one build step: cargo (after compiling Windows resources), or both
/// Apple builds followed by merging each binary into a universal Mach-O.
pub(crate) fn run(
    plan: &Plan,
    target: &TargetPlan,
    step: &BuildStep,
    icons: &IconSet,
) -> Result<()> {
    match step {
        BuildStep::Cargo {
            command,
            windows_resources,
            rustup_target,
            ..
        } => {
            if let Some(res) = windows_resources {
                compile_resources(plan, target, icons, res)?;
            }
            run_cargo(command, rustup_target)
        }
        BuildStep::Universal {
            parts,
            part_dirs,
            output_dir,
        } => {
            for part in parts {
                run(plan, target, part, icons)?;
            }
            std::fs::create_dir_all(output_dir)
                .map_err(|e| Error::io("cannot create", output_dir, e))?;
            for bin in &target.binaries {
                let read = |dir: &std::path::PathBuf| {
                    let path = dir.join(&bin.file_name);
                    std::fs::read(&path).map_err(|e| Error::io("cannot read", path, e))
                };
                let (x86_64, arm64) = (read(&part_dirs[0])?, read(&part_dirs[1])?);
                let fat = crateship_macos::merge_universal(&x86_64, &arm64).map_err(|e| {
                    Error::input(
                        format!("cannot merge {} into a universal binary", bin.name),
                        e,
                    )
                })?;
                let mut out = crateship_support::AtomicFile::create(&bin.path)?;
                std::io::Write::write_all(out.file(), &fat)
                    .map_err(|e| Error::io("cannot write", &bin.path, e))?;
                out.set_mode(0o755)?;
                out.commit()?;
            }
            Ok(())
        }
        BuildStep::Prebuilt { .. } => Ok(()),
    }
}

/// Runs one target's cargo build; explains the macOS SDK case in one line.
fn run_cargo(command: &CommandSpec, target: &str) -> Result<()> {
    let (ok, out) = command.run_unchecked()?;
    if ok {
        return Ok(());
    }
    let needs_sdk = out.stderr.contains("unable to find framework")
        || out.stderr.contains("framework not found");
    if needs_sdk {
        return Err(Error::requirement(
            format!(
                "building {target} needs a macOS SDK: the program (or a dependency) links an Apple framework\n{}",
                process::tail(&out.stderr, 10)
            ),
            "set SDKROOT to a macOS SDK directory, or drop the dependency that links the framework",
        ));
    }
    Err(Error::Tool {
        command: format!("{} (for {target})", command.display()),
        stderr_tail: process::tail(&out.stderr, 40),
    })
}

/// Compiles the resources linked into every Windows exe of `target`: the app
/// icon, a VERSIONINFO block and an application manifest (per-monitor-v2 DPI,
/// long paths, UTF-8 code page, Windows 10/11, common controls v6). The script
/// is compiled to `res` with zig's resource compiler, which the Windows cross
/// build already requires.
fn compile_resources(plan: &Plan, target: &TargetPlan, icons: &IconSet, res: &Path) -> Result<()> {
    let app = &plan.app;
    let info = crateship_windows::exe::ExeInfo {
        product_name: app.product_name.clone(),
        company: app.publisher.clone(),
        description: app.summary.clone(),
        version: app.version.clone(),
        copyright: app.copyright.clone(),
        original_filename: plan
            .main_binary(target)
            .map(|b| b.file_name.clone())
            .unwrap_or_default(),
        identifier: app.identifier.clone().unwrap_or_else(|| app.name.clone()),
        icon: Some(icons.ico.clone()),
    };
    let dir = res.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let script = crateship_windows::exe::write_resource_script(&info, dir)
        .map_err(|e| Error::input(format!("the Windows resources for {}", target.triple), e))?;
    let script = script.to_string_lossy().into_owned();
    let out = res.to_string_lossy().into_owned();
    let cmd = if process::on_path("zig") {
        CommandSpec::new("zig", &["rc", "/fo", &out, &script])
    } else {
        CommandSpec::new("python3", &["-m", "ziglang", "rc", "/fo", &out, &script])
    };
    cmd.run().map(|_| ())
}

fn installed_rustup_targets() -> Result<BTreeSet<String>> {
    let out = CommandSpec::new("rustup", &["target", "list", "--installed"])
        .run()
        .map_err(|e| {
            Error::requirement(
                format!("cannot list installed Rust targets ({e})"),
                "crateship needs rustup to add cross targets; install it from https://rustup.rs",
            )
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
