//! Provenance: the Statement passes the in-toto attestation bindings, its subjects
//! are `sha256sum`'s, and the DSSE signature verifies with securesystemslib and
//! `openssl pkeyutl`; a flipped byte fails both.

use std::fs;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crateship_sbom::{
    ExternalParameters, PROVENANCE_FILE_NAME, ProvenanceInput, Subject, ToolVersion, dsse_envelope,
    provenance_statement,
};
use crateship_sign::MinisignKey;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support::{run_in, run_ok, text};

const ARTIFACTS: [&str; 3] = [
    "Hello-1.2.3-x64.msi",
    "hello_1.2.3_amd64.deb",
    "Hello-1.2.3-arm64.dmg",
];

fn script(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/py")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

/// A dist directory with three artifacts and the provenance input describing them.
pub fn release(dir: &Path) -> ProvenanceInput {
    let mut subjects = Vec::new();
    for name in ARTIFACTS {
        fs::write(dir.join(name), format!("payload of {name}")).unwrap();
        let (sha256, _) = crateship_support::hash::sha256_file(&dir.join(name)).unwrap();
        subjects.push(Subject {
            name: name.to_owned(),
            sha256,
        });
    }
    let tool = |name: &str, version: &str| ToolVersion {
        name: name.into(),
        version: version.into(),
    };
    ProvenanceInput {
        subjects,
        parameters: ExternalParameters {
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            dirty: false,
            config: json!({"identifier": "org.example.hello", "formats": ["msi", "deb", "dmg"]}),
            targets: vec![
                "x86_64-pc-windows-gnu".into(),
                "aarch64-apple-darwin".into(),
            ],
            formats: vec!["msi".into(), "deb".into(), "dmg".into()],
        },
        cargo_lock_sha256: "ab".repeat(32),
        toolchain: vec![
            tool("rustc", "rustc 1.95.0 (59807616e 2026-04-14)"),
            tool("cargo", "cargo 1.95.0"),
            tool("zig", "0.15.2"),
            tool("cargo-zigbuild", "cargo-zigbuild 0.20.1"),
        ],
        builder_id: "https://crateship.invalid/builders/local".into(),
        invocation_id: None,
        tool_version: "0.1.0".into(),
        source_date_epoch: crate::sboms::EPOCH,
    }
}

/// A fresh minisign key pair.
pub fn key() -> MinisignKey {
    let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    MinisignKey::from_secret_key(&pair.sk.to_box(None).unwrap().into_string(), None).unwrap()
}

/// The signed `provenance.intoto.json` of a release.
pub fn signed(input: &ProvenanceInput, key: &MinisignKey) -> Vec<u8> {
    let statement = provenance_statement(input).unwrap();
    dsse_envelope(&statement, |pae| {
        Ok::<_, std::convert::Infallible>((
            key.key_id().to_owned(),
            key.sign_raw_ed25519(pae).to_vec(),
        ))
    })
    .unwrap()
}

#[test]
fn the_statement_is_valid_in_toto_and_its_subjects_equal_sha256sums() {
    let dir = TempDir::new().unwrap();
    let input = release(dir.path());
    let statement = provenance_statement(&input).unwrap();
    let path = dir.path().join(PROVENANCE_FILE_NAME);
    fs::write(&path, &statement).unwrap();
    let subjects = run_ok(
        dir.path(),
        "python3",
        &[&script("check_statement.py"), path.to_str().unwrap()],
        &[],
    );

    let mut names: Vec<&str> = ARTIFACTS.to_vec();
    names.sort_unstable();
    let sums = run_ok(dir.path(), "sha256sum", &names, &[]);
    assert_eq!(subjects, sums);

    let value: Value = serde_json::from_slice(&statement).unwrap();
    let definition = &value["predicate"]["buildDefinition"];
    assert_eq!(
        definition["externalParameters"]["commit"],
        input.parameters.commit.unwrap()
    );
    assert_eq!(definition["externalParameters"]["dirty"], false);
    assert_eq!(definition["resolvedDependencies"][0]["name"], "Cargo.lock");
    let tools: Vec<&str> = definition["resolvedDependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["annotations"]["version"].is_string())
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(tools, ["rustc", "cargo", "zig", "cargo-zigbuild"]);
    let metadata = &value["predicate"]["runDetails"]["metadata"];
    assert_eq!(metadata["startedOn"], "2026-11-23T12:00:00Z");
    assert_eq!(metadata["finishedOn"], "2026-11-23T12:00:00Z");
}

#[test]
fn the_dsse_signature_verifies_with_securesystemslib_and_openssl_and_a_flipped_byte_fails() {
    let dir = TempDir::new().unwrap();
    let input = release(dir.path());
    let key = key();
    let envelope = signed(&input, &key);
    let path = dir.path().join(PROVENANCE_FILE_NAME);
    fs::write(&path, &envelope).unwrap();
    let public_hex = crateship_support::hash::hex(&key.public_key_raw());
    let verify = |path: &Path| {
        run_in(
            dir.path(),
            "python3",
            &[
                &script("verify_dsse.py"),
                path.to_str().unwrap(),
                key.key_id(),
                &public_hex,
            ],
            &[],
        )
    };
    let out = verify(&path);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(out.stdout, provenance_statement(&input).unwrap());

    // openssl over the PAE rebuilt from the envelope as the DSSE protocol defines it.
    let parsed: Value = serde_json::from_slice(&envelope).unwrap();
    let payload = STANDARD
        .decode(parsed["payload"].as_str().unwrap())
        .unwrap();
    let payload_type = parsed["payloadType"].as_str().unwrap();
    let mut pae = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    pae.extend_from_slice(&payload);
    let signature = STANDARD
        .decode(parsed["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    assert_eq!(parsed["signatures"][0]["keyid"], key.key_id());
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(&key.public_key_raw());
    fs::write(dir.path().join("pub.der"), der).unwrap();
    fs::write(dir.path().join("sig"), signature).unwrap();
    let openssl = |message: &[u8]| {
        fs::write(dir.path().join("pae"), message).unwrap();
        run_in(
            dir.path(),
            "openssl",
            &[
                "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", "pub.der", "-rawin",
                "-in", "pae", "-sigfile", "sig",
            ],
            &[],
        )
    };
    let out = openssl(&pae);
    assert!(out.status.success(), "{}", text(&out));

    // One flipped payload byte: both verifiers refuse.
    let mut flipped = payload.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 0x01;
    let mut tampered = parsed.clone();
    tampered["payload"] = Value::String(STANDARD.encode(&flipped));
    let tampered_path = dir.path().join("tampered.json");
    fs::write(&tampered_path, serde_json::to_vec(&tampered).unwrap()).unwrap();
    assert!(
        !verify(&tampered_path).status.success(),
        "securesystemslib accepted a flipped byte"
    );
    let mut flipped_pae = pae.clone();
    let at = flipped_pae.len() - 10;
    flipped_pae[at] ^= 0x01;
    assert!(
        !openssl(&flipped_pae).status.success(),
        "openssl accepted a flipped byte"
    );
}

#[test]
fn a_release_without_artifacts_or_with_a_bad_digest_is_refused_by_name() {
    let dir = TempDir::new().unwrap();
    let mut input = release(dir.path());
    input.subjects[1].sha256 = "not-a-digest".into();
    let err = provenance_statement(&input).unwrap_err().to_string();
    assert!(
        err.contains("`hello_1.2.3_amd64.deb`") && err.contains("not-a-digest"),
        "{err}"
    );
    input.subjects.clear();
    let err = provenance_statement(&input).unwrap_err().to_string();
    assert!(err.contains("at least one artifact"), "{err}");
}
