//! Authenticode for PE images (.exe, .dll): the image digest skips the CheckSum field,
//! the security directory entry and the certificate table; the file is padded to a
//! multiple of 8, the WIN_CERTIFICATE appended, the directory pointed at it, and the
//! PE checksum recomputed last. An existing signature is removed first (re-signing).

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::asn1::{seq, tlv};
use crate::authenticode::{AuthenticodeOptions, indirect_data, sign};
use crate::key::SigningKey;
use crate::{SignError, SignReport, write_atomically};

const SPC_PE_IMAGE_DATA: &str = "1.3.6.1.4.1.311.2.1.15";

/// Offsets of the fields the digest skips.
pub(crate) struct Layout {
    /// The optional header's CheckSum field.
    pub(crate) checksum: usize,
    /// The security (certificate table) data directory entry.
    pub(crate) security_dir: usize,
}

/// Where the CheckSum field and the security directory entry of `pe` are.
pub(crate) fn layout(pe: &[u8], path: &Path) -> Result<Layout, SignError> {
    let bad = |reason: &str| SignError::BadInput {
        path: path.to_owned(),
        format: "PE",
        reason: reason.to_owned(),
    };
    let u16_at = |at: usize| pe.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |at: usize| {
        pe.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if pe.get(..2) != Some(b"MZ") {
        return Err(bad("no `MZ` header; pass a Windows executable or DLL"));
    }
    let pe_at = u32_at(0x3c).ok_or_else(|| bad("truncated DOS header"))? as usize;
    if pe.get(pe_at..pe_at + 4) != Some(b"PE\0\0") {
        return Err(bad("no `PE` signature where the DOS header points"));
    }
    let optional = pe_at + 24;
    let (dirs, count_at) = match u16_at(optional) {
        Some(0x10b) => (optional + 96, optional + 92),
        Some(0x20b) => (optional + 112, optional + 108),
        _ => {
            return Err(bad(
                "unknown optional header magic (neither PE32 nor PE32+)",
            ));
        }
    };
    let count = u32_at(count_at).ok_or_else(|| bad("truncated optional header"))?;
    if count < 5 {
        return Err(bad("the image has no security directory entry"));
    }
    let security_dir = dirs + 4 * 8;
    if security_dir + 8 > pe.len() {
        return Err(bad("truncated data directories"));
    }
    Ok(Layout {
        checksum: optional + 64,
        security_dir,
    })
}

/// The Authenticode image digest of `pe[..end]` (`end`: where the certificate
/// table starts, or the end of an unsigned image): SHA-256 of everything but the
/// CheckSum field and the security directory entry.
pub(crate) fn image_digest(pe: &[u8], at: &Layout, end: usize) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(&pe[..at.checksum]);
    hasher.update(&pe[at.checksum + 4..at.security_dir]);
    hasher.update(&pe[at.security_dir + 8..end]);
    hasher.finalize().into()
}

fn read_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Signs the PE image `input` and writes it to `output` (atomically; may equal `input`).
/// On any error, including failed timestamping, `output` is left untouched.
pub fn sign_pe(
    input: &Path,
    output: &Path,
    key: &SigningKey,
    opts: &AuthenticodeOptions,
) -> Result<SignReport, SignError> {
    let pe = std::fs::read(input).map_err(|e| SignError::io("read", input, e))?;
    let signed = sign_pe_bytes(pe, input, key, opts)?;
    write_atomically(output, &signed.0, input)?;
    Ok(signed.1)
}

/// Signs a PE image held in memory; `name` is used in errors and warnings.
pub fn sign_pe_bytes(
    mut pe: Vec<u8>,
    name: &Path,
    key: &SigningKey,
    opts: &AuthenticodeOptions,
) -> Result<(Vec<u8>, SignReport), SignError> {
    let at = layout(&pe, name)?;
    // Remove an existing certificate table (it must be the tail of the file).
    let old_offset = read_u32(&pe, at.security_dir) as usize;
    let old_size = read_u32(&pe, at.security_dir + 4) as usize;
    if old_offset != 0 && old_size != 0 {
        if old_offset > pe.len() || old_offset + old_size < pe.len().saturating_sub(7) {
            return Err(SignError::BadInput {
                path: name.to_owned(),
                format: "PE",
                reason: "the existing certificate table is not at the end of the file".into(),
            });
        }
        pe.truncate(old_offset);
    }
    pe[at.security_dir..at.security_dir + 8].fill(0);
    while !pe.len().is_multiple_of(8) {
        pe.push(0);
    }
    let digest = image_digest(&pe, &at, pe.len());

    let obsolete: Vec<u8> = "<<<Obsolete>>>"
        .encode_utf16()
        .flat_map(|u| u.to_be_bytes())
        .collect();
    let file_link = tlv(0xa0, &tlv(0xa2, &tlv(0x80, &obsolete)));
    let image_data = seq(&[&[0x03, 0x01, 0x00], &file_link]);
    let indirect = indirect_data(SPC_PE_IMAGE_DATA, &image_data, &digest);
    let (pkcs7, report) = sign(name, "authenticode-pe", &indirect, key, opts)?;

    let padded = pkcs7.len().div_ceil(8) * 8;
    let length = 8 + padded;
    let offset = pe.len();
    pe.extend_from_slice(&(length as u32).to_le_bytes());
    pe.extend_from_slice(&0x0200u16.to_le_bytes());
    pe.extend_from_slice(&0x0002u16.to_le_bytes());
    pe.extend_from_slice(&pkcs7);
    pe.resize(offset + length, 0);
    pe[at.security_dir..at.security_dir + 4].copy_from_slice(&(offset as u32).to_le_bytes());
    pe[at.security_dir + 4..at.security_dir + 8].copy_from_slice(&(length as u32).to_le_bytes());
    let sum = checksum(&pe, at.checksum);
    pe[at.checksum..at.checksum + 4].copy_from_slice(&sum.to_le_bytes());
    Ok((pe, report))
}

/// The PE image checksum: 16-bit one's-complement-style sum with the CheckSum field
/// counted as zero, plus the file length.
fn checksum(pe: &[u8], checksum_at: usize) -> u32 {
    let mut sum: u64 = 0;
    for (i, chunk) in pe.chunks(2).enumerate() {
        let at = i * 2;
        if at >= checksum_at && at < checksum_at + 4 {
            continue;
        }
        let word = u64::from(chunk[0]) | (u64::from(*chunk.get(1).unwrap_or(&0)) << 8);
        sum += word;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    (sum as u32).wrapping_add(pe.len() as u32)
}
