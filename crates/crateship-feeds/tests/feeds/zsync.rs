//! `.zsync` files against Debian's zsync 0.6.2: `zsyncmake` writes the same bytes for
//! the same file, name, mtime, URL and block size, and the `zsync` client rebuilds a
//! changed file from an old one plus the blocks it fetches over loopback HTTP.

use std::fs::{self, File};
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use crateship_feeds::FeedError;
use crateship_feeds::zsync::{ZsyncHeader, default_block_size, write_zsync};
use tempfile::TempDir;

use crate::support::{Server, noise, run_in, run_ok, text};

const MTIME: i64 = 1_700_000_000;

/// Writes `data` as `dir/name` with mtime [`MTIME`] (zsyncmake reads the mtime from
/// the file).
fn fixture(dir: &Path, name: &str, data: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::write(&path, data).unwrap();
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(MTIME as u64))
        .unwrap();
    path
}

fn header(name: &str, length: u64, block_size: Option<u32>) -> ZsyncHeader {
    ZsyncHeader {
        file_name: name.to_owned(),
        length,
        mtime: MTIME,
        url: name.to_owned(),
        block_size,
    }
}

fn ours(path: &Path, block_size: Option<u32>, threads: usize) -> Vec<u8> {
    let name = path.file_name().unwrap().to_str().unwrap();
    let length = fs::metadata(path).unwrap().len();
    let mut out = Vec::new();
    write_zsync(
        File::open(path).unwrap(),
        &header(name, length, block_size),
        &mut out,
        threads,
    )
    .unwrap();
    out
}

/// What Debian's `zsyncmake` writes for `path` (`-b` when `block_size` is given).
fn theirs(path: &Path, block_size: Option<u32>) -> Vec<u8> {
    let dir = path.parent().unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let out = dir.join(format!("{name}.theirs.zsync"));
    let mut args: Vec<String> = Vec::new();
    if let Some(b) = block_size {
        args.extend(["-b".into(), b.to_string()]);
    }
    args.extend([
        "-u".into(),
        name.into(),
        "-o".into(),
        out.to_str().unwrap().into(),
        name.into(),
    ]);
    let args: Vec<&dyn AsRef<std::ffi::OsStr>> = args.iter().map(|a| a as _).collect();
    run_ok(dir, "zsyncmake", &args);
    fs::read(out).unwrap()
}

/// The part of a `.zsync` after the blank line that ends the header.
fn checksums(zsync: &[u8]) -> &[u8] {
    let end = zsync.windows(2).position(|w| w == b"\n\n").unwrap();
    &zsync[end + 2..]
}

#[test]
fn zsyncmake_writes_the_same_bytes_for_every_length_and_block_size() {
    let dir = TempDir::new().unwrap();
    // An ELF-like start, as an AppImage has: zsyncmake special-cases gzip magic only.
    let mut data = noise(3_000_003, 7);
    data[..4].copy_from_slice(b"\x7fELF");
    let cases: &[(usize, Option<u32>)] = &[
        (0, None),              // empty file
        (1, None),              // one byte
        (2047, Some(2048)),     // one short block
        (2048, Some(2048)),     // exactly one block
        (2049, Some(2048)),     // one block and one byte
        (3 * 4096, Some(4096)), // an exact multiple of the block size
        (5000, Some(512)),
        (65_536 * 5 + 17, Some(65_536)),
        (1_000_003, None), // default block size below 100 MB
        (3_000_003, Some(1024)),
    ];
    for &(len, block_size) in cases {
        let name = format!("Hello-{len}-x86_64.AppImage");
        let path = fixture(dir.path(), &name, &data[..len]);
        let ours = ours(&path, block_size, 2);
        let theirs = theirs(&path, block_size);
        assert_eq!(
            checksums(&ours),
            checksums(&theirs),
            "block checksums differ for {len} bytes, block size {block_size:?}"
        );
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs),
            "{len} bytes, block size {block_size:?}"
        );
        assert_eq!(ours, theirs, "{len} bytes, block size {block_size:?}");
    }
}

#[test]
fn zsyncmake_agrees_on_the_default_block_size_from_100_million_bytes() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("large.AppImage");
    let file = File::create(&path).unwrap();
    file.set_len(100_000_000).unwrap();
    file.set_modified(UNIX_EPOCH + Duration::from_secs(MTIME as u64))
        .unwrap();
    drop(file);
    assert_eq!(default_block_size(100_000_000), 4096);
    let ours = ours(&path, None, 0);
    assert!(String::from_utf8_lossy(&ours[..200]).contains("Blocksize: 4096\n"));
    assert_eq!(ours, theirs(&path, None));
}

#[test]
fn the_output_is_the_same_for_any_thread_count_and_run() {
    let dir = TempDir::new().unwrap();
    let path = fixture(dir.path(), "app.AppImage", &noise(5_000_000, 3));
    let first = ours(&path, Some(2048), 1);
    for threads in [1, 2, 3, 8] {
        assert_eq!(ours(&path, Some(2048), threads), first, "{threads} threads");
    }
}

#[test]
fn the_zsync_client_rebuilds_a_changed_file_from_the_old_one_fetching_only_the_change() {
    let work = TempDir::new().unwrap();
    let served = TempDir::new().unwrap();
    let name = "Hello-1.1.0-x86_64.AppImage";
    let old = noise(8 << 20, 11);
    let mut new = old.clone();
    // One changed region (as after a small change in the app) ...
    new[3_000_000..3_010_000].copy_from_slice(&noise(10_000, 99));
    // ... and a few bytes inserted, which shifts everything after them.
    new.splice(6_000_000..6_000_000, b"inserted".iter().copied());
    fs::write(served.path().join(name), &new).unwrap();
    let mut zsync = Vec::new();
    let summary = write_zsync(
        new.as_slice(),
        &header(name, new.len() as u64, None),
        &mut zsync,
        0,
    )
    .unwrap();
    assert_eq!(summary.block_size, 2048);
    fs::write(served.path().join(format!("{name}.zsync")), &zsync).unwrap();
    fs::write(work.path().join("Hello-1.0.0-x86_64.AppImage"), &old).unwrap();

    let server = Server::start(served.path());
    let out = run_in(
        work.path(),
        "zsync",
        &[
            &"-q",
            &"-i",
            &"Hello-1.0.0-x86_64.AppImage",
            &"-o",
            &"rebuilt.AppImage",
            &server.url(&format!("{name}.zsync")),
        ],
    );
    assert!(out.status.success(), "zsync failed: {}", text(&out));
    assert!(
        fs::read(work.path().join("rebuilt.AppImage")).unwrap() == new,
        "rebuilt file differs"
    );
    let fetched = server.bytes_served(name);
    let ratio = fetched as f64 / new.len() as f64;
    eprintln!(
        "zsync fetched {fetched} of {} bytes ({:.3} %) for one 10 kB change and one 8-byte insertion",
        new.len(),
        ratio * 100.0
    );
    assert!(fetched > 0, "nothing was fetched, yet the file changed");
    assert!(
        ratio < 0.02,
        "fetched {fetched} bytes, {:.1} % of the file",
        ratio * 100.0
    );
}

#[test]
fn a_file_of_another_length_than_the_header_says_is_an_error_naming_it() {
    for (actual, claimed) in [(100usize, 101u64), (101, 100)] {
        let data = noise(actual, 5);
        let err = write_zsync(
            data.as_slice(),
            &header("app.AppImage", claimed, None),
            Vec::new(),
            1,
        )
        .unwrap_err();
        assert!(matches!(err, FeedError::LengthMismatch { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains("app.AppImage"), "{message}");
        assert!(message.contains("pass the length"), "{message}");
    }
}

#[test]
fn header_values_that_break_the_format_are_refused_with_the_fix() {
    let cases = [
        (
            ZsyncHeader {
                block_size: Some(3000),
                ..header("a.AppImage", 1, None)
            },
            "power of two",
        ),
        (
            ZsyncHeader {
                block_size: Some(256),
                ..header("a.AppImage", 1, None)
            },
            "power of two",
        ),
        (
            ZsyncHeader {
                url: "a\nURL: evil".into(),
                ..header("a.AppImage", 1, None)
            },
            "line break",
        ),
        (header("dir/a.AppImage", 1, None), "file name only"),
        (header("", 1, None), "empty"),
    ];
    for (header, fix) in cases {
        let err = write_zsync(&b"x"[..], &header, Vec::new(), 1).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(fix), "{message}");
        assert!(message.contains(".zsync"), "{message}");
    }
}
