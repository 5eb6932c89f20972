//! OpenPGP signatures made with the pure-Rust `pgp` crate: detached ASCII-armoured
//! signatures (`.asc`) over any data (an artifact, `SHA256SUMS`, a `repomd.xml`), raw
//! binary signature packets (what rpm embeds in its signature header), cleartext-signed
//! texts (an apt `InRelease`), and the public key, armoured (what an AppImage carries in
//! `.sig_key`) or binary (an apt keyring). The primary key signs (SHA-256; binary
//! signatures over data, text signatures over cleartext); the passphrase is used for
//! unlocking only and never reported.
//!
//! The creation time can be fixed (e.g. to `SOURCE_DATE_EPOCH`): RSA (PKCS#1 v1.5) and
//! Ed25519 signatures are then byte-identical from run to run.

use std::fmt;
use std::io::Read;

use pgp::composed::{
    ArmorOptions, CleartextSignedMessage, Deserializable, DetachedSignature, SignedSecretKey,
    SubpacketConfig,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{Subpacket, SubpacketData};
use pgp::ser::Serialize;
use pgp::types::{KeyDetails, KeyVersion, Password, Timestamp};

use crate::{SignError, SignReport};

/// An OpenPGP secret key and its passphrase, parsed once and checked to unlock.
///
/// `Debug` shows only the user id and fingerprint.
pub struct PgpKey {
    key: SignedSecretKey,
    password: Password,
    user_id: String,
    fingerprint: String,
}

impl fmt::Debug for PgpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgpKey")
            .field("user_id", &self.user_id)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

fn detached(reason: String) -> SignError {
    SignError::Detached { reason }
}

impl PgpKey {
    /// Parses an armoured secret key (`gpg --armor --export-secret-keys`) and checks that
    /// `passphrase` (empty for an unprotected key) unlocks it.
    pub fn from_armored(secret_key_armored: &str, passphrase: &str) -> Result<Self, SignError> {
        let (key, _) = SignedSecretKey::from_armor_single(secret_key_armored.as_bytes())
            .map_err(|_| {
                detached(
                    "the OpenPGP secret key does not parse; pass the output of `gpg --armor --export-secret-keys`"
                        .into(),
                )
            })?;
        let user_id = key
            .details
            .users
            .first()
            .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
            .unwrap_or_default();
        let fingerprint = format!("{:x}", key.primary_key.fingerprint());
        let this = PgpKey {
            key,
            password: Password::from(passphrase),
            user_id,
            fingerprint,
        };
        // Fail on a wrong passphrase now, not halfway through a release.
        this.signature(Kind::Binary, &b""[..], None)?;
        Ok(this)
    }

    /// The first user id of the key (e.g. `Name <mail>`).
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The primary key's fingerprint, lowercase hex.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The armoured public key (what `gpg --armor --export` prints).
    pub fn public_key_armored(&self) -> Result<String, SignError> {
        self.key
            .to_public_key()
            .to_armored_string(ArmorOptions::default())
            .map_err(|e| {
                detached(format!(
                    "cannot armour the public key: {}",
                    short(&e.to_string())
                ))
            })
    }

    /// The public key as binary OpenPGP packets (what `gpg --export` writes): the form
    /// apt's `Signed-By:` keyrings (`NAME-archive-keyring.gpg`) and `gpgv --keyring` read.
    pub fn public_key_binary(&self) -> Result<Vec<u8>, SignError> {
        self.key.to_public_key().to_bytes().map_err(|e| {
            detached(format!(
                "cannot encode the public key: {}",
                short(&e.to_string())
            ))
        })
    }

    /// A report for a signature made with this key under `scheme`.
    pub fn report(&self, scheme: &str) -> SignReport {
        SignReport {
            scheme: scheme.to_owned(),
            subject: self.user_id.clone(),
            sha256_fingerprint: self.fingerprint.clone(),
            timestamp_server: None,
            warnings: Vec::new(),
        }
    }

    fn signature(
        &self,
        kind: Kind,
        data: impl Read,
        created: Option<u32>,
    ) -> Result<DetachedSignature, SignError> {
        let primary = &self.key.primary_key;
        let subpackets = match created {
            None => SubpacketConfig::Default,
            Some(secs) => {
                // Verifiers reject a signature older than its key: never go below the
                // key's creation time (still reproducible for a given key).
                let secs = secs.max(primary.created_at().as_secs());
                let sub = |d| Subpacket::regular(d).map_err(|e| detached(short(&e.to_string())));
                let hashed = vec![
                    sub(SubpacketData::IssuerFingerprint(primary.fingerprint()))?,
                    sub(SubpacketData::SignatureCreationTime(Timestamp::from_secs(
                        secs,
                    )))?,
                ];
                let mut unhashed = Vec::new();
                if primary.version() <= KeyVersion::V4 {
                    unhashed.push(sub(SubpacketData::IssuerKeyId(primary.legacy_key_id()))?);
                }
                SubpacketConfig::UserDefined { hashed, unhashed }
            }
        };
        let sign = match kind {
            Kind::Binary => DetachedSignature::sign_binary_data_with_subpackets,
            Kind::Text => DetachedSignature::sign_text_data_with_subpackets,
        };
        sign(
            rand::thread_rng(),
            primary,
            &self.password,
            HashAlgorithm::Sha256,
            data,
            subpackets,
        )
        .map_err(|e| {
            detached(format!(
                "signing with the OpenPGP key `{}` failed ({}); check the passphrase (not shown) and that the primary key can sign",
                self.fingerprint,
                short(&e.to_string())
            ))
        })
    }

    /// An armoured detached signature over `data`. `created` fixes the signature's
    /// creation time (seconds since 1970, raised to the key's creation time if older)
    /// for reproducible output; `None` means now.
    pub fn sign_armored(&self, data: impl Read, created: Option<u32>) -> Result<String, SignError> {
        self.signature(Kind::Binary, data, created)?
            .to_armored_string(ArmorOptions::default())
            .map_err(|e| detached(format!("cannot armour the signature: {e}")))
    }

    /// A binary OpenPGP signature packet over `data` (what rpm stores in its header).
    pub fn sign_binary(&self, data: impl Read, created: Option<u32>) -> Result<Vec<u8>, SignError> {
        self.signature(Kind::Binary, data, created)?
            .to_bytes()
            .map_err(|e| detached(format!("cannot encode the signature: {e}")))
    }

    /// `text` clear-signed (RFC 4880 section 7, the form of an apt `InRelease`): the
    /// dash-escaped text between a `Hash: SHA256` header and an armoured text signature.
    /// As the RFC says, line endings are signed as CRLF and trailing spaces and tabs of
    /// each line are not signed, so a verifier accepts the text as written. Like
    /// `gpg --clearsign`, a final line ending is written but not signed: a verifier
    /// gives back `text` (less trailing blanks). `created` as in [`PgpKey::sign_armored`].
    pub fn clearsign(&self, text: &str, created: Option<u32>) -> Result<String, SignError> {
        let body = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(text);
        let mut failure = None;
        let message = CleartextSignedMessage::new_many(body, |normalized| {
            let signed = without_trailing_blanks(normalized);
            match self.signature(Kind::Text, signed.as_bytes(), created) {
                Ok(signature) => Ok(vec![signature.signature]),
                Err(e) => {
                    failure = Some(e);
                    Err(pgp::errors::Error::from("signing failed".to_owned()))
                }
            }
        });
        let message = match (message, failure) {
            (_, Some(e)) => return Err(e),
            (Err(e), None) => return Err(detached(short(&e.to_string()))),
            (Ok(message), None) => message,
        };
        message
            .to_armored_string(ArmorOptions::default())
            .map_err(|e| detached(format!("cannot armour the cleartext signature: {e}")))
    }
}

/// Which OpenPGP signature type a signature gets.
#[derive(Clone, Copy)]
enum Kind {
    /// Over the exact bytes (type 0x00).
    Binary,
    /// Over canonical text, CRLF line endings (type 0x01).
    Text,
}

/// `text` (CRLF line endings) with spaces and tabs at the end of every line removed:
/// what RFC 4880 section 7.1 says a cleartext signature covers.
fn without_trailing_blanks(text: &str) -> String {
    text.split("\r\n")
        .map(|line| line.trim_end_matches([' ', '\t']))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Signs `data` with the armoured secret key (unlocked with `passphrase`, empty for an
/// unprotected key) and returns the armoured detached signature plus a report whose
/// fingerprint is the OpenPGP key fingerprint.
pub fn sign_detached_pgp(
    data: impl Read,
    secret_key_armored: &str,
    passphrase: &str,
) -> Result<(String, SignReport), SignError> {
    let key = PgpKey::from_armored(secret_key_armored, passphrase)?;
    let armored = key.sign_armored(data, None)?;
    Ok((armored, key.report("openpgp")))
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

/// Verifies the armoured detached OpenPGP `signature` over `data` with the
/// armoured public key `public_key` (its primary key or any subkey). The error
/// says what does not parse or verify, for a release gate to report.
pub fn verify_detached_pgp(public_key: &str, signature: &str, data: &[u8]) -> Result<(), String> {
    let (signature, _) = DetachedSignature::from_armor_single(signature.as_bytes())
        .map_err(|e| format!("the signature does not parse: {e}"))?;
    verify_with(public_key, &signature, data)
}

/// [`verify_detached_pgp`] for a binary signature packet (an rpm header signature).
pub fn verify_binary_pgp(public_key: &str, signature: &[u8], data: &[u8]) -> Result<(), String> {
    let signature = DetachedSignature::from_bytes(signature)
        .map_err(|e| format!("the signature does not parse: {e}"))?;
    verify_with(public_key, &signature, data)
}

fn verify_with(public_key: &str, signature: &DetachedSignature, data: &[u8]) -> Result<(), String> {
    let (key, _) = pgp::composed::SignedPublicKey::from_armor_single(public_key.as_bytes())
        .map_err(|e| format!("the public key does not parse: {e}"))?;
    if signature.verify(&key.primary_key, data).is_ok()
        || key
            .public_subkeys
            .iter()
            .any(|sub| signature.verify(&sub.key, data).is_ok())
    {
        return Ok(());
    }
    Err(format!(
        "it does not verify with the configured key {}",
        crate::key::hex(key.primary_key.fingerprint().as_bytes())
    ))
}
