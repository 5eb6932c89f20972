//! Developer ID signing of an app bundle: the ad-hoc seal of
//! [`crate::sign_app_adhoc`] plus what an identity adds, laid out as `codesign
//! -s "Developer ID Application: …" [--options runtime] [--entitlements F]` does:
//!
//! * CodeDirectory (0x20400, SHA-256, 4 KiB pages) with the Team ID
//!   (`teamOffset`, from the leaf certificate's OU), flags 0 or `runtime`;
//! * special slots 1 Info.plist, 2 requirements, 3 CodeResources, 5 the XML
//!   entitlements blob (`0xfade7171`), 7 the DER entitlements blob (`0xfade7172`);
//! * the designated requirement `identifier "ID" and anchor apple generic and
//!   certificate 1[field.1.2.840.113635.100.6.2.6] and certificate
//!   leaf[field.1.2.840.113635.100.6.1.13] and certificate leaf[subject.OU] = TEAM`
//!   (what codesign derives for Developer ID), compiled to Apple's requirement
//!   byte code;
//! * a detached CMS over the CodeDirectory in slot `0x10000` (crateship-sign's
//!   [`AppleIdentity::sign_code_directory`]), space for it reserved before the
//!   pages are hashed; every slice of a universal binary gets its own.
//!
//! Files are replaced atomically (temp file + rename in the same directory)
//! only after every slice has been signed.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crateship_sign::asn1::tlv;
use crateship_sign::{AppleIdentity, ApplePurpose, AppleSignOptions};
use crateship_support::AtomicFile;
use plist::Value;
use sha2::{Digest, Sha256};

use crate::MacosError;
use crate::codesign::{
    CS_ADHOC, CS_RUNTIME, CmsSigner, Seal, be32, bundle, code_resources, empty_requirements,
    sign_binary,
};
use crate::error::{publish_err, read_err, write_err};

/// Options for [`sign_app`].
#[derive(Debug, Clone)]
pub struct AppSignOptions<'a> {
    /// The Developer ID Application identity; `None` seals ad-hoc.
    pub identity: Option<&'a AppleIdentity>,
    /// Set the hardened-runtime flag (required for notarization).
    pub hardened_runtime: bool,
    /// An XML plist of entitlements (a dictionary of booleans, strings, integers,
    /// arrays and dictionaries) embedded as XML and DER blobs.
    pub entitlements: Option<PathBuf>,
    /// `signing-time` of the CMS and mtime of the written files (Unix seconds).
    pub source_date_epoch: u64,
    /// RFC 3161 servers tried in order; empty = no timestamp (reproducible).
    pub timestamp_urls: Vec<String>,
    /// Bound on each timestamp attempt.
    pub timestamp_timeout: Duration,
}

impl Default for AppSignOptions<'_> {
    fn default() -> Self {
        AppSignOptions {
            identity: None,
            hardened_runtime: false,
            entitlements: None,
            source_date_epoch: 0,
            timestamp_urls: Vec::new(),
            timestamp_timeout: Duration::from_secs(15),
        }
    }
}

/// What [`sign_app`] did; no secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSignReport {
    /// Subject of the signing certificate (`None` for ad-hoc).
    pub subject: Option<String>,
    /// The Team ID written into the CodeDirectory.
    pub team_id: Option<String>,
    /// SHA-256 of each slice's CodeDirectory (the CDHash is its first 20 bytes), in
    /// slice order; what a notarization ticket is looked up by.
    pub cdhashes: Vec<[u8; 32]>,
    /// The timestamp server that answered, if any.
    pub timestamp_server: Option<String>,
}

const OP_IDENT: u32 = 2;
const OP_AND: u32 = 6;
const OP_CERT_FIELD: u32 = 11;
const OP_CERT_GENERIC: u32 = 14;
const OP_APPLE_GENERIC_ANCHOR: u32 = 15;
const MATCH_EXISTS: u32 = 0;
const MATCH_EQUAL: u32 = 1;
/// Developer ID intermediate CA marker (certificate 1).
const OID_DEVID_CA: &[u64] = &[1, 2, 840, 113_635, 100, 6, 2, 6];
/// Developer ID Application leaf marker.
const OID_DEVID_APP: &[u64] = &[1, 2, 840, 113_635, 100, 6, 1, 13];

/// Appends a requirement-language data item: length, bytes, zero padding to 4.
fn req_data(out: &mut Vec<u8>, data: &[u8]) {
    be32(out, data.len() as u32);
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(4) * 4, 0);
}

/// The content octets of an OBJECT IDENTIFIER.
fn oid_body(arcs: &[u64]) -> Vec<u8> {
    let mut out = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut chunk = vec![(arc & 0x7f) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            chunk.push((v & 0x7f) as u8 | 0x80);
            v >>= 7;
        }
        out.extend(chunk.iter().rev());
    }
    out
}

/// The requirement set holding the Developer ID designated requirement.
pub(crate) fn designated_requirement(ident: &str, team: &str) -> Vec<u8> {
    let mut e = Vec::new();
    be32(&mut e, OP_AND);
    be32(&mut e, OP_IDENT);
    req_data(&mut e, ident.as_bytes());
    be32(&mut e, OP_AND);
    be32(&mut e, OP_APPLE_GENERIC_ANCHOR);
    be32(&mut e, OP_AND);
    be32(&mut e, OP_CERT_GENERIC);
    be32(&mut e, 1);
    req_data(&mut e, &oid_body(OID_DEVID_CA));
    be32(&mut e, MATCH_EXISTS);
    be32(&mut e, OP_AND);
    be32(&mut e, OP_CERT_GENERIC);
    be32(&mut e, 0);
    req_data(&mut e, &oid_body(OID_DEVID_APP));
    be32(&mut e, MATCH_EXISTS);
    be32(&mut e, OP_CERT_FIELD);
    be32(&mut e, 0);
    req_data(&mut e, b"subject.OU");
    be32(&mut e, MATCH_EQUAL);
    req_data(&mut e, team.as_bytes());

    let mut req = Vec::new();
    be32(&mut req, 0xfade_0c00);
    be32(&mut req, (12 + e.len()) as u32);
    be32(&mut req, 1); // expression form
    req.extend_from_slice(&e);
    let mut set = Vec::new();
    be32(&mut set, 0xfade_0c01);
    be32(&mut set, (20 + req.len()) as u32);
    be32(&mut set, 1);
    be32(&mut set, 3); // kSecDesignatedRequirementType
    be32(&mut set, 20);
    set.extend_from_slice(&req);
    set
}

fn der_int(v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    tlv(0x02, &bytes[start..])
}

/// Apple's DER entitlements encoding of one plist value: booleans, UTF8Strings,
/// INTEGERs, SEQUENCEs for arrays and `[16]` sets of (key, value) SEQUENCEs,
/// sorted by key, for dictionaries.
fn der_value(v: &Value, key: &str) -> Result<Vec<u8>, String> {
    Ok(match v {
        Value::Boolean(b) => tlv(0x01, &[if *b { 0xff } else { 0 }]),
        Value::String(s) => tlv(0x0c, s.as_bytes()),
        Value::Integer(i) => der_int(
            i.as_signed()
                .ok_or_else(|| format!("`{key}` is an integer too large for entitlements"))?,
        ),
        Value::Array(a) => {
            let mut body = Vec::new();
            for item in a {
                body.extend(der_value(item, key)?);
            }
            tlv(0x30, &body)
        }
        Value::Dictionary(d) => {
            let mut entries: Vec<(&String, &Value)> = d.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let mut body = Vec::new();
            for (k, v) in entries {
                let mut pair = tlv(0x0c, k.as_bytes());
                pair.extend(der_value(v, k)?);
                body.extend(tlv(0x30, &pair));
            }
            tlv(0xb0, &body)
        }
        _ => {
            return Err(format!(
                "`{key}` has a type (data, date or real) that entitlements cannot hold"
            ));
        }
    })
}

/// The XML (`0xfade7171`) and DER (`0xfade7172`) entitlements blobs of `path`.
pub(crate) fn entitlements_blobs(path: &Path) -> Result<(Vec<u8>, Vec<u8>), MacosError> {
    let xml = fs::read(path).map_err(read_err(path))?;
    let invalid = |reason: String| MacosError::InvalidField {
        field: "entitlements",
        value: path.display().to_string(),
        reason,
    };
    let value = Value::from_reader_xml(&xml[..]).map_err(|e| {
        invalid(format!(
            "not an XML property list ({e}); write it as <plist><dict>…</dict></plist>"
        ))
    })?;
    if value.as_dictionary().is_none() {
        return Err(invalid("the top-level value must be a <dict>".into()));
    }
    let mut der = tlv(0x02, &[1]);
    der.extend(der_value(&value, "(root)").map_err(invalid)?);
    let der = tlv(0x70, &der);
    let blob = |magic: u32, body: &[u8]| {
        let mut b = Vec::with_capacity(8 + body.len());
        be32(&mut b, magic);
        be32(&mut b, (8 + body.len()) as u32);
        b.extend_from_slice(body);
        b
    };
    Ok((blob(0xfade_7171, &xml), blob(0xfade_7172, &der)))
}

/// Replaces `path` atomically with `bytes`, with `mode` and mtime `epoch`.
pub(crate) fn replace_file(
    what: &'static str,
    path: &Path,
    bytes: &[u8],
    mode: u32,
    epoch: u64,
) -> Result<(), MacosError> {
    let mut file = AtomicFile::create(path).map_err(publish_err(what))?;
    let mtime = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(epoch);
    file.write_all(bytes)
        .and_then(|()| file.file().set_modified(mtime))
        .map_err(write_err(what, path))?;
    file.set_mode(mode).map_err(publish_err(what))?;
    file.commit().map_err(publish_err(what))?;
    Ok(())
}

/// Signs `app_dir` (written by [`crate::write_app`]) in place: with a Developer ID
/// Application identity when `opts.identity` is set, ad-hoc otherwise. Writes
/// `Contents/_CodeSignature/CodeResources` and re-writes the main executable
/// (every slice). Nothing is written unless every check and signature succeeds.
///
/// Errors: the identity was not loaded for [`ApplePurpose::Application`] or has no
/// Team ID, the entitlements file is not a plist dictionary, the executable cannot
/// hold a signature, or no timestamp server answered.
pub fn sign_app(app_dir: &Path, opts: &AppSignOptions<'_>) -> Result<AppSignReport, MacosError> {
    let signing = |source| MacosError::Signing {
        path: app_dir.to_path_buf(),
        source,
    };
    let team = match opts.identity {
        Some(id) => {
            if id.purpose() != ApplePurpose::Application {
                return Err(signing(crateship_sign::SignError::BadCertificate {
                    origin: format!("`{}`", id.subject()),
                    reason: "it was loaded as an installer identity; apps are signed with a \
                             Developer ID Application certificate (ApplePurpose::Application)"
                        .into(),
                }));
            }
            Some(id.team_id().ok_or_else(|| {
                signing(crateship_sign::SignError::BadCertificate {
                    origin: format!("`{}`", id.subject()),
                    reason: "it has no Team ID (subject OU)".into(),
                })
            })?)
        }
        None => None,
    };
    let b = bundle(app_dir)?;
    let ents = opts
        .entitlements
        .as_deref()
        .map(entitlements_blobs)
        .transpose()?;
    let resources = code_resources(app_dir, &b.exe_rel)?;
    let req = match team {
        Some(t) => designated_requirement(&b.ident, t),
        None => empty_requirements(),
    };
    let hash = |d: &[u8]| -> [u8; 32] { Sha256::digest(d).into() };
    let mut special = vec![hash(&b.info_bytes), hash(&req), hash(&resources)];
    let mut blobs = vec![(2, req)];
    if let Some((xml, der)) = ents {
        special.extend([[0; 32], hash(&xml), [0; 32], hash(&der)]);
        blobs.push((5, xml));
        blobs.push((7, der));
    }
    let sign_opts = AppleSignOptions {
        signing_time: opts.source_date_epoch,
        timestamp_urls: opts.timestamp_urls.clone(),
        timeout: opts.timestamp_timeout,
        retries: 1,
    };
    let server = std::cell::RefCell::new(None);
    let (server_ref, sign_opts_ref, signing_ref) = (&server, &sign_opts, &signing);
    let cms = opts.identity.map(|id| {
        move |cd: &[u8]| -> Result<Vec<u8>, MacosError> {
            let out = id
                .sign_code_directory(cd, sign_opts_ref)
                .map_err(signing_ref)?;
            *server_ref.borrow_mut() = out.timestamp_server;
            Ok(out.der)
        }
    });
    let signer = cms.as_ref().map(|f| f as &CmsSigner<'_>);
    let runtime = if opts.hardened_runtime { CS_RUNTIME } else { 0 };
    let seal = Seal {
        ident: &b.ident,
        team,
        flags: runtime | if opts.identity.is_some() { 0 } else { CS_ADHOC },
        special,
        blobs,
        signer,
        cms_reserve: opts
            .identity
            .map_or(0, |id| id.cms_size_bound(!opts.timestamp_urls.is_empty())),
    };
    let binary = fs::read(&b.exe_path).map_err(read_err(&b.exe_path))?;
    let (signed, cdhashes) = sign_binary(&binary, &seal, &b.exe_path)?;

    let sig_dir = app_dir.join("Contents/_CodeSignature");
    {
        use std::os::unix::fs::PermissionsExt;
        fs::create_dir_all(&sig_dir)
            .and_then(|()| fs::set_permissions(&sig_dir, fs::Permissions::from_mode(0o755)))
            .map_err(write_err("the code signature", &sig_dir))?;
    }
    let epoch = opts.source_date_epoch;
    let cr = sig_dir.join("CodeResources");
    replace_file("the code signature", &cr, &resources, 0o644, epoch)?;
    replace_file("the signed executable", &b.exe_path, &signed, 0o755, epoch)?;
    let mtime = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(epoch);
    for dir in [
        sig_dir,
        app_dir.join("Contents/MacOS"),
        app_dir.join("Contents"),
    ] {
        fs::File::open(&dir)
            .and_then(|f| f.set_modified(mtime))
            .map_err(write_err("the code signature", &dir))?;
    }
    Ok(AppSignReport {
        subject: opts.identity.map(|i| i.subject().to_owned()),
        team_id: team.map(str::to_owned),
        cdhashes,
        timestamp_server: server.into_inner(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn oids_and_integers_encode_minimally() {
        assert_eq!(
            super::oid_body(super::OID_DEVID_CA),
            [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 6, 2, 6]
        );
        assert_eq!(super::der_int(0), [2, 1, 0]);
        assert_eq!(super::der_int(128), [2, 2, 0, 128]);
        assert_eq!(super::der_int(-1), [2, 1, 0xff]);
        assert_eq!(super::der_int(-129), [2, 2, 0xff, 0x7f]);
    }

    #[test]
    fn der_entitlements_match_apples_encoding() {
        let dict = plist::Value::Dictionary(plist::Dictionary::new());
        let mut der = super::tlv(2, &[1]);
        der.extend(super::der_value(&dict, "").unwrap());
        assert_eq!(super::tlv(0x70, &der), [112, 5, 2, 1, 1, 176, 0]);
    }
}
