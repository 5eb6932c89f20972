//! Streaming SHA-256 of files: the digests in `SHA256SUMS`, the manifest and
//! every index that names an artifact.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::IoError;

/// The SHA-256 (lower-case hex) and size of the file at `path`, read in 1 MiB
/// pieces so memory stays flat whatever its size.
pub fn sha256_file(path: &Path) -> Result<(String, u64), IoError> {
    let file = std::fs::File::open(path).map_err(|e| IoError::new("cannot read", path, e))?;
    sha256_reader(file).map_err(|e| IoError::new("cannot read", path, e))
}

/// The SHA-256 (lower-case hex) and length of everything `reader` yields.
pub fn sha256_reader(reader: impl Read) -> std::io::Result<(String, u64)> {
    let (digest, size) = sha256_digest(reader)?;
    Ok((hex(&digest), size))
}

/// The SHA-256 (raw bytes) and length of everything `reader` yields, read in
/// 1 MiB pieces (for digests that are embedded rather than printed).
pub fn sha256_digest(mut reader: impl Read) -> std::io::Result<([u8; 32], u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hasher.finalize().into(), size))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_known_digests() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            (
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_owned(),
                3
            )
        );
        let (raw, len) = sha256_digest(&b"abc"[..]).unwrap();
        assert_eq!((hex(&raw[..4]), len), ("ba7816bf".to_owned(), 3));
        let err = sha256_file(&dir.path().join("missing"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing"), "{err}");
    }
}
