//! Apple signing primitives for crateship-macos: a Developer ID identity (key +
//! chain, Team ID from the leaf's OU), the CMS SignedData that seals a Mach-O or
//! disk-image CodeDirectory (detached, SHA-256, with Apple's CDHashes attributes
//! and an optional RFC 3161 token), and the two signatures of a flat `.pkg`
//! (productsign's RSA/SHA-1 signature over the XAR TOC checksum and its CMS twin).
//!
//! This is our own code on RustCrypto `cms`: `apple-codesign` cannot be linked in
//! this workspace (its `apple-xar → xz2 → lzma-sys` clashes with `liblzma-sys`).
//! The byte layouts around these signatures (CodeDirectory, SuperBlob, XAR TOC,
//! UDIF trailer) live in crateship-macos; this module only ever sees bytes to sign.
//!
//! Signatures are deterministic for the same inputs: RSA PKCS#1 v1.5 and RFC 6979
//! ECDSA, `signing-time` taken from the caller (SOURCE_DATE_EPOCH), no timestamp
//! unless a server is configured.

use std::fmt;
use std::time::{Duration, SystemTime};

use cms::signed_data::EncapsulatedContentInfo;
use der::asn1::{GeneralizedTime, ObjectIdentifier, UtcTime};
use der::{Any, Decode, Encode, Tag};
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::ExtendedKeyUsage;

use crate::SignError;
use crate::asn1::{SHA256, oid, seq, tlv};
use crate::cms_sign;
use crate::key::KeyKind;

const ID_DATA: &str = "1.2.840.113549.1.7.1";
const ID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
const ID_TIMESTAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
const APPLE_CDHASHES: &str = "1.2.840.113635.100.9.1";
const APPLE_CDHASHES2: &str = "1.2.840.113635.100.9.2";
const OID_EKU: &str = "2.5.29.37";
const OID_OU: &str = "2.5.4.11";
const EKU_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
const EKU_ANY: &str = "2.5.29.37.0";
/// Apple's "Developer ID Installer" / "Mac Installer Distribution" package-signing usages.
const EKU_APPLE_PACKAGE: [&str; 2] = ["1.2.840.113635.100.4.13", "1.2.840.113635.100.4.9"];
/// SHA-1 DigestInfo prefix (AlgorithmIdentifier sha1 + NULL, OCTET STRING of 20).
const SHA1_DIGEST_INFO: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];

/// What an [`AppleIdentity`] will sign; decides which certificate usages are accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplePurpose {
    /// Code (`.app`, `.dmg`): needs the codeSigning extended key usage and a Team ID.
    Application,
    /// Installer packages (`.pkg`): needs Apple's package-signing usage (or codeSigning)
    /// and an RSA key.
    Installer,
}

/// A Developer ID signing identity: private key, certificate chain (leaf first) and the
/// Team ID from the leaf's organisational unit. `Debug` never shows the key.
pub struct AppleIdentity {
    key: KeyKind,
    chain: Vec<Certificate>,
    team_id: Option<String>,
    subject: String,
    fingerprint: String,
    purpose: ApplePurpose,
}

impl fmt::Debug for AppleIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppleIdentity")
            .field("algorithm", &self.algorithm())
            .field("purpose", &self.purpose)
            .field("subject", &self.subject)
            .field("team_id", &self.team_id)
            .field("sha256_fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// How Apple CMS signatures are dated and timestamped.
#[derive(Clone, Debug)]
pub struct AppleSignOptions {
    /// The `signing-time` attribute, seconds since the Unix epoch (SOURCE_DATE_EPOCH
    /// keeps signatures reproducible).
    pub signing_time: u64,
    /// RFC 3161 servers (`http://…`) tried in order; empty = no timestamp. When the
    /// list is not empty and every server fails, signing fails.
    pub timestamp_urls: Vec<String>,
    /// Bound on each timestamp attempt.
    pub timeout: Duration,
    /// Extra attempts per timestamp server after its first failure.
    pub retries: u32,
}

impl Default for AppleSignOptions {
    fn default() -> Self {
        AppleSignOptions {
            signing_time: 0,
            timestamp_urls: Vec::new(),
            timeout: Duration::from_secs(15),
            retries: 1,
        }
    }
}

/// A DER CMS ContentInfo (SignedData) and the timestamp server that stamped it.
#[derive(Clone, Debug)]
pub struct AppleCms {
    /// The DER bytes.
    pub der: Vec<u8>,
    /// The RFC 3161 server whose token is embedded, if any.
    pub timestamp_server: Option<String>,
}

impl AppleIdentity {
    /// An identity from PEM text: one unencrypted private key (`PRIVATE KEY`, `RSA
    /// PRIVATE KEY` or `EC PRIVATE KEY`) and the certificate chain (leaf and
    /// intermediates, any order).
    pub fn from_pem(
        key_pem: &[u8],
        chain_pem: &[u8],
        purpose: ApplePurpose,
    ) -> Result<Self, SignError> {
        let (key, chain) = crate::key::load_pem(key_pem, chain_pem)?;
        Self::assemble(key, chain, "the PEM certificate chain", purpose)
    }

    /// An identity from a PKCS#12 archive (`.p12` exported from Keychain Access) and
    /// its password (never echoed in errors).
    pub fn from_pkcs12(
        pfx: &[u8],
        password: &str,
        purpose: ApplePurpose,
    ) -> Result<Self, SignError> {
        let (key, chain) = crate::key::load_pkcs12(pfx, password)?;
        Self::assemble(key, chain, "the PKCS#12 file", purpose)
    }

    fn assemble(
        key: KeyKind,
        chain: Vec<Certificate>,
        origin: &str,
        purpose: ApplePurpose,
    ) -> Result<Self, SignError> {
        let chain = crate::key::leaf_first(&key, chain, origin)?;
        let subject = chain[0].tbs_certificate.subject.to_string();
        check_usage(&chain[0], &subject, purpose)?;
        let team_id = subject_ou(&chain[0]);
        if purpose == ApplePurpose::Application && team_id.is_none() {
            return Err(SignError::BadCertificate {
                origin: origin.into(),
                reason: format!(
                    "`{subject}` has no organisational unit (OU); Apple code signing needs the \
                     Team ID there: use the Developer ID Application certificate Apple issued"
                ),
            });
        }
        if purpose == ApplePurpose::Installer && !matches!(key, KeyKind::Rsa(_)) {
            return Err(SignError::BadKey {
                origin: origin.into(),
                reason: "installer packages are signed with RSA (the XAR `RSA` signature style); \
                         this key is ECDSA P-256"
                    .into(),
            });
        }
        let fingerprint = crate::key::fingerprint(&chain[0], origin)?;
        Ok(AppleIdentity {
            key,
            chain,
            team_id,
            subject,
            fingerprint,
            purpose,
        })
    }

    /// The Team ID (the leaf certificate's OU), e.g. `TEAMID1234`.
    pub fn team_id(&self) -> Option<&str> {
        self.team_id.as_deref()
    }

    /// The subject of the signing certificate (RFC 4514 text).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// SHA-256 of the signing certificate's DER, lowercase hex.
    pub fn sha256_fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// `RSA` or `ECDSA P-256`.
    pub fn algorithm(&self) -> &'static str {
        match self.key {
            KeyKind::Rsa(_) => "RSA",
            KeyKind::P256(_) => "ECDSA P-256",
        }
    }

    /// What this identity was loaded for.
    pub fn purpose(&self) -> ApplePurpose {
        self.purpose
    }

    /// The certificate chain, leaf first, as DER.
    pub fn certificates_der(&self) -> Result<Vec<Vec<u8>>, SignError> {
        self.chain
            .iter()
            .map(|c| {
                c.to_der().map_err(|e| SignError::BadCertificate {
                    origin: "the signing chain".into(),
                    reason: format!("cannot re-encode a certificate ({e})"),
                })
            })
            .collect()
    }

    /// Length of a raw RSA signature (the modulus size), `None` for ECDSA.
    pub fn rsa_signature_len(&self) -> Option<usize> {
        match &self.key {
            KeyKind::Rsa(k) => Some(k.as_ref().as_ref().size()),
            KeyKind::P256(_) => None,
        }
    }

    /// An upper bound of the DER size of any CMS this identity makes, so callers can
    /// reserve space before signing (16 KiB extra when a timestamp is requested).
    pub fn cms_size_bound(&self, timestamped: bool) -> usize {
        let certs: usize = self
            .chain
            .iter()
            .map(|c| c.to_der().map(|d| d.len()).unwrap_or(4096))
            .sum();
        certs + 2048 + if timestamped { 16 * 1024 } else { 0 }
    }

    /// The detached CMS SignedData over a CodeDirectory blob, as codesign embeds it in
    /// the `0x10000` slot: SHA-256, signed attributes content-type (id-data),
    /// signing-time, message-digest, CDHashes plist (1.2.840.113635.100.9.1) and
    /// CDHashes2 (1.2.840.113635.100.9.2); the whole chain; an RFC 3161 token over
    /// the signature value as unsigned attribute when servers are configured.
    pub fn sign_code_directory(
        &self,
        code_directory: &[u8],
        opts: &AppleSignOptions,
    ) -> Result<AppleCms, SignError> {
        let cdhash: [u8; 32] = Sha256::digest(code_directory).into();
        let plist = cdhashes_plist(&cdhash[..20]);
        let extra = vec![
            attribute(
                APPLE_CDHASHES,
                vec![Any::new(Tag::OctetString, plist).map_err(|e| build(e.to_string()))?],
            )?,
            attribute(
                APPLE_CDHASHES2,
                vec![
                    Any::from_der(&seq(&[&oid(SHA256), &tlv(0x04, &cdhash)]))
                        .map_err(|e| build(e.to_string()))?,
                ],
            )?,
        ];
        self.cms(code_directory, extra, opts)
    }

    /// A detached CMS SignedData over arbitrary bytes (SHA-256, content-type,
    /// signing-time and message-digest attributes, whole chain, optional timestamp).
    pub fn sign_detached(
        &self,
        content: &[u8],
        opts: &AppleSignOptions,
    ) -> Result<AppleCms, SignError> {
        self.cms(content, Vec::new(), opts)
    }

    /// RSA PKCS#1 v1.5 signature of a SHA-1 digest (the XAR TOC checksum), as
    /// productsign writes into a `<signature style="RSA">`.
    pub fn sign_sha1_digest_rsa(&self, sha1: &[u8; 20]) -> Result<Vec<u8>, SignError> {
        let KeyKind::Rsa(k) = &self.key else {
            return Err(SignError::BadKey {
                origin: "the installer identity".into(),
                reason: "XAR `RSA` signatures need an RSA key; this key is ECDSA P-256".into(),
            });
        };
        let mut info = SHA1_DIGEST_INFO.to_vec();
        info.extend_from_slice(sha1);
        k.as_ref()
            .as_ref()
            .sign(rsa::Pkcs1v15Sign::new_unprefixed(), &info)
            .map_err(|e| build(format!("RSA signing failed: {e}")))
    }

    fn cms(
        &self,
        content: &[u8],
        extra: Vec<Attribute>,
        opts: &AppleSignOptions,
    ) -> Result<AppleCms, SignError> {
        let digest = Sha256::digest(content);
        let mut attrs = vec![attribute(
            ID_SIGNING_TIME,
            vec![signing_time(opts.signing_time)?],
        )?];
        attrs.extend(extra);
        let eci = EncapsulatedContentInfo {
            econtent_type: ObjectIdentifier::new_unwrap(ID_DATA),
            econtent: None,
        };
        let mut signed = cms_sign::signed_data(&self.key, &self.chain, &eci, Some(&digest), attrs)
            .map_err(build)?;
        let mut timestamp_server = None;
        if !opts.timestamp_urls.is_empty() {
            let stamp = crate::timestamp::stamp(
                cms_sign::signature_value(&signed),
                &opts.timestamp_urls,
                opts.timeout,
                opts.retries,
            )
            .map_err(|attempts| SignError::Timestamp { attempts })?;
            let token = Any::from_der(&stamp.token)
                .map_err(|e| build(format!("the timestamp token does not parse: {e}")))?;
            let attr = attribute(ID_TIMESTAMP_TOKEN, vec![token])?;
            cms_sign::add_unsigned_attribute(&mut signed, attr).map_err(build)?;
            timestamp_server = Some(stamp.url);
        }
        let der = cms_sign::content_info_der(&signed).map_err(build)?;
        Ok(AppleCms {
            der,
            timestamp_server,
        })
    }
}

fn build(reason: String) -> SignError {
    SignError::Build {
        path: "the Apple code signature".into(),
        reason,
    }
}

fn attribute(oid: &str, values: Vec<Any>) -> Result<Attribute, SignError> {
    cms_sign::attribute(oid, values).map_err(build)
}

/// UTCTime before 2050, GeneralizedTime from then on (RFC 5652 §11.3).
fn signing_time(epoch: u64) -> Result<Any, SignError> {
    let d = Duration::from_secs(epoch);
    let any = if epoch < 2_524_608_000 {
        UtcTime::from_unix_duration(d).and_then(|t| Any::encode_from(&t))
    } else {
        GeneralizedTime::from_unix_duration(d).and_then(|t| Any::encode_from(&t))
    };
    any.map_err(|e| build(format!("signing time {epoch} cannot be encoded: {e}")))
}

/// The XML plist `{ cdhashes = [ <20-byte truncated SHA-256> ] }` codesign signs.
fn cdhashes_plist(truncated: &[u8]) -> Vec<u8> {
    use base64ct::{Base64, Encoding};
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n\t<key>cdhashes</key>\n\t<array>\n\t\t<data>\n\t\t{}\n\t\t</data>\n\t</array>\n</dict>\n</plist>\n",
        Base64::encode_string(truncated)
    )
    .into_bytes()
}

/// The first OU of the subject, as text.
fn subject_ou(cert: &Certificate) -> Option<String> {
    cert.tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid.to_string() == OID_OU)
        .and_then(|atv| std::str::from_utf8(atv.value.value()).ok())
        .map(str::to_owned)
}

fn check_usage(cert: &Certificate, subject: &str, purpose: ApplePurpose) -> Result<(), SignError> {
    let reject = |reason: String| SignError::NotCodeSigning {
        subject: subject.to_owned(),
        reason,
    };
    let validity = &cert.tbs_certificate.validity;
    let now = SystemTime::now();
    if validity.not_after.to_system_time() < now {
        return Err(reject(format!(
            "it expired on {}; renew it in your Apple developer account",
            validity.not_after
        )));
    }
    if validity.not_before.to_system_time() > now {
        return Err(reject(format!(
            "it is not valid before {}; check the host clock",
            validity.not_before
        )));
    }
    let usages: Vec<String> = match cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == OID_EKU)
    {
        Some(ext) => ExtendedKeyUsage::from_der(ext.extn_value.as_bytes())
            .map_err(|e| reject(format!("its extended key usage does not parse ({e})")))?
            .0
            .iter()
            .map(ToString::to_string)
            .collect(),
        None => return Err(reject("it has no extended key usage extension".into())),
    };
    let ok = usages.iter().any(|u| {
        u == EKU_CODE_SIGNING
            || u == EKU_ANY
            || (purpose == ApplePurpose::Installer && EKU_APPLE_PACKAGE.contains(&u.as_str()))
    });
    if ok {
        return Ok(());
    }
    let want = match purpose {
        ApplePurpose::Application => "a Developer ID Application certificate",
        ApplePurpose::Installer => {
            "a Developer ID Installer certificate (usage 1.2.840.113635.100.4.13)"
        }
    };
    Err(reject(format!(
        "its extended key usages are [{}]; use {want}",
        usages.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use der::Tagged;

    #[test]
    fn signing_time_switches_to_generalized_time_in_2050() {
        assert_eq!(
            super::signing_time(1_714_564_800).unwrap().tag(),
            der::Tag::UtcTime
        );
        assert_eq!(
            super::signing_time(2_524_608_000).unwrap().tag(),
            der::Tag::GeneralizedTime
        );
    }

    #[test]
    fn cdhashes_plist_holds_base64_of_the_truncated_hash() {
        let p = String::from_utf8(super::cdhashes_plist(&[0xff; 20])).unwrap();
        assert!(p.contains("<key>cdhashes</key>") && p.contains("//////////////////////////8="));
    }
}
