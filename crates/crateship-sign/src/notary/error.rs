//! The error type of the notary client. Every variant names the step, the input (file,
//! URL, submission id) and the fix; none carries the private key, a JWT or the temporary
//! S3 secret.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The step of notarization or stapling that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotaryStep {
    /// Loading the API key and making the App Store Connect token.
    Auth,
    /// Creating the submission (`POST /notary/v2/submissions`).
    Submit,
    /// Uploading the file to Apple's S3 bucket.
    Upload,
    /// Polling the submission status.
    Wait,
    /// Fetching the submission log.
    Log,
    /// Looking up the notarization ticket in CloudKit.
    Ticket,
    /// Writing the ticket into the artifact.
    Staple,
}

impl fmt::Display for NotaryStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotaryStep::Auth => "auth",
            NotaryStep::Submit => "submit",
            NotaryStep::Upload => "upload",
            NotaryStep::Wait => "wait",
            NotaryStep::Log => "log",
            NotaryStep::Ticket => "ticket",
            NotaryStep::Staple => "staple",
        })
    }
}

/// Why notarization or stapling failed.
#[derive(Debug, thiserror::Error)]
pub enum NotaryError {
    /// The App Store Connect API key cannot be used.
    #[error(
        "notarization auth: the API key from {origin} cannot be used: {reason}; pass the unencrypted `AuthKey_<KEY ID>.p8` (PKCS#8 ECDSA P-256) downloaded from App Store Connect > Users and Access > Integrations"
    )]
    Key {
        /// Where the key came from (a file path or an environment variable name).
        origin: String,
        /// What is wrong (never key bytes).
        reason: String,
    },
    /// A credential or option is not usable (empty key id, zero timeout, ...).
    #[error("notarization {step}: {reason}")]
    Config {
        /// The step the value is for.
        step: NotaryStep,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// An endpoint URL is not acceptable.
    #[error(
        "notarization {step}: the URL `{url}` is not allowed: {reason}; use https:// (plain http:// only for 127.0.0.1, ::1 or localhost)"
    )]
    Url {
        /// The step the URL is for.
        step: NotaryStep,
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("notarization {step}: cannot {action} `{path}`: {source}")]
    Io {
        /// The step.
        step: NotaryStep,
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Creating or publishing a stapled file failed (names the file).
    #[error("notarization {step}: {source}; check free space and permissions")]
    Output {
        /// The step.
        step: NotaryStep,
        /// What failed, and where.
        source: crateship_support::IoError,
    },
    /// The server could not be reached or did not answer in time.
    #[error(
        "notarization {step}: no answer from {url}: {reason}; check the network, the endpoint configuration and the timeouts"
    )]
    Transport {
        /// The step.
        step: NotaryStep,
        /// The URL requested (never with credentials).
        url: String,
        /// What failed (connection refused, timeout, TLS, ...).
        reason: String,
    },
    /// The server answered with an HTTP error.
    #[error("notarization {step}: {url} answered HTTP {status}: {message}{}", hint(*.status, *.step))]
    Server {
        /// The step.
        step: NotaryStep,
        /// The URL requested.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The server's own message (JSON `errors[].title/detail`, S3 `Code`/`Message`).
        message: String,
    },
    /// The server answered something this client does not understand.
    #[error("notarization {step}: unexpected answer from {url}: {reason}")]
    Protocol {
        /// The step.
        step: NotaryStep,
        /// The URL requested.
        url: String,
        /// What was wrong with the answer.
        reason: String,
    },
    /// Apple did not accept the submission.
    #[error(
        "notarization of `{file}` failed: submission {submission_id} is {status}{}{}\nfix: correct the issues above (see the developer log of the submission), re-sign and submit again",
        summary.as_deref().map(|s| format!(": {s}")).unwrap_or_default(),
        issue_list(.issues)
    )]
    NotAccepted {
        /// The submitted file.
        file: PathBuf,
        /// Apple's submission id.
        submission_id: String,
        /// `Invalid` or `Rejected`.
        status: String,
        /// The log's `statusSummary`, if the log could be read.
        summary: Option<String>,
        /// One line per issue of the log (or why the log could not be read).
        issues: Vec<String>,
    },
    /// The submission did not finish within the configured time.
    #[error(
        "notarization wait: submission {submission_id} of `{file}` was still `{last_status}` after {:.0?}{}; raise the timeout or check it later with the submission id",
        waited,
        last_error.as_deref().map(|e| format!(" (last error: {e})")).unwrap_or_default()
    )]
    Timeout {
        /// The submitted file.
        file: PathBuf,
        /// Apple's submission id.
        submission_id: String,
        /// The last status seen.
        last_status: String,
        /// How long was waited.
        waited: Duration,
        /// The last transient error while polling, if any.
        last_error: Option<String>,
    },
    /// No ticket could be obtained for a record.
    #[error(
        "notarization ticket: no ticket for record `{record}`: {reason}; the artifact must be notarized (status Accepted) before stapling, and the CDHash must be the one of the signed, submitted executable"
    )]
    Ticket {
        /// The CloudKit record name (`2/<digest type>/<hex>`).
        record: String,
        /// What the server said.
        reason: String,
    },
    /// The artifact cannot be stapled.
    #[error("notarization staple: cannot staple `{path}`: {reason}")]
    Staple {
        /// The artifact.
        path: PathBuf,
        /// What is wrong and the fix.
        reason: String,
    },
}

fn hint(status: u16, step: NotaryStep) -> &'static str {
    match (status, step) {
        (401, _) | (403, NotaryStep::Submit | NotaryStep::Wait | NotaryStep::Log) => {
            "; check the key id, the issuer id and that the API key has the Developer role (and the clock of this machine)"
        }
        (403, NotaryStep::Upload) => {
            "; the temporary upload credentials were refused (expired, or a clock skew on this machine)"
        }
        (429, _) => "; Apple rate-limits the notary service: retry later",
        (500..=599, _) => "; Apple's service failed: retry later",
        _ => "",
    }
}

fn issue_list(issues: &[String]) -> String {
    issues.iter().map(|i| format!("\n  - {i}")).collect()
}

impl NotaryError {
    pub(crate) fn io(
        step: NotaryStep,
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        NotaryError::Io {
            step,
            action,
            path: path.into(),
            source,
        }
    }
}
