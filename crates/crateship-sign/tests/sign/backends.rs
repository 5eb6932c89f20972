//! The external Authenticode backends behind the `Signer` trait (osslsigncode, a
//! custom command, signtool) and the key checks every backend shares, verified by
//! `osslsigncode verify` against the test CA and TSA. Failures (missing tool, failing
//! tool, tool that does not sign, expired certificate) leave no output file.

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use crateship_sign::{
    AuthenticodeOptions, CommandSigner, KeySource, NativeSigner, OsslsigncodeSigner, Secret,
    SignError, Signer, SigningKey, SigntoolSigner,
};
use tempfile::TempDir;

use crate::support::{PASSWORD, closed_url, exe, msi, pki, tsa_options, tsa_url, verify};

fn pkcs12(name: &str, password: &str) -> KeySource {
    KeySource::Pkcs12 {
        file: pki().path(&format!("{name}.pfx")),
        password: Secret::new(password),
    }
}

/// Only `keep` (and nothing temporary) is left in `dir`.
fn only(dir: &Path, keep: &[&str]) {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "payload")
        .collect();
    names.sort();
    let mut want: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(names, want);
}

#[test]
fn osslsigncode_signs_pe_and_msi_with_the_pkcs12_password_in_a_file() {
    let dir = TempDir::new().unwrap();
    let signer = OsslsigncodeSigner::new(pkcs12("rsa", PASSWORD), tsa_options()).unwrap();
    assert!(!format!("{signer:?}").contains(PASSWORD));
    let key = SigningKey::from_pkcs12(&pki().read("rsa.pfx"), PASSWORD).unwrap();

    let exe_out = dir.path().join("hello-signed.exe");
    let report = signer.sign(exe(), &exe_out).unwrap();
    let (ok, text) = verify(&exe_out);
    assert!(ok, "{text}");
    assert_eq!(report.scheme, "authenticode-pe");
    assert_eq!(report.sha256_fingerprint, key.sha256_fingerprint());
    assert!(report.subject.contains("CN=rsa"), "{report:?}");
    assert_eq!(report.timestamp_server.as_deref(), Some(tsa_url()));
    assert!(report.warnings.is_empty(), "{report:?}");

    let msi_in = msi(dir.path());
    let report = signer.sign(&msi_in, &msi_in).unwrap();
    let (ok, text) = verify(&msi_in);
    assert!(ok, "{text}");
    assert_eq!(report.scheme, "authenticode-msi");
    only(dir.path(), &["hello-signed.exe", "hello.msi"]);
}

#[test]
fn osslsigncode_with_a_pem_key_and_no_timestamp_server_warns() {
    let dir = TempDir::new().unwrap();
    let source = KeySource::Pem {
        key: pki().path("ec.key"),
        chain: pki().path("ec.pem"),
    };
    let options = AuthenticodeOptions {
        timestamp_urls: Vec::new(),
        allow_unstamped: true,
        ..AuthenticodeOptions::default()
    };
    let signer = OsslsigncodeSigner::new(source, options).unwrap();
    let out = dir.path().join("hello.exe");
    let report = signer.sign(exe(), &out).unwrap();
    assert!(report.timestamp_server.is_none());
    assert!(
        report.warnings[0].contains("WITHOUT a timestamp"),
        "{report:?}"
    );
    let pki = pki();
    let text = crate::support::run_ok(
        "osslsigncode",
        &[&"verify", &"-CAfile", &pki.path("ca.pem"), &"-in", &out],
    );
    assert!(text.contains("Signature verification: ok"), "{text}");
}

#[test]
fn osslsigncode_failing_every_timestamp_server_names_them_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let dead = closed_url();
    let options = AuthenticodeOptions {
        timestamp_urls: vec![dead.clone()],
        ..tsa_options()
    };
    let signer = OsslsigncodeSigner::new(pkcs12("ec", PASSWORD), options).unwrap();
    let out = dir.path().join("hello.exe");
    let err = signer.sign(exe(), &out).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SignError::ToolFailed { .. }), "{message}");
    assert!(
        message.contains(&dead) && message.contains("osslsigncode"),
        "{message}"
    );
    assert!(!message.contains(PASSWORD), "{message}");
    assert!(!out.exists());
    only(dir.path(), &[]);
}

#[test]
fn a_wrong_pkcs12_password_fails_before_any_tool_runs() {
    let err =
        OsslsigncodeSigner::new(pkcs12("rsa", "Wrong-Password-4411"), tsa_options()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("wrong password"), "{message}");
    assert!(
        !message.contains("Wrong-Password-4411")
            && !format!("{err:?}").contains("Wrong-Password-4411")
    );
}

#[test]
fn a_custom_command_template_signs_and_the_report_is_read_back() {
    let dir = TempDir::new().unwrap();
    let pki = pki();
    let template: Vec<String> = [
        "osslsigncode",
        "sign",
        "-certs",
        pki.path("ec.pem").to_str().unwrap(),
        "-key",
        pki.path("ec.key").to_str().unwrap(),
        "-ts",
        "{timestamp-url}",
        "-in",
        "{file}",
        "-out",
        "{out}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let options = AuthenticodeOptions {
        timestamp_urls: vec![closed_url(), tsa_url().to_owned()],
        ..tsa_options()
    };
    let signer = CommandSigner::new(template, options).unwrap();
    let msi_in = msi(dir.path());
    let out = dir.path().join("signed.msi");
    let report = signer.sign(&msi_in, &out).unwrap();
    let (ok, text) = verify(&out);
    assert!(ok, "{text}");
    let key = SigningKey::from_pem(&pki.read("ec.key"), &pki.read("ec.pem")).unwrap();
    assert_eq!(report.sha256_fingerprint, key.sha256_fingerprint());
    assert_eq!(report.subject, key.subject());
    assert_eq!(report.timestamp_server.as_deref(), Some(tsa_url()));
    assert!(report.warnings.is_empty(), "{report:?}");
    only(dir.path(), &["hello.msi", "signed.msi"]);
}

#[test]
fn a_command_that_fails_or_does_not_sign_leaves_no_output() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("signed.exe");
    let template = |argv: &[&str]| argv.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let failing = CommandSigner::new(template(&["false", "{file}"]), tsa_options()).unwrap();
    let err = failing.sign(exe(), &out).unwrap_err().to_string();
    assert!(
        err.contains("`command` could not sign") && err.contains("exited with"),
        "{err}"
    );
    assert!(!out.exists());

    let lazy = CommandSigner::new(template(&["true", "{file}"]), tsa_options()).unwrap();
    let err = lazy.sign(exe(), &out).unwrap_err().to_string();
    assert!(err.contains("carries no Authenticode signature"), "{err}");
    assert!(!out.exists());
    only(dir.path(), &[]);
}

#[test]
fn missing_tools_and_bad_backend_settings_get_clear_messages() {
    let template = |argv: &[&str]| argv.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let err = CommandSigner::new(
        template(&["crateship-no-such-signer", "--in", "{file}"]),
        tsa_options(),
    )
    .unwrap_err();
    assert!(matches!(err, SignError::ToolMissing { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("`crateship-no-such-signer` was not found on PATH"),
        "{err}"
    );

    let err = SigntoolSigner::new(&"ab".repeat(20), tsa_options()).unwrap_err();
    assert!(
        err.to_string().contains("`signtool` was not found on PATH"),
        "{err}"
    );
    assert!(err.to_string().contains("Windows"), "{err}");
    let err = SigntoolSigner::new("not-a-thumbprint", tsa_options()).unwrap_err();
    assert!(err.to_string().contains("thumbprint"), "{err}");

    let err =
        CommandSigner::new(template(&["true", "{file}", "{input}"]), tsa_options()).unwrap_err();
    assert!(err.to_string().contains("unknown placeholder"), "{err}");
    let err = CommandSigner::new(template(&["true", "x"]), tsa_options()).unwrap_err();
    assert!(err.to_string().contains("{file}"), "{err}");
}

/// A code-signing certificate valid only in 2020, issued by the test CA with
/// `openssl ca -startdate/-enddate` (`openssl x509 -req` cannot back-date).
fn expired() -> &'static (std::path::PathBuf, std::path::PathBuf) {
    static EXPIRED: OnceLock<(std::path::PathBuf, std::path::PathBuf)> = OnceLock::new();
    EXPIRED.get_or_init(|| {
        let pki = pki();
        let dir = tempfile::Builder::new()
            .prefix("crateship-sign-expired")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
            .keep();
        let d = dir.display();
        fs::write(dir.join("index.txt"), "").unwrap();
        fs::write(dir.join("serial"), "1000\n").unwrap();
        fs::write(
            dir.join("ca.cnf"),
            format!(
                "[ ca ]\ndefault_ca = test\n[ test ]\ndatabase = {d}/index.txt\nnew_certs_dir = {d}\nserial = {d}/serial\ndefault_md = sha256\npolicy = any\n[ any ]\ncommonName = supplied\norganizationName = optional\n[ code ]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = codeSigning\n"
            ),
        )
        .unwrap();
        let key = dir.join("expired.key");
        let csr = dir.join("expired.csr");
        let pem = dir.join("expired.pem");
        crate::support::run_ok(
            "openssl",
            &[
                &"req", &"-new", &"-newkey", &"ec", &"-pkeyopt", &"ec_paramgen_curve:P-256",
                &"-nodes", &"-keyout", &key, &"-out", &csr, &"-subj",
                &"/O=crateship tests/CN=expired",
            ],
        );
        crate::support::run_ok(
            "openssl",
            &[
                &"ca", &"-batch", &"-config", &dir.join("ca.cnf"), &"-cert", &pki.path("ca.pem"),
                &"-keyfile", &pki.path("ca.key"), &"-in", &csr, &"-out", &pem, &"-notext",
                &"-extensions", &"code", &"-startdate", &"20200101000000Z", &"-enddate",
                &"20210101000000Z",
            ],
        );
        (key, pem)
    })
}

#[test]
fn an_expired_certificate_is_rejected_by_every_backend() {
    let (key_path, pem_path) = expired();
    let text = crate::support::run_ok(
        "openssl",
        &[&"x509", &"-noout", &"-enddate", &"-in", pem_path],
    );
    assert!(text.contains("2021"), "the fixture is not expired: {text}");
    let err = SigningKey::from_pem(&fs::read(key_path).unwrap(), &fs::read(pem_path).unwrap())
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SignError::NotCodeSigning { .. }), "{message}");
    assert!(
        message.contains("expired") && message.contains("CN=expired"),
        "{message}"
    );
    assert!(message.contains("renew"), "{message}");

    let source = KeySource::Pem {
        key: key_path.clone(),
        chain: pem_path.clone(),
    };
    let err = OsslsigncodeSigner::new(source, tsa_options()).unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
}

#[test]
fn the_native_signer_tells_pe_from_msi() {
    let dir = TempDir::new().unwrap();
    let key = SigningKey::from_pkcs12(&pki().read("ec.pfx"), PASSWORD).unwrap();
    let signer = NativeSigner::new(key, tsa_options());
    let out = dir.path().join("hello.exe");
    assert_eq!(signer.sign(exe(), &out).unwrap().scheme, "authenticode-pe");
    let msi_in = msi(dir.path());
    let mode = |p: &Path| {
        std::os::unix::fs::PermissionsExt::mode(&fs::metadata(p).unwrap().permissions()) & 0o777
    };
    let msi_mode = mode(&msi_in);
    assert_eq!(
        signer.sign(&msi_in, &msi_in).unwrap().scheme,
        "authenticode-msi"
    );
    // Signing keeps the input's permissions (not the temporary file's 0600).
    assert_eq!(mode(&out), mode(exe()));
    assert_eq!(mode(&msi_in), msi_mode);
    assert_ne!(msi_mode, 0o600);
    for file in [&out, &msi_in] {
        let (ok, text) = verify(file);
        assert!(ok, "{text}");
    }
    let text_file = dir.path().join("notes.txt");
    fs::write(&text_file, "hello").unwrap();
    let err = signer.sign(&text_file, &text_file).unwrap_err();
    assert!(err.to_string().contains("neither with `MZ`"), "{err}");
}
