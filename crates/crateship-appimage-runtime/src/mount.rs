//! The squashfs payload served read-only through FUSE (`fuser`, no libfuse).
//!
//! Inode `n` is backhand's node `n - 1` (node 0 is the root, FUSE inode 1).
//! File reads decompress only the 128 KiB blocks (or the fragment) they touch,
//! through [`crate::blocks`]' cache, so reading a file never restarts from its
//! start; a file read in order has its next blocks decompressed ahead on other
//! cores.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use crate::blocks::{BlockLocation, BlockSource};
use crate::decompress::Codec;
use backhand::{Fragment, InnerNode, Node, SquashfsFileReader};
use fuser::{
    Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo, LockOwner,
    OpenFlags, ReplyAttr, ReplyData, ReplyDirectory, ReplyEntry, ReplyOpen, Request,
};

/// The image never changes while mounted: let the kernel cache for long.
const TTL: Duration = Duration::from_secs(3600);
/// Blocks decompressed ahead of a file read in order (1 MiB).
const READ_AHEAD_BLOCKS: u64 = 8;
/// A file without a fragment.
const NO_FRAGMENT: usize = 0xffff_ffff;

/// The read-only filesystem.
pub struct SquashFuse {
    blocks: Arc<BlockSource>,
    block_size: u64,
    nodes: Vec<Node<SquashfsFileReader>>,
    fragments: Vec<Fragment>,
    children: HashMap<u64, Vec<(OsString, u64)>>,
    parents: HashMap<u64, u64>,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl SquashFuse {
    /// Reads the directory tree of the squashfs at `offset` in `image`.
    pub fn open(image: &Path, offset: u64) -> io::Result<SquashFuse> {
        let fs = crate::decompress::reader(BufReader::new(File::open(image)?), offset)
            .map_err(|e| other(format!("cannot read the squashfs payload: {e}")))?;
        // An image with no compressor id stores every block uncompressed.
        let codec = match fs.compressor {
            None => None,
            Some(id) => Some(Codec::from_id(id).ok_or_else(|| {
                other(format!(
                    "the squashfs payload uses {id:?}; this runtime reads gzip and zstd"
                ))
            })?),
        };
        let nodes: Vec<_> = fs.files().cloned().collect();
        let index: HashMap<PathBuf, u64> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.fullpath.clone(), i as u64 + 1))
            .collect();
        let mut children: HashMap<u64, Vec<(OsString, u64)>> = HashMap::new();
        let mut parents = HashMap::from([(1, 1)]);
        for (i, node) in nodes.iter().enumerate().skip(1) {
            let ino = i as u64 + 1;
            let parent = node
                .fullpath
                .parent()
                .and_then(|p| index.get(p))
                .copied()
                .unwrap_or(1);
            let name = node.fullpath.file_name().unwrap_or_default().to_owned();
            children.entry(parent).or_default().push((name, ino));
            parents.insert(ino, parent);
        }
        let block_size = u64::from(fs.block_size);
        Ok(SquashFuse {
            blocks: BlockSource::new(File::open(image)?, offset, codec, block_size),
            block_size,
            fragments: fs.fragments.clone().unwrap_or_default(),
            nodes,
            children,
            parents,
        })
    }

    fn node(&self, ino: INodeNo) -> Option<&Node<SquashfsFileReader>> {
        usize::try_from(ino.0)
            .ok()?
            .checked_sub(1)
            .and_then(|i| self.nodes.get(i))
    }

    fn attr(&self, ino: u64, node: &Node<SquashfsFileReader>) -> FileAttr {
        let (kind, size, nlink) = match &node.inner {
            InnerNode::File(f) => (FileType::RegularFile, f.file_len() as u64, 1),
            InnerNode::Symlink(l) => (FileType::Symlink, l.link.as_os_str().len() as u64, 1),
            InnerNode::Dir(_) => (FileType::Directory, 0, 2),
            InnerNode::CharacterDevice(_) => (FileType::CharDevice, 0, 1),
            InnerNode::BlockDevice(_) => (FileType::BlockDevice, 0, 1),
            InnerNode::NamedPipe => (FileType::NamedPipe, 0, 1),
            InnerNode::Socket => (FileType::Socket, 0, 1),
        };
        let time = UNIX_EPOCH + Duration::from_secs(u64::from(node.header.mtime));
        FileAttr {
            ino: INodeNo(ino),
            size,
            blocks: size.div_ceil(512),
            atime: time,
            mtime: time,
            ctime: time,
            crtime: time,
            kind,
            perm: node.header.permissions & 0o7777,
            nlink,
            uid: node.header.uid,
            gid: node.header.gid,
            rdev: 0,
            blksize: self.block_size as u32,
            flags: 0,
        }
    }

    /// Where data block `index` of `file` is, if it is not the fragment tail.
    fn location(&self, file: &SquashfsFileReader, index: u64) -> Option<BlockLocation> {
        let sizes = file.block_sizes();
        let size = sizes.get(usize::try_from(index).ok()?)?;
        let len = file.file_len() as u64;
        let start = file.blocks_start()
            + sizes[..index as usize]
                .iter()
                .map(|s| u64::from(s.size()))
                .sum::<u64>();
        Some(BlockLocation {
            start,
            size: size.size(),
            uncompressed: size.uncompressed(),
            expect: (len - index * self.block_size).min(self.block_size) as usize,
        })
    }

    /// Block `index` of file `ino` (the last, short one may live in a fragment).
    fn block(&self, ino: u64, file: &SquashfsFileReader, index: u64) -> io::Result<Arc<Vec<u8>>> {
        if let Some(at) = self.location(file, index) {
            let data = self.blocks.get((ino, index), at)?;
            // Read in order (from the start, or right after the previous block):
            // have the next blocks decompressed while this one is copied out.
            if index == 0 || self.blocks.is_cached((ino, index - 1)) {
                for next in index + 1..=index + READ_AHEAD_BLOCKS {
                    match self.location(file, next) {
                        Some(at) => self.blocks.read_ahead((ino, next), at),
                        None => break,
                    }
                }
            }
            return Ok(data);
        }
        if file.frag_index() == NO_FRAGMENT {
            return Err(other("block beyond the end of the file"));
        }
        let fragment = self
            .fragments
            .get(file.frag_index())
            .ok_or_else(|| other("fragment index out of range"))?;
        let data = self.blocks.get(
            (u64::MAX, file.frag_index() as u64),
            BlockLocation {
                start: fragment.start,
                size: fragment.size.size(),
                uncompressed: fragment.size.uncompressed(),
                expect: self.block_size as usize,
            },
        )?;
        let len = file.file_len() as u64;
        let expect = (len - index * self.block_size).min(self.block_size) as usize;
        let from = file.block_offset() as usize;
        let tail = data
            .get(from..from + expect)
            .ok_or_else(|| other("fragment shorter than the file tail"))?;
        Ok(Arc::new(tail.to_vec()))
    }

    /// Copies `size` bytes of the file from `offset` into `out` (cleared first).
    fn read_range(
        &self,
        ino: u64,
        file: &SquashfsFileReader,
        offset: u64,
        size: u32,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        let len = file.file_len() as u64;
        let end = (offset + u64::from(size)).min(len);
        out.clear();
        let mut pos = offset;
        while pos < end {
            let index = pos / self.block_size;
            let block = self.block(ino, file, index)?;
            let from = (pos - index * self.block_size) as usize;
            let to = ((end - index * self.block_size) as usize).min(block.len());
            if from >= to {
                return Err(other("short block"));
            }
            out.extend_from_slice(&block[from..to]);
            pos += (to - from) as u64;
        }
        Ok(())
    }
}

impl Filesystem for SquashFuse {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let found = self
            .children
            .get(&parent.0)
            .and_then(|c| c.iter().find(|(n, _)| n == name))
            .and_then(|&(_, ino)| Some((ino, self.node(INodeNo(ino))?)));
        match found {
            Some((ino, node)) => reply.entry(&TTL, &self.attr(ino, node), Generation(0)),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.node(ino) {
            Some(node) => reply.attr(&TTL, &self.attr(ino.0, node)),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn readlink(&self, _req: &Request, ino: INodeNo, reply: ReplyData) {
        match self.node(ino).map(|n| &n.inner) {
            Some(InnerNode::Symlink(link)) => reply.data(link.link.as_os_str().as_bytes()),
            Some(_) => reply.error(Errno::EINVAL),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        match self.node(ino) {
            Some(_) => reply.opened(FileHandle(0), FopenFlags::FOPEN_KEEP_CACHE),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        match self.node(ino).map(|n| &n.inner) {
            Some(InnerNode::File(file)) => {
                thread_local! {
                    // Reused: a fresh 128 KiB reply buffer per request is a new mapping under musl.
                    static REPLY: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
                }
                REPLY.with_borrow_mut(|buf| {
                    match self.read_range(ino.0, file, offset, size, buf) {
                        Ok(()) => reply.data(buf),
                        Err(_) => reply.error(Errno::EIO),
                    }
                });
            }
            Some(_) => reply.error(Errno::EINVAL),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let Some(node) = self.node(ino) else {
            return reply.error(Errno::ENOENT);
        };
        if !matches!(node.inner, InnerNode::Dir(_)) {
            return reply.error(Errno::EINVAL);
        }
        let parent = self.parents.get(&ino.0).copied().unwrap_or(1);
        let mut entries = vec![
            (ino.0, FileType::Directory, OsString::from(".")),
            (parent, FileType::Directory, OsString::from("..")),
        ];
        for (name, child) in self.children.get(&ino.0).into_iter().flatten() {
            if let Some(n) = self.node(INodeNo(*child)) {
                entries.push((*child, self.attr(*child, n).kind, name.clone()));
            }
        }
        for (i, (child, kind, name)) in entries.into_iter().enumerate().skip(offset as usize) {
            if reply.add(INodeNo(child), i as u64 + 1, kind, &name) {
                break;
            }
        }
        reply.ok();
    }
}
