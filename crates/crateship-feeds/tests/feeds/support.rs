//! Helpers: running the independent tools, and a loopback HTTP/1.1 file server with
//! byte ranges (single and multipart, as the zsync client asks for them) that counts
//! the body bytes it serves per file.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Runs `program` with `args` in `dir`; panics with the package to install if it
/// cannot start.
pub fn run_in(dir: &Path, program: &str, args: &[&dyn AsRef<OsStr>]) -> Output {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir);
    for arg in args {
        cmd.arg(arg);
    }
    cmd.output().unwrap_or_else(|e| {
        panic!("cannot run `{program}` ({e}); install it (Debian: zsync, minisign, libxml2-utils; PyPI: pynacl)")
    })
}

/// Runs a program that must succeed; returns stdout + stderr.
pub fn run_ok(dir: &Path, program: &str, args: &[&dyn AsRef<OsStr>]) -> String {
    let out = run_in(dir, program, args);
    assert!(out.status.success(), "`{program}` failed: {}", text(&out));
    text(&out)
}

/// stdout + stderr as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs a Python script (`python3 -c`) that must succeed; returns its stdout.
pub fn python(script: &str, args: &[&dyn AsRef<OsStr>]) -> String {
    let mut all: Vec<&dyn AsRef<OsStr>> = vec![&"-c", &script];
    all.extend_from_slice(args);
    let out = run_in(Path::new("."), "python3", &all);
    assert!(
        out.status.success(),
        "python failed (is PyPI pynacl installed?): {}",
        text(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Deterministic pseudo-random bytes (xorshift), so fixtures are made at test time.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A file server on 127.0.0.1 serving the files of one directory.
pub struct Server {
    port: u16,
    served: Arc<Mutex<HashMap<String, u64>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Serves `root` on a free loopback port until dropped.
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

    /// `http://127.0.0.1:PORT/NAME`.
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}", self.port)
    }

    /// Body bytes served so far for `name`.
    pub fn bytes_served(&self, name: &str) -> u64 {
        self.served.lock().unwrap().get(name).copied().unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Answers the requests of one connection, keeping it open between them.
fn serve(stream: TcpStream, root: &Path, served: &Mutex<HashMap<String, u64>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request = String::new();
        if reader.read_line(&mut request).unwrap_or(0) == 0 {
            return;
        }
        let mut range = None;
        let mut close = request.ends_with("HTTP/1.0\r\n");
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            match name.to_ascii_lowercase().as_str() {
                "range" => range = Some(value.trim().to_owned()),
                "connection" => close = value.trim().eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        let path = request.split_whitespace().nth(1).unwrap_or("/");
        let name = path.trim_start_matches('/').to_owned();
        let file: PathBuf = root.join(&name);
        let response = match std::fs::read(&file) {
            Ok(body) => respond(&body, range.as_deref(), |n| {
                *served.lock().unwrap().entry(name.clone()).or_default() += n;
            }),
            Err(_) => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
        };
        if writer.write_all(&response).is_err() || close {
            return;
        }
    }
}

/// The whole response to a GET of `body` with an optional `Range:` header; `count`
/// is told the number of payload bytes sent.
fn respond(body: &[u8], range: Option<&str>, count: impl FnOnce(u64)) -> Vec<u8> {
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
    let mut out = Vec::new();
    match ranges.as_slice() {
        [] => {
            count(len);
            out.extend_from_slice(
                format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n").as_bytes(),
            );
            out.extend_from_slice(body);
        }
        [(from, to)] => {
            count(to - from + 1);
            out.extend_from_slice(
                format!(
                    "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{to}/{len}\r\nContent-Length: {}\r\n\r\n",
                    to - from + 1
                )
                .as_bytes(),
            );
            out.extend_from_slice(&body[*from as usize..=*to as usize]);
        }
        many => {
            let boundary = "crateship-test-boundary";
            let mut parts = Vec::new();
            let mut payload = 0;
            for (from, to) in many {
                payload += to - from + 1;
                parts.extend_from_slice(
                    format!(
                        "\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes {from}-{to}/{len}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                parts.extend_from_slice(&body[*from as usize..=*to as usize]);
            }
            parts.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            count(payload);
            out.extend_from_slice(
                format!(
                    "HTTP/1.1 206 Partial Content\r\nContent-Type: multipart/byteranges; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
                    parts.len()
                )
                .as_bytes(),
            );
            out.extend_from_slice(&parts);
        }
    }
    out
}
