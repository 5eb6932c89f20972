//! Icon generation for crateship: one source image to every icon file a desktop release
//! needs, in one call to [`generate`].
//!
//! **Can:** read a PNG (any size, any PNG colour type) or an SVG/SVGZ (rendered natively at
//! every size), take hand-made PNGs that replace single pixel sizes, and write
//! `NAME.ico` (16–128 px as 32-bit BMP, 256 px as PNG), `NAME.icns` (ic07–ic14 plus the
//! is32/il32 RLE pairs), a freedesktop `hicolor/` tree (with `@2` HiDPI sizes and
//! `scalable/`), a `NAME.iconset/` folder and one PNG per distinct pixel size. PNG sources
//! are resized with Lanczos3 in premultiplied alpha (no dark halo on soft edges); every
//! size is produced and PNG-encoded once, sizes in parallel.
//!
//! **Can't (yet):** honour a non-sRGB colour profile (it is reported as a warning and
//! ignored), draw SVG `<text>` (no fonts are loaded, so output never depends on the host;
//! a warning says so), read JPEG or other raster formats.
//!
//! **Will never:** spawn a process (no ImageMagick, png2icns or iconutil), print, or leave
//! a partial icon set behind: output is deterministic (same source, same bytes) and
//! written all-or-nothing.

#![deny(missing_docs)]

mod colour;
mod encode;
mod error;
mod hicolor;
mod icns;
mod ico;
mod iconset;
mod layers;
mod resize;
mod source;
mod svg;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use error::IconError;
pub use hicolor::SIZES as HICOLOR_SIZES;

use source::Source;
use write::Output;

/// What to generate: the source image, the base name of the files, and optional hand-made
/// layers.
#[derive(Debug, Clone)]
pub struct IconRequest {
    /// The source image: a PNG (1024x1024 recommended) or an SVG/SVGZ.
    pub source: PathBuf,
    /// Base name of the outputs (`NAME.ico`, `hicolor/…/apps/NAME.png`, …), e.g. the
    /// application id.
    pub name: String,
    /// Hand-made PNGs by pixel size; each must be exactly that size and replaces the
    /// generated layer of that size in every output.
    pub overrides: BTreeMap<u32, PathBuf>,
}

/// Everything [`generate`] wrote (all paths inside the output directory) and what it warns
/// about.
#[derive(Debug, Clone, Serialize)]
pub struct IconSet {
    /// The Windows icon, `NAME.ico`.
    pub ico: PathBuf,
    /// The macOS icon, `NAME.icns`.
    pub icns: PathBuf,
    /// The freedesktop theme tree, `hicolor/` (install under `/usr/share/icons/`).
    pub hicolor_dir: PathBuf,
    /// The Xcode/iconutil folder, `NAME.iconset/`.
    pub iconset_dir: PathBuf,
    /// One PNG per distinct pixel size, `png/NAME-NxN.png`, for other consumers.
    pub png_by_size: BTreeMap<u32, PathBuf>,
    /// Problems with the source that did not stop generation (small, not square,
    /// non-sRGB, text in an SVG).
    pub warnings: Vec<String>,
}

/// Generates the whole icon set for `req` into `out_dir` (created if missing), replacing
/// files of an earlier run. On error nothing in `out_dir` has changed.
pub fn generate(req: &IconRequest, out_dir: &Path) -> Result<IconSet, IconError> {
    check_name(&req.name)?;
    let name = req.name.as_str();
    let hicolor_files = hicolor::files(name);
    let iconset_files = iconset::files(name);
    let sizes: BTreeSet<u32> = ico::SIZES
        .into_iter()
        .chain(icns::sizes())
        .chain(hicolor_files.iter().map(|(_, size)| *size))
        .chain(iconset_files.iter().map(|(_, size)| *size))
        .collect();

    let loaded = source::load(&req.source)?;
    let overrides = load_overrides(&req.overrides, &sizes)?;

    let layers = layers::produce(&loaded.source, &req.source, &sizes, overrides)?;
    let ico_path = PathBuf::from(format!("{name}.ico"));
    let icns_path = PathBuf::from(format!("{name}.icns"));
    let (ico, icns) = rayon::join(|| ico::build(&layers), || icns::build(&layers));
    let icns = icns.map_err(|reason| IconError::Encode {
        path: out_dir.join(&icns_path),
        reason,
    })?;

    let png_by_size: BTreeMap<u32, PathBuf> = sizes
        .iter()
        .map(|&size| (size, PathBuf::from(format!("png/{name}-{size}x{size}.png"))))
        .collect();
    let mut outputs = vec![
        Output {
            path: ico_path.clone(),
            bytes: &ico,
        },
        Output {
            path: icns_path.clone(),
            bytes: &icns,
        },
    ];
    let png_files = hicolor_files
        .into_iter()
        .chain(iconset_files)
        .chain(png_by_size.iter().map(|(&size, path)| (path.clone(), size)));
    outputs.extend(png_files.map(|(path, size)| Output {
        path,
        bytes: &layers[&size].png,
    }));
    // A scalable icon left from an earlier SVG run would not match this source.
    let mut stale = Vec::new();
    match &loaded.source {
        Source::Vector(svg) => outputs.push(Output {
            path: hicolor::scalable(name),
            bytes: svg.text(),
        }),
        Source::Raster(_) => stale.push(hicolor::scalable(name)),
    }
    write::commit(out_dir, &outputs, &stale)?;

    Ok(IconSet {
        ico: out_dir.join(ico_path),
        icns: out_dir.join(icns_path),
        hicolor_dir: out_dir.join(hicolor::DIR),
        iconset_dir: out_dir.join(iconset::dir(name)),
        png_by_size: png_by_size
            .into_iter()
            .map(|(size, path)| (size, out_dir.join(path)))
            .collect(),
        warnings: loaded.warnings,
    })
}

/// Reads the hand-made layers, each of which must be for one of the produced `sizes`.
fn load_overrides(
    overrides: &BTreeMap<u32, PathBuf>,
    sizes: &BTreeSet<u32>,
) -> Result<BTreeMap<u32, image::RgbaImage>, IconError> {
    overrides
        .iter()
        .map(|(&size, path)| {
            if !sizes.contains(&size) {
                return Err(IconError::OverrideUnused {
                    size,
                    path: path.clone(),
                    valid: join(sizes),
                });
            }
            Ok((size, source::load_override(size, path)?))
        })
        .collect()
}

/// Accepts names that are a safe file name on every OS and in every output tree.
fn check_name(name: &str) -> Result<(), IconError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+');
    if name.is_empty() || name.starts_with('.') || !name.chars().all(allowed) {
        return Err(IconError::InvalidName {
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// `16, 20, 24` from a set of sizes.
fn join(sizes: &BTreeSet<u32>) -> String {
    let sizes: Vec<String> = sizes.iter().map(u32::to_string).collect();
    sizes.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_plain_file_names_are_rejected() {
        for bad in ["", ".hidden", "a/b", "a\\b", "..", "héllo", "a b"] {
            assert!(check_name(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["hello", "org.example.Hello", "hello-desktop_2+x"] {
            assert!(check_name(good).is_ok(), "{good:?} rejected");
        }
    }
}
