//! The squashfs writer on its own, read back by squashfs-tools (`unsquashfs -s`,
//! `-lln`, `-d` + `diff -r`), by the Linux kernel (`mount -o loop`, as root) and
//! by backhand's reader.

use std::fs;
use std::io::Cursor;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;

use crateship_appimage::{
    AppDirEntry, AppImageError, Compression, EntryKind, SquashfsOptions, write_squashfs,
};
use crateship_linux::FileSource;

use crate::{SDE, output, run, stdout};

const MTIME: u32 = SDE as u32;
const BLOCK: usize = 128 * 1024;

/// Deterministic pseudo-random bytes (xorshift), incompressible.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn text(len: usize) -> Vec<u8> {
    b"squashfs text line with words that repeat, "
        .iter()
        .cycle()
        .take(len)
        .copied()
        .collect()
}

/// A source tree with every case the writer handles: nested and empty
/// directories, empty files, files of exactly one and several blocks with
/// and without a tail, all-zero blocks (holes), incompressible data, symlinks
/// (also dangling), non-ASCII names, several modes, and a directory large
/// enough for several header runs and an index.
fn source_tree(root: &Path) {
    let mk = |rel: &str, data: &[u8], mode: u32| {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, data).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    };
    mk("empty", b"", 0o644);
    mk("usr/bin/tool", &text(3 * BLOCK + 77), 0o755);
    mk("usr/share/one-block.bin", &noise(BLOCK, 1), 0o644);
    mk(
        "usr/share/noise-tail.bin",
        &noise(2 * BLOCK + 4000, 2),
        0o600,
    );
    let mut holes = vec![0u8; 4 * BLOCK + 10];
    holes[BLOCK + 5] = 1;
    mk("usr/share/holes.bin", &holes, 0o644);
    mk("usr/share/zeros-only.bin", &vec![0u8; 2 * BLOCK], 0o644);
    mk("usr/share/naïve ✓ – файл.txt", b"non-ASCII name\n", 0o644);
    mk("usr/share/doc/tiny", b"x", 0o644);
    fs::create_dir_all(root.join("usr/share/empty-dir")).unwrap();
    for i in 0..700 {
        mk(
            &format!("many/entry-with-a-rather-long-name-to-fill-the-listing-{i:04}.txt"),
            format!("file {i}\n").as_bytes(),
            if i % 3 == 0 { 0o755 } else { 0o644 },
        );
    }
    symlink("usr/bin/tool", root.join("AppRun")).unwrap();
    symlink("../bin/tool", root.join("usr/share/tool-link")).unwrap();
    symlink("does/not/exist", root.join("dangling")).unwrap();
}

/// The entries of `root` in the order `appdir_entries` gives them.
fn entries_of(root: &Path) -> Vec<AppDirEntry> {
    fn walk(root: &Path, rel: &str, out: &mut Vec<AppDirEntry>) {
        let mut names: Vec<String> = fs::read_dir(root.join(rel))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        for name in names {
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let full = root.join(&path);
            let meta = fs::symlink_metadata(&full).unwrap();
            let kind = if meta.is_dir() {
                EntryKind::Dir
            } else if meta.file_type().is_symlink() {
                EntryKind::Symlink(fs::read_link(&full).unwrap().to_str().unwrap().into())
            } else {
                EntryKind::File {
                    source: FileSource::Path(full),
                    mode: (meta.permissions().mode() & 0o7777) as u16,
                }
            };
            let is_dir = matches!(kind, EntryKind::Dir);
            out.push(AppDirEntry {
                path: path.clone(),
                kind,
            });
            if is_dir {
                walk(root, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, "", &mut out);
    out
}

fn options(compression: Compression) -> SquashfsOptions {
    let mut o = SquashfsOptions::new(MTIME);
    o.compression = compression;
    o
}

fn write(entries: &[AppDirEntry], options: &SquashfsOptions, out: &Path) {
    let file = fs::File::create(out).unwrap();
    write_squashfs(entries, options, file).unwrap();
}

/// `unsquashfs -lln`-style lines expected for `root`: mode, 0/0, size, mtime.
fn expected_listing(root: &Path) -> Vec<String> {
    let out = stdout(
        Command::new("find")
            .arg(".")
            .args(["-printf", "%M %s %p -> %l\n"])
            .current_dir(root),
    );
    let mut lines: Vec<String> = out
        .lines()
        .filter(|l| !l.starts_with("d")) // directory sizes differ by file system
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let (mode, size, rest) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            let rest = rest.trim_start_matches("./").trim_end_matches(" -> ");
            let size = if mode.starts_with('l') {
                rest.split(" -> ").nth(1).unwrap().len().to_string()
            } else {
                size.to_string()
            };
            format!("{mode} 0/0 {size} 2024-05-01 12:00 squashfs-root/{rest}")
        })
        .collect();
    lines.sort();
    lines
}

fn unsquashfs_listing(image: &Path) -> Vec<String> {
    let out = stdout(
        Command::new("unsquashfs")
            .env("TZ", "UTC")
            .arg("-lln")
            .arg(image),
    );
    let mut lines: Vec<String> = out
        .lines()
        .filter(|l| l.contains("squashfs-root") && !l.starts_with('d'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    lines.sort();
    lines
}

fn dir_lines(image: &Path) -> Vec<String> {
    stdout(
        Command::new("unsquashfs")
            .env("TZ", "UTC")
            .arg("-lln")
            .arg(image),
    )
    .lines()
    .filter(|l| l.starts_with('d'))
    .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    .collect()
}

fn modes(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = stdout(
        Command::new("find")
            .arg(".")
            .args(["-printf", "%M %p\n"])
            .current_dir(root),
    )
    .lines()
    .map(str::to_owned)
    .collect();
    v.sort();
    v
}

/// Checks `image` against `src` with squashfs-tools, the kernel and backhand.
fn check_image(image: &Path, src: &Path, compression: &str, scratch: &Path) {
    let sb = stdout(Command::new("unsquashfs").arg("-s").arg(image));
    assert!(sb.contains(&format!("Compression {compression}")), "{sb}");
    assert!(sb.contains("Block size 131072"), "{sb}");
    assert!(sb.contains("Number of ids 1"), "{sb}");

    assert_eq!(unsquashfs_listing(image), expected_listing(src));
    for line in dir_lines(image) {
        assert!(line.starts_with("drwxr-xr-x 0/0 "), "{line}");
        assert!(line.contains(" 2024-05-01 12:00 "), "{line}");
    }

    let extracted = scratch.join("extracted");
    run(Command::new("unsquashfs")
        .args(["-q", "-n", "-d"])
        .arg(&extracted)
        .arg(image));
    run(Command::new("diff")
        .args(["-r", "--no-dereference"])
        .arg(src)
        .arg(&extracted));
    assert_eq!(modes(src), modes(&extracted));

    // The kernel's squashfs: readdir, lookups through the directory index, reads.
    let mnt = scratch.join("mnt");
    fs::create_dir_all(&mnt).unwrap();
    run(Command::new("mount")
        .args(["-t", "squashfs", "-o", "loop,ro"])
        .arg(image)
        .arg(&mnt));
    let guard = Unmount(&mnt);
    let diff = output(
        Command::new("diff")
            .args(["-r", "--no-dereference"])
            .arg(src)
            .arg(&mnt),
    );
    assert!(
        diff.status.success(),
        "kernel view differs:\n{}{}",
        String::from_utf8_lossy(&diff.stdout),
        String::from_utf8_lossy(&diff.stderr)
    );
    assert_eq!(modes(src), modes(&mnt));
    let name = "entry-with-a-rather-long-name-to-fill-the-listing-0613.txt";
    assert_eq!(
        fs::read(mnt.join("many").join(name)).unwrap(),
        b"file 613\n"
    );
    drop(guard);

    backhand_matches(image, src);
}

/// Unmounts a loop mount when dropped, also when an assertion failed.
struct Unmount<'a>(&'a Path);

impl Drop for Unmount<'_> {
    fn drop(&mut self) {
        let status = Command::new("umount").arg(self.0).status();
        assert!(
            std::thread::panicking() || status.is_ok_and(|s| s.success()),
            "cannot unmount {}",
            self.0.display()
        );
    }
}

/// backhand's reader sees the same paths, modes, ids, times, contents and links.
fn backhand_matches(image: &Path, src: &Path) {
    let file = std::io::BufReader::new(fs::File::open(image).unwrap());
    let fs_reader = backhand::FilesystemReader::from_reader(file).unwrap();
    let mut seen = 0;
    for node in fs_reader.files() {
        let rel = node.fullpath.strip_prefix("/").unwrap();
        assert_eq!(node.header.uid, 0);
        assert_eq!(node.header.gid, 0);
        assert_eq!(node.header.mtime, MTIME);
        if rel.as_os_str().is_empty() {
            continue;
        }
        seen += 1;
        let path = src.join(rel);
        let meta = fs::symlink_metadata(&path).unwrap();
        match &node.inner {
            backhand::InnerNode::Dir(_) => assert!(meta.is_dir(), "{rel:?}"),
            backhand::InnerNode::Symlink(link) => {
                assert_eq!(link.link, fs::read_link(&path).unwrap(), "{rel:?}")
            }
            backhand::InnerNode::File(f) => {
                assert_eq!(
                    u32::from(node.header.permissions),
                    meta.permissions().mode() & 0o7777,
                    "{rel:?}"
                );
                let mut data = Vec::new();
                std::io::copy(&mut fs_reader.file(f).reader(), &mut data).unwrap();
                assert!(data == fs::read(&path).unwrap(), "content of {rel:?}");
            }
            other => panic!("unexpected node {other:?}"),
        }
    }
    let count = stdout(Command::new("find").arg(".").current_dir(src))
        .lines()
        .count()
        - 1;
    assert_eq!(seen, count);
}

#[test]
fn zstd_image_reads_back_identically_with_unsquashfs_the_kernel_and_backhand() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    source_tree(&src);
    let image = tmp.path().join("zstd.sqfs");
    write(
        &entries_of(&src),
        &options(Compression::Zstd { level: 15 }),
        &image,
    );
    assert_eq!(
        fs::metadata(&image).unwrap().len() % 4096,
        0,
        "padded to 4 KiB"
    );
    check_image(&image, &src, "zstd", tmp.path());
}

#[test]
fn gzip_image_reads_back_identically_with_unsquashfs_the_kernel_and_backhand() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    source_tree(&src);
    let image = tmp.path().join("gzip.sqfs");
    write(
        &entries_of(&src),
        &options(Compression::Gzip { level: 9 }),
        &image,
    );
    check_image(&image, &src, "gzip", tmp.path());
}

#[test]
fn output_is_byte_identical_for_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    source_tree(&src);
    let entries = entries_of(&src);
    let mut images = Vec::new();
    for threads in [1, 2, 5] {
        let mut o = options(Compression::default());
        o.threads = threads;
        let out = write_squashfs(&entries, &o, Cursor::new(Vec::new())).unwrap();
        images.push(out.into_inner());
    }
    assert!(images[0] == images[1] && images[1] == images[2]);
}

#[test]
fn image_starts_at_the_writers_position() {
    // As in an AppImage: every offset is relative to the superblock.
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    source_tree(&src);
    let mut out = Cursor::new(b"RUNTIME-HEAD".to_vec());
    out.set_position(12);
    let out = write_squashfs(&entries_of(&src), &options(Compression::default()), out).unwrap();
    let bytes = out.into_inner();
    assert_eq!(&bytes[..12], b"RUNTIME-HEAD");
    let image = tmp.path().join("offset.sqfs");
    fs::write(&image, &bytes).unwrap();
    let listing = stdout(
        Command::new("unsquashfs")
            .args(["-ll", "-o", "12"])
            .arg(&image),
    );
    assert!(listing.contains("squashfs-root/usr/bin/tool"), "{listing}");
}

/// A file over 4 GiB (written sparse, so it costs no disk) needs the extended
/// file inode with 64-bit sizes; unsquashfs and the kernel must agree on it.
#[test]
fn file_over_4_gib_uses_the_extended_inode() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    let big = src.join("big.bin");
    let size: u64 = (4 << 30) + 3 * BLOCK as u64 + 1234;
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = fs::File::create(&big).unwrap();
        f.write_all(b"head").unwrap();
        f.seek(SeekFrom::Start(5 << 20)).unwrap();
        f.write_all(&noise(3 * BLOCK, 9)).unwrap();
        f.seek(SeekFrom::Start(size - 5)).unwrap();
        f.write_all(b"tail!").unwrap();
    }
    fs::write(src.join("small.txt"), b"after the big one\n").unwrap();
    let image = tmp.path().join("big.sqfs");
    write(&entries_of(&src), &options(Compression::default()), &image);
    assert!(
        fs::metadata(&image).unwrap().len() < (4 << 20),
        "zero blocks must be stored as holes"
    );
    let listing = stdout(
        Command::new("unsquashfs")
            .env("TZ", "UTC")
            .arg("-lln")
            .arg(&image),
    );
    assert!(
        listing.contains(&format!(" {size} 2024-05-01 12:00 squashfs-root/big.bin")),
        "{listing}"
    );
    // Our own bytes: the inode is type 9 (extended regular file).
    let fs_reader = backhand::FilesystemReader::from_reader(std::io::BufReader::new(
        fs::File::open(&image).unwrap(),
    ))
    .unwrap();
    let node = fs_reader
        .files()
        .find(|n| n.fullpath == Path::new("/big.bin"))
        .unwrap();
    let backhand::InnerNode::File(f) = &node.inner else {
        panic!("not a file")
    };
    assert_eq!(f.file_len() as u64, size);
    assert!(
        matches!(f, backhand::SquashfsFileReader::Extended(_)),
        "{f:?}"
    );

    let extracted = tmp.path().join("x");
    run(Command::new("unsquashfs")
        .args(["-q", "-n", "-d"])
        .arg(&extracted)
        .arg(&image));
    run(Command::new("cmp").arg(&big).arg(extracted.join("big.bin")));
    run(Command::new("cmp")
        .arg(src.join("small.txt"))
        .arg(extracted.join("small.txt")));
}

#[test]
fn bad_input_names_the_entry_and_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let sink = || Cursor::new(Vec::new());
    let file = |path: &str, source: FileSource| AppDirEntry {
        path: path.into(),
        kind: EntryKind::File {
            source,
            mode: 0o644,
        },
    };

    let missing = tmp.path().join("missing-source.bin");
    let entries = [file("usr-data", FileSource::Path(missing.clone()))];
    let err = write_squashfs(&entries, &options(Compression::default()), sink()).unwrap_err();
    assert!(matches!(err, AppImageError::ReadSource { .. }), "{err}");
    assert!(err.to_string().contains("missing-source.bin"), "{err}");
    assert!(err.to_string().contains("usr-data"), "{err}");

    let entries = [file("no/parent", FileSource::Bytes(b"x".to_vec()))];
    let err = write_squashfs(&entries, &options(Compression::default()), sink()).unwrap_err();
    assert!(err.to_string().contains("no/parent"), "{err}");
    assert!(err.to_string().contains("parent directory"), "{err}");

    let entries = [
        file("twice", FileSource::Bytes(b"x".to_vec())),
        file("twice", FileSource::Bytes(b"y".to_vec())),
    ];
    let err = write_squashfs(&entries, &options(Compression::default()), sink()).unwrap_err();
    assert!(err.to_string().contains("twice"), "{err}");

    let err = write_squashfs(&[], &options(Compression::Zstd { level: 23 }), sink()).unwrap_err();
    assert!(err.to_string().contains("1..=22"), "{err}");
    let err = write_squashfs(&[], &options(Compression::Gzip { level: 0 }), sink()).unwrap_err();
    assert!(err.to_string().contains("1..=9"), "{err}");
    let mut o = options(Compression::default());
    o.block_size = 100_000;
    let err = write_squashfs(&[], &o, sink()).unwrap_err();
    assert!(err.to_string().contains("power of two"), "{err}");
}
