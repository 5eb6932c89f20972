//! The one error type of this crate. Every variant names the input it is about and how
//! to fix it; none ever carries a password or key bytes.

use std::path::PathBuf;

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// A file could not be read or written.
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        /// What was being done ("read", "write", ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Creating or publishing the signed file failed (names the file).
    #[error("{0}; check free space and permissions where the signed file is written")]
    Output(#[from] crateship_support::IoError),
    /// The private key could not be parsed.
    #[error(
        "the private key from {origin} cannot be used: {reason}; pass an unencrypted PKCS#8 or PKCS#1 PEM key (RSA or ECDSA P-256)"
    )]
    BadKey {
        /// Where the key came from (a description, never the key).
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The certificate chain could not be parsed or is unusable.
    #[error("the certificate from {origin} cannot be used: {reason}")]
    BadCertificate {
        /// Where the certificate came from.
        origin: String,
        /// What is wrong, and the fix.
        reason: String,
    },
    /// The PKCS#12 file could not be opened.
    #[error(
        "cannot open the PKCS#12 file {origin}: {reason}; check the password (it is not shown here) and that the file is a .pfx/.p12 with one private key and its certificate"
    )]
    Pkcs12 {
        /// Where the file came from.
        origin: String,
        /// What failed.
        reason: String,
    },
    /// No certificate in the chain belongs to the private key.
    #[error(
        "no certificate from {origin} matches the private key (looked at {count} certificate(s)); pass the certificate issued for this key"
    )]
    KeyMismatch {
        /// Where the certificates came from.
        origin: String,
        /// How many certificates were examined.
        count: usize,
    },
    /// The signing certificate is not allowed to sign code.
    #[error(
        "the certificate `{subject}` is not a code-signing certificate: {reason}; use a certificate with the extended key usage codeSigning (1.3.6.1.5.5.7.3.3)"
    )]
    NotCodeSigning {
        /// Subject of the certificate.
        subject: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The input is not a file of the expected format.
    #[error("`{path}` is not a valid {format} file: {reason}")]
    BadInput {
        /// The input file.
        path: PathBuf,
        /// "PE" or "MSI".
        format: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Every timestamp server failed.
    #[error("no timestamp server answered, nothing was signed:{}{}", list(.attempts), hint())]
    Timestamp {
        /// `(url, error)` for every server tried, in order.
        attempts: Vec<(String, String)>,
    },
    /// The signature structure could not be built.
    #[error("cannot build the signature for `{path}`: {reason}")]
    Build {
        /// The file being signed.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// An external signing tool is not installed.
    #[error("`{tool}` was not found on PATH; {hint}")]
    ToolMissing {
        /// The program name as configured.
        tool: String,
        /// How to install it or what to configure instead.
        hint: String,
    },
    /// An external signing tool ran but did not sign the file.
    #[error("`{tool}` could not sign `{path}`:{}\nnothing was signed; fix: read the tool's message above (secrets are shown as `<redacted>`)", list_attempts(.attempts))]
    ToolFailed {
        /// The program.
        tool: String,
        /// The file being signed.
        path: PathBuf,
        /// `(what was tried, the tool's message)` per attempt, secrets redacted.
        attempts: Vec<(String, String)>,
    },
    /// A signing backend is configured wrongly.
    #[error("the {backend} signing backend is misconfigured: {reason}")]
    Backend {
        /// `osslsigncode`, `signtool` or `command`.
        backend: &'static str,
        /// What is wrong and the fix.
        reason: String,
    },
    /// A Sparkle EdDSA key cannot be used.
    #[error(
        "the Sparkle EdDSA key from {origin} cannot be used: {reason}; set {origin} to the text `generate_keys -x FILE` exported (base64 of the private key)"
    )]
    SparkleKey {
        /// Where the key came from (e.g. the environment variable), never the key.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A minisign secret key cannot be loaded.
    #[error("the minisign secret key from {origin} cannot be used: {reason}")]
    MinisignKey {
        /// Where the key came from (e.g. the environment variable), never the key.
        origin: String,
        /// What is wrong, and the fix.
        reason: String,
    },
    /// A detached (OpenPGP/minisign) signature failed.
    #[error("cannot make the detached signature: {reason}")]
    Detached {
        /// What failed (never the key or passphrase).
        reason: String,
    },
}

fn list(attempts: &[(String, String)]) -> String {
    if attempts.is_empty() {
        return " no timestamp URL was configured".to_owned();
    }
    attempts
        .iter()
        .map(|(url, err)| format!("\n  - {url}: {err}"))
        .collect()
}

fn list_attempts(attempts: &[(String, String)]) -> String {
    attempts
        .iter()
        .map(|(what, err)| format!("\n  - {what}: {err}"))
        .collect()
}

fn hint() -> &'static str {
    "\nfix: check the timestamp URLs and the network, add another server to the list, or allow unstamped signatures"
}

impl SignError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        SignError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
