//! Reading the inputs: the source image (PNG or SVG, told apart by content and extension)
//! and the hand-made per-size override PNGs, with the warnings a release engineer should
//! see about them.

use std::fs;
use std::path::{Path, PathBuf};

use image::RgbaImage;

use crate::IconError;
use crate::colour;
use crate::resize;
use crate::svg::Svg;

/// The first bytes of every PNG file.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// PNG sources below this many pixels on their longer side get a warning.
const SMALL_PNG: u32 = 512;
/// The source size recommended in warnings.
const RECOMMENDED: u32 = 1024;

/// A decoded source image, ready to produce any pixel size.
pub(crate) enum Source {
    /// A raster already centred on a square transparent canvas.
    Raster(RgbaImage),
    /// A vector image, rendered natively at each size.
    Vector(Box<Svg>),
}

/// A decoded source with what it taught us.
pub(crate) struct Loaded {
    /// The image itself.
    pub(crate) source: Source,
    /// Problems worth telling the user about that did not stop generation.
    pub(crate) warnings: Vec<String>,
}

/// Reads and decodes the source image at `path`.
pub(crate) fn load(path: &Path) -> Result<Loaded, IconError> {
    let bytes = read(path)?;
    if bytes.starts_with(PNG_SIGNATURE) {
        load_png(path, &bytes)
    } else if has_svg_extension(path) {
        let (svg, warnings) = Svg::parse(path, &bytes)?;
        Ok(Loaded {
            source: Source::Vector(Box::new(svg)),
            warnings,
        })
    } else {
        Err(IconError::Unsupported {
            path: path.to_owned(),
            reason: "it has no PNG signature and no .svg or .svgz extension".to_owned(),
        })
    }
}

/// Reads the override PNG at `path` that replaces the generated `size` px layer.
pub(crate) fn load_override(size: u32, path: &Path) -> Result<RgbaImage, IconError> {
    let bytes = read(path)?;
    if !bytes.starts_with(PNG_SIGNATURE) {
        return Err(IconError::Unsupported {
            path: path.to_owned(),
            reason: "overrides must be PNG files and this one has no PNG signature".to_owned(),
        });
    }
    let image = decode_png(path, &bytes)?;
    if image.dimensions() != (size, size) {
        return Err(IconError::OverrideSize {
            size,
            path: path.to_owned(),
            width: image.width(),
            height: image.height(),
        });
    }
    Ok(image)
}

/// Decodes a PNG source, centres it if needed and collects its warnings.
fn load_png(path: &Path, bytes: &[u8]) -> Result<Loaded, IconError> {
    let image = decode_png(path, bytes)?;
    let (width, height) = image.dimensions();
    let mut warnings = Vec::new();
    if width.max(height) < SMALL_PNG {
        warnings.push(format!(
            "source {} is only {width}x{height} px, so the larger icon sizes are upscaled and look \
             soft; use a {RECOMMENDED}x{RECOMMENDED} PNG or an SVG",
            path.display()
        ));
    }
    if width != height {
        warnings.push(not_square(path, width, height));
    }
    if let Some(declared) = colour::non_srgb_declaration(bytes) {
        warnings.push(format!(
            "source {} declares {declared}; it was ignored and the pixels were treated as sRGB, \
             so colours may shift; export the image as sRGB",
            path.display()
        ));
    }
    Ok(Loaded {
        source: Source::Raster(resize::centre_on_square(image)),
        warnings,
    })
}

/// The warning for a source whose sides differ.
pub(crate) fn not_square(
    path: &Path,
    width: impl std::fmt::Display,
    height: impl std::fmt::Display,
) -> String {
    format!(
        "source {} is {width}x{height}, not square; it was centred on a transparent square \
         canvas; crop or pad it to a square to control the layout",
        path.display()
    )
}

/// Decodes any PNG (every colour type and bit depth) to 8-bit RGBA.
fn decode_png(path: &Path, bytes: &[u8]) -> Result<RgbaImage, IconError> {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .map(image::DynamicImage::into_rgba8)
        .map_err(|error| IconError::Unsupported {
            path: path.to_owned(),
            reason: error.to_string(),
        })
}

/// Reads a whole input file, naming it on failure.
fn read(path: &Path) -> Result<Vec<u8>, IconError> {
    fs::read(path).map_err(|source| IconError::Read {
        path: PathBuf::from(path),
        source,
    })
}

/// Whether `path` ends in `.svg` or `.svgz`, in any letter case.
fn has_svg_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ext.eq_ignore_ascii_case("svg") || ext.eq_ignore_ascii_case("svgz"))
}
