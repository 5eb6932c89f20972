//! Our own writer of Apple "Bill of Materials" (`Bom`) files, laid out as
//! `mkbom` does: a 512-byte `BOMStore` header, numbered blocks, a block index
//! and the named variables `BomInfo`, `Paths`, `HLIndex`, `VIndex`, `Size64`.
//!
//! `Paths` is a tree of data nodes (≤ 256 entries each, 4096-byte blocks,
//! linked forward/backward, under one meta node when there are several). Paths
//! are numbered in breadth-first order from `.` = 1; each has a path-info block
//! (id, record), a file block (parent id, leaf name) and a record (type, full
//! `st_mode`, uid/gid, mtime, size, POSIX `cksum` CRC, link target).
//! All integers are big-endian.

use std::collections::{BTreeMap, HashMap};

/// What a Bom path is.
#[derive(Debug, Clone)]
pub(crate) enum BomKind {
    /// A directory.
    Dir,
    /// A regular file with its `cksum` CRC.
    File {
        /// POSIX cksum of the contents.
        crc: u32,
    },
    /// A symbolic link.
    Link {
        /// The link target.
        target: String,
    },
}

/// One path of the Bom; `parts` is empty for the root `.`.
#[derive(Debug, Clone)]
pub(crate) struct BomEntry {
    /// Components below `.`.
    pub parts: Vec<String>,
    /// Kind and CRC.
    pub kind: BomKind,
    /// Full `st_mode`.
    pub mode: u32,
    /// Size in bytes (files; link target length for links).
    pub size: u64,
}

const LEAF_MAX: usize = 256;
const PATHS_BLOCK: usize = 4096;
const SMALL_BLOCK: usize = 128;

struct Blocks(Vec<Vec<u8>>);

impl Blocks {
    fn add(&mut self, data: Vec<u8>) -> u32 {
        self.0.push(data);
        (self.0.len() - 1) as u32
    }
}

fn be(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_be_bytes());
}

fn tree(child: u32, block_size: usize, count: u32) -> Vec<u8> {
    let mut t = b"tree".to_vec();
    be(&mut t, 1);
    be(&mut t, child);
    be(&mut t, block_size as u32);
    be(&mut t, count);
    t.push(0);
    t
}

fn node(leaf: bool, entries: &[(u32, u32)], next: u32, prev: u32, pad: usize) -> Vec<u8> {
    let mut n = Vec::with_capacity(pad);
    n.extend_from_slice(&u16::from(leaf).to_be_bytes());
    n.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    be(&mut n, next);
    be(&mut n, prev);
    for (k, v) in entries {
        be(&mut n, *k);
        be(&mut n, *v);
    }
    if n.len() < pad {
        n.resize(pad, 0);
    }
    n
}

fn empty_tree(blocks: &mut Blocks, block_size: usize) -> u32 {
    let root = blocks.add(node(true, &[], 0, 0, block_size));
    blocks.add(tree(root, block_size, 0))
}

/// Serialises a Bom for `entries` (any order; sorted breadth-first here).
/// `mtime` is stamped on every path; `arch_sizes` maps a Mach-O CPU type
/// (0 for other files) to the bytes of that kind, for `BomInfo`.
pub(crate) fn write_bom(
    entries: &[BomEntry],
    mtime: u32,
    arch_sizes: &BTreeMap<u32, u64>,
) -> Vec<u8> {
    let mut order: Vec<&BomEntry> = entries.iter().collect();
    order.sort_by(|a, b| {
        a.parts
            .len()
            .cmp(&b.parts.len())
            .then(a.parts.cmp(&b.parts))
    });

    let mut blocks = Blocks(vec![Vec::new()]);
    let mut ids: HashMap<&[String], u32> = HashMap::new();
    let mut leaf_entries: Vec<(u32, u32)> = Vec::new();
    let mut size64: Vec<(u64, u32)> = Vec::new();
    for (i, e) in order.iter().enumerate() {
        let id = i as u32 + 1;
        ids.insert(&e.parts, id);
        let parent = match e.parts.split_last() {
            None => 0,
            Some((_, parent)) => ids.get(parent).copied().unwrap_or(0),
        };
        let name = e.parts.last().map_or(".", String::as_str);

        let (ty, crc) = match &e.kind {
            BomKind::File { crc } => (1u8, *crc),
            BomKind::Dir => (2, 0),
            BomKind::Link { target } => (3, crate::cksum::cksum(target.as_bytes())),
        };
        let mut rec = vec![ty, 1];
        rec.extend_from_slice(&0x000fu16.to_be_bytes());
        rec.extend_from_slice(&((e.mode & 0xffff) as u16).to_be_bytes());
        be(&mut rec, 0); // uid
        be(&mut rec, 0); // gid
        be(&mut rec, mtime);
        be(&mut rec, e.size as u32);
        rec.push(1);
        be(&mut rec, crc);
        if let BomKind::Link { target } = &e.kind {
            be(&mut rec, target.len() as u32 + 1);
            rec.extend_from_slice(target.as_bytes());
            rec.push(0);
        } else {
            be(&mut rec, 0);
        }
        rec.extend_from_slice(&[0; 8]);
        let rec_block = blocks.add(rec);
        if e.size > u64::from(u32::MAX) {
            size64.push((e.size, rec_block));
        }

        let mut info = Vec::new();
        be(&mut info, id);
        be(&mut info, rec_block);
        let info_block = blocks.add(info);

        let mut file = Vec::new();
        be(&mut file, parent);
        file.extend_from_slice(name.as_bytes());
        file.push(0);
        let file_block = blocks.add(file);
        leaf_entries.push((info_block, file_block));
    }

    // Paths: data nodes of <= 256 entries, chained, under a meta node if > 1.
    let chunks: Vec<&[(u32, u32)]> = leaf_entries.chunks(LEAF_MAX).collect();
    let first_leaf = blocks.0.len() as u32;
    let n_leaves = chunks.len().max(1) as u32;
    let mut meta = Vec::new();
    if chunks.is_empty() {
        blocks.add(node(true, &[], 0, 0, PATHS_BLOCK));
    }
    for (i, chunk) in chunks.iter().enumerate() {
        let this = first_leaf + i as u32;
        let next = if (i as u32) + 1 < n_leaves {
            this + 1
        } else {
            0
        };
        let prev = if i > 0 { this - 1 } else { 0 };
        blocks.add(node(true, chunk, next, prev, PATHS_BLOCK));
        meta.push((this, chunk.last().map_or(0, |e| e.1)));
    }
    let paths_root = if n_leaves > 1 {
        blocks.add(node(false, &meta, 0, 0, PATHS_BLOCK))
    } else {
        first_leaf
    };
    let paths = blocks.add(tree(paths_root, PATHS_BLOCK, order.len() as u32));

    let hl_index = empty_tree(&mut blocks, PATHS_BLOCK);

    let v_tree = empty_tree(&mut blocks, SMALL_BLOCK);
    let mut vindex = Vec::new();
    be(&mut vindex, 1);
    be(&mut vindex, v_tree);
    be(&mut vindex, 0);
    vindex.push(1);
    let vindex = blocks.add(vindex);

    let size64_tree = if size64.is_empty() {
        empty_tree(&mut blocks, SMALL_BLOCK)
    } else {
        let mut pairs = Vec::new();
        for (size, rec) in &size64 {
            let key = blocks.add(size.to_be_bytes().to_vec());
            pairs.push((key, *rec));
        }
        let root = blocks.add(node(true, &pairs, 0, 0, SMALL_BLOCK));
        blocks.add(tree(root, SMALL_BLOCK, pairs.len() as u32))
    };

    let mut info = Vec::new();
    be(&mut info, 1);
    be(&mut info, order.len() as u32);
    be(&mut info, arch_sizes.len() as u32);
    for (cpu, size) in arch_sizes {
        be(&mut info, *cpu);
        be(&mut info, 0);
        be(&mut info, (*size).min(u64::from(u32::MAX)) as u32);
        be(&mut info, 0);
    }
    let bom_info = blocks.add(info);

    // Layout: header, blocks, vars, block index.
    let mut out = vec![0u8; 512];
    let mut index = Vec::new();
    be(&mut index, blocks.0.len() as u32);
    for (i, b) in blocks.0.iter().enumerate() {
        if i == 0 {
            be(&mut index, 0);
            be(&mut index, 0);
            continue;
        }
        be(&mut index, out.len() as u32);
        be(&mut index, b.len() as u32);
        out.extend_from_slice(b);
    }
    be(&mut index, 0); // free list: empty
    let vars_offset = out.len() as u32;
    let mut vars = Vec::new();
    let named = [
        ("BomInfo", bom_info),
        ("Paths", paths),
        ("HLIndex", hl_index),
        ("VIndex", vindex),
        ("Size64", size64_tree),
    ];
    be(&mut vars, named.len() as u32);
    for (name, block) in named {
        be(&mut vars, block);
        vars.push(name.len() as u8);
        vars.extend_from_slice(name.as_bytes());
    }
    out.extend_from_slice(&vars);
    let index_offset = out.len() as u32;
    out.extend_from_slice(&index);

    let mut h = b"BOMStore".to_vec();
    be(&mut h, 1);
    be(&mut h, blocks.0.len() as u32 - 1);
    be(&mut h, index_offset);
    be(&mut h, index.len() as u32);
    be(&mut h, vars_offset);
    be(&mut h, vars.len() as u32);
    out[..h.len()].copy_from_slice(&h);
    out
}
