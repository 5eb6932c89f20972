//! SVG sources: parsed once with usvg and rendered natively with resvg at every output size
//! (never rasterised once and downscaled). No fonts are loaded, so output does not depend on
//! the fonts installed on the host; `<text>` is not drawn and gets a warning. External
//! references (`<image href="file.svg">`, any path or URL) are never opened: only SVG
//! images embedded as `data:` URLs are drawn (raster images are not drawn at all), and
//! each external reference gets a warning, so an icon
//! cannot read a file outside the project (or anywhere) while it is rendered.

use std::path::Path;

use image::RgbaImage;
use resvg::{tiny_skia, usvg};

use crate::IconError;
use crate::source;

/// The largest area one filtered layer may cover, in canvas areas: a filter region may
/// reach past the image (a drop shadow, a glow), not a hundred times around it.
const MAX_FILTER_LAYER: f32 = 16.0;

/// The most filter work an icon may ask for, as the sum over filtered layers of
/// (layer area in canvas areas x filter primitives). Real icons use a few; a
/// hostile file with dozens of huge blurs would render for minutes.
const FILTER_BUDGET: f32 = 256.0;

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
        let external = std::sync::Mutex::new(Vec::new());
        let options = usvg::Options {
            resources_dir: None,
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
                resolve_string: Box::new(|href: &str, _: &usvg::Options| {
                    if let Ok(mut seen) = external.lock() {
                        seen.push(href.to_owned());
                    }
                    None
                }),
            },
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_data(&text, &options)
            .map_err(|error| unsupported(error.to_string()))?;
        drop(options);
        check_render_budget(path, &tree)?;

        let mut warnings = Vec::new();
        for href in external.into_inner().unwrap_or_default() {
            let shown: String = href.chars().take(120).collect();
            warnings.push(format!(
                "source {} refers to the external image `{shown}`, which is not read or drawn; \
                 embed it as a data: URL or draw it as paths",
                path.display()
            ));
        }
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

/// Refuses an SVG whose filters would cost more than [`FILTER_BUDGET`] (or one layer
/// more than [`MAX_FILTER_LAYER`]) to render. resvg allocates a pixmap the size of
/// each filtered layer and runs every primitive over it, so that area times the
/// primitive count is what rendering costs.
fn check_render_budget(path: &Path, tree: &usvg::Tree) -> Result<(), IconError> {
    let canvas = tree.size().width() * tree.size().height();
    let mut spent = 0.0f32;
    let mut result = Ok(());
    visit_groups(tree.root(), &mut |group| {
        if group.filters().is_empty() || result.is_err() {
            return;
        }
        let layer = group.abs_layer_bounding_box();
        let area = layer.width() * layer.height() / canvas;
        let primitives: usize = group.filters().iter().map(|f| f.primitives().len()).sum();
        let name = group
            .filters()
            .first()
            .map(|f| f.id().to_owned())
            .unwrap_or_default();
        spent += area * primitives as f32;
        let reason = if area > MAX_FILTER_LAYER {
            Some(format!(
                "the filter `{name}` covers {area:.0} times the image's area (at most {MAX_FILTER_LAYER})"
            ))
        } else if spent > FILTER_BUDGET {
            Some(format!(
                "its filters add up to {spent:.0} image areas of filter work (at most {FILTER_BUDGET})"
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            result = Err(IconError::RenderBudget {
                path: path.to_owned(),
                reason,
            });
        }
    });
    result
}

/// Calls `f` on `group` and every group below it, including those of masks,
/// patterns, clip paths and nested images.
fn visit_groups(group: &usvg::Group, f: &mut dyn FnMut(&usvg::Group)) {
    f(group);
    for node in group.children() {
        if let usvg::Node::Group(child) = node {
            visit_groups(child, f);
        }
        node.subroots(|root| visit_groups(root, f));
    }
}
