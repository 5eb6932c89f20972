//! Version facts inside members: Info.plist versions, the newest AppStream
//! release, and a Windows program's VERSIONINFO `ProductVersion`.

/// The two versions an Info.plist records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlistVersions {
    /// `CFBundleShortVersionString`.
    pub short: Option<String>,
    /// `CFBundleVersion`.
    pub bundle: Option<String>,
    /// `CFBundleExecutable`: the main program's name in `Contents/MacOS/`.
    pub executable: Option<String>,
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
        executable: text("CFBundleExecutable"),
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
                bundle: Some("1.2.3.4".into()),
                executable: None,
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
