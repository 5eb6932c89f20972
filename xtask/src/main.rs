//! crateship's own automation: `cargo xtask dist | test | bench | codegen`.
//!
//! One binary, no shell scripts: every step is a function here, every process is
//! started through xshell with an argv list.

mod bench;
mod codegen;
mod setup;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  dist               package examples/hello-desktop for every target into examples/hello-desktop/target/dist
  test               install what the suite needs (apt, rustup targets, zig, cargo-zigbuild) and run it all
  bench [--size MB]  compare our archive writers with tar+pigz, tar -czf and zip on the standard payload
  codegen [--check]  regenerate docs/config.md and docs/dist-manifest.schema.json (or check they are current)";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    match args.first().map(String::as_str) {
        Some("dist") => dist(&sh),
        Some("test") => test(&sh),
        Some("bench") => bench::run(&sh, &args[1..]),
        Some("codegen") => codegen::run(args.iter().any(|a| a == "--check")),
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
    let report = |event: crateship::progress::Event| eprintln!("{event:?}");
    let manifest = crateship::dist::execute(&plan, &report).context("cargo xtask dist")?;
    for a in &manifest.artifacts {
        println!("{}  {}", a.sha256, plan.out_dir.join(&a.path).display());
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
    cmd!(sh, "cargo doc --workspace --no-deps --lib")
        .env("RUSTDOCFLAGS", "-D warnings")
        .run()?;
    cmd!(sh, "cargo test --workspace").run()?;
    Ok(())
}
