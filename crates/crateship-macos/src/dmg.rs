//! The `.dmg` writer: an HFS+ volume holding `NAME.app` and an `Applications`
//! symlink to `/Applications`, wrapped in a compressed UDIF (UDZO) image.
//!
//! Both layers come from the pinned `fstool` crate (its HFS+ and UDIF writers
//! are read back by 7-Zip, dmg2img and `hdiutil`). The raw HFS+ volume is built
//! in an anonymous temp directory (honours `TMPDIR`), sized from fstool's
//! size plan, then compressed chunk by chunk into the caller's sink.
//! Determinism: every date is `source_date_epoch`, the UDIF segment id is
//! derived from the volume name and the epoch, owners are 0:0.

use std::fs::File;
use std::io::{Seek, Write};
use std::path::Path;

use fstool::block::FileBackend;
use fstool::block::dmg::{UdifFormat, UdifWriteOptions, write_udif};
use fstool::fs::FsSizePlan;
use fstool::fs::hfs_plus::size_plan::HfsPlusSizePlan;
use fstool::fs::hfs_plus::{FormatOpts, HfsPlus, hfs_date_from_unix};
use sha1::{Digest, Sha1};

use crate::MacosError;
use crate::error::{read_err, write_err};
use crate::tree::{Kind, walk_app};

/// Settings of a `.dmg`.
#[derive(Debug, Clone)]
pub struct DmgOptions {
    /// The volume name shown in the Finder (≤ 255 UTF-16 units, no `:`).
    pub volume_name: String,
    /// Timestamp of the volume and every entry (seconds since the Unix epoch).
    pub source_date_epoch: u64,
    /// zlib level 1–9 for the UDZO chunks (default 6).
    pub level: u8,
}

impl DmgOptions {
    /// UDZO level 6 with the given volume name and timestamp.
    pub fn new(volume_name: impl Into<String>, source_date_epoch: u64) -> Self {
        Self {
            volume_name: volume_name.into(),
            source_date_epoch,
            level: 6,
        }
    }
}

fn dmg_err<'a>(
    volume: &'a str,
    step: &'static str,
) -> impl FnOnce(fstool::Error) -> MacosError + 'a {
    move |e| MacosError::Dmg {
        volume: volume.to_owned(),
        step,
        message: e.to_string(),
    }
}

fn validate(opts: &DmgOptions) -> Result<(), MacosError> {
    let v = &opts.volume_name;
    if v.trim().is_empty()
        || v.contains(':')
        || v.chars().any(char::is_control)
        || v.encode_utf16().count() > 255
    {
        return Err(MacosError::InvalidField {
            field: "volume_name",
            value: v.clone(),
            reason: "a volume name is 1–255 characters without `:` or control characters".into(),
        });
    }
    if !(1..=9).contains(&opts.level) {
        return Err(MacosError::InvalidField {
            field: "level",
            value: opts.level.to_string(),
            reason: "the UDZO zlib level must be 1–9".into(),
        });
    }
    Ok(())
}

/// Writes a UDZO `.dmg` holding `app_dir` and an `/Applications` symlink to
/// `out`, and returns `out`. The caller makes the output atomic.
pub fn write_dmg<W: Write + Seek>(
    app_dir: &Path,
    opts: &DmgOptions,
    out: W,
) -> Result<W, MacosError> {
    validate(opts)?;
    let entries = walk_app(app_dir, ".dmg")?;
    let vol = opts.volume_name.as_str();
    let epoch = opts.source_date_epoch;
    let mtime = u32::try_from(epoch).unwrap_or(u32::MAX);

    let mut fo = FormatOpts::default();
    fo.volume_name = vol.to_owned();
    fo.create_date = hfs_date_from_unix(i64::from(mtime));
    let mut plan = HfsPlusSizePlan::new(&fo);
    for e in &entries {
        let p = format!("/{}", e.rel());
        match &e.kind {
            Kind::Dir => plan.add_dir(&p),
            Kind::File { size } => plan.add_file(&p, *size),
            Kind::Symlink(t) => plan.add_symlink(&p, t),
        }
    }
    plan.add_symlink("/Applications", "/Applications");
    plan.apply_to(&mut fo);
    // The plan is a safe upper bound; a little slack keeps the volume writable.
    let size = (plan.total_size() + (1 << 20)).div_ceil(4096) * 4096;

    let scratch = tempfile::tempdir().map_err(write_err(
        "the .dmg scratch directory",
        Path::new("$TMPDIR"),
    ))?;
    let raw_path = scratch.path().join("volume.hfs");
    let mut dev =
        FileBackend::create(&raw_path, size).map_err(dmg_err(vol, "create the volume"))?;
    let mut fs = HfsPlus::format(&mut dev, &fo).map_err(dmg_err(vol, "format HFS+"))?;
    for e in &entries {
        let p = format!("/{}", e.rel());
        match &e.kind {
            Kind::Dir => {
                fs.create_dir(&mut dev, &p, e.perm, 0, 0, mtime)
                    .map_err(dmg_err(vol, "add a directory"))?;
            }
            Kind::Symlink(t) => {
                fs.create_symlink(&mut dev, &p, t, 0o755, 0, 0, mtime)
                    .map_err(dmg_err(vol, "add a symlink"))?;
            }
            Kind::File { size } => {
                let mut f = File::open(&e.source).map_err(read_err(&e.source))?;
                fs.create_file(&mut dev, &p, &mut f, *size, e.perm, 0, 0, mtime)
                    .map_err(|err| MacosError::Dmg {
                        volume: vol.to_owned(),
                        step: "add a file",
                        message: format!("{}: {err}", e.source.display()),
                    })?;
            }
        }
    }
    fs.create_symlink(
        &mut dev,
        "/Applications",
        "/Applications",
        0o755,
        0,
        0,
        mtime,
    )
    .map_err(dmg_err(vol, "add the Applications symlink"))?;
    fs.flush(&mut dev).map_err(dmg_err(vol, "flush HFS+"))?;

    let mut uo = UdifWriteOptions::default();
    uo.format = UdifFormat::Udzo;
    uo.level = Some(opts.level);
    let mut h = Sha1::new();
    h.update(b"crateship dmg segment id\0");
    h.update(vol.as_bytes());
    h.update(epoch.to_be_bytes());
    let digest = h.finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    uo.segment_id = Some(id);
    let (out, _summary) = write_udif(&mut dev, out, &uo).map_err(dmg_err(vol, "write UDIF"))?;
    Ok(out)
}
