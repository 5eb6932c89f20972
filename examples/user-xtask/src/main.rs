//! `cargo xtask dist [--target TRIPLE]... [--format FORMAT]... [--out-dir DIR]
//! [--no-build --binary-dir DIR] [--unsigned]`: a project's own release command
//! on the crateship library, printing what `crateship dist` prints and exiting
//! as it does.
#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask dist [--target TRIPLE]... [--format FORMAT]... \
                     [--out-dir DIR] [--no-build --binary-dir DIR] [--unsigned]";

fn main() -> ExitCode {
    // SIGINT/SIGTERM remove this run's staging files and exit 130/143.
    crateship::execute::outdir::install_interrupt_cleanup();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("dist") => match dist(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                crateship::report::print_error(&err);
                ExitCode::from(crateship::report::exit_status(&err))
            }
        },
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn dist(args: &[String]) -> crateship::Result<()> {
    // The project's Cargo.toml: the workspace root, one level above xtask/.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut options = crateship::Options {
        manifest_path: Some(root.join("Cargo.toml")),
        install_missing: true,
        ..Default::default()
    };
    let mut no_build = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| crateship::Error::Usage(format!("`{arg}` needs a value; {USAGE}")))
        };
        match arg.as_str() {
            "--target" => options.targets.push(value()?.parse()?),
            "--format" => options.formats.push(value()?.parse()?),
            "--out-dir" => options.out_dir = Some(PathBuf::from(value()?)),
            "--binary-dir" => options.binary_dir = Some(PathBuf::from(value()?)),
            "--no-build" => no_build = true,
            "--unsigned" => options.unsigned = true,
            _ => {
                return Err(crateship::Error::Usage(format!(
                    "unexpected argument `{arg}`; {USAGE}"
                )));
            }
        }
    }
    if no_build != options.binary_dir.is_some() {
        return Err(crateship::Error::Usage(format!(
            "--no-build and --binary-dir go together; {USAGE}"
        )));
    }
    let inputs = crateship::Inputs::gather(&options)?;
    let plan = crateship::plan::plan(&inputs, &options)?;
    let reporter = crateship::report::for_terminal(false);
    let manifest = crateship::execute::execute(&plan, reporter.as_ref())?;
    crateship::report::print_manifest(&plan, &manifest);
    Ok(())
}
