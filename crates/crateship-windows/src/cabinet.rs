//! Embedded MSZIP cabinets: the payload is cut into cabinets at fixed size and count
//! limits, each cabinet is streamed into an anonymous temp file (never held in memory),
//! and cabinets are compressed in parallel ([`OrderedPool`]). The file MD5s for `MsiFileHash` are computed
//! in the same pass.
//!
//! The cut points depend only on file sizes, never on the number of cores, so the output
//! is the same on every machine.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Range;

use crateship_support::OrderedPool;
use md5::{Digest, Md5};

use crate::MsiError;
use crate::cabwriter::{CabWriter, Member};
use crate::layout::{Entry, Layout};

/// Largest payload file accepted: below the cabinet limit of 0x7fff8000 bytes with room
/// for MSZIP framing, and below the 2 GiB package limit of Windows Installer.
pub(crate) const MAX_FILE_SIZE: u64 = 2_000_000_000;
const _: () = assert!(
    MAX_FILE_SIZE < 0x7fff_8000,
    "must fit the CAB per-file limit"
);

/// A cabinet is closed before its uncompressed payload would exceed this size. Small
/// enough that a typical payload yields several cabinets to compress in parallel, large
/// enough that per-cabinet overhead stays negligible.
const CABINET_TARGET_BYTES: u64 = 16 << 20;

/// Files per cabinet (the CAB format counts them in 16 bits).
const CABINET_MAX_FILES: usize = 65_535;

/// Read buffer for payload files.
const CHUNK: usize = 256 << 10;

/// One finished cabinet.
#[derive(Debug)]
pub(crate) struct Cabinet {
    /// Stream name inside the MSI (`cab1.cab`); Media.Cabinet is `#` + this.
    pub stream: String,
    /// The cabinet bytes, rewound.
    pub file: File,
    /// Its size in bytes.
    pub len: u64,
    /// Sequence number of its last file (1-based).
    pub last_sequence: usize,
}

/// All cabinets plus the MD5 of every payload file (in File.Sequence order).
#[derive(Debug)]
pub(crate) struct Cabinets {
    /// Cabinets in DiskId order.
    pub cabinets: Vec<Cabinet>,
    /// MD5 of each file, indexed like `Layout::files`.
    pub md5: Vec<[u8; 16]>,
}

/// Cuts `sizes` into consecutive ranges, each at most `max_files` long and, unless a single
/// file is larger, at most `target_bytes` in total.
pub(crate) fn plan(sizes: &[u64], target_bytes: u64, max_files: usize) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut bytes = 0u64;
    for (i, &size) in sizes.iter().enumerate() {
        let count = i - start;
        if count > 0 && (count >= max_files || bytes + size > target_bytes) {
            ranges.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < sizes.len() {
        ranges.push(start..sizes.len());
    }
    ranges
}

/// Builds every cabinet of `layout`, stamping members with `source_date_epoch`.
pub(crate) fn build_all(layout: &Layout, source_date_epoch: i64) -> Result<Cabinets, MsiError> {
    let sizes: Vec<u64> = layout.files.iter().map(|e| e.size).collect();
    let ranges = plan(&sizes, CABINET_TARGET_BYTES, CABINET_MAX_FILES);
    let datetime = crateship_support::date::dos_datetime(source_date_epoch);

    // Cabinets go to temp files, so a few finished ones may wait for their turn.
    let workers = crateship_support::pool::threads(0).clamp(1, ranges.len().max(1));
    let mut pool = OrderedPool::stateless(workers, workers * 2, move |job: (usize, Vec<Entry>)| {
        let (index, files) = job;
        build_one(&cabinet_name(index), &files, datetime)
    });
    let mut cabinets = Vec::with_capacity(ranges.len());
    let mut md5 = Vec::with_capacity(layout.files.len());
    let mut keep = |built: Result<(File, u64, Vec<[u8; 16]>), MsiError>| -> Result<(), MsiError> {
        let (file, len, digests) = built?;
        let index = cabinets.len();
        md5.extend(digests);
        cabinets.push(Cabinet {
            stream: cabinet_name(index),
            file,
            len,
            last_sequence: ranges[index].end,
        });
        Ok(())
    };
    // An error returns early: dropping the pool skips the cabinets not yet begun.
    for (index, range) in ranges.iter().enumerate() {
        if let Some(built) = pool.submit((index, layout.files[range.clone()].to_vec())) {
            keep(built)?;
        }
    }
    for built in pool.drain() {
        keep(built)?;
    }
    Ok(Cabinets { cabinets, md5 })
}

/// `cab1.cab`, `cab2.cab`, ...
fn cabinet_name(index: usize) -> String {
    format!("cab{}.cab", index + 1)
}

/// Writes one cabinet with `files` into an anonymous temp file.
fn build_one(
    name: &str,
    files: &[Entry],
    datetime: (u16, u16),
) -> Result<(File, u64, Vec<[u8; 16]>), MsiError> {
    let temp = tempfile::tempfile().map_err(|source| MsiError::TempFile {
        what: format!("cabinet {name}"),
        source,
    })?;
    let cab_error = |file: &str, source: io::Error| MsiError::Cabinet {
        cabinet: name.to_owned(),
        file: file.to_owned(),
        source,
    };
    let members: Vec<Member> = files
        .iter()
        .map(|e| Member {
            name: &e.key,
            size: u32::try_from(e.size).expect("sizes are checked"),
        })
        .collect();
    let mut writer = CabWriter::new(BufWriter::with_capacity(CHUNK, temp), &members, datetime)
        .map_err(|e| cab_error("", e))?;
    let mut digests = Vec::with_capacity(files.len());
    let mut buf = vec![0u8; CHUNK];
    for entry in files {
        let mut source = File::open(&entry.source).map_err(|source| MsiError::ReadInput {
            what: "payload file",
            path: entry.source.clone(),
            source,
        })?;
        let mut hasher = Md5::new();
        let mut total = 0u64;
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(MsiError::ReadInput {
                        what: "payload file",
                        path: entry.source.clone(),
                        source,
                    });
                }
            };
            total += n as u64;
            if total > entry.size {
                break;
            }
            hasher.update(&buf[..n]);
            writer
                .write_all(&buf[..n])
                .map_err(|e| cab_error(&entry.dest, e))?;
        }
        if total != entry.size {
            return Err(MsiError::FileChanged {
                path: entry.source.clone(),
                expected: entry.size,
                actual: total,
            });
        }
        digests.push(hasher.finalize().into());
    }
    let buffered = writer.finish().map_err(|e| cab_error("", e))?;
    let mut file = buffered.into_inner().map_err(|e| MsiError::TempFile {
        what: format!("cabinet {name}"),
        source: e.into_error(),
    })?;
    let len = file
        .seek(SeekFrom::End(0))
        .and_then(|len| file.seek(SeekFrom::Start(0)).map(|_| len))
        .map_err(|source| MsiError::TempFile {
            what: format!("cabinet {name}"),
            source,
        })?;
    Ok((file, len, digests))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cabinets_are_cut_by_size() {
        assert_eq!(plan(&[10, 10, 10], 25, 100), vec![0..2, 2..3]);
        // A single file above the target still gets a cabinet of its own.
        assert_eq!(plan(&[5, 100, 5], 25, 100), vec![0..1, 1..2, 2..3]);
        assert_eq!(plan(&[], 25, 100), Vec::<Range<usize>>::new());
    }

    #[test]
    fn cabinets_are_cut_past_65535_files() {
        let sizes = vec![1u64; 70_000];
        let ranges = plan(&sizes, CABINET_TARGET_BYTES, CABINET_MAX_FILES);
        assert_eq!(ranges, vec![0..65_535, 65_535..70_000]);
    }

    #[test]
    fn cabinets_stay_below_2_gib() {
        // 3 GiB of payload in 1 GiB files: no cabinet holds more than one of them.
        let sizes = vec![1u64 << 30; 3];
        let ranges = plan(&sizes, CABINET_TARGET_BYTES, CABINET_MAX_FILES);
        assert_eq!(ranges.len(), 3);
    }
}
