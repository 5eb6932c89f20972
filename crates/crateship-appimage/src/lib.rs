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
//!   update information in `.upd_info`) followed directly by a squashfs of the
//!   same AppDir (zstd by default, gzip on request), written in one pass by our
//!   own parallel writer, [`squashfs`](mod@squashfs).
//! * [`runtime`](mod@runtime) embeds the static musl runtimes (x86_64, aarch64)
//!   built from `crateship-appimage-runtime` (FUSE mount, extract, extract-and-run)
//!   and describes how to rebuild them byte-identically (see the README).
//!
//! Architecture Invariants: this crate never spawns a process; the same input
//! gives byte-identical output (entries sorted, every mtime =
//! `source_date_epoch`, uid/gid 0, modes 0755/0644); the on-disk AppDir and the
//! squashfs payload come from the same entry list.
//!
//! What it does not do (yet): bundling shared libraries, signing, zsync files.
#![deny(missing_docs)]

mod appdir;
mod error;
mod input;
pub mod runtime;
pub mod squashfs;

use std::io::{Seek, SeekFrom, Write};

use crateship_linux::Arch;

pub use appdir::{AppDirEntry, EntryKind, appdir_entries, write_appdir};
pub use error::AppImageError;
pub use input::{AppImageInput, Icon, IconSize};
pub use squashfs::{
    Compression, DEFAULT_GZIP_LEVEL, DEFAULT_ZSTD_LEVEL, SquashfsOptions, write_squashfs,
};

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

/// Writes the AppImage of `app` to `out` with a zstd payload at
/// [`DEFAULT_ZSTD_LEVEL`]; see [`write_appimage_with`].
pub fn write_appimage<W: Write + Seek>(
    app: &AppImageInput,
    runtime: &[u8],
    out: W,
) -> Result<W, AppImageError> {
    write_appimage_with(app, runtime, Compression::default(), out)
}

/// Writes the AppImage of `app` to `out`: `runtime` (for example
/// [`runtime::runtime`]`(app.arch)`), patched with the magic and the update
/// information, then the squashfs payload compressed with `compression` at the
/// runtime's end. Returns `out` positioned after the last byte. The caller
/// makes the file executable and renames it into place (atomic writes are the
/// caller's job).
pub fn write_appimage_with<W: Write + Seek>(
    app: &AppImageInput,
    runtime: &[u8],
    compression: Compression,
    mut out: W,
) -> Result<W, AppImageError> {
    let entries = appdir_entries(app)?;
    let head = runtime::prepare_runtime(runtime, app.arch, app.update_information.as_deref())?;
    let mtime = u32::try_from(app.source_date_epoch).map_err(|_| AppImageError::InvalidInput {
        field: "source_date_epoch",
        value: app.source_date_epoch.to_string(),
        reason: "squashfs stores times as unsigned 32-bit seconds (1970..2106)".into(),
    })?;
    let werr = |source| AppImageError::Write {
        what: "the runtime".into(),
        source,
    };
    out.seek(SeekFrom::Start(0)).map_err(werr)?;
    out.write_all(&head).map_err(werr)?;
    let mut options = SquashfsOptions::new(mtime);
    options.compression = compression;
    write_squashfs(&entries, &options, out)
}
