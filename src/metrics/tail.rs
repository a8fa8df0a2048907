//! [`Tail`]: the `k` smallest daily returns of a run (its CVaR tail), exact, gathered below a
//! falling threshold; and `f64`s as integers in `total_cmp`'s order.

use super::acc::BLOCK;

/// `x`'s place in `f64::total_cmp`'s order as an integer (the same order, compared as `i64`).
#[inline]
fn total_key(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// The `f64` whose [`total_key`] is `key`.
#[inline]
fn from_total_key(key: i64) -> f64 {
    f64::from_bits((key ^ (((key >> 63) as u64) >> 1) as i64) as u64)
}

/// The `k` smallest daily returns of a run, gathered a block at a time without a branch per
/// return: each block's returns at or under a threshold are appended (as their [`total_key`]s);
/// when the next block might not fit, the `k` smallest are selected and the threshold drops to
/// the largest of them (a return above it cannot be among the `k` smallest). A few selections a
/// run, where a heap of the `k` smallest mispredicts its way down on every new low.
#[derive(Debug, Clone)]
pub(super) struct Tail {
    k: usize,
    keys: Vec<i64>,
    len: usize,
    under: i64,
}

impl Tail {
    pub(super) fn new(k: usize) -> Self {
        Tail { k, keys: vec![0; 2 * k + BLOCK], len: 0, under: i64::MAX }
    }

    /// The returns of one block (at most [`BLOCK`]).
    #[inline]
    pub(super) fn push(&mut self, r: &[f64]) {
        if self.len + r.len() > self.keys.len() {
            self.keep_smallest();
        }
        let under = self.under;
        for &x in r {
            let key = total_key(x);
            self.keys[self.len] = key;
            self.len += usize::from(key <= under);
        }
    }

    /// Keep the `k` smallest keys gathered, and lower the threshold to the largest of them.
    #[cold]
    fn keep_smallest(&mut self) {
        if self.len > self.k {
            if self.k > 0 {
                self.keys[..self.len].select_nth_unstable(self.k - 1);
            }
            self.len = self.k;
        }
        if self.len == self.k && self.k > 0 {
            self.under = self.keys[..self.k].iter().copied().max().unwrap_or(i64::MAX);
        }
    }

    /// The `k` smallest returns in ascending order ([`f64::total_cmp`]).
    pub(super) fn smallest(mut self) -> Vec<f64> {
        self.keep_smallest();
        let keys = &mut self.keys[..self.len];
        keys.sort_unstable();
        keys.iter().map(|&key| from_total_key(key)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::tests::mixed_values;

    proptest::proptest! {
        #[test]
        fn total_keys_order_as_total_cmp_and_read_back(a in proptest::num::f64::ANY, b in proptest::num::f64::ANY) {
            proptest::prop_assert_eq!(total_key(a).cmp(&total_key(b)), a.total_cmp(&b));
            proptest::prop_assert_eq!(from_total_key(total_key(a)).to_bits(), a.to_bits());
        }
    }

    #[test]
    fn tail_equals_the_head_of_a_full_sort() {
        let v = mixed_values(997);
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        for k in [1, 2, 50, 63, 200, v.len()] {
            for step in [1, 7, BLOCK] {
                let mut tail = Tail::new(k);
                for chunk in v.chunks(step) {
                    tail.push(chunk);
                }
                let got: Vec<u64> = tail.smallest().iter().map(|x| x.to_bits()).collect();
                let want: Vec<u64> = sorted[..k].iter().map(|x| x.to_bits()).collect();
                assert_eq!(got, want, "k = {k}, blocks of {step}");
            }
        }
    }
}
