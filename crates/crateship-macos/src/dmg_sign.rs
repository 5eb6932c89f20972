//! Embedding a code signature in a UDIF `.dmg`, as `codesign` does for disk
//! images:
//!
//! * the SuperBlob goes between the XML property list and the 512-byte `koly`
//!   trailer, whose `CodeSignatureOffset` (0x128) / `CodeSignatureLength`
//!   (0x130) point at it;
//! * its CodeDirectory (version 0x20100, SHA-256, page size "none") holds one
//!   hash over every byte before the signature (code limit = end of the plist),
//!   special slot 2 the hash of the (empty) requirement set and slot 6
//!   (rep-specific) the hash of the `koly` trailer with `CodeSignatureOffset`
//!   set and `CodeSignatureLength` zero (the length cannot be known before the
//!   CMS exists);
//! * a Developer ID identity adds the CMS over the CodeDirectory; without one the
//!   image is sealed ad-hoc (flag `adhoc`, empty CMS wrapper).
//!
//! The identifier is the output file name without `.dmg` unless given.
//! [`crate::write_dmg`]'s unsigned output is unchanged; this is a second pass.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use crateship_sign::{AppleIdentity, ApplePurpose, AppleSignOptions, SignError};
use crateship_support::AtomicFile;
use sha2::{Digest, Sha256};

use crate::MacosError;
use crate::codesign::{CS_ADHOC, CodeDirectory, empty_requirements, super_blob};
use crate::error::{publish_err, read_err, write_err};

pub(crate) const KOLY: usize = 512;
const PLIST_OFFSET: usize = 0xd8;
const PLIST_LENGTH: usize = 0xe0;
pub(crate) const SIG_OFFSET: usize = 0x128;
pub(crate) const SIG_LENGTH: usize = 0x130;

/// Options for [`sign_dmg`].
#[derive(Debug, Clone)]
pub struct DmgSignOptions<'a> {
    /// A Developer ID Application identity; `None` seals the image ad-hoc.
    pub identity: Option<&'a AppleIdentity>,
    /// The CodeDirectory identifier; default: the output file name without `.dmg`.
    pub identifier: Option<String>,
    /// The CMS `signing-time` (Unix seconds; SOURCE_DATE_EPOCH for reproducibility).
    pub signing_time: u64,
    /// RFC 3161 servers tried in order; empty = no timestamp.
    pub timestamp_urls: Vec<String>,
    /// Bound on each timestamp attempt.
    pub timestamp_timeout: Duration,
}

impl Default for DmgSignOptions<'_> {
    fn default() -> Self {
        DmgSignOptions {
            identity: None,
            identifier: None,
            signing_time: 0,
            timestamp_urls: Vec::new(),
            timestamp_timeout: Duration::from_secs(15),
        }
    }
}

/// What [`sign_dmg`] did; no secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmgSignReport {
    /// The CodeDirectory identifier used.
    pub identifier: String,
    /// Subject of the signing certificate (`None` for ad-hoc).
    pub subject: Option<String>,
    /// SHA-256 of the CodeDirectory (the CDHash is its first 20 bytes).
    pub cdhash: [u8; 32],
    /// The timestamp server that answered, if any.
    pub timestamp_server: Option<String>,
}

fn invalid(path: &Path, reason: impl Into<String>) -> MacosError {
    MacosError::InvalidField {
        field: "disk image",
        value: path.display().to_string(),
        reason: reason.into(),
    }
}

pub(crate) fn be64_at(b: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(b[at..at + 8].try_into().unwrap_or_default())
}

/// Signs the UDIF image `input` (from [`crate::write_dmg`], signed or not) and
/// writes the signed image to `output` atomically, through an [`AtomicFile`]
/// (`output` may equal `input`). The image data is streamed, not loaded.
///
/// Errors: `input` has no `koly` trailer or unexpected bytes before it, the
/// identity is not a Developer ID Application identity, a timestamp server
/// failed, or I/O.
pub fn sign_dmg(
    input: &Path,
    output: &Path,
    opts: &DmgSignOptions<'_>,
) -> Result<DmgSignReport, MacosError> {
    let signing = |source| MacosError::Signing {
        path: input.to_path_buf(),
        source,
    };
    if let Some(id) = opts.identity
        && id.purpose() != ApplePurpose::Application
    {
        return Err(signing(SignError::BadCertificate {
            origin: format!("`{}`", id.subject()),
            reason: "disk images are signed with a Developer ID Application certificate \
                     (ApplePurpose::Application), not an installer one"
                .into(),
        }));
    }
    let identifier = match &opts.identifier {
        Some(i) => i.clone(),
        None => output
            .file_name()
            .map(|n| n.to_string_lossy())
            .map(|n| n.strip_suffix(".dmg").unwrap_or(&n).to_owned())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| invalid(output, "the output has no file name to identify it"))?,
    };
    if identifier.contains('\0') {
        return Err(invalid(output, "the identifier contains a NUL byte"));
    }

    let mut file = File::open(input).map_err(read_err(input))?;
    let len = file.metadata().map_err(read_err(input))?.len();
    if len < KOLY as u64 {
        return Err(invalid(
            input,
            "it is shorter than a UDIF trailer; pass the .dmg written by write_dmg",
        ));
    }
    let koly_at = len - KOLY as u64;
    let mut koly = [0u8; KOLY];
    file.seek(SeekFrom::Start(koly_at))
        .and_then(|_| file.read_exact(&mut koly))
        .map_err(read_err(input))?;
    if &koly[..4] != b"koly"
        || u32::from_be_bytes(koly[8..12].try_into().unwrap_or_default()) != 512
    {
        return Err(invalid(
            input,
            "it has no `koly` UDIF trailer; pass the .dmg written by write_dmg",
        ));
    }
    let plist_end = be64_at(&koly, PLIST_OFFSET).saturating_add(be64_at(&koly, PLIST_LENGTH));
    let (old_off, old_len) = (be64_at(&koly, SIG_OFFSET), be64_at(&koly, SIG_LENGTH));
    let unsigned = old_off == 0 && plist_end == koly_at;
    let signed = old_off == plist_end && old_off.saturating_add(old_len) == koly_at;
    if !(unsigned || signed) {
        return Err(invalid(
            input,
            format!(
                "unexpected bytes between the property list (ends at {plist_end}) and the \
                 trailer (at {koly_at}); only images written by write_dmg can be signed"
            ),
        ));
    }
    let code_limit = u32::try_from(plist_end).map_err(|_| {
        invalid(
            input,
            "images of 4 GiB or more cannot carry a code signature",
        )
    })?;

    // One hash over everything before the signature.
    let mut hasher = Sha256::new();
    file.seek(SeekFrom::Start(0)).map_err(read_err(input))?;
    let mut limited = BufReader::with_capacity(1 << 16, &mut file).take(plist_end);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = limited.read(&mut buf).map_err(read_err(input))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let content: [u8; 32] = hasher.finalize().into();

    koly[SIG_OFFSET..SIG_OFFSET + 8].copy_from_slice(&plist_end.to_be_bytes());
    koly[SIG_LENGTH..SIG_LENGTH + 8].copy_from_slice(&0u64.to_be_bytes());
    let req = empty_requirements();
    let special = [
        [0; 32],
        Sha256::digest(&req).into(),
        [0; 32],
        [0; 32],
        [0; 32],
        Sha256::digest(koly).into(),
    ];
    let cd = CodeDirectory {
        version: 0x20100,
        flags: if opts.identity.is_some() { 0 } else { CS_ADHOC },
        ident: &identifier,
        team: None,
        special: &special,
        code_hashes: vec![content],
        code_limit,
        page_log2: 0,
        exec_seg: (0, 0, 0),
    }
    .to_bytes();
    let (cms, timestamp_server) = match opts.identity {
        Some(id) => {
            let sign_opts = AppleSignOptions {
                signing_time: opts.signing_time,
                timestamp_urls: opts.timestamp_urls.clone(),
                timeout: opts.timestamp_timeout,
                retries: 1,
            };
            let cms = id.sign_code_directory(&cd, &sign_opts).map_err(signing)?;
            (cms.der, cms.timestamp_server)
        }
        None => (Vec::new(), None),
    };
    let sb = super_blob(&cd, &[(2, req)], &cms, 0);
    koly[SIG_LENGTH..SIG_LENGTH + 8].copy_from_slice(&(sb.len() as u64).to_be_bytes());

    const WHAT: &str = "the signed .dmg";
    let mut signed = AtomicFile::create(output).map_err(publish_err(WHAT))?;
    let mut w = BufWriter::with_capacity(1 << 16, signed.file());
    file.seek(SeekFrom::Start(0)).map_err(read_err(input))?;
    let copied = (|| {
        let n = io::copy(&mut BufReader::new(&mut file).take(plist_end), &mut w)?;
        if n != plist_end {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the input image shrank while being signed",
            ));
        }
        w.write_all(&sb)?;
        w.write_all(&koly)?;
        w.flush()
    })();
    copied.map_err(write_err(WHAT, output))?;
    drop(w);
    signed.set_mode(0o644).map_err(publish_err(WHAT))?;
    signed.commit().map_err(publish_err(WHAT))?;
    Ok(DmgSignReport {
        identifier,
        subject: opts.identity.map(|i| i.subject().to_owned()),
        cdhash: Sha256::digest(&cd).into(),
        timestamp_server,
    })
}
