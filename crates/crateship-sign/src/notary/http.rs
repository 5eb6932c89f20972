//! The HTTP side of the notary client: one `ureq` agent (rustls, webpki roots) per call
//! with a global timeout, URL policy (https, or http for loopback only), and turning
//! answers into values or errors that quote the server's own message.

use std::time::Duration;

use super::error::{NotaryError, NotaryStep};

/// Largest JSON answer read (a developer log of a big app is well below this).
const MAX_JSON: u64 = 16 * 1024 * 1024;
/// How much of an unparsed error body is quoted.
const MAX_QUOTE: usize = 300;

/// A `ureq` agent whose every request is bounded by `timeout`.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .user_agent(concat!("crateship/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

/// Accepts `https://host/...`, and `http://` only when the host is a loopback address.
pub(crate) fn check_url(step: NotaryStep, url: &str) -> Result<(), NotaryError> {
    let bad = |reason: &str| NotaryError::Url {
        step,
        url: redact(url),
        reason: reason.to_owned(),
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("it has no scheme"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err(bad("it has no host"));
    }
    if authority.contains('@') {
        return Err(bad("it carries user credentials"));
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback(authority) => Ok(()),
        "http" => Err(bad(
            "plain http:// is only allowed for a loopback test server",
        )),
        _ => Err(bad("only https:// is supported")),
    }
}

fn is_loopback(authority: &str) -> bool {
    let host = if let Some(rest) = authority.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The URL without its query (pre-signed URLs carry signatures and tokens there).
pub(crate) fn redact(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_owned(),
    }
}

/// Maps a transport-level failure (no HTTP answer) to an error naming the step.
pub(crate) fn transport(
    step: NotaryStep,
    url: &str,
    timeout: Duration,
    e: ureq::Error,
) -> NotaryError {
    let reason = match e {
        ureq::Error::Timeout(what) => format!("timed out ({what}) after at most {timeout:?}"),
        ureq::Error::ConnectionFailed => "the connection failed".into(),
        ureq::Error::HostNotFound => "the host name does not resolve".into(),
        ureq::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    };
    NotaryError::Transport {
        step,
        url: redact(url),
        reason,
    }
}

/// Reads a JSON answer; a non-2xx status becomes [`NotaryError::Server`] with the server's
/// message.
pub(crate) fn json_answer(
    step: NotaryStep,
    url: &str,
    timeout: Duration,
    mut response: http_types::Response,
) -> Result<serde_json::Value, NotaryError> {
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_JSON)
        .read_to_vec()
        .map_err(|e| transport(step, url, timeout, e))?;
    if !(200..300).contains(&status) {
        return Err(server_error(step, url, status, &body));
    }
    serde_json::from_slice(&body).map_err(|e| NotaryError::Protocol {
        step,
        url: redact(url),
        reason: format!("the body is not JSON ({e})"),
    })
}

/// A [`NotaryError::Server`] quoting what the server said about the failure.
pub(crate) fn server_error(step: NotaryStep, url: &str, status: u16, body: &[u8]) -> NotaryError {
    NotaryError::Server {
        step,
        url: redact(url),
        status,
        message: server_message(body),
    }
}

/// App Store Connect `{"errors":[{"code","title","detail"}]}`, S3 `<Code>`/`<Message>`,
/// else the start of the body on one line.
fn server_message(body: &[u8]) -> String {
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(errors) = json.get("errors").and_then(|e| e.as_array())
    {
        let parts: Vec<String> = errors
            .iter()
            .map(|e| {
                let field = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or_default();
                let mut s = [field("title"), field("detail")]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(": ");
                if !field("code").is_empty() {
                    s = format!("{s} ({})", field("code"));
                }
                s
            })
            .collect();
        if !parts.is_empty() {
            return parts.join("; ");
        }
    }
    let text = String::from_utf8_lossy(body);
    // S3 errors: quote Code and Message only (other elements may echo the request,
    // including the session token).
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&format!("</{name}>"))? + start;
        Some(text[start..end].to_owned())
    };
    if let Some(code) = tag("Code") {
        return match tag("Message") {
            Some(message) => format!("{code}: {message}"),
            None => code,
        };
    }
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "(empty body)".into();
    }
    match one_line.char_indices().nth(MAX_QUOTE) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

/// The `http` crate types as re-exported by `ureq`.
pub(crate) mod http_types {
    /// A response as `ureq` returns it.
    pub(crate) type Response = ureq::http::Response<ureq::Body>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_only_allowed_for_loopback() {
        for ok in [
            "https://appstoreconnect.apple.com",
            "http://127.0.0.1:8080/x",
            "http://[::1]:1/",
            "http://localhost:9",
        ] {
            check_url(NotaryStep::Submit, ok).unwrap();
        }
        for bad in [
            "http://appstoreconnect.apple.com",
            "http://127.0.0.1.example.com/",
            "ftp://127.0.0.1/",
            "https://user:pw@example.com/",
            "no-scheme",
        ] {
            assert!(check_url(NotaryStep::Submit, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn s3_errors_quote_code_and_message_only() {
        let body = b"<Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message><CanonicalRequest>x-amz-security-token:SECRET</CanonicalRequest></Error>";
        let m = server_message(body);
        assert_eq!(m, "SignatureDoesNotMatch: nope");
    }
}
