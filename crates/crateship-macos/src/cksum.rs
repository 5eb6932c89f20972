//! The POSIX `cksum` CRC (polynomial 0x04C11DB7, MSB first, length appended,
//! complemented), which Bom files record for every file and symlink target.

const fn table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u32) << 24;
        let mut k = 0;
        while k < 8 {
            c = if c & 0x8000_0000 != 0 {
                (c << 1) ^ 0x04c1_1db7
            } else {
                c << 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static TABLE: [u32; 256] = table();

/// A streaming `cksum` CRC.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cksum {
    crc: u32,
    len: u64,
}

impl Cksum {
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.crc = (self.crc << 8) ^ TABLE[((self.crc >> 24) as u8 ^ b) as usize];
        }
        self.len += data.len() as u64;
    }

    /// The CRC `cksum` prints for everything fed so far.
    pub fn finish(&self) -> u32 {
        let mut crc = self.crc;
        let mut len = self.len;
        while len != 0 {
            crc = (crc << 8) ^ TABLE[((crc >> 24) as u8 ^ len as u8) as usize];
            len >>= 8;
        }
        !crc
    }
}

/// The `cksum` CRC of `data`.
pub(crate) fn cksum(data: &[u8]) -> u32 {
    let mut c = Cksum::default();
    c.update(data);
    c.finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_coreutils_cksum() {
        // `printf '' | cksum` and `printf 'hello\n' | cksum`
        assert_eq!(super::cksum(b""), 4_294_967_295);
        assert_eq!(super::cksum(b"hello\n"), 3_015_617_425);
    }
}
