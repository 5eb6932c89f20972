//! App Store Connect API credentials and the ES256 JSON Web Token made from them.
//!
//! The `.p8` key is a PKCS#8 ECDSA P-256 private key. It is read from a file or from an
//! environment variable the caller names (never from a command line), kept only as a
//! `p256` signing key, and never shown: `Debug` is written by hand and errors carry the
//! key's origin, not its bytes.

use std::fmt;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use pkcs8::der::Decode as _;

use super::error::{NotaryError, NotaryStep};

/// `aud` of every App Store Connect token.
const AUDIENCE: &str = "appstoreconnect-v1";
/// Lifetime of a token; Apple refuses more than 20 minutes.
const TOKEN_LIFETIME_SECS: u64 = 15 * 60;

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";

/// An App Store Connect API key: key id, issuer id and the `.p8` private key.
///
/// The key id and issuer id are not secret and appear in `Debug`; the private key never
/// does.
pub struct NotaryCredentials {
    key_id: String,
    issuer_id: String,
    origin: String,
    key: SigningKey,
}

impl fmt::Debug for NotaryCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotaryCredentials")
            .field("key_id", &self.key_id)
            .field("issuer_id", &self.issuer_id)
            .field("key_origin", &self.origin)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl NotaryCredentials {
    /// Reads the `.p8` private key from the file `path` (PEM, or raw DER).
    pub fn from_file(
        key_id: impl Into<String>,
        issuer_id: impl Into<String>,
        path: &Path,
    ) -> Result<Self, NotaryError> {
        let bytes = std::fs::read(path)
            .map_err(|e| NotaryError::io(NotaryStep::Auth, "read the API key", path, e))?;
        let key = parse_key(&bytes, &format!("`{}`", path.display()));
        let bytes = zeroize_vec(bytes);
        drop(bytes);
        Self::new(key_id, issuer_id, format!("`{}`", path.display()), key?)
    }

    /// Reads the `.p8` private key (its PEM text) from the environment variable `var`.
    pub fn from_env(
        key_id: impl Into<String>,
        issuer_id: impl Into<String>,
        var: &str,
    ) -> Result<Self, NotaryError> {
        let origin = format!("the environment variable `{var}`");
        let value = std::env::var_os(var).ok_or_else(|| NotaryError::Key {
            origin: origin.clone(),
            reason: "it is not set".into(),
        })?;
        let bytes = value.into_encoded_bytes();
        let key = parse_key(&bytes, &origin);
        drop(zeroize_vec(bytes));
        Self::new(key_id, issuer_id, origin, key?)
    }

    /// Uses the `.p8` private key given in memory (PEM text or DER); `origin` says where it
    /// came from, for error messages (e.g. "the CI secret NOTARY_KEY").
    pub fn from_pem_bytes(
        key_id: impl Into<String>,
        issuer_id: impl Into<String>,
        pem: &[u8],
        origin: &str,
    ) -> Result<Self, NotaryError> {
        let key = parse_key(pem, origin)?;
        Self::new(key_id, issuer_id, origin.to_owned(), key)
    }

    fn new(
        key_id: impl Into<String>,
        issuer_id: impl Into<String>,
        origin: String,
        key: SigningKey,
    ) -> Result<Self, NotaryError> {
        let key_id = key_id.into();
        let issuer_id = issuer_id.into();
        for (name, value) in [("key id", &key_id), ("issuer id", &issuer_id)] {
            if value.trim().is_empty() || value.chars().any(|c| c.is_control() || c == '"') {
                return Err(NotaryError::Config {
                    step: NotaryStep::Auth,
                    reason: format!(
                        "the App Store Connect {name} `{value}` is empty or malformed; copy it from App Store Connect > Users and Access > Integrations"
                    ),
                });
            }
        }
        Ok(Self {
            key_id,
            issuer_id,
            origin,
            key,
        })
    }

    /// The API key id (the `kid` of the token).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The issuer id (the `iss` of the token).
    pub fn issuer_id(&self) -> &str {
        &self.issuer_id
    }

    /// A fresh ES256 token valid for 15 minutes from `now`.
    pub(crate) fn token(&self, now: SystemTime) -> Result<String, NotaryError> {
        let iat = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| NotaryError::Config {
                step: NotaryStep::Auth,
                reason: "the system clock is before 1970; fix the clock".into(),
            })?
            .as_secs();
        let header = serde_json::json!({ "alg": "ES256", "kid": self.key_id, "typ": "JWT" });
        let claims = serde_json::json!({
            "iss": self.issuer_id,
            "iat": iat,
            "exp": iat + TOKEN_LIFETIME_SECS,
            "aud": AUDIENCE,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: Signature = self.key.sign(signing_input.as_bytes());
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        ))
    }
}

/// Overwrites a buffer that held key material before it is freed.
fn zeroize_vec(mut bytes: Vec<u8>) -> Vec<u8> {
    for b in bytes.iter_mut() {
        // `black_box` keeps the compiler from dropping writes to a buffer about to be freed.
        *b = std::hint::black_box(0);
    }
    bytes
}

fn parse_key(bytes: &[u8], origin: &str) -> Result<SigningKey, NotaryError> {
    let bad = |reason: String| NotaryError::Key {
        origin: origin.to_owned(),
        reason,
    };
    let text = std::str::from_utf8(bytes).ok().map(str::trim);
    let doc = match text {
        Some(t) if t.starts_with("-----BEGIN") => {
            let (label, doc) = pkcs8::SecretDocument::from_pem(t)
                .map_err(|e| bad(format!("it is not a valid PEM document ({e})")))?;
            match label {
                "PRIVATE KEY" => doc,
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(bad("it is encrypted; App Store Connect keys are not, decrypt it with `openssl pkcs8 -topk8 -nocrypt`".into()));
                }
                "EC PRIVATE KEY" => {
                    return Err(bad("it is a SEC1 `EC PRIVATE KEY`; convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt`".into()));
                }
                other => {
                    return Err(bad(format!(
                        "it is a PEM `{other}`, not a PKCS#8 `PRIVATE KEY`"
                    )));
                }
            }
        }
        _ => pkcs8::SecretDocument::try_from(bytes)
            .map_err(|e| bad(format!("it is neither PEM nor DER ({e})")))?,
    };
    let info = pkcs8::PrivateKeyInfo::from_der(doc.as_bytes())
        .map_err(|e| bad(format!("it is not a PKCS#8 private key ({e})")))?;
    let algorithm = info.algorithm.oid.to_string();
    if algorithm != OID_EC_PUBLIC_KEY {
        return Err(bad(format!(
            "its algorithm is {}, not ECDSA P-256",
            algorithm_name(&algorithm)
        )));
    }
    let curve = info
        .algorithm
        .parameters_oid()
        .map(|o| o.to_string())
        .unwrap_or_default();
    if curve != OID_P256 {
        return Err(bad(format!(
            "its algorithm is ECDSA on the curve {}, not P-256 (prime256v1)",
            curve_name(&curve)
        )));
    }
    let secret = p256::SecretKey::from_sec1_der(info.private_key)
        .map_err(|_| bad("its P-256 private key is malformed".into()))?;
    Ok(SigningKey::from(secret))
}

fn algorithm_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.1" => "RSA".into(),
        "1.3.101.112" => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        other => format!("the OID {other}"),
    }
}

fn curve_name(oid: &str) -> String {
    match oid {
        "1.3.132.0.34" => "P-384 (secp384r1)".into(),
        "1.3.132.0.35" => "P-521 (secp521r1)".into(),
        "1.3.132.0.10" => "secp256k1".into(),
        "" => "(none given)".into(),
        other => other.into(),
    }
}
