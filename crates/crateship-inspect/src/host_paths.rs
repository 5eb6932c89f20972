//! Host path leaks: build-machine paths (home directories, temp dirs, cargo and
//! rustup homes) left in a binary or text file, found by scanning its bytes.
//!
//! The scan looks at *runs* of path characters (ASCII letters, digits and
//! `/ \ . _ - + ~ @ : % = ,`), so a path is cut at a space, a quote or a
//! non-ASCII byte. In a run it reports a path starting at
//! * `/home/`, `/root/`, `/tmp/`, `/Users/` or `X:\Users\` (`X:/Users/`): the
//!   marker must begin the run (or follow `=`, `:` or `,`) and be followed by at
//!   least one name (`/home/alice`), or, after other text, by two (`/home/alice/x.rs`),
//!   and it must not sit inside another absolute path (`/build/src/home/u/mod.rs`
//!   is a remapped source file, not a home directory);
//! * the absolute path around `/.cargo/` or `/.rustup/` (a cargo or rustup home
//!   in any directory, not `~/.cargo` in a help text), and around
//!   `/cargo/registry/`, `/cargo/git/` or `/rustup/toolchains/` when a directory
//!   precedes them (`/usr/local/cargo/…`; `/cargo/…` and `/rustup/…` at the root
//!   are what `--remap-path-prefix` writes, and `/rustc/<hash>/…` is rustc's own
//!   remapping: neither is a leak).
//!
//! Rust string literals are stored without separators, so the text before or
//! after a path can run into it; a run is split after a source-file name
//! (`….rs`, `….c`, `….h`, `….o`) that is directly followed by another path, and
//! a path is cut after a Rust file name that text runs into (`x.rsTryFrom…` →
//! `x.rs`); other text after a path's end cannot be told apart from it. UTF-16
//! strings are not scanned.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::error::InspectError;

/// At most this many distinct paths are reported (the first ones in sorted order).
pub const MAX_HOST_PATHS: usize = 100;
/// A reported path is cut after this many bytes.
pub const MAX_PATH_LEN: usize = 400;
/// Only the first this-many bytes of a longer run of path characters are scanned.
const MAX_RUN: usize = 4096;
/// Bytes read at a time by [`host_paths_in`].
const CHUNK: usize = 64 * 1024;

/// Every distinct host path in `bytes`, sorted, at most [`MAX_HOST_PATHS`].
pub fn host_paths(bytes: &[u8]) -> Vec<String> {
    let mut scanner = HostPathScanner::new();
    scanner.feed(bytes);
    scanner.finish()
}

/// [`host_paths`] over a reader, in 64 KiB chunks (memory stays bounded).
pub fn host_paths_in(mut reader: impl Read) -> io::Result<Vec<String>> {
    let mut scanner = HostPathScanner::new();
    let mut buffer = vec![0u8; CHUNK];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Ok(scanner.finish()),
            Ok(n) => scanner.feed(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// [`host_paths_in`] over the file at `path`; a read error names the file.
pub fn host_paths_in_file(path: &Path) -> Result<Vec<String>, InspectError> {
    let read_error = |source| InspectError::Read {
        path: path.to_owned(),
        source,
    };
    host_paths_in(File::open(path).map_err(read_error)?).map_err(read_error)
}

/// An incremental host-path scan: [`feed`](Self::feed) bytes in any pieces,
/// then [`finish`](Self::finish). Paths split across pieces are found.
#[derive(Debug, Default)]
pub struct HostPathScanner {
    /// The run of path characters so far (at most `MAX_RUN` bytes kept).
    run: Vec<u8>,
    found: BTreeSet<String>,
    /// The last bytes fed, so a marker split across two feeds is still seen.
    tail: Vec<u8>,
}

/// Every host path contains one of these; a chunk without any of them (its
/// first and last runs aside, which may continue across feeds) holds none, so
/// it is skipped at memchr speed instead of being split into runs.
const NEEDLES: [&str; 10] = [
    "/home/", "/root/", "/tmp/", "/Users/", ":\\", ":/", "cargo/", "cargo\\", "rustup/", "rustup\\",
];

/// Whether `bytes` contains a [`NEEDLES`] entry.
fn has_needle(bytes: &[u8]) -> bool {
    NEEDLES
        .iter()
        .any(|n| memchr::memmem::find(bytes, n.as_bytes()).is_some())
}

impl HostPathScanner {
    /// A scanner that has seen nothing.
    pub fn new() -> HostPathScanner {
        HostPathScanner::default()
    }

    /// Scans the next bytes of the input.
    pub fn feed(&mut self, bytes: &[u8]) {
        let longest = NEEDLES.iter().map(|n| n.len()).max().unwrap_or(0);
        let mut seam = std::mem::take(&mut self.tail);
        seam.extend_from_slice(&bytes[..bytes.len().min(longest)]);
        let marked = has_needle(&seam) || has_needle(bytes);
        let keep = bytes.len().min(longest - 1);
        self.tail = if keep == longest - 1 {
            bytes[bytes.len() - keep..].to_vec()
        } else {
            let mut tail = seam;
            let from = tail.len().saturating_sub(longest - 1);
            tail.drain(..from);
            tail
        };
        if marked {
            return self.feed_runs(bytes);
        }
        // No marker here: only the run carried in (it may hold one) and the run
        // carried out (the next feed may complete one) matter.
        let Some(first_end) = bytes.iter().position(|&b| !is_path_byte(b)) else {
            return self.feed_runs(bytes);
        };
        self.feed_runs(&bytes[..=first_end]);
        let last_start = bytes
            .iter()
            .rposition(|&b| !is_path_byte(b))
            .map_or(0, |p| p + 1);
        self.feed_runs(&bytes[last_start.max(first_end + 1)..]);
    }

    /// Splits `bytes` into runs of path characters, checking each run that ends.
    fn feed_runs(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let end = bytes
                .iter()
                .position(|&b| !is_path_byte(b))
                .unwrap_or(bytes.len());
            let room = MAX_RUN - self.run.len();
            self.run.extend_from_slice(&bytes[..end.min(room)]);
            if end == bytes.len() {
                return;
            }
            self.end_run();
            bytes = &bytes[end + 1..];
        }
    }

    /// The distinct host paths seen, sorted.
    pub fn finish(mut self) -> Vec<String> {
        self.end_run();
        self.found.into_iter().collect()
    }

    fn end_run(&mut self) {
        // Every path byte is ASCII, so the run is valid UTF-8.
        if self.run.len() >= 6
            && self.run.iter().any(|&b| b == b'/' || b == b'\\')
            && let Ok(run) = std::str::from_utf8(&self.run)
        {
            for segment in segments(run) {
                if let Some(path) = host_path(segment) {
                    remember(&mut self.found, path);
                }
            }
        }
        self.run.clear();
    }
}

/// Adds `path` to `found`, keeping only the `MAX_HOST_PATHS` smallest.
fn remember(found: &mut BTreeSet<String>, path: &str) {
    let path = cut_after_rust_source(path).trim_end_matches(['.', ',', ':', '=']);
    // Every path byte is ASCII: any index is a character boundary.
    found.insert(path[..path.len().min(MAX_PATH_LEN)].to_owned());
    if found.len() > MAX_HOST_PATHS {
        found.pop_last();
    }
}

/// `…/x.rs` when the text after a Rust file name runs on (`x.rsTryFromSliceError`):
/// a `.rs` that ends a non-empty file name and is followed by neither a
/// separator nor the end is where the path ends.
fn cut_after_rust_source(path: &str) -> &str {
    let bytes = path.as_bytes();
    let ends_name = |i: usize| {
        i > 0
            && !matches!(bytes[i - 1], b'/' | b'\\')
            && bytes.get(i + 3).is_some_and(|b| !matches!(b, b'/' | b'\\'))
    };
    match path
        .match_indices(".rs")
        .map(|(i, _)| i)
        .find(|&i| ends_name(i))
    {
        Some(i) => &path[..i + 3],
        None => path,
    }
}

fn is_path_byte(b: u8) -> bool {
    PATH_BYTES[usize::from(b)]
}

/// [`is_path_byte`] as a table: ASCII letters, digits and `/ \ . _ - + ~ @ : % = ,`.
const PATH_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'/' | b'\\' | b'.' | b'_' | b'-' | b'+' | b'~' | b'@' | b':' | b'%' | b'=' | b','
            );
        b += 1;
    }
    table
};

/// Splits a run where a source-file name is directly followed by another
/// absolute path (`src/x.rs/home/a/y.rs` → `src/x.rs`, `/home/a/y.rs`).
fn segments(run: &str) -> Vec<&str> {
    const SOURCE_ENDINGS: [&str; 6] = [".rs", ".c", ".h", ".cc", ".cpp", ".o"];
    let mut parts = Vec::new();
    let mut start = 0;
    for at in 1..run.len() {
        if absolute_at(run, at) && SOURCE_ENDINGS.iter().any(|e| run[start..at].ends_with(e)) {
            parts.push(&run[start..at]);
            start = at;
        }
    }
    parts.push(&run[start..]);
    parts
}

/// Whether an absolute path starts at byte `at`: `/` or a drive (`C:\`, `C:/`).
fn absolute_at(text: &str, at: usize) -> bool {
    let b = text.as_bytes();
    match b.get(at) {
        Some(b'/') => true,
        Some(c) if c.is_ascii_alphabetic() => {
            b.get(at + 1) == Some(&b':') && matches!(b.get(at + 2), Some(b'\\' | b'/'))
        }
        _ => false,
    }
}

/// The host path in one segment, if any: from the earliest marker to the end.
fn host_path(segment: &str) -> Option<&str> {
    let start = [root_marker(segment), cargo_home_marker(segment)]
        .into_iter()
        .flatten()
        .min()?;
    Some(&segment[start..])
}

/// Where the first acceptable `/home/`-style marker starts.
fn root_marker(segment: &str) -> Option<usize> {
    const ROOTS: [&str; 4] = ["/home/", "/root/", "/tmp/", "/Users/"];
    let inside_absolute = absolute_at(segment, 0);
    let bytes = segment.as_bytes();
    (0..segment.len()).find_map(|i| {
        let marker_len = ROOTS
            .iter()
            .find(|root| segment[i..].starts_with(*root))
            .map(|root| root.len())
            .or_else(|| windows_users_at(segment, i))?;
        let at_start = i == 0 || matches!(bytes[i - 1], b'=' | b':' | b',');
        let names = names_after(&segment[i + marker_len..]);
        let accepted = if at_start {
            names >= 1
        } else {
            !inside_absolute && names >= 2
        };
        accepted.then_some(i)
    })
}

/// The length of `X:\Users\` (or `X:/Users/`, any case) at `i`, if it is there.
fn windows_users_at(segment: &str, i: usize) -> Option<usize> {
    const LEN: usize = "C:\\Users\\".len();
    let candidate = segment.get(i..i + LEN)?;
    let b = candidate.as_bytes();
    let separator = b[2];
    let is_users = b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && matches!(separator, b'\\' | b'/')
        && candidate[3..8].eq_ignore_ascii_case("users")
        && b[8] == separator;
    is_users.then_some(LEN)
}

/// How many non-empty names `rest` starts with, counting up to two
/// (`alice` → 1, `alice/x.rs` → 2, `` → 0).
fn names_after(rest: &str) -> usize {
    rest.split(['/', '\\'])
        .take(2)
        .take_while(|name| !name.is_empty())
        .count()
}

/// Where the absolute path around a cargo- or rustup-home marker starts.
fn cargo_home_marker(segment: &str) -> Option<usize> {
    const DOT_HOMES: [&str; 4] = ["/.cargo/", "\\.cargo\\", "/.rustup/", "\\.rustup\\"];
    const CONTAINER_HOMES: [&str; 3] = ["/cargo/registry/", "/cargo/git/", "/rustup/toolchains/"];
    let path_start = |i: usize| (0..=i).find(|&s| absolute_at(segment, s));
    // Both need a directory before them: `~/.cargo/bin` in a help text is no path.
    let dot = DOT_HOMES
        .iter()
        .filter_map(|m| segment.find(m))
        .filter_map(|i| path_start(i).filter(|&s| s < i))
        .min();
    let container = CONTAINER_HOMES
        .iter()
        .filter_map(|m| segment.find(m))
        .filter_map(|i| path_start(i).filter(|&s| s < i))
        .min();
    dot.into_iter().chain(container).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(text: &str) -> Vec<String> {
        host_paths(text.as_bytes())
    }

    #[test]
    fn feeds_split_anywhere_find_what_one_feed_finds() {
        // Noise without markers around two paths, split at every byte: the
        // marker-free fast path must keep runs that cross feeds.
        let mut bytes: Vec<u8> = (0..3000u32)
            .map(|i| b"ab c/d\\x:y."[(i % 11) as usize])
            .collect();
        bytes.extend_from_slice(b" /home/alice/src/main.rs ");
        bytes.extend((0..3000u32).map(|i| b"qr s\\t."[(i % 7) as usize]));
        bytes.extend_from_slice(b"=/root/.cargo/registry/src/x.rs\0");
        bytes.extend((0..500u32).map(|i| (i * 37 % 251) as u8));
        let whole = host_paths(&bytes);
        assert_eq!(
            whole,
            ["/home/alice/src/main.rs", "/root/.cargo/registry/src/x.rs"]
        );
        for at in (0..bytes.len())
            .step_by(7)
            .chain(3000..3030)
            .chain(6020..6060)
        {
            let mut scanner = HostPathScanner::new();
            scanner.feed(&bytes[..at]);
            scanner.feed(&bytes[at..]);
            assert_eq!(scanner.finish(), whole, "split at {at}");
        }
        let mut scanner = HostPathScanner::new();
        for chunk in bytes.chunks(3) {
            scanner.feed(chunk);
        }
        assert_eq!(scanner.finish(), whole);
    }

    #[test]
    fn home_temp_and_user_directories_are_found() {
        let bytes = b"\0/home/alice/src/x.rs\0/root/.cargo/registry/src/a/lib.rs\0\
                      /tmp/.tmpAb12/build/main.rs\0/Users/bob/proj/main.rs\0\
                      C:\\Users\\carol\\src\\main.rs\0c:/users/dave/x.rs\0";
        assert_eq!(
            host_paths(bytes),
            [
                "/Users/bob/proj/main.rs",
                "/home/alice/src/x.rs",
                "/root/.cargo/registry/src/a/lib.rs",
                "/tmp/.tmpAb12/build/main.rs",
                "C:\\Users\\carol\\src\\main.rs",
                "c:/users/dave/x.rs",
            ]
        );
    }

    #[test]
    fn cargo_and_rustup_homes_are_found_wherever_they_live() {
        assert_eq!(
            paths("x /opt/ci/.cargo/registry/src/index.crates.io-1/foo-1.0/src/lib.rs y"),
            ["/opt/ci/.cargo/registry/src/index.crates.io-1/foo-1.0/src/lib.rs"]
        );
        assert_eq!(
            paths(" /usr/local/cargo/registry/src/i/foo-1.0/src/lib.rs "),
            ["/usr/local/cargo/registry/src/i/foo-1.0/src/lib.rs"]
        );
        assert_eq!(
            paths(" /usr/local/rustup/toolchains/1.95/lib/rustlib/src/rust/library/std/src/io.rs "),
            ["/usr/local/rustup/toolchains/1.95/lib/rustlib/src/rust/library/std/src/io.rs"]
        );
    }

    #[test]
    fn remapped_and_relative_paths_are_not_leaks() {
        let clean = "\0/cargo/registry/src/index.crates.io-1/home-0.5.9/src/lib.rs\0\
                     /rustup/toolchains/stable/lib/rustlib/src/rust/library/core/src/fmt.rs\0\
                     /rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/std/src/io.rs\0\
                     /build/src/home/user/mod.rs\0src/home/mod.rs\0src/tmp/mod.rs\0/tmp\0/tmp/\0\
                     /home\0/target/release/build/x/out/tmp/a/b.rs\0\
                     see ~/.cargo/bin\0$CARGO_HOME/.cargo/config.toml\0";
        assert_eq!(paths(clean), Vec::<String>::new());
    }

    #[test]
    fn paths_joined_to_other_strings_are_cut_out() {
        // Rust string literals sit back to back in .rodata.
        assert_eq!(
            paths("called `Option::unwrap()` on a `None` value/home/alice/src/main.rs"),
            ["/home/alice/src/main.rs"]
        );
        assert_eq!(
            paths("src/lib.rs/home/alice/src/x.rs/root/y/z.rs"),
            ["/home/alice/src/x.rs", "/root/y/z.rs"]
        );
        assert_eq!(
            paths("--remap-path-prefix=/home/alice=/build"),
            ["/home/alice=/build"]
        );
        assert_eq!(paths("C:\\Users\\Alice Smith\\x"), ["C:\\Users\\Alice"]);
        assert_eq!(
            paths("/home/alice/src/x.rsTryFromSliceError"),
            ["/home/alice/src/x.rs"]
        );
        assert_eq!(
            paths("/home/alice/.rsync/filter"),
            ["/home/alice/.rsync/filter"]
        );
    }

    #[test]
    fn results_are_distinct_sorted_and_bounded() {
        let mut text = String::new();
        for i in (0..2 * MAX_HOST_PATHS).rev() {
            text.push_str(&format!(" /home/u{i:03}/x.rs /home/u{i:03}/x.rs"));
        }
        let found = paths(&text);
        assert_eq!(found.len(), MAX_HOST_PATHS);
        assert_eq!(found[0], "/home/u000/x.rs");
        assert_eq!(
            found[MAX_HOST_PATHS - 1],
            format!("/home/u{:03}/x.rs", MAX_HOST_PATHS - 1)
        );
        let long = format!(" /home/alice/{} ", "a".repeat(2 * MAX_PATH_LEN));
        assert_eq!(paths(&long)[0].len(), MAX_PATH_LEN);
    }

    #[test]
    fn a_stream_finds_paths_split_across_reads() {
        let bytes = b"junk\0/home/alice/src/x.rs\0more".to_vec();
        for split in 0..bytes.len() {
            let mut scanner = HostPathScanner::new();
            scanner.feed(&bytes[..split]);
            scanner.feed(&bytes[split..]);
            assert_eq!(
                scanner.finish(),
                ["/home/alice/src/x.rs"],
                "split at {split}"
            );
        }
        let reader = io::Cursor::new(bytes);
        assert_eq!(host_paths_in(reader).unwrap(), ["/home/alice/src/x.rs"]);
    }
}
