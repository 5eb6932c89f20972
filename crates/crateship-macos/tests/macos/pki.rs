//! A throw-away Apple-like PKI made with `openssl` once per test run: a CA;
//! "Developer ID Application: Test (TEAMID1234)" leaves (RSA-2048 and P-256)
//! with OU=TEAMID1234, codeSigning and Apple's Developer ID marker extension; a
//! "Developer ID Installer" RSA leaf (Apple package-signing usage); a TLS-only
//! leaf, an expired code-signing leaf (`openssl ca -startdate/-enddate`) and a
//! TSA for a loopback RFC 3161 server answering with `openssl ts -reply`.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crateship_macos::{AppleIdentity, ApplePurpose};

/// The password of `app-ec.p12`.
pub const P12_PASSWORD: &str = "Tr0ub4dor-and-3-Staples";

/// The Team ID of every test leaf.
pub const TEAM: &str = "TEAMID1234";

/// Directory holding the PKI files (`ca.pem`, `<leaf>.key`, `<leaf>.pem`).
pub fn dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(make)
}

/// A PKI file's path.
pub fn path(name: &str) -> PathBuf {
    dir().join(name)
}

/// Loads leaf `name` (`app-rsa`, `app-ec`, `installer`, `tls`, `expired`).
pub fn identity(name: &str, purpose: ApplePurpose) -> Result<AppleIdentity, String> {
    let key = fs::read(path(&format!("{name}.key"))).unwrap();
    let mut chain = fs::read(path(&format!("{name}.pem"))).unwrap();
    chain.extend(fs::read(path("ca.pem")).unwrap());
    AppleIdentity::from_pem(&key, &chain, purpose).map_err(|e| e.to_string())
}

fn openssl(dir: &Path, args: &[&str]) {
    crate::run(Command::new("openssl").current_dir(dir).args(args));
}

const APP_EXT: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
                       extendedKeyUsage=critical,codeSigning\n1.2.840.113635.100.6.1.13=ASN1:NULL\n";

fn csr(dir: &Path, name: &str, newkey: &[&str], subj: &str) {
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let mut args = vec!["req", "-new"];
    args.extend_from_slice(newkey);
    args.extend_from_slice(&["-nodes", "-keyout", &key, "-out", &csr, "-subj", subj]);
    openssl(dir, &args);
}

fn leaf(dir: &Path, name: &str, newkey: &[&str], subj: &str, ext: &str) {
    csr(dir, name, newkey, subj);
    let ext_file = format!("{name}.ext");
    fs::write(dir.join(&ext_file), ext).unwrap();
    let (csr, pem) = (format!("{name}.csr"), format!("{name}.pem"));
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

fn subject(kind: &str) -> String {
    format!("/UID={TEAM}/CN=Developer ID {kind}: Test ({TEAM})/OU={TEAM}/O=Test/C=US")
}

fn make() -> PathBuf {
    let dir = tempfile::Builder::new()
        .prefix("crateship-macos-pki")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
        .keep();
    let d = &dir;
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3",
            "-sha256",
            "-subj",
            "/O=crateship tests/CN=Test Apple-like CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    let app = subject("Application");
    leaf(d, "app-rsa", &["-newkey", "rsa:2048"], &app, APP_EXT);
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
    leaf(d, "app-ec", &ec, &app, APP_EXT);
    leaf(
        d,
        "installer",
        &["-newkey", "rsa:2048"],
        &subject("Installer"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=critical,1.2.840.113635.100.4.13\n1.2.840.113635.100.6.1.14=ASN1:NULL\n",
    );
    leaf(
        d,
        "installer-ec",
        &ec,
        &subject("Installer"),
        "extendedKeyUsage=1.2.840.113635.100.4.13\n",
    );
    leaf(
        d,
        "tls",
        &ec,
        "/CN=tls.example/OU=TEAMID1234",
        "extendedKeyUsage=serverAuth\n",
    );
    leaf(
        d,
        "tsa",
        &["-newkey", "rsa:2048"],
        "/CN=Test TSA",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n",
    );
    // Expired: back-dated validity through `openssl ca`.
    csr(d, "expired", &["-newkey", "rsa:2048"], &app);
    fs::write(d.join("index.txt"), "").unwrap();
    fs::write(d.join("serial"), "1000\n").unwrap();
    fs::write(d.join("expired.ext"), APP_EXT).unwrap();
    fs::write(
        d.join("ca.cnf"),
        "[ ca ]\ndefault_ca = cad\n[ cad ]\ndatabase = index.txt\nnew_certs_dir = .\n\
         serial = serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n\
         [ any ]\ncommonName = supplied\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            "ca.pem",
            "-keyfile",
            "ca.key",
            "-in",
            "expired.csr",
            "-out",
            "expired.pem",
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20210101000000Z",
            "-extfile",
            "expired.ext",
            "-notext",
        ],
    );
    let pass = format!("pass:{P12_PASSWORD}");
    openssl(
        d,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "app-ec.key",
            "-in",
            "app-ec.pem",
            "-certfile",
            "ca.pem",
            "-passout",
            &pass,
            "-out",
            "app-ec.p12",
        ],
    );
    fs::write(d.join("tsaserial"), "01\n").unwrap();
    let conf = format!(
        "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = {d}/tsaserial\ncrypto_device = builtin\n\
         signer_cert = {d}/tsa.pem\ncerts = {d}/ca.pem\nsigner_key = {d}/tsa.key\n\
         signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\n\
         accuracy = secs:1\nordering = yes\ntsa_name = yes\ness_cert_id_chain = no\n\
         ess_cert_id_alg = sha256\n",
        d = d.display()
    );
    fs::write(d.join("tsa.cnf"), conf).unwrap();
    dir
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

/// URL of a loopback RFC 3161 server (one thread, `openssl ts -reply` per request).
pub fn tsa_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let dir = dir().to_path_buf();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let Some(body) = read_request(&mut stream) else {
                    continue;
                };
                let query = dir.join(format!("q{n}.tsq"));
                let reply = dir.join(format!("r{n}.tsr"));
                fs::write(&query, body).unwrap();
                let ok = Command::new("openssl")
                    .args(["ts", "-reply", "-config"])
                    .arg(dir.join("tsa.cnf"))
                    .arg("-queryfile")
                    .arg(&query)
                    .arg("-out")
                    .arg(&reply)
                    .output()
                    .is_ok_and(|o| o.status.success());
                let body = if ok { fs::read(&reply).unwrap() } else { Vec::new() };
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        url
    })
}
