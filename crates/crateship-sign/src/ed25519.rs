//! Sparkle's EdDSA keys and update signatures: Ed25519 (RFC 8032, not the pre-hashed
//! Ed25519ph) over the whole archive, as Sparkle's `sign_update` makes them and its
//! framework checks them against `SUPublicEDKey`.
//!
//! Keys come in the form Sparkle's `generate_keys -x FILE` exports: the base64 of
//! either the 32-byte private seed (keys made by Sparkle 2.x) or, for older keys, 96
//! bytes: the 64-byte expanded private key (SHA-512 of the seed, clamped) followed by
//! the 32-byte public key.
//!
//! Plain Ed25519 hashes the message twice (once for the nonce, once for the
//! challenge), so a file is signed in two streaming passes over it rather than by
//! loading it whole; memory stays at one 64 KiB buffer whatever the file size.
//!
//! The key never leaves [`SparkleKey`]: its `Debug` shows the public key only, and no
//! error quotes the key text.

use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use base64ct::{Base64, Encoding};
use ed25519_dalek::hazmat::{ExpandedSecretKey, raw_sign_byupdate};
use ed25519_dalek::{SignatureError, VerifyingKey};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::{Secret, SignError};

/// Bytes of a Sparkle 2.x key (the private seed).
const SEED_LEN: usize = 32;
/// Bytes of an older key: expanded private key and public key.
const OLD_LEN: usize = 96;

/// A loaded Sparkle EdDSA private key.
pub struct SparkleKey {
    expanded: ExpandedSecretKey,
    public: VerifyingKey,
}

impl fmt::Debug for SparkleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SparkleKey")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

/// A file's Sparkle signature, ready for the appcast's `<enclosure>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparkleSignature {
    /// `sparkle:edSignature`: base64 of the 64-byte Ed25519 signature.
    pub ed_signature: String,
    /// `length`: the file's size in bytes.
    pub length: u64,
}

impl SparkleKey {
    /// Loads the text `generate_keys -x` wrote (surrounding whitespace is ignored).
    /// `origin` names where it came from (e.g. the environment variable) in errors.
    pub fn from_exported(exported: &Secret, origin: &str) -> Result<SparkleKey, SignError> {
        let bad = |reason: &str| SignError::SparkleKey {
            origin: origin.to_owned(),
            reason: reason.to_owned(),
        };
        let bytes = Zeroizing::new(
            Base64::decode_vec(exported.expose().trim())
                .map_err(|_| bad("it is not base64 text"))?,
        );
        match bytes.len() {
            SEED_LEN => {
                let mut seed = Zeroizing::new([0u8; SEED_LEN]);
                seed.copy_from_slice(&bytes);
                let expanded = ExpandedSecretKey::from(&*seed);
                let public = VerifyingKey::from(&expanded);
                Ok(SparkleKey { expanded, public })
            }
            OLD_LEN => {
                let expanded = ExpandedSecretKey::from_slice(&bytes[..64])
                    .map_err(|_| bad("its private half does not decode"))?;
                let public = VerifyingKey::from(&expanded);
                if public.as_bytes()[..] != bytes[64..] {
                    return Err(bad(
                        "its public half (the last 32 of 96 bytes) does not belong to its private half",
                    ));
                }
                Ok(SparkleKey { expanded, public })
            }
            n => Err(bad(&format!(
                "it decodes to {n} bytes; a Sparkle key is 32 bytes (or 96 for keys made before Sparkle 2)"
            ))),
        }
    }

    /// The public key, base64: the value of the app's `SUPublicEDKey`.
    pub fn public_key(&self) -> String {
        Base64::encode_string(self.public.as_bytes())
    }

    /// Signs the whole file at `path`, reading it twice from start to end.
    pub fn sign_file(&self, path: &Path) -> Result<SparkleSignature, SignError> {
        let file = File::open(path).map_err(|e| SignError::io("open", path, e))?;
        let reader = Passes {
            file: RefCell::new(file),
            buffer: RefCell::new(vec![0; 64 * 1024]),
            failure: RefCell::new(None),
            lengths: RefCell::new(Vec::new()),
        };
        let signed = raw_sign_byupdate::<Sha512, _>(
            &self.expanded,
            |digest: &mut Sha512| reader.pass(digest),
            &self.public,
        );
        if let Some(e) = reader.failure.into_inner() {
            return Err(SignError::io("read", path, e));
        }
        let signature = signed.map_err(|e| SignError::Build {
            path: path.to_owned(),
            reason: format!("Ed25519 signing failed: {e}"),
        })?;
        let lengths = reader.lengths.into_inner();
        let length = match lengths.as_slice() {
            [first, second] if first == second => *first,
            _ => {
                return Err(SignError::Build {
                    path: path.to_owned(),
                    reason: format!(
                        "it changed while being signed (read {lengths:?} bytes); sign it once nothing writes to it"
                    ),
                });
            }
        };
        Ok(SparkleSignature {
            ed_signature: Base64::encode_string(&signature.to_bytes()),
            length,
        })
    }
}

/// One file read front to back into a digest, as often as the signer asks; a read
/// error is kept for the caller (the signer's own error type cannot carry it).
struct Passes {
    file: RefCell<File>,
    buffer: RefCell<Vec<u8>>,
    failure: RefCell<Option<std::io::Error>>,
    lengths: RefCell<Vec<u64>>,
}

impl Passes {
    fn pass(&self, digest: &mut Sha512) -> Result<(), SignatureError> {
        let mut file = self.file.borrow_mut();
        let mut buffer = self.buffer.borrow_mut();
        let mut total = 0u64;
        let mut read = || -> std::io::Result<()> {
            file.seek(SeekFrom::Start(0))?;
            loop {
                match file.read(&mut buffer) {
                    Ok(0) => return Ok(()),
                    Ok(n) => {
                        digest.update(&buffer[..n]);
                        total += n as u64;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        };
        match read() {
            Ok(()) => {
                self.lengths.borrow_mut().push(total);
                Ok(())
            }
            Err(e) => {
                *self.failure.borrow_mut() = Some(e);
                Err(SignatureError::new())
            }
        }
    }
}
