//! What a binary is, and whether it is a program for a release target.
//!
//! [`inspect`] reads a file and says what it is: an ELF, PE or Mach-O (thin or
//! fat) binary with its machine, linkage, loader and libraries, glibc floor,
//! subsystem, slices, minimum macOS, code-signature and certificate presence,
//! and the evidence of debug information ([`DebugInfo`] says exactly what
//! counts). [`check`] adds the target's rules ([`Expected`], from a triple) and
//! refuses, with a message naming the file, what it is, what the target needs
//! and the fix: empty files, scripts, non-programs, damaged binaries, another
//! OS or architecture, libraries, dynamic ELFs for musl targets, and anything
//! but an x86-64 + arm64 fat Mach-O for `universal-apple-darwin`.
//! [`require_gui`] refuses a console-subsystem Windows program for windowed
//! apps. [`host_paths`] finds build-machine paths in any bytes.
//!
//! How files are read: the first 4 KiB decide what a file is; only a binary is
//! then read whole into memory (the parsers need random access to headers
//! spread over the file), so memory grows with the binary's size. The host-path
//! scan streams ([`host_paths_in`]) and stays bounded.
//!
//! What this crate never does: spawn a process, write a file, or judge a
//! signature's validity (it reports only whether one is present).
#![deny(missing_docs)]

mod binary;
mod check;
mod elf;
mod error;
mod host_paths;
mod macho;
mod pe;
mod sniff;
mod target;
mod version;

use std::path::Path;

pub use binary::{
    ApplePlatform, Binary, DebugInfo, ElfInfo, FileType, Kind, MachOInfo, MachOSlice, Machine,
    PeInfo, Subsystem,
};
pub use check::{check, check_binary, require_gui};
pub use error::{InspectError, Refusal, Refused};
pub use host_paths::{
    HostPathScanner, MAX_HOST_PATHS, MAX_PATH_LEN, host_paths, host_paths_in, host_paths_in_file,
};
pub use target::{Arch, Expected, Libc, Os};
pub use version::{GlibcVersion, OsVersion, VersionError};

use sniff::{Content, Format};

/// Reads `path` and says what binary it is.
///
/// Anything that is not an ELF, PE or Mach-O binary (an empty file, a script,
/// text, an archive, random bytes) and a binary that cannot be parsed are
/// refused with [`InspectError::Refused`], whose [`Refusal`] says which.
pub fn inspect(path: &Path) -> Result<Binary, InspectError> {
    match sniff::read(path)? {
        Content::Binary(format, bytes) => parse(path, format, &bytes, None),
        Content::NotAProgram(what) => Err(check::not_a_program(path, &what, None)),
    }
}

/// [`inspect`] on bytes already in memory; `path` only names them in messages
/// and in [`Binary::path`].
pub fn inspect_bytes(path: &Path, bytes: &[u8]) -> Result<Binary, InspectError> {
    let head = &bytes[..bytes.len().min(4096)];
    match sniff::classify(head) {
        Ok(format) => parse(path, format, bytes, None),
        Err(what) => Err(check::not_a_program(path, &what, None)),
    }
}

/// Parses a binary of a known format; a parser error is a [`Refusal::Damaged`].
pub(crate) fn parse(
    path: &Path,
    format: Format,
    bytes: &[u8],
    expected: Option<&Expected>,
) -> Result<Binary, InspectError> {
    let parsed = match format {
        Format::Elf => elf::read(bytes).map(|(info, debug)| (Kind::Elf(info), debug)),
        Format::Pe => pe::read(bytes).map(|(info, debug)| (Kind::Pe(info), debug)),
        Format::MachO => macho::read(bytes).map(|(info, debug)| (Kind::MachO(info), debug)),
    };
    match parsed {
        Ok((kind, debug_info)) => Ok(Binary {
            path: path.to_owned(),
            kind,
            debug_info,
        }),
        Err(source) => Err(InspectError::Refused(Box::new(Refused {
            path: path.to_owned(),
            refusal: Refusal::Damaged,
            found: format!(
                "a damaged or truncated {} file ({} bytes)",
                format.name(),
                bytes.len()
            ),
            target: expected.map(|e| e.target.clone()),
            needs: check::needs(expected),
            fix: "build it again; the file was cut short or changed after linking".to_owned(),
            source: Some(source),
        }))),
    }
}
