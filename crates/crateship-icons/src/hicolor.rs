//! The freedesktop hicolor theme tree: `hicolor/NxN/apps/NAME.png`, the HiDPI
//! `hicolor/NxN@2/apps/NAME.png` (2N pixels) and, for SVG sources,
//! `hicolor/scalable/apps/NAME.svg`.

use std::path::PathBuf;

/// The logical sizes of the tree (each also at `@2`).
pub const SIZES: [u32; 10] = [16, 22, 24, 32, 48, 64, 96, 128, 256, 512];
/// The tree's top directory, relative to the output directory.
pub(crate) const DIR: &str = "hicolor";

/// Every PNG in the tree: its path relative to the output directory and its pixel size.
pub(crate) fn files(name: &str) -> Vec<(PathBuf, u32)> {
    SIZES
        .iter()
        .flat_map(|&size| {
            [
                (format!("{DIR}/{size}x{size}/apps/{name}.png"), size),
                (format!("{DIR}/{size}x{size}@2/apps/{name}.png"), size * 2),
            ]
        })
        .map(|(path, pixels)| (PathBuf::from(path), pixels))
        .collect()
}

/// Where the scalable (SVG) icon goes, relative to the output directory.
pub(crate) fn scalable(name: &str) -> PathBuf {
    PathBuf::from(format!("{DIR}/scalable/apps/{name}.svg"))
}
