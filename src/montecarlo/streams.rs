//! Per-run random streams derived from `(seed, run index, purpose)` alone.
//!
//! Every stream is a ChaCha8 keystream (`rand::rngs::ChaCha8Rng`, a named generator with
//! rand's reproducibility guarantee, unlike `StdRng` whose algorithm may change). The
//! 256-bit key is the study seed and the purpose expanded through SplitMix64; the 64-bit
//! ChaCha stream number is the run index. Hence:
//!
//! * runs of one purpose use distinct nonces under one key: their keystreams are disjoint
//!   by construction (each holds 2^68 words), not just unlikely to overlap;
//! * purposes use different keys, so input sampling and in-equation noise never share
//!   numbers;
//! * a run's numbers depend on nothing else: results are bit-identical for any thread
//!   count, chunking or first-run/run-count split of a study.

use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;

/// The generator behind every stream.
pub type StreamRng = ChaCha8Rng;

/// What a stream is used for; each purpose has its own key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Drawing a run's uncertain inputs (simple random sampling, Gaussian copula).
    Inputs,
    /// Random functions evaluated inside equations during a run.
    Noise,
    /// Whole-study designs: the stream "run" index is the input (column) index, used for
    /// Latin hypercube permutations and Iman–Conover scores.
    Design,
    /// Iman–Conover score permutations; the stream "run" index is the input index.
    Correlation,
    /// Any further use, numbered by the caller.
    Other(u32),
}

impl Purpose {
    fn tag(self) -> u64 {
        match self {
            Purpose::Inputs => 1,
            Purpose::Noise => 2,
            Purpose::Design => 3,
            Purpose::Correlation => 4,
            Purpose::Other(n) => 0x1_0000_0000 | u64::from(n),
        }
    }
}

/// The stream factory of one study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streams {
    seed: u64,
}

impl Streams {
    /// Streams for the study with this seed.
    pub fn new(seed: u64) -> Streams {
        Streams { seed }
    }

    /// The study seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The generator for run `run` and `purpose`, positioned at its start.
    pub fn rng(&self, run: u64, purpose: Purpose) -> StreamRng {
        let mut state = splitmix64(self.seed ^ splitmix64(purpose.tag()));
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(8) {
            state = splitmix64(state);
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(run);
        rng
    }

    /// The generator for run `run`, `purpose` and a consumer's `key` (see [`name_key`]): each
    /// key has its own 256-bit ChaCha key, so one input's numbers depend only on the seed, the
    /// run and the input's own name — never on which other inputs exist or their order.
    pub fn keyed(&self, run: u64, purpose: Purpose, key: u64) -> StreamRng {
        let mut state = splitmix64(self.seed ^ splitmix64(purpose.tag()) ^ splitmix64(!key));
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_exact_mut(8) {
            state = splitmix64(state);
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        let mut rng = ChaCha8Rng::from_seed(bytes);
        rng.set_stream(run);
        rng
    }

    /// Sub-stream `sub` of [`Streams::rng`]: the same keystream started 2^32 words
    /// (16 GiB) in per sub-stream, so sub-streams never overlap unless one consumer draws
    /// more than 2^32 32-bit words. Giving each input (or each noisy variable) its own
    /// sub-stream keeps its numbers fixed when other inputs are added, removed or changed
    /// (common random numbers across scenarios).
    pub fn substream(&self, run: u64, purpose: Purpose, sub: u32) -> StreamRng {
        let mut rng = self.rng(run, purpose);
        rng.set_word_pos(u128::from(sub) << 32);
        rng
    }
}

/// The stream key of a named consumer (an uncertain input): the 64-bit FNV-1a hash of its
/// canonical name, stable across platforms and releases.
pub fn name_key(name: &str) -> u64 {
    crate::model::names::stable_key(name)
}

/// The SplitMix64 output function applied to `x + golden gamma`: a bijective 64-bit mix.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub use crate::study::distribution::uniform_open01;

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn first(s: &Streams, run: u64, p: Purpose, n: usize) -> Vec<u64> {
        let mut r = s.rng(run, p);
        (0..n).map(|_| r.next_u64()).collect()
    }

    #[test]
    fn same_inputs_give_the_same_stream() {
        let s = Streams::new(42);
        assert_eq!(
            first(&s, 7, Purpose::Inputs, 64),
            first(&Streams::new(42), 7, Purpose::Inputs, 64)
        );
    }

    #[test]
    fn runs_purposes_and_seeds_differ() {
        let s = Streams::new(42);
        let base = first(&s, 7, Purpose::Inputs, 16);
        assert_ne!(base, first(&s, 8, Purpose::Inputs, 16));
        assert_ne!(base, first(&s, 7, Purpose::Noise, 16));
        assert_ne!(base, first(&s, 7, Purpose::Other(0), 16));
        assert_ne!(base, first(&Streams::new(43), 7, Purpose::Inputs, 16));
        // No shared words at all between neighbouring streams in their first 4096 words.
        let a: std::collections::HashSet<u64> =
            first(&s, 0, Purpose::Inputs, 4096).into_iter().collect();
        let b = first(&s, 1, Purpose::Inputs, 4096);
        assert!(b.iter().all(|x| !a.contains(x)));
    }

    #[test]
    fn substreams_are_offsets_into_the_run_stream() {
        let s = Streams::new(5);
        let mut whole = s.rng(3, Purpose::Noise);
        let mut sub0 = s.substream(3, Purpose::Noise, 0);
        assert_eq!(whole.next_u64(), sub0.next_u64());
        let mut sub1 = s.substream(3, Purpose::Noise, 1);
        let mut skipped = s.rng(3, Purpose::Noise);
        skipped.set_word_pos(1 << 32);
        assert_eq!(sub1.next_u64(), skipped.next_u64());
        assert_ne!(
            s.substream(3, Purpose::Noise, 2).next_u64(),
            s.substream(3, Purpose::Noise, 1).next_u64()
        );
    }

    #[test]
    fn open_uniforms_stay_inside_and_look_uniform() {
        let mut r = Streams::new(1).rng(0, Purpose::Inputs);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| uniform_open01(&mut r)).collect();
        assert!(xs.iter().all(|x| *x > 0.0 && *x < 1.0));
        let mean = xs.iter().sum::<f64>() / n as f64;
        // Standard error of the mean is sqrt(1/12/n) ~ 0.00091; allow 4 of them.
        assert!(
            (mean - 0.5).abs() < 4.0 * (1.0 / 12.0 / n as f64).sqrt(),
            "{mean}"
        );
    }

    #[test]
    fn splitmix_is_a_known_bijection() {
        // Reference value of SplitMix64 seeded with 0: first output.
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
    }
}
