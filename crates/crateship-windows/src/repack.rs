//! Final assembly: the in-memory database is copied into a fresh version-3 compound file
//! (512-byte sectors, what WiX and msitools write, and what osslsigncode accepts), and the
//! cabinets are streamed in from their temp files. Root timestamps come from
//! `source_date_epoch`, so the output is byte-identical for identical input.

use std::fs::File;
use std::io::{self, Cursor, Seek, SeekFrom, Write};

use crate::cabinet::Cabinets;
use crate::database::epoch_time;
use crate::{MsiError, streamname};

/// Windows Installer cannot open packages of 2 GiB or more.
const MAX_PACKAGE_SIZE: u64 = (1 << 31) - 1;

/// 1601-01-01, the zero of compound-file timestamps.
fn cfb_epoch() -> std::time::SystemTime {
    std::time::UNIX_EPOCH - std::time::Duration::from_secs(11_644_473_600)
}

/// Writes the package into `out` (truncated first).
pub(crate) fn write(
    db: Vec<u8>,
    cabinets: &Cabinets,
    source_date_epoch: i64,
    out: &mut File,
) -> Result<(), MsiError> {
    // Payload plus the allocation tables (4 bytes per 512-byte sector) and headers.
    let payload = db.len() as u64 + cabinets.cabinets.iter().map(|c| c.len).sum::<u64>();
    let projected = payload + payload / 128 + 64 * 1024;
    if projected > MAX_PACKAGE_SIZE {
        return Err(MsiError::PackageTooLarge {
            size: projected,
            max: MAX_PACKAGE_SIZE,
        });
    }
    let output = |source: io::Error| MsiError::WriteOutput { source };
    out.set_len(0).map_err(output)?;
    out.seek(SeekFrom::Start(0)).map_err(output)?;

    let internal = |what: &str, source: io::Error| MsiError::Database {
        table: what.to_owned(),
        source,
    };
    let mut source =
        cfb::CompoundFile::open(Cursor::new(db)).map_err(|e| internal("(reopen database)", e))?;
    let mut target =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, &mut *out).map_err(output)?;
    let entries: Vec<cfb::Entry> = source.walk().collect();
    for entry in &entries {
        if entry.is_stream() {
            let mut reader = source
                .open_stream(entry.path())
                .map_err(|e| internal(entry.name(), e))?;
            let mut writer = target.create_stream(entry.path()).map_err(output)?;
            io::copy(&mut reader, &mut writer).map_err(output)?;
            writer.flush().map_err(output)?;
        } else if !entry.is_root() {
            target.create_storage(entry.path()).map_err(output)?;
        }
    }
    for cabinet in &cabinets.cabinets {
        let mut writer = target
            .create_stream(format!("/{}", streamname::encode(&cabinet.stream)))
            .map_err(output)?;
        let mut reader = &cabinet.file;
        let copied = io::copy(&mut reader, &mut writer).map_err(|source| MsiError::TempFile {
            what: format!("cabinet {}", cabinet.stream),
            source,
        })?;
        writer.flush().map_err(output)?;
        debug_assert_eq!(copied, cabinet.len);
    }
    let root = source.root_entry();
    let time = epoch_time(source_date_epoch);
    target
        .set_storage_clsid("/", *root.clsid())
        .map_err(output)?;
    target
        .set_state_bits("/", root.state_bits())
        .map_err(output)?;
    // MS-CFB: the root's creation time must be zero (osslsigncode checks it).
    target.set_created_time("/", cfb_epoch()).map_err(output)?;
    target.set_modified_time("/", time).map_err(output)?;
    target.flush().map_err(output)?;
    drop(target);
    let size = out.seek(SeekFrom::End(0)).map_err(output)?;
    if size > MAX_PACKAGE_SIZE {
        return Err(MsiError::PackageTooLarge {
            size,
            max: MAX_PACKAGE_SIZE,
        });
    }
    out.flush().map_err(output)
}
