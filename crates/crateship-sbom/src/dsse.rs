//! DSSE envelopes (Dead Simple Signing Envelope, v1): the payload in base64 and
//! signatures over its pre-authentication encoding. The signing itself is the
//! caller's (a closure), so this crate holds no keys.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use crate::SbomError;

/// The payload type of an in-toto Statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// DSSE's pre-authentication encoding, the bytes that are signed:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload`, lengths in ASCII
/// decimal.
pub fn dsse_pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut pae = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    pae.extend_from_slice(payload);
    pae
}

/// The DSSE envelope JSON (pretty-printed, newline-terminated) of an in-toto
/// `statement`, signed once by `sign`, which gets the pre-authentication encoding
/// and returns the key id and the raw signature bytes (for Ed25519, 64 bytes). The
/// envelope is byte-identical for the same statement when the signature scheme is
/// deterministic, as Ed25519 is.
pub fn dsse_envelope<F, E>(statement: &[u8], sign: F) -> Result<Vec<u8>, SbomError>
where
    F: FnOnce(&[u8]) -> Result<(String, Vec<u8>), E>,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let pae = dsse_pae(IN_TOTO_PAYLOAD_TYPE, statement);
    let (keyid, signature) = sign(&pae).map_err(|e| SbomError::Signing { source: e.into() })?;
    let envelope = Envelope {
        payload_type: IN_TOTO_PAYLOAD_TYPE,
        payload: STANDARD.encode(statement),
        signatures: vec![Signature {
            keyid,
            sig: STANDARD.encode(signature),
        }],
    };
    crate::json::pretty(&envelope, "DSSE envelope")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    payload_type: &'static str,
    payload: String,
    signatures: Vec<Signature>,
}

#[derive(Serialize)]
struct Signature {
    keyid: String,
    sig: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_specification_example() {
        // The worked example of the DSSE protocol document.
        assert_eq!(
            dsse_pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn a_failing_signer_is_reported_with_its_message() {
        let err = dsse_envelope(b"{}", |_| Err::<(String, Vec<u8>), _>("key is locked"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("key is locked"), "{err}");
    }
}
