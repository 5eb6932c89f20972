//! The sign step in `dist`: an Authenticode-signed exe inside the zip and MSI,
//! a signed MSI, `SHA256SUMS.asc` — verified with osslsigncode and gpg — and no
//! secret anywhere in the output.

use crate::support::signing::*;
use crate::support::*;

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
    let exe = bins.join("tiny.exe");
    windows_exe(&exe);

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

    assert_authenticode_verified(&project.join("cert.pem"), msi, &out_dir);
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
    assert_authenticode_verified(
        &project.join("cert.pem"),
        zipped_exe.to_str().unwrap(),
        &unzipped,
    );

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

#[test]
fn dist_signs_rpm_inside_and_sign_command_signs_by_extension_without_leaking_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let config = "identifier = \"org.example.tiny\"\n[package.metadata.crateship.signing]\n\
                  windows-pfx = \"cert.pfx\"\nwindows-password-env = \"TINY_PFX_PASSWORD\"\n\
                  pgp-key-env = \"TINY_PGP_KEY\"\nminisign-key-env = \"TINY_MINISIGN_KEY\"\n\
                  detached = [\"asc\", \"minisig\"]";
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
            "rsa3072",
            "sign",
            "never",
        ],
    );
    let secret = gpg(
        &keys,
        &["--armor", "--export-secret-keys", "tiny@example.org"],
    );
    let public = tmp.path().join("public.asc");
    std::fs::write(
        &public,
        gpg(&keys, &["--armor", "--export", "tiny@example.org"]),
    )
    .unwrap();
    minisign_keypair(tmp.path());
    let minisign_secret = std::fs::read_to_string(tmp.path().join("minisign.key")).unwrap();
    let with_keys = |cmd: &mut std::process::Command| {
        cmd.env("TINY_PFX_PASSWORD", PASSWORD)
            .env("TINY_PGP_KEY", &secret)
            .env("TINY_MINISIGN_KEY", &minisign_secret)
            .env("SOURCE_DATE_EPOCH", "1700000000");
    };

    // dist: the rpm is signed inside, the tar.gz gets .asc + .minisig, SHA256SUMS both.
    let bins = binary_dir(tmp.path(), "tiny");
    let out_dir = tmp.path().join("out");
    let mut cmd = dist_prebuilt(&manifest, &bins, &out_dir);
    cmd.args([
        "--target",
        "x86_64-unknown-linux-gnu",
        "--format",
        "rpm",
        "--format",
        "tar.gz",
        "--format",
        "appimage",
        "--json",
    ]);
    with_keys(&mut cmd);
    let dist = run(&mut cmd);
    assert!(dist.status.success(), "{}", stderr(&dist));
    let rpm = out_dir.join("tiny-0.4.2-1.x86_64.rpm");
    let (ok, text) = rpm_check(&tmp.path().join("db1"), Some(&public), &rpm);
    assert!(ok && text.contains("digests signatures OK"), "{text}");
    let (ok, text) = rpm_check(&tmp.path().join("db2"), None, &rpm);
    assert!(!ok && text.contains("SIGNATURES NOT OK"), "{text}");
    let manifest_json: serde_json::Value = serde_json::from_str(&stdout(&dist)).unwrap();
    let scheme_of = |format: &str| {
        manifest_json["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["format"] == format)
            .map(|a| {
                a["signature"]["scheme"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .unwrap()
    };
    assert_eq!(scheme_of("rpm"), "rpm-openpgp");
    assert_eq!(scheme_of("appimage"), "appimage-openpgp");
    // The AppImage's embedded signature: printed by its runtime, checked by gpg over the
    // digest Python computes from `readelf -S` offsets (the sections read as zeros).
    let appimage = manifest_json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["format"] == "appimage")
        .map(|a| out_dir.join(a["path"].as_str().unwrap()))
        .unwrap();
    let printed = verify(
        appimage.to_str().unwrap(),
        &["--appimage-signature"],
        &out_dir,
    );
    assert!(
        printed.contains("-----BEGIN PGP SIGNATURE-----"),
        "{printed}"
    );
    let digest_script = r#"
import hashlib, subprocess, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
for line in subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.replace("[ ", "[").split()
    if len(parts) > 6 and parts[1] in (".sha256_sig", ".sig_key"):
        off, size = int(parts[4], 16), int(parts[5], 16)
        data[off:off + size] = bytes(size)
sys.stdout.write(hashlib.sha256(data).hexdigest())
"#;
    let digest = verify(
        "python3",
        &["-c", digest_script, appimage.to_str().unwrap()],
        &out_dir,
    );
    std::fs::write(tmp.path().join("appimage.digest"), digest).unwrap();
    std::fs::write(
        tmp.path().join("appimage.sig"),
        printed.trim_end_matches('\0'),
    )
    .unwrap();
    assert_eq!(scheme_of("tar.gz"), "openpgp");
    let tarball = "tiny-0.4.2-x86_64-unknown-linux-gnu.tar.gz";
    let files = list(&out_dir);
    for name in [
        format!("{tarball}.asc"),
        format!("{tarball}.minisig"),
        "SHA256SUMS.asc".into(),
        "SHA256SUMS.minisig".into(),
    ] {
        assert!(files.contains(&name), "{name} missing: {files:?}");
    }
    let pubkey = tmp.path().join("minisign.pub");
    for file in ["SHA256SUMS", tarball] {
        verify(
            "minisign",
            &["-V", "-p", pubkey.to_str().unwrap(), "-m", file],
            &out_dir,
        );
    }
    let verifier = tmp.path().join("verifier");
    std::fs::create_dir_all(&verifier).unwrap();
    gpg(&verifier, &["--import", public.to_str().unwrap()]);
    gpg(
        &verifier,
        &[
            "--verify",
            tmp.path().join("appimage.sig").to_str().unwrap(),
            tmp.path().join("appimage.digest").to_str().unwrap(),
        ],
    );
    for file in ["SHA256SUMS", tarball] {
        let path = out_dir.join(file);
        let asc = out_dir.join(format!("{file}.asc"));
        gpg(
            &verifier,
            &["--verify", asc.to_str().unwrap(), path.to_str().unwrap()],
        );
    }

    // `crateship sign`: an exe (Authenticode), an rpm (inside) and a text file (detached).
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let exe = work.join("tiny.exe");
    windows_exe(&exe);
    let notes = work.join("notes.txt");
    std::fs::write(&notes, "release notes\n").unwrap();
    let rpm_copy = work.join("copy.rpm");
    std::fs::copy(&rpm, &rpm_copy).unwrap();
    let before = std::fs::read(&rpm_copy).unwrap();
    let mut cmd = crateship();
    cmd.args(["sign", "--json", "--manifest-path"])
        .arg(&manifest)
        .arg(&exe)
        .arg(&rpm_copy)
        .arg(&notes);
    with_keys(&mut cmd);
    let signed = run(&mut cmd);
    assert!(signed.status.success(), "{}", stderr(&signed));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&signed)).unwrap();
    let schemes: Vec<&str> = doc["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["scheme"].as_str().unwrap())
        .collect();
    assert_eq!(
        schemes,
        ["authenticode-pe", "rpm-openpgp", "openpgp", "minisign"]
    );
    assert!(
        doc["artifacts"][0]["subject"]
            .as_str()
            .unwrap()
            .contains("Crateship Test Signer")
    );
    assert_eq!(
        doc["artifacts"][0]["sha256_fingerprint"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_authenticode_verified(&project.join("cert.pem"), exe.to_str().unwrap(), &work);
    // Same key and SOURCE_DATE_EPOCH as dist: re-signing the rpm changes nothing.
    assert!(
        std::fs::read(&rpm_copy).unwrap() == before,
        "re-signing the rpm changed it"
    );
    gpg(
        &verifier,
        &[
            "--verify",
            work.join("notes.txt.asc").to_str().unwrap(),
            notes.to_str().unwrap(),
        ],
    );
    verify(
        "minisign",
        &["-V", "-p", pubkey.to_str().unwrap(), "-m", "notes.txt"],
        &work,
    );

    // A wrong password: exit 1, a message naming the file but not the password, nothing signed.
    let fresh = work.join("fresh.txt");
    std::fs::write(&fresh, "x\n").unwrap();
    let mut cmd = crateship();
    cmd.args(["sign", "--manifest-path"])
        .arg(&manifest)
        .arg(&fresh);
    with_keys(&mut cmd);
    cmd.env("TINY_PFX_PASSWORD", "Wrong-Password-77");
    let failed = run(&mut cmd);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(
        stderr(&failed).contains("wrong password"),
        "{}",
        stderr(&failed)
    );
    assert!(!stderr(&failed).contains("Wrong-Password-77"));
    assert!(!work.join("fresh.txt.asc").exists());

    // No secret in any output or in any file written.
    let key_line = std::fs::read_to_string(project.join("key.pem"))
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    let secret_line = secret.lines().find(|l| l.len() > 40).unwrap().to_owned();
    let minisign_line = minisign_secret.lines().nth(1).unwrap().to_owned();
    let mut haystacks = vec![
        stdout(&dist).into_bytes(),
        stderr(&dist).into_bytes(),
        stdout(&signed).into_bytes(),
        stderr(&signed).into_bytes(),
        stdout(&failed).into_bytes(),
        stderr(&failed).into_bytes(),
    ];
    for dir in [&out_dir, &work] {
        for name in list(dir) {
            haystacks.push(std::fs::read(dir.join(name)).unwrap());
        }
    }
    for hay in &haystacks {
        for needle in [
            PASSWORD,
            key_line.as_str(),
            secret_line.as_str(),
            minisign_line.as_str(),
        ] {
            assert!(
                !hay.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "a secret leaked: {needle:?}"
            );
        }
    }
}

#[test]
fn signing_config_mistakes_name_the_key_and_the_fix() {
    let cases = [
        (
            "windows-backend = \"hsm\"",
            "signing.windows-backend",
            "\"osslsigncode\"",
        ),
        (
            "windows-backend = \"signtool\"",
            "signing.windows-signtool-thumbprint",
            "certutil",
        ),
        (
            "windows-backend = \"command\"\nwindows-command = [\"jsign\", \"--in\"]",
            "signing.windows-command",
            "{file}",
        ),
        (
            "windows-backend = \"osslsigncode\"",
            "signing.windows-backend",
            "windows-pfx",
        ),
        ("detached = [\"asc\"]", "signing.detached", "pgp-key-env"),
        ("detached = [\"sig\"]", "signing.detached", "\"minisig\""),
        ("sign-rpm = true", "signing.sign-rpm", "pgp-key-env"),
    ];
    for (config, key, fix) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = tiny_project(
            tmp.path(),
            "tiny",
            &format!("[package.metadata.crateship.signing]\n{config}"),
        );
        let out = run(crateship().args(["plan", "--manifest-path"]).arg(&manifest));
        assert_eq!(out.status.code(), Some(1), "{config}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(key) && err.contains(fix), "{config}: {err}");
        assert!(err.contains("Cargo.toml"), "{config}: {err}");
    }
}
