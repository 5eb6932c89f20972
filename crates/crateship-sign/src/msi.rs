//! Authenticode for MSI (compound file) packages: the digest covers every stream but the
//! signature streams, in the order of their raw UTF-16LE names (a longer name first when
//! one is a prefix of the other), storages recursively, each storage's CLSID after its
//! children and the root CLSID last. The signature goes into `\u{5}DigitalSignature`.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;

use crateship_support::AtomicFile;
use sha2::{Digest, Sha256};

use crate::asn1::{int, seq, tlv};
use crate::authenticode::{AuthenticodeOptions, indirect_data, sign};
use crate::key::SigningKey;
use crate::{SignError, SignReport};

const SPC_SIPINFO: &str = "1.3.6.1.4.1.311.2.1.30";
const MSI_SIP_GUID: [u8; 16] = [
    0xf1, 0x10, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
];
const SIGNATURE: &str = "\u{5}DigitalSignature";
const SIGNATURE_EX: &str = "\u{5}MsiDigitalSignatureEx";

/// Signs the MSI `input` into `output` (may equal `input`). The work happens on a
/// copy in an [`AtomicFile`], published only when everything succeeded, so a
/// failure (e.g. no timestamp server answered) leaves no signed file.
pub fn sign_msi(
    input: &Path,
    output: &Path,
    key: &SigningKey,
    opts: &AuthenticodeOptions,
) -> Result<SignReport, SignError> {
    let permissions = crate::permissions_of(input)?;
    let mut signed = AtomicFile::create(output)?;
    let mut source = File::open(input).map_err(|e| SignError::io("read", input, e))?;
    std::io::copy(&mut source, signed.file()).map_err(|e| SignError::io("copy", input, e))?;
    signed
        .file()
        .rewind()
        .map_err(|e| SignError::io("rewind", output, e))?;
    let copy = signed
        .file()
        .try_clone()
        .map_err(|e| SignError::io("reopen", output, e))?;
    let report = sign_msi_file(copy, input, key, opts)?;
    signed.set_permissions(permissions)?;
    signed.commit()?;
    Ok(report)
}

/// Signs an MSI opened read+write in place; `name` is used in errors.
pub fn sign_msi_file(
    file: File,
    name: &Path,
    key: &SigningKey,
    opts: &AuthenticodeOptions,
) -> Result<SignReport, SignError> {
    let bad = |reason: String| SignError::BadInput {
        path: name.to_owned(),
        format: "MSI",
        reason,
    };
    let mut comp = cfb::CompoundFile::open(file)
        .map_err(|e| bad(format!("not a compound file ({e}); pass an .msi package")))?;
    for stream in [SIGNATURE, SIGNATURE_EX] {
        let path = format!("/{stream}");
        if comp.is_stream(&path) {
            comp.remove_stream(&path)
                .map_err(|e| SignError::io("remove the old signature from", name, e))?;
        }
    }
    let mut hasher = Sha256::new();
    hash_storage(&mut comp, "/", &mut hasher).map_err(|e| SignError::io("read", name, e))?;
    let digest = hasher.finalize();
    let sip = seq(&[
        &int(1),
        &tlv(0x04, &MSI_SIP_GUID),
        &int(0),
        &int(0),
        &int(0),
        &int(0),
        &int(0),
    ]);
    let indirect = indirect_data(SPC_SIPINFO, &sip, &digest);
    let (pkcs7, report) = sign(name, "authenticode-msi", &indirect, key, opts)?;
    let mut stream = comp
        .create_stream(format!("/{SIGNATURE}"))
        .map_err(|e| SignError::io("add the signature to", name, e))?;
    stream
        .write_all(&pkcs7)
        .and_then(|()| stream.flush())
        .map_err(|e| SignError::io("write the signature to", name, e))?;
    drop(stream);
    comp.flush().map_err(|e| SignError::io("write", name, e))?;
    Ok(report)
}

/// The Authenticode digest of the MSI at `path` as it is now: every stream but
/// the signatures, in the signing order, and each storage's CLSID.
pub(crate) fn msi_digest(path: &Path) -> std::io::Result<[u8; 32]> {
    let mut comp = cfb::CompoundFile::open(File::open(path)?)?;
    let mut hasher = Sha256::new();
    hash_storage(&mut comp, "/", &mut hasher)?;
    Ok(hasher.finalize().into())
}

fn name_key(name: &str) -> Vec<u8> {
    name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

fn hash_storage<F: Read + Seek>(
    comp: &mut cfb::CompoundFile<F>,
    dir: &str,
    hasher: &mut Sha256,
) -> std::io::Result<()> {
    let mut children: Vec<(Vec<u8>, String, bool)> = comp
        .read_storage(dir)?
        .map(|e| {
            (
                name_key(e.name()),
                e.path().to_string_lossy().into_owned(),
                e.is_stream(),
            )
        })
        .collect();
    children.sort_by(|a, b| {
        let n = a.0.len().min(b.0.len());
        a.0[..n].cmp(&b.0[..n]).then(b.0.len().cmp(&a.0.len()))
    });
    for (raw, path, is_stream) in children {
        if is_stream {
            if raw == name_key(SIGNATURE) || raw == name_key(SIGNATURE_EX) {
                continue;
            }
            let mut stream = comp.open_stream(&path)?;
            std::io::copy(&mut stream, hasher)?;
        } else {
            hash_storage(comp, &path, hasher)?;
        }
    }
    let clsid = *comp.entry(dir)?.clsid();
    hasher.update(clsid.to_bytes_le());
    Ok(())
}
