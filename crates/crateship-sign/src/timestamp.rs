//! RFC 3161 timestamping over plain HTTP/1.1 with a fallback list: every server is tried
//! in order, each attempt bounded by a timeout, each server retried a bounded number of
//! times. The first token wins; when every server fails, every server's error is kept.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::asn1::{int, seq, sha256_algorithm, tlv};

/// A timestamp token and the server that issued it.
pub(crate) struct Stamp {
    pub(crate) url: String,
    pub(crate) token: Vec<u8>,
}

/// Asks each server in turn for a token over `signature`; returns the first token or
/// the `(url, error)` list of every failure.
pub(crate) fn stamp(
    signature: &[u8],
    urls: &[String],
    timeout: Duration,
    retries: u32,
) -> Result<Stamp, Vec<(String, String)>> {
    let digest = Sha256::digest(signature);
    let request = request(&digest);
    let mut errors = Vec::new();
    for url in urls {
        let mut last = String::new();
        for attempt in 0..=retries {
            match ask(url, &request, &digest, timeout) {
                Ok(token) => {
                    return Ok(Stamp {
                        url: url.clone(),
                        token,
                    });
                }
                Err(e) => {
                    last = if retries > 0 {
                        format!("{e} (attempt {} of {})", attempt + 1, retries + 1)
                    } else {
                        e
                    };
                }
            }
        }
        errors.push((url.clone(), last));
    }
    Err(errors)
}

/// TimeStampReq { version 1, messageImprint, nonce, certReq TRUE }.
fn request(digest: &[u8]) -> Vec<u8> {
    let imprint = seq(&[&sha256_algorithm(), &tlv(0x04, digest)]);
    let mut nonce = [0u8; 8];
    nonce.copy_from_slice(&digest[..8]);
    let nonce = u64::from_be_bytes(nonce) >> 1;
    seq(&[&int(1), &imprint, &int(nonce), &[0x01, 0x01, 0xff]])
}

fn ask(url: &str, body: &[u8], digest: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
    let response = post(url, body, timeout)?;
    token(&response, digest)
}

/// Extracts the TimeStampToken (a CMS ContentInfo) from a TimeStampResp.
fn token(resp: &[u8], digest: &[u8]) -> Result<Vec<u8>, String> {
    let (tag, inner, _) = split(resp).ok_or("the reply is not DER")?;
    if tag != 0x30 {
        return Err("the reply is not a TimeStampResp".into());
    }
    let (status_tag, status, rest) = split(inner).ok_or("the reply has no status")?;
    if status_tag != 0x30 {
        return Err("the reply has no PKIStatusInfo".into());
    }
    let (_, code, _) = split(status).ok_or("the reply status is empty")?;
    let code = code.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b));
    if code > 1 {
        return Err(format!("the server refused the request (PKIStatus {code})"));
    }
    if rest.is_empty() {
        return Err("the reply carries no timestamp token".into());
    }
    let (_, _, after) = split(rest).ok_or("the timestamp token is truncated")?;
    let token = &rest[..rest.len() - after.len()];
    if !token.windows(digest.len()).any(|w| w == digest) {
        return Err(
            "the timestamp token is not for our signature (message imprint differs)".into(),
        );
    }
    Ok(token.to_vec())
}

/// Splits one DER TLV off the front: (tag, content, rest).
fn split(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *data.first()?;
    let first = *data.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = data.get(2..2 + n)?;
        (
            bytes.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b)),
            2 + n,
        )
    };
    let content = data.get(header..header + len)?;
    Some((tag, content, &data[header + len..]))
}

/// One HTTP/1.1 POST with `Connection: close`; the whole exchange is bounded by `timeout`.
fn post(url: &str, body: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        "only http:// timestamp URLs are supported (RFC 3161 tokens are signed, TLS adds nothing)"
            .to_owned()
    })?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let with_port = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let deadline = Instant::now() + timeout;
    let addrs: Vec<_> = with_port
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve `{authority}`: {e}"))?
        .collect();
    let mut stream = None;
    let mut connect_error = String::from("no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => connect_error = format!("cannot connect to {addr}: {e}"),
        }
    }
    let mut stream = stream.ok_or(connect_error)?;
    let left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    };
    stream
        .set_write_timeout(Some(left()))
        .map_err(|e| e.to_string())?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/timestamp-query\r\nAccept: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\nUser-Agent: crateship\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if Instant::now() >= deadline {
            return Err(format!("no complete answer within {timeout:?}"));
        }
        stream
            .set_read_timeout(Some(left()))
            .map_err(|e| e.to_string())?;
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                reply.extend_from_slice(&buf[..n]);
                if let Some(done) = complete(&reply) {
                    return done;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(format!("no answer within {timeout:?}"));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("the connection failed: {e}")),
        }
    }
    complete(&reply).unwrap_or_else(|| {
        if reply.is_empty() {
            Err("the server closed the connection without answering".into())
        } else {
            parse(&reply, true)
        }
    })
}

/// `Some` once `reply` holds a whole response with a Content-Length.
fn complete(reply: &[u8]) -> Option<Result<Vec<u8>, String>> {
    let end = reply.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&reply[..end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))?
        .trim()
        .parse()
        .ok()?;
    (reply.len() >= end + 4 + len).then(|| parse(&reply[..end + 4 + len], false))
}

fn parse(reply: &[u8], to_eof: bool) -> Result<Vec<u8>, String> {
    let end = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the answer is not HTTP")?;
    let head = String::from_utf8_lossy(&reply[..end]).to_string();
    let status = head.lines().next().unwrap_or_default();
    let code = status.split_whitespace().nth(1).unwrap_or_default();
    if code != "200" {
        return Err(format!("HTTP error `{status}`"));
    }
    let body = &reply[end + 4..];
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    if to_eof && chunked {
        return dechunk(body);
    }
    Ok(body.to_vec())
}

fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunked encoding")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "bad chunk size")?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(body.get(..size).ok_or("truncated chunk")?);
        body = body.get(size + 2..).ok_or("truncated chunk")?;
    }
}
