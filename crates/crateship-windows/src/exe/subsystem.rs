//! Reads the subsystem field of a PE executable (console or windowed).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::ExeError;

/// The PE subsystem of an executable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeSubsystem {
    /// `IMAGE_SUBSYSTEM_WINDOWS_GUI` (2): no console window.
    Windows,
    /// `IMAGE_SUBSYSTEM_WINDOWS_CUI` (3): a console program.
    Console,
    /// Anything else (drivers, EFI, ...), with its number.
    Other(u16),
}

/// Reads the subsystem of the PE file at `path`.
pub fn pe_subsystem(path: &Path) -> Result<PeSubsystem, ExeError> {
    let not_pe = |reason: &str| ExeError::NotPe {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let io = |source| ExeError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let mut dos = [0u8; 64];
    file.read_exact(&mut dos)
        .map_err(|_| not_pe("it is shorter than a DOS header"))?;
    if &dos[..2] != b"MZ" {
        return Err(not_pe("no `MZ` signature"));
    }
    let pe_offset = u32::from_le_bytes(dos[60..64].try_into().expect("4 bytes"));
    // Signature (4) + COFF header (20) + optional header up to and including Subsystem (70).
    let mut headers = [0u8; 4 + 20 + 70];
    file.seek(SeekFrom::Start(u64::from(pe_offset)))
        .map_err(io)?;
    file.read_exact(&mut headers)
        .map_err(|_| not_pe("the PE header is truncated"))?;
    if &headers[..4] != b"PE\0\0" {
        return Err(not_pe("no `PE` signature"));
    }
    let magic = u16::from_le_bytes([headers[24], headers[25]]);
    if magic != 0x10b && magic != 0x20b {
        return Err(not_pe("unknown optional-header magic"));
    }
    // Subsystem sits at offset 68 of the optional header in both PE32 and PE32+.
    let subsystem = u16::from_le_bytes([headers[24 + 68], headers[24 + 69]]);
    Ok(match subsystem {
        2 => PeSubsystem::Windows,
        3 => PeSubsystem::Console,
        other => PeSubsystem::Other(other),
    })
}

/// For apps meant to be windowed: fails with the fix if `path` is a console program.
pub fn check_windowed(path: &Path) -> Result<(), ExeError> {
    match pe_subsystem(path)? {
        PeSubsystem::Console => Err(ExeError::ConsoleSubsystem {
            path: path.to_owned(),
        }),
        _ => Ok(()),
    }
}
