//! Reads back the CMS blobs of the code signatures this crate writes, for the
//! release gate: each Mach-O slice's (`LC_CODE_SIGNATURE` → SuperBlob → the
//! `0x10000` blob), a .dmg's (the SuperBlob the `koly` trailer points at) and a
//! .pkg's (the heap range the XAR TOC's `<x-signature>` names). Who signed is
//! for `crateship_sign::cms_signer` to say.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::MacosError;
use crate::dmg_sign::{KOLY, SIG_LENGTH, SIG_OFFSET, be64_at};

const LC_CODE_SIGNATURE: u32 = 0x1d;
const SUPERBLOB_MAGIC: u32 = 0xfade_0cc0;
const CMS_SLOT: u32 = 0x10000;

fn invalid(path: &Path, reason: impl Into<String>) -> MacosError {
    MacosError::InvalidField {
        field: "signed image",
        value: path.display().to_string(),
        reason: reason.into(),
    }
}

/// The CMS blob of each slice's code signature, in slice order: `None` for a
/// slice that is unsigned or ad-hoc signed (no CMS, or an empty one). Not a
/// 64-bit Mach-O: empty.
pub fn macho_signature_cms(bytes: &[u8]) -> Vec<Option<Vec<u8>>> {
    crate::macho_slices(bytes)
        .into_iter()
        .map(thin_signature_cms)
        .collect()
}

fn thin_signature_cms(macho: &[u8]) -> Option<Vec<u8>> {
    let le = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(macho.get(at..at + 4)?.try_into().ok()?))
    };
    let mut at = 32usize;
    for _ in 0..le(16)?.min(4096) {
        let (cmd, size) = (le(at)?, le(at + 4)? as usize);
        if cmd == LC_CODE_SIGNATURE {
            let (offset, length) = (le(at + 8)? as usize, le(at + 12)? as usize);
            return superblob_cms(macho.get(offset..offset.checked_add(length)?)?);
        }
        if size < 8 {
            return None;
        }
        at = at.checked_add(size)?;
    }
    None
}

/// The CMS blob of a code-signature SuperBlob; `None` when absent or empty.
fn superblob_cms(superblob: &[u8]) -> Option<Vec<u8>> {
    let be = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(
            superblob.get(at..at + 4)?.try_into().ok()?,
        ))
    };
    if be(0)? != SUPERBLOB_MAGIC {
        return None;
    }
    for i in 0..be(8)?.min(64) as usize {
        let (kind, blob) = (be(12 + i * 8)?, be(16 + i * 8)? as usize);
        if kind == CMS_SLOT {
            let length = be(blob + 4)? as usize;
            let cms = superblob.get(blob + 8..blob.checked_add(length)?)?;
            return (!cms.is_empty()).then(|| cms.to_vec());
        }
    }
    None
}

/// The CMS blob of the .dmg at `path` (`Ok(None)`: unsigned).
pub fn dmg_signature_cms(path: &Path) -> Result<Option<Vec<u8>>, MacosError> {
    let read = |source| MacosError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(read)?;
    let len = file.metadata().map_err(read)?.len();
    if len < KOLY as u64 {
        return Err(invalid(path, "it is shorter than a UDIF trailer"));
    }
    let mut koly = [0u8; KOLY];
    file.seek(SeekFrom::Start(len - KOLY as u64))
        .and_then(|_| file.read_exact(&mut koly))
        .map_err(read)?;
    if &koly[..4] != b"koly" {
        return Err(invalid(path, "it does not end in a `koly` UDIF trailer"));
    }
    let (offset, length) = (be64_at(&koly, SIG_OFFSET), be64_at(&koly, SIG_LENGTH));
    if length == 0 {
        return Ok(None);
    }
    if offset.saturating_add(length) > len || length > 16 << 20 {
        return Err(invalid(
            path,
            format!("its code signature ({length} bytes at {offset}) lies outside the file"),
        ));
    }
    let mut superblob = vec![0u8; length as usize];
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(&mut superblob))
        .map_err(read)?;
    Ok(superblob_cms(&superblob))
}

/// The CMS blob of the flat .pkg at `path` (`Ok(None)`: unsigned). The XAR
/// header, TOC and TOC checksum are checked as the signer checks them.
pub fn pkg_signature_cms(path: &Path) -> Result<Option<Vec<u8>>, MacosError> {
    let read = |source| MacosError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(read)?;
    let parts = crate::xar::read_xar(BufReader::new(&mut file)).map_err(|r| invalid(path, r))?;
    let toc = &parts.toc;
    let Some(at) = toc.find("<x-signature") else {
        return Ok(None);
    };
    let section = &toc[at..toc[at..]
        .find("</x-signature>")
        .map_or(toc.len(), |e| at + e)];
    let number = |tag: &str| -> Option<u64> {
        let open = format!("<{tag}>");
        let start = section.find(&open)? + open.len();
        section[start..].split('<').next()?.trim().parse().ok()
    };
    let (Some(offset), Some(size)) = (number("offset"), number("size")) else {
        return Err(invalid(path, "its <x-signature> has no offset and size"));
    };
    if size == 0 || size > 16 << 20 {
        return Ok(None);
    }
    let mut cms = vec![0u8; size as usize];
    file.seek(SeekFrom::Start(parts.heap_start + offset))
        .and_then(|_| file.read_exact(&mut cms))
        .map_err(read)?;
    Ok(Some(cms))
}
