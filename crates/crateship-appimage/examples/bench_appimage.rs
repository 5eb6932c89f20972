//! Writes an AppImage whose main executable is `APP` and which carries `DATA`
//! as `usr/share/bench/data.bin` (used by `cargo xtask bench appimage-runtime`):
//!
//! `bench_appimage OUT APP DATA [zstd[:LEVEL]|gzip]`
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // a development tool: printing and panicking on bad input is its job

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::ExitCode;

use crateship_appimage::{
    AppImageInput, Compression, DEFAULT_GZIP_LEVEL, DEFAULT_ZSTD_LEVEL, Icon, IconSize, runtime,
    write_appimage_with,
};
use crateship_linux::{Arch, DesktopApp, FileSource, PackageFile};

/// A 1x1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x60, 0x00, 0x02, 0x00,
    0x00, 0x05, 0x00, 0x01, 0xe9, 0xfa, 0xdc, 0xd8, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82,
];

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let (out, app, data, comp) = match &args[..] {
        [out, app, data] => (out, app, data, "zstd"),
        [out, app, data, comp] => (out, app, data, comp.to_str().unwrap_or("?")),
        _ => {
            eprintln!("usage: bench_appimage OUT APP DATA [zstd[:LEVEL]|gzip]");
            return ExitCode::from(2);
        }
    };
    let compression = match comp.split_once(':').unwrap_or((comp, "")) {
        ("gzip", "") => Compression::Gzip {
            level: DEFAULT_GZIP_LEVEL,
        },
        ("zstd", "") => Compression::Zstd {
            level: DEFAULT_ZSTD_LEVEL,
        },
        ("zstd", level) if level.parse::<i32>().is_ok() => Compression::Zstd {
            level: level.parse().unwrap_or(DEFAULT_ZSTD_LEVEL),
        },
        _ => {
            eprintln!("unknown compression `{comp}`: use zstd, zstd:LEVEL or gzip");
            return ExitCode::from(2);
        }
    };
    let mut desktop = DesktopApp::new("org.example.Bench", "Bench", "Reads a data file", "bench");
    desktop.categories = vec!["Utility".into()];
    desktop.developer_name = "Example Developers".into();
    desktop.description = "Benchmark application.".into();
    let input = AppImageInput {
        desktop,
        version: "1.0.0".into(),
        arch: Arch::X86_64,
        binary: app.clone(),
        binary_name: "bench".into(),
        icons: vec![Icon {
            size: IconSize::Png(16),
            source: FileSource::Bytes(PNG.to_vec()),
        }],
        files: vec![PackageFile::from_path(
            data,
            "usr/share/bench/data.bin",
            0o644,
        )],
        update_information: None,
        source_date_epoch: 1_700_000_000,
    };
    let result = fs::File::create(out)
        .map_err(|e| e.to_string())
        .and_then(|f| {
            write_appimage_with(&input, runtime::runtime(Arch::X86_64), compression, f)
                .map_err(|e| e.to_string())
        })
        .and_then(|_| {
            fs::set_permissions(out, fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
