//! A minimal streaming writer of POSIX.1 "odc" cpio archives (magic `070707`),
//! the format of a flat package's `Payload` (gzip'd) as `pkgbuild` writes it.

use std::io::{self, Write};

/// Largest file an odc header can describe (11 octal digits).
pub(crate) const MAX_FILE_SIZE: u64 = 0o77_777_777_777;

/// Writes odc entries to `out`; inode numbers are assigned sequentially.
pub(crate) struct OdcWriter<W: Write> {
    out: W,
    next_ino: u32,
}

fn octal(out: &mut Vec<u8>, v: u64, width: usize) {
    let s = format!("{v:0width$o}");
    debug_assert_eq!(s.len(), width, "{v} does not fit {width} octal digits");
    out.extend_from_slice(s.as_bytes());
}

impl<W: Write> OdcWriter<W> {
    /// Starts an archive.
    pub fn new(out: W) -> Self {
        Self { out, next_ino: 1 }
    }

    /// Writes one header; the caller then writes exactly `size` data bytes.
    pub fn header(&mut self, name: &str, mode: u32, mtime: u64, size: u64) -> io::Result<()> {
        let ino = u64::from(self.next_ino % 0o777_777);
        self.next_ino += 1;
        let nlink = if mode & 0o170000 == 0o040000 { 2 } else { 1 };
        self.raw_header(name, mode, ino, nlink, mtime, size)
    }

    fn raw_header(
        &mut self,
        name: &str,
        mode: u32,
        ino: u64,
        nlink: u64,
        mtime: u64,
        size: u64,
    ) -> io::Result<()> {
        let mut h = Vec::with_capacity(76 + name.len() + 1);
        h.extend_from_slice(b"070707");
        octal(&mut h, 0, 6); // dev
        octal(&mut h, ino, 6);
        octal(&mut h, u64::from(mode), 6);
        octal(&mut h, 0, 6); // uid
        octal(&mut h, 0, 6); // gid
        octal(&mut h, nlink, 6);
        octal(&mut h, 0, 6); // rdev
        octal(&mut h, mtime.min(0o77_777_777_777), 11);
        octal(&mut h, name.len() as u64 + 1, 6);
        octal(&mut h, size, 11);
        h.extend_from_slice(name.as_bytes());
        h.push(0);
        self.out.write_all(&h)
    }

    /// The underlying writer, for the entry's data.
    pub fn data(&mut self) -> &mut W {
        &mut self.out
    }

    /// Writes the `TRAILER!!!` entry and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.raw_header("TRAILER!!!", 0, 0, 1, 0, 0)?;
        Ok(self.out)
    }
}
