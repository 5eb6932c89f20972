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

/// Runs the benchmarks: `bench [archives|icons] [--scale F] [--runs N]`.
pub fn run(sh: &Shell, args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("archives") => archives(sh, &args[1..]),
        Some("icons") => icons(sh, &args[1..]),
        Some("deb") => deb(sh, &args[1..]),
        Some("msi") => msi(sh, &args[1..]),
        Some("macos") => macos(sh, &args[1..]),
        _ => {
            archives(sh, args)?;
            deb(sh, args)?;
            msi(sh, args)?;
            macos(sh, args)?;
            icons(sh, args)
        }
    }
}

/// Icon generation against the ImageMagick pipeline (convert for the .ico and the
/// PNG set, png2icns for the .icns), for an SVG and a 1024 px PNG source.
fn icons(sh: &Shell, args: &[String]) -> anyhow::Result<()> {
    let runs: usize = flag(args, "--runs")
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(5);
    for tool in ["convert", "png2icns"] {
        if cmd!(sh, "which {tool}")
            .quiet()
            .ignore_stdout()
            .run()
            .is_err()
        {
            bail!("`{tool}` is missing: `apt-get install imagemagick icnsutils`");
        }
    }
    let time = Path::new("/usr/bin/time");
    cmd!(sh, "cargo build --release -p crateship-cli").run()?;
    let crateship = project_root()
        .join("target/release/crateship")
        .display()
        .to_string();
    let work = project_root().join("target/bench/icons");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let svg = project_root().join("assets/icon.svg").display().to_string();
    let seed = work.join("seed");
    cmd!(sh, "{crateship} icons {svg} -o {seed} --name seed")
        .quiet()
        .run()?;
    let png = seed.join("png/seed-1024x1024.png").display().to_string();
    let mut results = Vec::new();
    for (label, src) in [("svg", svg.as_str()), ("png 1024", png.as_str())] {
        let ours_dir = work.join("ours");
        let im_dir = work.join("magick");
        let ours: Vec<String> = vec![
            crateship.clone(),
            "icons".into(),
            src.into(),
            "-o".into(),
            ours_dir.display().to_string(),
            "--name".into(),
            "app".into(),
        ];
        let sizes = [
            16, 20, 22, 24, 32, 40, 44, 48, 64, 96, 128, 192, 256, 512, 1024,
        ];
        let mut set = String::new();
        for s in sizes {
            set.push_str(&format!(
                " \\( +clone -resize {s}x{s} -write p{s}.png +delete \\)"
            ));
        }
        let chain = format!(
            "mkdir -p '{d}' && cd '{d}' && convert -background none '{src}'{set} null: && \
             convert -background none '{src}' -define icon:auto-resize=256,128,96,64,48,40,32,24,20,16 app.ico && \
             png2icns app.icns p16.png p32.png p128.png p256.png p512.png p1024.png >/dev/null",
            d = im_dir.display()
        );
        let magick: Vec<String> = vec!["sh".into(), "-c".into(), chain];
        for (name, argv, dir) in [
            (format!("crateship icons ({label})"), ours, &ours_dir),
            (format!("ImageMagick ({label})"), magick, &im_dir),
        ] {
            let mut samples = Vec::new();
            for _ in 0..runs {
                let _ = std::fs::remove_dir_all(dir);
                samples.push(measure(sh, time, &argv).with_context(|| format!("running {name}"))?);
            }
            samples.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (wall, cpu, rss_mb) = samples[samples.len() / 2];
            results.push(Measurement {
                name,
                wall,
                cpu,
                rss_mb,
                size: dir_size(dir),
            });
        }
    }
    println!(
        "\n{:<30} {:>8} {:>8} {:>9} {:>12}",
        "icon pipeline", "wall s", "cpu s", "RSS MB", "bytes out"
    );
    for m in &results {
        println!(
            "{:<30} {:>8.3} {:>8.3} {:>9.1} {:>12}",
            m.name, m.wall, m.cpu, m.rss_mb, m.size
        );
    }
    let mut ratios = serde_json::Map::new();
    for pair in results.chunks(2) {
        let (ours, im) = (&pair[0], &pair[1]);
        let speedup = im.wall / ours.wall.max(0.001);
        let verdict = if speedup >= 8.0 && ours.rss_mb <= im.rss_mb {
            "meets goal"
        } else {
            "MISSES goal"
        };
        println!(
            "{} vs {}: {speedup:.1}x faster (goal >= 8x), RSS {:.1} vs {:.1} MB: {verdict}",
            ours.name, im.name, ours.rss_mb, im.rss_mb
        );
        ratios.insert(
            ours.name.clone(),
            json!({"speedup": speedup, "rss_mb": ours.rss_mb, "peer_rss_mb": im.rss_mb}),
        );
    }
    let json = json!({
        "results": results.iter().map(|m| json!({"pipeline": m.name, "wall_s": m.wall, "cpu_s": m.cpu, "peak_rss_mb": m.rss_mb, "bytes": m.size})).collect::<Vec<_>>(),
        "ratios": ratios,
    });
    let path = project_root().join("target/bench/icons.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json)? + "\n")?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Our .deb writer against `dpkg-deb --root-owner-group -Zxz` on the payload.
fn deb(sh: &Shell, args: &[String]) -> anyhow::Result<()> {
    let runs: usize = flag(args, "--runs")
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(3);
    let time = Path::new("/usr/bin/time");
    cmd!(sh, "cargo build --release -p crateship-cli").run()?;
    let crateship = project_root()
        .join("target/release/crateship")
        .display()
        .to_string();
    let work = project_root().join("target/bench/deb");
    let payload = ensure_payload(sh, "1")?;
    // dpkg-deb wants the tree as it will be installed, plus DEBIAN/control.
    let tree = work.join("tree");
    if !tree.join("DEBIAN/control").exists() {
        let _ = std::fs::remove_dir_all(&tree);
        std::fs::create_dir_all(tree.join("DEBIAN"))?;
        std::fs::create_dir_all(tree.join("usr/share"))?;
        let (from, to) = (
            payload.display().to_string(),
            tree.join("usr/share/payload").display().to_string(),
        );
        cmd!(sh, "cp -r {from} {to}").run()?;
        std::fs::write(
            tree.join("DEBIAN/control"),
            "Package: payload\nVersion: 1.0.0\nArchitecture: amd64\nMaintainer: crateship <bench@example.org>\nDescription: Benchmark payload\n",
        )?;
    }
    let ours_out = work.join("ours.deb").display().to_string();
    let dpkg_out = work.join("dpkg.deb").display().to_string();
    let p = payload.display().to_string();
    let t = tree.display().to_string();
    let cases: Vec<(&str, Vec<String>, &String)> = vec![
        (
            "crateship .deb (xz)",
            vec![
                crateship.clone(),
                "debug".into(),
                "deb".into(),
                p,
                "-o".into(),
                ours_out.clone(),
            ],
            &ours_out,
        ),
        (
            "dpkg-deb -Zxz",
            vec![
                "dpkg-deb".into(),
                "--root-owner-group".into(),
                "-Zxz".into(),
                "-b".into(),
                t,
                dpkg_out.clone(),
            ],
            &dpkg_out,
        ),
    ];
    let results = measure_cases(sh, time, runs, &cases)?;
    print_table("deb writer", &results);
    let (ours, peer) = (&results[0], &results[1]);
    let (wall, size, rss) = (
        ours.wall / peer.wall,
        ours.size as f64 / peer.size as f64,
        ours.rss_mb / peer.rss_mb,
    );
    let verdict = if wall <= 1.0 && size <= 1.0 && rss <= 1.0 {
        "meets goal"
    } else {
        "MISSES goal"
    };
    println!(
        "crateship .deb vs dpkg-deb: wall {wall:.2}x (goal <= 1.0x), size {size:.3}x (goal <= 1.0x), RSS {rss:.2}x (goal <= 1.0x): {verdict}"
    );
    let json = json!({
        "results": results.iter().map(|m| json!({"writer": m.name, "wall_s": m.wall, "cpu_s": m.cpu, "peak_rss_mb": m.rss_mb, "size": m.size})).collect::<Vec<_>>(),
        "ratios": {"wall": wall, "size": size, "rss": rss},
    });
    let path = project_root().join("target/bench/deb.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json)? + "\n")?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Our MSI writer against `wixl -a x64` with the payload's .wxs.
fn msi(sh: &Shell, args: &[String]) -> anyhow::Result<()> {
    let runs: usize = flag(args, "--runs")
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(3);
    if cmd!(sh, "which wixl")
        .quiet()
        .ignore_stdout()
        .run()
        .is_err()
    {
        bail!("`wixl` is missing: `apt-get install wixl`");
    }
    let time = Path::new("/usr/bin/time");
    cmd!(sh, "cargo build --release -p crateship-cli").run()?;
    let crateship = project_root()
        .join("target/release/crateship")
        .display()
        .to_string();
    let payload = ensure_payload(sh, "1")?;
    let work = project_root().join("target/bench/msi");
    std::fs::create_dir_all(&work)?;
    let wxs = payload.parent().unwrap_or(&payload).join("payload-x1.wxs");
    let script = project_root().join("../shared/fixtures/make_payload.py");
    cmd!(sh, "python3 {script} {payload} --wxs {wxs} --wxs-only")
        .quiet()
        .ignore_stdout()
        .run()?;
    let ours_out = work.join("ours.msi").display().to_string();
    let wixl_out = work.join("wixl.msi").display().to_string();
    let wxs_dir = wxs.parent().unwrap_or(&work).display().to_string();
    let wxs_name = wxs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let p = payload.display().to_string();
    let cases: Vec<(&str, Vec<String>, &String)> = vec![
        (
            "crateship .msi",
            vec![
                crateship.clone(),
                "debug".into(),
                "msi".into(),
                p,
                "-o".into(),
                ours_out.clone(),
            ],
            &ours_out,
        ),
        (
            "wixl -a x64",
            vec![
                "sh".into(),
                "-c".into(),
                format!("cd '{wxs_dir}' && wixl -a x64 -o '{wixl_out}' '{wxs_name}'"),
            ],
            &wixl_out,
        ),
    ];
    let results = measure_cases(sh, time, runs, &cases)?;
    print_table("msi writer", &results);
    let (ours, peer) = (&results[0], &results[1]);
    let (wall, size, rss) = (
        ours.wall / peer.wall,
        ours.size as f64 / peer.size as f64,
        ours.rss_mb / peer.rss_mb,
    );
    let verdict = if wall <= 0.6 && size <= 1.0 && rss <= 0.3 {
        "meets goal"
    } else {
        "MISSES goal"
    };
    println!(
        "crateship .msi vs wixl: wall {wall:.2}x (goal <= 0.6x), size {size:.3}x (goal <= 1.0x), RSS {rss:.2}x (goal <= 0.3x): {verdict}"
    );
    let json = json!({
        "results": results.iter().map(|m| json!({"writer": m.name, "wall_s": m.wall, "cpu_s": m.cpu, "peak_rss_mb": m.rss_mb, "size": m.size})).collect::<Vec<_>>(),
        "ratios": {"wall": wall, "size": size, "rss": rss},
    });
    let path = project_root().join("target/bench/msi.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json)? + "\n")?;
    println!("wrote {}", path.display());
    Ok(())
}

/// .dmg and .pkg of an app bundle holding the payload, against `tar -czf` of
/// the same tree.
fn macos(sh: &Shell, args: &[String]) -> anyhow::Result<()> {
    let runs: usize = flag(args, "--runs")
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(3);
    let time = Path::new("/usr/bin/time");
    cmd!(sh, "cargo build --release -p crateship-cli").run()?;
    let crateship = project_root()
        .join("target/release/crateship")
        .display()
        .to_string();
    let payload = ensure_payload(sh, "1")?;
    let work = project_root().join("target/bench/macos");
    let app = work.join("Payload.app");
    if !app.join("Contents/Info.plist").exists() {
        let _ = std::fs::remove_dir_all(&app);
        std::fs::create_dir_all(app.join("Contents/MacOS"))?;
        let (from, to) = (
            payload.display().to_string(),
            app.join("Contents/Resources").display().to_string(),
        );
        cmd!(sh, "cp -r {from} {to}").run()?;
        // The pkg writer wants a real Mach-O main executable: take the example's.
        let exe = project_root()
            .join("examples/hello-desktop/target/aarch64-apple-darwin/release/hello-desktop");
        if !exe.exists() {
            bail!(
                "{} is missing: run `cargo xtask dist` once first",
                exe.display()
            );
        }
        std::fs::copy(&exe, app.join("Contents/MacOS/payload"))?;
        std::fs::write(
            app.join("Contents/Info.plist"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>\
             <key>CFBundleIdentifier</key><string>org.example.payload</string>\
             <key>CFBundleShortVersionString</key><string>1.0.0</string>\
             <key>CFBundleVersion</key><string>1.0.0</string>\
             <key>CFBundleExecutable</key><string>payload</string></dict></plist>\n",
        )?;
    }
    let a = app.display().to_string();
    let o = |n: &str| work.join(n).display().to_string();
    let cases: Vec<(&str, Vec<String>, String)> = vec![
        (
            "crateship .dmg",
            vec![
                crateship.clone(),
                "debug".into(),
                "wrap".into(),
                "--format".into(),
                "dmg".into(),
                a.clone(),
                "-o".into(),
                o("ours.dmg"),
            ],
            o("ours.dmg"),
        ),
        (
            "crateship .pkg",
            vec![
                crateship.clone(),
                "debug".into(),
                "wrap".into(),
                "--format".into(),
                "pkg".into(),
                a.clone(),
                "-o".into(),
                o("ours.pkg"),
            ],
            o("ours.pkg"),
        ),
        (
            "tar -czf",
            vec![
                "tar".into(),
                "-czf".into(),
                o("tree.tar.gz"),
                "-C".into(),
                work.display().to_string(),
                "Payload.app".into(),
            ],
            o("tree.tar.gz"),
        ),
    ];
    let results = measure_cases(sh, time, runs, &cases)?;
    print_table("macOS writer", &results);
    let peer = &results[2];
    let mut ratios = serde_json::Map::new();
    for ours in &results[..2] {
        let wall = ours.wall / peer.wall;
        let verdict = if wall <= 1.0 && ours.rss_mb < 128.0 {
            "meets goal"
        } else {
            "MISSES goal"
        };
        println!(
            "{} vs tar -czf: wall {wall:.2}x (goal <= 1.0x), RSS {:.1} MB (goal < 128): {verdict}",
            ours.name, ours.rss_mb
        );
        ratios.insert(
            ours.name.clone(),
            json!({"wall": wall, "rss_mb": ours.rss_mb}),
        );
    }
    let json = json!({
        "results": results.iter().map(|m| json!({"writer": m.name, "wall_s": m.wall, "cpu_s": m.cpu, "peak_rss_mb": m.rss_mb, "size": m.size})).collect::<Vec<_>>(),
        "ratios": ratios,
    });
    let path = project_root().join("target/bench/macos.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json)? + "\n")?;
    println!("wrote {}", path.display());
    Ok(())
}

/// The standard payload at `scale`, generated once under target/bench.
fn ensure_payload(sh: &Shell, scale: &str) -> anyhow::Result<PathBuf> {
    let payload = project_root()
        .join("target/bench")
        .join(format!("payload-x{scale}"));
    // The marker sits beside the payload so it never ends up inside an archive.
    let complete = payload.with_extension("complete");
    if !complete.exists() {
        let script = project_root().join("../shared/fixtures/make_payload.py");
        if !script.exists() {
            bail!(
                "{} not found: the bench needs the shared fixtures beside the repository",
                script.display()
            );
        }
        let _ = std::fs::remove_dir_all(&payload);
        cmd!(sh, "python3 {script} {payload} --scale {scale}").run()?;
        std::fs::write(&complete, b"")?;
    }
    Ok(payload)
}

fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                dir_size(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

/// Archive writers against tar+pigz, tar -czf and Info-ZIP.
fn archives(sh: &Shell, args: &[String]) -> anyhow::Result<()> {
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
    let payload = ensure_payload(sh, &scale)?;
    let out = work.join("out");
    std::fs::create_dir_all(&out)?;
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
    let cases: Vec<(&str, Vec<String>, PathBuf)> = cases
        .into_iter()
        .zip(outputs)
        .map(|((name, argv), output)| (name, argv, out.join(output)))
        .collect();
    let results = measure_cases(sh, time, runs, &cases)?;
    print_and_save(&results, &work, &scale)?;
    Ok(())
}

/// Runs each `(name, argv, output)` case `runs` times (output removed first) and
/// keeps the median by wall time, with the output's size.
fn measure_cases<O: AsRef<Path>>(
    sh: &Shell,
    time: &Path,
    runs: usize,
    cases: &[(&str, Vec<String>, O)],
) -> anyhow::Result<Vec<Measurement>> {
    let mut results = Vec::new();
    for (name, argv, out) in cases {
        let mut samples = Vec::new();
        for _ in 0..runs {
            let _ = std::fs::remove_file(out);
            samples.push(measure(sh, time, argv).with_context(|| format!("running {name}"))?);
        }
        samples.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (wall, cpu, rss_mb) = samples[samples.len() / 2];
        let size = std::fs::metadata(out)?.len();
        results.push(Measurement {
            name: name.to_string(),
            wall,
            cpu,
            rss_mb,
            size,
        });
    }
    Ok(results)
}

/// Prints measurements as a table headed `title`.
fn print_table(title: &str, results: &[Measurement]) {
    println!(
        "\n{:<22} {:>8} {:>8} {:>9} {:>12}",
        title, "wall s", "cpu s", "RSS MB", "size bytes"
    );
    for m in results {
        println!(
            "{:<22} {:>8.2} {:>8.2} {:>9.1} {:>12}",
            m.name, m.wall, m.cpu, m.rss_mb, m.size
        );
    }
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
