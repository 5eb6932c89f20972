//! Embedded AppImage (type 2) signatures, laid out the way appimagetool and AppImage's
//! `validate` tool expect: the SHA-256 of the whole file with the `.sha256_sig` and
//! `.sig_key` sections read as zeros, as 64 lowercase hex characters (no newline), is
//! signed with an armoured detached OpenPGP signature that goes into `.sha256_sig`; the
//! armoured public key goes into `.sig_key`; both NUL-padded. Section offsets come from
//! the runtime's ELF section headers. The runtime prints the signature with
//! `--appimage-signature`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crateship_support::AtomicFile;
use sha2::{Digest, Sha256};

use crate::key::hex;
use crate::openpgp::PgpKey;
use crate::{SignError, SignReport};

const SIG_SECTION: &str = ".sha256_sig";
const KEY_SECTION: &str = ".sig_key";

/// File range of one ELF section.
#[derive(Clone, Copy, Debug)]
struct Range {
    offset: u64,
    size: u64,
}

fn bad(path: &Path, reason: impl Into<String>) -> SignError {
    SignError::BadInput {
        path: path.to_owned(),
        format: "AppImage",
        reason: reason.into(),
    }
}

/// Reads the `.sha256_sig` and `.sig_key` ranges from the ELF section headers.
fn sections(file: &mut File, path: &Path) -> Result<(Range, Range), SignError> {
    let read_at = |file: &mut File, at: u64, len: usize| -> Result<Vec<u8>, SignError> {
        let mut buf = vec![0u8; len];
        file.seek(SeekFrom::Start(at))
            .and_then(|_| file.read_exact(&mut buf))
            .map_err(|_| bad(path, "the ELF headers are truncated"))?;
        Ok(buf)
    };
    let ident = read_at(file, 0, 64)?;
    if &ident[..4] != b"\x7fELF" {
        return Err(bad(path, "no ELF header; pass a type 2 AppImage"));
    }
    if &ident[8..11] != b"AI\x02" {
        return Err(bad(
            path,
            "no type 2 AppImage magic (`AI\\x02` at offset 8); pass an AppImage made by crateship or appimagetool",
        ));
    }
    if ident[5] != 1 {
        return Err(bad(path, "big-endian ELF runtimes are not supported"));
    }
    let u16_at = |b: &[u8], at: usize| u64::from(u16::from_le_bytes([b[at], b[at + 1]]));
    let u32_at = |b: &[u8], at: usize| {
        u64::from(u32::from_le_bytes(
            b[at..at + 4].try_into().unwrap_or_default(),
        ))
    };
    let u64_at =
        |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default());
    let elf64 = match ident[4] {
        1 => false,
        2 => true,
        _ => return Err(bad(path, "unknown ELF class")),
    };
    let (shoff, shentsize, shnum, shstrndx) = if elf64 {
        (
            u64_at(&ident, 0x28),
            u16_at(&ident, 0x3a),
            u16_at(&ident, 0x3c),
            u16_at(&ident, 0x3e),
        )
    } else {
        (
            u32_at(&ident, 0x20),
            u16_at(&ident, 0x2e),
            u16_at(&ident, 0x30),
            u16_at(&ident, 0x32),
        )
    };
    let min_entsize = if elf64 { 64 } else { 40 };
    if shoff == 0 || shnum == 0 || shentsize < min_entsize || shstrndx >= shnum {
        return Err(bad(path, "the runtime has no section headers"));
    }
    let table = read_at(file, shoff, (shentsize * shnum) as usize)?;
    // (name offset, file offset, size) of every section.
    let entries: Vec<(u64, u64, u64)> = (0..shnum as usize)
        .map(|i| {
            let e = &table[i * shentsize as usize..];
            if elf64 {
                (u32_at(e, 0), u64_at(e, 0x18), u64_at(e, 0x20))
            } else {
                (u32_at(e, 0), u32_at(e, 0x10), u32_at(e, 0x14))
            }
        })
        .collect();
    let (_, str_off, str_size) = entries[shstrndx as usize];
    let names = read_at(
        file,
        str_off,
        usize::try_from(str_size).unwrap_or(0).min(1 << 20),
    )?;
    let find = |wanted: &str| -> Result<Range, SignError> {
        entries
            .iter()
            .find(|(name, _, _)| {
                let start = *name as usize;
                names.get(start..).is_some_and(|rest| {
                    let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
                    &rest[..end] == wanted.as_bytes()
                })
            })
            .map(|(_, offset, size)| Range {
                offset: *offset,
                size: *size,
            })
            .ok_or_else(|| {
                bad(
                    path,
                    format!("the runtime has no `{wanted}` section to hold a signature; rebuild it with a runtime that reserves `.sha256_sig` and `.sig_key`"),
                )
            })
    };
    Ok((find(SIG_SECTION)?, find(KEY_SECTION)?))
}

/// SHA-256 of the file with `zeroed` ranges read as zeros, streamed.
fn digest(file: &mut File, path: &Path, zeroed: &[Range]) -> Result<[u8; 32], SignError> {
    file.rewind().map_err(|e| SignError::io("read", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| SignError::io("read", path, e))?;
        if n == 0 {
            break;
        }
        let chunk = &mut buf[..n];
        let end = at + n as u64;
        for r in zeroed {
            let from = r.offset.max(at);
            let to = (r.offset + r.size).min(end);
            if from < to {
                chunk[(from - at) as usize..(to - at) as usize].fill(0);
            }
        }
        hasher.update(&*chunk);
        at = end;
    }
    Ok(hasher.finalize().into())
}

/// The digest an AppImage signature covers: SHA-256 of `path` with `.sha256_sig` and
/// `.sig_key` read as zeros.
pub fn appimage_digest(path: &Path) -> Result<[u8; 32], SignError> {
    let mut file = File::open(path).map_err(|e| SignError::io("read", path, e))?;
    let (sig, key) = sections(&mut file, path)?;
    digest(&mut file, path, &[sig, key])
}

/// The embedded signature of the AppImage at `path`: `Ok(None)` when its
/// `.sha256_sig` section is empty (unsigned), `Ok(Some(verified))` otherwise,
/// where with an armoured `public_key` the signature must verify over the
/// file's digest (`verified` is then `true`) and without one only its presence
/// is reported (`false`). The error text says what does not verify.
pub fn verify_appimage(path: &Path, public_key: Option<&str>) -> Result<Option<bool>, String> {
    let mut file = File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let (sig, key) = sections(&mut file, path).map_err(|e| e.to_string())?;
    let mut section = vec![0u8; usize::try_from(sig.size).map_err(|e| e.to_string())?];
    file.seek(SeekFrom::Start(sig.offset))
        .and_then(|_| file.read_exact(&mut section))
        .map_err(|e| format!("its .sha256_sig section cannot be read: {e}"))?;
    let end = section
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(section.len());
    if end == 0 {
        return Ok(None);
    }
    let Some(public_key) = public_key else {
        return Ok(Some(false));
    };
    let signature = std::str::from_utf8(&section[..end])
        .map_err(|_| "its .sha256_sig section is not an armoured signature".to_owned())?;
    let hex_digest = hex(&digest(&mut file, path, &[sig, key]).map_err(|e| e.to_string())?);
    crate::openpgp::verify_detached_pgp(public_key, signature, hex_digest.as_bytes())
        .map(|()| Some(true))
}

/// Embeds an OpenPGP signature into the AppImage `input`, written to `output` (may equal
/// `input`) through an [`AtomicFile`], so a failure leaves no half-signed file. Re-signing
/// replaces an earlier signature. `created` fixes the signature time (reproducible output).
pub fn sign_appimage(
    input: &Path,
    output: &Path,
    key: &PgpKey,
    created: Option<u32>,
) -> Result<SignReport, SignError> {
    let mut source = File::open(input).map_err(|e| SignError::io("read", input, e))?;
    let (sig_range, key_range) = sections(&mut source, input)?;
    let len = source
        .metadata()
        .map_err(|e| SignError::io("read", input, e))?
        .len();
    for r in [sig_range, key_range] {
        if r.offset + r.size > len {
            return Err(bad(
                input,
                "a signature section lies beyond the end of the file",
            ));
        }
    }
    let hex_digest = hex(&digest(&mut source, input, &[sig_range, key_range])?);
    let signature = key.sign_armored(hex_digest.as_bytes(), created)?;
    let public = key.public_key_armored()?;
    let fit = |what: &str, text: &str, r: Range| {
        if text.len() as u64 > r.size {
            Err(bad(
                input,
                format!(
                    "the {what} is {} bytes but the runtime reserves {} bytes; use a smaller key (Ed25519 or RSA up to 4096 bits)",
                    text.len(),
                    r.size
                ),
            ))
        } else {
            Ok(())
        }
    };
    fit("armoured signature", &signature, sig_range)?;
    fit("armoured public key", &public, key_range)?;

    let mut signed = AtomicFile::create(output)?;
    source
        .rewind()
        .map_err(|e| SignError::io("read", input, e))?;
    std::io::copy(&mut source, signed.file()).map_err(|e| SignError::io("copy", input, e))?;
    for (text, r) in [(&signature, sig_range), (&public, key_range)] {
        let mut padded = text.as_bytes().to_vec();
        padded.resize(r.size as usize, 0);
        let copy = signed.file();
        copy.seek(SeekFrom::Start(r.offset))
            .and_then(|_| copy.write_all(&padded))
            .map_err(|e| SignError::io("write the signature into", output, e))?;
    }
    let permissions = source
        .metadata()
        .map_err(|e| SignError::io("read", input, e))?
        .permissions();
    signed.set_permissions(permissions)?;
    signed.commit()?;
    Ok(key.report("appimage-openpgp"))
}
