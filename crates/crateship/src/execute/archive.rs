//! The archive adapter: a planned `.tar.gz` or `.zip` onto the archive writers.

use crateship_support::AtomicFile;

use super::{ArtifactCtx, Written};
use crate::error::Result;
use crate::format::ArchiveKind;
use crateship_archive::{ArchiveFile, ArchiveSpec};

/// Writes the archive's unsigned bytes into `out`.
pub(super) fn write(
    ctx: &ArtifactCtx<'_>,
    kind: ArchiveKind,
    out: &mut AtomicFile,
) -> Result<Written> {
    let artifact = ctx.artifact;
    let spec = ArchiveSpec {
        root_dir: artifact.root_dir.clone(),
        files: artifact
            .entries
            .iter()
            .map(|e| ArchiveFile {
                source: e.source.clone(),
                dest: e.dest.clone(),
                executable: e.executable,
            })
            .collect(),
        mtime: ctx.plan.source_date_epoch,
        level: 6,
    };
    match kind {
        ArchiveKind::TarGz => crateship_archive::tar_gz::write(&spec, out.file()).map(drop),
        ArchiveKind::Zip => crateship_archive::zip::write(&spec, out.file()).map(drop),
    }
    .map_err(|e| ctx.fail(e))?;
    Ok(Written {
        mode: 0o644,
        ..Written::default()
    })
}
