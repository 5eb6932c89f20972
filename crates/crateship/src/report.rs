//! The reporters the `crateship` CLI uses, for a project's own `cargo xtask
//! dist` too: plain lines on stderr (when not on a terminal, or `CI` is set), a
//! progress bar on a terminal (cargo feature `progress-bar`), silence for
//! `--json`; plus the summaries the CLI prints and its error format.
//!
//! This is the one module of the library that prints, and only because the
//! caller chose one of its reporters.
#![allow(clippy::print_stderr, clippy::print_stdout)]

use std::sync::Mutex;

use crate::manifest::DistManifest;
use crate::plan::{BuildStep, Plan};
use crate::progress::{Event, Reporter};

/// Prints each event as a line on stderr: `[n/total] step`, `      done step:
/// detail`, `warning: …`.
#[derive(Debug, Default)]
pub struct Plain {
    started: Mutex<usize>,
}

impl Plain {
    /// A reporter that has printed nothing yet.
    pub fn new() -> Plain {
        Plain::default()
    }
}

impl Reporter for Plain {
    fn report(&self, event: Event) {
        match event {
            Event::Started { step, total } => {
                let mut n = self.started.lock().unwrap_or_else(|e| e.into_inner());
                *n += 1;
                eprintln!("[{}/{total}] {step}", *n);
            }
            Event::Finished { step, detail } => eprintln!("      done {step}: {detail}"),
            Event::Warning(w) => eprintln!("warning: {w}"),
        }
    }
}

/// A progress bar on stderr: the current step, finished steps printed above it.
#[cfg(feature = "progress-bar")]
pub struct Bar {
    bar: indicatif::ProgressBar,
}

#[cfg(feature = "progress-bar")]
impl Bar {
    /// A bar that ticks while steps run.
    pub fn new() -> Bar {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{pos}/{len}] {wide_msg} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Bar { bar }
    }
}

#[cfg(feature = "progress-bar")]
impl Default for Bar {
    fn default() -> Bar {
        Bar::new()
    }
}

#[cfg(feature = "progress-bar")]
impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(feature = "progress-bar")]
impl Reporter for Bar {
    fn report(&self, event: Event) {
        match event {
            Event::Started { step, total } => {
                self.bar.set_length(total as u64);
                self.bar.set_message(step);
            }
            Event::Finished { step, detail } => {
                self.bar.inc(1);
                self.bar.println(format!("  done {step}: {detail}"));
            }
            Event::Warning(w) => self.bar.println(format!("warning: {w}")),
        }
    }
}

/// Prints only warnings, as `warning: …` lines on stderr (for `--json` runs,
/// whose stdout is one JSON document).
#[derive(Debug, Default)]
pub struct WarningsOnly;

impl Reporter for WarningsOnly {
    fn report(&self, event: Event) {
        if let Event::Warning(w) = event {
            eprintln!("warning: {w}");
        }
    }
}

/// Passes every event on to `inner` and keeps the warnings, for a `--json`
/// document's `warnings` array.
pub struct Collect {
    inner: Box<dyn Reporter>,
    warnings: Mutex<Vec<String>>,
}

impl Collect {
    /// Collects the warnings `inner` is shown.
    pub fn new(inner: Box<dyn Reporter>) -> Collect {
        Collect {
            inner,
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// The warnings so far, in order.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Reporter for Collect {
    fn report(&self, event: Event) {
        if let Event::Warning(w) = &event {
            self.warnings
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(w.clone());
        }
        self.inner.report(event);
    }
}

/// The reporter the CLI picks: warnings only with `--json`, a progress bar on
/// an interactive terminal (with the `progress-bar` feature), else [`Plain`] lines.
pub fn for_terminal(json: bool) -> Box<dyn Reporter> {
    if json {
        return Box::new(WarningsOnly);
    }
    #[cfg(feature = "progress-bar")]
    {
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
            return Box::new(Bar::new());
        }
    }
    Box::new(Plain::new())
}

/// Prints a human-readable summary of a plan on stdout.
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
                        BuildStep::Universal { .. } | BuildStep::Prebuilt { .. } => None,
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

/// Prints what a run wrote on stdout.
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
        println!("  {}  {}{req}", &a.sha256[..12.min(a.sha256.len())], a.path);
    }
}

/// Prints a `crateship check` report on stdout: one row per check id with how
/// many files passed, one row per failure with what was found and the fix, and a
/// one-line summary.
pub fn print_check(report: &crate::check::Report) {
    let mut ids: Vec<&str> = Vec::new();
    for r in &report.results {
        if !ids.contains(&r.id) {
            ids.push(r.id);
        }
    }
    println!("{:<6} {:<9} {:<32} detail", "status", "level", "check");
    for id in ids {
        let of_id: Vec<_> = report.results.iter().filter(|r| r.id == id).collect();
        let passed = of_id.iter().filter(|r| r.passed).count();
        let level = format!("{:?}", of_id[0].level).to_lowercase();
        if passed > 0 {
            println!("{:<6} {level:<9} {id:<32} {passed} passed", "ok");
        }
        for r in of_id.iter().filter(|r| !r.passed) {
            let status = if r.level == crate::check::Level::Audit {
                "note"
            } else {
                "FAIL"
            };
            let what = if r.artifact.is_empty() {
                r.found.clone()
            } else {
                format!("{}: {}", r.artifact, r.found)
            };
            println!("{status:<6} {level:<9} {id:<32} {what}; fix: {}", r.fix);
        }
    }
    let (passed, blocking, warnings) = report.counts();
    println!(
        "{}: {passed} passed, {blocking} blocking, {warnings} warnings — {}",
        report.release,
        if blocking > 0 {
            "not fit to publish"
        } else {
            "fit to publish"
        }
    );
}

/// Prints `error: …` and one `  caused by: …` line per source on stderr.
pub fn print_error(err: &(dyn std::error::Error + 'static)) {
    eprintln!("error: {err}");
    let mut source = err.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
}

/// The exit status for a failed run: 2 for a usage mistake anywhere in the
/// chain ([`crate::Error::Usage`]), else 1.
pub fn exit_status(err: &(dyn std::error::Error + 'static)) -> u8 {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<crate::Error>()
            .is_some_and(crate::Error::is_usage)
        {
            return 2;
        }
        current = e.source();
    }
    1
}
