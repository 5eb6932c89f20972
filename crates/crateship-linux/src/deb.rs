//! The .deb writer: an `ar` archive of `debian-binary`, `control.tar.xz` and
//! `data.tar.xz`, written without dpkg-deb.
//!
//! Architecture Invariants:
//! * The data member is streamed file by file through the compressor into an
//!   anonymous temp file (the `ar` header needs its size, and `control.tar`, which
//!   comes first, needs the md5sums of that same pass), then copied to the output
//!   1 MiB at a time; no payload is ever held whole in memory.
//! * Entry order is fixed by content, not by the caller: every directory (path
//!   order), then the files that compress (path order), then the files that look
//!   already compressed ([`crate::compressibility`], path order).
//! * xz is [`crate::xz`]: dpkg-deb's settings (LZMA2 preset 6, 8 MiB dictionary,
//!   24 MiB blocks) on a thread pool for the first two groups; the already
//!   compressed group goes into a stored block, which costs no CPU and, for such
//!   content, no size either.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use md5::{Digest, Md5};

use crate::package::{
    Arch, FileSource, LinuxPackage, PackageFile, PackageSymlink, parent_dirs, validate,
};
use crate::xz::{BlockMode, XzWriter};
use crate::{LinuxError, compressibility, elf, text, version};

/// Compression of the control and data members.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DebCompression {
    /// xz (the default; lintian rejects zstd members).
    #[default]
    Xz,
    /// gzip, faster to write and read, larger.
    Gzip,
}

/// The conventional file name: `hello_1.2.3_amd64.deb`.
pub fn deb_file_name(name: &str, version: &str, arch: Arch) -> String {
    format!(
        "{name}_{}_{}.deb",
        version::deb_version(version),
        arch.deb_name()
    )
}

/// Writes the package as a .deb with xz members; see [`write_deb_with`].
pub fn write_deb<W: Write>(pkg: &LinuxPackage, out: W) -> Result<W, LinuxError> {
    write_deb_with(pkg, DebCompression::Xz, out)
}

fn werr(what: &'static str) -> impl Fn(io::Error) -> LinuxError {
    move |source| LinuxError::Write {
        format: "deb",
        what,
        source,
    }
}

/// Writes the package as a .deb to `out` and returns `out`.
///
/// Adds `usr/share/doc/NAME/copyright` and `changelog.gz` unless `files` has them.
/// Every ELF file must be built for `pkg.arch`.
pub fn write_deb_with<W: Write>(
    pkg: &LinuxPackage,
    compression: DebCompression,
    mut out: W,
) -> Result<W, LinuxError> {
    let user_files = validate(pkg)?;
    for file in &user_files {
        elf::check_file_arch(pkg.arch, file)?;
    }
    let mut generated = Vec::new();
    let doc = format!("usr/share/doc/{}", pkg.name);
    let has = |dest: &str| user_files.iter().any(|f| f.dest == dest);
    if !has(&format!("{doc}/copyright")) {
        generated.push(PackageFile::from_bytes(
            text::deb_copyright(pkg),
            format!("{doc}/copyright"),
            0o644,
        ));
    }
    if !has(&format!("{doc}/changelog.gz")) {
        let gz = text::gzip_reproducible(text::deb_changelog(pkg).as_bytes())
            .map_err(werr("changelog.gz"))?;
        generated.push(PackageFile::from_bytes(
            gz,
            format!("{doc}/changelog.gz"),
            0o644,
        ));
    }
    let mut files: Vec<&PackageFile> = user_files.into_iter().chain(generated.iter()).collect();
    files.sort_by(|a, b| a.dest.cmp(&b.dest));
    let dirs = parent_dirs(
        files
            .iter()
            .map(|f| f.dest.as_str())
            .chain(pkg.symlinks.iter().map(|l| l.dest.as_str())),
    );
    let mtime = u64::try_from(pkg.source_date_epoch).unwrap_or(0);

    // data.tar.* streamed into an anonymous temp file.
    let spool = tempfile::tempfile().map_err(werr("temp file for data.tar"))?;
    let mut links: Vec<&PackageSymlink> = pkg.symlinks.iter().collect();
    links.sort_by(|a, b| a.dest.cmp(&b.dest));
    let (mut spool, summary) = write_data(compression, &files, &links, &dirs, mtime, spool)?;
    let data_len = spool.stream_position().map_err(werr("data.tar"))?;
    spool.seek(SeekFrom::Start(0)).map_err(werr("data.tar"))?;

    let control = control_tar(pkg, compression, &summary, mtime)?;
    let ext = match compression {
        DebCompression::Xz => "xz",
        DebCompression::Gzip => "gz",
    };

    let w = werr("ar archive");
    out.write_all(b"!<arch>\n").map_err(&w)?;
    ar_member(&mut out, "debian-binary", mtime, 4, &mut &b"2.0\n"[..]).map_err(&w)?;
    ar_member(
        &mut out,
        &format!("control.tar.{ext}"),
        mtime,
        control.len() as u64,
        &mut &control[..],
    )
    .map_err(&w)?;
    ar_member(
        &mut out,
        &format!("data.tar.{ext}"),
        mtime,
        data_len,
        &mut spool,
    )
    .map_err(&w)?;
    out.flush().map_err(&w)?;
    Ok(out)
}

fn ar_member<W: Write>(
    out: &mut W,
    name: &str,
    mtime: u64,
    size: u64,
    data: &mut dyn Read,
) -> io::Result<()> {
    let header = format!(
        "{name:<16}{mtime:<12}{:<6}{:<6}{:<8}{size:<10}`\n",
        0, 0, "100644"
    );
    debug_assert_eq!(header.len(), 60);
    out.write_all(header.as_bytes())?;
    // 1 MiB at a time: the data member is copied after compression, on the
    // critical path, and small reads and writes would cost a syscall per 8 KiB.
    let mut buf = vec![0u8; size.min(1 << 20) as usize];
    let mut copied = 0u64;
    while copied < size {
        let want = (size - copied).min(buf.len() as u64) as usize;
        let n = match data.read(&mut buf[..want]) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => other?,
        };
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])?;
        copied += n as u64;
    }
    if copied != size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "member shorter than its header says",
        ));
    }
    if size % 2 == 1 {
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// What the data pass learnt for the control member.
struct DataSummary {
    md5sums: String,
    installed_kib: u64,
}

/// The member compressor: our block-wise xz writer, or gzip.
enum Compressor<W: Write> {
    Xz(XzWriter<W>),
    Gz(flate2::write::GzEncoder<W>),
}

impl<W: Write> Compressor<W> {
    fn new(compression: DebCompression, inner: W, threads: usize) -> io::Result<Self> {
        Ok(match compression {
            DebCompression::Xz => Compressor::Xz(XzWriter::new(inner, threads)?),
            DebCompression::Gzip => Compressor::Gz(
                flate2::GzBuilder::new()
                    .mtime(0)
                    .write(inner, flate2::Compression::new(9)),
            ),
        })
    }

    /// Stores (xz) what follows instead of compressing it; gzip ignores this.
    fn set_mode(&mut self, mode: BlockMode) -> io::Result<()> {
        match self {
            Compressor::Xz(e) => e.set_mode(mode),
            Compressor::Gz(_) => Ok(()),
        }
    }

    fn finish(self) -> io::Result<W> {
        match self {
            Compressor::Xz(e) => e.finish(),
            Compressor::Gz(e) => e.finish(),
        }
    }
}

impl<W: Write> Write for Compressor<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Compressor::Xz(e) => e.write(buf),
            Compressor::Gz(e) => e.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Compressor::Xz(e) => e.flush(),
            Compressor::Gz(e) => e.flush(),
        }
    }
}

/// What one tar entry is: a directory, a regular file, or a symbolic link to a target.
#[derive(Clone, Copy)]
enum EntryKind<'a> {
    Directory,
    Regular,
    Symlink(&'a str),
}

/// Appends one tar entry named `./{path}` (GNU long-name entry when needed).
fn tar_entry<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    kind: EntryKind<'_>,
    mode: u32,
    size: u64,
    mtime: u64,
    data: impl Read,
) -> io::Result<()> {
    let name = if path.is_empty() {
        "./".to_owned()
    } else {
        format!("./{path}")
    };
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(match kind {
        EntryKind::Directory => tar::EntryType::Directory,
        EntryKind::Regular => tar::EntryType::Regular,
        EntryKind::Symlink(_) => tar::EntryType::Symlink,
    });
    header.set_mode(mode);
    header.set_size(size);
    header.set_mtime(mtime);
    header.set_uid(0);
    header.set_gid(0);
    header.set_username("root")?;
    header.set_groupname("root")?;
    if let EntryKind::Symlink(target) = kind {
        header.set_link_name(target)?;
    }
    let bytes = name.as_bytes();
    let slot = &mut header.as_gnu_mut().expect("GNU header").name;
    if bytes.len() > slot.len() {
        let mut long = tar::Header::new_gnu();
        long.set_entry_type(tar::EntryType::GNULongName);
        long.as_gnu_mut().expect("GNU header").name[..13].copy_from_slice(b"././@LongLink");
        long.set_mode(0o644);
        long.set_size(bytes.len() as u64 + 1);
        long.set_mtime(0);
        long.set_uid(0);
        long.set_gid(0);
        long.set_username("root")?;
        long.set_groupname("root")?;
        long.set_cksum();
        tar.append(&long, bytes.chain(&[0u8][..]))?;
    }
    let n = bytes.len().min(slot.len());
    slot[..n].copy_from_slice(&bytes[..n]);
    header.set_cksum();
    tar.append(&header, data)
}

/// Counts and hashes what passes through.
struct Hashing<R> {
    inner: R,
    md5: Md5,
    count: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.md5.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// One file of the data member, with what the ordering needs to know.
struct DataFile<'a> {
    file: &'a PackageFile,
    size: u64,
    incompressible: bool,
}

/// Sizes and classifies every file, in the order the data member lists them.
fn data_order<'a>(files: &[&'a PackageFile]) -> Result<Vec<DataFile<'a>>, LinuxError> {
    let mut order = Vec::with_capacity(files.len());
    for &file in files {
        let size = match &file.source {
            FileSource::Bytes(b) => b.len() as u64,
            FileSource::Path(path) => std::fs::metadata(path)
                .map_err(|source| LinuxError::ReadSource {
                    path: path.clone(),
                    dest: file.dest.clone(),
                    source,
                })?
                .len(),
        };
        let incompressible =
            compressibility::looks_incompressible(file, size).map_err(|source| {
                LinuxError::ReadSource {
                    path: source_path(file),
                    dest: file.dest.clone(),
                    source,
                }
            })?;
        order.push(DataFile {
            file,
            size,
            incompressible,
        });
    }
    // Stable: path order within each group.
    order.sort_by_key(|f| f.incompressible);
    Ok(order)
}

fn source_path(file: &PackageFile) -> std::path::PathBuf {
    match &file.source {
        FileSource::Path(p) => p.clone(),
        FileSource::Bytes(_) => file.dest.clone().into(),
    }
}

fn write_data(
    compression: DebCompression,
    files: &[&PackageFile],
    links: &[&PackageSymlink],
    dirs: &[String],
    mtime: u64,
    spool: File,
) -> Result<(File, DataSummary), LinuxError> {
    let w = werr("data.tar");
    let order = data_order(files)?;
    let threads = crateship_support::pool::threads(0).min(4);
    let comp = Compressor::new(
        compression,
        BufWriter::with_capacity(256 << 10, spool),
        threads,
    )
    .map_err(&w)?;
    let mut tar = tar::Builder::new(comp);
    let mut md5sums = Vec::with_capacity(order.len());
    let mut installed_kib = 0u64;

    // Every directory first, parents before children, so dpkg can create them as
    // it goes; then the files that compress; then, stored, those that do not.
    for dir in std::iter::once("").chain(dirs.iter().map(String::as_str)) {
        let name = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        tar_entry(
            &mut tar,
            &name,
            EntryKind::Directory,
            0o755,
            0,
            mtime,
            io::empty(),
        )
        .map_err(&w)?;
        if !dir.is_empty() {
            installed_kib += 1;
        }
    }
    // Symbolic links next: no content, so not in md5sums.
    for link in links {
        tar_entry(
            &mut tar,
            &link.dest,
            EntryKind::Symlink(&link.target),
            0o777,
            0,
            mtime,
            io::empty(),
        )
        .map_err(&w)?;
    }
    for DataFile {
        file,
        size,
        incompressible,
    } in order
    {
        if incompressible {
            tar.get_mut().set_mode(BlockMode::Store).map_err(&w)?;
        }
        let reader: Box<dyn Read> = match &file.source {
            FileSource::Bytes(b) => Box::new(&b[..]),
            FileSource::Path(path) => {
                Box::new(File::open(path).map_err(|source| LinuxError::ReadSource {
                    path: path.clone(),
                    dest: file.dest.clone(),
                    source,
                })?)
            }
        };
        let mut hashing = Hashing {
            inner: reader.take(size),
            md5: Md5::new(),
            count: 0,
        };
        tar_entry(
            &mut tar,
            &file.dest,
            EntryKind::Regular,
            file.mode & 0o777,
            size,
            mtime,
            &mut hashing,
        )
        .map_err(&w)?;
        if hashing.count != size {
            return Err(LinuxError::ReadSource {
                path: source_path(file),
                dest: file.dest.clone(),
                source: io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the file shrank while it was being packaged",
                ),
            });
        }
        installed_kib += size.div_ceil(1024);
        let mut line = String::with_capacity(34 + file.dest.len());
        for byte in hashing.md5.finalize() {
            let _ = write!(line, "{byte:02x}");
        }
        let _ = writeln!(line, "  {}", file.dest);
        md5sums.push((file.dest.as_str(), line));
    }
    let comp = tar.into_inner().map_err(&w)?;
    let buf = comp.finish().map_err(&w)?;
    let spool = buf.into_inner().map_err(|e| w(e.into_error()))?;
    md5sums.sort_by_key(|&(dest, _)| dest);
    Ok((
        spool,
        DataSummary {
            md5sums: md5sums.into_iter().map(|(_, line)| line).collect(),
            installed_kib,
        },
    ))
}

fn control_text(pkg: &LinuxPackage, installed_kib: u64) -> String {
    let mut c = String::new();
    let _ = writeln!(c, "Package: {}", pkg.name);
    let _ = writeln!(c, "Version: {}", version::deb_version(&pkg.version));
    let _ = writeln!(c, "Architecture: {}", pkg.arch.deb_name());
    let _ = writeln!(c, "Maintainer: {}", pkg.maintainer);
    let _ = writeln!(c, "Installed-Size: {installed_kib}");
    let mut depends: Vec<String> = pkg.deb_depends.clone();
    if let Some(floor) = &pkg.glibc_floor
        && !depends
            .iter()
            .any(|d| d.split([' ', '(']).next() == Some("libc6"))
    {
        depends.push(format!("libc6 (>= {floor})"));
    }
    depends.sort();
    depends.dedup();
    if !depends.is_empty() {
        let _ = writeln!(c, "Depends: {}", depends.join(", "));
    }
    let relations = &pkg.deb_relations;
    for (field, list) in [
        ("Recommends", &relations.recommends),
        ("Suggests", &relations.suggests),
        ("Conflicts", &relations.conflicts),
        ("Provides", &relations.provides),
        ("Replaces", &relations.replaces),
    ] {
        if !list.is_empty() {
            let _ = writeln!(c, "{field}: {}", list.join(", "));
        }
    }
    let _ = writeln!(c, "Section: {}", pkg.section.as_deref().unwrap_or("utils"));
    let _ = writeln!(
        c,
        "Priority: {}",
        pkg.priority.as_deref().unwrap_or("optional")
    );
    if let Some(home) = &pkg.homepage {
        let _ = writeln!(c, "Homepage: {home}");
    }
    let _ = writeln!(c, "Description: {}", pkg.summary.trim());
    for line in text::wrap_paragraphs(&pkg.description, 79) {
        if line.is_empty() {
            c.push_str(" .\n");
        } else {
            let _ = writeln!(c, " {line}");
        }
    }
    c
}

fn control_tar(
    pkg: &LinuxPackage,
    compression: DebCompression,
    summary: &DataSummary,
    mtime: u64,
) -> Result<Vec<u8>, LinuxError> {
    let w = werr("control.tar");
    let mut members: Vec<(String, u32, Vec<u8>)> = vec![
        (
            "control".into(),
            0o644,
            control_text(pkg, summary.installed_kib).into_bytes(),
        ),
        (
            "md5sums".into(),
            0o644,
            summary.md5sums.clone().into_bytes(),
        ),
    ];
    if !pkg.conffiles.is_empty() {
        let mut list: Vec<String> = pkg.conffiles.iter().map(|c| format!("/{c}\n")).collect();
        list.sort();
        members.push(("conffiles".into(), 0o644, list.concat().into_bytes()));
    }
    let all = crate::systemd::scripts_with_units(pkg, crate::systemd::Flavor::Deb);
    let scripts = [
        ("preinst", &all.pre_install),
        ("postinst", &all.post_install),
        ("prerm", &all.pre_remove),
        ("postrm", &all.post_remove),
    ];
    for (name, body) in scripts {
        if let Some(body) = body {
            members.push((
                name.into(),
                0o755,
                format!("#!/bin/sh\nset -e\n{}\n", body.trim_end()).into_bytes(),
            ));
        }
    }
    members.sort_by(|a, b| a.0.cmp(&b.0));
    let comp = Compressor::new(compression, Vec::new(), 1).map_err(&w)?;
    let mut tar = tar::Builder::new(comp);
    tar_entry(
        &mut tar,
        "",
        EntryKind::Directory,
        0o755,
        0,
        mtime,
        io::empty(),
    )
    .map_err(&w)?;
    for (name, mode, data) in &members {
        tar_entry(
            &mut tar,
            name,
            EntryKind::Regular,
            *mode,
            data.len() as u64,
            mtime,
            &data[..],
        )
        .map_err(&w)?;
    }
    tar.into_inner().map_err(&w)?.finish().map_err(&w)
}
