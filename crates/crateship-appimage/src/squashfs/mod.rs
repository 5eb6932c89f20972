//! Our squashfs 4.0 writer: the AppImage payload, written in one streaming pass.
//!
//! File data is read in entry order and cut into blocks (128 KiB by default)
//! that a small thread pool compresses (zstd or gzip) while results are written
//! back in submission order, so the output never depends on thread timing.
//! Tail ends shorter than a block are packed into fragment blocks; all-zero
//! blocks become holes; blocks that zstd's fastest level cannot shrink at all
//! (random or already compressed data) are stored raw without spending the
//! real level on them. Then come the metadata tables, in the order the kernel
//! checks them: inodes (children before their directory, the root last),
//! directories (header runs of at most 256 entries, an index for listings
//! longer than one metadata block), fragments, ids (a single id 0), and finally
//! the superblock is patched in at the start. No export table, no xattrs, no
//! duplicate detection.
//!
//! Architecture Invariant: the same entries and options give byte-identical
//! output for any thread count; memory stays bounded by the blocks in flight
//! plus the metadata tables, whatever the payload size.

mod compress;
mod meta;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use crateship_linux::FileSource;

use crate::{AppDirEntry, AppImageError, EntryKind};
use compress::{Codec, Packed, Pipeline};
use meta::{METADATA_SIZE, MetaWriter, indexed_table};

/// The zstd level used unless told otherwise: the one `mksquashfs -comp zstd`
/// uses by default, so images match squashfs-tools' size at the same speed.
pub const DEFAULT_ZSTD_LEVEL: i32 = 15;

/// The gzip (zlib) level used unless told otherwise (as `mksquashfs`).
pub const DEFAULT_GZIP_LEVEL: u32 = 9;

/// How data and metadata blocks are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// zstd (squashfs compression id 6) at `level` 1..=22; read by Linux 4.14+,
    /// squashfs-tools 4.4+ and the crateship runtime.
    Zstd {
        /// Compression level, 1..=22.
        level: i32,
    },
    /// zlib streams (squashfs "gzip", id 1) at `level` 1..=9; read everywhere.
    Gzip {
        /// Compression level, 1..=9.
        level: u32,
    },
}

impl Default for Compression {
    fn default() -> Self {
        Compression::Zstd {
            level: DEFAULT_ZSTD_LEVEL,
        }
    }
}

impl Compression {
    fn id(self) -> u16 {
        match self {
            Compression::Gzip { .. } => 1,
            Compression::Zstd { .. } => 6,
        }
    }

    fn validate(self) -> Result<(), AppImageError> {
        let (ok, value, range) = match self {
            Compression::Zstd { level } => ((1..=22).contains(&level), level.to_string(), "1..=22"),
            Compression::Gzip { level } => ((1..=9).contains(&level), level.to_string(), "1..=9"),
        };
        if ok {
            Ok(())
        } else {
            Err(AppImageError::InvalidInput {
                field: "compression level",
                value,
                reason: format!("must be in {range} for {self:?}"),
            })
        }
    }
}

/// Settings of one squashfs image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SquashfsOptions {
    /// Block compression.
    pub compression: Compression,
    /// Data block size: a power of two from 4 KiB to 1 MiB.
    pub block_size: u32,
    /// Modification time of every inode and of the image, seconds since the epoch.
    pub mtime: u32,
    /// Compression threads; 0 = one per available CPU. The output is the same
    /// for every value.
    pub threads: usize,
}

impl SquashfsOptions {
    /// zstd at [`DEFAULT_ZSTD_LEVEL`], [`BLOCK_SIZE`](crate::BLOCK_SIZE) blocks,
    /// one thread per CPU, every time = `mtime`.
    pub fn new(mtime: u32) -> SquashfsOptions {
        SquashfsOptions {
            compression: Compression::default(),
            block_size: crate::BLOCK_SIZE,
            mtime,
            threads: 0,
        }
    }
}

const SUPERBLOCK_SIZE: u64 = 96;
const NO_FRAGMENT: u32 = 0xFFFF_FFFF;
const NO_XATTR: u32 = 0xFFFF_FFFF;
const NO_TABLE: u64 = u64::MAX;
/// Superblock flag: the image carries no extended attributes.
const FLAG_NO_XATTRS: u16 = 0x0200;
/// Data block size word: bit 24 = stored uncompressed.
const BLOCK_UNCOMPRESSED: u32 = 1 << 24;
/// Images are padded to a multiple of 4 KiB (as mksquashfs does), for loop devices.
const PAD: u64 = 4096;

/// Inode type numbers (basic and extended).
const T_DIR: u16 = 1;
const T_FILE: u16 = 2;
const T_SYMLINK: u16 = 3;
const T_LDIR: u16 = 8;
const T_LFILE: u16 = 9;

/// A directory of the tree being written.
struct Dir {
    mode: u16,
    /// Children by name (byte order, as readers expect).
    children: BTreeMap<Vec<u8>, Node>,
}

enum Node {
    Dir(Dir),
    /// Index into `files`.
    File(usize),
    Symlink(Vec<u8>),
}

/// One regular file: where its content comes from and where it went.
struct FileData<'a> {
    source: &'a FileSource,
    dest: &'a str,
    mode: u16,
    size: u64,
    blocks_start: u64,
    block_sizes: Vec<u32>,
    /// (fragment index, offset inside it) of the tail end.
    fragment: Option<(u32, u32)>,
    /// Bytes stored as holes.
    sparse: u64,
}

/// What a compressed block belongs to.
enum Tag {
    /// Block of file `file`; `first` = its first block.
    File { file: usize, first: bool },
    /// A fragment block.
    Fragment,
}

/// Writes `entries` (AppDir-relative paths; every parent directory listed
/// before its children, as [`appdir_entries`](crate::appdir_entries) gives
/// them) as a squashfs image at the current position of `out`, padded to a
/// multiple of 4 KiB. Every entry is owned by uid/gid 0. Returns `out`
/// positioned after the image.
pub fn write_squashfs<W: Write + Seek>(
    entries: &[AppDirEntry],
    options: &SquashfsOptions,
    mut out: W,
) -> Result<W, AppImageError> {
    options.compression.validate()?;
    if !(4096..=1 << 20).contains(&options.block_size) || !options.block_size.is_power_of_two() {
        return Err(AppImageError::InvalidInput {
            field: "squashfs block size",
            value: options.block_size.to_string(),
            reason: "must be a power of two from 4096 to 1048576 (128 KiB is usual)".into(),
        });
    }
    let (root, mut files) = build_tree(entries)?;
    let werr = |source| AppImageError::Write {
        what: "the squashfs payload".into(),
        source,
    };
    let base = out.stream_position().map_err(werr)?;
    out.write_all(&[0; SUPERBLOCK_SIZE as usize])
        .map_err(werr)?;
    let threads = crateship_support::pool::threads(options.threads);

    let mut buffered = BufWriter::with_capacity(1 << 20, &mut out);
    let (fragments, end_of_data) =
        write_data(&mut files, options, threads, &mut buffered, SUPERBLOCK_SIZE)?;
    buffered.flush().map_err(werr)?;
    drop(buffered);

    let mut codec = Codec::new(options.compression).map_err(werr)?;
    let tables = Tables::build(&root, &files, options, &mut codec).map_err(werr)?;
    let inode_table_start = end_of_data;
    let directory_table_start = inode_table_start + tables.inodes.len() as u64;
    let mut fragment_raw = Vec::with_capacity(fragments.len() * 16);
    for (start, size) in &fragments {
        fragment_raw.extend_from_slice(&start.to_le_bytes());
        fragment_raw.extend_from_slice(&size.to_le_bytes());
        fragment_raw.extend_from_slice(&0u32.to_le_bytes());
    }
    let (fragment_table, fragment_table_start) = indexed_table(
        &mut codec,
        &fragment_raw,
        directory_table_start + tables.dirs.len() as u64,
    )
    .map_err(werr)?;
    let (id_table, id_table_start) = indexed_table(
        &mut codec,
        &0u32.to_le_bytes(),
        directory_table_start + tables.dirs.len() as u64 + fragment_table.len() as u64,
    )
    .map_err(werr)?;
    let bytes_used = id_table_start + 8;
    for part in [&tables.inodes, &tables.dirs, &fragment_table, &id_table] {
        out.write_all(part).map_err(werr)?;
    }
    let padded = bytes_used.div_ceil(PAD) * PAD;
    out.write_all(&vec![0; (padded - bytes_used) as usize])
        .map_err(werr)?;

    let mut sb = Vec::with_capacity(SUPERBLOCK_SIZE as usize);
    sb.extend_from_slice(b"hsqs");
    sb.extend_from_slice(&tables.inode_count.to_le_bytes());
    sb.extend_from_slice(&options.mtime.to_le_bytes());
    sb.extend_from_slice(&options.block_size.to_le_bytes());
    sb.extend_from_slice(&(fragments.len() as u32).to_le_bytes());
    sb.extend_from_slice(&options.compression.id().to_le_bytes());
    sb.extend_from_slice(&(options.block_size.trailing_zeros() as u16).to_le_bytes());
    sb.extend_from_slice(&FLAG_NO_XATTRS.to_le_bytes());
    sb.extend_from_slice(&1u16.to_le_bytes()); // id count
    sb.extend_from_slice(&4u16.to_le_bytes()); // version 4.0
    sb.extend_from_slice(&0u16.to_le_bytes());
    for v in [
        tables.root_ref,
        bytes_used,
        id_table_start,
        NO_TABLE, // xattr id table
        inode_table_start,
        directory_table_start,
        fragment_table_start,
        NO_TABLE, // export table
    ] {
        sb.extend_from_slice(&v.to_le_bytes());
    }
    debug_assert_eq!(sb.len() as u64, SUPERBLOCK_SIZE);
    out.seek(SeekFrom::Start(base)).map_err(werr)?;
    out.write_all(&sb).map_err(werr)?;
    out.seek(SeekFrom::Start(base + padded)).map_err(werr)?;
    out.flush().map_err(werr)?;
    Ok(out)
}

fn invalid_entry(path: &str, reason: &str) -> AppImageError {
    AppImageError::InvalidInput {
        field: "file destination",
        value: path.to_string(),
        reason: reason.to_string(),
    }
}

/// The directory tree of `entries` and the list of regular files in entry order.
fn build_tree(entries: &[AppDirEntry]) -> Result<(Dir, Vec<FileData<'_>>), AppImageError> {
    let mut root = Dir {
        mode: 0o755,
        children: BTreeMap::new(),
    };
    let mut files = Vec::new();
    for entry in entries {
        let mut parts = entry.path.split('/').collect::<Vec<_>>();
        let name = parts.pop().unwrap_or_default();
        if name.is_empty() || name == "." || name == ".." || name.len() > 256 {
            return Err(invalid_entry(
                &entry.path,
                "each path component must be 1 to 256 bytes, not `.` or `..`",
            ));
        }
        let mut dir = &mut root;
        for part in parts {
            dir = match dir.children.get_mut(part.as_bytes()) {
                Some(Node::Dir(d)) => d,
                _ => {
                    return Err(invalid_entry(
                        &entry.path,
                        "its parent directory must be listed before it",
                    ));
                }
            };
        }
        let node = match &entry.kind {
            EntryKind::Dir => Node::Dir(Dir {
                mode: 0o755,
                children: BTreeMap::new(),
            }),
            EntryKind::Symlink(target) => Node::Symlink(target.as_bytes().to_vec()),
            EntryKind::File { source, mode } => {
                files.push(FileData {
                    source,
                    dest: &entry.path,
                    mode: *mode & 0o7777,
                    size: 0,
                    blocks_start: 0,
                    block_sizes: Vec::new(),
                    fragment: None,
                    sparse: 0,
                });
                Node::File(files.len() - 1)
            }
        };
        if dir
            .children
            .insert(name.as_bytes().to_vec(), node)
            .is_some()
        {
            return Err(invalid_entry(
                &entry.path,
                "is given twice; give each entry its own path",
            ));
        }
    }
    Ok((root, files))
}

/// Reads every file, compresses its blocks on the pool and writes them to
/// `out` (image offset `start`). Returns the fragment table entries (offset,
/// size word) and the image offset after the data.
fn write_data<W: Write>(
    files: &mut [FileData<'_>],
    options: &SquashfsOptions,
    threads: usize,
    out: &mut W,
    start: u64,
) -> Result<(Vec<(u64, u32)>, u64), AppImageError> {
    let block = options.block_size as usize;
    let mut pos = start;
    let mut fragments: Vec<(u64, u32)> = Vec::new();
    // Which file each result belongs to lives in the tag; sizes land in `sizes`.
    let mut sizes: Vec<(u64, Vec<u32>)> = vec![(0, Vec::new()); files.len()];
    let mut failure: Option<AppImageError> = None;
    let result = Pipeline::<Tag>::run(options.compression, threads, |pipe| {
        let mut done = |tag: Tag, packed: Packed| -> io::Result<()> {
            let (bytes, word) = match &packed {
                Packed::Sparse => (&[][..], 0),
                Packed::Raw(b) => (&b[..], b.len() as u32 | BLOCK_UNCOMPRESSED),
                Packed::Compressed(b) => (&b[..], b.len() as u32),
            };
            match tag {
                Tag::File { file, first } => {
                    if first {
                        sizes[file].0 = pos;
                    }
                    sizes[file].1.push(word);
                }
                Tag::Fragment => fragments.push((pos, word)),
            }
            out.write_all(bytes)?;
            pos += bytes.len() as u64;
            Ok(())
        };
        let mut fragment: Vec<u8> = Vec::with_capacity(block);
        let mut fragment_count: u32 = 0;
        for (index, file) in files.iter_mut().enumerate() {
            let mut reader: Box<dyn Read + '_> = match file.source {
                FileSource::Bytes(bytes) => {
                    file.size = bytes.len() as u64;
                    Box::new(&bytes[..])
                }
                FileSource::Path(path) => {
                    let read_err = |source| AppImageError::ReadSource {
                        path: path.clone(),
                        dest: file.dest.to_string(),
                        source,
                    };
                    let f = match File::open(path).and_then(|f| Ok((f.metadata()?.len(), f))) {
                        Ok((len, f)) => {
                            file.size = len;
                            f
                        }
                        Err(e) => {
                            failure = Some(read_err(e));
                            return Err(io::Error::other("source unreadable"));
                        }
                    };
                    Box::new(f)
                }
            };
            let mut left = file.size;
            let mut first = true;
            while left > 0 {
                let n = left.min(block as u64) as usize;
                let mut buf = vec![0u8; n];
                if let Err(e) = reader.read_exact(&mut buf) {
                    let source = if e.kind() == io::ErrorKind::UnexpectedEof {
                        io::Error::new(e.kind(), "the file shrank while it was being packaged")
                    } else {
                        e
                    };
                    failure = Some(AppImageError::ReadSource {
                        path: match file.source {
                            FileSource::Path(p) => p.clone(),
                            FileSource::Bytes(_) => file.dest.into(),
                        },
                        dest: file.dest.to_string(),
                        source,
                    });
                    return Err(io::Error::other("source unreadable"));
                }
                left -= n as u64;
                if n == block {
                    pipe.submit(Tag::File { file: index, first }, buf, true, &mut done)?;
                    first = false;
                } else {
                    // The tail end: into the current fragment block.
                    if fragment.len() + n > block {
                        let full = std::mem::replace(&mut fragment, Vec::with_capacity(block));
                        pipe.submit(Tag::Fragment, full, false, &mut done)?;
                        fragment_count += 1;
                    }
                    file.fragment = Some((fragment_count, fragment.len() as u32));
                    fragment.extend_from_slice(&buf);
                }
            }
        }
        if !fragment.is_empty() {
            pipe.submit(Tag::Fragment, fragment, false, &mut done)?;
        }
        pipe.drain(&mut done)
    });
    if let Some(e) = failure {
        return Err(e);
    }
    result.map_err(|source| AppImageError::Write {
        what: "the squashfs payload".into(),
        source,
    })?;
    for (file, (blocks_start, block_sizes)) in files.iter_mut().zip(sizes) {
        file.blocks_start = if block_sizes.is_empty() {
            0
        } else {
            blocks_start
        };
        file.sparse =
            block_sizes.iter().filter(|&&w| w == 0).count() as u64 * u64::from(options.block_size);
        file.block_sizes = block_sizes;
    }
    Ok((fragments, pos))
}

/// The inode and directory tables.
struct Tables {
    inodes: Vec<u8>,
    dirs: Vec<u8>,
    inode_count: u32,
    root_ref: u64,
}

/// A written inode, as a directory entry refers to it.
struct Written {
    /// Stored offset of its metadata block in the inode table.
    block: u64,
    /// Offset inside that block.
    offset: u16,
    number: u32,
    /// Basic type for the directory entry.
    kind: u16,
}

struct TableWriter<'a> {
    inodes: MetaWriter,
    dirs: MetaWriter,
    codec: &'a mut Codec,
    files: &'a [FileData<'a>],
    options: &'a SquashfsOptions,
    next_number: u32,
}

impl Tables {
    fn build(
        root: &Dir,
        files: &[FileData<'_>],
        options: &SquashfsOptions,
        codec: &mut Codec,
    ) -> io::Result<Tables> {
        let total = count_inodes(root);
        let mut w = TableWriter {
            inodes: MetaWriter::new(),
            dirs: MetaWriter::new(),
            codec,
            files,
            options,
            next_number: 1,
        };
        // Children are numbered before their parent, so the root is `total`;
        // its parent is conventionally `total + 1`.
        let root_written = w.dir(root, total + 1)?;
        debug_assert_eq!(root_written.number, total);
        let TableWriter {
            inodes,
            dirs,
            codec,
            ..
        } = w;
        Ok(Tables {
            inodes: inodes.finish(codec)?,
            dirs: dirs.finish(codec)?,
            inode_count: total,
            root_ref: (root_written.block << 16) | u64::from(root_written.offset),
        })
    }
}

fn count_inodes(dir: &Dir) -> u32 {
    1 + dir
        .children
        .values()
        .map(|n| match n {
            Node::Dir(d) => count_inodes(d),
            _ => 1,
        })
        .sum::<u32>()
}

/// The number the post-order walk gives `dir`: after all of its descendants.
fn number_after(first: u32, dir: &Dir) -> u32 {
    first + count_inodes(dir) - 1
}

impl TableWriter<'_> {
    fn header(&self, kind: u16, mode: u16, number: u32) -> Vec<u8> {
        let mut h = Vec::with_capacity(64);
        h.extend_from_slice(&kind.to_le_bytes());
        h.extend_from_slice(&mode.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // uid index
        h.extend_from_slice(&0u16.to_le_bytes()); // gid index
        h.extend_from_slice(&self.options.mtime.to_le_bytes());
        h.extend_from_slice(&number.to_le_bytes());
        h
    }

    fn put_inode(&mut self, bytes: &[u8], number: u32, kind: u16) -> io::Result<Written> {
        let (block, offset) = self.inodes.position();
        self.inodes.write(self.codec, bytes)?;
        Ok(Written {
            block,
            offset,
            number,
            kind,
        })
    }

    fn take_number(&mut self) -> u32 {
        let n = self.next_number;
        self.next_number += 1;
        n
    }

    fn file(&mut self, file: &FileData<'_>) -> io::Result<Written> {
        let number = self.take_number();
        let (fragment, offset) = file.fragment.unwrap_or((NO_FRAGMENT, 0));
        let extended = file.size > u64::from(u32::MAX) || file.blocks_start > u64::from(u32::MAX);
        let mut b = if extended {
            let mut b = self.header(T_LFILE, file.mode, number);
            b.extend_from_slice(&file.blocks_start.to_le_bytes());
            b.extend_from_slice(&file.size.to_le_bytes());
            b.extend_from_slice(&file.sparse.to_le_bytes());
            b.extend_from_slice(&1u32.to_le_bytes()); // link count
            b.extend_from_slice(&fragment.to_le_bytes());
            b.extend_from_slice(&offset.to_le_bytes());
            b.extend_from_slice(&NO_XATTR.to_le_bytes());
            b
        } else {
            let mut b = self.header(T_FILE, file.mode, number);
            b.extend_from_slice(&(file.blocks_start as u32).to_le_bytes());
            b.extend_from_slice(&fragment.to_le_bytes());
            b.extend_from_slice(&offset.to_le_bytes());
            b.extend_from_slice(&(file.size as u32).to_le_bytes());
            b
        };
        b.reserve(file.block_sizes.len() * 4);
        for word in &file.block_sizes {
            b.extend_from_slice(&word.to_le_bytes());
        }
        self.put_inode(&b, number, T_FILE)
    }

    fn symlink(&mut self, target: &[u8]) -> io::Result<Written> {
        let number = self.take_number();
        let mut b = self.header(T_SYMLINK, 0o777, number);
        b.extend_from_slice(&1u32.to_le_bytes()); // link count
        b.extend_from_slice(&(target.len() as u32).to_le_bytes());
        b.extend_from_slice(target);
        self.put_inode(&b, number, T_SYMLINK)
    }

    /// Writes the inodes below `dir`, its listing, then its own inode.
    fn dir(&mut self, dir: &Dir, parent: u32) -> io::Result<Written> {
        let own = number_after(self.next_number, dir);
        let mut children = Vec::with_capacity(dir.children.len());
        let mut subdirs = 0u32;
        for (name, node) in &dir.children {
            let written = match node {
                Node::Dir(d) => {
                    subdirs += 1;
                    self.dir(d, own)?
                }
                Node::File(i) => {
                    let files = self.files;
                    self.file(&files[*i])?
                }
                Node::Symlink(target) => self.symlink(target)?,
            };
            children.push((name.as_slice(), written));
        }
        let number = self.take_number();
        debug_assert_eq!(number, own);

        let (listing, index) = listing(&children);
        let (block, offset) = self.dirs.position();
        let listing_start = self.dirs.uncompressed_len();
        self.dirs.write(self.codec, &listing)?;
        let size = listing.len() as u64 + 3; // "." and ".." count 3 bytes
        let links = 2 + subdirs;
        let b = if index.is_empty() && size <= u64::from(u16::MAX) {
            let mut b = self.header(T_DIR, dir.mode, number);
            b.extend_from_slice(&(block as u32).to_le_bytes());
            b.extend_from_slice(&links.to_le_bytes());
            b.extend_from_slice(&(size as u16).to_le_bytes());
            b.extend_from_slice(&offset.to_le_bytes());
            b.extend_from_slice(&parent.to_le_bytes());
            b
        } else {
            let mut b = self.header(T_LDIR, dir.mode, number);
            b.extend_from_slice(&links.to_le_bytes());
            b.extend_from_slice(&(size as u32).to_le_bytes());
            b.extend_from_slice(&(block as u32).to_le_bytes());
            b.extend_from_slice(&parent.to_le_bytes());
            b.extend_from_slice(&(index.len() as u16).to_le_bytes());
            b.extend_from_slice(&offset.to_le_bytes());
            b.extend_from_slice(&NO_XATTR.to_le_bytes());
            for (at, name) in &index {
                let start = self.dirs.block_of(listing_start + u64::from(*at));
                b.extend_from_slice(&at.to_le_bytes());
                b.extend_from_slice(&(start as u32).to_le_bytes());
                b.extend_from_slice(&(name.len() as u32 - 1).to_le_bytes());
                b.extend_from_slice(name);
            }
            b
        };
        self.put_inode(&b, number, T_DIR)
    }
}

/// The directory listing of `children` (sorted by name) and its index: the
/// offset of each header that starts a new metadata-block-sized stretch,
/// with the first name under it.
fn listing<'n>(children: &[(&'n [u8], Written)]) -> (Vec<u8>, Vec<(u32, &'n [u8])>) {
    let mut out = Vec::new();
    let mut index = Vec::new();
    let mut header_at: Option<usize> = None;
    let mut count = 0u32;
    let mut base = (0u64, 0u32);
    let mut indexed_from = 0usize;
    for (name, w) in children {
        let entry_len = 8 + name.len();
        let delta = i64::from(w.number) - i64::from(base.1);
        let crosses = out.len() + 12 + entry_len - indexed_from > METADATA_SIZE;
        let new_header = header_at.is_none()
            || count == 256
            || w.block != base.0
            || !(i64::from(i16::MIN)..=i64::from(i16::MAX)).contains(&delta)
            || crosses;
        if new_header {
            if let Some(at) = header_at {
                out[at..at + 4].copy_from_slice(&(count - 1).to_le_bytes());
            }
            if crosses && header_at.is_some() {
                index.push((out.len() as u32, *name));
                indexed_from = out.len();
            }
            header_at = Some(out.len());
            count = 0;
            base = (w.block, w.number);
            out.extend_from_slice(&0u32.to_le_bytes()); // count - 1, patched
            out.extend_from_slice(&(w.block as u32).to_le_bytes());
            out.extend_from_slice(&w.number.to_le_bytes());
        }
        let delta = (i64::from(w.number) - i64::from(base.1)) as i16;
        out.extend_from_slice(&w.offset.to_le_bytes());
        out.extend_from_slice(&delta.to_le_bytes());
        out.extend_from_slice(&w.kind.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16 - 1).to_le_bytes());
        out.extend_from_slice(name);
        count += 1;
    }
    if let Some(at) = header_at {
        out[at..at + 4].copy_from_slice(&(count - 1).to_le_bytes());
    }
    (out, index)
}
