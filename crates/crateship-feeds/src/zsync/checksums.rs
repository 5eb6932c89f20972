//! The numbers inside a `.zsync`: the block size and hash lengths zsyncmake 0.6.2
//! chooses for a file length, and the per-block weak (rsum) and strong (MD4) checksums.

use md4::{Digest, Md4};

/// Files shorter than this get 2 KiB blocks from zsyncmake, longer ones 4 KiB.
const LARGE_FILE: u64 = 100_000_000;

/// How many bytes of each block checksum a `.zsync` keeps (its `Hash-Lengths:` line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashLengths {
    /// How many consecutive blocks must match before the client trusts a match (1 or 2).
    pub sequential_matches: u8,
    /// Bytes of the 4-byte rolling checksum kept per block (its trailing bytes), 2 to 4.
    pub rsum_bytes: u8,
    /// Bytes of the 16-byte MD4 kept per block (its leading bytes).
    pub checksum_bytes: u8,
}

impl HashLengths {
    /// Bytes per block in the checksum section.
    pub fn per_block(&self) -> usize {
        usize::from(self.rsum_bytes) + usize::from(self.checksum_bytes)
    }
}

/// The block size zsyncmake picks when none is given: 2048 bytes below 100,000,000
/// bytes of input, 4096 from there on.
pub fn default_block_size(length: u64) -> u32 {
    if length < LARGE_FILE { 2048 } else { 4096 }
}

/// The hash lengths zsyncmake 0.6.2 writes for a file of `length` bytes cut into
/// `block_size` blocks: enough bits that a false match is unlikely for this many
/// blocks, fewer when two consecutive blocks must match. The same floating-point
/// expressions as zsyncmake, so the `Hash-Lengths:` line is the same.
pub fn hash_lengths(length: u64, block_size: u32) -> HashLengths {
    let block = u64::from(block_size);
    let sequential: u8 = if length > block { 2 } else { 1 };
    let seq = f64::from(sequential);
    let ln2 = 2f64.ln();
    let len = length as f64;
    let blocks_plus_one = (1 + length / block) as f64;
    // An empty file makes ln(0) = -inf; the saturating casts turn that into the
    // minimum, which the clamps below lift to the floors, as zsyncmake ends up too.
    let rsum = (((len.ln() + f64::from(block_size).ln()) / ln2 - 8.6) / seq / 8.0).ceil() as i32;
    let rsum = rsum.clamp(2, 4);
    let checksum = ((20.0 + (len.ln() + blocks_plus_one.ln()) / ln2) / seq / 8.0).ceil() as i32;
    let floor = ((7.9 + (20.0 + blocks_plus_one.ln() / ln2)) / 8.0) as i32;
    let checksum = checksum.max(floor).min(16);
    HashLengths {
        sequential_matches: sequential,
        rsum_bytes: rsum as u8,
        checksum_bytes: checksum as u8,
    }
}

/// The checksum records of whole blocks in `data` (the last block may be short and is
/// zero-padded to `block_size`, as zsyncmake does): per block the trailing
/// `rsum_bytes` of the big-endian rolling checksum, then the leading `checksum_bytes`
/// of its MD4.
pub fn block_sums(data: &[u8], block_size: usize, lengths: HashLengths) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len().div_ceil(block_size) * lengths.per_block());
    let mut padded = Vec::new();
    for block in data.chunks(block_size) {
        let block = if block.len() == block_size {
            block
        } else {
            padded.clear();
            padded.extend_from_slice(block);
            padded.resize(block_size, 0);
            &padded
        };
        let rsum = rsum(block);
        out.extend_from_slice(&rsum[4 - usize::from(lengths.rsum_bytes)..]);
        let md4 = Md4::digest(block);
        out.extend_from_slice(&md4[..usize::from(lengths.checksum_bytes)]);
    }
    out
}

/// The rsync-style rolling checksum of one block, big-endian `[a, b]` (16 bits each):
/// `a` is the sum of the bytes, `b` the sum of each byte times its distance from the
/// block's end (`len - i`), both modulo 2^16.
///
/// Computed as `b = len·a − Σ i·cᵢ` in wrapping 32-bit arithmetic, which keeps every
/// result modulo 2^16 exact and lets the loop vectorize.
fn rsum(block: &[u8]) -> [u8; 4] {
    let mut a: u32 = 0;
    let mut weighted: u32 = 0;
    for (i, &c) in block.iter().enumerate() {
        a = a.wrapping_add(u32::from(c));
        weighted = weighted.wrapping_add((i as u32).wrapping_mul(u32::from(c)));
    }
    let b = (block.len() as u32).wrapping_mul(a).wrapping_sub(weighted);
    let (a, b) = (a as u16, b as u16);
    let [a0, a1] = a.to_be_bytes();
    let [b0, b1] = b.to_be_bytes();
    [a0, a1, b0, b1]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, byte by byte, as the zsync paper states it.
    fn rsum_by_definition(block: &[u8]) -> [u8; 4] {
        let (mut a, mut b) = (0u16, 0u16);
        for (i, &c) in block.iter().enumerate() {
            a = a.wrapping_add(u16::from(c));
            b = b.wrapping_add(((block.len() - i) as u16).wrapping_mul(u16::from(c)));
        }
        let mut out = [0; 4];
        out[..2].copy_from_slice(&a.to_be_bytes());
        out[2..].copy_from_slice(&b.to_be_bytes());
        out
    }

    #[test]
    fn rsum_equals_its_definition() {
        let block: Vec<u8> = (0..65_536u32).map(|i| (i * 7919 % 251) as u8).collect();
        for len in [1, 2, 511, 2048, 4096, 65_536] {
            assert_eq!(
                rsum(&block[..len]),
                rsum_by_definition(&block[..len]),
                "{len}"
            );
        }
    }

    #[test]
    fn hash_lengths_follow_zsyncmake_at_known_points() {
        // Measured with Debian's zsyncmake 0.6.2.
        assert_eq!(
            hash_lengths(0, 2048),
            HashLengths {
                sequential_matches: 1,
                rsum_bytes: 2,
                checksum_bytes: 3
            }
        );
        assert_eq!(
            hash_lengths(5000, 2048),
            HashLengths {
                sequential_matches: 2,
                rsum_bytes: 2,
                checksum_bytes: 3
            }
        );
    }

    #[test]
    fn default_block_size_switches_at_100_million_bytes() {
        assert_eq!(default_block_size(99_999_999), 2048);
        assert_eq!(default_block_size(100_000_000), 4096);
    }

    #[test]
    fn a_short_last_block_is_zero_padded() {
        let lengths = HashLengths {
            sequential_matches: 1,
            rsum_bytes: 4,
            checksum_bytes: 16,
        };
        let mut padded = vec![9u8; 100];
        padded.resize(512, 0);
        assert_eq!(
            block_sums(&[9u8; 100], 512, lengths),
            block_sums(&padded, 512, lengths)
        );
    }
}
