//! crateship's own automation: `cargo xtask dist | test | bench | codegen | payload`.
//!
//! One binary, no shell scripts: every step is a function here, every process is
//! started through xshell with an argv list. Printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod codegen;
mod setup;
#[cfg(test)]
mod tidy;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  dist               package examples/hello-desktop for every target into examples/hello-desktop/target/dist
  test               install what the suite needs (apt, rustup targets, zig, cargo-zigbuild) and run it all
  setup              only install what the suite needs (the first step of `test`)
  bench [CASE] [--runs N] [--scale F]
                     compare our writers with their peer tools in the same run on the standard payload
                     (cases: archives deb msi sign macos squashfs appimage-runtime icons; default: all)
  codegen [--check]  regenerate docs/config.md and docs/dist-manifest.schema.json (or check they are current)
  payload DIR [--scale F] [--seed N] [--wxs FILE]
                     write the standard payload (2,000 files, 100 MB at scale 1) into DIR";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    match args.first().map(String::as_str) {
        Some("dist") => dist(&sh),
        Some("test") => test(&sh),
        Some("setup") => {
            setup::build_tools(&sh)?;
            setup::verifiers(&sh)
        }
        Some("bench") => bench::run(&sh, &args[1..]),
        Some("codegen") => codegen::run(args.iter().any(|a| a == "--check")),
        Some("payload") => payload(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            bail!("unknown or missing command")
        }
    }
}

/// The repository root (the parent of xtask/).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn dist(sh: &Shell) -> anyhow::Result<()> {
    setup::build_tools(sh)?;
    let options = crateship::Options {
        manifest_path: Some(project_root().join("examples/hello-desktop/Cargo.toml")),
        install_missing: true,
        ..Default::default()
    };
    let inputs = crateship::Inputs::gather(&options)?;
    let plan = crateship::plan::plan(&inputs, &options)?;
    let reporter = crateship::report::for_terminal(false);
    let manifest = crateship::execute::execute(&plan, reporter.as_ref());
    drop(reporter);
    let manifest = manifest.context("cargo xtask dist")?;
    crateship::report::print_manifest(&plan, &manifest);
    Ok(())
}

/// `cargo xtask payload DIR [--scale F] [--seed N] [--wxs FILE]`.
fn payload(args: &[String]) -> anyhow::Result<()> {
    let Some(dir) = args.first().filter(|a| !a.starts_with("--")) else {
        bail!("usage: cargo xtask payload DIR [--scale F] [--seed N] [--wxs FILE]");
    };
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let mut options = crateship_payload::Options::default();
    if let Some(scale) = value("--scale") {
        options.scale = scale
            .parse()
            .context("--scale takes a number, e.g. 1 or 0.5")?;
    }
    if let Some(seed) = value("--seed") {
        options.seed = seed.parse().context("--seed takes a whole number")?;
    }
    let dir = Path::new(dir);
    let summary = crateship_payload::generate(dir, &options)?;
    println!(
        "files={} dirs={} bytes={} seed={}\nmanifest_sha256={}",
        summary.files, summary.dirs, summary.bytes, options.seed, summary.manifest_sha256
    );
    if let Some(wxs) = value("--wxs") {
        let components = crateship_payload::write_wxs(dir, Path::new(wxs))?;
        println!("wxs={wxs} components={components}");
    }
    Ok(())
}

fn test(sh: &Shell) -> anyhow::Result<()> {
    setup::build_tools(sh)?;
    setup::verifiers(sh)?;
    codegen::run(true)?;
    cmd!(sh, "cargo fmt --all -- --check")
        .run()
        .context("formatting differs: run `cargo fmt --all`")?;
    cmd!(sh, "cargo clippy --workspace --all-targets -- -D warnings").run()?;
    // The library as a user's xtask gets it: without the `notarize` feature the CLI turns on.
    cmd!(sh, "cargo check -p crateship --lib").run()?;
    cmd!(sh, "cargo doc --workspace --no-deps --lib")
        .env("RUSTDOCFLAGS", "-D warnings")
        .run()?;
    cmd!(sh, "cargo test --workspace").run()?;
    Ok(())
}
