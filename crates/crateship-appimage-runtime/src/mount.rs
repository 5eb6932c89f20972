//! The squashfs payload served read-only through FUSE (`fuser`, no libfuse).
//!
//! Inode `n` is backhand's node `n - 1` (node 0 is the root, FUSE inode 1).
//! File reads decompress only the 128 KiB blocks (or the fragment) they touch,
//! through a small LRU cache, so reading a file never restarts from its start.

use std::collections::{HashMap, VecDeque};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use crate::decompress::{Codec, decompress};
use backhand::{Fragment, InnerNode, Node, SquashfsFileReader};
use fuser::{
    Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo, LockOwner,
    OpenFlags, ReplyAttr, ReplyData, ReplyDirectory, ReplyEntry, ReplyOpen, Request,
};

/// The image never changes while mounted: let the kernel cache for long.
const TTL: Duration = Duration::from_secs(3600);
/// Decompressed blocks kept (32 × 128 KiB = 4 MiB).
const CACHE_BLOCKS: usize = 32;
/// A file without a fragment.
const NO_FRAGMENT: usize = 0xffff_ffff;

/// Cache key: (inode, block index), or (`u64::MAX`, fragment index).
type BlockKey = (u64, u64);

/// The read-only filesystem.
pub struct SquashFuse {
    image: File,
    offset: u64,
    codec: Option<Codec>,
    block_size: u64,
    nodes: Vec<Node<SquashfsFileReader>>,
    fragments: Vec<Fragment>,
    children: HashMap<u64, Vec<(OsString, u64)>>,
    parents: HashMap<u64, u64>,
    cache: Mutex<VecDeque<(BlockKey, Arc<Vec<u8>>)>>,
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
        Ok(SquashFuse {
            image: File::open(image)?,
            offset,
            codec,
            block_size: u64::from(fs.block_size),
            fragments: fs.fragments.clone().unwrap_or_default(),
            nodes,
            children,
            parents,
            cache: Mutex::new(VecDeque::new()),
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

    /// Decompressed block `key` through the cache; `load` produces it on a miss.
    fn cached(
        &self,
        key: BlockKey,
        load: impl FnOnce() -> io::Result<Vec<u8>>,
    ) -> io::Result<Arc<Vec<u8>>> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pos) = cache.iter().position(|(k, _)| *k == key) {
            let entry = cache.remove(pos).expect("present");
            let data = entry.1.clone();
            cache.push_front(entry);
            return Ok(data);
        }
        let data = Arc::new(load()?);
        cache.push_front((key, data.clone()));
        cache.truncate(CACHE_BLOCKS);
        Ok(data)
    }

    /// Reads `size` stored bytes at squashfs offset `start` and decompresses them
    /// (unless stored uncompressed) to at most `expect` bytes.
    fn load(
        &self,
        start: u64,
        size: u32,
        uncompressed: bool,
        expect: usize,
    ) -> io::Result<Vec<u8>> {
        let mut raw = vec![0u8; size as usize];
        self.image.read_exact_at(&mut raw, self.offset + start)?;
        let Some(codec) = self.codec.filter(|_| !uncompressed) else {
            return Ok(raw);
        };
        let mut out = Vec::with_capacity(expect);
        decompress(codec, &raw, &mut out)?;
        if out.len() as u64 > self.block_size {
            return Err(other("a data block decompresses beyond the block size"));
        }
        Ok(out)
    }

    /// Block `index` of file `ino` (the last, short one may live in a fragment).
    fn block(&self, ino: u64, file: &SquashfsFileReader, index: u64) -> io::Result<Arc<Vec<u8>>> {
        let len = file.file_len() as u64;
        let sizes = file.block_sizes();
        let expect = (len - index * self.block_size).min(self.block_size) as usize;
        if (index as usize) < sizes.len() {
            let start = file.blocks_start()
                + sizes[..index as usize]
                    .iter()
                    .map(|s| u64::from(s.size()))
                    .sum::<u64>();
            let size = sizes[index as usize];
            return self.cached((ino, index), || {
                if size.size() == 0 {
                    return Ok(vec![0; expect]);
                }
                self.load(start, size.size(), size.uncompressed(), expect)
            });
        }
        if file.frag_index() == NO_FRAGMENT {
            return Err(other("block beyond the end of the file"));
        }
        let fragment = self
            .fragments
            .get(file.frag_index())
            .ok_or_else(|| other("fragment index out of range"))?;
        let data = self.cached((u64::MAX, file.frag_index() as u64), || {
            self.load(
                fragment.start,
                fragment.size.size(),
                fragment.size.uncompressed(),
                self.block_size as usize,
            )
        })?;
        let from = file.block_offset() as usize;
        let tail = data
            .get(from..from + expect)
            .ok_or_else(|| other("fragment shorter than the file tail"))?;
        Ok(Arc::new(tail.to_vec()))
    }

    fn read_range(
        &self,
        ino: u64,
        file: &SquashfsFileReader,
        offset: u64,
        size: u32,
    ) -> io::Result<Vec<u8>> {
        let len = file.file_len() as u64;
        let end = (offset + u64::from(size)).min(len);
        let mut out = Vec::with_capacity(end.saturating_sub(offset) as usize);
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
        Ok(out)
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
            Some(InnerNode::File(file)) => match self.read_range(ino.0, file, offset, size) {
                Ok(data) => reply.data(&data),
                Err(_) => reply.error(Errno::EIO),
            },
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
