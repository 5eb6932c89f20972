//! The CMS SignedData steps shared by Authenticode and Apple code signatures:
//! assembling a SHA-256 SignedData signed by the leaf of a chain, adding an
//! unsigned attribute (the RFC 3161 token) and wrapping it as DER ContentInfo.
//! What differs between the two — the encapsulated content, the attributes, a
//! detached digest — comes from the caller.

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier};
use der::asn1::{ObjectIdentifier, SetOfVec};
use der::{Any, Encode, Tag};
use signature::{Keypair, Signer};
use spki::{AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, SignatureBitStringEncoding};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

use crate::asn1::SHA256;
use crate::key::KeyKind;

/// An attribute with its values.
pub(crate) fn attribute(oid: &str, values: Vec<Any>) -> Result<Attribute, String> {
    Ok(Attribute {
        oid: ObjectIdentifier::new_unwrap(oid),
        values: SetOfVec::try_from(values).map_err(|e| e.to_string())?,
    })
}

/// A SHA-256 SignedData over `eci` (or over `detached_digest`, the SHA-256 of
/// content that is not embedded), signed by `key` as the leaf `chain[0]`, with
/// `attrs` as extra signed attributes and the whole chain included.
pub(crate) fn signed_data(
    key: &KeyKind,
    chain: &[Certificate],
    eci: &EncapsulatedContentInfo,
    detached_digest: Option<&[u8]>,
    attrs: Vec<Attribute>,
) -> Result<SignedData, String> {
    match key {
        KeyKind::Rsa(k) => signed_data_with::<_, rsa::pkcs1v15::Signature>(
            k.as_ref(),
            chain,
            eci,
            detached_digest,
            attrs,
        ),
        KeyKind::P256(k) => {
            signed_data_with::<_, p256::ecdsa::DerSignature>(k, chain, eci, detached_digest, attrs)
        }
    }
}

fn signed_data_with<S, Sig>(
    signer: &S,
    chain: &[Certificate],
    eci: &EncapsulatedContentInfo,
    detached_digest: Option<&[u8]>,
    attrs: Vec<Attribute>,
) -> Result<SignedData, String>
where
    S: Keypair + DynSignatureAlgorithmIdentifier + Signer<Sig>,
    Sig: SignatureBitStringEncoding,
{
    let digest_alg = AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap(SHA256),
        parameters: Some(Any::new(Tag::Null, Vec::<u8>::new()).map_err(|e| e.to_string())?),
    };
    let leaf = &chain[0];
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: leaf.tbs_certificate.issuer.clone(),
        serial_number: leaf.tbs_certificate.serial_number.clone(),
    });
    let mut info = SignerInfoBuilder::new(signer, sid, digest_alg.clone(), eci, detached_digest)
        .map_err(|e| e.to_string())?;
    for a in attrs {
        info.add_signed_attribute(a).map_err(|e| e.to_string())?;
    }
    let mut builder = SignedDataBuilder::new(eci);
    builder
        .add_digest_algorithm(digest_alg)
        .map_err(|e| e.to_string())?;
    for cert in chain {
        builder
            .add_certificate(CertificateChoices::Certificate(cert.clone()))
            .map_err(|e| e.to_string())?;
    }
    builder
        .add_signer_info::<S, Sig>(info)
        .map_err(|e| format!("signing failed: {e}"))?;
    builder
        .build()
        .map_err(|e| e.to_string())?
        .content
        .decode_as::<SignedData>()
        .map_err(|e| e.to_string())
}

/// Appends `attr` to the unsigned attributes of the (only) signer.
pub(crate) fn add_unsigned_attribute(
    signed: &mut SignedData,
    attr: Attribute,
) -> Result<(), String> {
    let mut infos = signed.signer_infos.0.clone().into_vec();
    let mut unsigned = infos[0]
        .unsigned_attrs
        .take()
        .map(|a| a.into_vec())
        .unwrap_or_default();
    unsigned.push(attr);
    infos[0].unsigned_attrs = Some(SetOfVec::try_from(unsigned).map_err(|e| e.to_string())?);
    signed.signer_infos.0 = SetOfVec::try_from(infos).map_err(|e| e.to_string())?;
    Ok(())
}

/// The signature value of the (only) signer: what an RFC 3161 token stamps.
pub(crate) fn signature_value(signed: &SignedData) -> &[u8] {
    signed.signer_infos.0.as_slice()[0].signature.as_bytes()
}

/// `signed` as a DER ContentInfo (id-signedData).
pub(crate) fn content_info_der(signed: &SignedData) -> Result<Vec<u8>, String> {
    let content = Any::encode_from(signed).map_err(|e| e.to_string())?;
    ContentInfo {
        content_type: const_oid::db::rfc5911::ID_SIGNED_DATA,
        content,
    }
    .to_der()
    .map_err(|e| e.to_string())
}
