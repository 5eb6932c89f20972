//! The `crateship` command: maps arguments onto the crateship library and shows
//! its progress with the library's reporters. No packaging logic lives here.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use crateship::report;
use crateship::{Format, TargetTriple};

/// Turn a Cargo project into release artifacts for Windows, macOS and Linux.
#[derive(Debug, Parser)]
#[command(name = "crateship", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the release plan: targets, build commands, artifacts, CI matrix.
    Plan(Selection),
    /// Build every target and write the artifacts, SHA256SUMS and dist-manifest.json.
    Dist(DistArgs),
    /// Add a first [package.metadata.crateship] table to the project's Cargo.toml,
    /// derived from what it already says; every existing line stays as it is.
    Init(InitArgs),
    /// Build every target's binaries into `--out-dir` as DIR/TARGET/BIN (what a CI
    /// build job hands to `dist --no-build --binary-dir DIR`).
    Build(BuildArgs),
    /// Write the release workflow for a CI system (github, gitlab) from the plan,
    /// or with --check compare the committed one with it.
    Ci(CiArgs),
    /// Generate .ico, .icns, hicolor and .iconset icons from one PNG or SVG.
    Icons(IconsArgs),
    /// Check a dist dir before publishing it (exit 0: fit to publish, 1: a blocking
    /// check failed).
    Check(CheckArgs),
    /// Sign existing artifacts with the project's signing config, by extension:
    /// .exe/.dll/.msi Authenticode, .rpm and .AppImage inside, anything else a
    /// detached .asc or .minisig.
    Sign(SignArgs),
    /// Update feeds: `crateship updates pubkey` prints the public keys to build into
    /// the app (the Tauri / cargo-packager updater's, Sparkle's SUPublicEDKey).
    #[command(subcommand)]
    Updates(UpdatesCommand),
    /// Tools for developing and benchmarking crateship itself.
    #[command(subcommand, hide = true)]
    Debug(DebugCommand),
}

#[derive(Debug, Args)]
struct InitArgs {
    /// Path to the project's Cargo.toml (a workspace's: its one binary package).
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Package to set up, when the workspace has several with binaries.
    #[arg(long, short = 'p', value_name = "NAME")]
    package: Option<String>,
    /// Take every suggestion without asking (the default when not on a terminal).
    #[arg(long)]
    yes: bool,
    /// Replace an existing crateship table.
    #[arg(long)]
    force: bool,
    /// Also write an `xtask/` crate whose `cargo xtask dist` runs the crateship
    /// library, the `.cargo/config.toml` alias, and add it to the workspace.
    #[arg(long)]
    xtask: bool,
    /// With --xtask: depend on this crateship crate directory (a checkout's
    /// `crates/crateship`) instead of crates.io.
    #[arg(long, value_name = "DIR", requires = "xtask")]
    crateship_path: Option<PathBuf>,
    /// Read the package's cargo-deb, cargo-generate-rpm, cargo-wix, cargo-bundle
    /// and cargo-packager tables (`import = [...]`), leaving out the keys they set.
    #[arg(long)]
    import: bool,
}

#[derive(Debug, Args)]
struct BuildArgs {
    #[command(flatten)]
    selection: Selection,
    /// Install missing rustup targets, ziglang and cargo-zigbuild before building.
    #[arg(long)]
    install_missing: bool,
}

#[derive(Debug, Args)]
struct CiArgs {
    /// The CI system: github (.github/workflows/release.yml) or gitlab (.gitlab-ci.yml).
    #[arg(value_parser = parse_ci_system)]
    system: crateship::workflow::CiSystem,
    /// Path to the project's Cargo.toml.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Package to release, when the workspace has several.
    #[arg(long, short = 'p', value_name = "NAME")]
    package: Option<String>,
    /// Where the workflow goes. Default: the system's path in the repository root.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Write nothing; exit 1 with a unified diff when the file differs from what
    /// the current plan generates.
    #[arg(long)]
    check: bool,
}

/// `crateship ci SYSTEM` through `CiSystem`'s parser (a usage error lists the supported ones).
fn parse_ci_system(s: &str) -> Result<crateship::workflow::CiSystem, String> {
    s.parse().map_err(|e: crateship::Error| e.to_string())
}

#[derive(Debug, Args)]
struct IconsArgs {
    /// Source image: PNG (1024 px recommended) or SVG.
    source: PathBuf,
    /// Output directory.
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Base name of the icon files. Default: the source's file stem.
    #[arg(long)]
    name: Option<String>,
    /// Hand-made layer replacing one size, as SIZE=FILE (repeatable), e.g. 16=icon-16.png.
    #[arg(long = "override", value_name = "SIZE=FILE")]
    overrides: Vec<String>,
    /// Print the generated set as one JSON document on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The dist dir (the out dir of `crateship dist`). Default: `target/dist`.
    #[arg(value_name = "DIST_DIR", default_value = "target/dist")]
    dir: PathBuf,
    /// The previous release's dist dir: the version must increase and the
    /// identity stay the same.
    #[arg(long, value_name = "DIR")]
    previous: Option<PathBuf>,
    /// Print every result as one JSON document.
    #[arg(long)]
    json: bool,
    /// Also write the results as JUnit XML to FILE (outside the dist dir).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Fail on warnings too.
    #[arg(long)]
    strict: bool,
    /// A local checkout of the RustSec advisory-db: every shipped crate with a
    /// known vulnerability fails `supply.advisories` (never fetched).
    #[arg(long, value_name = "DIR")]
    advisory_db: Option<PathBuf>,
    /// The project's Cargo.toml, whose config (glibc ceiling, windowed,
    /// signing, `[…check]`) the release is held to. Default: ./Cargo.toml when
    /// it exists; without one only what the manifest records is checked.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Package whose config applies, when the workspace has several.
    #[arg(long, short = 'p', value_name = "NAME")]
    package: Option<String>,
    /// Also build the project's commit again in a fresh temporary directory and
    /// fail `reproducible.artifact` for every artifact whose bytes differ
    /// (needs the project, in a git checkout; takes as long as a release).
    #[arg(long)]
    rebuild: bool,
}

#[derive(Debug, Args)]
struct SignArgs {
    /// Files to sign (in place; detached signatures go beside them).
    #[arg(required = true, value_name = "ARTIFACT")]
    artifacts: Vec<PathBuf>,
    /// Path to the project's Cargo.toml (whose `[package.metadata.crateship.signing]`
    /// names the keys).
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Package whose config to use, when the workspace has several.
    #[arg(long, short = 'p', value_name = "NAME")]
    package: Option<String>,
    /// Print one JSON document on stdout and nothing else.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum UpdatesCommand {
    /// Print the public keys of the configured update-feed keys.
    Pubkey {
        /// Path to the project's Cargo.toml.
        #[arg(long, value_name = "PATH")]
        manifest_path: Option<PathBuf>,
        /// Package whose config to use, when the workspace has several.
        #[arg(long, short = 'p', value_name = "NAME")]
        package: Option<String>,
        /// Print one JSON document on stdout and nothing else.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum DebugCommand {
    /// Wrap an existing .app in a .dmg or .pkg (used by `cargo xtask bench`).
    Wrap {
        /// `dmg` or `pkg`.
        #[arg(long)]
        format: WrapFormat,
        /// The .app directory.
        app: PathBuf,
        /// File to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Package a directory as an MSI (used by `cargo xtask bench`).
    Msi {
        /// Directory to package.
        dir: PathBuf,
        /// .msi to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Authenticode-sign a PE or MSI natively with a PEM key, no timestamp (used by
    /// `cargo xtask bench sign`).
    Sign {
        /// PEM private key.
        #[arg(long)]
        key: PathBuf,
        /// PEM certificate chain.
        #[arg(long)]
        chain: PathBuf,
        /// File to sign.
        input: PathBuf,
        /// Signed file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Package a directory as a .deb under usr/share/NAME (used by `cargo xtask bench`).
    Deb {
        /// Directory to package.
        dir: PathBuf,
        /// .deb to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Write the CycloneDX SBOM of a package for one target, nothing else (used
    /// by `cargo xtask bench sbom`).
    Sbom {
        /// The project's Cargo.toml.
        #[arg(long, value_name = "PATH")]
        manifest_path: Option<PathBuf>,
        /// Package, when the workspace has several.
        #[arg(long, short = 'p', value_name = "NAME")]
        package: Option<String>,
        /// Target triple whose dependencies are listed.
        #[arg(long)]
        target: String,
        /// SBOM file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Archive a directory with crateship's own writer (used by `cargo xtask bench`).
    Archive {
        /// `tar.gz` or `zip`.
        #[arg(long)]
        format: ArchiveFormat,
        /// Top-level directory name inside the archive.
        #[arg(long, default_value = "")]
        root: String,
        /// Directory to archive.
        dir: PathBuf,
        /// Archive to write.
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// What `debug wrap` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum WrapFormat {
    /// A disk image.
    Dmg,
    /// A flat installer package.
    Pkg,
}

/// What `debug archive` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ArchiveFormat {
    /// A gzip-compressed tar archive.
    #[value(name = "tar.gz")]
    TarGz,
    /// A zip archive.
    Zip,
}

/// Which project, targets and formats.
#[derive(Debug, Args)]
struct Selection {
    /// Path to the project's Cargo.toml.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Package to release (repeatable: each goes into OUT_DIR/NAME). Default:
    /// the workspace's `packages` list, else its one binary package.
    #[arg(long = "package", short = 'p', value_name = "NAME")]
    packages: Vec<String>,
    /// Rust target triple to build (repeatable). Default: the config's, else the host.
    #[arg(long = "target", value_name = "TRIPLE", value_parser = parse_target)]
    targets: Vec<TargetTriple>,
    /// Format to write (repeatable): tar.gz zip msi app dmg pkg appimage deb rpm.
    #[arg(long = "format", value_name = "FORMAT", value_parser = parse_format)]
    formats: Vec<Format>,
    /// Output directory. Default: <target-dir>/dist.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Print one JSON document on stdout and nothing else.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct DistArgs {
    #[command(flatten)]
    selection: Selection,
    /// Do not build: package prebuilt binaries from --binary-dir.
    #[arg(long, requires = "binary_dir")]
    no_build: bool,
    /// Directory holding prebuilt binaries (with --no-build): `DIR/BIN`, or
    /// `DIR/TARGET/BIN` for a target that has a subdirectory of its own.
    #[arg(long, value_name = "DIR", requires = "no_build")]
    binary_dir: Option<PathBuf>,
    /// Install missing rustup targets, ziglang and cargo-zigbuild before building.
    #[arg(long)]
    install_missing: bool,
    /// Fail at once when another run is writing to the out dir (default: wait for it).
    #[arg(long)]
    no_wait: bool,
    /// Package without signing: no signatures, no update feeds or channels (they
    /// need keys). For pull requests, whose CI jobs get no secrets; never publish it.
    #[arg(long)]
    unsigned: bool,
    /// Run `crateship check` on each out dir when the release is written: exit 1
    /// (the files stay) when a blocking check fails.
    #[arg(long)]
    check: bool,
    /// An existing Sparkle appcast (the last release's `appcast.xml`) to prepend this
    /// release to, keeping its older items.
    #[arg(long, value_name = "FILE")]
    previous_feed: Option<PathBuf>,
    /// The previous release's out dir: its apt and rpm repositories are merged into
    /// this release's, so older versions stay installable.
    #[arg(long, value_name = "DIR")]
    channels_from: Option<PathBuf>,
}

/// `--target` values through `TargetTriple`'s own parser (a usage error lists the supported ones).
fn parse_target(s: &str) -> Result<TargetTriple, String> {
    s.parse().map_err(|e: crateship::Error| e.to_string())
}

/// `--format` values through `Format`'s own parser (a usage error lists the known ones).
fn parse_format(s: &str) -> Result<Format, String> {
    s.parse().map_err(|e: crateship::Error| e.to_string())
}

/// Asks `question` on the terminal with `default`; an empty answer takes it.
/// An answer `valid` refuses is asked again.
fn ask(
    question: &str,
    default: &str,
    valid: impl Fn(&str) -> Result<(), String>,
) -> anyhow::Result<String> {
    loop {
        eprint!("{question} [{default}]: ");
        let mut line = String::new();
        if std::io::stdin().read_line(&mut line)? == 0 {
            return Ok(default.to_owned());
        }
        let answer = match line.trim() {
            "" => default,
            a => a,
        };
        match valid(answer) {
            Ok(()) => return Ok(answer.to_owned()),
            Err(why) => eprintln!("{why}"),
        }
    }
}

/// `crateship init`: proposes the table, asks on a terminal, appends it.
fn init(args: InitArgs) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let manifest = args
        .manifest_path
        .clone()
        .unwrap_or_else(|| PathBuf::from("Cargo.toml"));
    let mut s = crateship::init::suggest(&manifest, args.package.as_deref(), args.import)?;
    let own_identifier = !s.imported_keys.iter().any(|k| k == "identifier");
    if !args.yes
        && own_identifier
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
    {
        s.identifier = ask(
            "Application identifier (reverse DNS)",
            &s.identifier,
            crateship::init::check_identifier,
        )?;
        s.identifier_source = "chosen at `crateship init`".into();
        s.product_name = ask("Product name", &s.product_name, |n| {
            if n.trim().is_empty() {
                Err("the product name cannot be empty".into())
            } else {
                Ok(())
            }
        })?;
    }
    let table = crateship::init::table(&s);
    crateship::init::write_table(&s.manifest, &table, args.force)?;
    if args.xtask {
        let source = match &args.crateship_path {
            Some(dir) => crateship::init_xtask::CrateshipSource::Path(dir.clone()),
            None => crateship::init_xtask::CrateshipSource::Registry,
        };
        for file in crateship::init_xtask::write(&s.workspace_manifest, &source)? {
            eprintln!("wrote {}", file.display());
        }
        eprintln!(
            "`cargo xtask dist` now releases the project (the same options as `crateship dist`'s basics)"
        );
    }
    if !s.foreign_tables.is_empty() {
        let verb = if s.import {
            "reads"
        } else {
            "does not read (--import)"
        };
        eprintln!("import: crateship {verb} {}", s.foreign_tables.join(", "));
    }
    eprintln!("identifier: {} ({})", s.identifier, s.identifier_source);
    match &s.icon {
        Some((icon, why)) => eprintln!("icon: {icon} ({why})"),
        None => eprintln!("icon: none found, crateship's own is used (set `icon`)"),
    }
    eprintln!("targets: {}", s.targets.join(", "));
    if let Some(f) = &s.apple_framework {
        eprintln!(
            "macOS: `{f}` links an Apple framework; `crateship ci` builds Apple targets on a macOS runner"
        );
    }
    eprintln!(
        "wrote [package.metadata.crateship] to {}
next: `crateship plan` shows the release; `crateship ci github` writes its workflow",
        s.manifest.display()
    );
    Ok(())
}

/// `crateship ci SYSTEM [--check]`: writes the workflow, or compares it.
fn ci(args: CiArgs) -> anyhow::Result<()> {
    use crateship::workflow::{Pipeline, diff, generate};
    let options = crateship::Options {
        manifest_path: args.manifest_path.clone(),
        package: args.package.clone(),
        ..crateship::Options::default()
    };
    let no_plan = "the release plan fails, so no workflow can be generated from it";
    let inputs = crateship::Inputs::gather(&options).context(no_plan)?;
    let plan = crateship::plan::plan(&inputs, &options).context(no_plan)?;
    for w in &plan.warnings {
        eprintln!("warning: {w}");
    }
    let text = generate(args.system, &Pipeline::of(&inputs, &plan));
    let root = inputs
        .git
        .as_ref()
        .map(|g| g.toplevel.clone())
        .unwrap_or_else(|| inputs.metadata.workspace_root.clone().into_std_path_buf());
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| root.join(args.system.default_path()));
    if args.check {
        let committed = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
        };
        if let Some(d) = diff(&path.display().to_string(), &committed, &text) {
            print!("{d}");
            eprintln!(
                "error: {} is not what the current release plan generates; run `{}` and commit it",
                path.display(),
                args.system.command()
            );
            std::process::exit(1);
        }
        eprintln!("{} is up to date", path.display());
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut out = crateship_support::AtomicFile::create(&path)?;
    std::io::Write::write_all(out.file(), text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    out.commit()?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// `crateship check`: prints the results, writes the JUnit file, and fails with
/// exit 1 when the gate fails.
fn check(args: CheckArgs) -> anyhow::Result<()> {
    let in_project = args.manifest_path.is_some() || std::path::Path::new("Cargo.toml").is_file();
    let options = crateship::Options {
        manifest_path: args.manifest_path.clone(),
        package: args.package.clone(),
        ..crateship::Options::default()
    };
    let plan = if in_project {
        let inputs = crateship::Inputs::gather(&options)?;
        Some(crateship::plan::plan(&inputs, &options)?)
    } else {
        None
    };
    let mut policy = match &plan {
        Some(plan) => crateship::check::Policy::from_plan(plan),
        None => crateship::check::Policy::manifest_only(),
    };
    policy.advisory_db = args.advisory_db.clone();
    if args.rebuild {
        let Some(plan) = &plan else {
            return Err(crateship::Error::Usage(
                "--rebuild builds the project again: run check in the project or pass --manifest-path"
                    .into(),
            )
            .into());
        };
        let manifest = crateship::check::read_manifest(&args.dir)?;
        let reporter = report::for_terminal(true);
        let rebuilt = crateship::check::rebuild(plan, &options, &manifest, reporter.as_ref())?;
        policy.rebuilt = Some(std::sync::Arc::new(rebuilt));
    }
    let report = crateship::check::check(&args.dir, args.previous.as_deref(), &policy)?;
    if let Some(junit) = &args.junit {
        let inside = |p: &std::path::Path| p.canonicalize().ok();
        let parent = junit.parent().filter(|p| !p.as_os_str().is_empty());
        if parent.map_or_else(|| inside(std::path::Path::new(".")), inside) == inside(&args.dir) {
            return Err(crateship::Error::Usage(format!(
                "--junit {} is inside the dist dir, which check never writes to; write it elsewhere",
                junit.display()
            ))
            .into());
        }
        std::fs::write(junit, report.junit())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", junit.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        report::print_check(&report);
    }
    if report.fails(args.strict) {
        std::process::exit(1);
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // An interrupt removes this run's staging files and exits 130/143.
    crateship::execute::outdir::install_interrupt_cleanup();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report::print_error(err.as_ref());
            ExitCode::from(report::exit_status(err.as_ref()))
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Plan(sel) => {
            let releases = releases(&sel)?;
            let mut plans = Vec::new();
            for release in &releases {
                let options = options(&sel, release, None, false);
                let inputs = crateship::Inputs::gather(&options)?;
                let plan = crateship::plan::plan(&inputs, &options)?;
                for w in &plan.warnings {
                    eprintln!("warning: {w}");
                }
                if !sel.json {
                    report::print_plan(&plan);
                }
                plans.push(plan);
            }
            if sel.json {
                match plans.as_slice() {
                    [one] => println!("{}", serde_json::to_string_pretty(one)?),
                    many => println!(
                        "{}",
                        serde_json::to_string_pretty(&serde_json::json!({ "packages": many }))?
                    ),
                }
            }
        }
        Command::Dist(args) => {
            let sel = &args.selection;
            let mut docs = Vec::new();
            let mut failed_gate = false;
            for release in &releases(sel)? {
                let options = crateship::Options {
                    no_wait: args.no_wait,
                    previous_feed: args.previous_feed.clone(),
                    channels_from: args.channels_from.clone(),
                    unsigned: args.unsigned,
                    ..options(sel, release, args.binary_dir.clone(), args.install_missing)
                };
                let inputs = crateship::Inputs::gather(&options)?;
                let plan = crateship::plan::plan(&inputs, &options)?;
                let reporter = report::Collect::new(report::for_terminal(sel.json));
                let manifest = crateship::execute::execute(&plan, &reporter);
                let warnings = reporter.warnings();
                drop(reporter);
                let manifest = manifest.with_context(|| {
                    format!("release of {} {} failed", plan.app.name, plan.app.version)
                })?;
                let gate = if args.check || plan.check.after_dist {
                    let policy = crateship::check::Policy::from_plan(&plan);
                    Some(crateship::check::check(&plan.out_dir, None, &policy)?)
                } else {
                    None
                };
                if sel.json {
                    // The manifest, plus every warning (also printed on stderr).
                    let mut doc = serde_json::to_value(&manifest)?;
                    doc["warnings"] = serde_json::json!(warnings);
                    if let Some(gate) = &gate {
                        doc["check"] = serde_json::to_value(gate)?;
                    }
                    docs.push(doc);
                } else {
                    report::print_manifest(&plan, &manifest);
                    if let Some(gate) = &gate {
                        report::print_check(gate);
                    }
                }
                failed_gate |= gate.is_some_and(|g| g.fails(false));
            }
            if sel.json {
                match docs.as_slice() {
                    [one] => println!("{}", serde_json::to_string_pretty(one)?),
                    many => println!(
                        "{}",
                        serde_json::to_string_pretty(&serde_json::json!({ "packages": many }))?
                    ),
                }
            }
            if failed_gate {
                eprintln!(
                    "error: the release was written, but `crateship check` found blocking problems (above); do not publish it"
                );
                std::process::exit(1);
            }
        }
        Command::Build(args) => {
            let sel = &args.selection;
            let [release] = releases(sel)?.try_into().map_err(|_| {
                crateship::Error::Usage(
                    "crateship build takes one package; run it once per --package".into(),
                )
            })?;
            let options = options(sel, &release, None, args.install_missing);
            let inputs = crateship::Inputs::gather(&options)?;
            let plan = crateship::plan::plan(&inputs, &options)?;
            let dir = sel
                .out_dir
                .clone()
                .unwrap_or_else(|| plan.target_dir.join("crateship").join("binaries"));
            let reporter = report::for_terminal(sel.json);
            let copied = crateship::execute::build_binaries(&plan, &dir, reporter.as_ref())
                .with_context(|| {
                    format!("build of {} {} failed", plan.app.name, plan.app.version)
                })?;
            drop(reporter);
            if sel.json {
                println!("{}", serde_json::to_string_pretty(&copied)?);
            } else {
                for file in &copied {
                    println!("{}", file.display());
                }
            }
        }
        Command::Ci(args) => ci(args)?,
        Command::Init(args) => init(args)?,
        Command::Icons(args) => icons(args)?,
        Command::Updates(UpdatesCommand::Pubkey {
            manifest_path,
            package,
            json,
        }) => {
            let options = crateship::Options {
                manifest_path,
                package,
                ..crateship::Options::default()
            };
            let inputs = crateship::Inputs::gather(&options)?;
            let plan = crateship::plan::plan(&inputs, &options)?;
            let keys = crateship::execute::feeds::public_keys(&plan)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&keys)?);
            } else {
                println!("updater (Tauri / cargo-packager) pubkey: {}", keys.updater);
                if let Some(sparkle) = &keys.sparkle {
                    println!("Sparkle SUPublicEDKey: {sparkle}");
                }
            }
        }
        Command::Sign(args) => sign(args)?,
        Command::Check(args) => check(args)?,
        Command::Debug(DebugCommand::Wrap {
            format,
            app,
            output,
        }) => {
            let wrap = match format {
                WrapFormat::Dmg => crateship::debug::Wrap::Dmg,
                WrapFormat::Pkg => crateship::debug::Wrap::Pkg,
            };
            crateship::debug::wrap_app(
                &app,
                wrap,
                &output,
                crateship::epoch::FALLBACK_EPOCH as u64,
            )?;
        }
        Command::Debug(DebugCommand::Sign {
            key,
            chain,
            input,
            output,
        }) => {
            crateship::debug::sign_with_pem(&key, &chain, &input, &output)?;
        }
        Command::Debug(DebugCommand::Msi { dir, output }) => {
            crateship::debug::msi_from_dir(&dir, &output, crateship::epoch::FALLBACK_EPOCH)?;
        }
        Command::Debug(DebugCommand::Sbom {
            manifest_path,
            package,
            target,
            output,
        }) => {
            let options = crateship::Options {
                manifest_path,
                package,
                ..crateship::Options::default()
            };
            crateship::debug::sbom(&options, &target, &output)?;
        }
        Command::Debug(DebugCommand::Deb { dir, output }) => {
            crateship::debug::deb_from_dir(
                &dir,
                "payload",
                &output,
                crateship::epoch::FALLBACK_EPOCH,
            )?;
        }
        Command::Debug(DebugCommand::Archive {
            format,
            root,
            dir,
            output,
        }) => {
            let kind = match format {
                ArchiveFormat::TarGz => crateship::format::ArchiveKind::TarGz,
                ArchiveFormat::Zip => crateship::format::ArchiveKind::Zip,
            };
            crateship::debug::archive_dir(
                kind,
                &dir,
                &root,
                &output,
                crateship::epoch::FALLBACK_EPOCH,
            )?;
        }
    }
    Ok(())
}

fn sign(args: SignArgs) -> anyhow::Result<()> {
    let options = crateship::Options {
        manifest_path: args.manifest_path,
        package: args.package,
        ..crateship::Options::default()
    };
    let inputs = crateship::Inputs::gather(&options)?;
    let plan = crateship::plan::plan(&inputs, &options)?;
    let signers = crateship::execute::sign::Signers::load(&plan)?;
    let mut signed = Vec::new();
    for artifact in &args.artifacts {
        signed.extend(signers.sign_by_extension(artifact)?);
    }
    if args.json {
        let doc = serde_json::json!({ "artifacts": signed });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        for s in &signed {
            for w in &s.warnings {
                eprintln!("warning: {w}");
            }
            let what = match &s.signature_file {
                Some(file) => format!("{} ({})", s.scheme, file.display()),
                None => s.scheme.clone(),
            };
            let stamp = s
                .timestamp_server
                .as_ref()
                .map(|t| format!(", timestamp {t}"))
                .unwrap_or_default();
            println!(
                "signed {}: {what} by {} [{}]{stamp}",
                s.path.display(),
                s.subject,
                s.sha256_fingerprint
            );
        }
    }
    Ok(())
}

fn icons(args: IconsArgs) -> anyhow::Result<()> {
    let name = match args.name {
        Some(n) => n,
        None => args
            .source
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "icon".into()),
    };
    let mut overrides = std::collections::BTreeMap::new();
    for o in &args.overrides {
        let (size, file) = o
            .split_once('=')
            .and_then(|(s, f)| Some((s.parse::<u32>().ok()?, PathBuf::from(f))))
            .ok_or_else(|| {
                anyhow::anyhow!("--override `{o}` is not SIZE=FILE, e.g. 16=icon-16.png")
            })?;
        overrides.insert(size, file);
    }
    let request = crateship_icons::IconRequest {
        source: args.source,
        name,
        overrides,
    };
    let set = crateship_icons::generate(&request, &args.output)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&set)?);
    } else {
        for w in &set.warnings {
            eprintln!("warning: {w}");
        }
        println!(
            "wrote {}, {}, {} and {}",
            set.ico.display(),
            set.icns.display(),
            set.hicolor_dir.display(),
            set.iconset_dir.display()
        );
    }
    Ok(())
}

/// The packages the selection releases (see [`crateship::plan::inputs::packages_to_release`]).
fn releases(sel: &Selection) -> crateship::Result<Vec<crateship::plan::inputs::PackageRelease>> {
    crateship::plan::inputs::packages_to_release(
        sel.manifest_path.as_deref(),
        &sel.packages,
        sel.out_dir.as_deref(),
    )
}

fn options(
    sel: &Selection,
    release: &crateship::plan::inputs::PackageRelease,
    binary_dir: Option<PathBuf>,
    install_missing: bool,
) -> crateship::Options {
    crateship::Options {
        manifest_path: sel.manifest_path.clone(),
        package: release.package.clone(),
        targets: sel.targets.clone(),
        formats: sel.formats.clone(),
        out_dir: release.out_dir.clone(),
        binary_dir,
        install_missing,
        no_wait: false,
        previous_feed: None,
        channels_from: None,
        unsigned: false,
    }
}
