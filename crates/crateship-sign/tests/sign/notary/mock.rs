//! A loopback mock of Apple's notary API v2, S3 and CloudKit ticket lookup, with the
//! independent checkers it uses: every App Store Connect token is verified with Python's
//! standard library (claims) and `openssl dgst -verify` (ES256 signature, public key only).

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crateship_sign::notary::{NotarizeOptions, NotaryCredentials, NotaryEndpoints};

use crate::support::{run, text};

pub(super) const KEY_ID: &str = "2X9R4HXF34";
pub(super) const ISSUER_ID: &str = "57246542-96fe-1a63-e053-0824d011072a";
pub(super) const S3_KEY_ID: &str = "ASIAMOCKACCESSKEY01";
pub(super) const S3_SECRET: &str = "mockSecret/K7MDENG+bPxRfiCYzzSECRETzz";
pub(super) const S3_TOKEN: &str = "IQoJb3JpZ2luX2VjEMOCKSESSIONTOKEN==";
pub(super) const BUCKET: &str = "notary-submissions-prod";
pub(super) const SUBMISSION_ID: &str = "2efe2717-52ef-43a5-96dc-0797e4ca1041";
/// CDHash (truncated SHA-256 of a CodeDirectory) the mock has a ticket for.
pub(super) const CDHASH: [u8; 20] = [
    0x1b, 0x74, 0x7f, 0xaf, 0x22, 0x37, 0x50, 0xde, 0x74, 0xfe, 0xbe, 0xd7, 0x92, 0x9f, 0x14, 0xa7,
    0x3a, 0xf8, 0xc9, 0x33,
];

/// What the mock answers to status requests.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// "In Progress" once, then "Accepted".
    Accepted,
    /// "In Progress" once, then the given final status with a log full of issues.
    Failed(&'static str),
    /// "In Progress" forever.
    Never,
    /// The S3 upload is refused with an error body that echoes the session secret.
    S3Denied,
    /// The first status request gets HTTP 503, then "In Progress", then "Accepted".
    Flaky,
}

/// One HTTP request as the mock received it.
#[derive(Clone, Debug)]
pub(super) struct Request {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) headers: BTreeMap<String, String>,
    pub(super) body: Vec<u8>,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) submitted_sha256: Option<String>,
    pub(super) submitted_name: Option<String>,
    pub(super) uploads: Vec<Request>,
    pub(super) polls: u32,
    pub(super) lookups: Vec<String>,
    pub(super) log_fetched: bool,
    /// Failed checks of the mock itself (bad token, malformed request, ...).
    pub(super) problems: Vec<String>,
}

pub(super) struct Mock {
    pub(super) base: String,
    pub(super) dir: tempfile::TempDir,
    pub(super) state: Arc<Mutex<State>>,
    pub(super) ticket: Vec<u8>,
}

impl Mock {
    pub(super) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub(super) fn endpoints(&self) -> NotaryEndpoints {
        NotaryEndpoints {
            api_base: self.base.clone(),
            cloudkit_base: self.base.clone(),
            s3_endpoint_override: Some(self.base.clone()),
        }
    }

    /// Credentials with the key whose public half the mock trusts.
    pub(super) fn creds(&self) -> NotaryCredentials {
        NotaryCredentials::from_file(KEY_ID, ISSUER_ID, &self.dir.path().join("AuthKey.p8"))
            .unwrap()
    }
}

pub(super) fn fast() -> NotarizeOptions {
    NotarizeOptions {
        poll_interval: Duration::from_millis(50),
        timeout: Duration::from_secs(20),
        request_timeout: Duration::from_secs(10),
        upload_timeout: Duration::from_secs(20),
        submission_name: None,
    }
}

pub(super) fn tmp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("notary")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

pub(super) fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("install openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A P-256 `.p8` (PKCS#8 PEM, as App Store Connect hands out) and its public key.
pub(super) fn make_key(dir: &Path, name: &str) -> PathBuf {
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            &format!("{name}.p8"),
        ],
    );
    openssl(
        dir,
        &[
            "pkey",
            "-in",
            &format!("{name}.p8"),
            "-pubout",
            "-out",
            &format!("{name}.pub.pem"),
        ],
    );
    dir.join(format!("{name}.p8"))
}

/// Verifies an App Store Connect token with Python (claims) and openssl (signature).
pub(super) const JWT_CHECK: &str = r#"
import base64, json, subprocess, sys, time
token, pub, kid, iss, work = sys.argv[1:6]
def b64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
h, c, s = token.split(".")
header, claims, sig = json.loads(b64(h)), json.loads(b64(c)), b64(s)
assert header == {"alg": "ES256", "kid": kid, "typ": "JWT"}, header
assert claims["iss"] == iss, claims
assert claims["aud"] == "appstoreconnect-v1", claims
now = time.time()
assert claims["iat"] <= now + 5 and claims["exp"] > now, claims
assert 0 < claims["exp"] - claims["iat"] <= 20 * 60, claims
assert len(sig) == 64, len(sig)
def der_int(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80: b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b
body = der_int(sig[:32]) + der_int(sig[32:])
open(work + ".sig", "wb").write(b"\x30" + bytes([len(body)]) + body)
open(work + ".msg", "wb").write((h + "." + c).encode())
r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", work + ".sig", work + ".msg"], capture_output=True, text=True)
assert r.returncode == 0 and "Verified OK" in r.stdout, r.stdout + r.stderr
print("jwt OK")
"#;

pub(super) fn python(script: &str, args: &[&str]) -> std::process::Output {
    let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"-c", &script];
    for a in args {
        all.push(a);
    }
    run("/usr/bin/python3", &all)
}

pub(super) fn start(verdict: Verdict) -> Mock {
    let dir = tmp();
    make_key(dir.path(), "AuthKey");
    let ticket: Vec<u8> = b"s8ch"
        .iter()
        .copied()
        .chain((0..1500u32).map(|i| (i * 31 % 251) as u8))
        .collect();
    fs::write(dir.path().join("ticket.bin"), &ticket).unwrap();
    let ticket_b64 = openssl(dir.path(), &["base64", "-A", "-in", "ticket.bin"]);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(State::default()));
    let server = Server {
        base: base.clone(),
        dir: dir.path().to_owned(),
        state: state.clone(),
        verdict,
        ticket_b64: ticket_b64.trim().to_owned(),
    };
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            server.serve(stream);
        }
    });
    Mock {
        base,
        dir,
        state,
        ticket,
    }
}

pub(super) struct Server {
    base: String,
    dir: PathBuf,
    state: Arc<Mutex<State>>,
    verdict: Verdict,
    ticket_b64: String,
}

impl Server {
    fn serve(&self, mut stream: TcpStream) {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let Some(req) = read_request(&mut stream) else {
            return;
        };
        let (status, body) = self.answer(&req);
        let reply = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(reply.as_bytes());
        let _ = stream.write_all(body.as_bytes());
    }

    fn problem(&self, p: String) -> (u16, String) {
        self.state.lock().unwrap().problems.push(p.clone());
        (
            401,
            serde_json::json!({"errors": [{"status": "401", "code": "NOT_AUTHORIZED", "title": "Authentication credentials are missing or invalid.", "detail": p}]}).to_string(),
        )
    }

    /// Checks the bearer token of an App Store Connect request.
    fn check_token(&self, req: &Request) -> Result<(), String> {
        let token = req
            .headers
            .get("authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .ok_or("no bearer token")?;
        let pubkey = self.dir.join("AuthKey.pub.pem");
        let work = self.dir.join(format!("jwt{}", rand_suffix()));
        let out = python(
            JWT_CHECK,
            &[
                token,
                pubkey.to_str().unwrap(),
                KEY_ID,
                ISSUER_ID,
                work.to_str().unwrap(),
            ],
        );
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("token rejected: {}", text(&out)))
        }
    }

    fn answer(&self, req: &Request) -> (u16, String) {
        let submissions = "/notary/v2/submissions";
        let lookup = "/database/1/com.apple.gk.ticket-delivery/production/public/records/lookup";
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", p) if p == submissions => {
                if let Err(e) = self.check_token(req) {
                    return self.problem(e);
                }
                let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
                let mut st = self.state.lock().unwrap();
                st.submitted_sha256 = body["sha256"].as_str().map(str::to_owned);
                st.submitted_name = body["submissionName"].as_str().map(str::to_owned);
                (
                    200,
                    serde_json::json!({"data": {"id": SUBMISSION_ID, "type": "newSubmissions", "attributes": {
                        "awsAccessKeyId": S3_KEY_ID, "awsSecretAccessKey": S3_SECRET,
                        "awsSessionToken": S3_TOKEN, "bucket": BUCKET,
                        "object": format!("{SUBMISSION_ID}/Hello App.app.zip")}},
                        "meta": {}})
                    .to_string(),
                )
            }
            ("PUT", p) if p.starts_with(&format!("/{BUCKET}/")) => {
                self.state.lock().unwrap().uploads.push(req.clone());
                if self.verdict == Verdict::S3Denied {
                    return (
                        403,
                        format!(
                            "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message><StringToSign>{S3_SECRET}</StringToSign><CanonicalRequest>x-amz-security-token:{S3_TOKEN}</CanonicalRequest></Error>"
                        ),
                    );
                }
                (200, String::new())
            }
            ("GET", p) if p == format!("{submissions}/{SUBMISSION_ID}") => {
                if let Err(e) = self.check_token(req) {
                    return self.problem(e);
                }
                let polls = {
                    let mut st = self.state.lock().unwrap();
                    st.polls += 1;
                    st.polls
                };
                let status = match self.verdict {
                    Verdict::Flaky if polls == 1 => {
                        let busy = serde_json::json!({"errors": [{"status": "503", "title": "Service Unavailable"}]});
                        return (503, busy.to_string());
                    }
                    Verdict::Flaky if polls == 2 => "In Progress",
                    _ if polls == 1 => "In Progress",
                    Verdict::Never => "In Progress",
                    Verdict::Accepted | Verdict::S3Denied | Verdict::Flaky => "Accepted",
                    Verdict::Failed(s) => s,
                };
                (
                    200,
                    serde_json::json!({"data": {"id": SUBMISSION_ID, "type": "submissions", "attributes": {
                        "status": status, "name": "Hello App.app.zip", "createdDate": "2026-11-23T10:00:00.000Z"}}})
                    .to_string(),
                )
            }
            ("GET", p) if p == format!("{submissions}/{SUBMISSION_ID}/logs") => {
                if let Err(e) = self.check_token(req) {
                    return self.problem(e);
                }
                (
                    200,
                    serde_json::json!({"data": {"id": SUBMISSION_ID, "type": "submissionsLog", "attributes": {
                        "developerLogUrl": format!("{}/logs/{SUBMISSION_ID}.json?X-Amz-Signature=abc&X-Amz-Security-Token=presigned", self.base)}}})
                    .to_string(),
                )
            }
            ("GET", p) if p.starts_with(&format!("/logs/{SUBMISSION_ID}.json?")) => {
                if req.headers.contains_key("authorization") {
                    return self
                        .problem("the pre-signed log URL got an Authorization header".into());
                }
                self.state.lock().unwrap().log_fetched = true;
                let log = match self.verdict {
                    Verdict::Failed(status) => serde_json::json!({
                    "jobId": SUBMISSION_ID, "status": status, "statusSummary": "Archive contains critical validation errors",
                    "statusCode": 4000, "archiveFilename": "Hello App.app.zip", "sha256": "x",
                    "issues": [
                        {"severity": "error", "code": null, "path": "Hello App.app.zip/Hello App.app/Contents/MacOS/hello",
                         "message": "The binary is not signed with a valid Developer ID certificate.",
                         "docUrl": "https://developer.apple.com/documentation/security/resolving-common-notarization-issues", "architecture": "arm64"},
                        {"severity": "error", "code": null, "path": "Hello App.app.zip/Hello App.app/Contents/MacOS/hello",
                         "message": "The executable does not have the hardened runtime enabled.",
                         "docUrl": null, "architecture": "arm64"}
                    ]}),
                    _ => serde_json::json!({
                    "jobId": SUBMISSION_ID, "status": "Accepted", "statusSummary": "Ready for distribution",
                    "statusCode": 0, "issues": [
                        {"severity": "warning", "path": "Hello App.app.zip/Hello App.app/Contents/MacOS/hello",
                         "message": "The binary uses an SDK older than the 10.9 SDK.", "architecture": "x86_64"}
                    ]}),
                };
                (200, log.to_string())
            }
            ("POST", p) if p == lookup => {
                let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
                let record = body["records"][0]["recordName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let mut st = self.state.lock().unwrap();
                st.lookups.push(record.clone());
                let known = format!("2/2/{}", hex(&CDHASH));
                let answer = if record == known || record.starts_with("2/1/") {
                    serde_json::json!({"recordName": record, "recordType": "DeveloperIDTicket",
                        "fields": {"signedTicket": {"value": self.ticket_b64, "type": "BYTES"}},
                        "pluginFields": {}, "recordChangeTag": "kx1", "deleted": false,
                        "created": {"timestamp": 1, "userRecordName": "_u", "deviceID": "2"},
                        "modified": {"timestamp": 1, "userRecordName": "_u", "deviceID": "2"}})
                } else {
                    serde_json::json!({"recordName": record, "reason": "Record not found", "serverErrorCode": "NOT_FOUND"})
                };
                (200, serde_json::json!({"records": [answer]}).to_string())
            }
            (m, p) => {
                let msg = format!("unexpected request {m} {p}");
                self.state.lock().unwrap().problems.push(msg.clone());
                (
                    404,
                    serde_json::json!({"errors": [{"title": msg}]}).to_string(),
                )
            }
        }
    }
}

pub(super) fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::Relaxed).to_string()
}

pub(super) fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
    }
    let len: usize = headers
        .get("content-length")
        .map_or(0, |v| v.parse().unwrap());
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}
