//! Auditable binaries: our object, linked into the fixture for Linux (`cargo build`),
//! Windows and macOS (`cargo zigbuild`), is read back by `rust-audit-info`, and the
//! list it prints is the SBOM's.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crateship_sbom::{DepSet, SECTION_NAME, auditable_json, auditable_link_args, auditable_object};
use serde_json::Value;

use crate::support::{LINUX, MACOS, WINDOWS, depset, fixture, run_ok};

/// Builds the fixture for `target` (release, stripped) with the auditable object
/// linked in; returns the binary's path.
fn build_with_object(deps: &DepSet, target: &str) -> std::path::PathBuf {
    let fixture = fixture();
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbom-fixture-target");
    let object_dir = target_dir.join("auditable");
    fs::create_dir_all(&object_dir).unwrap();
    let object = object_dir.join(format!("{target}.o"));
    fs::write(&object, auditable_object(deps).unwrap()).unwrap();
    let flags = auditable_link_args(&object, target).unwrap().join("\x1f");
    let target_dir_text = target_dir.to_str().unwrap();
    let env = [
        ("CARGO_ENCODED_RUSTFLAGS", flags.as_str()),
        ("CARGO_TARGET_DIR", target_dir_text),
        ("MACOSX_DEPLOYMENT_TARGET", "11.0"),
    ];
    let subcommand = if target == LINUX { "build" } else { "zigbuild" };
    run_ok(
        &fixture.dir,
        "cargo",
        &[
            subcommand,
            "--offline",
            "--quiet",
            "--release",
            "--target",
            target,
        ],
        &env,
    );
    let exe = if target.contains("windows") {
        "fixture-app.exe"
    } else {
        "fixture-app"
    };
    target_dir.join(target).join("release").join(exe)
}

fn audit_info(binary: &Path) -> Value {
    let out = run_ok(
        binary.parent().unwrap(),
        "rust-audit-info",
        &[binary.to_str().unwrap()],
        &[],
    );
    serde_json::from_str(&out).unwrap()
}

#[test]
fn rust_audit_info_reads_our_list_from_linux_windows_and_macos_binaries() {
    // One target after another: never two cargo builds at once.
    for target in [LINUX, WINDOWS, MACOS] {
        let deps = depset(fixture(), target);
        let binary = build_with_object(&deps, target);
        let read = audit_info(&binary);
        let ours: Value = serde_json::from_slice(&auditable_json(&deps).unwrap()).unwrap();
        assert_eq!(read, ours, "{target}");

        let listed: BTreeSet<String> = read["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{} {}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                )
            })
            .collect();
        let sbom = crate::support::names(&deps);
        assert_eq!(listed, sbom, "{target}");
        let root: Vec<&Value> = read["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["root"] == true)
            .collect();
        assert_eq!(root.len(), 1);
        assert_eq!(root[0]["name"], "fixture-app");
        let build: BTreeSet<&str> = read["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["kind"] == "build")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(
            build.contains("serde_derive") && !build.contains("hex"),
            "{build:?}"
        );
    }
}

#[test]
fn objects_for_every_supported_target_carry_the_section_and_symbol() {
    let fixture = fixture();
    let cases = [
        ("x86_64-unknown-linux-gnu", "elf"),
        ("aarch64-unknown-linux-gnu", "elf"),
        ("x86_64-pc-windows-gnu", "coff"),
        ("aarch64-pc-windows-msvc", "coff"),
        ("x86_64-apple-darwin", "macho"),
        ("aarch64-apple-darwin", "macho"),
    ];
    for (target, format) in cases {
        let json = crate::support::metadata(&fixture.dir, target);
        let deps = DepSet::from_metadata_json(&json, &fixture.lock, "fixture-app", target).unwrap();
        let bytes = auditable_object(&deps).unwrap();
        let (sections, symbols): (Vec<String>, Vec<String>) =
            match goblin::Object::parse(&bytes).unwrap() {
                goblin::Object::Elf(elf) => {
                    assert_eq!(format, "elf", "{target}");
                    let machine = if target.starts_with("x86_64") {
                        goblin::elf::header::EM_X86_64
                    } else {
                        goblin::elf::header::EM_AARCH64
                    };
                    assert_eq!(elf.header.e_machine, machine, "{target}");
                    (
                        elf.section_headers
                            .iter()
                            .filter_map(|s| elf.shdr_strtab.get_at(s.sh_name))
                            .map(String::from)
                            .collect(),
                        elf.syms
                            .iter()
                            .filter_map(|s| elf.strtab.get_at(s.st_name))
                            .map(String::from)
                            .collect(),
                    )
                }
                goblin::Object::COFF(coff) => {
                    assert_eq!(format, "coff", "{target}");
                    let strings = coff.strings.as_ref();
                    (
                        coff.sections
                            .iter()
                            .map(|s| s.name().unwrap().to_owned())
                            .collect(),
                        coff.symbols
                            .iter()
                            .flat_map(|table| table.iter())
                            .filter_map(|(_, name, symbol)| {
                                name.map(String::from).or_else(|| {
                                    strings.and_then(|t| symbol.name(t).ok()).map(String::from)
                                })
                            })
                            .collect(),
                    )
                }
                goblin::Object::Mach(goblin::mach::Mach::Binary(macho)) => {
                    assert_eq!(format, "macho", "{target}");
                    let sections = macho
                        .segments
                        .sections()
                        .flatten()
                        .map(|s| {
                            let (section, _) = s.unwrap();
                            format!("{},{}", section.segname().unwrap(), section.name().unwrap())
                        })
                        .collect();
                    let symbols = macho.symbols().map(|s| s.unwrap().0.to_owned()).collect();
                    (sections, symbols)
                }
                other => panic!("{target}: unexpected object {other:?}"),
            };
        let expected_section = if format == "macho" {
            format!("__DATA,{SECTION_NAME}")
        } else {
            SECTION_NAME.to_owned()
        };
        assert!(
            sections.contains(&expected_section),
            "{target}: {sections:?}"
        );
        let symbol = if format == "macho" {
            "_AUDITABLE_VERSION_INFO"
        } else {
            "AUDITABLE_VERSION_INFO"
        };
        assert!(symbols.iter().any(|s| s == symbol), "{target}: {symbols:?}");
        assert_eq!(
            bytes,
            auditable_object(&deps).unwrap(),
            "{target}: deterministic"
        );
    }
}

#[test]
fn link_args_name_the_object_and_the_symbol_root_per_target() {
    let object = Path::new("/build/target/auditable/app.o");
    assert_eq!(
        auditable_link_args(object, LINUX).unwrap(),
        [
            "-Clink-arg=/build/target/auditable/app.o",
            "-Clink-arg=-Wl,-u,AUDITABLE_VERSION_INFO"
        ]
    );
    assert_eq!(
        auditable_link_args(object, MACOS).unwrap()[1],
        "-Clink-arg=-Wl,-u,_AUDITABLE_VERSION_INFO"
    );
    assert_eq!(
        auditable_link_args(object, "x86_64-pc-windows-msvc").unwrap()[1],
        "-Clink-arg=/INCLUDE:AUDITABLE_VERSION_INFO"
    );
    assert_eq!(
        auditable_link_args(object, WINDOWS).unwrap()[1],
        "-Clink-arg=-Wl,-u,AUDITABLE_VERSION_INFO"
    );
}

#[test]
fn an_unsupported_target_is_named_with_the_way_out() {
    let fixture = fixture();
    let target = "riscv64gc-unknown-linux-gnu";
    let json = crate::support::metadata(&fixture.dir, target);
    let deps = DepSet::from_metadata_json(&json, &fixture.lock, "fixture-app", target).unwrap();
    let err = auditable_object(&deps).unwrap_err().to_string();
    assert!(
        err.contains(target) && err.contains("auditable = false"),
        "{err}"
    );
    let err = auditable_link_args(Path::new("a.o"), "wasm32-unknown-unknown")
        .unwrap_err()
        .to_string();
    assert!(err.contains("wasm32-unknown-unknown"), "{err}");
}
