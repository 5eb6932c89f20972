//! Auditable binaries: the dependency list `cargo auditable` embeds, in its format,
//! as a relocatable object the linker adds to each binary, without the user
//! installing `cargo auditable`.
//!
//! The format (what `rust-audit-info`, `cargo audit bin`, syft and Trivy read): the
//! JSON of `auditable-serde`'s `VersionInfo` — `{"packages":[…],"format":1}`, each
//! package `{"name","version","source"}` plus `"kind":"build"` when it only runs at
//! build time, `"dependencies"` (indices into `packages`) when it has any and
//! `"root":true` for the one root — zlib-compressed, as the contents of a section
//! named `.dep-v0` (in segment `__DATA` on Mach-O; a non-allocated section on ELF),
//! with a global data symbol `AUDITABLE_VERSION_INFO` over it. Format 1 means
//! proc-macros and what only they pull in are recorded as build dependencies.
//!
//! The linker keeps the section because the symbol is made a required root: `-u`
//! (through the compiler driver as `-Wl,-u,SYMBOL`; Mach-O symbols carry a leading
//! `_`) or `/INCLUDE:SYMBOL` for MSVC's linker. [`auditable_link_args`] gives those
//! flags for `CARGO_ENCODED_RUSTFLAGS`; they work with the host `cc` and with
//! `cargo zigbuild`'s `zig cc`, which accepts `-u` but not GNU's `--undefined=`.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use object::write::{MachOBuildVersion, Object, StandardSegment, Symbol, SymbolSection};
use object::{
    Architecture, BinaryFormat, Endianness, SectionFlags, SectionKind, SymbolFlags, SymbolKind,
    SymbolScope,
};
use serde::Serialize;

use crate::{DepSet, SbomError};

/// The section `cargo auditable` readers look for.
pub const SECTION_NAME: &str = ".dep-v0";
/// The symbol over the section, as written (Mach-O adds a leading `_`).
pub const SYMBOL_NAME: &str = "AUDITABLE_VERSION_INFO";
/// The `auditable-serde` format revision written: proc-macros are build dependencies.
const FORMAT: u32 = 1;

/// The `auditable-serde` JSON of `deps` (uncompressed), as `rust-audit-info` prints it.
pub fn auditable_json(deps: &DepSet) -> Result<Vec<u8>, SbomError> {
    let packages = deps
        .crates()
        .iter()
        .enumerate()
        .map(|(index, krate)| Package {
            name: &krate.name,
            version: &krate.version,
            source: krate.source.auditable_name(),
            kind: krate.build_only.then_some("build"),
            dependencies: &krate.dependencies,
            root: index == deps.root_index(),
        })
        .collect();
    serde_json::to_vec(&VersionInfo {
        packages,
        format: FORMAT,
    })
    .map_err(|source| SbomError::Serialize {
        document: "auditable dependency list",
        source,
    })
}

/// A relocatable object file for the set's target (x86_64 or aarch64; ELF, COFF or
/// Mach-O by the triple) whose `.dep-v0` section holds the zlib-compressed
/// [`auditable_json`]. Link it into every binary of the target with
/// [`auditable_link_args`].
pub fn auditable_object(deps: &DepSet) -> Result<Vec<u8>, SbomError> {
    let target = deps.target();
    let (format, architecture) = object_kind(target)?;
    let mut compressed = ZlibEncoder::new(Vec::new(), Compression::best());
    let written = compressed
        .write_all(&auditable_json(deps)?)
        .and_then(|()| compressed.finish());
    let contents = written.map_err(|e| object_error(target, &e))?;

    let mut file = Object::new(format, architecture, Endianness::Little);
    if format == BinaryFormat::MachO {
        // A build-version command keeps ld64-style linkers from warning that the
        // object was "built for an unknown platform".
        let mut version = MachOBuildVersion::default();
        version.platform = object::macho::PLATFORM_MACOS;
        version.minos = macos_floor(architecture);
        version.sdk = version.minos;
        file.set_macho_build_version(version);
    }
    let segment = file.segment_name(StandardSegment::Data).to_vec();
    let section = file.add_section(
        segment,
        SECTION_NAME.as_bytes().to_vec(),
        SectionKind::ReadOnlyData,
    );
    if format == BinaryFormat::Elf {
        // Not allocated: the list is read from the file, never mapped at run time.
        file.section_mut(section).flags = SectionFlags::Elf {
            sh_type: object::elf::SHT_PROGBITS,
            sh_flags: object::elf::SectionFlags(0),
        };
    }
    let offset = file.append_section_data(section, &contents, 1);
    file.add_symbol(Symbol {
        name: SYMBOL_NAME.as_bytes().to_vec(),
        value: offset,
        size: contents.len() as u64,
        kind: SymbolKind::Data,
        scope: SymbolScope::Dynamic,
        weak: false,
        section: SymbolSection::Section(section),
        flags: SymbolFlags::None,
    });
    file.write().map_err(|e| object_error(target, &e))
}

/// The flags, one `CARGO_ENCODED_RUSTFLAGS` entry each, that link `object_path` (the
/// bytes of [`auditable_object`], written by the caller) into every binary of
/// `target` and keep its section: `-Clink-arg=OBJECT` and the symbol root
/// (`-Clink-arg=-Wl,-u,AUDITABLE_VERSION_INFO`; `_AUDITABLE_VERSION_INFO` on Apple
/// targets; `-Clink-arg=/INCLUDE:AUDITABLE_VERSION_INFO` on `*-windows-msvc`).
///
/// Pass `--target` to cargo as well, so that the flags reach only the target's
/// artifacts and not build scripts or proc-macros.
pub fn auditable_link_args(object_path: &Path, target: &str) -> Result<Vec<String>, SbomError> {
    object_kind(target)?;
    let path = object_path.to_str().ok_or_else(|| SbomError::NonUtf8Path {
        path: object_path.to_owned(),
    })?;
    let root = if target.contains("-apple-") {
        format!("-Wl,-u,_{SYMBOL_NAME}")
    } else if target.ends_with("-windows-msvc") {
        format!("/INCLUDE:{SYMBOL_NAME}")
    } else {
        format!("-Wl,-u,{SYMBOL_NAME}")
    };
    Ok(vec![
        format!("-Clink-arg={path}"),
        format!("-Clink-arg={root}"),
    ])
}

/// The object format and architecture of a target triple.
fn object_kind(target: &str) -> Result<(BinaryFormat, Architecture), SbomError> {
    let unsupported = || SbomError::UnsupportedTarget {
        target: target.to_owned(),
    };
    let architecture = match target.split('-').next() {
        Some("x86_64") if !target.ends_with("x32") => Architecture::X86_64,
        Some("aarch64" | "arm64") => Architecture::Aarch64,
        _ => return Err(unsupported()),
    };
    let format = if target.contains("-apple-darwin") {
        BinaryFormat::MachO
    } else if target.contains("-windows-") {
        BinaryFormat::Coff
    } else if target.contains("-linux-") {
        BinaryFormat::Elf
    } else {
        return Err(unsupported());
    };
    Ok((format, architecture))
}

/// The oldest macOS each architecture's Rust target supports.
fn macos_floor(architecture: Architecture) -> object::macho::Version {
    match architecture {
        Architecture::Aarch64 => object::macho::Version::new(11, 0, 0),
        _ => object::macho::Version::new(10, 12, 0),
    }
}

fn object_error(target: &str, error: &dyn std::fmt::Display) -> SbomError {
    SbomError::ObjectWrite {
        target: target.to_owned(),
        reason: error.to_string(),
    }
}

#[derive(Serialize)]
struct VersionInfo<'a> {
    packages: Vec<Package<'a>>,
    format: u32,
}

#[derive(Serialize)]
struct Package<'a> {
    name: &'a str,
    version: &'a str,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "<[usize]>::is_empty")]
    dependencies: &'a [usize],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    root: bool,
}

/// One crate of a binary's embedded dependency list, as [`read_auditable`] returns it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct AuditedCrate {
    /// Crate name.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// `crates.io`, `git`, `local`, `registry` or another source name.
    #[serde(default)]
    pub source: String,
    /// `build` when it only runs at build time; absent (`runtime`) otherwise.
    #[serde(default)]
    pub kind: Option<String>,
}

/// The dependency list embedded in a linked binary (ELF, PE or Mach-O; the
/// first slice of a fat Mach-O): `None` when it has no `.dep-v0` section; an
/// error says why the section does not decode.
pub fn read_auditable(binary: &[u8]) -> Result<Option<Vec<AuditedCrate>>, String> {
    use object::read::{Object as _, ObjectSection as _};
    let thin = match object::read::macho::MachOFatFile32::parse(binary) {
        Ok(fat) => match fat.arches().first() {
            Some(arch) => {
                use object::read::macho::FatArch as _;
                arch.data(binary)
                    .map_err(|e| format!("its first slice cannot be read: {e}"))?
            }
            None => return Ok(None),
        },
        Err(_) => binary,
    };
    let file = object::read::File::parse(thin).map_err(|e| format!("it does not parse: {e}"))?;
    let Some(section) = file.section_by_name(SECTION_NAME) else {
        return Ok(None);
    };
    let compressed = section
        .data()
        .map_err(|e| format!("its {SECTION_NAME} section cannot be read: {e}"))?;
    let mut json = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(flate2::read::ZlibDecoder::new(compressed), 64 << 20),
        &mut json,
    )
    .map_err(|e| format!("its {SECTION_NAME} section is not zlib data: {e}"))?;
    #[derive(serde::Deserialize)]
    struct Info {
        packages: Vec<AuditedCrate>,
    }
    let info: Info = serde_json::from_slice(&json)
        .map_err(|e| format!("its {SECTION_NAME} section is not a dependency list: {e}"))?;
    Ok(Some(info.packages))
}
