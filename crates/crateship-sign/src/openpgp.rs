//! Detached, ASCII-armoured OpenPGP signatures (`.asc`) over any data, e.g. an artifact
//! or `SHA256SUMS`, made with the pure-Rust `pgp` crate. The primary key signs (binary
//! signature, SHA-256); the passphrase is used for unlocking only and never reported.

use std::io::Read;

use pgp::composed::{ArmorOptions, Deserializable, DetachedSignature, SignedSecretKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::{KeyDetails, Password};

use crate::{SignError, SignReport};

/// Signs `data` with the armoured secret key (unlocked with `passphrase`, empty for an
/// unprotected key) and returns the armoured detached signature plus a report whose
/// fingerprint is the OpenPGP key fingerprint.
pub fn sign_detached_pgp(
    data: impl Read,
    secret_key_armored: &str,
    passphrase: &str,
) -> Result<(String, SignReport), SignError> {
    let detached = |reason: String| SignError::Detached { reason };
    let (key, _) = SignedSecretKey::from_armor_single(secret_key_armored.as_bytes()).map_err(|_| {
        detached(
            "the OpenPGP secret key does not parse; pass the output of `gpg --armor --export-secret-keys`"
                .into(),
        )
    })?;
    let password = Password::from(passphrase);
    let signature = DetachedSignature::sign_binary_data(
        rand::thread_rng(),
        &key.primary_key,
        &password,
        HashAlgorithm::Sha256,
        data,
    )
    .map_err(|e| {
        detached(format!(
            "signing with the OpenPGP key failed ({}); check the passphrase (not shown) and that the primary key can sign",
            short(&e.to_string())
        ))
    })?;
    let armored = signature
        .to_armored_string(ArmorOptions::default())
        .map_err(|e| detached(format!("cannot armour the signature: {e}")))?;
    let subject = key
        .details
        .users
        .first()
        .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
        .unwrap_or_default();
    let report = SignReport {
        scheme: "openpgp".into(),
        subject,
        sha256_fingerprint: format!("{:x}", key.primary_key.fingerprint()),
        timestamp_server: None,
        warnings: Vec::new(),
    };
    Ok((armored, report))
}

/// Keeps library error texts to one short line.
fn short(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}
