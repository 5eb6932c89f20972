//! Reads back who signed a PE or MSI file: the PKCS#7 SignedData is taken from the PE
//! certificate table or the MSI `\u{5}DigitalSignature` stream, and the signer's
//! certificate found by issuer and serial number. Used to report (and to check) what an
//! external backend did.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};

use crate::SignError;
use crate::key::hex;

/// Which Authenticode container a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A PE image (`MZ`).
    Pe,
    /// A compound file (MSI).
    Msi,
}

/// Tells PE from MSI by the first bytes.
pub(crate) fn kind(path: &Path) -> Result<Kind, SignError> {
    let mut head = [0u8; 8];
    let mut file = File::open(path).map_err(|e| SignError::io("read", path, e))?;
    let n = file
        .read(&mut head)
        .map_err(|e| SignError::io("read", path, e))?;
    match &head[..n] {
        [b'M', b'Z', ..] => Ok(Kind::Pe),
        [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] => Ok(Kind::Msi),
        _ => Err(SignError::BadInput {
            path: path.to_owned(),
            format: "PE or MSI",
            reason: "it starts neither with `MZ` nor with the compound-file magic; Authenticode signs .exe, .dll and .msi files".into(),
        }),
    }
}

/// The signer of an Authenticode-signed file.
pub(crate) struct Signed {
    pub(crate) subject: String,
    pub(crate) fingerprint: String,
    pub(crate) timestamped: bool,
}

/// The PKCS#7 blob of a signed file, or `None` when it carries no signature.
fn pkcs7(path: &Path) -> Result<Option<Vec<u8>>, SignError> {
    let io = |e| SignError::io("read", path, e);
    match kind(path)? {
        Kind::Pe => {
            let mut file = File::open(path).map_err(io)?;
            let mut head = Vec::new();
            (&mut file)
                .take(64 * 1024)
                .read_to_end(&mut head)
                .map_err(io)?;
            let u32_at = |at: usize| {
                head.get(at..at + 4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            };
            let Some(pe_at) = u32_at(0x3c) else {
                return Ok(None);
            };
            let optional = pe_at + 24;
            let dirs = match head.get(optional..optional + 2) {
                Some([0x0b, 0x01]) => optional + 96,
                Some([0x0b, 0x02]) => optional + 112,
                _ => return Ok(None),
            };
            let (Some(offset), Some(size)) = (u32_at(dirs + 32), u32_at(dirs + 36)) else {
                return Ok(None);
            };
            if offset == 0 || size <= 8 {
                return Ok(None);
            }
            let mut table = vec![0u8; size];
            file.seek(SeekFrom::Start(offset as u64)).map_err(io)?;
            file.read_exact(&mut table).map_err(io)?;
            Ok(Some(table[8..].to_vec()))
        }
        Kind::Msi => {
            let file = File::open(path).map_err(io)?;
            let mut comp = cfb::CompoundFile::open(file).map_err(io)?;
            let name = "/\u{5}DigitalSignature";
            if !comp.is_stream(name) {
                return Ok(None);
            }
            let mut data = Vec::new();
            comp.open_stream(name)
                .and_then(|mut s| s.read_to_end(&mut data))
                .map_err(io)?;
            Ok(Some(data))
        }
    }
}

/// Who signed `path`, or `None` if it carries no Authenticode signature.
pub(crate) fn signer(path: &Path) -> Result<Option<Signed>, SignError> {
    let Some(blob) = pkcs7(path)? else {
        return Ok(None);
    };
    let parsed = parse_pkcs7(&blob, None).map_err(bad_signature(path))?;
    Ok(Some(parsed.signed))
}

/// The error of a signature in `path` that does not parse, saying why.
fn bad_signature(path: &Path) -> impl Fn(String) -> SignError + '_ {
    move |reason| SignError::BadInput {
        path: path.to_owned(),
        format: "Authenticode signature",
        reason,
    }
}

/// What a release gate learns from an Authenticode (or Apple CMS) signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticodeInfo {
    /// The signing certificate's subject.
    pub subject: String,
    /// SHA-256 of the signing certificate, lowercase hex.
    pub fingerprint: String,
    /// Whether it carries an RFC 3161 or legacy countersignature (a timestamp).
    pub timestamped: bool,
    /// When the signing certificate expires, in seconds since the Unix epoch.
    pub not_after: u64,
    /// Whether the signed digest equals the file's digest now (`false`: the
    /// file changed after it was signed). `None` where it is not recomputed (an
    /// Apple CMS blob).
    pub digest_matches: Option<bool>,
}

/// The Authenticode signature of the PE image `pe` (bytes in memory), or
/// `None` when it has none; an error says why the signature does not parse.
pub fn authenticode_of_pe(pe: &[u8]) -> Result<Option<AuthenticodeInfo>, String> {
    let u32_at = |at: usize| {
        pe.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let layout = crate::pe::layout(pe, Path::new("the image")).map_err(|e| match e {
        SignError::BadInput { reason, .. } => reason,
        other => other.to_string(),
    })?;
    let security_dir = layout.security_dir;
    let (Some(offset), Some(size)) = (u32_at(security_dir), u32_at(security_dir + 4)) else {
        return Ok(None);
    };
    if offset == 0 || size <= 8 {
        return Ok(None);
    }
    let table = pe
        .get(offset..offset + size)
        .ok_or("its certificate table runs past the end of the file (cut off?)")?;
    let parsed = parse_pkcs7(&table[8..], None)?;
    let digest = crate::pe::image_digest(pe, &layout, offset);
    let digest_matches = parsed.content.windows(digest.len()).any(|w| w == digest);
    Ok(Some(parsed.info(Some(digest_matches))))
}

/// The signer of a detached CMS SignedData `blob` over `content` (an Apple code
/// signature's CMS blob over its CodeDirectory, or a .pkg's over its TOC
/// checksum): subject, fingerprint, timestamp and expiry. An error says why it
/// does not verify (a digest that is not `content`'s, an altered signature).
pub fn cms_signer(blob: &[u8], content: &[u8]) -> Result<AuthenticodeInfo, String> {
    parse_pkcs7(blob, Some(content)).map(|parsed| parsed.info(Some(true)))
}

/// The Authenticode signature of the PE or MSI file at `path`, or `None`.
pub fn authenticode_of_file(path: &Path) -> Result<Option<AuthenticodeInfo>, SignError> {
    if kind(path)? == Kind::Pe {
        let pe = std::fs::read(path).map_err(|e| SignError::io("read", path, e))?;
        return authenticode_of_pe(&pe).map_err(bad_signature(path));
    }
    let Some(blob) = pkcs7(path)? else {
        return Ok(None);
    };
    let parsed = parse_pkcs7(&blob, None).map_err(bad_signature(path))?;
    let digest = crate::msi::msi_digest(path).map_err(|e| SignError::io("read", path, e))?;
    let digest_matches = parsed.content.windows(digest.len()).any(|w| w == digest);
    Ok(Some(parsed.info(Some(digest_matches))))
}

/// A parsed signature: the signer, its certificate's expiry, the signed content.
struct Parsed {
    signed: Signed,
    not_after: u64,
    content: Vec<u8>,
}

impl Parsed {
    fn info(self, digest_matches: Option<bool>) -> AuthenticodeInfo {
        AuthenticodeInfo {
            subject: self.signed.subject,
            fingerprint: self.signed.fingerprint,
            timestamped: self.signed.timestamped,
            not_after: self.not_after,
            digest_matches,
        }
    }
}

/// Parses a PKCS#7 SignedData blob (trailing padding allowed) and verifies its
/// signer and timestamp cryptographically (`cms_verify`) over the embedded
/// content, or over `detached` when the content is not embedded.
fn parse_pkcs7(blob: &[u8], detached: Option<&[u8]>) -> Result<Parsed, String> {
    // The PE table is padded to 8 bytes: parse only the first DER element.
    let info = ContentInfo::from_der(der_prefix(blob))
        .map_err(|e| format!("the PKCS#7 blob does not parse ({e})"))?;
    let signed = info
        .content
        .decode_as::<SignedData>()
        .map_err(|e| format!("not a SignedData ({e})"))?;
    let Some(first) = signed.signer_infos.0.iter().next() else {
        return Err("the SignedData has no signer".into());
    };
    let cert = crate::cms_verify::signer_certificate(&signed, &first.sid)
        .ok_or("the signer's certificate (named by issuer and serial) is not embedded")?;
    let der = cert
        .to_der()
        .map_err(|e| format!("cannot re-encode the signer's certificate ({e})"))?;
    let content = signed
        .encap_content_info
        .econtent
        .as_ref()
        .map(|c| c.value().to_vec())
        .unwrap_or_default();
    crate::cms_verify::verify_signer(first, cert, detached.unwrap_or(&content))?;
    let timestamped = crate::cms_verify::verify_timestamp(&signed, first)?;
    Ok(Parsed {
        signed: Signed {
            subject: cert.tbs_certificate.subject.to_string(),
            fingerprint: hex(&Sha256::digest(&der)),
            timestamped,
        },
        not_after: cert
            .tbs_certificate
            .validity
            .not_after
            .to_unix_duration()
            .as_secs(),
        content,
    })
}

/// The bytes of the first DER element of `data` (drops trailing padding).
fn der_prefix(data: &[u8]) -> &[u8] {
    let Some(&first) = data.get(1) else {
        return data;
    };
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        match data.get(2..2 + n) {
            Some(bytes) if n <= 4 => (
                bytes.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b)),
                2 + n,
            ),
            _ => return data,
        }
    };
    data.get(..header + len).unwrap_or(data)
}
