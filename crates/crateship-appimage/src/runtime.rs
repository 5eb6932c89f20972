//! The runtime executables embedded in this crate, how they are patched into an
//! AppImage header, and the exact recipe that rebuilds them (for `cargo xtask`).
//!
//! The binaries under `runtime/` are built from `crates/crateship-appimage-runtime`
//! by [`RuntimeBuild`] and committed, so that `cargo install crateship` works
//! offline without a musl toolchain (see this crate's README).

use std::path::{Path, PathBuf};

use crateship_linux::Arch;
use goblin::elf::Elf;
use goblin::elf::section_header::SHT_NOBITS;

use crate::AppImageError;

/// The AppImage type 2 magic, written at ELF `e_ident[8..11]`.
pub const MAGIC: [u8; 3] = *b"AI\x02";

/// The committed static musl runtime for `arch`.
pub fn runtime(arch: Arch) -> &'static [u8] {
    match arch {
        Arch::X86_64 => include_bytes!("../runtime/x86_64"),
        Arch::Aarch64 => include_bytes!("../runtime/aarch64"),
    }
}

/// Where a section lies in the runtime file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionRange {
    /// File offset.
    pub offset: usize,
    /// Size in bytes.
    pub size: usize,
}

/// What the writer needs to know about a runtime executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeLayout {
    /// End of the ELF file (section headers or last section) = payload offset.
    pub end: usize,
    /// The `.upd_info` section.
    pub upd_info: SectionRange,
}

fn bad(reason: impl Into<String>) -> AppImageError {
    AppImageError::Runtime {
        reason: reason.into(),
    }
}

/// Parses `runtime` and checks that it is a 64-bit ELF for `arch` that ends
/// exactly at the end of its section headers and carries a `.upd_info` section.
pub fn runtime_layout(runtime: &[u8], arch: Arch) -> Result<RuntimeLayout, AppImageError> {
    let elf = Elf::parse(runtime).map_err(|e| bad(format!("not an ELF file ({e})")))?;
    if !elf.is_64 || !elf.little_endian {
        return Err(bad("not a 64-bit little-endian ELF file"));
    }
    if elf.header.e_machine != arch.elf_machine() {
        return Err(bad(format!(
            "built for ELF machine {}, but the AppImage is for {} (machine {})",
            elf.header.e_machine,
            arch.rpm_name(),
            arch.elf_machine()
        )));
    }
    let header = &elf.header;
    let mut end =
        header.e_shoff as usize + usize::from(header.e_shentsize) * usize::from(header.e_shnum);
    let mut upd_info = None;
    for sh in &elf.section_headers {
        if sh.sh_type != SHT_NOBITS {
            end = end.max((sh.sh_offset + sh.sh_size) as usize);
        }
        if elf.shdr_strtab.get_at(sh.sh_name) == Some(".upd_info") {
            upd_info = Some(SectionRange {
                offset: sh.sh_offset as usize,
                size: sh.sh_size as usize,
            });
        }
    }
    if end != runtime.len() {
        return Err(bad(format!(
            "the ELF ends at byte {end} but the file has {} bytes (trailing data, or a truncated file)",
            runtime.len()
        )));
    }
    let upd_info = upd_info.ok_or_else(|| bad("it has no `.upd_info` section"))?;
    if upd_info.size != 1024 || upd_info.offset + upd_info.size > end {
        return Err(bad(
            "its `.upd_info` section is not 1024 bytes inside the file",
        ));
    }
    Ok(RuntimeLayout { end, upd_info })
}

/// A copy of `runtime` with the AppImage magic at `e_ident[8..11]` and
/// `update_information` (NUL-padded) in `.upd_info`.
pub fn prepare_runtime(
    runtime: &[u8],
    arch: Arch,
    update_information: Option<&str>,
) -> Result<Vec<u8>, AppImageError> {
    let layout = runtime_layout(runtime, arch)?;
    let mut out = runtime.to_vec();
    out[8..11].copy_from_slice(&MAGIC);
    let section = &mut out[layout.upd_info.offset..layout.upd_info.offset + layout.upd_info.size];
    section.fill(0);
    if let Some(info) = update_information {
        // Keep one NUL so readers that stop at the first NUL always find one.
        if info.len() >= section.len() || info.contains('\0') || info.contains('\n') {
            return Err(AppImageError::InvalidInput {
                field: "update_information",
                value: info.to_string(),
                reason: format!(
                    "must be one line of at most {} bytes (e.g. `zsync|https://…/App-latest-x86_64.AppImage.zsync`)",
                    section.len() - 1
                ),
            });
        }
        section[..info.len()].copy_from_slice(info.as_bytes());
    }
    Ok(out)
}

/// How to rebuild the runtime for one architecture, reproducibly: a `cargo`
/// invocation (argv and environment, no shell) that `cargo xtask` runs from the
/// workspace root, and where the result lands and is committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeBuild {
    /// Rust target triple (`x86_64-unknown-linux-musl`).
    pub target: &'static str,
    /// Arguments after `cargo`.
    pub args: Vec<String>,
    /// Environment variables to set (they override any `RUSTFLAGS` of the caller).
    pub env: Vec<(String, String)>,
    /// The built executable.
    pub output: PathBuf,
    /// The committed copy, relative to the workspace root.
    pub committed: &'static str,
}

/// The rustup target triple of the runtime for `arch`.
pub fn runtime_target(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "x86_64-unknown-linux-musl",
        Arch::Aarch64 => "aarch64-unknown-linux-musl",
    }
}

/// The recipe for `arch`. `workspace` and `cargo_home` are remapped out of the
/// binary (panic locations), `target_dir` is a directory used only for this.
/// Needs only `rustup target add {target}`: it links with the bundled `rust-lld`
/// and musl's self-contained start files, so no C compiler or musl-gcc.
pub fn runtime_build(
    arch: Arch,
    workspace: &Path,
    cargo_home: &Path,
    target_dir: &Path,
) -> RuntimeBuild {
    let target = runtime_target(arch);
    let config = [
        "profile.release.opt-level=\"s\"",
        // The zstd decoder is the hot path of reads through the mount: at opt-level 3
        // it reads 30 % faster for 2 % more runtime.
        "profile.release.package.ruzstd.opt-level=3",
        "profile.release.lto=true",
        "profile.release.codegen-units=1",
        "profile.release.panic=\"abort\"",
        "profile.release.strip=\"symbols\"",
        "profile.release.debug=0",
        "profile.release.incremental=false",
    ];
    let mut args: Vec<String> = [
        "build",
        "--locked",
        "--release",
        "--package",
        "crateship-appimage-runtime",
        "--target",
        target,
        "--target-dir",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(target_dir.display().to_string());
    for c in config {
        args.push("--config".into());
        args.push(c.into());
    }
    let rustflags = [
        format!("--remap-path-prefix={}=/crateship", workspace.display()),
        format!("--remap-path-prefix={}=/cargo", cargo_home.display()),
        format!("--remap-path-prefix={}=/target", target_dir.display()),
        "-Clinker=rust-lld".to_string(),
        "-Clink-self-contained=yes".to_string(),
        "-Clink-arg=--build-id=none".to_string(),
    ];
    RuntimeBuild {
        target,
        args,
        env: vec![("CARGO_ENCODED_RUSTFLAGS".into(), rustflags.join("\u{1f}"))],
        output: target_dir
            .join(target)
            .join("release")
            .join("crateship-appimage-runtime"),
        committed: match arch {
            Arch::X86_64 => "crates/crateship-appimage/runtime/x86_64",
            Arch::Aarch64 => "crates/crateship-appimage/runtime/aarch64",
        },
    }
}
