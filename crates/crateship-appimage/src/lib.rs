//! Native AppImage (type 2) writer for crateship.
//!
//! What it does:
//! * [`appdir_entries`] lays out the AppDir: `AppRun` (a symlink to the main
//!   binary: our runtime executes it directly, no shell), `{app_id}.desktop`,
//!   the top-level icon and `.DirIcon`, `usr/bin`, the hicolor icon set,
//!   `usr/share/metainfo/{app_id}.metainfo.xml` and extra resources. The
//!   .desktop file and metainfo come from `crateship-linux`.
//! * [`write_appdir`] writes that AppDir to disk (for `appstreamcli validate-tree`
//!   and for comparing with an extracted AppImage).
//! * [`write_appimage`] writes the runtime (magic `AI\x02` at `e_ident[8..11]`,
//!   update information in `.upd_info`) followed directly by a gzip squashfs of
//!   the same AppDir, written in one pass with `backhand`.
//! * [`runtime`](mod@runtime) embeds the static musl runtimes (x86_64, aarch64)
//!   built from `crateship-appimage-runtime` (FUSE mount, extract, extract-and-run)
//!   and describes how to rebuild them byte-identically (see the README).
//!
//! Architecture Invariants: this crate never spawns a process; the same input
//! gives byte-identical output (entries sorted, every mtime =
//! `source_date_epoch`, uid/gid 0, modes 0755/0644); the on-disk AppDir and the
//! squashfs payload come from the same entry list.
//!
//! What it does not do (yet): write zstd payloads (the runtime reads them; see
//! the README for why the writer emits gzip), bundling shared libraries,
//! signing, zsync files.
#![deny(missing_docs)]

mod appdir;
mod error;
mod input;
pub mod runtime;

use std::io::{Cursor, Seek, SeekFrom, Write};

use backhand::compression::Compressor;
use backhand::{FilesystemCompressor, FilesystemWriter, NodeHeader};
use crateship_linux::{Arch, FileSource};

pub use appdir::{AppDirEntry, EntryKind, appdir_entries, write_appdir};
pub use error::AppImageError;
pub use input::{AppImageInput, Icon, IconSize};

/// Squashfs block size (128 KiB, as appimagetool and mksquashfs default).
pub const BLOCK_SIZE: u32 = 128 * 1024;

/// The conventional file name: `Hello_Desktop-1.2.3-x86_64.AppImage` (spaces in
/// the product name become `_`, `/` is dropped).
pub fn appimage_file_name(product_name: &str, version: &str, arch: Arch) -> String {
    let name: String = product_name
        .chars()
        .filter(|&c| c != '/' && c != '\0')
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect();
    format!("{name}-{version}-{}.AppImage", arch.rpm_name())
}

/// Writes the AppImage of `app` to `out`: `runtime` (for example
/// [`runtime::runtime`]`(app.arch)`), patched with the magic and the update
/// information, then the squashfs payload at the runtime's end. Returns `out`
/// positioned after the last byte. The caller makes the file executable and
/// renames it into place (atomic writes are the caller's job).
pub fn write_appimage<W: Write + Seek>(
    app: &AppImageInput,
    runtime: &[u8],
    mut out: W,
) -> Result<W, AppImageError> {
    let entries = appdir_entries(app)?;
    let head = runtime::prepare_runtime(runtime, app.arch, app.update_information.as_deref())?;
    let mtime = u32::try_from(app.source_date_epoch).map_err(|_| AppImageError::InvalidInput {
        field: "source_date_epoch",
        value: app.source_date_epoch.to_string(),
        reason: "squashfs stores times as unsigned 32-bit seconds (1970..2106)".into(),
    })?;
    let werr = |what: &str| {
        let what = what.to_string();
        move |source| AppImageError::Write { what, source }
    };
    out.seek(SeekFrom::Start(0)).map_err(werr("the runtime"))?;
    out.write_all(&head).map_err(werr("the runtime"))?;

    let mut fs = FilesystemWriter::default();
    fs.set_time(mtime);
    fs.set_block_size(BLOCK_SIZE);
    fs.set_compressor(
        FilesystemCompressor::new(Compressor::Gzip, None)
            .map_err(|source| AppImageError::Squashfs { source })?,
    );
    fs.set_root_mode(0o755);
    fs.set_root_uid(0);
    fs.set_root_gid(0);
    fs.set_only_root_id();
    let sq = |source| AppImageError::Squashfs { source };
    for entry in &entries {
        let path = format!("/{}", entry.path);
        match &entry.kind {
            EntryKind::Dir => fs
                .push_dir(&path, NodeHeader::new(0o755, 0, 0, mtime))
                .map_err(sq)?,
            EntryKind::Symlink(target) => fs
                .push_symlink(target.as_str(), &path, NodeHeader::new(0o777, 0, 0, mtime))
                .map_err(sq)?,
            EntryKind::File { source, mode } => {
                let header = NodeHeader::new(*mode, 0, 0, mtime);
                match source {
                    FileSource::Path(src) => {
                        // Fail early with the path: backhand opens it only while writing.
                        std::fs::metadata(src).map_err(|e| AppImageError::ReadSource {
                            path: src.clone(),
                            dest: entry.path.clone(),
                            source: e,
                        })?;
                        fs.push_file_from_path(src.clone(), &path, header)
                            .map_err(sq)?
                    }
                    FileSource::Bytes(bytes) => fs
                        .push_file(Cursor::new(bytes.as_slice()), &path, header)
                        .map_err(sq)?,
                }
            }
        }
    }
    fs.write_with_offset(&mut out, head.len() as u64)
        .map_err(sq)?;
    out.flush().map_err(werr("the squashfs payload"))?;
    Ok(out)
}
