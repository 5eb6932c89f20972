//! The `ar` container a .deb is: each member's name, offset and size, found by
//! reading the 60-byte member headers and seeking past the data in between, so a
//! multi-GiB `data.tar` member is never read.

use std::io::{self, Read, Seek, SeekFrom};

const MAGIC: &[u8; 8] = b"!<arch>\n";
const HEADER_LEN: u64 = 60;

/// One member of an `ar` archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Its name (GNU `/` terminator removed).
    pub name: String,
    /// Where its data starts in the archive.
    pub offset: u64,
    /// Its data length.
    pub size: u64,
}

/// Why an archive's member list could not be read.
#[derive(Debug)]
pub enum ArError {
    /// Reading failed.
    Io(io::Error),
    /// The bytes are not an `ar` archive; the text says what is wrong.
    Format(String),
}

impl From<io::Error> for ArError {
    fn from(e: io::Error) -> ArError {
        ArError::Io(e)
    }
}

/// The members of the `ar` archive `file` (of `len` bytes), in order.
pub fn members(file: &mut (impl Read + Seek), len: u64) -> Result<Vec<Member>, ArError> {
    let mut magic = [0u8; 8];
    if len < 8 {
        return Err(ArError::Format(
            "it is too short to be an ar archive".into(),
        ));
    }
    file.seek(SeekFrom::Start(0))?;
    file.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(ArError::Format(
            "it does not start with the ar magic `!<arch>`".into(),
        ));
    }
    let mut members = Vec::new();
    let mut at = 8u64;
    while at < len {
        if len - at < HEADER_LEN {
            return Err(ArError::Format(format!(
                "it ends inside the member header at byte {at}"
            )));
        }
        let mut header = [0u8; HEADER_LEN as usize];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut header)?;
        let member = parse_header(&header, at + HEADER_LEN)?;
        if member.size > len - member.offset {
            return Err(ArError::Format(format!(
                "member `{}` claims {} bytes but the file ends first (truncated?)",
                member.name, member.size
            )));
        }
        // Members are padded to an even length.
        at = member.offset + member.size + (member.size & 1);
        members.push(member);
    }
    Ok(members)
}

fn parse_header(header: &[u8; HEADER_LEN as usize], offset: u64) -> Result<Member, ArError> {
    if &header[58..60] != b"`\n" {
        return Err(ArError::Format(format!(
            "the member header at byte {} is damaged",
            offset - HEADER_LEN
        )));
    }
    let field = |range: std::ops::Range<usize>| {
        std::str::from_utf8(&header[range])
            .map(|s| s.trim_end_matches(' '))
            .map_err(|_| ArError::Format("a member header is not ASCII".into()))
    };
    let name = field(0..16)?;
    let name = name.strip_suffix('/').unwrap_or(name).to_owned();
    let size = field(48..58)?;
    let size = size
        .parse::<u64>()
        .map_err(|_| ArError::Format(format!("member `{name}` has an unreadable size {size:?}")))?;
    Ok(Member { name, offset, size })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn archive(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        for (name, data) in members {
            out.extend(
                format!(
                    "{name:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                    0,
                    0,
                    0,
                    100644,
                    data.len()
                )
                .bytes(),
            );
            out.extend_from_slice(data);
            if data.len() % 2 == 1 {
                out.push(b'\n');
            }
        }
        out
    }

    #[test]
    fn lists_members_with_padding() {
        let bytes = archive(&[
            ("debian-binary", b"2.0\n"),
            ("control.tar/", b"abc"),
            ("data.tar", b"xy"),
        ]);
        let list = members(&mut Cursor::new(&bytes), bytes.len() as u64).unwrap();
        let names: Vec<_> = list
            .iter()
            .map(|m| (m.name.as_str(), m.offset, m.size))
            .collect();
        assert_eq!(
            names,
            [
                ("debian-binary", 68, 4),
                ("control.tar", 132, 3),
                ("data.tar", 196, 2)
            ]
        );
        assert_eq!(&bytes[132..135], b"abc");
    }

    #[test]
    fn truncated_and_foreign_files_are_format_errors() {
        let bytes = archive(&[("data.tar", b"0123456789")]);
        let short = &bytes[..bytes.len() - 3];
        let err = members(&mut Cursor::new(short), short.len() as u64).unwrap_err();
        assert!(
            matches!(&err, ArError::Format(t) if t.contains("truncated")),
            "{err:?}"
        );
        let err = members(&mut Cursor::new(b"PK\x03\x04 zip file"), 14).unwrap_err();
        assert!(
            matches!(&err, ArError::Format(t) if t.contains("magic")),
            "{err:?}"
        );
    }
}
