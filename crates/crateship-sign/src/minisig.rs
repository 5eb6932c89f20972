//! minisign signatures (`.minisig`, Ed25519, pre-hashed) over any data, made with the
//! pure-Rust `minisign` crate, and the same key as a plain Ed25519 signer
//! ([`MinisignKey`]) for formats that sign raw bytes (DSSE envelopes). Password-protected
//! keys are unlocked with the password the caller passes; this module never prompts (an
//! encrypted key without a password is an error), and never reports the password or the
//! key.

use std::fmt;
use std::io::Read;

use ed25519_dalek::Signer as _;
use minisign::{PublicKey, SecretKey, SecretKeyBox};
use zeroize::Zeroize;

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
    let key = unlock(secret_key, password)?;
    let signature = minisign::sign(None, &key, data, trusted_comment, None)
        .map_err(|e| detached(format!("minisign signing failed: {e}")))?;
    let report = SignReport {
        scheme: "minisign".into(),
        subject: String::new(),
        sha256_fingerprint: key_id(&key),
        timestamp_server: None,
        warnings: Vec::new(),
    };
    Ok((signature.into_string(), report))
}

/// A minisign secret key used as a plain Ed25519 key: minisign keys are Ed25519 keys, so
/// the key that signs `SHA256SUMS.minisig` can also sign a DSSE envelope's
/// pre-authentication encoding, and the envelope verifies with the raw public key
/// ([`MinisignKey::public_key_raw`]) in any Ed25519 implementation.
///
/// `Debug` shows only the key id.
pub struct MinisignKey {
    signing: ed25519_dalek::SigningKey,
    key_id: String,
}

impl fmt::Debug for MinisignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MinisignKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Byte offset of the 64-byte Ed25519 secret (seed, then public key) in the minisign
/// crate's `SecretKey::to_bytes` layout: signature, KDF and checksum algorithms (2 bytes
/// each), KDF salt (32), ops and memory limits (8 each), key number (8).
const SECRET_OFFSET: usize = 2 + 2 + 2 + 32 + 8 + 8 + 8;
/// Byte offset of the Ed25519 public key in `PublicKey::to_bytes`: algorithm (2), key
/// number (8).
const PUBLIC_OFFSET: usize = 2 + 8;

impl MinisignKey {
    /// Loads a minisign secret key file's text, unlocked with `password` (`None` for an
    /// unencrypted key), and checks that its Ed25519 secret matches its public key.
    pub fn from_secret_key(secret_key: &str, password: Option<&str>) -> Result<Self, SignError> {
        let key = unlock(secret_key, password)?;
        let public_bytes = PublicKey::from_secret_key(&key)
            .map_err(|e| detached(format!("cannot derive the minisign public key: {e}")))?
            .to_bytes();
        let public = public_bytes.get(PUBLIC_OFFSET..PUBLIC_OFFSET + 32);
        let mut secret_bytes = key.to_bytes();
        let secret = secret_bytes.get(SECRET_OFFSET..SECRET_OFFSET + 64);
        let signing = match (secret, public) {
            (Some(secret), Some(public)) if &secret[32..] == public => {
                let mut seed = [0u8; 32];
                seed.copy_from_slice(&secret[..32]);
                let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
                seed.zeroize();
                (signing.verifying_key().as_bytes() == public).then_some(signing)
            }
            _ => None,
        };
        secret_bytes.zeroize();
        let signing = signing.ok_or_else(|| {
            detached(
                "the minisign secret key's Ed25519 secret does not match its public key; \
                 regenerate the key pair"
                    .into(),
            )
        })?;
        Ok(MinisignKey {
            signing,
            key_id: key_id(&key),
        })
    }

    /// The minisign key id as `minisign` prints it (16 upper-case hex digits): the
    /// `keyid` of DSSE signatures made with this key.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The raw 32-byte Ed25519 public key (what an SPKI/PEM public key wraps).
    pub fn public_key_raw(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// A pure Ed25519 signature (RFC 8032, not pre-hashed) of `message`: 64 bytes,
    /// deterministic for the same key and message.
    pub fn sign_raw_ed25519(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

/// Parses and unlocks a minisign secret key file's text.
fn unlock(secret_key: &str, password: Option<&str>) -> Result<SecretKey, SignError> {
    let parsed = SecretKeyBox::from_string(secret_key).map_err(|_| {
        detached("the minisign secret key does not parse; pass the text of a `minisign -G` secret key file".into())
    })?;
    match password {
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
    })
}

/// The key id as `minisign` prints it.
fn key_id(key: &SecretKey) -> String {
    let mut id = [0u8; 8];
    id.copy_from_slice(&key.keynum()[..8]);
    format!("{:016X}", u64::from_le_bytes(id))
}

fn detached(reason: String) -> SignError {
    SignError::Detached { reason }
}
