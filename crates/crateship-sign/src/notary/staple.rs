//! Notarization tickets: looked up in Apple's CloudKit ticket database by record name
//! (`2/<digest type>/<first 20 digest bytes, hex>`), then stapled.
//!
//! * `.app` bundles: the ticket is written to `Contents/CodeResources` (a file beside
//!   `Contents/_CodeSignature/`, where Apple's `stapler` puts it). The bundle's seal does
//!   not cover it, so the signature stays valid.
//! * flat `.pkg` (XAR): the ticket is appended after the archive between two 16-byte
//!   `t8lr` trailers (terminator, ticket bytes, ticket trailer); the record is derived
//!   from the SHA-1 checksum of the compressed table of contents. Re-stapling replaces
//!   a previous ticket.
//! * `.dmg` is not supported: its ticket lives in the code signature embedded in the
//!   UDIF image, and crateship does not sign disk images (notarize and staple the `.app`
//!   inside instead).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crateship_support::AtomicFile;
use serde_json::Value;
use sha1::Sha1;
use sha2::Digest as _;

use super::error::{NotaryError, NotaryStep};
use super::http::{self, check_url, json_answer, redact, transport};
use super::sigv4::hex;
use super::{NotarizeOptions, NotaryEndpoints};
use crate::ticket::{TICKET_MAGIC, TRAILER_MAGIC, TRAILER_TERMINATOR, TRAILER_TICKET, archive_len};

/// Code-directory hash types as used in ticket record names.
const HASH_SHA1: u8 = 1;
const HASH_SHA256: u8 = 2;
const CLOUDKIT_LOOKUP: &str =
    "/database/1/com.apple.gk.ticket-delivery/production/public/records/lookup";

/// Looks up the ticket of a notarized executable by its CDHash: the SHA-256 of the main
/// executable's CodeDirectory, truncated to 20 bytes (a full 32-byte digest is accepted
/// and truncated).
pub fn fetch_ticket(
    cdhash: &[u8],
    endpoints: &NotaryEndpoints,
    options: &NotarizeOptions,
) -> Result<Vec<u8>, NotaryError> {
    if cdhash.len() != 20 && cdhash.len() != 32 {
        return Err(NotaryError::Config {
            step: NotaryStep::Ticket,
            reason: format!(
                "a CDHash is 20 bytes (SHA-256 of the CodeDirectory, truncated), not {} bytes",
                cdhash.len()
            ),
        });
    }
    lookup(&record_name(HASH_SHA256, &cdhash[..20]), endpoints, options)
}

/// Looks up the ticket of a notarized flat package (`.pkg`), whose record is derived from
/// the archive's table-of-contents checksum.
pub fn fetch_pkg_ticket(
    pkg: &Path,
    endpoints: &NotaryEndpoints,
    options: &NotarizeOptions,
) -> Result<Vec<u8>, NotaryError> {
    lookup(&pkg_record_name(pkg)?, endpoints, options)
}

fn record_name(hash_type: u8, digest: &[u8]) -> String {
    format!("2/{hash_type}/{}", hex(digest))
}

/// `2/1/<sha1 of the compressed TOC>` of a XAR archive with SHA-1 checksums.
pub(crate) fn pkg_record_name(pkg: &Path) -> Result<String, NotaryError> {
    let step = NotaryStep::Ticket;
    let mut f = File::open(pkg).map_err(|e| NotaryError::io(step, "open", pkg, e))?;
    let header = xar_header(&mut f, pkg, step)?;
    if header.checksum_algorithm != 1 {
        return Err(NotaryError::Staple {
            path: pkg.to_owned(),
            reason: format!(
                "its table of contents uses checksum algorithm {} (only SHA-1, 1, is supported for ticket lookup)",
                header.checksum_algorithm
            ),
        });
    }
    f.seek(SeekFrom::Start(u64::from(header.size)))
        .map_err(|e| NotaryError::io(step, "read", pkg, e))?;
    let mut hasher = Sha1::new();
    let copied = std::io::copy(
        &mut (&mut f).take(header.toc_len),
        &mut HashWriter(&mut hasher),
    )
    .map_err(|e| NotaryError::io(step, "read", pkg, e))?;
    if copied != header.toc_len {
        return Err(NotaryError::Staple {
            path: pkg.to_owned(),
            reason: "the archive is truncated inside its table of contents".into(),
        });
    }
    Ok(record_name(HASH_SHA1, &hasher.finalize()))
}

struct HashWriter<'a>(&'a mut Sha1);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct XarHeader {
    size: u16,
    toc_len: u64,
    checksum_algorithm: u32,
}

fn xar_header(f: &mut File, path: &Path, step: NotaryStep) -> Result<XarHeader, NotaryError> {
    let mut h = [0u8; 28];
    f.read_exact(&mut h).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            not_a_pkg(path)
        } else {
            NotaryError::io(step, "read", path, e)
        }
    })?;
    if &h[..4] != b"xar!" {
        return Err(not_a_pkg(path));
    }
    let be16 = |i: usize| u16::from_be_bytes([h[i], h[i + 1]]);
    let be64 = |i: usize| u64::from_be_bytes(h[i..i + 8].try_into().expect("8 bytes"));
    Ok(XarHeader {
        size: be16(4),
        toc_len: be64(8),
        checksum_algorithm: u32::from_be_bytes(h[24..28].try_into().expect("4 bytes")),
    })
}

fn not_a_pkg(path: &Path) -> NotaryError {
    NotaryError::Staple {
        path: path.to_owned(),
        reason: "it is not a flat package (no `xar!` header); pass the .pkg crateship wrote".into(),
    }
}

fn lookup(
    record: &str,
    endpoints: &NotaryEndpoints,
    options: &NotarizeOptions,
) -> Result<Vec<u8>, NotaryError> {
    let step = NotaryStep::Ticket;
    options.check()?;
    let url = format!(
        "{}{CLOUDKIT_LOOKUP}",
        endpoints.cloudkit_base.trim_end_matches('/')
    );
    check_url(step, &url)?;
    let body = serde_json::json!({ "records": [{ "recordName": record }] }).to_string();
    let response = http::agent(options.request_timeout)
        .post(&url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .send(body.as_bytes())
        .map_err(|e| transport(step, &url, options.request_timeout, e))?;
    let json = json_answer(step, &url, options.request_timeout, response)?;
    let protocol = |reason: String| NotaryError::Protocol {
        step,
        url: redact(&url),
        reason,
    };
    let found = json
        .get("records")
        .and_then(Value::as_array)
        .and_then(|records| {
            records
                .iter()
                .find(|r| r.get("recordName").and_then(Value::as_str) == Some(record))
        })
        .ok_or_else(|| protocol(format!("the answer has no record `{record}`")))?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(code) = text(found, "serverErrorCode") {
        let reason = text(found, "reason").unwrap_or_default();
        return Err(NotaryError::Ticket {
            record: record.to_owned(),
            reason: format!("{code}: {reason}"),
        });
    }
    let field = found
        .get("fields")
        .and_then(|f| f.get("signedTicket"))
        .ok_or_else(|| protocol(format!("record `{record}` has no `fields.signedTicket`")))?;
    if text(field, "type").as_deref() != Some("BYTES") {
        return Err(protocol(format!(
            "`signedTicket` of `{record}` is not of type BYTES"
        )));
    }
    let value = text(field, "value")
        .ok_or_else(|| protocol(format!("`signedTicket` of `{record}` has no value")))?;
    let ticket = STANDARD
        .decode(value.trim())
        .map_err(|e| protocol(format!("`signedTicket` of `{record}` is not base64 ({e})")))?;
    if !ticket.starts_with(TICKET_MAGIC) {
        return Err(protocol(format!(
            "the ticket of `{record}` does not start with `s8ch`"
        )));
    }
    Ok(ticket)
}

fn check_ticket(path: &Path, ticket: &[u8]) -> Result<(), NotaryError> {
    if !crate::ticket::is_ticket(ticket) {
        return Err(NotaryError::Staple {
            path: path.to_owned(),
            reason: "the ticket does not start with `s8ch`; pass the bytes fetch_ticket returned"
                .into(),
        });
    }
    if u32::try_from(ticket.len()).is_err() {
        return Err(NotaryError::Staple {
            path: path.to_owned(),
            reason: "the ticket is larger than 4 GiB".into(),
        });
    }
    Ok(())
}

/// Staples `ticket` into the signed bundle `app_dir` (`Foo.app`) by writing
/// `Contents/CodeResources` atomically (mode 0644). Re-stapling replaces the ticket.
pub fn staple_app(app_dir: &Path, ticket: &[u8]) -> Result<(), NotaryError> {
    check_ticket(app_dir, ticket)?;
    let contents = app_dir.join("Contents");
    if !contents.is_dir() {
        return Err(NotaryError::Staple {
            path: app_dir.to_owned(),
            reason: "it has no `Contents` directory; pass the `.app` bundle directory".into(),
        });
    }
    if !contents
        .join("_CodeSignature")
        .join("CodeResources")
        .is_file()
    {
        return Err(NotaryError::Staple {
            path: app_dir.to_owned(),
            reason: "it is not signed (no `Contents/_CodeSignature/CodeResources`); sign it with a Developer ID and notarize it first".into(),
        });
    }
    let target = contents.join("CodeResources");
    write_atomically(&target, 0o644, |out| out.write_all(ticket))
}

/// Staples `ticket` to the flat package `pkg` (appends the XAR notarization trailer),
/// atomically; a ticket stapled before is replaced.
pub fn staple_pkg(pkg: &Path, ticket: &[u8]) -> Result<(), NotaryError> {
    let step = NotaryStep::Staple;
    check_ticket(pkg, ticket)?;
    let mut f = File::open(pkg).map_err(|e| NotaryError::io(step, "open", pkg, e))?;
    xar_header(&mut f, pkg, step)?;
    let meta = f
        .metadata()
        .map_err(|e| NotaryError::io(step, "read the metadata of", pkg, e))?;
    let keep =
        archive_len(&mut f, meta.len()).map_err(|e| NotaryError::io(step, "read", pkg, e))?;
    let mode = unix_mode(&meta);
    f.seek(SeekFrom::Start(0))
        .map_err(|e| NotaryError::io(step, "read", pkg, e))?;
    write_atomically(pkg, mode, |out| {
        let copied = std::io::copy(&mut (&mut f).take(keep), out)?;
        if copied != keep {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the package shrank while it was being stapled",
            ));
        }
        let len = u32::try_from(ticket.len()).expect("checked above");
        out.write_all(&trailer(TRAILER_TERMINATOR, 0))?;
        out.write_all(ticket)?;
        out.write_all(&trailer(TRAILER_TICKET, len))
    })
}

fn trailer(kind: u16, length: u32) -> [u8; 16] {
    let mut t = [0u8; 16];
    t[..4].copy_from_slice(TRAILER_MAGIC);
    t[4..6].copy_from_slice(&1u16.to_le_bytes());
    t[6..8].copy_from_slice(&kind.to_le_bytes());
    t[8..12].copy_from_slice(&length.to_le_bytes());
    t
}

#[cfg(unix)]
fn unix_mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn unix_mode(_meta: &std::fs::Metadata) -> u32 {
    0o644
}

/// Writes through `fill` into an [`AtomicFile`] for `path`, sets `mode` and
/// publishes it over `path`; on any error `path` is left as it was.
fn write_atomically(
    path: &Path,
    mode: u32,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), NotaryError> {
    let step = NotaryStep::Staple;
    let output = |source| NotaryError::Output { step, source };
    let mut file = AtomicFile::create(path).map_err(output)?;
    {
        let mut out = std::io::BufWriter::new(file.file());
        fill(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| NotaryError::io(step, "write", path, e))?;
    }
    file.set_mode(mode).map_err(output)?;
    file.commit().map_err(output)?;
    Ok(())
}
