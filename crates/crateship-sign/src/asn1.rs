//! A minimal DER writer for the few fixed Authenticode structures (SpcIndirectDataContent,
//! RFC 3161 requests) that have no type in the RustCrypto crates.

/// One DER TLV with a definite length (also used by crateship-macos for the DER
/// entitlements of Apple code signatures).
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already-encoded parts.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// An OBJECT IDENTIFIER from dotted text (the constants of this crate are valid).
pub(crate) fn oid(dotted: &str) -> Vec<u8> {
    let parsed = der::asn1::ObjectIdentifier::new_unwrap(dotted);
    tlv(0x06, parsed.as_bytes())
}

/// A small non-negative INTEGER.
pub(crate) fn int(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut content = bytes[skip..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

/// AlgorithmIdentifier { sha256, NULL }.
pub(crate) fn sha256_algorithm() -> Vec<u8> {
    seq(&[&oid(SHA256), &[0x05, 0x00]])
}

/// id-sha256.
pub(crate) const SHA256: &str = "2.16.840.1.101.3.4.2.1";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_use_the_minimal_form() {
        assert_eq!(&tlv(4, &[0; 200])[..3], &[4, 0x81, 200]);
        assert_eq!(&tlv(4, &[0; 300])[..4], &[4, 0x82, 1, 44]);
        assert_eq!(int(0), vec![2, 1, 0]);
        assert_eq!(int(128), vec![2, 2, 0, 128]);
    }
}
