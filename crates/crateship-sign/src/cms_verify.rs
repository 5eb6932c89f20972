//! Checks a CMS / PKCS#7 SignedData cryptographically, as a verifier does: the
//! signer's message digest equals the digest of the signed content, and its
//! signature over the signed attributes verifies with the public key of the
//! certificate it names. A timestamp (an RFC 3161 token or a legacy
//! countersignature) is checked the same way, against the signature value it stamps.
//! Trust in the certificate chain is not judged here: that needs the user's roots.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::ObjectIdentifier;
use der::{Any, Decode, Encode};
use pkcs8::DecodePublicKey;
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// The Microsoft attribute holding an RFC 3161 timestamp token.
pub(crate) const RFC3161: &str = "1.3.6.1.4.1.311.3.3.1";
/// The PKCS#9 countersignature attribute (a legacy Authenticode timestamp).
pub(crate) const COUNTER_SIGNATURE: &str = "1.2.840.113549.1.9.6";

/// A digest algorithm a signature may use.
#[derive(Clone, Copy)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn of(algorithm: &AlgorithmIdentifierOwned) -> Result<Hash, String> {
        Ok(match algorithm.oid.to_string().as_str() {
            "1.3.14.3.2.26" => Hash::Sha1,
            "2.16.840.1.101.3.4.2.1" => Hash::Sha256,
            "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
            "2.16.840.1.101.3.4.2.3" => Hash::Sha512,
            other => return Err(format!("it uses the unsupported digest algorithm {other}")),
        })
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    fn pkcs1(self) -> rsa::Pkcs1v15Sign {
        match self {
            Hash::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            Hash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            Hash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            Hash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }
}

/// The certificate among `signed`'s that `sid` names (issuer and serial).
pub(crate) fn signer_certificate<'a>(
    signed: &'a SignedData,
    sid: &SignerIdentifier,
) -> Option<&'a Certificate> {
    let SignerIdentifier::IssuerAndSerialNumber(id) = sid else {
        return None;
    };
    signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .find_map(|c| match c {
            CertificateChoices::Certificate(cert)
                if cert.tbs_certificate.serial_number == id.serial_number
                    && cert.tbs_certificate.issuer == id.issuer =>
            {
                Some(cert)
            }
            _ => None,
        })
}

/// Checks that `info` (made with `cert`) signs `content`: the message-digest
/// attribute equals the content's digest and the signature over the DER of the
/// signed attributes (or over the content, when there are none) verifies.
pub(crate) fn verify_signer(
    info: &SignerInfo,
    cert: &Certificate,
    content: &[u8],
) -> Result<(), String> {
    let hash = Hash::of(&info.digest_alg)?;
    let signed_bytes = match &info.signed_attrs {
        Some(attrs) => {
            let digest = attrs
                .iter()
                .find(|a| a.oid == ObjectIdentifier::new_unwrap(MESSAGE_DIGEST))
                .and_then(|a| a.values.iter().next())
                .ok_or("its signer has signed attributes but no message digest")?;
            if digest.value() != hash.digest(content).as_slice() {
                return Err(
                    "its message digest does not match the content it signs (changed after signing)"
                        .into(),
                );
            }
            attrs
                .to_der()
                .map_err(|e| format!("cannot re-encode the signed attributes ({e})"))?
        }
        None => content.to_vec(),
    };
    let prehash = hash.digest(&signed_bytes);
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| format!("cannot re-encode the signer's public key ({e})"))?;
    let value = info.signature.as_bytes();
    let verified = match cert
        .tbs_certificate
        .subject_public_key_info
        .algorithm
        .oid
        .to_string()
        .as_str()
    {
        RSA_ENCRYPTION => {
            let key = rsa::RsaPublicKey::from_public_key_der(&spki)
                .map_err(|e| format!("the signer's RSA key does not parse ({e})"))?;
            key.verify(hash.pkcs1(), &prehash, value).is_ok()
        }
        EC_PUBLIC_KEY => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki)
                .map_err(|e| format!("the signer's key is not a P-256 key ({e})"))?;
            let signature = p256::ecdsa::Signature::from_der(value)
                .map_err(|e| format!("the ECDSA signature does not parse ({e})"))?;
            key.verify_prehash(&prehash, &signature).is_ok()
        }
        other => {
            return Err(format!(
                "its signer uses the unsupported key algorithm {other}"
            ));
        }
    };
    if verified {
        Ok(())
    } else {
        Err(format!(
            "its signature does not verify with the public key of {} (the signature or its signed attributes were altered)",
            cert.tbs_certificate.subject
        ))
    }
}

/// Checks the timestamp of `info` (a signer of `signed`), if it has one:
/// `Ok(true)` when one is there and verifies, `Ok(false)` when there is none.
pub(crate) fn verify_timestamp(signed: &SignedData, info: &SignerInfo) -> Result<bool, String> {
    let stamped = info.signature.as_bytes();
    for attr in info.unsigned_attrs.iter().flat_map(|a| a.iter()) {
        let Some(value) = attr.values.iter().next() else {
            continue;
        };
        let der = value
            .to_der()
            .map_err(|e| format!("cannot re-encode its timestamp ({e})"))?;
        match attr.oid.to_string().as_str() {
            RFC3161 => {
                rfc3161_token(&der, stamped).map_err(|e| format!("its timestamp token {e}"))?;
                return Ok(true);
            }
            COUNTER_SIGNATURE => {
                let counter = SignerInfo::from_der(&der)
                    .map_err(|e| format!("its countersignature does not parse ({e})"))?;
                let cert = signer_certificate(signed, &counter.sid)
                    .ok_or("its countersigner's certificate is not embedded")?;
                verify_signer(&counter, cert, stamped)
                    .map_err(|e| format!("its countersignature is invalid: {e}"))?;
                return Ok(true);
            }
            _ => {}
        }
    }
    Ok(false)
}

/// Checks an RFC 3161 token (a ContentInfo of SignedData over a TSTInfo): the
/// token's own signature, and that its message imprint is the digest of `stamped`.
fn rfc3161_token(token: &[u8], stamped: &[u8]) -> Result<(), String> {
    let token = ContentInfo::from_der(token)
        .and_then(|info| info.content.decode_as::<SignedData>())
        .map_err(|e| format!("does not parse ({e})"))?;
    let tst_info = token
        .encap_content_info
        .econtent
        .as_ref()
        .map(Any::value)
        .ok_or("has no TSTInfo")?;
    let signer = token.signer_infos.0.iter().next().ok_or("has no signer")?;
    let cert = signer_certificate(&token, &signer.sid)
        .ok_or("does not embed its time-stamping certificate")?;
    verify_signer(signer, cert, tst_info).map_err(|e| format!("is invalid: {e}"))?;
    // TSTInfo ::= SEQUENCE { version, policy, messageImprint SEQUENCE { alg, digest }, … }
    let imprint = Vec::<Any>::from_der(tst_info)
        .ok()
        .and_then(|fields| fields.get(2).and_then(|f| f.to_der().ok()))
        .and_then(|der| Vec::<Any>::from_der(&der).ok())
        .ok_or("has a TSTInfo without a message imprint")?;
    let (Some(algorithm), Some(digest)) = (imprint.first(), imprint.get(1)) else {
        return Err("has a malformed message imprint".into());
    };
    let algorithm = algorithm
        .to_der()
        .ok()
        .and_then(|der| AlgorithmIdentifierOwned::from_der(&der).ok())
        .ok_or("has a malformed imprint algorithm")?;
    if digest.value() == Hash::of(&algorithm)?.digest(stamped).as_slice() {
        Ok(())
    } else {
        Err("stamps another signature (its message imprint does not match)".into())
    }
}
