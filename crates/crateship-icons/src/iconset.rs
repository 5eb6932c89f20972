//! The `NAME.iconset` folder `iconutil` and Xcode take: `icon_PxP.png` and
//! `icon_PxP@2x.png` for P = 16, 32, 128, 256 and 512 points.

use std::path::PathBuf;

/// The point sizes of the set.
const POINTS: [u32; 5] = [16, 32, 128, 256, 512];

/// The folder, relative to the output directory.
pub(crate) fn dir(name: &str) -> PathBuf {
    PathBuf::from(format!("{name}.iconset"))
}

/// Every PNG in the folder: its path relative to the output directory and its pixel size.
pub(crate) fn files(name: &str) -> Vec<(PathBuf, u32)> {
    let dir = dir(name);
    POINTS
        .iter()
        .flat_map(|&points| {
            [
                (format!("icon_{points}x{points}.png"), points),
                (format!("icon_{points}x{points}@2x.png"), points * 2),
            ]
        })
        .map(|(file, pixels)| (dir.join(file), pixels))
        .collect()
}
