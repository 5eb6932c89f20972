//! MSI stream-name packing: Windows Installer stores stream names in the compound file
//! with pairs of characters from its 64-symbol alphabet packed into one UTF-16 unit
//! (U+3800..U+47FF) and single ones in U+4800..U+483F. Needed to add cabinet streams
//! straight into the repacked file.

/// Value of `c` in the MSI stream-name alphabet `0-9 A-Z a-z . _`.
fn symbol(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        'A'..='Z' => Some(c as u32 - 'A' as u32 + 10),
        'a'..='z' => Some(c as u32 - 'a' as u32 + 36),
        '.' => Some(62),
        '_' => Some(63),
        _ => None,
    }
}

/// The compound-file name of the non-table stream `name`.
pub(crate) fn encode(name: &str) -> String {
    let mut out = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        let Some(first) = symbol(c) else {
            out.push(c);
            continue;
        };
        let packed = match chars.peek().copied().and_then(symbol) {
            Some(second) => {
                chars.next();
                0x3800 + (second << 6) + first
            }
            None => 0x4800 + first,
        };
        out.push(char::from_u32(packed).expect("packed values are valid BMP scalars"));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    /// The `msi` crate, which msitools and Windows read, must agree with us.
    #[test]
    fn encoding_matches_the_msi_crate() {
        let mut package =
            msi::Package::create(msi::PackageType::Installer, Cursor::new(Vec::new())).unwrap();
        for name in ["cab1.cab", "cab12.cab", "Icon.ProductIcon.ico", "x_y.z9"] {
            package.write_stream(name).unwrap().write_all(b"x").unwrap();
        }
        package.flush().unwrap();
        let bytes = package.into_inner().unwrap().into_inner();
        let comp = cfb::CompoundFile::open(Cursor::new(bytes)).unwrap();
        let names: Vec<String> = comp.walk().map(|e| e.name().to_owned()).collect();
        for name in ["cab1.cab", "cab12.cab", "Icon.ProductIcon.ico", "x_y.z9"] {
            assert!(names.contains(&encode(name)), "{name}");
        }
    }
}
