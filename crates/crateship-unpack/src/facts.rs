//! Version facts inside members: Info.plist versions, the newest AppStream
//! release, and a Windows program's VERSIONINFO `ProductVersion`.

/// The two versions an Info.plist records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlistVersions {
    /// `CFBundleShortVersionString`.
    pub short: Option<String>,
    /// `CFBundleVersion`.
    pub bundle: Option<String>,
}

/// The versions of an Info.plist (XML or binary); an error says why the file
/// is no plist dictionary.
pub fn info_plist_versions(bytes: &[u8]) -> Result<PlistVersions, String> {
    let value = plist::Value::from_reader(std::io::Cursor::new(bytes))
        .map_err(|e| format!("it is not a well-formed property list: {e}"))?;
    let dict = value
        .as_dictionary()
        .ok_or("its top level is not a dictionary")?;
    let text = |key: &str| dict.get(key).and_then(|v| v.as_string()).map(str::to_owned);
    Ok(PlistVersions {
        short: text("CFBundleShortVersionString"),
        bundle: text("CFBundleVersion"),
    })
}

/// The `version` of the first `<release>` of an AppStream metainfo file (the
/// newest, as AppStream orders them); an error says why it is not well-formed XML.
pub fn metainfo_release(text: &str) -> Result<Option<String>, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut first = None;
    loop {
        match reader.read_event() {
            Err(e) => {
                return Err(format!(
                    "it is not well-formed XML (at byte {}): {e}",
                    reader.buffer_position()
                ));
            }
            Ok(quick_xml::events::Event::Eof) => return Ok(first),
            Ok(quick_xml::events::Event::Start(tag) | quick_xml::events::Event::Empty(tag))
                if first.is_none() && tag.name().into_inner() == "release" =>
            {
                first = tag
                    .try_get_attribute("version")
                    .ok()
                    .flatten()
                    .map(|a| a.value.into_owned());
            }
            Ok(_) => {}
        }
    }
}

/// The `ProductVersion` string of a PE file's VERSIONINFO resource, if it has one.
///
/// The `String` structure is found by its UTF-16 key; its value follows the
/// key's terminator, padded to a 32-bit boundary from the structure's start.
pub fn pe_product_version(bytes: &[u8]) -> Option<String> {
    let key: Vec<u8> = "ProductVersion\0"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut from = 0;
    while let Some(found) = find(&bytes[from..], &key) {
        let at = from + found;
        from = at + key.len();
        let Some(start) = at.checked_sub(6) else {
            continue;
        };
        let value_len = usize::from(u16::from_le_bytes([bytes[start + 2], bytes[start + 3]]));
        let value_at = start + (6 + key.len()).next_multiple_of(4);
        let units: Vec<u16> = bytes
            .get(value_at..value_at + value_len * 2)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        if let Ok(text) = String::from_utf16(&units)
            && !text.is_empty()
        {
            return Some(text);
        }
    }
    None
}

/// The CMS blob of each slice's embedded code signature (`LC_CODE_SIGNATURE`
/// → SuperBlob → the `0x10000` blob), in slice order: `None` for a slice with no
/// signature or an ad-hoc one (no CMS, or an empty one). Not a Mach-O: empty.
pub fn macho_signatures(bytes: &[u8]) -> Vec<Option<Vec<u8>>> {
    let be = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    if be(0) == Some(0xcafe_babe) {
        let count = be(4).unwrap_or(0).min(16) as usize;
        return (0..count)
            .map(|i| {
                let at = 8 + i * 20;
                let (offset, size) = (be(at + 8)? as usize, be(at + 12)? as usize);
                thin_signature(bytes.get(offset..offset.checked_add(size)?)?)
            })
            .collect();
    }
    if bytes.len() < 32 {
        return Vec::new();
    }
    vec![thin_signature(bytes)]
}

/// The CMS blob of one thin 64-bit little-endian Mach-O's code signature.
fn thin_signature(macho: &[u8]) -> Option<Vec<u8>> {
    let le = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(macho.get(at..at + 4)?.try_into().ok()?))
    };
    const LC_CODE_SIGNATURE: u32 = 0x1d;
    if le(0)? != 0xfeed_facf {
        return None;
    }
    let commands = le(16)?;
    let mut at = 32usize;
    for _ in 0..commands.min(4096) {
        let (cmd, size) = (le(at)?, le(at + 4)? as usize);
        if cmd == LC_CODE_SIGNATURE {
            let (offset, length) = (le(at + 8)? as usize, le(at + 12)? as usize);
            return superblob_cms(macho.get(offset..offset.checked_add(length)?)?);
        }
        if size < 8 {
            return None;
        }
        at += size;
    }
    None
}

/// The CMS blob (type `0x10000`) of a code-signature SuperBlob (magic
/// `0xfade0cc0`, then `(type, offset)` pairs); `None` when absent or empty.
fn superblob_cms(superblob: &[u8]) -> Option<Vec<u8>> {
    let be = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(
            superblob.get(at..at + 4)?.try_into().ok()?,
        ))
    };
    if be(0)? != 0xfade_0cc0 {
        return None;
    }
    let count = be(8)?.min(64) as usize;
    for i in 0..count {
        let (kind, blob) = (be(12 + i * 8)?, be(16 + i * 8)? as usize);
        if kind == 0x10000 {
            let length = be(blob + 4)? as usize;
            let cms = superblob.get(blob + 8..blob.checked_add(length)?)?;
            return (!cms.is_empty()).then(|| cms.to_vec());
        }
    }
    None
}

/// The CMS blob of a .dmg's embedded code signature: the SuperBlob the `koly`
/// trailer's `CodeSignatureOffset` (0x128) / `CodeSignatureLength` (0x130)
/// point at. `Ok(None)`: unsigned; an error says why the file is no dmg.
pub fn dmg_signature(path: &std::path::Path) -> Result<Option<Vec<u8>>, String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot be read: {e}"))?
        .len();
    if len < 512 {
        return Err("it is too short to end in a koly trailer".into());
    }
    let mut koly = [0u8; 512];
    file.seek(SeekFrom::Start(len - 512))
        .and_then(|_| file.read_exact(&mut koly))
        .map_err(|e| format!("its koly trailer cannot be read: {e}"))?;
    if &koly[..4] != b"koly" {
        return Err("it does not end in a `koly` trailer".into());
    }
    let be64 = |at: usize| u64::from_be_bytes(koly[at..at + 8].try_into().unwrap_or_default());
    let (offset, length) = (be64(0x128), be64(0x130));
    if length == 0 {
        return Ok(None);
    }
    if offset.saturating_add(length) > len || length > 16 << 20 {
        return Err(format!(
            "its code signature ({length} bytes at {offset}) lies outside the file"
        ));
    }
    let mut superblob = vec![0u8; length as usize];
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(&mut superblob))
        .map_err(|e| format!("its code signature cannot be read: {e}"))?;
    Ok(superblob_cms(&superblob))
}

/// The CMS blob of a flat .pkg (a XAR archive): the heap range the TOC's
/// `<x-signature>` names. `Ok(None)`: unsigned; an error says why the file is
/// no readable XAR.
pub fn pkg_signature(path: &std::path::Path) -> Result<Option<Vec<u8>>, String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let mut header = [0u8; 28];
    file.read_exact(&mut header)
        .map_err(|e| format!("its XAR header cannot be read: {e}"))?;
    if &header[..4] != b"xar!" {
        return Err("it does not start with `xar!`".into());
    }
    let header_len = u64::from(u16::from_be_bytes([header[4], header[5]]));
    let toc_len = u64::from_be_bytes(header[8..16].try_into().unwrap_or_default());
    if toc_len > 64 << 20 {
        return Err(format!("its table of contents claims {toc_len} bytes"));
    }
    let mut packed = vec![0u8; toc_len as usize];
    file.seek(SeekFrom::Start(header_len))
        .and_then(|_| file.read_exact(&mut packed))
        .map_err(|e| format!("its table of contents is truncated: {e}"))?;
    let mut toc = String::new();
    flate2::read::ZlibDecoder::new(&packed[..])
        .read_to_string(&mut toc)
        .map_err(|e| format!("its table of contents does not inflate: {e}"))?;
    let Some(at) = toc.find("<x-signature") else {
        return Ok(None);
    };
    let section = &toc[at..toc[at..]
        .find("</x-signature>")
        .map_or(toc.len(), |e| at + e)];
    let number = |tag: &str| -> Option<u64> {
        let open = format!("<{tag}>");
        let start = section.find(&open)? + open.len();
        section[start..].split('<').next()?.trim().parse().ok()
    };
    let (Some(offset), Some(size)) = (number("offset"), number("size")) else {
        return Err("its <x-signature> has no offset and size".into());
    };
    if size == 0 || size > 16 << 20 {
        return Ok(None);
    }
    let mut cms = vec![0u8; size as usize];
    file.seek(SeekFrom::Start(header_len + toc_len + offset))
        .and_then(|_| file.read_exact(&mut cms))
        .map_err(|e| format!("its CMS signature cannot be read: {e}"))?;
    Ok(Some(cms))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_version_fact() {
        let plist = br#"<?xml version="1.0"?><plist version="1.0"><dict>
            <key>CFBundleShortVersionString</key><string>1.2.3</string>
            <key>CFBundleVersion</key><string>1.2.3.4</string></dict></plist>"#;
        assert_eq!(
            info_plist_versions(plist).unwrap(),
            PlistVersions {
                short: Some("1.2.3".into()),
                bundle: Some("1.2.3.4".into())
            }
        );
        assert!(info_plist_versions(b"<plist><dict>").is_err());
        let metainfo = r#"<component><releases><release version="2.0.0" date="2024-01-01"/>
            <release version="1.0.0"/></releases></component>"#;
        assert_eq!(
            metainfo_release(metainfo).unwrap().as_deref(),
            Some("2.0.0")
        );
        assert!(metainfo_release("<component><releases></component>").is_err());

        // A String structure as rc writes it: lengths, type 1, key, padding, value.
        let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        let mut pe = b"MZ padding!!".to_vec();
        let key = utf16("ProductVersion\0");
        let value = utf16("1.2.3\0");
        pe.extend_from_slice(&[0, 0, 6, 0, 1, 0]);
        pe.extend_from_slice(&key);
        while !(pe.len() - 12).is_multiple_of(4) {
            pe.push(0);
        }
        pe.extend_from_slice(&value);
        assert_eq!(pe_product_version(&pe).as_deref(), Some("1.2.3"));
        assert_eq!(pe_product_version(b"MZ nothing here"), None);
    }
}
