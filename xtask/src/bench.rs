//! `cargo xtask bench`: our archive writers against the best peers, measured in
//! the same run on the standard payload (`shared/fixtures/make_payload.py`).
//!
//! Reports wall time, CPU time, peak RSS and output size, prints a table and
//! writes it as JSON to target/bench/archives.json. Ratios, never timed tests.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::json;
use xshell::{Shell, cmd};

use crate::project_root;

/// One measured command.
struct Measurement {
    name: String,
    wall: f64,
    cpu: f64,
    rss_mb: f64,
    size: u64,
}

/// Runs the benchmark; `--scale F` scales the payload (10 = 1 GB), `--runs N`.
pub fn run(sh: &Shell, args: &[String]) -> anyhow::Result<()> {
    let scale = flag(args, "--scale").unwrap_or_else(|| "1".into());
    let runs: usize = flag(args, "--runs")
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(3);
    for tool in ["pigz", "zip", "tar"] {
        if cmd!(sh, "which {tool}")
            .quiet()
            .ignore_stdout()
            .run()
            .is_err()
        {
            bail!(
                "`{tool}` is missing: run `cargo xtask test` once (it installs the peers) or `apt-get install {tool}`"
            );
        }
    }
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        bail!("/usr/bin/time is missing: `apt-get install time`");
    }
    cmd!(sh, "cargo build --release -p crateship-cli").run()?;
    let crateship = project_root().join("target/release/crateship");
    let work = project_root().join("target/bench");
    let payload = work.join(format!("payload-x{scale}"));
    if !payload.join(".complete").exists() {
        let script = project_root().join("../shared/fixtures/make_payload.py");
        if !script.exists() {
            bail!(
                "{} not found: the bench needs the shared fixtures beside the repository",
                script.display()
            );
        }
        let _ = std::fs::remove_dir_all(&payload);
        cmd!(sh, "python3 {script} {payload} --scale {scale}").run()?;
        std::fs::write(payload.join(".complete"), b"")?;
    }
    let out = work.join("out");
    std::fs::create_dir_all(&out)?;
    let payload_files = std::fs::read_dir(&payload)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".complete")
        .collect::<Vec<_>>();
    let _ = payload_files;
    let p = payload.display().to_string();
    let c = crateship.display().to_string();
    let o = |name: &str| out.join(name).display().to_string();
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "crateship tar.gz",
            vec![
                c.clone(),
                "debug".into(),
                "archive".into(),
                "--format".into(),
                "tar.gz".into(),
                p.clone(),
                "-o".into(),
                o("ours.tar.gz"),
            ],
        ),
        (
            "tar + pigz -6 -p 2",
            vec![
                "tar".into(),
                "--sort=name".into(),
                "-I".into(),
                "pigz -6 -p 2".into(),
                "-cf".into(),
                o("pigz.tar.gz"),
                "-C".into(),
                p.clone(),
                ".".into(),
            ],
        ),
        (
            "tar -czf",
            vec![
                "tar".into(),
                "-czf".into(),
                o("gzip.tar.gz"),
                "-C".into(),
                p.clone(),
                ".".into(),
            ],
        ),
        (
            "crateship zip",
            vec![
                c.clone(),
                "debug".into(),
                "archive".into(),
                "--format".into(),
                "zip".into(),
                p.clone(),
                "-o".into(),
                o("ours.zip"),
            ],
        ),
        (
            "zip -qrX",
            vec![
                "sh".into(),
                "-c".into(),
                format!("cd '{p}' && rm -f '{0}' && zip -qrX '{0}' .", o("info.zip")),
            ],
        ),
    ];
    let outputs = [
        "ours.tar.gz",
        "pigz.tar.gz",
        "gzip.tar.gz",
        "ours.zip",
        "info.zip",
    ];
    let mut results = Vec::new();
    for ((name, argv), output) in cases.iter().zip(outputs) {
        let mut samples = Vec::new();
        for _ in 0..runs {
            let _ = std::fs::remove_file(out.join(output));
            samples.push(measure(sh, time, argv).with_context(|| format!("running {name}"))?);
        }
        samples.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (wall, cpu, rss_mb) = samples[samples.len() / 2];
        let size = std::fs::metadata(out.join(output))?.len();
        results.push(Measurement {
            name: name.to_string(),
            wall,
            cpu,
            rss_mb,
            size,
        });
    }
    print_and_save(&results, &work, &scale)?;
    Ok(())
}

/// Runs `argv` under GNU time; returns (wall s, cpu s, peak RSS MB).
fn measure(sh: &Shell, time: &Path, argv: &[String]) -> anyhow::Result<(f64, f64, f64)> {
    let report = tempfile_path();
    let fmt = "%e %U %S %M";
    cmd!(sh, "{time} -o {report} -f {fmt} {argv...}")
        .quiet()
        .run()?;
    let text = std::fs::read_to_string(&report)?;
    let _ = std::fs::remove_file(&report);
    let last = text.lines().last().unwrap_or_default();
    let nums: Vec<f64> = last
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    if nums.len() != 4 {
        bail!("cannot read GNU time's report: {text}");
    }
    Ok((nums[0], nums[1] + nums[2], nums[3] / 1024.0))
}

fn tempfile_path() -> PathBuf {
    std::env::temp_dir().join(format!("crateship-bench-{}.time", std::process::id()))
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn print_and_save(results: &[Measurement], work: &Path, scale: &str) -> anyhow::Result<()> {
    let by_name = |n: &str| results.iter().find(|m| m.name == n);
    println!("payload scale {scale} (1 = 2,000 files, 100 MB)\n");
    println!(
        "{:<22} {:>8} {:>8} {:>9} {:>12}",
        "writer", "wall s", "cpu s", "RSS MB", "size bytes"
    );
    for m in results {
        println!(
            "{:<22} {:>8.2} {:>8.2} {:>9.1} {:>12}",
            m.name, m.wall, m.cpu, m.rss_mb, m.size
        );
    }
    let ratio = |ours: &str, peer: &str| -> Option<(f64, f64)> {
        let (a, b) = (by_name(ours)?, by_name(peer)?);
        Some((a.wall / b.wall, a.size as f64 / b.size as f64))
    };
    let mut ratios = serde_json::Map::new();
    for (ours, peer, goal) in [
        ("crateship tar.gz", "tar + pigz -6 -p 2", 1.0),
        ("crateship tar.gz", "tar -czf", 1.0),
        ("crateship zip", "zip -qrX", 0.6),
    ] {
        if let Some((wall, size)) = ratio(ours, peer) {
            let verdict = if wall <= goal && size <= 1.0 {
                "meets goal"
            } else {
                "MISSES goal"
            };
            println!(
                "{ours} vs {peer}: wall {wall:.2}x (goal <= {goal}x), size {size:.3}x (goal <= 1.0x): {verdict}"
            );
            ratios.insert(
                format!("{ours} / {peer}"),
                json!({"wall": wall, "size": size, "goal_wall": goal}),
            );
        }
    }
    let json = json!({
        "scale": scale,
        "results": results.iter().map(|m| json!({"writer": m.name, "wall_s": m.wall, "cpu_s": m.cpu, "peak_rss_mb": m.rss_mb, "size": m.size})).collect::<Vec<_>>(),
        "ratios": ratios,
    });
    std::fs::create_dir_all(work)?;
    let path = work.join(format!("archives-x{scale}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&json)? + "\n")?;
    println!("\nwrote {}", path.display());
    Ok(())
}
