//! Reads back the code signatures this crate writes, for the release gate: each
//! Mach-O slice's (`LC_CODE_SIGNATURE` → SuperBlob), a .dmg's (the SuperBlob the
//! `koly` trailer points at) and a .pkg's (the heap range the XAR TOC's
//! `<x-signature>` names). The hashes a CodeDirectory seals are recomputed from
//! the bytes; whether the CMS blob signs that CodeDirectory, and who signed, is
//! for `crateship_sign::cms_signer` to say.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::MacosError;
use crate::dmg_sign::{KOLY, SIG_LENGTH, SIG_OFFSET, be64_at};

const LC_CODE_SIGNATURE: u32 = 0x1d;
const SUPERBLOB_MAGIC: u32 = 0xfade_0cc0;
const CODE_DIRECTORY_MAGIC: u32 = 0xfade_0c02;
const CODE_DIRECTORY_SLOT: u32 = 0;
const CMS_SLOT: u32 = 0x10000;
/// The dmg CodeDirectory's special slot holding the hash of the `koly` trailer.
const DMG_KOLY_SLOT: usize = 6;

/// A code signature read back from a Mach-O slice, a .dmg or a .pkg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSignature {
    /// The DER CMS SignedData; empty for an ad-hoc signature.
    pub cms: Vec<u8>,
    /// The bytes the CMS signs: the CodeDirectory (Mach-O, .dmg) or the SHA-1
    /// TOC checksum (.pkg).
    pub signed: Vec<u8>,
    /// Why the bytes no longer match what the CodeDirectory seals (a changed
    /// code page, a trailer edited after signing); `None` when they match.
    pub seal_problem: Option<String>,
    /// The CodeDirectory's special-slot hashes, index 0 = slot 1 (Info.plist),
    /// index 2 = slot 3 (`_CodeSignature/CodeResources`); empty for a .pkg.
    pub special_slots: Vec<[u8; 32]>,
}

fn invalid(path: &Path, reason: impl Into<String>) -> MacosError {
    MacosError::InvalidField {
        field: "signed image",
        value: path.display().to_string(),
        reason: reason.into(),
    }
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The code signature of each slice, in slice order: `None` for a slice that
/// carries none. Not a 64-bit Mach-O: empty.
pub fn macho_signatures(bytes: &[u8]) -> Vec<Option<CodeSignature>> {
    crate::macho_slices(bytes)
        .into_iter()
        .map(thin_signature)
        .collect()
}

fn thin_signature(macho: &[u8]) -> Option<CodeSignature> {
    let le = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(macho.get(at..at + 4)?.try_into().ok()?))
    };
    let mut at = 32usize;
    for _ in 0..le(16)?.min(4096) {
        let (cmd, size) = (le(at)?, le(at + 4)? as usize);
        if cmd == LC_CODE_SIGNATURE {
            let (offset, length) = (le(at + 8)? as usize, le(at + 12)? as usize);
            let mut signature = read_superblob(macho.get(offset..offset.checked_add(length)?)?)?;
            signature.seal_problem =
                code_problem(&signature.signed, offset as u64, &mut |hashes| {
                    page_hashes(&macho[..offset.min(macho.len())], hashes)
                });
            return Some(signature);
        }
        if size < 8 {
            return None;
        }
        at = at.checked_add(size)?;
    }
    None
}

/// The CodeDirectory, CMS blob and special slots of a SuperBlob (the seal is
/// checked by the caller); `None` when it is not one.
fn read_superblob(superblob: &[u8]) -> Option<CodeSignature> {
    if be32(superblob, 0)? != SUPERBLOB_MAGIC {
        return None;
    }
    let blob_at = |kind: u32| -> Option<&[u8]> {
        for i in 0..be32(superblob, 8)?.min(64) as usize {
            if be32(superblob, 12 + i * 8)? == kind {
                let at = be32(superblob, 16 + i * 8)? as usize;
                let length = be32(superblob, at + 4)? as usize;
                return superblob.get(at..at.checked_add(length)?);
            }
        }
        None
    };
    let code_directory = blob_at(CODE_DIRECTORY_SLOT)?.to_vec();
    let cms = blob_at(CMS_SLOT).map_or(Vec::new(), |b| b.get(8..).unwrap_or_default().to_vec());
    let special_slots = special_slots(&code_directory).unwrap_or_default();
    Some(CodeSignature {
        cms,
        signed: code_directory,
        seal_problem: None,
        special_slots,
    })
}

/// Special slots 1..=n of a SHA-256 CodeDirectory.
fn special_slots(cd: &[u8]) -> Option<Vec<[u8; 32]>> {
    let hash_off = be32(cd, 16)? as usize;
    let count = be32(cd, 24)? as usize;
    (1..=count.min(16))
        .map(|slot| {
            cd.get(hash_off.checked_sub(slot * 32)?..hash_off - (slot - 1) * 32)?
                .try_into()
                .ok()
        })
        .collect()
}

/// Why `cd` does not seal the code it covers: its header, its code limit
/// (which must be `limit`, where the signature starts) and each code hash
/// against what `hash_pages` recomputes for its page size (log2; 0 = one hash).
fn code_problem(
    cd: &[u8],
    limit: u64,
    hash_pages: &mut dyn FnMut(PageHashes) -> Result<Vec<[u8; 32]>, String>,
) -> Option<String> {
    let field = |at| be32(cd, at);
    let (Some(magic), Some(hash_off), Some(count), Some(code_limit)) =
        (field(0), field(16), field(28), field(32))
    else {
        return Some("its CodeDirectory is truncated".into());
    };
    let (hash_size, hash_type, page_log2) = match cd.get(36..40) {
        Some(&[size, kind, _, page]) => (size, kind, page),
        _ => return Some("its CodeDirectory is truncated".into()),
    };
    if magic != CODE_DIRECTORY_MAGIC || hash_size != 32 || hash_type != 2 {
        return Some("its CodeDirectory is not a SHA-256 CodeDirectory".into());
    }
    if u64::from(code_limit) != limit {
        return Some(format!(
            "its CodeDirectory covers {code_limit} bytes, but the signature starts at byte {limit} (bytes were added or removed after signing)"
        ));
    }
    let recomputed = match hash_pages(PageHashes {
        code_limit: u64::from(code_limit),
        page_log2,
    }) {
        Ok(hashes) => hashes,
        Err(e) => return Some(e),
    };
    if recomputed.len() != count as usize {
        return Some(format!(
            "its CodeDirectory seals {count} pages, the code has {}",
            recomputed.len()
        ));
    }
    for (page, hash) in recomputed.iter().enumerate() {
        let at = hash_off as usize + page * 32;
        if cd.get(at..at + 32) != Some(&hash[..]) {
            return Some(format!(
                "code page {page} differs from its sealed hash (the code changed after signing)"
            ));
        }
    }
    None
}

/// What a CodeDirectory's code hashes cover.
struct PageHashes {
    code_limit: u64,
    page_log2: u8,
}

/// SHA-256 of each page of `code` (one hash when `page_log2` is 0).
fn page_hashes(code: &[u8], pages: PageHashes) -> Result<Vec<[u8; 32]>, String> {
    if code.len() as u64 != pages.code_limit {
        return Err("its code limit lies outside the file".into());
    }
    if pages.page_log2 == 0 {
        return Ok(vec![Sha256::digest(code).into()]);
    }
    if pages.page_log2 > 30 {
        return Err(format!(
            "its CodeDirectory has a page size of 2^{}",
            pages.page_log2
        ));
    }
    Ok(code
        .chunks(1 << pages.page_log2)
        .map(|page| Sha256::digest(page).into())
        .collect())
}

/// The code signature of the .dmg at `path` (`Ok(None)`: unsigned), its one
/// code hash (everything before the signature) and its trailer hash recomputed.
pub fn dmg_signature(path: &Path) -> Result<Option<CodeSignature>, MacosError> {
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
    let Some(mut signature) = read_superblob(&superblob) else {
        return Ok(None);
    };
    let mut file_ref = &file;
    signature.seal_problem = code_problem(&signature.signed, offset, &mut |pages| {
        if pages.page_log2 != 0 {
            return Err("its CodeDirectory hashes pages; a disk image has one hash".into());
        }
        let mut hasher = Sha256::new();
        file_ref
            .seek(SeekFrom::Start(0))
            .map_err(|e| e.to_string())?;
        let copied = std::io::copy(&mut (&mut file_ref).take(pages.code_limit), &mut hasher)
            .map_err(|e| e.to_string())?;
        if copied != pages.code_limit {
            return Err("its code limit lies outside the file".into());
        }
        Ok(vec![hasher.finalize().into()])
    });
    // The signed trailer is the final one with the signature length still 0.
    let mut sealed_koly = koly;
    sealed_koly[SIG_LENGTH..SIG_LENGTH + 8].copy_from_slice(&0u64.to_be_bytes());
    let koly_hash: [u8; 32] = Sha256::digest(sealed_koly).into();
    if signature.seal_problem.is_none()
        && signature.special_slots.get(DMG_KOLY_SLOT - 1) != Some(&koly_hash)
    {
        signature.seal_problem =
            Some("its koly trailer differs from the one sealed (edited after signing)".into());
    }
    Ok(Some(signature))
}

/// The CMS signature of the flat .pkg at `path` and the TOC checksum it signs
/// (`Ok(None)`: unsigned). The XAR header, TOC and TOC checksum are checked as
/// the signer checks them.
pub fn pkg_signature(path: &Path) -> Result<Option<CodeSignature>, MacosError> {
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
    Ok(Some(CodeSignature {
        cms,
        signed: parts.checksum.to_vec(),
        seal_problem: None,
        special_slots: Vec::new(),
    }))
}

/// Checks a signed bundle's seal the way `codesign --verify` does for what this
/// crate signs: the main executable's CodeDirectory names the Info.plist and
/// `_CodeSignature/CodeResources` by hash (`main_slots`, its special slots), and
/// every other file below `Contents/` is listed in CodeResources' `files2` with
/// its SHA-256 (`files`: path below `Contents/` → SHA-256). A stapled ticket
/// (`Contents/CodeResources`) is not sealed. The error names the first file that
/// differs, is missing, or was added after signing.
pub fn verify_bundle_seal(
    info_plist: &[u8],
    code_resources: &[u8],
    main_slots: &[[u8; 32]],
    files: &std::collections::BTreeMap<String, [u8; 32]>,
) -> Result<(), String> {
    let sealed = |slot: usize, bytes: &[u8], what: &str| match main_slots.get(slot - 1) {
        Some(hash) if hash[..] == Sha256::digest(bytes)[..] => Ok(()),
        _ => Err(format!(
            "{what} differs from the hash the main executable's signature seals (changed after signing)"
        )),
    };
    sealed(1, info_plist, "Contents/Info.plist")?;
    sealed(3, code_resources, "Contents/_CodeSignature/CodeResources")?;
    let info = plist::Value::from_reader(std::io::Cursor::new(info_plist))
        .map_err(|e| format!("Contents/Info.plist does not parse ({e})"))?;
    let exe = info
        .as_dictionary()
        .and_then(|d| d.get("CFBundleExecutable"))
        .and_then(plist::Value::as_string)
        .ok_or("Contents/Info.plist names no CFBundleExecutable")?;
    let main = format!("MacOS/{exe}");
    let seal = plist::Value::from_reader_xml(code_resources)
        .map_err(|e| format!("Contents/_CodeSignature/CodeResources does not parse ({e})"))?;
    let files2 = seal
        .as_dictionary()
        .and_then(|d| d.get("files2"))
        .and_then(plist::Value::as_dictionary)
        .ok_or("Contents/_CodeSignature/CodeResources has no files2")?;
    let unsealed = |rel: &str| {
        rel == main
            || rel == "Info.plist"
            || rel == "PkgInfo"
            || rel == "CodeResources"
            || rel.starts_with("_CodeSignature/")
    };
    for (rel, hash) in files.iter().filter(|(rel, _)| !unsealed(rel)) {
        let entry = files2.get(rel).and_then(plist::Value::as_dictionary);
        let Some(entry) = entry else {
            return Err(format!(
                "Contents/{rel} is not in the seal (added after signing)"
            ));
        };
        if entry.get("hash2").and_then(plist::Value::as_data) != Some(&hash[..]) {
            return Err(format!(
                "Contents/{rel} differs from its sealed hash (changed after signing)"
            ));
        }
    }
    for (rel, entry) in files2 {
        let entry = entry.as_dictionary();
        let regular = entry.is_some_and(|e| e.contains_key("hash2"));
        let optional = entry
            .and_then(|e| e.get("optional"))
            .and_then(plist::Value::as_boolean)
            == Some(true);
        if regular && !optional && !files.contains_key(rel) {
            return Err(format!(
                "Contents/{rel} is sealed but missing (removed after signing)"
            ));
        }
    }
    Ok(())
}
