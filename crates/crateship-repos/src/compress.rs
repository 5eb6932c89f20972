//! Deterministic gzip and xz of the small in-memory indexes (`Packages`, repodata XML).

use std::io::{self, Write};

/// `bytes` as one gzip member with no file name and mtime 0 (so equal input gives equal output).
pub(crate) fn gzip(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// `bytes` as a single-threaded xz stream, preset 6 with CRC64 (what `xz` writes by default).
pub(crate) fn xz(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = liblzma::write::XzEncoder::new(Vec::new(), 6);
    encoder.write_all(bytes)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn round_trips_and_is_reproducible() {
        let text = b"Package: hello\nVersion: 1.0\n".repeat(50);
        let gz = gzip(&text).unwrap();
        assert_eq!(gz, gzip(&text).unwrap());
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, text);
        let xz_bytes = xz(&text).unwrap();
        assert_eq!(xz_bytes, xz(&text).unwrap());
        back.clear();
        liblzma::read::XzDecoder::new(&xz_bytes[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, text);
    }
}
