//! Text-like file contents: pseudo prose, code and config lines whose words
//! follow a Zipf distribution over a vocabulary of letter-frequency-weighted
//! pseudo-words, so text compresses the way real text does.

use crate::rng::Rng;

/// English letter frequencies (per mille), in the order of [`LETTERS`].
const LETTERS: &[u8] = b"etaoinshrdlcumwfgypbvkjxqz";
const WEIGHTS: &[u32] = &[
    127, 91, 82, 75, 70, 67, 63, 61, 60, 43, 40, 28, 28, 24, 24, 22, 20, 20, 19, 15, 10, 8, 2, 2,
    1, 1,
];

/// Pseudo-words and their cumulative Zipf weights.
pub(crate) struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    /// `n` distinct pseudo-words of 1–14 letters, in random order; the i-th is
    /// chosen with weight 1/(i+1).
    pub fn new(rng: &mut Rng, n: usize) -> Vocabulary {
        let total: u32 = WEIGHTS.iter().sum();
        let letter = |rng: &mut Rng| {
            let mut pick = rng.below(u64::from(total)) as u32;
            for (i, w) in WEIGHTS.iter().enumerate() {
                if pick < *w {
                    return LETTERS[i] as char;
                }
                pick -= w;
            }
            'e'
        };
        let mut seen = std::collections::BTreeSet::new();
        let mut words = Vec::with_capacity(n);
        while words.len() < n {
            // Lengths roughly exponential with mean 5, capped at 14.
            let len = ((-(1.0 - rng.unit()).ln() * 5.0) as usize + 1).min(14);
            let word: String = (0..len).map(|_| letter(rng)).collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        rng.shuffle(&mut words);
        let mut sum = 0.0;
        let cumulative = (0..words.len())
            .map(|i| {
                sum += 1.0 / (i as f64 + 1.0);
                sum
            })
            .collect();
        Vocabulary { words, cumulative }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|&c| c <= x);
        &self.words[i.min(self.words.len() - 1)]
    }

    /// Exactly `size` bytes of lines: 60 % prose, 25 % code, 15 % `key = "value"`.
    pub fn text(&self, rng: &mut Rng, size: usize) -> Vec<u8> {
        let mut out = String::with_capacity(size + 128);
        while out.len() < size {
            let kind = rng.below(100);
            if kind < 60 {
                let n = 6 + rng.below(13);
                for i in 0..n {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(self.word(rng));
                }
                out.push_str([".", ",", ";", ":", "", "", "", ""][rng.below(8) as usize]);
            } else if kind < 85 {
                let indent = "    ".repeat(rng.below(4) as usize);
                let (a, b, c) = (self.word(rng), self.word(rng), self.word(rng));
                out.push_str(&format!(
                    "{indent}let {a}_{b} = {c}({});",
                    rng.below(10_000)
                ));
            } else {
                let (a, b) = (self.word(rng), self.word(rng));
                out.push_str(&format!("{a}.{b} = \"{:x}\"", rng.below(1 << 20)));
            }
            out.push('\n');
        }
        let mut bytes = out.into_bytes();
        bytes.truncate(size);
        bytes
    }
}
