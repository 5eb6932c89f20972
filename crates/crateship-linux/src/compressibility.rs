//! Guesses, from a few samples, whether a file is already compressed (PNG, JPEG,
//! zip, media, random data), so the .deb can store it instead of running LZMA2
//! over bytes it cannot shrink.
//!
//! The test is order-0 entropy over three 16 KiB windows (start, middle, end):
//! already-compressed data measures ≈ 8 bits per byte, text and code 4–6,
//! machine code about 6. A wrong "compressible" only costs time; a wrong
//! "incompressible" costs size, hence the high threshold and the minimum size.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use crate::package::{FileSource, PackageFile};

/// Files smaller than this are always compressed: their tar header matters more.
pub(crate) const MIN_SIZE: u64 = 16 << 10;
const WINDOW: u64 = 16 << 10;
/// Bits per byte at or above which a sample counts as already compressed.
const THRESHOLD_BITS: f64 = 7.9;

/// Whether `file`'s content looks already compressed; `size` is its length.
pub(crate) fn looks_incompressible(file: &PackageFile, size: u64) -> io::Result<bool> {
    if size < MIN_SIZE {
        return Ok(false);
    }
    let starts = [0, size / 2 - WINDOW / 2, size - WINDOW];
    let mut counts = [0u64; 256];
    let mut buf = vec![0u8; WINDOW as usize];
    match &file.source {
        FileSource::Bytes(bytes) => {
            for start in starts {
                let start = start as usize;
                count(&mut counts, &bytes[start..start + WINDOW as usize]);
            }
        }
        FileSource::Path(path) => {
            let mut f = File::open(path)?;
            for start in starts {
                f.seek(SeekFrom::Start(start))?;
                f.read_exact(&mut buf)?;
                count(&mut counts, &buf);
            }
        }
    }
    Ok(entropy_bits(&counts) >= THRESHOLD_BITS)
}

fn count(counts: &mut [u64; 256], bytes: &[u8]) {
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
}

/// Shannon entropy of the byte histogram, in bits per byte.
fn entropy_bits(counts: &[u64; 256]) -> f64 {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let total = total as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_file(content: Vec<u8>) -> (u64, PackageFile) {
        (
            content.len() as u64,
            PackageFile::from_bytes(content, "x", 0o644),
        )
    }

    #[test]
    fn random_bytes_are_incompressible_text_and_zeros_are_not() {
        let random = crate::xz::tests::noise(100_000, 0x9E37_79B9_7F4A_7C15);
        let (n, f) = bytes_file(random.clone());
        assert!(looks_incompressible(&f, n).unwrap());

        let text: Vec<u8> = b"fn main() { println!(\"hello\"); }\n"
            .iter()
            .cycle()
            .take(100_000)
            .copied()
            .collect();
        let (n, f) = bytes_file(text);
        assert!(!looks_incompressible(&f, n).unwrap());

        let (n, f) = bytes_file(vec![0; 100_000]);
        assert!(!looks_incompressible(&f, n).unwrap());

        // Too small to bother, however random.
        let (n, f) = bytes_file(random[..MIN_SIZE as usize - 1].to_vec());
        assert!(!looks_incompressible(&f, n).unwrap());

        // Random start, text elsewhere: the middle and end windows keep it compressed.
        let mut mixed = random[..20_000].to_vec();
        mixed.extend(std::iter::repeat_n(b'a', 80_000));
        let (n, f) = bytes_file(mixed);
        assert!(!looks_incompressible(&f, n).unwrap());
    }
}
