//! Producing every distinct pixel size exactly once, in parallel: take the override or render
//! (SVG) / resize (PNG) the source, then PNG-encode. Every output reuses these layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use image::RgbaImage;
use rayon::prelude::*;

use crate::IconError;
use crate::encode;
use crate::resize;
use crate::source::Source;

/// One pixel size of the icon, as pixels and as PNG bytes.
pub(crate) struct Layer {
    /// Straight-alpha RGBA pixels, `size` x `size`.
    pub(crate) pixels: RgbaImage,
    /// The same pixels as a PNG file.
    pub(crate) png: Vec<u8>,
}

/// Produces a layer for every size in `sizes`, preferring the hand-made `overrides`.
/// `path` names the source in errors.
pub(crate) fn produce(
    source: &Source,
    path: &Path,
    sizes: &BTreeSet<u32>,
    mut overrides: BTreeMap<u32, RgbaImage>,
) -> Result<BTreeMap<u32, Layer>, IconError> {
    let jobs: Vec<(u32, Option<RgbaImage>)> = sizes
        .iter()
        .map(|&size| (size, overrides.remove(&size)))
        .collect();
    jobs.into_par_iter()
        .map(|(size, hand_made)| {
            let failed = |reason: String| IconError::Layer {
                path: path.to_owned(),
                size,
                reason,
            };
            let mut pixels = match hand_made {
                Some(pixels) => pixels,
                None => match source {
                    Source::Raster(image) => resize::resize(image, size),
                    Source::Vector(svg) => svg.render(size),
                }
                .map_err(failed)?,
            };
            clear_invisible(&mut pixels);
            let png = encode::png(&pixels).map_err(failed)?;
            Ok((size, Layer { pixels, png }))
        })
        .collect()
}

/// Sets the colour of fully transparent pixels to black. The colour under alpha 0 is
/// invisible but would still differ between outputs (the BMP and ICNS masks cannot keep
/// it) and cost PNG bytes.
fn clear_invisible(pixels: &mut RgbaImage) {
    for pixel in pixels.pixels_mut().filter(|pixel| pixel[3] == 0) {
        pixel.0 = [0; 4];
    }
}
