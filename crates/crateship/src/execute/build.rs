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
            auditable_object,
            ..
        } => {
            if let Some(res) = windows_resources {
                compile_resources(plan, target, icons, res)?;
            }
            if let Some(object) = auditable_object {
                super::records::write_auditable_object(plan, rustup_target, object)?;
            }
            run_cargo(plan, command, rustup_target)
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

/// Runs one target's cargo build; explains the macOS SDK case in one line and
/// keeps cargo's whole output in a log file it names.
fn run_cargo(plan: &Plan, command: &CommandSpec, target: &str) -> Result<()> {
    let (ok, out) = command.run_unchecked()?;
    if ok {
        return Ok(());
    }
    if let Some(frameworks) = sdk_frameworks(&out.stderr) {
        let log = plan
            .target_dir
            .join("crateship")
            .join("logs")
            .join(format!("cargo-{target}.log"));
        write_log(&log, command, &out)?;
        let what = match frameworks.as_slice() {
            [] => "it links against the macOS SDK (xcrun is missing)".to_owned(),
            names => format!(
                "it links {}",
                names
                    .iter()
                    .map(|n| format!("{n}.framework"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Err(Error::requirement(
            format!("building {target} needs a macOS SDK: {what}, which only the SDK provides"),
            format!(
                "set SDKROOT=/path/to/MacOSX.sdk, or build this target on a macOS runner and package it here with `--no-build --binary-dir` (cargo's output: {})",
                log.display()
            ),
        ));
    }
    Err(Error::Tool {
        command: format!("{} (for {target})", command.display()),
        stderr_tail: process::tail(&out.stderr, 40),
    })
}

/// The Apple frameworks a failed link could not find, as linkers print them
/// today (zig: `unable to find system framework "Security"`; ld64: `framework
/// not found Security`), or an empty list when only the SDK itself (`xcrun`)
/// was missing; `None` when the failure has another cause.
fn sdk_frameworks(stderr: &str) -> Option<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for marker in [
        "unable to find system framework ",
        "unable to find framework ",
        "framework not found ",
    ] {
        for (at, _) in stderr.match_indices(marker) {
            let rest = &stderr[at + marker.len()..];
            let name: String = rest
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let xcrun_missing = stderr.contains("\"xcrun\"") && stderr.contains("linking with");
    (!names.is_empty() || xcrun_missing).then_some(names)
}

/// Writes the failed command and everything it printed to `log`.
fn write_log(log: &Path, command: &CommandSpec, out: &process::Output) -> Result<()> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    }
    let text = format!(
        "$ {}\n\n--- stdout ---\n{}\n--- stderr ---\n{}",
        command.display(),
        out.stdout,
        out.stderr
    );
    std::fs::write(log, text).map_err(|e| Error::io("cannot write the build log", log, e))
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

#[cfg(test)]
mod tests {
    use super::sdk_frameworks;

    #[test]
    fn the_missing_framework_is_read_from_what_linkers_print() {
        let zig =
            "= note: error: unable to find system framework \"Security\". searched paths: none";
        assert_eq!(sdk_frameworks(zig), Some(vec!["Security".to_owned()]));
        let ld64 = "ld: framework not found AppKit\nclang: error: linker command failed";
        assert_eq!(sdk_frameworks(ld64), Some(vec!["AppKit".to_owned()]));
        let xcrun =
            "warning: invoking `\"xcrun\" \"--sdk\"` failed\nerror: linking with `cc` failed";
        assert_eq!(sdk_frameworks(xcrun), Some(vec![]));
        assert_eq!(sdk_frameworks("error[E0425]: cannot find value `x`"), None);
    }
}
