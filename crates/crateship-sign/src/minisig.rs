//! minisign signatures (`.minisig`, Ed25519, pre-hashed) over any data, made with the
//! pure-Rust `minisign` crate. Password-protected keys are unlocked with the password the
//! caller passes; this module never prompts (an encrypted key without a password is an
//! error), and never reports the password.

use std::io::Read;

use minisign::SecretKeyBox;

use crate::{SignError, SignReport};

/// Signs `data` with a minisign secret key file's text (`untrusted comment: …` + base64),
/// unlocked with `password` (`None` for a key made with `minisign -G -W`). Returns the
/// `.minisig` text and a report whose fingerprint is the minisign key id (as `minisign`
/// prints it). `trusted_comment` defaults to `timestamp:<unix time>`.
pub fn sign_minisign(
    data: impl Read,
    secret_key: &str,
    password: Option<&str>,
    trusted_comment: Option<&str>,
) -> Result<(String, SignReport), SignError> {
    let detached = |reason: String| SignError::Detached { reason };
    let parsed = SecretKeyBox::from_string(secret_key).map_err(|_| {
        detached("the minisign secret key does not parse; pass the text of a `minisign -G` secret key file".into())
    })?;
    let key = match password {
        Some(password) => parsed.into_secret_key(Some(password.to_owned())),
        None => parsed.into_unencrypted_secret_key(),
    }
    .map_err(|e| {
        detached(if password.is_some() {
            format!("cannot unlock the minisign secret key ({e}); check the password (not shown)")
        } else {
            format!(
                "cannot use the minisign secret key ({e}); if it is encrypted, pass its password"
            )
        })
    })?;
    let signature = minisign::sign(None, &key, data, trusted_comment, None)
        .map_err(|e| detached(format!("minisign signing failed: {e}")))?;
    let mut id = [0u8; 8];
    id.copy_from_slice(&key.keynum()[..8]);
    let report = SignReport {
        scheme: "minisign".into(),
        subject: String::new(),
        sha256_fingerprint: format!("{:016X}", u64::from_le_bytes(id)),
        timestamp_server: None,
        warnings: Vec::new(),
    };
    Ok((signature.into_string(), report))
}
