//! Our own XAR writer, the container of a flat `.pkg`: a 28-byte big-endian
//! header (`xar!`, header size, version 1, compressed and uncompressed TOC
//! lengths, checksum algorithm 1 = SHA-1), the zlib-compressed XML table of
//! contents, then the heap: the SHA-1 of the compressed TOC at heap offset 0,
//! followed by each file's bytes stored uncompressed
//! (`application/octet-stream`) with SHA-1 archived/extracted checksums.

use std::fmt::Write as _;
use std::io::{self, Read, Write};

use flate2::Compression;
use flate2::write::ZlibEncoder;
use sha1::{Digest, Sha1};

/// The bytes of one archived file.
pub(crate) enum XarData {
    /// Small content held in memory.
    Bytes(Vec<u8>),
    /// Content spooled to a file (rewound), with its length and SHA-1.
    Spooled {
        /// The spool file, positioned at its start.
        file: std::fs::File,
        /// Its length.
        len: u64,
        /// SHA-1 of the contents.
        sha1: [u8; 20],
    },
}

impl XarData {
    fn len(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::Spooled { len, .. } => *len,
        }
    }

    fn sha1(&self) -> [u8; 20] {
        match self {
            Self::Bytes(b) => Sha1::digest(b).into(),
            Self::Spooled { sha1, .. } => *sha1,
        }
    }
}

/// An entry of the archive tree.
pub(crate) enum XarNode {
    /// A directory and its children.
    Dir(String, Vec<XarNode>),
    /// A file (mode 0644).
    File(String, XarData),
}

/// ISO-8601 UTC time of a Unix timestamp (`2024-05-01T12:00:00Z`).
pub(crate) fn iso8601(epoch: u64) -> String {
    crateship_support::date::rfc3339(i64::try_from(epoch).unwrap_or(i64::MAX))
}

fn hex(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

struct TocState {
    xml: String,
    next_id: u32,
    heap: u64,
    time: String,
}

/// Appends `node` to the TOC; heap offsets follow the same pre-order as [`write_heap`].
fn toc_node(node: &XarNode, depth: usize, st: &mut TocState) {
    let pad = " ".repeat(depth + 2);
    let id = st.next_id;
    st.next_id += 1;
    let _ = writeln!(st.xml, "{pad}<file id=\"{id}\">");
    let (name, mode, ty) = match node {
        XarNode::Dir(n, _) => (n, "0755", "directory"),
        XarNode::File(n, _) => (n, "0644", "file"),
    };
    if let XarNode::File(_, data) = node {
        let len = data.len();
        let sum = hex(&data.sha1());
        let _ = write!(
            st.xml,
            "{pad} <data>\n{pad}  <length>{len}</length>\n{pad}  <offset>{}</offset>\n\
             {pad}  <size>{len}</size>\n{pad}  <encoding style=\"application/octet-stream\"/>\n\
             {pad}  <extracted-checksum style=\"sha1\">{sum}</extracted-checksum>\n\
             {pad}  <archived-checksum style=\"sha1\">{sum}</archived-checksum>\n{pad} </data>\n",
            st.heap
        );
        st.heap += len;
    }
    let t = &st.time;
    let _ = write!(
        st.xml,
        "{pad} <ctime>{t}</ctime>\n{pad} <mtime>{t}</mtime>\n{pad} <atime>{t}</atime>\n\
         {pad} <group>wheel</group>\n{pad} <gid>0</gid>\n{pad} <user>root</user>\n{pad} <uid>0</uid>\n\
         {pad} <mode>{mode}</mode>\n{pad} <type>{ty}</type>\n{pad} <name>{}</name>\n",
        crateship_template::xml_escape(name)
    );
    if let XarNode::Dir(_, children) = node {
        for c in children {
            toc_node(c, depth + 1, st);
        }
    }
    let _ = writeln!(st.xml, "{pad}</file>");
}

/// Writes a XAR archive of `nodes` (in the given order) to `out`.
pub(crate) fn write_xar<W: Write>(nodes: &mut [XarNode], epoch: u64, mut out: W) -> io::Result<W> {
    let time = iso8601(epoch);
    let mut st = TocState {
        xml: String::new(),
        next_id: 1,
        heap: 20,
        time: time.clone(),
    };
    st.xml
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xar>\n <toc>\n");
    let _ = write!(
        st.xml,
        "  <checksum style=\"sha1\">\n   <offset>0</offset>\n   <size>20</size>\n  </checksum>\n\
         \x20 <creation-time>{time}</creation-time>\n"
    );
    for n in nodes.iter() {
        toc_node(n, 0, &mut st);
    }
    st.xml.push_str(" </toc>\n</xar>\n");

    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(st.xml.as_bytes())?;
    let toc = z.finish()?;
    let toc_sum: [u8; 20] = Sha1::digest(&toc).into();

    let mut header = Vec::with_capacity(28);
    header.extend_from_slice(b"xar!");
    header.extend_from_slice(&28u16.to_be_bytes());
    header.extend_from_slice(&1u16.to_be_bytes());
    header.extend_from_slice(&(toc.len() as u64).to_be_bytes());
    header.extend_from_slice(&(st.xml.len() as u64).to_be_bytes());
    header.extend_from_slice(&1u32.to_be_bytes());
    out.write_all(&header)?;
    out.write_all(&toc)?;
    out.write_all(&toc_sum)?;
    write_heap(nodes, &mut out)?;
    Ok(out)
}

/// The parts of an existing XAR archive a signer needs.
pub(crate) struct XarParts {
    /// The TOC XML, decompressed.
    pub(crate) toc: String,
    /// Where the heap starts in the file.
    pub(crate) heap_start: u64,
    /// The SHA-1 checksum of the compressed TOC (what a package signature signs).
    pub(crate) checksum: [u8; 20],
}

/// Reads and checks the header, TOC and TOC checksum of a XAR with a SHA-1 TOC
/// checksum at heap offset 0 (what [`write_xar`] writes); `Err` says what is wrong.
pub(crate) fn read_xar<R: Read>(mut r: R) -> Result<XarParts, String> {
    let mut header = [0u8; 28];
    let short = r.read_exact(&mut header).is_err();
    if short || &header[..4] != b"xar!" {
        return Err("it does not start with `xar!`; pass the .pkg written by write_pkg".into());
    }
    let hsize = u16::from_be_bytes([header[4], header[5]]);
    let clen = u64::from_be_bytes(header[8..16].try_into().unwrap_or_default());
    let alg = u32::from_be_bytes(header[24..28].try_into().unwrap_or_default());
    if hsize != 28 || alg != 1 {
        return Err(format!(
            "header size {hsize} / checksum algorithm {alg} are not the 28 / SHA-1 of a flat package"
        ));
    }
    if clen > 64 << 20 {
        return Err(format!("its table of contents claims {clen} bytes"));
    }
    let mut ctoc = vec![0u8; clen as usize];
    r.read_exact(&mut ctoc)
        .map_err(|e| format!("the table of contents is truncated ({e})"))?;
    let mut checksum = [0u8; 20];
    r.read_exact(&mut checksum)
        .map_err(|e| format!("the TOC checksum is missing ({e})"))?;
    if <[u8; 20]>::from(Sha1::digest(&ctoc)) != checksum {
        return Err("the TOC checksum does not match; the file is damaged".into());
    }
    let mut toc = String::new();
    flate2::read::ZlibDecoder::new(&ctoc[..])
        .read_to_string(&mut toc)
        .map_err(|e| format!("the table of contents does not inflate ({e})"))?;
    Ok(XarParts {
        toc,
        heap_start: 28 + clen,
        checksum,
    })
}

/// The 28-byte header and the zlib-compressed `toc`.
pub(crate) fn toc_bytes(toc: &str) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(toc.as_bytes())?;
    let ctoc = z.finish()?;
    let mut header = Vec::with_capacity(28);
    header.extend_from_slice(b"xar!");
    header.extend_from_slice(&28u16.to_be_bytes());
    header.extend_from_slice(&1u16.to_be_bytes());
    header.extend_from_slice(&(ctoc.len() as u64).to_be_bytes());
    header.extend_from_slice(&(toc.len() as u64).to_be_bytes());
    header.extend_from_slice(&1u32.to_be_bytes());
    Ok((header, ctoc))
}

fn write_heap<W: Write>(nodes: &mut [XarNode], out: &mut W) -> io::Result<()> {
    for n in nodes {
        match n {
            XarNode::Dir(_, children) => write_heap(children, out)?,
            XarNode::File(_, XarData::Bytes(b)) => out.write_all(b)?,
            XarNode::File(_, XarData::Spooled { file, len, .. }) => {
                let copied = io::copy(&mut Read::by_ref(file).take(*len), out)?;
                if copied != *len {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the spooled payload shrank while being archived",
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_dates() {
        assert_eq!(super::iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso8601(1_714_564_800), "2024-05-01T12:00:00Z");
        assert_eq!(super::iso8601(951_782_400), "2000-02-29T00:00:00Z");
    }
}
