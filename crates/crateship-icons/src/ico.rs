//! The Windows `.ico`: ten layers, 16–128 px as 32-bit BMP (BGRA plus the 1-bit AND mask
//! old consumers need) and 256 px as the PNG already encoded for every other output.
//!
//! Written here rather than with the `ico` crate: its `encode_as_bmp` picks 1-, 4-, 8- or
//! 24-bit BMPs for layers without partial alpha, and its `encode_as_png` re-encodes the
//! 256 px layer instead of reusing its PNG bytes.

use std::collections::BTreeMap;

use crate::layers::Layer;

/// The pixel sizes of the layers, in file order.
pub(crate) const SIZES: [u32; 10] = [16, 20, 24, 32, 40, 48, 64, 96, 128, 256];
/// Layers at least this wide are stored as PNG.
const PNG_FROM: u32 = 256;
/// Size of the ICONDIR header.
const HEADER_LEN: usize = 6;
/// Size of one ICONDIRENTRY.
const ENTRY_LEN: usize = 16;
/// Size of a BITMAPINFOHEADER.
const BMP_HEADER_LEN: u32 = 40;

/// Builds the `.ico` file from `layers`, which must hold every size in [`SIZES`].
pub(crate) fn build(layers: &BTreeMap<u32, Layer>) -> Vec<u8> {
    let images: Vec<(u32, Vec<u8>)> = SIZES
        .iter()
        .map(|size| {
            let layer = &layers[size];
            let data = if *size >= PNG_FROM {
                layer.png.clone()
            } else {
                bmp(layer)
            };
            (*size, data)
        })
        .collect();

    let mut ico = Vec::new();
    ico.extend(0u16.to_le_bytes()); // reserved
    ico.extend(1u16.to_le_bytes()); // type: icon
    ico.extend(
        u16::try_from(images.len())
            .unwrap_or(u16::MAX)
            .to_le_bytes(),
    );
    let mut offset = HEADER_LEN + ENTRY_LEN * images.len();
    for (size, data) in &images {
        // A width or height byte of 0 means 256.
        let side = u8::try_from(*size).unwrap_or(0);
        ico.extend([side, side, 0, 0]); // width, height, palette colours, reserved
        ico.extend(1u16.to_le_bytes()); // colour planes
        ico.extend(32u16.to_le_bytes()); // bits per pixel
        ico.extend(len_u32(data.len()).to_le_bytes());
        ico.extend(len_u32(offset).to_le_bytes());
        offset += data.len();
    }
    for (_, data) in images {
        ico.extend(data);
    }
    ico
}

/// A 32-bit ICO bitmap: BITMAPINFOHEADER, BGRA rows bottom-up, then the AND mask
/// (1 = transparent), rows bottom-up and padded to 32 bits.
fn bmp(layer: &Layer) -> Vec<u8> {
    let (width, height) = layer.pixels.dimensions();
    let mask_row = width.div_ceil(32) as usize * 4;
    let pixel_bytes = width as usize * height as usize * 4;
    let image_len = pixel_bytes + mask_row * height as usize;

    let mut bmp = Vec::with_capacity(BMP_HEADER_LEN as usize + image_len);
    bmp.extend(BMP_HEADER_LEN.to_le_bytes());
    bmp.extend(width.to_le_bytes());
    bmp.extend((height * 2).to_le_bytes()); // colour rows plus mask rows
    bmp.extend(1u16.to_le_bytes()); // planes
    bmp.extend(32u16.to_le_bytes()); // bits per pixel
    bmp.extend(0u32.to_le_bytes()); // BI_RGB: uncompressed
    bmp.extend(len_u32(image_len).to_le_bytes());
    bmp.extend([0; 16]); // resolution and palette counts: unused
    for row in layer.pixels.rows().rev() {
        for pixel in row {
            let [red, green, blue, alpha] = pixel.0;
            bmp.extend([blue, green, red, alpha]);
        }
    }
    for row in layer.pixels.rows().rev() {
        let mut bits = vec![0u8; mask_row];
        for (x, pixel) in row.enumerate() {
            if pixel[3] == 0 {
                bits[x / 8] |= 0x80 >> (x % 8);
            }
        }
        bmp.extend(bits);
    }
    bmp
}

/// A length or offset as the `u32` ICO stores; icons are far below 4 GiB.
fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    fn layer(size: u32) -> Layer {
        let mut pixels = RgbaImage::from_pixel(size, size, Rgba([10, 20, 30, 255]));
        pixels.put_pixel(0, 0, Rgba([0, 0, 0, 0]));
        Layer {
            pixels,
            png: format!("png{size}").into_bytes(),
        }
    }

    #[test]
    fn directory_points_at_each_layer() {
        let layers = SIZES.iter().map(|&size| (size, layer(size))).collect();
        let ico = build(&layers);
        assert_eq!(&ico[..6], &[0, 0, 1, 0, 10, 0]);
        for (index, size) in SIZES.iter().enumerate() {
            let entry = &ico[6 + index * 16..][..16];
            assert_eq!(u32::from(entry[0]), size % 256);
            assert_eq!(u16::from_le_bytes([entry[6], entry[7]]), 32);
            let len = u32::from_le_bytes(entry[8..12].try_into().unwrap()) as usize;
            let offset = u32::from_le_bytes(entry[12..16].try_into().unwrap()) as usize;
            let data = &ico[offset..offset + len];
            if *size == 256 {
                assert_eq!(data, b"png256");
            } else {
                assert_eq!(
                    u16::from_le_bytes([data[14], data[15]]),
                    32,
                    "{size} px bpp"
                );
            }
        }
    }

    #[test]
    fn bmp_rows_are_bottom_up_and_mask_marks_transparency() {
        let bmp = bmp(&layer(16));
        // Top-left pixel is the first pixel of the *last* row.
        let top_left = 40 + 15 * 16 * 4;
        assert_eq!(&bmp[top_left..top_left + 4], &[0, 0, 0, 0]);
        assert_eq!(&bmp[40..44], &[30, 20, 10, 255]);
        // Mask rows are 4 bytes for 16 px; the last mask row is the top row.
        let mask = 40 + 16 * 16 * 4;
        assert_eq!(bmp.len(), mask + 16 * 4);
        assert_eq!(bmp[mask + 15 * 4], 0x80);
        assert_eq!(bmp[mask], 0);
    }
}
