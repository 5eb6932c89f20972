//! End-to-end tests of `crateship_icons::generate`, each reading the output back with a tool
//! we did not write: ImageMagick (`identify`, `convert`), Debian's Pillow (`python3-pil`),
//! icnsutils (`icns2png`) and PyPI's `icnsutil`. A missing tool fails the test; it never
//! skips it.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // tests and tools print and panic on failure

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crateship_icons::{IconError, IconRequest, IconSet, generate};
use image::{Rgba, RgbaImage};
use tempfile::TempDir;

/// The SVG fixture (a copy of the project's default icon).
const SVG_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/icon.svg");
/// Pillow checker script, see its docstring.
const PILLOW_CHECK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/check_icons.py");
/// Debian's interpreter, which is the one `python3-pil` installs Pillow for.
const DEBIAN_PYTHON: &str = "/usr/bin/python3";

// ---------------------------------------------------------------- helpers

/// Runs an independent verifier tool and returns its output; panics (failing the test) if
/// the tool is missing or exits unsuccessfully.
#[allow(clippy::disallowed_methods)] // tests spawn verifier tools directly, by argv
fn tool(program: &str, args: &[&str], install: &str) -> Output {
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {program} ({error}); install it: {install}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("tool printed UTF-8")
}

fn identify(args: &[&str]) -> String {
    stdout(&tool("identify", args, "apt-get install imagemagick"))
}

fn convert(args: &[&str]) -> Output {
    tool("convert", args, "apt-get install imagemagick")
}

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

fn request(source: &Path) -> IconRequest {
    IconRequest {
        source: source.to_owned(),
        name: "hello".to_owned(),
        overrides: BTreeMap::new(),
    }
}

/// Generates from `source` into a fresh `out` dir inside `temp`.
fn generate_into(temp: &TempDir, req: &IconRequest) -> IconSet {
    generate(req, &temp.path().join("out")).unwrap_or_else(|error| panic!("{error}"))
}

/// Saves `image` as a PNG fixture at `temp/file`.
fn save(temp: &TempDir, file: &str, image: &RgbaImage) -> PathBuf {
    let path = temp.path().join(file);
    image.save(&path).expect("write fixture");
    path
}

/// A white, anti-aliased disc on a transparent (black) background, like a logo whose edges
/// halo when resized in straight alpha.
fn white_disc(size: u32) -> RgbaImage {
    const SUB: u32 = 4;
    let centre = size as f64 / 2.0;
    let radius = size as f64 * 0.4;
    RgbaImage::from_fn(size, size, |x, y| {
        let mut inside = 0;
        for sy in 0..SUB {
            for sx in 0..SUB {
                let px = x as f64 + (sx as f64 + 0.5) / SUB as f64 - centre;
                let py = y as f64 + (sy as f64 + 0.5) / SUB as f64 - centre;
                inside += u32::from(px.hypot(py) <= radius);
            }
        }
        let alpha = (inside * 255 / (SUB * SUB)) as u8;
        if alpha == 0 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([255, 255, 255, alpha])
        }
    })
}

/// An opaque colour gradient of any shape.
fn gradient(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
        Rgba([(x * 255 / width) as u8, (y * 255 / height) as u8, 128, 255])
    })
}

/// Every file under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                files.push(path.strip_prefix(root).unwrap().to_owned());
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files
}

/// Mean Rec. 601 luma of the semi-transparent pixels (alpha 10..=245) of a PNG, with the
/// pixels read by ImageMagick.
fn edge_luma(png: &Path) -> f64 {
    let size = identify(&["-format", "%w", s(png)]);
    let size: usize = size.trim().parse().unwrap();
    let rgba = convert(&[s(png), "-depth", "8", "rgba:-"]).stdout;
    assert_eq!(rgba.len(), size * size * 4, "{}", png.display());
    let edge: Vec<f64> = rgba
        .chunks_exact(4)
        .filter(|p| (10..=245).contains(&p[3]))
        .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
        .collect();
    assert!(
        edge.len() >= 8,
        "{} has only {} edge pixels",
        png.display(),
        edge.len()
    );
    edge.iter().sum::<f64>() / edge.len() as f64
}

/// Asserts `result` failed and `out` (pre-created empty) is still empty.
fn assert_failed_cleanly(result: Result<IconSet, IconError>, out: &Path) -> IconError {
    let error = result.expect_err("generation should fail");
    let left: Vec<_> = fs::read_dir(out).unwrap().collect();
    assert!(
        left.is_empty(),
        "files left in out_dir after {error}: {left:?}"
    );
    error
}

// ---------------------------------------------------------------- outputs

#[test]
fn ico_has_ten_layers_bmp_up_to_128_and_png_at_256() {
    let temp = TempDir::new().unwrap();
    let set = generate_into(&temp, &request(Path::new(SVG_FIXTURE)));
    let layers = identify(&["-format", "%m %wx%h\n", s(&set.ico)]);
    let expected = "ICO 16x16\nICO 20x20\nICO 24x24\nICO 32x32\nICO 40x40\nICO 48x48\n\
                    ICO 64x64\nICO 96x96\nICO 128x128\nPNG 256x256\n";
    assert_eq!(layers, expected);
}

#[test]
fn pillow_decodes_every_icns_size_and_ico_layer_to_the_same_pixels() {
    let temp = TempDir::new().unwrap();
    let set = generate_into(&temp, &request(Path::new(SVG_FIXTURE)));
    let png_dir = set.png_by_size[&16].parent().unwrap();
    let output = tool(
        DEBIAN_PYTHON,
        &[PILLOW_CHECK, s(&set.icns), s(&set.ico), s(png_dir), "hello"],
        "apt-get install python3-pil",
    );
    let lines = stdout(&output);
    let icns: Vec<&str> = lines.lines().filter(|l| l.starts_with("icns ")).collect();
    let expected_icns: Vec<String> = [16, 32, 128, 256, 512]
        .iter()
        .flat_map(|&points| {
            [1, 2].map(|scale| {
                let px = points * scale;
                format!("icns {points} {points} {scale} RGBA {px} {px} True")
            })
        })
        .collect();
    assert_eq!(icns, expected_icns, "Pillow's view of the icns:\n{lines}");

    let mut ico: Vec<&str> = lines.lines().filter(|l| l.starts_with("ico ")).collect();
    ico.sort_by_key(|line| line.split(' ').nth(1).unwrap().parse::<u32>().unwrap());
    let expected_ico: Vec<String> = [16, 20, 24, 32, 40, 48, 64, 96, 128, 256]
        .iter()
        .map(|&px| {
            let encoding = if px == 256 { "png" } else { "BGRX" };
            format!("ico {px} {px} 32 {encoding} RGBA {px} {px} True")
        })
        .collect();
    assert_eq!(ico, expected_ico, "Pillow's view of the ico:\n{lines}");
}

#[test]
fn icns_is_valid_for_icnsutil_and_icns2png_lists_every_element() {
    let temp = TempDir::new().unwrap();
    let set = generate_into(&temp, &request(Path::new(SVG_FIXTURE)));

    // `icnsutil test` exits 0 even for broken files: read what it says.
    let verdict = stdout(&tool(
        "icnsutil",
        &["test", s(&set.icns)],
        "pip install icnsutil",
    ));
    let findings: Vec<&str> = verdict
        .lines()
        .filter(|l| !l.starts_with("File:"))
        .collect();
    assert_eq!(findings, ["OK"], "icnsutil test:\n{verdict}");

    let listing = stdout(&tool(
        "icns2png",
        &["-l", s(&set.icns)],
        "apt-get install icnsutils",
    ));
    let elements: Vec<&str> = listing
        .lines()
        .filter_map(|line| line.trim().strip_prefix('\''))
        .map(|line| &line[..4])
        .collect();
    assert_eq!(
        elements,
        [
            "is32", "s8mk", "il32", "l8mk", "ic11", "ic12", "ic07", "ic13", "ic08", "ic14", "ic09",
            "ic10"
        ],
        "icns2png -l:\n{listing}"
    );
}

#[test]
fn every_hicolor_and_iconset_png_has_the_size_its_name_says() {
    let temp = TempDir::new().unwrap();
    let set = generate_into(&temp, &request(Path::new(SVG_FIXTURE)));
    let mut expected = Vec::new();
    for n in [16, 22, 24, 32, 48, 64, 96, 128, 256, 512] {
        let base = set.hicolor_dir.join(format!("{n}x{n}"));
        expected.push((base.join("apps/hello.png"), n));
        let hidpi = set.hicolor_dir.join(format!("{n}x{n}@2"));
        expected.push((hidpi.join("apps/hello.png"), 2 * n));
    }
    for n in [16, 32, 128, 256, 512] {
        expected.push((set.iconset_dir.join(format!("icon_{n}x{n}.png")), n));
        expected.push((set.iconset_dir.join(format!("icon_{n}x{n}@2x.png")), 2 * n));
    }
    for (size, path) in &set.png_by_size {
        expected.push((path.clone(), *size));
    }

    let mut args = vec!["-format", "%m %w %h\n"];
    args.extend(expected.iter().map(|(path, _)| s(path)));
    let report = identify(&args);
    let found: Vec<&str> = report.lines().collect();
    assert_eq!(found.len(), expected.len(), "{report}");
    for ((path, size), line) in expected.iter().zip(found) {
        assert_eq!(line, format!("PNG {size} {size}"), "{}", path.display());
    }

    assert_eq!(
        tree(&set.iconset_dir).len(),
        10,
        "iconset holds exactly the ten iconutil names"
    );
    let scalable = set.hicolor_dir.join("scalable/apps/hello.svg");
    assert_eq!(fs::read(scalable).unwrap(), fs::read(SVG_FIXTURE).unwrap());
    let sizes: Vec<u32> = set.png_by_size.keys().copied().collect();
    assert_eq!(
        sizes,
        [
            16, 20, 22, 24, 32, 40, 44, 48, 64, 96, 128, 192, 256, 512, 1024
        ]
    );
}

#[test]
fn png_source_edges_are_as_light_as_imagemagick_resize() {
    let temp = TempDir::new().unwrap();
    let source = save(&temp, "disc.png", &white_disc(1024));
    let set = generate_into(&temp, &request(&source));
    for size in [16, 32, 48] {
        let reference = temp.path().join(format!("magick-{size}.png"));
        let geometry = format!("{size}x{size}");
        convert(&[s(&source), "-resize", &geometry, s(&reference)]);
        let ours = edge_luma(&set.png_by_size[&size]);
        let magick = edge_luma(&reference);
        assert!(
            (ours - magick).abs() <= 0.10 * magick,
            "{size} px: mean edge luma {ours:.1}, ImageMagick {magick:.1}"
        );
    }
}

// ---------------------------------------------------------------- inputs and warnings

#[test]
fn small_png_source_warns_and_recommends_1024() {
    let temp = TempDir::new().unwrap();
    let source = save(&temp, "small.png", &white_disc(256));
    let set = generate_into(&temp, &request(&source));
    assert_eq!(set.warnings.len(), 1, "{:?}", set.warnings);
    assert!(set.warnings[0].contains("256x256"), "{}", set.warnings[0]);
    assert!(set.warnings[0].contains("1024x1024"), "{}", set.warnings[0]);
    let large = identify(&["-format", "%w", s(&set.png_by_size[&1024])]);
    assert_eq!(large, "1024");
}

#[test]
fn large_square_png_source_gives_no_warning() {
    let temp = TempDir::new().unwrap();
    let source = save(&temp, "big.png", &white_disc(512));
    let set = generate_into(&temp, &request(&source));
    assert_eq!(set.warnings, Vec::<String>::new());
    assert!(!set.hicolor_dir.join("scalable").exists());
}

#[test]
fn non_square_source_is_centred_with_a_warning() {
    let temp = TempDir::new().unwrap();
    let source = save(&temp, "wide.png", &gradient(1024, 512));
    let set = generate_into(&temp, &request(&source));
    assert_eq!(set.warnings.len(), 1, "{:?}", set.warnings);
    assert!(
        set.warnings[0].contains("not square"),
        "{}",
        set.warnings[0]
    );
    // ImageMagick's trim box of the 1024 px layer: the opaque band is centred vertically.
    let trimmed = identify(&["-format", "%@", s(&set.png_by_size[&1024])]);
    assert_eq!(trimmed, "1024x512+0+256");
    // Smaller layers: Lanczos rings a few rows past the hard edges, evenly on both sides.
    for size in [256, 64] {
        let trimmed = identify(&["-format", "%@", s(&set.png_by_size[&size])]);
        let (box_size, offset) = trimmed.split_once("+0+").expect("trim box WxH+X+Y");
        let height: u32 = box_size.split_once('x').unwrap().1.parse().unwrap();
        let top: u32 = offset.parse().unwrap();
        assert_eq!(
            top,
            size - top - height,
            "{size} px band not centred: {trimmed}"
        );
        assert!(height <= size / 2 + 8, "{size} px band too tall: {trimmed}");
    }
}

#[test]
fn non_srgb_png_gets_a_warning_that_it_was_ignored() {
    let temp = TempDir::new().unwrap();
    let path = temp.path().join("linear.png");
    let image = white_disc(512);
    let mut info = png::Info::with_size(512, 512);
    info.color_type = png::ColorType::Rgba;
    info.bit_depth = png::BitDepth::Eight;
    info.source_gamma = Some(png::ScaledFloat::new(1.0));
    let mut bytes = Vec::new();
    let mut writer = png::Encoder::with_info(&mut bytes, info)
        .unwrap()
        .write_header()
        .unwrap();
    writer.write_image_data(image.as_raw()).unwrap();
    writer.finish().unwrap();
    fs::write(&path, bytes).unwrap();
    // ImageMagick agrees that the fixture declares a linear gamma.
    assert_eq!(identify(&["-format", "%[gamma]", s(&path)]), "1");

    let set = generate_into(&temp, &request(&path));
    assert_eq!(set.warnings.len(), 1, "{:?}", set.warnings);
    assert!(set.warnings[0].contains("gAMA"), "{}", set.warnings[0]);
    assert!(set.warnings[0].contains("ignored"), "{}", set.warnings[0]);
}

#[test]
fn override_replaces_its_size_in_every_output() {
    let temp = TempDir::new().unwrap();
    let red = save(
        &temp,
        "red32.png",
        &RgbaImage::from_pixel(32, 32, Rgba([255, 0, 0, 255])),
    );
    let mut req = request(Path::new(SVG_FIXTURE));
    req.overrides.insert(32, red);
    let set = generate_into(&temp, &req);

    let layer = fs::read(&set.png_by_size[&32]).unwrap();
    for reuse in [
        set.hicolor_dir.join("32x32/apps/hello.png"),
        set.hicolor_dir.join("16x16@2/apps/hello.png"),
        set.iconset_dir.join("icon_32x32.png"),
        set.iconset_dir.join("icon_16x16@2x.png"),
    ] {
        assert_eq!(fs::read(&reuse).unwrap(), layer, "{}", reuse.display());
    }
    let colour = |path: &Path| {
        stdout(&convert(&[
            s(path),
            "-format",
            "%[pixel:p{16,16}]",
            "info:",
        ]))
    };
    assert_eq!(colour(&set.png_by_size[&32]), "srgba(255,0,0,1)");
    assert_ne!(colour(&set.png_by_size[&64]), "srgba(255,0,0,1)");
    // The ico's 32 px layer (index 3) and the icns's il32 and ic11 come from the override:
    // Pillow compares them with the layer PNG.
    assert_eq!(
        stdout(&convert(&[
            &format!("{}[3]", s(&set.ico)),
            "-format",
            "%[pixel:p{16,16}]",
            "info:"
        ])),
        "srgba(255,0,0,1)"
    );
    let png_dir = set.png_by_size[&32].parent().unwrap();
    let check = stdout(&tool(
        DEBIAN_PYTHON,
        &[PILLOW_CHECK, s(&set.icns), s(&set.ico), s(png_dir), "hello"],
        "apt-get install python3-pil",
    ));
    assert!(!check.contains("False"), "{check}");
}

#[test]
fn icon_set_serialises_to_json_for_the_cli() {
    let temp = TempDir::new().unwrap();
    let set = generate_into(&temp, &request(Path::new(SVG_FIXTURE)));
    let json: serde_json::Value = serde_json::to_value(&set).unwrap();
    assert_eq!(json["ico"], s(&temp.path().join("out/hello.ico")));
    assert_eq!(
        json["png_by_size"]["1024"],
        s(&temp.path().join("out/png/hello-1024x1024.png"))
    );
    assert_eq!(json["warnings"], serde_json::json!([]));
}

// ---------------------------------------------------------------- determinism

#[test]
fn two_runs_give_identical_bytes() {
    let temp = TempDir::new().unwrap();
    let png_source = save(&temp, "disc.png", &white_disc(300));
    for source in [Path::new(SVG_FIXTURE), png_source.as_path()] {
        let first = temp.path().join("first");
        let second = temp.path().join("second");
        generate(&request(source), &first).unwrap();
        generate(&request(source), &second).unwrap();
        let files = tree(&first);
        assert_eq!(files, tree(&second));
        assert!(files.len() >= 47, "{files:?}");
        for file in files {
            let same =
                fs::read(first.join(&file)).unwrap() == fs::read(second.join(&file)).unwrap();
            assert!(same, "{} differs between runs", file.display());
        }
        fs::remove_dir_all(first).unwrap();
        fs::remove_dir_all(second).unwrap();
    }
}

#[test]
fn rerun_with_a_png_source_replaces_the_svg_run_and_drops_its_scalable_icon() {
    let temp = TempDir::new().unwrap();
    let out = temp.path().join("out");
    let from_svg = generate(&request(Path::new(SVG_FIXTURE)), &out).unwrap();
    let svg_ico = fs::read(&from_svg.ico).unwrap();
    let source = save(&temp, "disc.png", &white_disc(512));
    let from_png = generate(&request(&source), &out).unwrap();
    assert_ne!(fs::read(&from_png.ico).unwrap(), svg_ico);
    assert!(!out.join("hicolor/scalable/apps/hello.svg").exists());
    let leftovers: Vec<_> = tree(&out)
        .into_iter()
        .filter(|path| path.to_string_lossy().contains(".crateship-icons-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// ---------------------------------------------------------------- errors

#[test]
fn corrupt_png_is_a_clear_error_and_writes_nothing() {
    let temp = TempDir::new().unwrap();
    let out = temp.path().join("out");
    fs::create_dir(&out).unwrap();
    let good = fs::read(save(&temp, "good.png", &white_disc(64))).unwrap();
    let truncated = temp.path().join("truncated.png");
    fs::write(&truncated, &good[..good.len() / 2]).unwrap();
    let error = assert_failed_cleanly(generate(&request(&truncated), &out), &out);
    let message = error.to_string();
    assert!(matches!(error, IconError::Unsupported { .. }), "{message}");
    assert!(message.contains("truncated.png"), "{message}");
    assert!(message.contains("use a PNG or SVG"), "{message}");

    let garbage = temp.path().join("garbage.png");
    fs::write(&garbage, b"this is not an image").unwrap();
    let error = assert_failed_cleanly(generate(&request(&garbage), &out), &out);
    assert!(error.to_string().contains("garbage.png"), "{error}");

    let broken_svg = temp.path().join("broken.svg");
    fs::write(
        &broken_svg,
        b"<svg xmlns='http://www.w3.org/2000/svg'><rect",
    )
    .unwrap();
    let error = assert_failed_cleanly(generate(&request(&broken_svg), &out), &out);
    assert!(error.to_string().contains("broken.svg"), "{error}");
}

#[test]
fn wrong_size_override_is_a_clear_error_and_writes_nothing() {
    let temp = TempDir::new().unwrap();
    let out = temp.path().join("out");
    fs::create_dir(&out).unwrap();
    let big = save(&temp, "big.png", &gradient(32, 32));
    let mut req = request(Path::new(SVG_FIXTURE));
    req.overrides.insert(16, big);
    let error = assert_failed_cleanly(generate(&req, &out), &out);
    let message = error.to_string();
    assert!(
        message.starts_with("override for 16 px ")
            && message.contains("big.png is 32x32; it must be exactly 16x16"),
        "{message}"
    );

    let mut req = request(Path::new(SVG_FIXTURE));
    req.overrides
        .insert(17, save(&temp, "odd.png", &gradient(17, 17)));
    let error = assert_failed_cleanly(generate(&req, &out), &out);
    let message = error.to_string();
    assert!(
        message.contains("17 px, which no output uses; use one of 16, 20, 22"),
        "{message}"
    );
}

#[test]
fn missing_files_are_a_clear_error_and_write_nothing() {
    let temp = TempDir::new().unwrap();
    let out = temp.path().join("out");
    fs::create_dir(&out).unwrap();
    let missing = temp.path().join("no-such-icon.png");
    let error = assert_failed_cleanly(generate(&request(&missing), &out), &out);
    let message = error.to_string();
    assert!(matches!(error, IconError::Read { .. }), "{message}");
    assert!(message.contains("no-such-icon.png"), "{message}");
    assert!(message.contains("check that the file exists"), "{message}");

    let mut req = request(Path::new(SVG_FIXTURE));
    req.overrides
        .insert(16, temp.path().join("no-such-override.png"));
    let error = assert_failed_cleanly(generate(&req, &out), &out);
    assert!(
        error.to_string().contains("no-such-override.png"),
        "{error}"
    );

    // An output directory that does not exist is not created on failure either.
    let fresh = temp.path().join("fresh/out");
    assert!(generate(&request(&missing), &fresh).is_err());
    assert!(!temp.path().join("fresh").exists());
}

#[test]
fn bad_name_is_a_clear_error() {
    let temp = TempDir::new().unwrap();
    let out = temp.path().join("out");
    fs::create_dir(&out).unwrap();
    let mut req = request(Path::new(SVG_FIXTURE));
    req.name = "../escape".to_owned();
    let error = assert_failed_cleanly(generate(&req, &out), &out);
    assert!(error.to_string().contains("\"../escape\""), "{error}");
}

#[test]
fn svg_external_images_are_never_drawn_and_are_warned_while_embedded_ones_are() {
    let temp = TempDir::new().unwrap();
    // A red SVG outside the source's directory, referenced by absolute path and by a
    // relative one (usvg's default resolver would read and draw both), and a blue one
    // embedded as a data: URL.
    let red = r#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="red"/></svg>"#;
    let outside = temp.path().join("outside.svg");
    fs::write(&outside, red).unwrap();
    let blue = r#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="blue"/></svg>"#;
    let blue = <base64ct::Base64 as base64ct::Encoding>::encode_string(blue.as_bytes());
    let dir = temp.path().join("project");
    fs::create_dir_all(&dir).unwrap();
    let source = dir.join("icon.svg");
    fs::write(
        &source,
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">
<image x="0" y="0" width="32" height="64" href="{}"/>
<image x="32" y="0" width="32" height="64" xlink:href="../outside.svg"/>
<image x="16" y="16" width="32" height="32" href="data:image/svg+xml;base64,{blue}"/>
</svg>"#,
            outside.display()
        ),
    )
    .unwrap();
    let set = generate_into(&temp, &request(&source));
    let external: Vec<&String> = set
        .warnings
        .iter()
        .filter(|w| w.contains("external image"))
        .collect();
    assert_eq!(external.len(), 2, "{:?}", set.warnings);
    assert!(external.iter().any(|w| w.contains("../outside.svg")));
    let rendered = image::open(&set.png_by_size[&256]).unwrap().to_rgba8();
    let red_pixels = rendered
        .pixels()
        .filter(|p| p[0] > 200 && p[2] < 50 && p[3] > 200)
        .count();
    assert_eq!(red_pixels, 0, "an external image was drawn");
    let centre = rendered.get_pixel(128, 128);
    assert!(
        centre[2] > 200 && centre[0] < 50 && centre[3] > 200,
        "the embedded image is not drawn: {centre:?}"
    );
}

/// An SVG with `count` rectangles, each under its own filter of `primitives` blurs
/// with the filter region given by `region` (`x y width height` in bounding-box units).
fn filtered_svg(count: usize, primitives: usize, region: &str) -> String {
    let [x, y, w, h]: [&str; 4] = region.split(' ').collect::<Vec<_>>().try_into().unwrap();
    let blurs = "<feGaussianBlur stdDeviation=\"10000\"/>".repeat(primitives);
    let mut defs = String::new();
    let mut body = String::new();
    for i in 0..count {
        defs += &format!(
            "<filter id=\"f{i}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\">{blurs}</filter>"
        );
        body += &format!(
            "<rect x=\"10\" y=\"10\" width=\"40\" height=\"40\" fill=\"red\" filter=\"url(#f{i})\"/>"
        );
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\"><defs>{defs}</defs>{body}</svg>"
    )
}

#[test]
fn svg_filters_beyond_the_render_budget_are_refused_before_rendering() {
    // Huge filter regions (each measured at ~4 s and ~100 MB per element at 1024 px
    // before the budget): refused by the first, naming the filter.
    let temp = TempDir::new().unwrap();
    let huge = temp.path().join("huge.svg");
    fs::write(&huge, filtered_svg(50, 1, "-50 -50 100 100")).unwrap();
    let out = temp.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let error = assert_failed_cleanly(generate(&request(&huge), &out), &out);
    let message = error.to_string();
    assert!(matches!(error, IconError::RenderBudget { .. }), "{message}");
    assert!(
        message.contains("huge.svg") && message.contains("`f0`") && message.contains("PNG"),
        "{message}"
    );
    // Small regions, but thousands of primitives in all: refused by the total.
    let many = temp.path().join("many.svg");
    fs::write(&many, filtered_svg(40, 50, "-0.1 -0.1 1.2 1.2")).unwrap();
    let error = assert_failed_cleanly(generate(&request(&many), &out), &out);
    assert!(error.to_string().contains("filter work"), "{error}");
    // What icons really use (a blur or two with a region past the shape) renders.
    let shadow = temp.path().join("shadow.svg");
    fs::write(&shadow, filtered_svg(2, 2, "-0.5 -0.5 2 2")).unwrap();
    let set = generate_into(&temp, &request(&shadow));
    assert!(set.png_by_size[&1024].is_file());
}
