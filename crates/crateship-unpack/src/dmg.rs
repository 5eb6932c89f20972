//! A .dmg: a UDIF image (fstool's reader inflates its chunks on demand) holding
//! one HFS+ volume. Every regular file is visited with its path below the
//! volume root (`Tiny App.app/Contents/Info.plist`), depth first in name order
//! (a directory's files before its subdirectories);
//! HFS+'s private metadata directories are skipped. HFS+ stores names
//! decomposed (NFD); they are given back composed (NFC), as a Linux source tree
//! and the other containers spell them, so the gate compares like with like.

use std::path::Path;

use fstool::block::dmg::DmgBackend;
use fstool::fs::EntryKind;
use fstool::fs::hfs_plus::HfsPlus;
use unicode_normalization::UnicodeNormalization as _;

use crate::{UnpackError, Visitor};

/// Directories HFS+ keeps for hard links, not part of what was shipped.
fn is_private(name: &str) -> bool {
    name.starts_with('\0') || name.starts_with(".HFS+ Private")
}

pub(crate) fn read(path: &Path, visit: &mut Visitor<'_>) -> Result<(), UnpackError> {
    let bad = UnpackError::format(path, ".dmg");
    let mut dev = DmgBackend::open(path).map_err(|e| bad(format!("its UDIF image ({e})")))?;
    let volume = HfsPlus::open(&mut dev).map_err(|e| bad(format!("its HFS+ volume ({e})")))?;
    let mut pending = vec![String::new()];
    while let Some(dir) = pending.pop() {
        let listed = volume
            .list_path(&mut dev, if dir.is_empty() { "/" } else { &dir })
            .map_err(|e| bad(format!("directory `{dir}/` ({e})")))?;
        let mut entries: Vec<_> = listed
            .into_iter()
            .filter(|e| !is_private(&e.name))
            .collect();
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        let mut subdirs = Vec::new();
        for entry in entries {
            let child = format!("{dir}/{}", entry.name);
            match entry.kind {
                EntryKind::Dir => subdirs.push(child),
                EntryKind::Regular => {
                    let mut reader = volume
                        .open_file_reader(&mut dev, &child)
                        .map_err(|e| bad(format!("file `{child}` ({e})")))?;
                    let composed: String = child[1..].nfc().collect();
                    visit(&composed, &mut reader).map_err(UnpackError::io(path))?;
                }
                // The `/Applications` link and any other symlink: nothing to read.
                _ => {}
            }
        }
        // A stack: pushed last-first so the first subdirectory is walked next.
        pending.extend(subdirs.into_iter().rev());
    }
    Ok(())
}
