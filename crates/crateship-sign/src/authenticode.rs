//! The Authenticode PKCS#7 SignedData shared by PE and MSI: SpcIndirectDataContent as
//! eContent, SpcSpOpusInfo and statement-type signed attributes, SignedData version 1
//! (as signtool writes it), and the RFC 3161 token as unsigned attribute
//! 1.3.6.1.4.1.311.3.3.1.

use std::path::Path;
use std::time::Duration;

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier};
use der::asn1::{ObjectIdentifier, SetOfVec};
use der::{Any, Decode, Encode, Tag};
use serde::Serialize;
use signature::{Keypair, Signer};
use spki::{AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, SignatureBitStringEncoding};
use x509_cert::attr::Attribute;

use crate::asn1::{SHA256, oid, seq, sha256_algorithm, tlv};
use crate::key::{KeyKind, SigningKey};
use crate::{SignError, SignReport};

const SPC_INDIRECT_DATA: &str = "1.3.6.1.4.1.311.2.1.4";
const SPC_SP_OPUS_INFO: &str = "1.3.6.1.4.1.311.2.1.12";
const SPC_STATEMENT_TYPE: &str = "1.3.6.1.4.1.311.2.1.11";
const SPC_INDIVIDUAL_SP_KEY_PURPOSE: &str = "1.3.6.1.4.1.311.2.1.21";
const SPC_RFC3161: &str = "1.3.6.1.4.1.311.3.3.1";

/// How Authenticode signatures are timestamped.
#[derive(Clone, Debug, Serialize)]
pub struct AuthenticodeOptions {
    /// RFC 3161 servers (`http://…`), tried in order until one answers.
    pub timestamp_urls: Vec<String>,
    /// Bound on each attempt (connect, send and answer).
    pub timeout: Duration,
    /// Extra attempts per server after its first failure.
    pub retries: u32,
    /// When every server fails (or none is configured), sign without a timestamp and say
    /// so in [`SignReport::warnings`] instead of failing.
    pub allow_unstamped: bool,
}

impl Default for AuthenticodeOptions {
    fn default() -> Self {
        AuthenticodeOptions {
            timestamp_urls: Vec::new(),
            timeout: Duration::from_secs(15),
            retries: 1,
            allow_unstamped: false,
        }
    }
}

/// SpcIndirectDataContent { SpcAttributeTypeAndOptionalValue, DigestInfo(sha256) }.
pub(crate) fn indirect_data(data_type: &str, data_value: &[u8], digest: &[u8]) -> Vec<u8> {
    seq(&[
        &seq(&[&oid(data_type), data_value]),
        &seq(&[&sha256_algorithm(), &tlv(0x04, digest)]),
    ])
}

/// Signs `indirect` and returns the DER ContentInfo plus the report.
pub(crate) fn sign(
    path: &Path,
    scheme: &'static str,
    indirect: &[u8],
    key: &SigningKey,
    opts: &AuthenticodeOptions,
) -> Result<(Vec<u8>, SignReport), SignError> {
    let build = |reason: String| SignError::Build {
        path: path.to_owned(),
        reason,
    };
    let mut signed = match &key.key {
        KeyKind::Rsa(k) => signed_data::<_, rsa::pkcs1v15::Signature>(k.as_ref(), indirect, key),
        KeyKind::P256(k) => signed_data::<_, p256::ecdsa::DerSignature>(k, indirect, key),
    }
    .map_err(build)?;
    signed.version = CmsVersion::V1;

    let mut report = SignReport {
        scheme: scheme.to_owned(),
        subject: key.subject().to_owned(),
        sha256_fingerprint: key.sha256_fingerprint().to_owned(),
        timestamp_server: None,
        warnings: Vec::new(),
    };
    let mut infos = signed.signer_infos.0.clone().into_vec();
    let stamped = crate::timestamp::stamp(
        infos[0].signature.as_bytes(),
        &opts.timestamp_urls,
        opts.timeout,
        opts.retries,
    );
    match stamped {
        Ok(stamp) => {
            let token = Any::from_der(&stamp.token)
                .map_err(|e| build(format!("the timestamp token does not parse: {e}")))?;
            let attr = attribute(SPC_RFC3161, token).map_err(build)?;
            let mut unsigned = infos[0]
                .unsigned_attrs
                .take()
                .map(|a| a.into_vec())
                .unwrap_or_default();
            unsigned.push(attr);
            infos[0].unsigned_attrs =
                Some(SetOfVec::try_from(unsigned).map_err(|e| build(e.to_string()))?);
            signed.signer_infos.0 = SetOfVec::try_from(infos).map_err(|e| build(e.to_string()))?;
            report.timestamp_server = Some(stamp.url);
        }
        Err(attempts) if opts.allow_unstamped => {
            let why = SignError::Timestamp { attempts }.to_string();
            report.warnings.push(format!(
                "WARNING: `{}` is signed WITHOUT a timestamp; the signature becomes invalid when the certificate expires. {why}",
                path.display()
            ));
        }
        Err(attempts) => return Err(SignError::Timestamp { attempts }),
    }
    let content = Any::encode_from(&signed).map_err(|e| build(e.to_string()))?;
    let info = ContentInfo {
        content_type: const_oid::db::rfc5911::ID_SIGNED_DATA,
        content,
    };
    let der = info.to_der().map_err(|e| build(e.to_string()))?;
    Ok((der, report))
}

fn attribute(oid: &str, value: Any) -> Result<Attribute, String> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(|e| e.to_string())?;
    Ok(Attribute {
        oid: ObjectIdentifier::new_unwrap(oid),
        values,
    })
}

fn signed_data<S, Sig>(signer: &S, indirect: &[u8], key: &SigningKey) -> Result<SignedData, String>
where
    S: Keypair + DynSignatureAlgorithmIdentifier + Signer<Sig>,
    Sig: SignatureBitStringEncoding,
{
    let econtent = Any::from_der(indirect).map_err(|e| e.to_string())?;
    let eci = EncapsulatedContentInfo {
        econtent_type: ObjectIdentifier::new_unwrap(SPC_INDIRECT_DATA),
        econtent: Some(econtent),
    };
    let digest = AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap(SHA256),
        parameters: Some(Any::new(Tag::Null, Vec::<u8>::new()).map_err(|e| e.to_string())?),
    };
    let leaf = &key.chain[0];
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: leaf.tbs_certificate.issuer.clone(),
        serial_number: leaf.tbs_certificate.serial_number.clone(),
    });
    let mut info = SignerInfoBuilder::new(signer, sid, digest.clone(), &eci, None)
        .map_err(|e| e.to_string())?;
    let opus = Any::from_der(&seq(&[])).map_err(|e| e.to_string())?;
    let statement =
        Any::from_der(&seq(&[&oid(SPC_INDIVIDUAL_SP_KEY_PURPOSE)])).map_err(|e| e.to_string())?;
    info.add_signed_attribute(attribute(SPC_SP_OPUS_INFO, opus)?)
        .map_err(|e| e.to_string())?;
    info.add_signed_attribute(attribute(SPC_STATEMENT_TYPE, statement)?)
        .map_err(|e| e.to_string())?;
    let mut builder = SignedDataBuilder::new(&eci);
    builder
        .add_digest_algorithm(digest)
        .map_err(|e| e.to_string())?;
    for cert in &key.chain {
        builder
            .add_certificate(CertificateChoices::Certificate(cert.clone()))
            .map_err(|e| e.to_string())?;
    }
    builder
        .add_signer_info::<S, Sig>(info)
        .map_err(|e| format!("signing failed: {e}"))?;
    let content = builder.build().map_err(|e| e.to_string())?;
    content
        .content
        .decode_as::<SignedData>()
        .map_err(|e| e.to_string())
}
