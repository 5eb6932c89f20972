//! The Authenticode PKCS#7 SignedData shared by PE and MSI: SpcIndirectDataContent as
//! eContent, SpcSpOpusInfo and statement-type signed attributes, SignedData version 1
//! (as signtool writes it), and the RFC 3161 token as unsigned attribute
//! 1.3.6.1.4.1.311.3.3.1.

use std::path::Path;
use std::time::Duration;

use cms::content_info::CmsVersion;
use cms::signed_data::{EncapsulatedContentInfo, SignedData};
use der::asn1::ObjectIdentifier;
use der::{Any, Decode};
use serde::Serialize;

use crate::asn1::{oid, seq, sha256_algorithm, tlv};
use crate::cms_sign;
use crate::key::SigningKey;
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
    let mut signed = signed_data(indirect, key).map_err(build)?;
    signed.version = CmsVersion::V1;

    let mut report = SignReport {
        scheme: scheme.to_owned(),
        subject: key.subject().to_owned(),
        sha256_fingerprint: key.sha256_fingerprint().to_owned(),
        timestamp_server: None,
        warnings: Vec::new(),
    };
    let stamped = crate::timestamp::stamp(
        cms_sign::signature_value(&signed),
        &opts.timestamp_urls,
        opts.timeout,
        opts.retries,
    );
    match stamped {
        Ok(stamp) => {
            let token = Any::from_der(&stamp.token)
                .map_err(|e| build(format!("the timestamp token does not parse: {e}")))?;
            let attr = cms_sign::attribute(SPC_RFC3161, vec![token]).map_err(build)?;
            cms_sign::add_unsigned_attribute(&mut signed, attr).map_err(build)?;
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
    let der = cms_sign::content_info_der(&signed).map_err(build)?;
    Ok((der, report))
}

/// The Authenticode SignedData over `indirect` (SpcIndirectDataContent), unstamped.
fn signed_data(indirect: &[u8], key: &SigningKey) -> Result<SignedData, String> {
    let econtent = Any::from_der(indirect).map_err(|e| e.to_string())?;
    let eci = EncapsulatedContentInfo {
        econtent_type: ObjectIdentifier::new_unwrap(SPC_INDIRECT_DATA),
        econtent: Some(econtent),
    };
    let opus = Any::from_der(&seq(&[])).map_err(|e| e.to_string())?;
    let statement =
        Any::from_der(&seq(&[&oid(SPC_INDIVIDUAL_SP_KEY_PURPOSE)])).map_err(|e| e.to_string())?;
    let attrs = vec![
        cms_sign::attribute(SPC_SP_OPUS_INFO, vec![opus])?,
        cms_sign::attribute(SPC_STATEMENT_TYPE, vec![statement])?,
    ];
    cms_sign::signed_data(&key.key, &key.chain, &eci, None, attrs)
}
