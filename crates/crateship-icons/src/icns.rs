//! The macOS `.icns`: the modern PNG elements ic07–ic14 (every @2x included) reusing the
//! layers' PNG bytes, plus the legacy RLE colour + 8-bit mask pairs is32/s8mk (16 px) and
//! il32/l8mk (32 px) that older readers and small Finder views use. No icp4–icp6.

use std::collections::BTreeMap;

use icns::{IconElement, IconFamily, IconType, OSType};

use crate::layers::Layer;

/// PNG elements and their pixel size, in file order (smallest first).
const PNG_ELEMENTS: [(&[u8; 4], u32); 8] = [
    (b"ic11", 32),   // 16 pt @2x
    (b"ic12", 64),   // 32 pt @2x
    (b"ic07", 128),  // 128 pt
    (b"ic13", 256),  // 128 pt @2x
    (b"ic08", 256),  // 256 pt
    (b"ic14", 512),  // 256 pt @2x
    (b"ic09", 512),  // 512 pt
    (b"ic10", 1024), // 512 pt @2x
];
/// Legacy RLE colour types (each followed by its mask element) and their pixel size.
const RLE_ELEMENTS: [(IconType, u32); 2] =
    [(IconType::RGB24_16x16, 16), (IconType::RGB24_32x32, 32)];

/// The pixel sizes this file needs.
pub(crate) fn sizes() -> impl Iterator<Item = u32> {
    RLE_ELEMENTS
        .iter()
        .map(|(_, size)| *size)
        .chain(PNG_ELEMENTS.iter().map(|(_, size)| *size))
}

/// Builds the `.icns` file from `layers`, which must hold every size from [`sizes`].
pub(crate) fn build(layers: &BTreeMap<u32, Layer>) -> Result<Vec<u8>, String> {
    let mut family = IconFamily::new();
    for (icon_type, size) in RLE_ELEMENTS {
        let pixels = &layers[&size].pixels;
        let image =
            icns::Image::from_data(icns::PixelFormat::RGBA, size, size, pixels.as_raw().clone())
                .map_err(|error| error.to_string())?;
        // Adds the RLE colour element and its 8-bit mask.
        family
            .add_icon_with_type(&image, icon_type)
            .map_err(|error| error.to_string())?;
    }
    for (ostype, size) in PNG_ELEMENTS {
        family
            .elements
            .push(IconElement::new(OSType(*ostype), layers[&size].png.clone()));
    }
    let mut bytes = Vec::new();
    family
        .write(&mut bytes)
        .map_err(|error| error.to_string())?;
    Ok(bytes)
}
