//! The standard payload crateship's tests and benches package: about 2,000 files
//! and 100 MB in a nested directory tree, byte-identical for the same seed on any
//! machine, so ratios against peer tools measure the same work everywhere.
//!
//! The mix, by file count at scale 1: 40 % incompressible binary (random bytes,
//! as already-compressed assets are), 40 % text-like (pseudo prose, code and
//! config lines with Zipf-distributed words), 20 % tiny files (1–512 bytes,
//! text or binary). The big files' sizes are log-uniform between 4 KiB and
//! 1 MiB, rescaled so each half totals 50 MB; one binary file in twenty is sparse
//! (mostly zero-filled runs, as disk images and padded data are). Files sit in
//! about 150 directories up to six levels deep, all with mode 0644 (files) or
//! 0755 (directories) and the fixed mtime 2024-01-01T00:00:00Z.
//!
//! [`write_wxs`] lists a generated tree as a WiX v3 source for `wixl`, the MSI
//! bench's peer. What this crate never does: read anything but its own output,
//! or spawn a process.
#![deny(missing_docs)]

mod rng;
mod text;
mod wxs;

use std::path::{Path, PathBuf};

use crateship_support::IoError;

pub use wxs::write_wxs;

use rng::Rng;

/// The mtime of every generated file and directory: 2024-01-01T00:00:00Z.
pub const FIXED_MTIME: i64 = 1_704_067_200;

/// The seed of the standard payload.
pub const DEFAULT_SEED: u64 = 20_240_101;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// The random seed; the same seed gives the same bytes.
    pub seed: u64,
    /// Multiplies the file count and the byte total (1.0: 2,000 files, 100 MB).
    pub scale: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: DEFAULT_SEED,
            scale: 1.0,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Files written.
    pub files: usize,
    /// Directories below the root (the root not counted).
    pub dirs: usize,
    /// Bytes in all files.
    pub bytes: u64,
    /// SHA-256 over `path\0size\0sha256(content)\n` of every file, sorted by path:
    /// one value to compare runs and machines by.
    pub manifest_sha256: String,
}

/// Why generating failed.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// The output directory exists already.
    #[error("{} already exists; the payload is generated into a new directory (remove it or choose another)", .0.display())]
    Exists(PathBuf),
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The scale is not a positive number.
    #[error("scale {0} is not a positive number; use e.g. 1 (100 MB) or 10 (1 GB)")]
    BadScale(f64),
}

/// The kind of a generated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Binary,
    Text,
    Tiny,
}

/// Generates the payload into `dir`, which must not exist yet.
pub fn generate(dir: &Path, options: &Options) -> Result<Summary, PayloadError> {
    if !(options.scale > 0.0 && options.scale.is_finite()) {
        return Err(PayloadError::BadScale(options.scale));
    }
    if dir.exists() {
        return Err(PayloadError::Exists(dir.to_path_buf()));
    }
    let mut rng = Rng::new(options.seed);
    let total = ((2000.0 * options.scale) as usize).max(5);
    let binary = total * 40 / 100;
    let text_count = total * 40 / 100;
    let tiny = total - binary - text_count;
    let bytes = (100_000_000.0 * options.scale) as u64;
    let mut specs: Vec<(Kind, u64)> = Vec::with_capacity(total);
    specs.extend(
        log_uniform_sizes(&mut rng, binary, bytes / 2)
            .into_iter()
            .map(|s| (Kind::Binary, s)),
    );
    specs.extend(
        log_uniform_sizes(&mut rng, text_count, bytes - bytes / 2)
            .into_iter()
            .map(|s| (Kind::Text, s)),
    );
    specs.extend((0..tiny).map(|_| (Kind::Tiny, 1 + rng.below(512))));
    rng.shuffle(&mut specs);
    let words = text::Vocabulary::new(&mut rng, 3000);
    let dirs = make_dirs(&mut rng, ((150.0 * options.scale) as usize).max(10));

    std::fs::create_dir_all(dir).map_err(|e| IoError::new("cannot create", dir, e))?;
    let mut manifest = Vec::with_capacity(total);
    for (i, (kind, size)) in specs.into_iter().enumerate() {
        let sub = &dirs[rng.below(dirs.len() as u64) as usize];
        let ext = match kind {
            Kind::Binary => [".bin", ".dat", ".pak", ".so"][rng.below(4) as usize],
            Kind::Text => [".txt", ".rs", ".toml", ".json", ".md"][rng.below(5) as usize],
            Kind::Tiny => [".cfg", ".txt", ".bin", ".ini"][rng.below(4) as usize],
        };
        let rel = if sub.is_empty() {
            format!("f{i:04}{ext}")
        } else {
            format!("{sub}/f{i:04}{ext}")
        };
        let size = size as usize;
        let data = match kind {
            Kind::Binary if rng.below(20) == 0 => sparse(&mut rng, size),
            Kind::Binary => rng.bytes(size),
            Kind::Text => words.text(&mut rng, size),
            Kind::Tiny if rng.below(2) == 0 => rng.bytes(size),
            Kind::Tiny => words.text(&mut rng, size),
        };
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| IoError::new("cannot create", parent, e))?;
        }
        std::fs::write(&path, &data).map_err(|e| IoError::new("cannot write", &path, e))?;
        let (digest, _) = crateship_support::hash::sha256_reader(&data[..])
            .map_err(|e| IoError::new("cannot hash", &path, e))?;
        manifest.push((rel, data.len() as u64, digest));
    }
    let dir_count = fix_metadata(dir)?;
    manifest.sort();
    let listing: String = manifest
        .iter()
        .map(|(rel, size, digest)| format!("{rel}\0{size}\0{digest}\n"))
        .collect();
    let (manifest_sha256, _) = crateship_support::hash::sha256_reader(listing.as_bytes())
        .map_err(|e| IoError::new("cannot hash", dir, e))?;
    Ok(Summary {
        files: manifest.len(),
        dirs: dir_count,
        bytes: manifest.iter().map(|(_, s, _)| s).sum(),
        manifest_sha256,
    })
}

/// `n` sizes log-uniform in 4 KiB..1 MiB, rescaled to sum to exactly `total`.
fn log_uniform_sizes(rng: &mut Rng, n: usize, total: u64) -> Vec<u64> {
    if n == 0 {
        return Vec::new();
    }
    let (lo, hi) = ((4096f64).ln(), ((1u64 << 20) as f64).ln());
    let raw: Vec<f64> = (0..n)
        .map(|_| (lo + rng.unit() * (hi - lo)).exp())
        .collect();
    let k = total as f64 / raw.iter().sum::<f64>();
    let mut sizes: Vec<u64> = raw.iter().map(|s| ((s * k) as u64).max(1)).collect();
    let sum: u64 = sizes.iter().sum();
    if let Some(last) = sizes.last_mut() {
        *last = (*last + total).saturating_sub(sum).max(1);
    }
    sizes
}

/// Binary data that is mostly zero-filled runs with some random blocks.
fn sparse(rng: &mut Rng, size: usize) -> Vec<u8> {
    let mut data = vec![0u8; size];
    let mut at = 0;
    while at < size {
        let run = (1 + rng.below(64) as usize) * 4096;
        if rng.below(4) == 0 {
            let end = (at + 4096).min(size);
            rng.fill(&mut data[at..end]);
        }
        at += run;
    }
    data
}

/// About `n` directory paths (the root is `""`), up to six levels deep.
fn make_dirs(rng: &mut Rng, n: usize) -> Vec<String> {
    let mut dirs: Vec<String> = vec![String::new()];
    for top in [
        "assets",
        "data",
        "docs",
        "lib",
        "locales",
        "plugins",
        "resources",
        "share",
    ] {
        dirs.push(top.to_owned());
    }
    let mut tries = 0;
    while dirs.len() < n && tries < n * 100 {
        tries += 1;
        let parent = dirs[rng.below(dirs.len() as u64) as usize].clone();
        if parent.matches('/').count() >= 5 {
            continue;
        }
        let name = format!("d{:03}", rng.below(1000));
        let path = if parent.is_empty() {
            name
        } else {
            format!("{parent}/{name}")
        };
        if !dirs.contains(&path) {
            dirs.push(path);
        }
    }
    dirs
}

/// Sets mode 0644 / 0755 and the fixed mtime on everything below `root` (and
/// `root`); returns the number of directories below it.
fn fix_metadata(root: &Path) -> Result<usize, PayloadError> {
    let entries = crateship_support::walk::walk(root, crateship_support::walk::Symlinks::Keep)
        .map_err(|e| match e {
            crateship_support::walk::WalkError::Io(io) => PayloadError::Io(io),
            other => PayloadError::Io(IoError::new(
                "cannot walk",
                root,
                std::io::Error::other(other.to_string()),
            )),
        })?;
    let mtime = std::time::UNIX_EPOCH + std::time::Duration::from_secs(FIXED_MTIME as u64);
    let mut dirs = 0;
    // Deepest first, so setting a child's time does not disturb its parent's.
    for e in entries.iter().rev() {
        let is_dir = e.kind == crateship_support::walk::EntryKind::Dir;
        dirs += usize::from(is_dir);
        set_metadata(&e.path, if is_dir { 0o755 } else { 0o644 }, mtime)?;
    }
    set_metadata(root, 0o755, mtime)?;
    Ok(dirs)
}

fn set_metadata(path: &Path, mode: u32, mtime: std::time::SystemTime) -> Result<(), PayloadError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| IoError::new("cannot set the mode of", path, e))?;
    let file = std::fs::File::open(path).map_err(|e| IoError::new("cannot open", path, e))?;
    file.set_times(
        std::fs::FileTimes::new()
            .set_accessed(mtime)
            .set_modified(mtime),
    )
    .map_err(|e| IoError::new("cannot set the time of", path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let small = Options {
            seed: 7,
            scale: 0.01,
        };
        let a = generate(&dir.path().join("a"), &small).unwrap();
        let b = generate(&dir.path().join("b"), &small).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.files, 20);
        assert!(a.bytes >= 1_000_000, "{a:?}");
        let c = generate(&dir.path().join("c"), &Options { seed: 8, ..small }).unwrap();
        assert_ne!(a.manifest_sha256, c.manifest_sha256);
    }

    #[test]
    fn an_existing_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = generate(dir.path(), &Options::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("already exists"), "{err}");
        let err = generate(
            &dir.path().join("x"),
            &Options {
                scale: 0.0,
                ..Options::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("scale"), "{err}");
    }

    #[test]
    fn big_sizes_sum_to_the_total() {
        let mut rng = Rng::new(1);
        let sizes = log_uniform_sizes(&mut rng, 100, 10_000_000);
        assert_eq!(sizes.iter().sum::<u64>(), 10_000_000);
        assert!(sizes.iter().all(|&s| s >= 1));
    }
}
