//! The notarization client against a loopback mock of Apple's services (notary API v2,
//! S3, CloudKit ticket lookup). The mock checks every App Store Connect token with
//! Python's standard library (base64/JSON claims) and `openssl dgst -verify` (the ES256
//! signature, against the public key only); the S3 upload's AWS SigV4 signature and body
//! digest are recomputed by an independent Python implementation (`hmac`, `hashlib`);
//! flat packages are made and read back by `bsdtar`, and their ticket trailer is parsed
//! by Python.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crateship_sign::notary::{
    NotarizeOptions, NotaryCredentials, NotaryEndpoints, NotaryError, NotaryStep, fetch_pkg_ticket,
    fetch_ticket, notarize, staple_app, staple_pkg,
};

use crate::support::{run_ok, text};

mod mock;

use mock::{
    BUCKET, CDHASH, ISSUER_ID, KEY_ID, S3_KEY_ID, S3_SECRET, S3_TOKEN, SUBMISSION_ID, Verdict,
    fast, hex, make_key, openssl, python, start, tmp,
};

/// Recomputes the AWS SigV4 signature of a recorded S3 PUT.
const SIGV4_CHECK: &str = r#"
import hashlib, hmac, json, sys, time, calendar
r = json.load(open(sys.argv[1]))
h = r["headers"]
alg, rest = h["authorization"].split(" ", 1)
assert alg == "AWS4-HMAC-SHA256", alg
parts = dict(p.strip().split("=", 1) for p in rest.split(","))
akid, date, region, service, term = parts["Credential"].split("/")
assert (akid, region, service, term) == (r["akid"], "us-west-2", "s3", "aws4_request"), parts
signed = parts["SignedHeaders"].split(";")
assert signed == sorted(signed), signed
for need in ("host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"):
    assert need in signed, need
assert h["x-amz-security-token"] == r["token"]
body = open(r["body"], "rb").read()
payload = hashlib.sha256(body).hexdigest()
assert h["x-amz-content-sha256"] == payload == r["submitted"], (h["x-amz-content-sha256"], payload, r["submitted"])
assert int(h["content-length"]) == len(body)
amz = h["x-amz-date"]
assert amz.startswith(date) and len(amz) == 16 and amz.endswith("Z"), amz
assert abs(calendar.timegm(time.strptime(amz, "%Y%m%dT%H%M%SZ")) - time.time()) < 900, amz
canonical = "\n".join([r["method"], r["path"], "", "".join("%s:%s\n" % (n, h[n].strip()) for n in signed), ";".join(signed), payload])
scope = "/".join([date, region, service, term])
sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(canonical.encode()).hexdigest()])
k = ("AWS4" + r["secret"]).encode()
for m in (date, region, service, term):
    k = hmac.new(k, m.encode(), hashlib.sha256).digest()
want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
assert parts["Signature"] == want, (parts["Signature"], want)
print("sigv4 OK")
"#;

/// A signed-looking `.app` and its `.app.zip` (3 MiB of payload, so uploads stream).
fn app(dir: &Path) -> (PathBuf, PathBuf) {
    let app = dir.join("Hello App.app");
    fs::create_dir_all(app.join("Contents/MacOS")).unwrap();
    fs::create_dir_all(app.join("Contents/_CodeSignature")).unwrap();
    fs::write(app.join("Contents/Info.plist"), "<plist/>").unwrap();
    let payload: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(app.join("Contents/MacOS/hello"), payload).unwrap();
    fs::write(
        app.join("Contents/_CodeSignature/CodeResources"),
        "<plist/>",
    )
    .unwrap();
    let zip = dir.join("Hello App.app.zip");
    run_ok(
        "bsdtar",
        &[
            &"--format",
            &"zip",
            &"-cf",
            &zip,
            &"-C",
            &dir,
            &"Hello App.app",
        ],
    );
    (app, zip)
}

#[test]
fn notarize_uploads_waits_and_staples_the_ticket_into_the_app() {
    let mock = start(Verdict::Accepted);
    let work = tmp();
    let (app_dir, zip) = app(work.path());
    let report = notarize(&zip, &mock.creds(), &mock.endpoints(), &fast()).unwrap();
    assert_eq!(report.status, "Accepted");
    assert_eq!(report.submission_id, SUBMISSION_ID);
    assert_eq!(report.submission_name, "Hello App.app.zip");
    assert_eq!(report.size, fs::metadata(&zip).unwrap().len());
    assert_eq!(report.issues.len(), 1, "{:?}", report.issues);
    assert!(report.issues[0].contains("older than the 10.9 SDK"));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    let st = mock.state();
    assert!(st.problems.is_empty(), "mock problems: {:?}", st.problems);
    assert_eq!(st.polls, 2, "In Progress, then Accepted");
    assert!(st.log_fetched);
    assert_eq!(st.submitted_name.as_deref(), Some("Hello App.app.zip"));
    assert_eq!(st.uploads.len(), 1, "one upload");
    let upload = &st.uploads[0];
    assert_eq!(
        upload.path,
        format!("/{BUCKET}/{SUBMISSION_ID}/Hello%20App.app.zip")
    );
    assert!(
        !upload.headers.contains_key("transfer-encoding"),
        "S3 needs Content-Length"
    );
    let body_path = work.path().join("uploaded.bin");
    fs::write(&body_path, &upload.body).unwrap();
    assert_eq!(fs::read(&zip).unwrap(), upload.body, "the file, unchanged");
    let record = |secret: &str| {
        let json = serde_json::json!({
            "method": upload.method, "path": upload.path, "headers": upload.headers,
            "body": body_path, "secret": secret, "akid": S3_KEY_ID, "token": S3_TOKEN,
            "submitted": st.submitted_sha256,
        });
        let path = work.path().join(format!("upload-{}.json", secret.len()));
        fs::write(&path, json.to_string()).unwrap();
        path
    };
    let good = python(SIGV4_CHECK, &[record(S3_SECRET).to_str().unwrap()]);
    assert!(good.status.success(), "SigV4: {}", text(&good));
    // Control: the checker does reject a signature made with another secret.
    let bad = python(SIGV4_CHECK, &[record("another-secret").to_str().unwrap()]);
    assert!(!bad.status.success(), "the SigV4 checker accepts anything");
    drop(st);

    let ticket = fetch_ticket(&CDHASH, &mock.endpoints(), &fast()).unwrap();
    assert_eq!(ticket, mock.ticket);
    assert_eq!(mock.state().lookups, [format!("2/2/{}", hex(&CDHASH))]);
    staple_app(&app_dir, &ticket).unwrap();
    let stapled = app_dir.join("Contents/CodeResources");
    assert_eq!(fs::read(&stapled).unwrap(), mock.ticket);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(&stapled).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }
    assert_eq!(
        fs::read(app_dir.join("Contents/_CodeSignature/CodeResources")).unwrap(),
        b"<plist/>",
        "the seal is untouched"
    );
}

#[test]
fn a_full_32_byte_cdhash_is_truncated_and_unknown_ones_name_the_record() {
    let mock = start(Verdict::Accepted);
    let mut full = CDHASH.to_vec();
    full.extend_from_slice(&[0xee; 12]);
    assert_eq!(
        fetch_ticket(&full, &mock.endpoints(), &fast()).unwrap(),
        mock.ticket
    );
    let err = fetch_ticket(&[0xab; 20], &mock.endpoints(), &fast()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, NotaryError::Ticket { .. }), "{msg}");
    assert!(msg.contains(&format!("2/2/{}", "ab".repeat(20))), "{msg}");
    assert!(
        msg.contains("NOT_FOUND") && msg.contains("Record not found"),
        "{msg}"
    );
    let err = fetch_ticket(&[1; 7], &mock.endpoints(), &fast()).unwrap_err();
    assert!(err.to_string().contains("not 7 bytes"), "{err}");
}

#[test]
fn rejected_and_invalid_submissions_fail_with_the_logs_issues() {
    for status in ["Rejected", "Invalid"] {
        let mock = start(Verdict::Failed(status));
        let work = tmp();
        let (_, zip) = app(work.path());
        let err = notarize(&zip, &mock.creds(), &mock.endpoints(), &fast()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, NotaryError::NotAccepted { .. }), "{msg}");
        for want in [
            status,
            SUBMISSION_ID,
            "Hello App.app.zip",
            "Archive contains critical validation errors",
            "not signed with a valid Developer ID certificate",
            "hardened runtime",
            "(arm64)",
        ] {
            assert!(msg.contains(want), "`{want}` missing from: {msg}");
        }
        assert!(
            !msg.contains("presigned"),
            "the log URL query leaked: {msg}"
        );
        assert!(
            mock.state().problems.is_empty(),
            "{:?}",
            mock.state().problems
        );
    }
}

#[test]
fn a_server_that_is_down_fails_the_submit_step_quickly() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mock = start(Verdict::Accepted);
    let work = tmp();
    let (_, zip) = app(work.path());
    let down = format!("http://127.0.0.1:{port}");
    let endpoints = NotaryEndpoints {
        api_base: down.clone(),
        cloudkit_base: down.clone(),
        s3_endpoint_override: None,
    };
    let t = Instant::now();
    let err = notarize(&zip, &mock.creds(), &endpoints, &fast()).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            NotaryError::Transport {
                step: NotaryStep::Submit,
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("notarization submit") && msg.contains(&down),
        "{msg}"
    );
    let err = fetch_ticket(&CDHASH, &endpoints, &fast()).unwrap_err();
    assert!(
        err.to_string().contains("notarization ticket: no answer"),
        "{err}"
    );
}

#[test]
fn a_server_that_never_answers_times_out_in_bounded_time() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let hung = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming() {
            held.push(s);
        }
    });
    let mock = start(Verdict::Accepted);
    let work = tmp();
    let (_, zip) = app(work.path());
    let options = NotarizeOptions {
        request_timeout: Duration::from_secs(1),
        ..fast()
    };
    let endpoints = NotaryEndpoints {
        api_base: hung.clone(),
        cloudkit_base: hung.clone(),
        s3_endpoint_override: None,
    };
    let t = Instant::now();
    let err = notarize(&zip, &mock.creds(), &endpoints, &options).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    let msg = err.to_string();
    assert!(
        msg.contains("notarization submit") && msg.contains("timed out"),
        "{msg}"
    );
}

#[test]
fn a_submission_still_in_progress_at_the_deadline_names_its_id() {
    let mock = start(Verdict::Never);
    let work = tmp();
    let (_, zip) = app(work.path());
    let options = NotarizeOptions {
        timeout: Duration::from_millis(1500),
        poll_interval: Duration::from_millis(200),
        ..fast()
    };
    let t = Instant::now();
    let err = notarize(&zip, &mock.creds(), &mock.endpoints(), &options).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
    let msg = err.to_string();
    assert!(matches!(err, NotaryError::Timeout { .. }), "{msg}");
    assert!(
        msg.contains(SUBMISSION_ID) && msg.contains("In Progress"),
        "{msg}"
    );
    assert!(mock.state().polls >= 3, "polled {}", mock.state().polls);
}

#[test]
fn a_busy_status_endpoint_is_retried_until_the_verdict() {
    let mock = start(Verdict::Flaky);
    let work = tmp();
    let (_, zip) = app(work.path());
    let report = notarize(&zip, &mock.creds(), &mock.endpoints(), &fast()).unwrap();
    assert_eq!(report.status, "Accepted");
    assert_eq!(mock.state().polls, 3, "503, In Progress, Accepted");
}

#[test]
fn a_token_signed_with_another_key_is_refused_with_the_servers_message() {
    let mock = start(Verdict::Accepted);
    let work = tmp();
    let (_, zip) = app(work.path());
    let other = make_key(work.path(), "Other");
    let creds = NotaryCredentials::from_file(KEY_ID, ISSUER_ID, &other).unwrap();
    let err = notarize(&zip, &creds, &mock.endpoints(), &fast()).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            NotaryError::Server {
                step: NotaryStep::Submit,
                status: 401,
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("NOT_AUTHORIZED") && msg.contains("check the key id"),
        "{msg}"
    );
    // The mock's verifier really rejected it (and accepts the right key: see the other tests).
    assert!(
        mock.state()
            .problems
            .iter()
            .any(|p| p.contains("token rejected")),
        "{:?}",
        mock.state().problems
    );
    let issuer =
        NotaryCredentials::from_file(KEY_ID, "wrong-issuer", &mock.dir.path().join("AuthKey.p8"))
            .unwrap();
    let err = notarize(&zip, &issuer, &mock.endpoints(), &fast()).unwrap_err();
    assert!(err.to_string().contains("HTTP 401"), "{err}");
}

#[test]
fn s3_errors_are_quoted_without_the_temporary_secrets() {
    let mock = start(Verdict::S3Denied);
    let work = tmp();
    let (_, zip) = app(work.path());
    let err = notarize(&zip, &mock.creds(), &mock.endpoints(), &fast()).unwrap_err();
    let msg = format!("{err} {err:?}");
    assert!(
        matches!(
            err,
            NotaryError::Server {
                step: NotaryStep::Upload,
                status: 403,
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("SignatureDoesNotMatch"), "{msg}");
    for secret in [S3_SECRET, S3_TOKEN] {
        assert!(!msg.contains(secret), "secret leaked: {msg}");
    }
}

#[test]
fn keys_that_are_not_p256_pkcs8_are_refused_clearly() {
    let work = tmp();
    let dir = work.path();
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "p384.p8",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
            ],
            "P-384",
        ),
        (
            "rsa.p8",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ],
            "RSA, not",
        ),
        ("ed.p8", &["genpkey", "-algorithm", "ED25519"], "Ed25519"),
    ];
    for (name, args, want) in cases {
        let mut all = args.to_vec();
        all.extend_from_slice(&["-out", name]);
        openssl(dir, &all);
        let err = NotaryCredentials::from_file(KEY_ID, ISSUER_ID, &dir.join(name)).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, NotaryError::Key { .. }), "{msg}");
        assert!(msg.contains(want) && msg.contains(name), "{msg}");
        assert!(msg.contains("App Store Connect"), "{msg}");
    }
    // SEC1 (`EC PRIVATE KEY`) and encrypted PKCS#8 get the conversion command.
    make_key(dir, "p256");
    openssl(dir, &["ec", "-in", "p256.p8", "-out", "sec1.pem"]);
    let err = NotaryCredentials::from_file(KEY_ID, ISSUER_ID, &dir.join("sec1.pem")).unwrap_err();
    assert!(
        err.to_string().contains("openssl pkcs8 -topk8 -nocrypt"),
        "{err}"
    );
    fs::write(dir.join("garbage.p8"), "not a key").unwrap();
    let err = NotaryCredentials::from_file(KEY_ID, ISSUER_ID, &dir.join("garbage.p8")).unwrap_err();
    assert!(err.to_string().contains("garbage.p8"), "{err}");
    let err = NotaryCredentials::from_file(KEY_ID, ISSUER_ID, &dir.join("missing.p8")).unwrap_err();
    assert!(err.to_string().contains("missing.p8"), "{err}");
    let err = NotaryCredentials::from_env(KEY_ID, ISSUER_ID, "CRATESHIP_TEST_UNSET_NOTARY_KEY")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`CRATESHIP_TEST_UNSET_NOTARY_KEY`")
            && err.to_string().contains("not set"),
        "{err}"
    );
    let err = NotaryCredentials::from_file("", ISSUER_ID, &dir.join("p256.p8")).unwrap_err();
    assert!(err.to_string().contains("key id"), "{err}");
}

#[test]
fn the_private_key_never_appears_in_debug_output_or_errors() {
    let mock = start(Verdict::Failed("Invalid"));
    let key_path = mock.dir.path().join("AuthKey.p8");
    let pem = fs::read_to_string(&key_path).unwrap();
    // Every base64 line of the PEM, and the private scalar as openssl prints it.
    let mut secrets: Vec<String> = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::to_owned)
        .collect();
    let dump = openssl(
        mock.dir.path(),
        &["pkey", "-in", "AuthKey.p8", "-noout", "-text"],
    );
    let scalar: String = dump
        .split("pub:")
        .next()
        .unwrap()
        .split("priv:")
        .nth(1)
        .unwrap()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    assert!(scalar.len() >= 64, "{dump}");
    secrets.push(scalar[scalar.len() - 64..].to_owned());
    secrets.push(scalar[scalar.len() - 64..].to_ascii_uppercase());

    let creds = mock.creds();
    let debug = format!("{creds:?} {creds:#?}");
    assert!(
        debug.contains(KEY_ID) && debug.contains("redacted"),
        "{debug}"
    );

    let work = tmp();
    let (_, zip) = app(work.path());
    let mut outputs = vec![debug];
    let err = notarize(&zip, &creds, &mock.endpoints(), &fast()).unwrap_err();
    outputs.push(format!("{err} {err:?}"));
    let down = NotaryEndpoints {
        api_base: "http://127.0.0.1:9".into(),
        ..NotaryEndpoints::default()
    };
    let err = notarize(&zip, &creds, &down, &fast()).unwrap_err();
    outputs.push(format!("{err} {err:?}"));
    // A PEM that is damaged in the middle: the error must not quote it.
    let mut damaged = pem.clone();
    damaged.insert_str(pem.len() / 2, "!!");
    let err =
        NotaryCredentials::from_pem_bytes(KEY_ID, ISSUER_ID, damaged.as_bytes(), "the test secret")
            .unwrap_err();
    outputs.push(format!("{err} {err:?}"));
    for out in &outputs {
        for secret in &secrets {
            assert!(
                !out.contains(secret.as_str()),
                "key material `{secret}` in: {out}"
            );
        }
        // No bearer token either (a JWT starts with the base64url of `{"alg"`).
        assert!(!out.contains("eyJhbGci"), "token in: {out}");
    }
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_any_request() {
    let mock = start(Verdict::Accepted);
    let work = tmp();
    let (_, zip) = app(work.path());
    let endpoints = NotaryEndpoints {
        api_base: "http://appstoreconnect.apple.com".into(),
        ..NotaryEndpoints::default()
    };
    let err = notarize(&zip, &mock.creds(), &endpoints, &fast()).unwrap_err();
    assert!(matches!(err, NotaryError::Url { .. }), "{err}");
    assert!(err.to_string().contains("use https://"), "{err}");
    let endpoints = NotaryEndpoints {
        s3_endpoint_override: Some("http://s3.example.com".into()),
        ..mock.endpoints()
    };
    let err = notarize(&zip, &mock.creds(), &endpoints, &fast()).unwrap_err();
    assert!(err.to_string().contains("notarization upload"), "{err}");
    assert!(
        mock.state().submitted_sha256.is_none(),
        "nothing was submitted"
    );
}

#[test]
fn staple_app_refuses_unsigned_bundles_and_non_tickets() {
    let work = tmp();
    let (app_dir, _) = app(work.path());
    let err = staple_app(&app_dir, b"not a ticket").unwrap_err();
    assert!(err.to_string().contains("s8ch"), "{err}");
    assert!(!app_dir.join("Contents/CodeResources").exists());
    fs::remove_dir_all(app_dir.join("Contents/_CodeSignature")).unwrap();
    let err = staple_app(&app_dir, b"s8ch-ticket").unwrap_err();
    assert!(err.to_string().contains("not signed"), "{err}");
    let err = staple_app(&work.path().join("Nope.app"), b"s8ch-ticket").unwrap_err();
    assert!(err.to_string().contains("Nope.app"), "{err}");
}

/// Reads a flat package's ticket trailer (Python), independent of our writer.
const TRAILER_CHECK: &str = r#"
import hashlib, struct, sys, zlib
data = open(sys.argv[1], "rb").read()
ticket = open(sys.argv[2], "rb").read()
magic, hsize, version, toc_c, toc_u, alg = struct.unpack(">4sHHQQI", data[:28])
assert magic == b"xar!" and alg == 1, (magic, alg)
toc = data[hsize:hsize + toc_c]
zlib.decompress(toc)
heap = hsize + toc_c
assert data[heap:heap + 20] == hashlib.sha1(toc).digest(), "stored TOC checksum"
print("record 2/1/" + hashlib.sha1(toc).hexdigest())
m, v, t, n, _ = struct.unpack("<4sHHII", data[-16:])
assert (m, v, t, n) == (b"t8lr", 1, 2, len(ticket)), (m, v, t, n)
assert data[-16 - n:-16] == ticket
m, v, t, n, _ = struct.unpack("<4sHHII", data[-32 - len(ticket):-16 - len(ticket)])
assert (m, v, t, n) == (b"t8lr", 1, 1, 0), (m, v, t, n)
print("archive", len(data) - 32 - len(ticket))
"#;

#[test]
fn a_flat_package_gets_its_ticket_as_a_xar_trailer_and_stays_readable() {
    let mock = start(Verdict::Accepted);
    let work = tmp();
    let dir = work.path();
    fs::create_dir_all(dir.join("root/Distribution.d")).unwrap();
    fs::write(dir.join("root/Distribution"), "<installer-gui-script/>").unwrap();
    fs::write(dir.join("root/Distribution.d/x"), "x").unwrap();
    let pkg = dir.join("Hello-1.0.pkg");
    run_ok(
        "bsdtar",
        &[
            &"--format",
            &"xar",
            &"-cf",
            &pkg,
            &"-C",
            &dir.join("root"),
            &".",
        ],
    );
    let original = fs::read(&pkg).unwrap();

    let ticket = fetch_pkg_ticket(&pkg, &mock.endpoints(), &fast()).unwrap();
    assert_eq!(ticket, mock.ticket);
    staple_pkg(&pkg, &ticket).unwrap();
    fs::write(dir.join("ticket.bin"), &ticket).unwrap();
    let out = python(
        TRAILER_CHECK,
        &[
            pkg.to_str().unwrap(),
            dir.join("ticket.bin").to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let report = text(&out);
    let record = mock.state().lookups[0].clone();
    assert!(
        report.contains(&format!("record {record}")),
        "{report} vs {record}"
    );
    assert!(
        report.contains(&format!("archive {}", original.len())),
        "{report}"
    );
    let listing = run_ok("bsdtar", &[&"-tf", &pkg]);
    assert!(listing.contains("Distribution"), "{listing}");

    // Stapling again replaces the ticket instead of stacking a second one.
    staple_pkg(&pkg, &ticket).unwrap();
    assert_eq!(
        fs::metadata(&pkg).unwrap().len(),
        original.len() as u64 + 32 + ticket.len() as u64
    );
    assert_eq!(fs::read(&pkg).unwrap()[..original.len()], original[..]);
    // The release gate's reader finds what the stapler wrote, and nothing in an
    // unstapled package.
    assert_eq!(
        crateship_sign::pkg_stapled_ticket(&pkg).unwrap(),
        Some(ticket.clone())
    );
    fs::write(dir.join("unstapled.pkg"), &original).unwrap();
    assert_eq!(
        crateship_sign::pkg_stapled_ticket(&dir.join("unstapled.pkg")).unwrap(),
        None
    );

    fs::write(dir.join("not.pkg"), "PK\x03\x04").unwrap();
    let err = staple_pkg(&dir.join("not.pkg"), &ticket).unwrap_err();
    assert!(err.to_string().contains("xar!"), "{err}");
}
