//! The sign step in `dist`: an Authenticode-signed exe inside the zip and MSI,
//! a signed MSI, `SHA256SUMS.asc` — verified with osslsigncode and gpg — and no
//! secret anywhere in the output.

use std::path::Path;

use crate::support::*;

const PASSWORD: &str = "correct horse battery staple 42";

fn pki(dir: &Path) {
    verify(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:3072",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "3",
            "-subj",
            "/CN=Crateship Test Signer",
            "-addext",
            "extendedKeyUsage=codeSigning",
            "-addext",
            "keyUsage=digitalSignature",
        ],
        dir,
    );
    let pass = format!("pass:{PASSWORD}");
    verify(
        "openssl",
        &[
            "pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", "cert.pfx",
            "-passout", &pass,
        ],
        dir,
    );
}

fn gpg(home: &Path, args: &[&str]) -> String {
    let mut all = vec![
        "--homedir",
        home.to_str().unwrap(),
        "--batch",
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
    ];
    all.extend_from_slice(args);
    verify("gpg", &all, home)
}

#[test]
fn dist_signs_exe_msi_and_checksums_without_leaking_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let config = "identifier = \"org.example.tiny\"\n[package.metadata.crateship.signing]\n\
                  windows-pfx = \"cert.pfx\"\nwindows-password-env = \"TINY_PFX_PASSWORD\"\npgp-key-env = \"TINY_PGP_KEY\"";
    let manifest = tiny_project(&project, "tiny", config);
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    pki(&project);
    let keys = tmp.path().join("gnupg");
    std::fs::create_dir_all(&keys).unwrap();
    let private = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o700);
    std::fs::set_permissions(&keys, private).unwrap();
    gpg(
        &keys,
        &[
            "--quick-gen-key",
            "Tiny Release <tiny@example.org>",
            "ed25519",
            "sign",
            "never",
        ],
    );
    let secret = gpg(
        &keys,
        &["--armor", "--export-secret-keys", "tiny@example.org"],
    );
    let public = gpg(&keys, &["--armor", "--export", "tiny@example.org"]);

    let bins = tmp.path().join("bins");
    std::fs::create_dir_all(&bins).unwrap();
    let c = tmp.path().join("tiny.c");
    std::fs::write(&c, "int main(void) { return 0; }\n").unwrap();
    let exe = bins.join("tiny.exe");
    verify(
        "python3",
        &[
            "-m",
            "ziglang",
            "cc",
            "-target",
            "x86_64-windows-gnu",
            "-o",
            exe.to_str().unwrap(),
            c.to_str().unwrap(),
        ],
        tmp.path(),
    );

    let out_dir = tmp.path().join("out");
    let run_dist = |password: Option<&str>| {
        let mut cmd = dist_prebuilt(&manifest, &bins, &out_dir);
        cmd.args(["--target", "x86_64-pc-windows-gnu", "--json"])
            .env("TINY_PGP_KEY", &secret);
        match password {
            Some(p) => cmd.env("TINY_PFX_PASSWORD", p),
            None => cmd.env_remove("TINY_PFX_PASSWORD"),
        };
        run(&mut cmd)
    };

    // A missing secret stops the run before anything is written, naming the variable.
    let out = run_dist(None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("TINY_PFX_PASSWORD"),
        "{}",
        stderr(&out)
    );
    assert!(list(&out_dir).is_empty(), "{:?}", list(&out_dir));

    let out = run_dist(Some(PASSWORD));
    assert!(out.status.success(), "{}", stderr(&out));
    let msi = "tiny-0.4.2-x64.msi";
    assert!(
        list(&out_dir).contains(&"SHA256SUMS.asc".to_owned()),
        "{:?}",
        list(&out_dir)
    );
    verify("sha256sum", &["-c", "SHA256SUMS"], &out_dir);

    let checked = verify(
        "osslsigncode",
        &[
            "verify",
            "-CAfile",
            project.join("cert.pem").to_str().unwrap(),
            "-in",
            msi,
        ],
        &out_dir,
    );
    assert!(checked.contains("Signature verification: ok"), "{checked}");
    let unzipped = tmp.path().join("unzipped");
    std::fs::create_dir_all(&unzipped).unwrap();
    verify(
        "unzip",
        &[
            "-q",
            out_dir
                .join("tiny-0.4.2-x86_64-pc-windows-gnu.zip")
                .to_str()
                .unwrap(),
        ],
        &unzipped,
    );
    let zipped_exe = unzipped.join("tiny-0.4.2-x86_64-pc-windows-gnu/tiny.exe");
    let checked = verify(
        "osslsigncode",
        &[
            "verify",
            "-CAfile",
            project.join("cert.pem").to_str().unwrap(),
            "-in",
            zipped_exe.to_str().unwrap(),
        ],
        &unzipped,
    );
    assert!(checked.contains("Signature verification: ok"), "{checked}");

    let manifest_json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let signed = manifest_json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["format"] == "msi")
        .unwrap();
    assert_eq!(signed["signature"]["scheme"], "authenticode-msi");
    assert!(
        signed["signature"]["subject"]
            .as_str()
            .unwrap()
            .contains("Crateship Test Signer")
    );

    let verifier = tmp.path().join("verifier");
    std::fs::create_dir_all(&verifier).unwrap();
    std::fs::write(tmp.path().join("public.asc"), &public).unwrap();
    gpg(
        &verifier,
        &["--import", tmp.path().join("public.asc").to_str().unwrap()],
    );
    gpg(
        &verifier,
        &[
            "--verify",
            out_dir.join("SHA256SUMS.asc").to_str().unwrap(),
            out_dir.join("SHA256SUMS").to_str().unwrap(),
        ],
    );

    // No secret in what the run printed, in the plan, or in any file it wrote.
    let key_line = std::fs::read_to_string(project.join("key.pem"))
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    let secret_line = secret.lines().find(|l| l.len() > 40).unwrap().to_owned();
    let plan = run(crateship()
        .args(["plan", "--json", "--manifest-path"])
        .arg(&manifest));
    let mut haystacks = vec![
        stdout(&out).into_bytes(),
        stderr(&out).into_bytes(),
        plan.stdout.clone(),
    ];
    for name in list(&out_dir) {
        haystacks.push(std::fs::read(out_dir.join(name)).unwrap());
    }
    for hay in &haystacks {
        for needle in [PASSWORD, key_line.as_str(), secret_line.as_str()] {
            assert!(
                !hay.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "a secret leaked: {needle:?}"
            );
        }
    }
}
