//! How the CLI shows progress and results: a progress bar on a terminal, plain
//! lines when output is not a terminal or `CI` is set, nothing with `--json`.

use std::io::IsTerminal;
use std::sync::Mutex;

use crateship::manifest::DistManifest;
use crateship::plan::{BuildStep, Plan};
use crateship::progress::{Event, Reporter};
use indicatif::{ProgressBar, ProgressStyle};

/// The CLI's [`Reporter`].
pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    started: Mutex<usize>,
}

impl Progress {
    /// A reporter for this terminal; `json` silences everything but errors.
    pub fn new(json: bool) -> Progress {
        let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let bar = (interactive && !json).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{pos}/{len}] {wide_msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            quiet: json,
            started: Mutex::new(0),
        }
    }

    /// Removes the progress bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Reporter for Progress {
    fn report(&self, event: Event) {
        match (&self.bar, event) {
            (Some(bar), Event::Started { step, total }) => {
                bar.set_length(total as u64);
                bar.set_message(step);
            }
            (Some(bar), Event::Finished { step, detail }) => {
                bar.inc(1);
                bar.println(format!("  done {step}: {detail}"));
            }
            (Some(bar), Event::Warning(w)) => bar.println(format!("warning: {w}")),
            (None, _) if self.quiet => {}
            (None, Event::Started { step, total }) => {
                let mut n = self.started.lock().unwrap_or_else(|e| e.into_inner());
                *n += 1;
                eprintln!("[{}/{total}] {step}", *n);
            }
            (None, Event::Finished { step, detail }) => eprintln!("      done {step}: {detail}"),
            (None, Event::Warning(w)) => eprintln!("warning: {w}"),
        }
    }
}

/// Prints a human-readable summary of a plan.
pub fn print_plan(plan: &Plan) {
    println!(
        "{} {} ({})",
        plan.app.product_name, plan.app.version, plan.app.name
    );
    println!("out dir: {}", plan.out_dir.display());
    println!(
        "build time: {} ({:?})",
        plan.build_info.time, plan.epoch_source
    );
    for t in &plan.targets {
        let how = match &t.build {
            BuildStep::Cargo { command, .. } => command.display(),
            BuildStep::Universal { parts, .. } => {
                let commands: Vec<String> = parts
                    .iter()
                    .filter_map(|p| match p {
                        BuildStep::Cargo { command, .. } => Some(command.display()),
                        _ => None,
                    })
                    .collect();
                format!(
                    "{}, then merge into universal binaries",
                    commands.join(" && ")
                )
            }
            BuildStep::Prebuilt { binary_dir } => format!("prebuilt from {}", binary_dir.display()),
        };
        println!("\n{}\n  build: {how}", t.triple);
        for a in &t.artifacts {
            println!("  {}: {}", a.format, a.file_name);
        }
    }
}

/// Prints what a run wrote.
pub fn print_manifest(plan: &Plan, manifest: &DistManifest) {
    println!(
        "wrote {} artifacts to {}",
        manifest.artifacts.len(),
        plan.out_dir.display()
    );
    for a in &manifest.artifacts {
        let req = a
            .requirements
            .glibc
            .as_ref()
            .map(|g| format!(" (requires glibc >= {g})"))
            .unwrap_or_default();
        println!("  {}  {}{req}", &a.sha256[..12], a.path);
    }
}
