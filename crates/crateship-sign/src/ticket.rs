//! Where stapled notarization tickets live, read without the notary client (so
//! the release gate can ask whether one is there): a flat `.pkg` carries its
//! ticket after the archive between two 16-byte `t8lr` trailers (terminator,
//! ticket bytes, ticket trailer); an `.app` carries it as `Contents/CodeResources`.
//! Every ticket starts with `s8ch`. Stapling itself is in `notary::staple`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Every notarization ticket starts with this magic.
pub(crate) const TICKET_MAGIC: &[u8; 4] = b"s8ch";
/// XAR notarization trailer magic.
pub(crate) const TRAILER_MAGIC: &[u8; 4] = b"t8lr";
pub(crate) const TRAILER_LEN: u64 = 16;
pub(crate) const TRAILER_TERMINATOR: u16 = 1;
pub(crate) const TRAILER_TICKET: u16 = 2;

/// Whether `bytes` look like a notarization ticket (the `s8ch` magic and a body).
pub fn is_ticket(bytes: &[u8]) -> bool {
    bytes.len() > TICKET_MAGIC.len() && bytes.starts_with(TICKET_MAGIC)
}

/// The ticket stapled to the flat package at `path`, or `None` when it has none.
pub fn pkg_stapled_ticket(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let start = archive_len(&mut file, len)?;
    if start == len {
        return Ok(None);
    }
    let mut ticket = vec![0u8; (len - start - 2 * TRAILER_LEN) as usize];
    file.seek(SeekFrom::Start(start + TRAILER_LEN))?;
    file.read_exact(&mut ticket)?;
    Ok(Some(ticket))
}

/// Length of the archive without a stapled ticket (terminator + ticket + ticket trailer).
pub(crate) fn archive_len(f: &mut File, len: u64) -> std::io::Result<u64> {
    if len < 2 * TRAILER_LEN {
        return Ok(len);
    }
    let mut t = [0u8; 16];
    f.seek(SeekFrom::Start(len - TRAILER_LEN))?;
    f.read_exact(&mut t)?;
    let kind = u16::from_le_bytes([t[6], t[7]]);
    let ticket_len = u64::from(u32::from_le_bytes([t[8], t[9], t[10], t[11]]));
    if &t[..4] != TRAILER_MAGIC || kind != TRAILER_TICKET || ticket_len + 2 * TRAILER_LEN > len {
        return Ok(len);
    }
    let start = len - 2 * TRAILER_LEN - ticket_len;
    f.seek(SeekFrom::Start(start))?;
    f.read_exact(&mut t)?;
    let kind = u16::from_le_bytes([t[6], t[7]]);
    Ok(if &t[..4] == TRAILER_MAGIC && kind == TRAILER_TERMINATOR {
        start
    } else {
        len
    })
}
