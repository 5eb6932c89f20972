//! Raster geometry: centring a non-square image on a transparent square and Lanczos3
//! resizing in premultiplied alpha (fast_image_resize), which keeps anti-aliased edges free
//! of the dark halo a straight-alpha filter leaves.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbaImage;

/// Returns `image` unchanged when square, else centred on a transparent square canvas as
/// wide as its longer side.
pub(crate) fn centre_on_square(image: RgbaImage) -> RgbaImage {
    let (width, height) = image.dimensions();
    if width == height {
        return image;
    }
    let side = width.max(height);
    let mut canvas = RgbaImage::new(side, side);
    let left = i64::from((side - width) / 2);
    let top = i64::from((side - height) / 2);
    image::imageops::replace(&mut canvas, &image, left, top);
    canvas
}

/// Resizes the square `image` to `size` x `size` with Lanczos3 in premultiplied alpha.
pub(crate) fn resize(image: &RgbaImage, size: u32) -> Result<RgbaImage, String> {
    if image.dimensions() == (size, size) {
        return Ok(image.clone());
    }
    let mut resized = RgbaImage::new(size, size);
    // Premultiplying before filtering and dividing after is on by default; say so anyway,
    // because it is the whole point of using this resizer.
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .use_alpha(true);
    Resizer::new()
        .resize(image, &mut resized, &options)
        .map_err(|error| error.to_string())?;
    Ok(resized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    #[test]
    fn wide_image_is_centred_vertically() {
        let wide = RgbaImage::from_pixel(4, 2, Rgba([255, 0, 0, 255]));
        let square = centre_on_square(wide);
        assert_eq!(square.dimensions(), (4, 4));
        assert_eq!(square.get_pixel(0, 0)[3], 0);
        assert_eq!(square.get_pixel(0, 1)[3], 255);
        assert_eq!(square.get_pixel(3, 2)[3], 255);
        assert_eq!(square.get_pixel(3, 3)[3], 0);
    }

    #[test]
    fn transparent_pixels_do_not_darken_edges() {
        // Left half opaque white, right half fully transparent *black*: a straight-alpha
        // filter drags the black into the edge pixels.
        let mut image = RgbaImage::new(64, 64);
        for (x, _, pixel) in image.enumerate_pixels_mut() {
            *pixel = if x < 32 {
                Rgba([255, 255, 255, 255])
            } else {
                Rgba([0, 0, 0, 0])
            };
        }
        let small = resize(&image, 8).unwrap();
        for pixel in small.pixels().filter(|pixel| pixel[3] > 0) {
            assert!(pixel[0] >= 250, "edge pixel darkened: {pixel:?}");
        }
    }
}
