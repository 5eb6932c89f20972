//! `cargo xtask dist [--target TRIPLE]...`: a project's own release command on the
//! crateship library, printing what `crateship dist` prints and exiting as it does.
#![allow(clippy::print_stderr)]

use std::path::Path;
use std::process::ExitCode;

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
            eprintln!("usage: cargo xtask dist [--target TRIPLE]...");
            ExitCode::from(2)
        }
    }
}

fn dist(args: &[String]) -> crateship::Result<()> {
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--target", Some(triple)) => targets.push(triple.parse()?),
            _ => {
                return Err(crateship::Error::Usage(format!(
                    "unexpected argument `{arg}`"
                )));
            }
        }
    }
    // The project's Cargo.toml: the workspace root, one level above xtask/.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let options = crateship::Options {
        manifest_path: Some(root.join("Cargo.toml")),
        targets,
        install_missing: true,
        ..Default::default()
    };
    let inputs = crateship::Inputs::gather(&options)?;
    let plan = crateship::plan::plan(&inputs, &options)?;
    let reporter = crateship::report::for_terminal(false);
    let manifest = crateship::execute::execute(&plan, reporter.as_ref())?;
    crateship::report::print_manifest(&plan, &manifest);
    Ok(())
}
