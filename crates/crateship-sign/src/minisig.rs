//! minisign: loading a secret key file (with its password, never prompting, never
//! reporting the password or key bytes), and signing with it — `.minisig`
//! signatures (Ed25519 over the BLAKE2b-512 of the data, the format `minisign -S`
//! writes and `minisign -V` checks), the public-key file the Tauri and
//! cargo-packager updaters are configured with, and raw Ed25519 signatures for
//! formats that sign bytes themselves (DSSE envelopes).
//!
//! The signatures are made here with `ed25519-dalek`, not with the `minisign`
//! crate's signer, because Ed25519 is deterministic and the `minisign` crate
//! mixes random noise in: ours give byte-identical `.minisig` files, feeds and
//! envelopes for the same key and data, as reproducible releases need. The
//! `minisign` crate still parses and decrypts the key file.

use std::fmt;
use std::io::Read;

use base64ct::{Base64, Encoding};
use blake2::{Blake2b512, Digest};
use ed25519_dalek::Signer as _;
use minisign::{ErrorKind, PublicKey, SecretKey, SecretKeyBox};
use zeroize::Zeroize;

use crate::{Secret, SignError, SignReport};

/// The untrusted comment of the signatures we write (what `minisign` writes too).
const UNTRUSTED_COMMENT: &str = "signature from minisign secret key";

/// The trusted comment when the caller gives none: fixed, so signatures stay
/// reproducible (minisign's own default is the signing time).
const DEFAULT_TRUSTED_COMMENT: &str = "timestamp:0";

/// A minisign secret key, unlocked and ready to sign. `Debug` shows only its id.
pub struct MinisignSecretKey {
    key: SecretKey,
    signing: ed25519_dalek::SigningKey,
    keynum: [u8; 8],
    key_id: String,
}

/// The same key under the name the DSSE signer knows it by.
pub type MinisignKey = MinisignSecretKey;

impl fmt::Debug for MinisignSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MinisignSecretKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Byte offset of the 64-byte Ed25519 secret (seed, then public key) in the
/// `minisign` crate's `SecretKey::to_bytes` layout: signature, KDF and checksum
/// algorithms (2 bytes each), KDF salt (32), ops and memory limits (8 each), key
/// number (8).
const SECRET_OFFSET: usize = 2 + 2 + 2 + 32 + 8 + 8 + 8;
/// Byte offset of the Ed25519 public key in `PublicKey::to_bytes`: algorithm (2),
/// key number (8).
const PUBLIC_OFFSET: usize = 2 + 8;

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
        let signing = ed25519_of(&key).ok_or_else(|| {
            bad("its Ed25519 secret does not match its public key; regenerate the key pair".into())
        })?;
        let mut keynum = [0u8; 8];
        keynum.copy_from_slice(&key.keynum()[..8]);
        Ok(MinisignSecretKey {
            key,
            signing,
            keynum,
            key_id: format!("{:016X}", u64::from_le_bytes(keynum)),
        })
    }

    /// [`MinisignSecretKey::load`] for a key text and password given directly.
    pub fn from_secret_key(secret_key: &str, password: Option<&str>) -> Result<Self, SignError> {
        let secret_key = Secret::new(secret_key);
        let password = password.map(Secret::new);
        Self::load(
            &secret_key,
            "the minisign secret key",
            password.as_ref().map(|p| (p, "the minisign password")),
        )
    }

    /// The key id as `minisign` prints it (16 upper-case hex digits); also the
    /// `keyid` of DSSE signatures made with this key.
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

    /// The raw 32-byte Ed25519 public key (what an SPKI/PEM public key wraps).
    pub fn public_key_raw(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// A pure Ed25519 signature (RFC 8032, not pre-hashed) of `message`: 64 bytes,
    /// deterministic for the same key and message.
    pub fn sign_raw_ed25519(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// Signs `data` (read once, streaming); returns the `.minisig` text and a
    /// report whose fingerprint is the key id. The text is the same for the same
    /// key, data and `trusted_comment` (default `timestamp:0`).
    pub fn sign(
        &self,
        mut data: impl Read,
        trusted_comment: Option<&str>,
    ) -> Result<(String, SignReport), SignError> {
        let comment = trusted_comment.unwrap_or(DEFAULT_TRUSTED_COMMENT);
        if comment.contains(['\r', '\n']) {
            return Err(SignError::Detached {
                reason: "a minisign trusted comment is one line; remove its line breaks".into(),
            });
        }
        let mut hasher = Blake2b512::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match data.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(SignError::Detached {
                        reason: format!("cannot read the data to sign: {e}"),
                    });
                }
            };
            hasher.update(&buf[..n]);
        }
        let signature = self.signing.sign(&hasher.finalize()).to_bytes();
        // "ED": the signature is over the BLAKE2b-512 of the data.
        let mut line = Vec::with_capacity(2 + 8 + 64);
        line.extend_from_slice(b"ED");
        line.extend_from_slice(&self.keynum);
        line.extend_from_slice(&signature);
        let mut global = signature.to_vec();
        global.extend_from_slice(comment.as_bytes());
        let global = self.signing.sign(&global).to_bytes();
        let text = format!(
            "untrusted comment: {UNTRUSTED_COMMENT}\n{}\ntrusted comment: {comment}\n{}\n",
            Base64::encode_string(&line),
            Base64::encode_string(&global)
        );
        let report = SignReport {
            scheme: "minisign".into(),
            subject: String::new(),
            sha256_fingerprint: self.key_id.clone(),
            timestamp_server: None,
            warnings: Vec::new(),
        };
        Ok((text, report))
    }
}

/// The Ed25519 signing key inside a minisign secret key, checked against its
/// public key; `None` if they do not match.
fn ed25519_of(key: &SecretKey) -> Option<ed25519_dalek::SigningKey> {
    let public_bytes = PublicKey::from_secret_key(key).ok()?.to_bytes();
    let public = public_bytes.get(PUBLIC_OFFSET..PUBLIC_OFFSET + 32)?;
    let mut secret_bytes = key.to_bytes();
    let signing = secret_bytes
        .get(SECRET_OFFSET..SECRET_OFFSET + 64)
        .filter(|secret| &secret[32..] == public)
        .and_then(|secret| {
            let mut seed = [0u8; 32];
            seed.copy_from_slice(&secret[..32]);
            let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
            seed.zeroize();
            (signing.verifying_key().as_bytes() == public).then_some(signing)
        });
    secret_bytes.zeroize();
    signing
}

/// Signs `data` with a minisign secret key file's text, unlocked with `password`
/// (`None` for a key made with `minisign -G -W`); see [`MinisignSecretKey`].
pub fn sign_minisign(
    data: impl Read,
    secret_key: &str,
    password: Option<&str>,
    trusted_comment: Option<&str>,
) -> Result<(String, SignReport), SignError> {
    MinisignSecretKey::from_secret_key(secret_key, password)?.sign(data, trusted_comment)
}

/// Verifies the minisign `signature` (the text of a `.minisig` file) over
/// `data` with `public_key` (the text of a `minisign.pub` file, or its base64
/// line). The error says what does not match, for a release gate to report.
pub fn verify_minisign(public_key: &str, signature: &str, data: &[u8]) -> Result<(), String> {
    let line = public_key
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .ok_or("the public key file is empty")?;
    let key =
        PublicKey::from_base64(line).map_err(|e| format!("the public key does not parse: {e}"))?;
    let signature = minisign::SignatureBox::from_string(signature)
        .map_err(|e| format!("the signature does not parse: {e}"))?;
    minisign::verify(
        &key,
        &signature,
        std::io::Cursor::new(data),
        true,
        false,
        false,
    )
    .map_err(|e| format!("it does not verify with the configured key: {e}"))
}
