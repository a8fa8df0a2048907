//! The one seeded random-number generator of the crate: SplitMix64 (Steele, Lea, Flood 2014).
//!
//! Everything random in ironhedge is seeded and drawn from here: the synthetic data generator
//! (`synth`), random-mode sweeps (which combinations to run) and the event study's
//! bootstrap and matched random dates. It is hand-written rather than taken from a crate so that
//! its output never changes with a dependency upgrade: shipped samples, sweep tables and test
//! expectations are derived from it.

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, well-distributed 64-bit generator.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1): never exactly 0, so `ln` is always finite.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller; the second variate is discarded for simplicity).
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform().ln()
    }

    /// `count` distinct draws from `0..total` (all of `0..total` when `count >= total`), in
    /// the order drawn.
    pub fn distinct_below(&mut self, total: u64, count: u64) -> Vec<u64> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        while (out.len() as u64) < count.min(total) {
            let x = self.next_u64() % total;
            if seen.insert(x) {
                out.push(x);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // First outputs for seed 0 (reference implementation by Vigna, prng.di.unimi.it).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn distinct_draws_are_distinct_and_bounded() {
        let d = SplitMix64::new(7).distinct_below(10, 6);
        assert_eq!(d.len(), 6);
        assert!(d.iter().all(|&x| x < 10));
        let mut s = d.clone();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), 6);
        assert_eq!(SplitMix64::new(7).distinct_below(3, 10).len(), 3);
    }
}
