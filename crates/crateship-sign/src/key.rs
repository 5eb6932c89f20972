//! Key sources: an unencrypted PEM private key plus a PEM certificate chain, or a
//! PKCS#12 (.pfx/.p12) archive and its password. The key is checked against the
//! certificate and the certificate against code signing before anything is signed.
//!
//! Secrets stay inside [`SigningKey`]: its `Debug` shows only the certificate subject
//! and fingerprint, and no error built here quotes a password or key bytes.

use std::fmt;
use std::time::SystemTime;

use der::{Decode, Encode};
use pkcs8::DecodePrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use sha2::{Digest, Sha256};
use spki::EncodePublicKey;
use x509_cert::Certificate;
use x509_cert::ext::pkix::ExtendedKeyUsage;

use crate::SignError;

const OID_EKU: &str = "2.5.29.37";
const OID_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
const OID_ANY_EKU: &str = "2.5.29.37.0";

/// The private key inside a [`SigningKey`].
pub(crate) enum KeyKind {
    /// RSA with PKCS#1 v1.5 padding and SHA-256.
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
    /// ECDSA on P-256 with SHA-256.
    P256(p256::ecdsa::SigningKey),
}

/// A private key and its certificate chain (leaf first), ready to sign code.
pub struct SigningKey {
    pub(crate) key: KeyKind,
    pub(crate) chain: Vec<Certificate>,
    subject: String,
    fingerprint: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let algorithm = match self.key {
            KeyKind::Rsa(_) => "RSA",
            KeyKind::P256(_) => "ECDSA P-256",
        };
        f.debug_struct("SigningKey")
            .field("algorithm", &algorithm)
            .field("subject", &self.subject)
            .field("sha256_fingerprint", &self.fingerprint)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A key from PEM text: `key_pem` holds one private key (`PRIVATE KEY`,
    /// `RSA PRIVATE KEY` or `EC PRIVATE KEY`, unencrypted), `chain_pem` the signing
    /// certificate and optionally its intermediates, in any order.
    pub fn from_pem(key_pem: &[u8], chain_pem: &[u8]) -> Result<Self, SignError> {
        let (key, chain) = load_pem(key_pem, chain_pem)?;
        Self::assemble(key, chain, "the PEM certificate chain")
    }

    /// A key from a PKCS#12 archive (`.pfx`/`.p12`) and its password.
    pub fn from_pkcs12(pfx: &[u8], password: &str) -> Result<Self, SignError> {
        let (key, chain) = load_pkcs12(pfx, password)?;
        Self::assemble(key, chain, "the PKCS#12 file")
    }

    fn assemble(key: KeyKind, chain: Vec<Certificate>, origin: &str) -> Result<Self, SignError> {
        let chain = leaf_first(&key, chain, origin)?;
        let subject = chain[0].tbs_certificate.subject.to_string();
        check_code_signing(&chain[0], &subject)?;
        let fingerprint = fingerprint(&chain[0], origin)?;
        Ok(SigningKey {
            key,
            chain,
            subject,
            fingerprint,
        })
    }

    /// The subject of the signing certificate (RFC 4514 text).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// SHA-256 of the signing certificate's DER, lowercase hex.
    pub fn sha256_fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// The private key and certificates of PEM texts (the chain in any order).
pub(crate) fn load_pem(
    key_pem: &[u8],
    chain_pem: &[u8],
) -> Result<(KeyKind, Vec<Certificate>), SignError> {
    let key = parse_pem_key(key_pem)?;
    let chain = Certificate::load_pem_chain(chain_pem).map_err(|e| SignError::BadCertificate {
        origin: "the PEM certificate chain".into(),
        reason: format!(
            "not a PEM certificate chain ({e}); pass `-----BEGIN CERTIFICATE-----` blocks"
        ),
    })?;
    Ok((key, chain))
}

/// The one private key and the certificates of a PKCS#12 archive; a wrong
/// password is named as such (the password itself never appears).
pub(crate) fn load_pkcs12(
    pfx: &[u8],
    password: &str,
) -> Result<(KeyKind, Vec<Certificate>), SignError> {
    let origin = "(.pfx/.p12)";
    let archive = p12_keystore::Pkcs12Archive::from_pkcs12(pfx, password).map_err(|e| {
        let reason = match e {
            p12_keystore::error::Error::MacError(_) => {
                "wrong password (the integrity check failed)".to_owned()
            }
            other => format!("{other}"),
        };
        SignError::Pkcs12 {
            origin: origin.into(),
            reason,
        }
    })?;
    let key_bag = match archive.keys.as_slice() {
        [one] => one,
        [] => {
            return Err(SignError::Pkcs12 {
                origin: origin.into(),
                reason: "it holds no private key".into(),
            });
        }
        more => {
            return Err(SignError::Pkcs12 {
                origin: origin.into(),
                reason: format!("it holds {} private keys, expected one", more.len()),
            });
        }
    };
    let key = parse_pkcs8(key_bag.key.as_der(), "the PKCS#12 file")?;
    let mut chain = Vec::new();
    for bag in &archive.certs {
        let cert =
            Certificate::from_der(bag.cert.as_der()).map_err(|e| SignError::BadCertificate {
                origin: "the PKCS#12 file".into(),
                reason: format!("a certificate does not parse ({e})"),
            })?;
        chain.push(cert);
    }
    Ok((key, chain))
}

/// `chain` with the certificate of `key` first; none matching is
/// [`SignError::KeyMismatch`].
pub(crate) fn leaf_first(
    key: &KeyKind,
    mut chain: Vec<Certificate>,
    origin: &str,
) -> Result<Vec<Certificate>, SignError> {
    let public = public_key_der(key)?;
    let count = chain.len();
    let Some(leaf_at) = chain.iter().position(|c| {
        c.tbs_certificate
            .subject_public_key_info
            .to_der()
            .is_ok_and(|d| d == public)
    }) else {
        return Err(SignError::KeyMismatch {
            origin: origin.into(),
            count,
        });
    };
    let leaf = chain.remove(leaf_at);
    chain.insert(0, leaf);
    Ok(chain)
}

/// SHA-256 of the certificate's DER, hex.
pub(crate) fn fingerprint(cert: &Certificate, origin: &str) -> Result<String, SignError> {
    let der = cert.to_der().map_err(|e| SignError::BadCertificate {
        origin: origin.into(),
        reason: format!("cannot re-encode the certificate ({e})"),
    })?;
    Ok(hex(&Sha256::digest(&der)))
}

fn bad_key(reason: impl Into<String>, origin: &str) -> SignError {
    SignError::BadKey {
        origin: origin.into(),
        reason: reason.into(),
    }
}

fn parse_pem_key(pem: &[u8]) -> Result<KeyKind, SignError> {
    let origin = "the PEM key";
    let text = std::str::from_utf8(pem).map_err(|_| bad_key("it is not PEM text", origin))?;
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let Some(end_at) = block.find("-----END ") else {
            break;
        };
        let after = &block[end_at + 9..];
        let close = after.find("-----").map(|i| i + 5).unwrap_or(after.len());
        let whole = &block[..end_at + 9 + close];
        rest = &block[end_at + 9 + close..];
        let Ok((label, der)) = der::pem::decode_vec(whole.as_bytes()) else {
            return Err(bad_key("a PEM block does not decode", origin));
        };
        return match label {
            "PRIVATE KEY" => parse_pkcs8(&der, origin),
            "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(&der)
                .map(rsa_key)
                .map_err(|_| bad_key("the RSA key does not parse", origin)),
            "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(&der)
                .map(|k| KeyKind::P256(k.into()))
                .map_err(|_| bad_key("the EC key is not a P-256 key", origin)),
            "ENCRYPTED PRIVATE KEY" => Err(bad_key(
                "it is encrypted; decrypt it first or use a PKCS#12 file with a password",
                origin,
            )),
            "EC PARAMETERS" => continue,
            other => Err(bad_key(format!("unexpected PEM block `{other}`"), origin)),
        };
    }
    Err(bad_key(
        "no `-----BEGIN PRIVATE KEY-----` block found",
        origin,
    ))
}

fn rsa_key(key: rsa::RsaPrivateKey) -> KeyKind {
    KeyKind::Rsa(Box::new(rsa::pkcs1v15::SigningKey::<Sha256>::new(key)))
}

fn parse_pkcs8(der: &[u8], origin: &str) -> Result<KeyKind, SignError> {
    let info = pkcs8::PrivateKeyInfo::from_der(der)
        .map_err(|_| bad_key("not a PKCS#8 private key", origin))?;
    match info.algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => rsa::RsaPrivateKey::from_pkcs8_der(der)
            .map(rsa_key)
            .map_err(|_| bad_key("the RSA key does not parse", origin)),
        "1.2.840.10045.2.1" => p256::SecretKey::from_pkcs8_der(der)
            .map(|k| KeyKind::P256(k.into()))
            .map_err(|_| bad_key("the EC key is not on curve P-256", origin)),
        other => Err(bad_key(
            format!("unsupported key algorithm {other}; use RSA or ECDSA P-256"),
            origin,
        )),
    }
}

fn public_key_der(key: &KeyKind) -> Result<Vec<u8>, SignError> {
    let doc = match key {
        KeyKind::Rsa(k) => rsa::RsaPublicKey::from(k.as_ref().as_ref()).to_public_key_der(),
        KeyKind::P256(k) => p256::PublicKey::from(k.verifying_key()).to_public_key_der(),
    };
    doc.map(|d| d.as_bytes().to_vec())
        .map_err(|_| bad_key("cannot derive its public key", "the private key"))
}

fn check_code_signing(cert: &Certificate, subject: &str) -> Result<(), SignError> {
    let not_code = |reason: String| SignError::NotCodeSigning {
        subject: subject.to_owned(),
        reason,
    };
    let validity = &cert.tbs_certificate.validity;
    let now = SystemTime::now();
    if validity.not_after.to_system_time() < now {
        return Err(not_code(format!(
            "it expired on {}; renew the certificate",
            validity.not_after
        )));
    }
    if validity.not_before.to_system_time() > now {
        return Err(not_code(format!(
            "it is not valid before {}",
            validity.not_before
        )));
    }
    let eku = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == OID_EKU);
    let Some(eku) = eku else {
        return Err(not_code("it has no extended key usage extension".into()));
    };
    let usages = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes())
        .map_err(|e| not_code(format!("its extended key usage does not parse ({e})")))?;
    let ok = usages.0.iter().any(|o| {
        let s = o.to_string();
        s == OID_CODE_SIGNING || s == OID_ANY_EKU
    });
    if ok {
        Ok(())
    } else {
        let names: Vec<String> = usages.0.iter().map(|o| o.to_string()).collect();
        Err(not_code(format!(
            "its extended key usages are [{}]",
            names.join(", ")
        )))
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
