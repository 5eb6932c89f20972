//! A tiny `zsyncmake` on crateship-feeds, for benchmarks against Debian's:
//!
//! ```text
//! zsyncmake FILE [-o OUT] [-b BLOCKSIZE] [-u URL] [-j THREADS]
//! ```
//!
//! Like zsyncmake: `Filename` is FILE's base name, `MTime` its modification time
//! (or `SOURCE_DATE_EPOCH` when set), `URL` defaults to FILE as given, OUT to
//! `FILE's name.zsync`. Exit status 0 on success, 1 on failure, 2 on usage errors.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // a development tool: printing and panicking on bad input is its job

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::UNIX_EPOCH;

use crateship_feeds::zsync::{ZsyncHeader, write_zsync};
use crateship_support::AtomicFile;

struct Args {
    file: PathBuf,
    out: Option<PathBuf>,
    block_size: Option<u32>,
    url: Option<String>,
    threads: usize,
}

fn usage(problem: &str) -> ExitCode {
    eprintln!(
        "zsyncmake: {problem}\nusage: zsyncmake FILE [-o OUT] [-b BLOCKSIZE] [-u URL] [-j THREADS]"
    );
    ExitCode::from(2)
}

fn parse() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let (mut out, mut block_size, mut url, mut threads) = (None, None, None, 0);
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "-o" => out = Some(PathBuf::from(value("-o")?)),
            "-b" => block_size = Some(value("-b")?.parse().map_err(|e| format!("-b: {e}"))?),
            "-u" => url = Some(value("-u")?),
            "-j" => threads = value("-j")?.parse().map_err(|e| format!("-j: {e}"))?,
            other if other.starts_with('-') => return Err(format!("unknown option {other}")),
            other if file.is_none() => file = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument {other}")),
        }
    }
    let file = file.ok_or("no FILE given")?;
    Ok(Args {
        file,
        out,
        block_size,
        url,
        threads,
    })
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let input =
        std::fs::File::open(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let meta = input.metadata()?;
    let mtime = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) => epoch.parse()?,
        Err(_) => meta.modified()?.duration_since(UNIX_EPOCH)?.as_secs() as i64,
    };
    let name = args
        .file
        .file_name()
        .ok_or("FILE has no file name")?
        .to_string_lossy()
        .into_owned();
    let header = ZsyncHeader {
        file_name: name.clone(),
        length: meta.len(),
        mtime,
        url: args
            .url
            .unwrap_or_else(|| args.file.to_string_lossy().into_owned()),
        block_size: args.block_size,
    };
    let out = args
        .out
        .unwrap_or_else(|| Path::new(&format!("{name}.zsync")).to_owned());
    let mut file = AtomicFile::create(&out)?;
    write_zsync(input, &header, &mut file, args.threads)?;
    file.commit()?;
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(problem) => return usage(&problem),
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zsyncmake: {e}");
            ExitCode::FAILURE
        }
    }
}
