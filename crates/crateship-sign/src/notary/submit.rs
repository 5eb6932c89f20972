//! Notary API v2: create a submission, upload the file to the S3 location it names,
//! poll the status until Apple decides, and read the developer log.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::credentials::NotaryCredentials;
use super::error::{NotaryError, NotaryStep};
use super::http::{self, check_url, json_answer, redact, server_error, transport};
use super::sigv4::{self, S3Credentials, encode_path, hex};
use super::{NotarizeOptions, NotaryEndpoints, NotaryReport};

/// What `POST /notary/v2/submissions` returned.
struct Submission {
    id: String,
    creds: S3Credentials,
    bucket: String,
    object: String,
}

/// Runs the whole submission: hash, submit, upload, wait, log.
pub(crate) fn run(
    file: &Path,
    creds: &NotaryCredentials,
    endpoints: &NotaryEndpoints,
    options: &NotarizeOptions,
) -> Result<NotaryReport, NotaryError> {
    options.check()?;
    let api = endpoints.api_base.trim_end_matches('/');
    check_url(NotaryStep::Submit, api)?;
    if let Some(s3) = &endpoints.s3_endpoint_override {
        check_url(NotaryStep::Upload, s3)?;
    }
    let name = match &options.submission_name {
        Some(n) => n.clone(),
        None => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| NotaryError::Config {
                step: NotaryStep::Submit,
                reason: format!("`{}` has no file name", file.display()),
            })?,
    };
    let (sha256, size) = hash_file(file)?;
    let started = Instant::now();

    let submission = submit(api, creds, &name, &sha256, options)?;
    upload(file, size, &sha256, &submission, endpoints, options)?;
    let status = wait(file, api, creds, &submission.id, options)?;
    let mut warnings = Vec::new();
    let issues = match fetch_log(api, creds, &submission.id, options) {
        Ok(log) => log.issues,
        Err(e) => {
            warnings.push(format!(
                "could not read the developer log of submission {}: {e}",
                submission.id
            ));
            Vec::new()
        }
    };
    Ok(NotaryReport {
        submission_id: submission.id,
        status,
        submission_name: name,
        sha256,
        size,
        issues,
        warnings,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

fn hash_file(file: &Path) -> Result<(String, u64), NotaryError> {
    let read = |e| NotaryError::io(NotaryStep::Submit, "read", file, e);
    let mut f = File::open(file).map_err(read)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(read)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex(&hasher.finalize()), size))
}

fn bearer(creds: &NotaryCredentials) -> Result<String, NotaryError> {
    Ok(format!("Bearer {}", creds.token(SystemTime::now())?))
}

fn submit(
    api: &str,
    creds: &NotaryCredentials,
    name: &str,
    sha256: &str,
    options: &NotarizeOptions,
) -> Result<Submission, NotaryError> {
    let step = NotaryStep::Submit;
    let url = format!("{api}/notary/v2/submissions");
    let body = serde_json::json!({ "submissionName": name, "sha256": sha256 }).to_string();
    let response = http::agent(options.request_timeout)
        .post(&url)
        .header("Authorization", bearer(creds)?)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .send(body.as_bytes())
        .map_err(|e| transport(step, &url, options.request_timeout, e))?;
    let json = json_answer(step, &url, options.request_timeout, response)?;
    let field = |path: &[&str]| -> Result<String, NotaryError> {
        str_at(&json, path)
            .map(str::to_owned)
            .ok_or_else(|| NotaryError::Protocol {
                step,
                url: redact(&url),
                reason: format!("the answer has no `{}`", path.join(".")),
            })
    };
    let attr = |name: &str| field(&["data", "attributes", name]);
    Ok(Submission {
        id: field(&["data", "id"])?,
        creds: S3Credentials {
            access_key_id: attr("awsAccessKeyId")?,
            secret_access_key: attr("awsSecretAccessKey")?,
            session_token: attr("awsSessionToken")?,
        },
        bucket: attr("bucket")?,
        object: attr("object")?,
    })
}

fn upload(
    file: &Path,
    size: u64,
    sha256: &str,
    submission: &Submission,
    endpoints: &NotaryEndpoints,
    options: &NotarizeOptions,
) -> Result<(), NotaryError> {
    let step = NotaryStep::Upload;
    let object = encode_path(&format!("/{}", submission.object.trim_start_matches('/')));
    let (base, host, path) = match &endpoints.s3_endpoint_override {
        // Path style against the configured endpoint: {endpoint}/{bucket}/{object}.
        Some(endpoint) => {
            let endpoint = endpoint.trim_end_matches('/');
            let (scheme, rest) = endpoint.split_once("://").unwrap_or(("https", endpoint));
            let (host, prefix) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            let path = format!(
                "{}/{}{object}",
                encode_path(prefix),
                encode_path(&submission.bucket)
            );
            (format!("{scheme}://{host}"), host.to_owned(), path)
        }
        // Virtual-hosted style on the regional endpoint of Apple's bucket.
        None => {
            let host = format!("{}.s3.{}.amazonaws.com", submission.bucket, sigv4::REGION);
            (format!("https://{host}"), host, object)
        }
    };
    let url = format!("{base}{path}");
    check_url(step, &url)?;
    let f = File::open(file).map_err(|e| NotaryError::io(step, "open", file, e))?;
    let now_size = f
        .metadata()
        .map_err(|e| NotaryError::io(step, "read the size of", file, e))?
        .len();
    if now_size != size {
        return Err(NotaryError::Config {
            step,
            reason: format!(
                "`{}` changed while it was being notarized ({size} bytes hashed, {now_size} now); do not modify it until notarization ends",
                file.display()
            ),
        });
    }
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let signed = sigv4::sign_put(&submission.creds, &host, &path, sha256, unix);
    let mut request = http::agent(options.upload_timeout).put(&url);
    for (name, value) in &signed.headers {
        request = request.header(*name, value);
    }
    let mut response = request
        .send(f)
        .map_err(|e| transport(step, &url, options.upload_timeout, e))?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_vec()
            .unwrap_or_default();
        return Err(server_error(step, &url, status, &body));
    }
    Ok(())
}

fn wait(
    file: &Path,
    api: &str,
    creds: &NotaryCredentials,
    id: &str,
    options: &NotarizeOptions,
) -> Result<String, NotaryError> {
    let step = NotaryStep::Wait;
    let url = format!("{api}/notary/v2/submissions/{}", encode_path(id));
    let started = Instant::now();
    let mut last_status = String::from("(not read yet)");
    let mut last_error: Option<String>;
    loop {
        let answer = http::agent(options.request_timeout)
            .get(&url)
            .header("Authorization", bearer(creds)?)
            .header("Accept", "application/json")
            .call()
            .map_err(|e| transport(step, &url, options.request_timeout, e))
            .and_then(|r| json_answer(step, &url, options.request_timeout, r));
        match answer {
            Ok(json) => {
                last_error = None;
                let status = str_at(&json, &["data", "attributes", "status"]).ok_or_else(|| {
                    NotaryError::Protocol {
                        step,
                        url: redact(&url),
                        reason: "the answer has no `data.attributes.status`".into(),
                    }
                })?;
                match status {
                    "Accepted" => return Ok(status.to_owned()),
                    "Invalid" | "Rejected" => {
                        return Err(not_accepted(file, api, creds, id, status, options));
                    }
                    "In Progress" => last_status = status.to_owned(),
                    other => {
                        return Err(NotaryError::Protocol {
                            step,
                            url: redact(&url),
                            reason: format!(
                                "unknown submission status `{other}` (expected Accepted, In Progress, Invalid or Rejected)"
                            ),
                        });
                    }
                }
            }
            // Transient: the network or Apple's side; keep polling until the deadline.
            Err(e @ NotaryError::Transport { .. }) => last_error = Some(e.to_string()),
            Err(e @ NotaryError::Server { status, .. }) if status == 429 || status >= 500 => {
                last_error = Some(e.to_string());
            }
            Err(e) => return Err(e),
        }
        let waited = started.elapsed();
        if waited >= options.timeout {
            return Err(NotaryError::Timeout {
                file: file.to_owned(),
                submission_id: id.to_owned(),
                last_status,
                waited,
                last_error,
            });
        }
        std::thread::sleep(options.poll_interval.min(options.timeout - waited));
    }
}

/// The parts of a developer log this client reports.
struct Log {
    summary: Option<String>,
    issues: Vec<String>,
}

fn fetch_log(
    api: &str,
    creds: &NotaryCredentials,
    id: &str,
    options: &NotarizeOptions,
) -> Result<Log, NotaryError> {
    let step = NotaryStep::Log;
    let url = format!("{api}/notary/v2/submissions/{}/logs", encode_path(id));
    let response = http::agent(options.request_timeout)
        .get(&url)
        .header("Authorization", bearer(creds)?)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| transport(step, &url, options.request_timeout, e))?;
    let json = json_answer(step, &url, options.request_timeout, response)?;
    let log_url = str_at(&json, &["data", "attributes", "developerLogUrl"])
        .ok_or_else(|| NotaryError::Protocol {
            step,
            url: redact(&url),
            reason: "the answer has no `data.attributes.developerLogUrl`".into(),
        })?
        .to_owned();
    check_url(step, &log_url)?;
    // A pre-signed URL: no Authorization header (it would conflict with the signature).
    let response = http::agent(options.request_timeout)
        .get(&log_url)
        .call()
        .map_err(|e| transport(step, &log_url, options.request_timeout, e))?;
    let log = json_answer(step, &log_url, options.request_timeout, response)?;
    let issues = log
        .get("issues")
        .and_then(Value::as_array)
        .map(|issues| issues.iter().map(issue_line).collect())
        .unwrap_or_default();
    Ok(Log {
        summary: log
            .get("statusSummary")
            .and_then(Value::as_str)
            .map(str::to_owned),
        issues,
    })
}

/// `error: MyApp.app/Contents/MacOS/myapp (arm64): The binary is not signed. [docUrl]`.
fn issue_line(issue: &Value) -> String {
    let field = |k: &str| issue.get(k).and_then(Value::as_str).unwrap_or_default();
    let mut line = String::new();
    if !field("severity").is_empty() {
        line.push_str(field("severity"));
        line.push_str(": ");
    }
    if !field("path").is_empty() {
        line.push_str(field("path"));
        if !field("architecture").is_empty() {
            line.push_str(&format!(" ({})", field("architecture")));
        }
        line.push_str(": ");
    }
    line.push_str(if field("message").is_empty() {
        "(no message)"
    } else {
        field("message")
    });
    if !field("docUrl").is_empty() {
        line.push_str(&format!(" [{}]", field("docUrl")));
    }
    line
}

fn not_accepted(
    file: &Path,
    api: &str,
    creds: &NotaryCredentials,
    id: &str,
    status: &str,
    options: &NotarizeOptions,
) -> NotaryError {
    let (summary, issues) = match fetch_log(api, creds, id, options) {
        Ok(log) => (log.summary, log.issues),
        Err(e) => (
            None,
            vec![format!("the developer log could not be read: {e}")],
        ),
    };
    NotaryError::NotAccepted {
        file: file.to_owned(),
        submission_id: id.to_owned(),
        status: status.to_owned(),
        summary,
        issues,
    }
}

fn str_at<'a>(json: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(json, |v, key| v.get(key))
        .and_then(Value::as_str)
}
