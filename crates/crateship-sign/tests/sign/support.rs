//! Fixtures: a test PKI made with `openssl` (CA, RSA-3072 and P-256 code-signing leaves,
//! a TLS-only leaf, a TSA), a loopback RFC 3161 server, a hung server, a tiny Windows exe
//! and a sample MSI; plus helpers that run the verifiers.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use crateship_sign::AuthenticodeOptions;

/// The password of every test PKCS#12 file.
pub const PASSWORD: &str = "Corr3ct-Horse-Battery-9817";

/// Paths of the shared test PKI.
pub struct Pki {
    /// Directory holding everything.
    pub dir: PathBuf,
}

impl Pki {
    /// A file of the PKI.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    /// A file of the PKI, read.
    pub fn read(&self, name: &str) -> Vec<u8> {
        fs::read(self.path(name)).unwrap()
    }
}

/// Runs a program; panics with a hint if it cannot be started.
pub fn run(program: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut cmd = Command::new(program);
    for arg in args {
        cmd.arg(arg);
    }
    cmd.output().unwrap_or_else(|e| {
        panic!("cannot run `{program}` ({e}); install it (Debian: openssl, osslsigncode)")
    })
}

/// stdout + stderr as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs a program that must succeed.
pub fn run_ok(program: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let out = run(program, args);
    assert!(out.status.success(), "`{program}` failed: {}", text(&out));
    text(&out)
}

fn openssl(dir: &Path, args: &[&str]) {
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir).args(args);
    let out = cmd.output().expect("install openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
}

fn leaf(dir: &Path, name: &str, newkey: &[&str], ext: &str) {
    fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let pem = format!("{name}.pem");
    let ext_file = format!("{name}.ext");
    let mut args = vec!["req", "-new"];
    args.extend_from_slice(newkey);
    args.extend_from_slice(&["-nodes", "-keyout", &key, "-out", &csr, "-subj"]);
    let subj = format!("/O=crateship tests/CN={name}");
    args.push(&subj);
    openssl(dir, &args);
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "3",
            "-sha256",
            "-extfile",
            &ext_file,
            "-out",
            &pem,
        ],
    );
}

/// The test PKI, made once per test run.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("crateship-sign-pki")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
            .keep();
        openssl(
            &dir,
            &[
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
                "ca.pem", "-days", "3", "-sha256", "-subj", "/O=crateship tests/CN=Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        let code = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n";
        leaf(&dir, "rsa", &["-newkey", "rsa:3072"], code);
        leaf(&dir, "ec", &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], code);
        leaf(
            &dir,
            "tls",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        );
        leaf(
            &dir,
            "tsa",
            &["-newkey", "rsa:2048"],
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n",
        );
        for name in ["rsa", "ec"] {
            let pass = format!("pass:{PASSWORD}");
            openssl(
                &dir,
                &[
                    "pkcs12", "-export", "-inkey", &format!("{name}.key"), "-in",
                    &format!("{name}.pem"), "-certfile", "ca.pem", "-passout", &pass, "-out",
                    &format!("{name}.pfx"),
                ],
            );
        }
        fs::write(dir.join("tsaserial"), "01\n").unwrap();
        let conf = format!(
            "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = {d}/tsaserial\ncrypto_device = builtin\nsigner_cert = {d}/tsa.pem\ncerts = {d}/ca.pem\nsigner_key = {d}/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\nordering = yes\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n",
            d = dir.display()
        );
        fs::write(dir.join("tsa.cnf"), conf).unwrap();
        Pki { dir }
    })
}

fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))?
                .trim()
                .parse()
                .ok()?;
            if data.len() >= end + 4 + len {
                return Some(data[end + 4..end + 4 + len].to_vec());
            }
        }
    }
}

/// URL of the loopback RFC 3161 server (one thread, `openssl ts -reply` per request).
pub fn tsa_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let pki = pki();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        let dir = pki.dir.clone();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let Some(body) = read_request(&mut stream) else { continue };
                let query = dir.join(format!("q{n}.tsq"));
                let reply = dir.join(format!("r{n}.tsr"));
                fs::write(&query, body).unwrap();
                let out = Command::new("openssl")
                    .args(["ts", "-reply", "-config"])
                    .arg(dir.join("tsa.cnf"))
                    .arg("-queryfile")
                    .arg(&query)
                    .arg("-out")
                    .arg(&reply)
                    .output()
                    .unwrap();
                let (status, bytes) = if out.status.success() {
                    ("200 OK", fs::read(&reply).unwrap())
                } else {
                    ("500 Internal Server Error", out.stderr)
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    bytes.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&bytes);
            }
        });
        url
    })
}

/// A URL whose port refuses connections.
pub fn closed_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/tsa")
}

/// A URL whose server accepts connections and never answers.
pub fn hung_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    format!("http://{addr}/tsa")
}

/// Options using only the loopback TSA, with short timeouts.
pub fn tsa_options() -> AuthenticodeOptions {
    AuthenticodeOptions {
        timestamp_urls: vec![tsa_url().to_owned()],
        timeout: Duration::from_secs(10),
        retries: 0,
        allow_unstamped: false,
    }
}

/// A tiny x86_64 Windows console exe, built once with zig.
pub fn exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("crateship-sign-exe")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
            .keep();
        let src = dir.join("hello.c");
        fs::write(&src, "int main(void) { return 0; }\n").unwrap();
        let exe = dir.join("hello.exe");
        run_ok(
            "python3",
            &[
                &"-m",
                &"ziglang",
                &"cc",
                &"-target",
                &"x86_64-windows-gnu",
                &"-o",
                &exe,
                &src,
            ],
        );
        exe
    })
}

/// A sample MSI written by crateship-windows into `dir/hello.msi`.
pub fn msi(dir: &Path) -> PathBuf {
    msi_with(dir, exe())
}

/// A sample MSI installing `hello_exe` (and a README), written into `dir/hello.msi`.
pub fn msi_with(dir: &Path, hello_exe: &Path) -> PathBuf {
    use crateship_windows::{MsiArch, MsiFile, MsiPackage, write_msi};
    let payload = dir.join("payload");
    fs::create_dir_all(&payload).unwrap();
    fs::copy(hello_exe, payload.join("hello.exe")).unwrap();
    fs::write(payload.join("README.txt"), "read me\n").unwrap();
    let pkg = MsiPackage {
        product_name: "Hello Desktop".into(),
        manufacturer: "Example Corp".into(),
        version: "1.2.3".into(),
        identifier: "org.example.hello".into(),
        upgrade_code: None,
        description: "Says hello".into(),
        homepage: None,
        files: vec![
            MsiFile {
                source: payload.join("hello.exe"),
                dest: "hello.exe".into(),
            },
            MsiFile {
                source: payload.join("README.txt"),
                dest: "README.txt".into(),
            },
        ],
        main_exe: "hello.exe".into(),
        icon: None,
        desktop_shortcut: false,
        per_user: false,
        arch: MsiArch::X64,
        source_date_epoch: 1_700_000_000,
    };
    let path = dir.join("hello.msi");
    let mut out = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    write_msi(&pkg, &mut out).unwrap();
    path
}

/// `osslsigncode verify` against the test CA (code and TSA); returns (success, output).
pub fn verify(file: &Path) -> (bool, String) {
    let pki = pki();
    let out = run(
        "osslsigncode",
        &[
            &"verify",
            &"-CAfile",
            &pki.path("ca.pem"),
            &"-TSA-CAfile",
            &pki.path("ca.pem"),
            &"-in",
            &file,
        ],
    );
    let text = text(&out);
    let ok = out.status.success() && text.contains("Signature verification: ok");
    (ok, text)
}
