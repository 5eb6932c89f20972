//! Archives a directory with crateship's writers, like `tar -czf` or `zip -r`
//! (a benchmark and debugging aid):
//!
//! `archive_dir tar.gz|zip DIR OUT [--root NAME] [--mtime SECS]`
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // a development tool: printing and panicking on bad input is its job

use std::path::Path;
use std::process::ExitCode;

use crateship_archive::{ArchiveKind, ArchiveSpec, write_file};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let (Some(kind), Some(dir), Some(out)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: archive_dir tar.gz|zip DIR OUT [--root NAME] [--mtime SECS]");
        return ExitCode::from(2);
    };
    let kind = match kind.as_str() {
        "tar.gz" => ArchiveKind::TarGz,
        "zip" => ArchiveKind::Zip,
        other => {
            eprintln!("unknown archive format `{other}`; use tar.gz or zip");
            return ExitCode::from(2);
        }
    };
    let Ok(mtime) = flag("--mtime").map_or(Ok(315_532_800), |m| m.parse::<i64>()) else {
        eprintln!("--mtime takes seconds since 1970");
        return ExitCode::from(2);
    };
    let root = flag("--root").unwrap_or_default();
    let written = ArchiveSpec::from_dir(Path::new(dir), &root, mtime)
        .and_then(|spec| write_file(kind, &spec, Path::new(out)));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
