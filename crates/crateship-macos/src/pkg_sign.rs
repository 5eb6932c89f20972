//! Signing a flat `.pkg` the way `productsign` does, from the unsigned archive
//! [`crate::write_pkg`] wrote:
//!
//! * the TOC gains `<signature style="RSA">` (an RSA PKCS#1 v1.5 signature of
//!   the TOC checksum, i.e. SHA-1 of the compressed TOC used as the digest) and
//!   `<x-signature style="CMS">` (a detached CMS SignedData, SHA-256, over the
//!   same 20 checksum bytes), each with its heap offset/size and the certificate
//!   chain (leaf first) as `KeyInfo/X509Data/X509Certificate`;
//! * the heap starts with the checksum (offset 0, 20 bytes), then the RSA
//!   signature, then the CMS; every file's data offset moves by their sizes.
//!
//! The TOC lists the signature sizes, so the CMS must be sized before it is
//! made: without a timestamp its size is fixed by the RSA key; with one, the
//! TOC is rebuilt until the stamped CMS has the size the TOC announces (the
//! token size of one server is stable, so this converges in two rounds).

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use base64ct::{Base64, Encoding};
use crateship_sign::{AppleIdentity, ApplePurpose, AppleSignOptions, SignError};
use crateship_support::AtomicFile;
use sha1::{Digest, Sha1};

use crate::MacosError;
use crate::error::{publish_err, read_err, write_err};
use crate::xar::{read_xar, toc_bytes};

/// Options for [`sign_pkg`].
#[derive(Debug, Clone)]
pub struct PkgSignOptions<'a> {
    /// A Developer ID Installer identity ([`ApplePurpose::Installer`], RSA key).
    pub identity: &'a AppleIdentity,
    /// The CMS `signing-time` (Unix seconds; SOURCE_DATE_EPOCH for reproducibility).
    pub signing_time: u64,
    /// RFC 3161 servers tried in order; empty = no timestamp.
    pub timestamp_urls: Vec<String>,
    /// Bound on each timestamp attempt.
    pub timestamp_timeout: Duration,
}

/// What [`sign_pkg`] did; no secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkgSignReport {
    /// Subject of the installer certificate.
    pub subject: String,
    /// SHA-1 of the signed (compressed) TOC, hex.
    pub toc_sha1: String,
    /// The timestamp server that answered, if any.
    pub timestamp_server: Option<String>,
}

fn invalid(path: &Path, reason: impl Into<String>) -> MacosError {
    MacosError::InvalidField {
        field: "unsigned .pkg",
        value: path.display().to_string(),
        reason: reason.into(),
    }
}

/// `KeyInfo` with the chain, leaf first, indented for the TOC.
fn key_info(certs: &[Vec<u8>]) -> String {
    let mut s =
        String::from("   <KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\">\n    <X509Data>\n");
    for c in certs {
        let _ = writeln!(
            s,
            "     <X509Certificate>{}</X509Certificate>",
            Base64::encode_string(c)
        );
    }
    s.push_str("    </X509Data>\n   </KeyInfo>\n");
    s
}

/// The unsigned TOC with the two signature elements after `<checksum>` and every
/// file data offset moved by `delta`.
fn signed_toc(
    toc: &str,
    rsa_len: usize,
    cms_len: usize,
    keyinfo: &str,
    path: &Path,
) -> Result<String, MacosError> {
    if toc.contains("<signature") || toc.contains("<x-signature") {
        return Err(invalid(
            path,
            "it is already signed; sign the unsigned .pkg that write_pkg wrote",
        ));
    }
    let Some(end) = toc.find("</checksum>").map(|i| i + "</checksum>\n".len()) else {
        return Err(invalid(path, "its TOC has no <checksum> element"));
    };
    if !toc[..end].contains("<offset>0</offset>") || !toc[..end].contains("<size>20</size>") {
        return Err(invalid(
            path,
            "its TOC checksum is not 20 bytes at heap offset 0",
        ));
    }
    let delta = (rsa_len + cms_len) as u64;
    let mut out = String::with_capacity(toc.len() + 8192);
    out.push_str(&toc[..end]);
    let _ = write!(
        out,
        "  <signature style=\"RSA\">\n   <offset>20</offset>\n   <size>{rsa_len}</size>\n{keyinfo}  </signature>\n\
         \x20 <x-signature style=\"CMS\">\n   <offset>{}</offset>\n   <size>{cms_len}</size>\n{keyinfo}  </x-signature>\n",
        20 + rsa_len
    );
    let mut rest = &toc[end..];
    while let Some(i) = rest.find("<offset>") {
        let (before, after) = rest.split_at(i + "<offset>".len());
        out.push_str(before);
        let close = after
            .find("</offset>")
            .ok_or_else(|| invalid(path, "an <offset> element is not closed"))?;
        let n: u64 = after[..close].trim().parse().map_err(|_| {
            invalid(
                path,
                format!("offset `{}` is not a number", &after[..close]),
            )
        })?;
        let _ = write!(out, "{}", n + delta);
        rest = &after[close..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Signs the unsigned flat package `input` with an installer identity and
/// writes the signed package to `output` (atomically, through an [`AtomicFile`];
/// `output` may equal `input`). The file data is copied as
/// is, streamed; only the TOC and the start of the heap change.
///
/// Errors: the identity is not an RSA installer identity, `input` is not an
/// unsigned XAR with a SHA-1 TOC checksum, a timestamp server failed, or I/O.
pub fn sign_pkg(
    input: &Path,
    output: &Path,
    opts: &PkgSignOptions<'_>,
) -> Result<PkgSignReport, MacosError> {
    let id = opts.identity;
    let signing = |source| MacosError::Signing {
        path: input.to_path_buf(),
        source,
    };
    if id.purpose() != ApplePurpose::Installer {
        return Err(signing(SignError::BadCertificate {
            origin: format!("`{}`", id.subject()),
            reason: "it was loaded as an application identity; packages are signed with a \
                     Developer ID Installer certificate (ApplePurpose::Installer)"
                .into(),
        }));
    }
    let rsa_len = id.rsa_signature_len().ok_or_else(|| {
        signing(SignError::BadKey {
            origin: format!("`{}`", id.subject()),
            reason: "installer packages need an RSA key (XAR `RSA` signature style)".into(),
        })
    })?;
    let certs = id.certificates_der().map_err(signing)?;
    let keyinfo = key_info(&certs);
    let mut file = File::open(input).map_err(read_err(input))?;
    let parts = read_xar(BufReader::new(&mut file)).map_err(|r| invalid(input, r))?;
    let mut sign_opts = AppleSignOptions {
        signing_time: opts.signing_time,
        timestamp_urls: Vec::new(),
        timeout: opts.timestamp_timeout,
        retries: 1,
    };
    // The CMS size without a timestamp does not depend on the content signed.
    let mut cms_len = id
        .sign_detached(&[0; 20], &sign_opts)
        .map_err(signing)?
        .der
        .len();
    sign_opts.timestamp_urls.clone_from(&opts.timestamp_urls);
    let write_io = |e: io::Error| MacosError::Write {
        what: "the signed .pkg",
        path: output.to_path_buf(),
        source: e,
    };
    let mut attempt = 0;
    let (header, ctoc, checksum, rsa, cms) = loop {
        let toc = signed_toc(&parts.toc, rsa_len, cms_len, &keyinfo, input)?;
        let (header, ctoc) = toc_bytes(&toc).map_err(write_io)?;
        let checksum: [u8; 20] = Sha1::digest(&ctoc).into();
        let rsa = id.sign_sha1_digest_rsa(&checksum).map_err(signing)?;
        let cms = id.sign_detached(&checksum, &sign_opts).map_err(signing)?;
        if cms.der.len() == cms_len {
            break (header, ctoc, checksum, rsa, cms);
        }
        attempt += 1;
        if attempt > 4 {
            return Err(invalid(
                input,
                "the timestamped CMS changes size on every attempt; try another timestamp server",
            ));
        }
        cms_len = cms.der.len();
    };
    debug_assert_eq!(rsa.len(), rsa_len);

    const WHAT: &str = "the signed .pkg";
    let mut signed = AtomicFile::create(output).map_err(publish_err(WHAT))?;
    let mut w = BufWriter::new(signed.file());
    file.seek(SeekFrom::Start(parts.heap_start + 20))
        .map_err(read_err(input))?;
    let copy = (|| {
        for part in [&header[..], &ctoc, &checksum, &rsa, &cms.der] {
            w.write_all(part)?;
        }
        io::copy(&mut BufReader::new(&mut file), &mut w)?;
        w.flush()
    })();
    copy.map_err(write_err(WHAT, output))?;
    drop(w);
    signed.set_mode(0o644).map_err(publish_err(WHAT))?;
    signed.commit().map_err(publish_err(WHAT))?;
    Ok(PkgSignReport {
        subject: id.subject().to_owned(),
        toc_sha1: checksum.iter().map(|b| format!("{b:02x}")).collect(),
        timestamp_server: cms.timestamp_server,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn offsets_after_the_checksum_move_and_signatures_are_inserted() {
        let toc = "<toc>\n  <checksum style=\"sha1\">\n   <offset>0</offset>\n   <size>20</size>\n  </checksum>\n\
                   <file><data><offset>20</offset></data></file><file><data><offset>120</offset></data></file></toc>";
        let p = std::path::Path::new("x.pkg");
        let out = super::signed_toc(toc, 256, 1000, "", p).unwrap();
        assert!(out.contains("<offset>1276</offset>") && out.contains("<offset>1376</offset>"));
        assert!(out.contains("<offset>276</offset>\n   <size>1000</size>"));
        assert!(super::signed_toc(&out, 256, 1000, "", p).is_err());
    }
}
