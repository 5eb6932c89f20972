//! AWS Signature Version 4 for one S3 `PUT` with temporary (session) credentials: the
//! canonical request, the string to sign, the derived signing key and the
//! `Authorization` header. Only what a single-part upload needs.

use std::fmt::Write as _;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Region of Apple's notary submission bucket.
pub(crate) const REGION: &str = "us-west-2";
const SERVICE: &str = "s3";

/// Temporary S3 credentials handed out by the notary service (all three parts secret
/// enough to stay out of errors and `Debug`).
pub(crate) struct S3Credentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: String,
}

impl std::fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("S3Credentials(<redacted>)")
    }
}

/// The headers to send with a signed `PUT` (besides `Content-Length`).
pub(crate) struct SignedPut {
    /// `(name, value)` pairs, `Authorization` included.
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// Signs `PUT https://{host}{path}` whose body has the SHA-256 `payload_sha256` (hex) at
/// `unix_time`. `path` must already be URI-encoded (see [`encode_path`]).
pub(crate) fn sign_put(
    creds: &S3Credentials,
    host: &str,
    path: &str,
    payload_sha256: &str,
    unix_time: u64,
) -> SignedPut {
    let amz_date = amz_date(unix_time);
    let date = &amz_date[..8];
    let mut signed: Vec<(&'static str, String)> = vec![
        ("host", host.to_owned()),
        ("x-amz-content-sha256", payload_sha256.to_owned()),
        ("x-amz-date", amz_date.clone()),
        ("x-amz-security-token", creds.session_token.clone()),
    ];
    signed.sort_by(|a, b| a.0.cmp(b.0));
    let signed_names = signed.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(";");
    let mut canonical = format!("PUT\n{path}\n\n");
    for (name, value) in &signed {
        let _ = writeln!(canonical, "{name}:{}", value.trim());
    }
    let _ = write!(canonical, "\n{signed_names}\n{payload_sha256}");
    let scope = format!("{date}/{REGION}/{SERVICE}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(
        format!("AWS4{}", creds.secret_access_key).as_bytes(),
        date.as_bytes(),
    );
    for part in [REGION, SERVICE, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_names}, Signature={signature}",
        creds.access_key_id
    );
    let mut headers: Vec<(&'static str, String)> =
        signed.into_iter().filter(|(n, _)| *n != "host").collect();
    headers.push(("authorization", authorization));
    SignedPut { headers }
}

/// URI-encodes every byte of each `/`-separated segment except RFC 3986 unreserved ones.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b));
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
fn amz_date(unix_time: u64) -> String {
    crateship_support::date::iso8601_basic(i64::try_from(unix_time).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(951_782_400), "20000229T000000Z");
        assert_eq!(amz_date(1_369_353_600), "20130524T000000Z");
        assert_eq!(amz_date(4_102_444_799), "20991231T235959Z");
    }

    #[test]
    fn paths_keep_slashes_and_encode_the_rest() {
        assert_eq!(encode_path("/b/a b+c/ü~"), "/b/a%20b%2Bc/%C3%BC~");
    }
}
