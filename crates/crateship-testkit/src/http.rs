//! A loopback HTTP/1.1 file server for tests whose real clients download what
//! crateship wrote: apt, dnf, curl, the zsync client, cargo-packager-updater.
//!
//! It serves the files below one directory (read on every request, so a test may
//! change them between requests), answers `GET` and `HEAD`, single and multipart
//! `Range:` requests (as zsync asks), keeps connections alive unless the client
//! says otherwise, percent-decodes paths, refuses `..`, and counts the body bytes
//! it sends per file.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A file server on 127.0.0.1 serving one directory until dropped.
pub struct Server {
    port: u16,
    served: Arc<Mutex<HashMap<String, u64>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Serves `root` on a free loopback port.
    ///
    /// # Panics
    /// When no loopback port can be bound (the test cannot run at all).
    #[allow(clippy::unwrap_used)] // a test helper: failing to bind fails the test
    pub fn start(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let served = Arc::new(Mutex::new(HashMap::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, counts, halt) = (root.to_owned(), Arc::clone(&served), Arc::clone(&stop));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (root, counts) = (root.clone(), Arc::clone(&counts));
                thread::spawn(move || serve(stream, &root, &counts));
            }
        });
        Server { port, served, stop }
    }

    /// `http://127.0.0.1:PORT`, without a final slash.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT/NAME`.
    pub fn url(&self, name: &str) -> String {
        format!("{}/{name}", self.base())
    }

    /// Body bytes sent so far for the file at `name` (relative to the root).
    pub fn bytes_served(&self, name: &str) -> u64 {
        self.served
            .lock()
            .map(|m| m.get(name).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One parsed request.
struct Request {
    head_only: bool,
    /// The decoded path below the root, `None` when it escapes it.
    name: Option<String>,
    range: Option<String>,
    close: bool,
}

/// Answers the requests of one connection, keeping it open between them.
fn serve(stream: TcpStream, root: &Path, served: &Mutex<HashMap<String, u64>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        let body = request
            .name
            .as_ref()
            .map(|name| root.join(name))
            .filter(|file| file.is_file())
            .and_then(|file| std::fs::read(file).ok());
        let response = match (body, &request.name) {
            (Some(body), Some(name)) => {
                respond(&body, request.range.as_deref(), request.head_only, |n| {
                    if let Ok(mut counts) = served.lock() {
                        *counts.entry(name.clone()).or_default() += n;
                    }
                })
            }
            _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
        };
        if writer.write_all(&response).is_err() || request.close {
            return;
        }
    }
}

/// Reads one request line and its headers; `None` at the end of the connection.
fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let mut request = Request {
        head_only: method == "HEAD",
        name: (method == "GET" || method == "HEAD")
            .then(|| decode_path(target))
            .flatten(),
        range: None,
        close: line.trim_end().ends_with("HTTP/1.0"),
    };
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            return Some(request);
        }
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        match name.to_ascii_lowercase().as_str() {
            "range" => request.range = Some(value.trim().to_owned()),
            "connection" => request.close = value.trim().eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
}

/// The path of a request target below the root: query dropped, percent-decoded,
/// `None` when empty or when a segment is `..`.
fn decode_path(target: &str) -> Option<String> {
    let path = target.split('?').next().unwrap_or("");
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    let decoded = String::from_utf8(out).ok()?;
    let name = decoded.trim_start_matches('/').to_owned();
    (!name.is_empty() && !name.split('/').any(|s| s == "..")).then_some(name)
}

/// The whole response to a GET (or HEAD) of `body` with an optional `Range:`
/// header; `count` is told the number of body bytes sent.
fn respond(body: &[u8], range: Option<&str>, head_only: bool, count: impl FnOnce(u64)) -> Vec<u8> {
    let len = body.len() as u64;
    let ranges: Vec<(u64, u64)> = range
        .and_then(|r| r.strip_prefix("bytes="))
        .map(|list| {
            list.split(',')
                .filter_map(|part| {
                    let (from, to) = part.trim().split_once('-')?;
                    let from: u64 = from.parse().ok()?;
                    let last = len.checked_sub(1)?;
                    let to = to.parse::<u64>().unwrap_or(last).min(last);
                    (from <= to).then_some((from, to))
                })
                .collect()
        })
        .unwrap_or_default();
    let slice = |from: u64, to: u64| &body[from as usize..=to as usize];
    let (head, payload, sent) = match ranges.as_slice() {
        [] => (
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\n\r\n"
            ),
            body.to_vec(),
            len,
        ),
        [(from, to)] => (
            format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{to}/{len}\r\nContent-Length: {}\r\n\r\n",
                to - from + 1
            ),
            slice(*from, *to).to_vec(),
            to - from + 1,
        ),
        many => {
            let boundary = "crateship-test-boundary";
            let mut parts = Vec::new();
            let mut sent = 0;
            for (from, to) in many {
                sent += to - from + 1;
                parts.extend_from_slice(
                    format!(
                        "\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes {from}-{to}/{len}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                parts.extend_from_slice(slice(*from, *to));
            }
            parts.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            (
                format!(
                    "HTTP/1.1 206 Partial Content\r\nContent-Type: multipart/byteranges; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
                    parts.len()
                ),
                parts,
                sent,
            )
        }
    };
    let mut out = head.into_bytes();
    if !head_only {
        count(sent);
        out.extend_from_slice(&payload);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Read;

    fn get(server: &Server, request: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn serves_files_ranges_and_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("a b")).unwrap();
        std::fs::write(root.join("a b/f.txt"), "0123456789").unwrap();
        std::fs::write(dir.path().join("secret"), "outside the root").unwrap();
        let server = Server::start(&root);
        let whole = get(&server, "GET /a%20b/f.txt?x=1 HTTP/1.0\r\n\r\n");
        assert!(
            whole.starts_with("HTTP/1.1 200") && whole.ends_with("\r\n\r\n0123456789"),
            "{whole}"
        );
        let part = get(
            &server,
            "GET /a%20b/f.txt HTTP/1.1\r\nRange: bytes=2-4\r\nConnection: close\r\n\r\n",
        );
        assert!(
            part.contains("206") && part.ends_with("\r\n\r\n234"),
            "{part}"
        );
        let head = get(&server, "HEAD /a%20b/f.txt HTTP/1.0\r\n\r\n");
        assert!(
            head.contains("Content-Length: 10") && head.ends_with("\r\n\r\n"),
            "{head}"
        );
        let escape = get(&server, "GET /a%20b/../../secret HTTP/1.0\r\n\r\n");
        assert!(escape.starts_with("HTTP/1.1 404"), "{escape}");
        let post = get(&server, "POST /a%20b/f.txt HTTP/1.0\r\n\r\n");
        assert!(post.starts_with("HTTP/1.1 404"), "{post}");
        assert_eq!(server.bytes_served("a b/f.txt"), 13);
    }
}
