//! Colour-space check of PNG sources: finds a cICP, iCCP, gAMA or cHRM chunk that declares
//! something other than sRGB. Pixels are always treated as sRGB; the caller turns a finding
//! into a warning saying the declaration was ignored.

use std::io::Cursor;

/// sRGB's encoding gamma as stored in a gAMA chunk (1/2.2 × 100 000).
const SRGB_GAMA: u32 = 45_455;
/// gAMA values this close to sRGB's are accepted as sRGB.
const GAMA_TOLERANCE: u32 = 1_000;
/// sRGB's white point and primaries (x, y) × 100 000, in cHRM order.
const SRGB_CHRM: [(u32, u32); 4] = [
    (31_270, 32_900),
    (64_000, 33_000),
    (30_000, 60_000),
    (15_000, 6_000),
];
/// cHRM values this close to sRGB's are accepted as sRGB.
const CHRM_TOLERANCE: u32 = 1_000;

/// Describes the non-sRGB colour space `png` declares, or `None` when it declares sRGB,
/// nothing at all, or cannot be parsed (decoding reports that separately).
///
/// Follows the PNG precedence: cICP, then iCCP, then sRGB, then gAMA and cHRM.
pub(crate) fn non_srgb_declaration(png: &[u8]) -> Option<String> {
    let mut decoder = png::Decoder::new(Cursor::new(png));
    decoder.set_ignore_text_chunk(true);
    let reader = decoder.read_info().ok()?;
    let info = reader.info();

    if let Some(cicp) = &info.coding_independent_code_points {
        // H.273: primaries 1 = BT.709/sRGB, transfer 13 = sRGB.
        return (cicp.color_primaries != 1 || cicp.transfer_function != 13).then(|| {
            format!(
                "a cICP chunk (primaries {}, transfer {})",
                cicp.color_primaries, cicp.transfer_function
            )
        });
    }
    if let Some(profile) = &info.icc_profile {
        let name = icc_description(profile);
        let is_srgb = name
            .as_deref()
            .is_some_and(|name| name.to_ascii_lowercase().contains("srgb"));
        return (!is_srgb).then(|| match name {
            Some(name) => format!("an ICC profile {name:?}"),
            None => "an ICC profile without a description".to_owned(),
        });
    }
    if info.srgb.is_some() {
        return None;
    }
    let mut found = Vec::new();
    if let Some(gamma) = info.gama_chunk {
        let gamma = gamma.into_scaled();
        if gamma.abs_diff(SRGB_GAMA) > GAMA_TOLERANCE {
            found.push(format!("gamma {:.5} (gAMA)", f64::from(gamma) / 100_000.0));
        }
    }
    if let Some(chrm) = &info.chrm_chunk {
        let points = [chrm.white, chrm.red, chrm.green, chrm.blue];
        let differs = points.iter().zip(SRGB_CHRM).any(|((x, y), (sx, sy))| {
            x.into_scaled().abs_diff(sx) > CHRM_TOLERANCE
                || y.into_scaled().abs_diff(sy) > CHRM_TOLERANCE
        });
        if differs {
            found.push("non-sRGB primaries (cHRM)".to_owned());
        }
    }
    (!found.is_empty()).then(|| found.join(" and "))
}

/// The profile description ('desc' tag) of an ICC profile, v2 ('desc' type) or v4 ('mluc').
fn icc_description(profile: &[u8]) -> Option<String> {
    let count = be_u32(profile, 128)? as usize;
    let (offset, size) = (0..count.min(1_000)).find_map(|index| {
        let entry = 132 + index * 12;
        (profile.get(entry..entry + 4)? == b"desc")
            .then(|| Some((be_u32(profile, entry + 4)?, be_u32(profile, entry + 8)?)))?
    })?;
    let tag = profile.get(offset as usize..(offset as usize).checked_add(size as usize)?)?;
    match tag.get(..4)? {
        b"desc" => {
            let len = be_u32(tag, 8)? as usize;
            let text = tag.get(12..12usize.checked_add(len)?)?;
            let text = text.split(|&byte| byte == 0).next()?;
            Some(String::from_utf8_lossy(text).into_owned())
        }
        b"mluc" => {
            // First record: language, country, byte length, offset from the tag start.
            let len = be_u32(tag, 20)? as usize;
            let start = be_u32(tag, 24)? as usize;
            let text = tag.get(start..start.checked_add(len)?)?;
            let units: Vec<u16> = text
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => None,
    }
}

/// The big-endian `u32` at `offset`, if `bytes` is long enough.
fn be_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    let word = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_be_bytes(word.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_with(edit: impl FnOnce(&mut png::Info<'static>)) -> Vec<u8> {
        let mut info = png::Info::with_size(1, 1);
        info.color_type = png::ColorType::Rgba;
        info.bit_depth = png::BitDepth::Eight;
        edit(&mut info);
        let mut out = Vec::new();
        let encoder = png::Encoder::with_info(&mut out, info).unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[0, 0, 0, 0]).unwrap();
        writer.finish().unwrap();
        out
    }

    /// A minimal ICC profile holding only a v2 'desc' tag.
    fn icc_v2(description: &str) -> Vec<u8> {
        let mut tag = b"desc\0\0\0\0".to_vec();
        tag.extend((description.len() as u32 + 1).to_be_bytes());
        tag.extend(description.as_bytes());
        tag.push(0);
        let mut profile = vec![0; 128];
        profile.extend(1u32.to_be_bytes());
        profile.extend(b"desc");
        profile.extend(144u32.to_be_bytes());
        profile.extend((tag.len() as u32).to_be_bytes());
        profile.extend(tag);
        profile
    }

    /// A minimal ICC profile holding only a v4 'mluc' description.
    fn icc_v4(description: &str) -> Vec<u8> {
        let text: Vec<u8> = description
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        let mut tag = b"mluc\0\0\0\0".to_vec();
        tag.extend(1u32.to_be_bytes());
        tag.extend(12u32.to_be_bytes());
        tag.extend(b"enUS");
        tag.extend((text.len() as u32).to_be_bytes());
        tag.extend(28u32.to_be_bytes());
        tag.extend(text);
        let mut profile = vec![0; 128];
        profile.extend(1u32.to_be_bytes());
        profile.extend(b"desc");
        profile.extend(144u32.to_be_bytes());
        profile.extend((tag.len() as u32).to_be_bytes());
        profile.extend(tag);
        profile
    }

    #[test]
    fn untagged_and_srgb_pngs_pass() {
        assert_eq!(non_srgb_declaration(&png_with(|_| {})), None);
        let srgb = png_with(|i| i.srgb = Some(png::SrgbRenderingIntent::Perceptual));
        assert_eq!(non_srgb_declaration(&srgb), None);
        let gamma = png_with(|i| i.source_gamma = Some(png::ScaledFloat::from_scaled(45_455)));
        assert_eq!(non_srgb_declaration(&gamma), None);
    }

    #[test]
    fn linear_gamma_is_reported() {
        let linear = png_with(|i| i.source_gamma = Some(png::ScaledFloat::new(1.0)));
        let found = non_srgb_declaration(&linear).unwrap();
        assert!(found.contains("gAMA"), "{found}");
    }

    #[test]
    fn wide_gamut_primaries_are_reported() {
        let p3 = png::SourceChromaticities::new(
            (0.3127, 0.3290),
            (0.680, 0.320),
            (0.265, 0.690),
            (0.150, 0.060),
        );
        let found =
            non_srgb_declaration(&png_with(|i| i.source_chromaticities = Some(p3))).unwrap();
        assert!(found.contains("cHRM"), "{found}");
    }

    #[test]
    fn icc_profiles_are_judged_by_their_description() {
        let srgb = icc_v2("sRGB IEC61966-2.1");
        let tagged = png_with(|i| i.icc_profile = Some(srgb.into()));
        assert_eq!(non_srgb_declaration(&tagged), None);

        let p3 = icc_v4("Display P3");
        let tagged = png_with(|i| i.icc_profile = Some(p3.into()));
        let found = non_srgb_declaration(&tagged).unwrap();
        assert!(found.contains("Display P3"), "{found}");
    }
}
