//! minisign signatures (`.minisig`, Ed25519, pre-hashed) over any data, made with the
//! pure-Rust `minisign` crate, and the public-key file of a loaded secret key (what the
//! Tauri and cargo-packager updaters are configured with, base64-encoded).
//! Password-protected keys are unlocked with the password the caller passes; this
//! module never prompts, and never reports the password or key bytes.

use std::fmt;
use std::io::Read;

use minisign::{ErrorKind, PublicKey, SecretKey, SecretKeyBox};

use crate::{Secret, SignError, SignReport};

/// A minisign secret key, unlocked and ready to sign.
pub struct MinisignSecretKey {
    key: SecretKey,
    key_id: String,
}

impl fmt::Debug for MinisignSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MinisignSecretKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl MinisignSecretKey {
    /// Loads the text of a minisign secret key file (`untrusted comment: …` + base64).
    /// `password` is the key's password and where it came from, for password-protected
    /// keys (it is ignored for a key made with `minisign -G -W`). `key_origin` and the
    /// password's origin name the inputs (e.g. environment variables) in errors.
    pub fn load(
        secret_key: &Secret,
        key_origin: &str,
        password: Option<(&Secret, &str)>,
    ) -> Result<MinisignSecretKey, SignError> {
        let bad = |reason: String| SignError::MinisignKey {
            origin: key_origin.to_owned(),
            reason,
        };
        let open = |password: Option<&Secret>| {
            let parsed = SecretKeyBox::from_string(secret_key.expose())?;
            match password {
                Some(p) => parsed.into_secret_key(Some(p.expose().to_owned())),
                None => parsed.into_unencrypted_secret_key(),
            }
        };
        let unlocked = match password {
            Some((password, _)) => open(Some(password)).or_else(|e| match e.kind() {
                // An unencrypted key with a password configured: the password is not needed.
                ErrorKind::Io => open(None).map_err(|_| e),
                _ => Err(e),
            }),
            None => open(None),
        };
        let key = unlocked.map_err(|e| match (e.kind(), password) {
            (ErrorKind::Verify, Some((_, password_origin))) => bad(format!(
                "wrong password: it does not decrypt with the password from {password_origin} (not shown); check that password"
            )),
            (ErrorKind::Io, None) if e.to_string().contains("encrypted") => bad(
                "it is password-protected and no password was given; configure its password, or use a key made with `minisign -G -W`".into(),
            ),
            _ => bad(format!(
                "it does not parse as a minisign secret key ({e}); set {key_origin} to the whole text of a `minisign -G` secret key file (the `untrusted comment:` line and the key line)"
            )),
        })?;
        let mut id = [0u8; 8];
        id.copy_from_slice(&key.keynum()[..8]);
        Ok(MinisignSecretKey {
            key,
            key_id: format!("{:016X}", u64::from_le_bytes(id)),
        })
    }

    /// The key id as `minisign` prints it (16 hex digits).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The text of this key's public-key file (`minisign.pub`): an untrusted comment
    /// line naming the key id, then the base64 key line, each ending in a newline.
    pub fn public_key_text(&self) -> Result<String, SignError> {
        let public = PublicKey::from_secret_key(&self.key)
            .and_then(|p| p.to_box())
            .map_err(|e| SignError::MinisignKey {
                origin: format!("the key {}", self.key_id),
                reason: format!("its public key cannot be derived ({e})"),
            })?;
        Ok(public.into_string())
    }

    /// Signs `data`; returns the `.minisig` text and a report whose fingerprint is the
    /// key id. `trusted_comment` defaults to `timestamp:<unix time>`.
    pub fn sign(
        &self,
        data: impl Read,
        trusted_comment: Option<&str>,
    ) -> Result<(String, SignReport), SignError> {
        let signature =
            minisign::sign(None, &self.key, data, trusted_comment, None).map_err(|e| {
                SignError::Detached {
                    reason: format!("minisign signing failed: {e}"),
                }
            })?;
        let report = SignReport {
            scheme: "minisign".into(),
            subject: String::new(),
            sha256_fingerprint: self.key_id.clone(),
            timestamp_server: None,
            warnings: Vec::new(),
        };
        Ok((signature.into_string(), report))
    }
}

/// Signs `data` with a minisign secret key file's text, unlocked with `password`
/// (`None` for a key made with `minisign -G -W`); see [`MinisignSecretKey`].
pub fn sign_minisign(
    data: impl Read,
    secret_key: &str,
    password: Option<&str>,
    trusted_comment: Option<&str>,
) -> Result<(String, SignReport), SignError> {
    let secret_key = Secret::new(secret_key);
    let password = password.map(Secret::new);
    let key = MinisignSecretKey::load(
        &secret_key,
        "the minisign secret key",
        password.as_ref().map(|p| (p, "the minisign password")),
    )?;
    key.sign(data, trusted_comment)
}
