//! PNG encoding of one layer: 8-bit RGBA (what every ICO and ICNS reader takes) and no
//! chunk that could differ between runs (no tIME, no text), so equal pixels give equal bytes.
//!
//! Layers below [`BALANCED_FROM`] use fdeflate (`Compression::Fast`); the 512 and 1024 px
//! layers use zlib-rs level 6 (`Compression::Balanced`): on gradient-rich icons fdeflate makes
//! those two ~1.8x larger than ImageMagick, and they are two thirds of the bytes. Both
//! encoders are pure Rust without CPU-dependent output.

use image::RgbaImage;

/// Layers at least this wide are compressed with `Compression::Balanced`.
const BALANCED_FROM: u32 = 512;

/// Encodes `image` as an 8-bit RGBA PNG.
pub(crate) fn png(image: &RgbaImage) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, image.width(), image.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(if image.width() >= BALANCED_FROM {
        png::Compression::Balanced
    } else {
        png::Compression::Fast
    });
    let mut writer = encoder.write_header().map_err(|error| error.to_string())?;
    writer
        .write_image_data(image.as_raw())
        .map_err(|error| error.to_string())?;
    writer.finish().map_err(|error| error.to_string())?;
    Ok(bytes)
}
