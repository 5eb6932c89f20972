//! OpenPGP signatures made with the pure-Rust `pgp` crate: detached ASCII-armoured
//! signatures (`.asc`) over any data (an artifact, `SHA256SUMS`), raw binary signature
//! packets (what rpm embeds in its signature header), and the armoured public key (what
//! an AppImage carries in `.sig_key`). The primary key signs (binary signature, SHA-256);
//! the passphrase is used for unlocking only and never reported.
//!
//! The creation time can be fixed (e.g. to `SOURCE_DATE_EPOCH`): RSA (PKCS#1 v1.5) and
//! Ed25519 signatures are then byte-identical from run to run.

use std::fmt;
use std::io::Read;

use pgp::composed::{
    ArmorOptions, Deserializable, DetachedSignature, SignedSecretKey, SubpacketConfig,
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
        this.signature(&b""[..], None)?;
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
        DetachedSignature::sign_binary_data_with_subpackets(
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
        self.signature(data, created)?
            .to_armored_string(ArmorOptions::default())
            .map_err(|e| detached(format!("cannot armour the signature: {e}")))
    }

    /// A binary OpenPGP signature packet over `data` (what rpm stores in its header).
    pub fn sign_binary(&self, data: impl Read, created: Option<u32>) -> Result<Vec<u8>, SignError> {
        self.signature(data, created)?
            .to_bytes()
            .map_err(|e| detached(format!("cannot encode the signature: {e}")))
    }
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
