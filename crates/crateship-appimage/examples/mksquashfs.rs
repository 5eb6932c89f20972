//! Writes a directory as a squashfs image with crateship's writer, like
//! `mksquashfs DIR OUT -noappend -root-owned` (used by `cargo xtask bench squashfs`):
//!
//! `mksquashfs DIR OUT [--comp zstd|gzip] [--level N] [--threads N] [--mtime SECS]`
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // a development tool: printing and panicking on bad input is its job

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::ExitCode;

use crateship_appimage::{
    AppDirEntry, Compression, DEFAULT_GZIP_LEVEL, DEFAULT_ZSTD_LEVEL, EntryKind, SquashfsOptions,
    write_squashfs,
};
use crateship_linux::FileSource;

fn walk(root: &Path, rel: &str, out: &mut Vec<AppDirEntry>) -> std::io::Result<()> {
    let mut names: Vec<_> = fs::read_dir(root.join(rel))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    names.sort();
    for name in names {
        let name = name.to_str().expect("UTF-8 file names").to_string();
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let full = root.join(&path);
        let meta = fs::symlink_metadata(&full)?;
        if meta.is_dir() {
            out.push(AppDirEntry {
                path: path.clone(),
                kind: EntryKind::Dir,
            });
            walk(root, &path, out)?;
        } else if meta.file_type().is_symlink() {
            let target = fs::read_link(&full)?;
            out.push(AppDirEntry {
                path,
                kind: EntryKind::Symlink(target.to_str().expect("UTF-8 target").into()),
            });
        } else {
            out.push(AppDirEntry {
                path,
                kind: EntryKind::File {
                    source: FileSource::Path(full),
                    mode: (meta.permissions().mode() & 0o7777) as u16,
                },
            });
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let positional: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || !args[i - 1].starts_with("--")))
        .map(|(_, a)| a)
        .collect();
    let [dir, out] = positional[..] else {
        eprintln!(
            "usage: mksquashfs DIR OUT [--comp zstd|gzip] [--level N] [--threads N] [--mtime SECS]"
        );
        return ExitCode::from(2);
    };
    let mut options = SquashfsOptions::new(flag("--mtime").map_or(0, |m| m.parse().unwrap()));
    let level = flag("--level");
    options.compression = match flag("--comp").as_deref() {
        None | Some("zstd") => Compression::Zstd {
            level: level.map_or(DEFAULT_ZSTD_LEVEL, |l| l.parse().unwrap()),
        },
        Some("gzip") => Compression::Gzip {
            level: level.map_or(DEFAULT_GZIP_LEVEL, |l| l.parse().unwrap()),
        },
        Some(other) => {
            eprintln!("unknown compression `{other}`: use zstd or gzip");
            return ExitCode::from(2);
        }
    };
    if let Some(t) = flag("--threads") {
        options.threads = t.parse().unwrap();
    }
    let mut entries = Vec::new();
    if let Err(e) = walk(Path::new(dir), "", &mut entries) {
        eprintln!("cannot read {dir}: {e}");
        return ExitCode::FAILURE;
    }
    let result = fs::File::create(out)
        .map_err(|e| e.to_string())
        .and_then(|f| write_squashfs(&entries, &options, f).map_err(|e| e.to_string()));
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
