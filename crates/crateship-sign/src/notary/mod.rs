//! Apple notarization client (feature `notarize`): submit an artifact to Apple's notary
//! service, wait for the verdict, fetch the ticket and staple it.
//!
//! * **Auth**: App Store Connect API keys ([`NotaryCredentials`]): an ES256 JSON Web
//!   Token (`kid` = key id, `iss` = issuer id, `aud` = `appstoreconnect-v1`, 15-minute
//!   lifetime), made fresh for every request so long waits never outlive a token.
//! * **Notary API v2** ([`notarize`]): `POST {api}/notary/v2/submissions` with the
//!   file's name and SHA-256; a single `PUT` of the file to the S3 object it names,
//!   signed with AWS Signature V4 and the temporary credentials it returns (streamed, not
//!   loaded); `GET {api}/notary/v2/submissions/{id}` every `poll_interval` until
//!   `Accepted`, `Invalid` or `Rejected`, bounded by `timeout`; then the developer log
//!   (`…/{id}/logs` → `developerLogUrl`), whose issues go into the error (or, for an
//!   accepted submission, into the report as warnings).
//! * **Tickets** ([`fetch_ticket`], [`fetch_pkg_ticket`]) from Apple's CloudKit ticket
//!   database, and **stapling** into an `.app` ([`staple_app`]) or a flat `.pkg`
//!   ([`staple_pkg`]). Not `.dmg` (see [`staple_app`]'s module notes).
//!
//! What it submits: any file; Apple accepts `.zip` (of an `.app`), `.pkg` and `.dmg`. An
//! `.app` is notarized as its `.app.zip`, then the ticket is stapled into the `.app`
//! directory, and the zip made again.
//!
//! Transport: `ureq` with rustls and the webpki root store; `https://` only, except plain
//! `http://` to loopback addresses (test servers). Every request has a timeout
//! ([`NotarizeOptions`]). Nothing here prints; errors ([`NotaryError`]) name the step
//! (`auth`, `submit`, `upload`, `wait`, `log`, `ticket`, `staple`), the URL (without
//! query) and the server's message, and never the key, the token or the S3 secret.

mod credentials;
mod error;
mod http;
mod sigv4;
mod staple;
mod submit;

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

pub use credentials::NotaryCredentials;
pub use error::{NotaryError, NotaryStep};
pub use staple::{fetch_pkg_ticket, fetch_ticket, staple_app, staple_pkg};

/// Where the notary service, the ticket database and (optionally) S3 are reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotaryEndpoints {
    /// Base of the notary API (default `https://appstoreconnect.apple.com`).
    pub api_base: String,
    /// Base of the CloudKit ticket database (default `https://api.apple-cloudkit.com`).
    pub cloudkit_base: String,
    /// Upload to `{this}/{bucket}/{object}` (path style) instead of Apple's bucket at
    /// `https://{bucket}.s3.us-west-2.amazonaws.com/{object}`; for tests and proxies.
    pub s3_endpoint_override: Option<String>,
}

impl Default for NotaryEndpoints {
    fn default() -> Self {
        Self {
            api_base: "https://appstoreconnect.apple.com".into(),
            cloudkit_base: "https://api.apple-cloudkit.com".into(),
            s3_endpoint_override: None,
        }
    }
}

/// Timing and naming of a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotarizeOptions {
    /// Pause between two status requests (default 10 s).
    pub poll_interval: Duration,
    /// How long to wait for Apple's verdict after the upload (default 30 min).
    pub timeout: Duration,
    /// Bound on each API request, connection included (default 60 s).
    pub request_timeout: Duration,
    /// Bound on the upload of the file (default 30 min).
    pub upload_timeout: Duration,
    /// Name shown in Apple's submission history (default: the file name).
    pub submission_name: Option<String>,
}

impl Default for NotarizeOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(10),
            timeout: Duration::from_secs(30 * 60),
            request_timeout: Duration::from_secs(60),
            upload_timeout: Duration::from_secs(30 * 60),
            submission_name: None,
        }
    }
}

impl NotarizeOptions {
    fn check(&self) -> Result<(), NotaryError> {
        for (name, value) in [
            ("poll interval", self.poll_interval),
            ("timeout", self.timeout),
            ("request timeout", self.request_timeout),
            ("upload timeout", self.upload_timeout),
        ] {
            if value.is_zero() {
                return Err(NotaryError::Config {
                    step: NotaryStep::Wait,
                    reason: format!("the {name} is zero; give it a positive duration"),
                });
            }
        }
        Ok(())
    }
}

/// The outcome of an accepted submission; safe to log (no secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotaryReport {
    /// Apple's submission id (look it up with `xcrun notarytool info ID`).
    pub submission_id: String,
    /// The final status (always `Accepted`: other verdicts are errors).
    pub status: String,
    /// The name the submission was made under.
    pub submission_name: String,
    /// SHA-256 of the submitted file, hex.
    pub sha256: String,
    /// Size of the submitted file in bytes.
    pub size: u64,
    /// Issues of the developer log (warnings on an accepted submission), one per line.
    pub issues: Vec<String>,
    /// Things the caller should show the user (e.g. the log could not be read).
    pub warnings: Vec<String>,
    /// Time from submission to verdict, in milliseconds.
    pub elapsed_ms: u64,
}

/// Notarizes `file` (a `.zip` of an `.app`, a `.pkg` or a `.dmg`): submits it, uploads
/// it, waits for the verdict and reads the log. `Invalid`/`Rejected` is an error that
/// lists the log's issues; running out of `options.timeout` is an error that names the
/// submission id, so it can be looked up later.
pub fn notarize(
    file: &Path,
    creds: &NotaryCredentials,
    endpoints: &NotaryEndpoints,
    options: &NotarizeOptions,
) -> Result<NotaryReport, NotaryError> {
    submit::run(file, creds, endpoints, options)
}
