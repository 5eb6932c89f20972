//! SVG sources: parsed once with usvg and rendered natively with resvg at every output size
//! (never rasterised once and downscaled). No fonts are loaded, so output does not depend on
//! the fonts installed on the host; `<text>` is not drawn and gets a warning.

use std::path::Path;

use image::RgbaImage;
use resvg::{tiny_skia, usvg};

use crate::IconError;
use crate::source;

/// The first bytes of a gzip stream (an .svgz file).
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// A parsed SVG plus its plain text (decompressed when the source was .svgz).
pub(crate) struct Svg {
    tree: usvg::Tree,
    text: Vec<u8>,
}

impl Svg {
    /// Parses `bytes`, read from `path`, returning the image and its warnings.
    pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<(Svg, Vec<String>), IconError> {
        let unsupported = |reason: String| IconError::Unsupported {
            path: path.to_owned(),
            reason,
        };
        let text = if bytes.starts_with(GZIP_MAGIC) {
            usvg::decompress_svgz(bytes).map_err(|error| unsupported(error.to_string()))?
        } else {
            bytes.to_vec()
        };
        let options = usvg::Options {
            resources_dir: path.parent().map(Path::to_path_buf),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_data(&text, &options)
            .map_err(|error| unsupported(error.to_string()))?;

        let mut warnings = Vec::new();
        let size = tree.size();
        if size.width() != size.height() {
            warnings.push(source::not_square(path, size.width(), size.height()));
        }
        if text.windows(5).any(|window| window == b"<text") {
            warnings.push(format!(
                "source {} contains <text>, which is not drawn (no fonts are loaded, so output \
                 does not depend on the host); convert the text to paths",
                path.display()
            ));
        }
        Ok((Svg { tree, text }, warnings))
    }

    /// The SVG document as plain (uncompressed) text, for `hicolor/scalable`.
    pub(crate) fn text(&self) -> &[u8] {
        &self.text
    }

    /// Renders the image fitted and centred in a `size` x `size` square, straight alpha.
    pub(crate) fn render(&self, size: u32) -> Result<RgbaImage, String> {
        let mut pixmap = tiny_skia::Pixmap::new(size, size)
            .ok_or_else(|| format!("cannot allocate a {size}x{size} canvas"))?;
        let (width, height) = (self.tree.size().width(), self.tree.size().height());
        let side = size as f32;
        let scale = side / width.max(height);
        let transform = tiny_skia::Transform::from_row(
            scale,
            0.0,
            0.0,
            scale,
            (side - width * scale) / 2.0,
            (side - height * scale) / 2.0,
        );
        resvg::render(&self.tree, transform, &mut pixmap.as_mut());
        // tiny-skia stores premultiplied pixels; PNG, ICO and ICNS want straight alpha.
        RgbaImage::from_raw(size, size, pixmap.take_demultiplied())
            .ok_or_else(|| "the rendered canvas has an unexpected length".to_owned())
    }
}
