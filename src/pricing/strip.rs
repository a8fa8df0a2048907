//! A strip: one expiry's BSM inputs at one volatility per session (no smile), stored by column,
//! and the pricing of one strike over a run of its sessions, four sessions at a time with AVX2
//! where the CPU has it.
//!
//! Every price is the same bits as [`BsmExpiry::price_at`] on the same inputs: the vector path
//! does the same IEEE operations in the same order (AVX2 only; no fused multiply-add, which would
//! round differently), and hands a group of four to the scalar code whenever one of its lanes
//! leaves the plain case: a volatility term that is NaN or about zero, a `d` outside the CDF
//! table's [-10, 10], or a price at (or beyond) one of its no-arbitrage bounds or NaN, where the
//! scalar `max`/`min` decide. Unit tests compare both paths bit for bit on random and edge inputs.

use super::black::{price_with, AtVol, BsmExpiry, OptionType, Spot};
use super::normal::CdfTable;

/// Sessions of one expiry, by column: spot and its log, discount factors, and the vol terms at
/// the expiry's volatility of each session.
#[derive(Debug, Clone, Default)]
pub struct Strip {
    s: Vec<f64>,
    ln_s: Vec<f64>,
    dq: Vec<f64>,
    dr: Vec<f64>,
    srt: Vec<f64>,
    inv_srt: Vec<f64>,
    drift: Vec<f64>,
}

impl Strip {
    /// Doubles a strip holds per session.
    pub const VALUES_PER_SESSION: usize = 7;

    /// An empty strip with room for `n` sessions.
    pub fn with_capacity(n: usize) -> Self {
        let v = || Vec::with_capacity(n);
        Strip { s: v(), ln_s: v(), dq: v(), dr: v(), srt: v(), inv_srt: v(), drift: v() }
    }

    /// Add the next session: spot `s`, the expiry's terms `bsm` and the vol terms `v`.
    pub fn push(&mut self, s: Spot, bsm: BsmExpiry, v: AtVol) {
        self.s.push(s.value);
        self.ln_s.push(s.ln);
        self.dq.push(bsm.dq());
        self.dr.push(bsm.dr());
        self.srt.push(v.srt);
        self.inv_srt.push(v.inv_srt);
        self.drift.push(v.drift);
    }

    /// Sessions in the strip.
    pub fn len(&self) -> usize {
        self.s.len()
    }

    /// Whether the strip has no session.
    pub fn is_empty(&self) -> bool {
        self.s.is_empty()
    }

    /// Prices of the `kind` option at strike `k` on sessions `from..from + out.len()` into `out`
    /// (the same bits as [`BsmExpiry::price_at`] on each session).
    ///
    /// # Panics
    /// If the sessions run past the strip.
    pub fn price_into(&self, from: usize, kind: OptionType, k: Spot, out: &mut [f64]) {
        assert!(from + out.len() <= self.len(), "strip: sessions {from}.. past its {} sessions", self.len());
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked above); the range is inside the strip (asserted).
            unsafe { x86::price_avx2(self, from, kind, k, out) };
            return;
        }
        self.price_scalar(from, kind, k, out);
    }

    /// [`Strip::price_into`] one session at a time.
    fn price_scalar(&self, from: usize, kind: OptionType, k: Spot, out: &mut [f64]) {
        let cdf = CdfTable::get();
        for (i, p) in (from..).zip(out.iter_mut()) {
            *p = price_with(cdf, (self.dq[i], self.dr[i]), kind, self.spot(i), k, self.vol(i)).0;
        }
    }

    fn spot(&self, i: usize) -> Spot {
        Spot { value: self.s[i], ln: self.ln_s[i] }
    }

    fn vol(&self, i: usize) -> AtVol {
        AtVol { srt: self.srt[i], inv_srt: self.inv_srt[i], drift: self.drift[i] }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{OptionType, Spot, Strip};
    use crate::pricing::normal::{CdfTable, GRID, LIMIT, MAGIC};
    use std::arch::x86_64::*;

    /// Four lanes of the table CDF ([`CdfTable::cdf`]): the same operations in the same order.
    ///
    /// # Safety
    /// `rows` must be the table's rows ([`CdfTable::rows`]) and every lane of `x` strictly inside
    /// (-LIMIT, LIMIT) ([`inside`] checks it): a lane outside reads outside the table.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn cdf4(rows: *const f64, x: __m256d) -> __m256d {
        let y = _mm256_add_pd(
            _mm256_mul_pd(_mm256_add_pd(x, _mm256_set1_pd(LIMIT)), _mm256_set1_pd(GRID)),
            _mm256_set1_pd(MAGIC),
        );
        // Each lane's row index is the mantissa's low 32 bits (a row: 8 doubles).
        let mut ix = [0u64; 4];
        // SAFETY: `ix` holds 32 bytes.
        unsafe { _mm256_storeu_si256(ix.as_mut_ptr().cast(), _mm256_castpd_si256(y)) };
        // SAFETY: x in (-LIMIT, LIMIT) (the caller's contract) puts every row index in 0..ROWS.
        let row = ix.map(|i| unsafe { rows.add(8 * (i & 0xFFFF_FFFF) as usize) });
        // Coefficients j and j + 1 of the four rows, as two vectors of four lanes.
        let pair = |j: usize| {
            // SAFETY: j + 1 < 8: inside each row.
            let (a, b) = unsafe {
                (
                    _mm256_set_m128d(_mm_loadu_pd(row[2].add(j)), _mm_loadu_pd(row[0].add(j))),
                    _mm256_set_m128d(_mm_loadu_pd(row[3].add(j)), _mm_loadu_pd(row[1].add(j))),
                )
            };
            (_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b))
        };
        let x0 = _mm256_sub_pd(
            _mm256_div_pd(_mm256_sub_pd(y, _mm256_set1_pd(MAGIC)), _mm256_set1_pd(GRID)),
            _mm256_set1_pd(LIMIT),
        );
        let d = _mm256_sub_pd(x, x0);
        let d2 = _mm256_mul_pd(d, d);
        let lin = |(a, b): (__m256d, __m256d)| _mm256_add_pd(a, _mm256_mul_pd(b, d));
        let lo = _mm256_add_pd(lin(pair(0)), _mm256_mul_pd(d2, lin(pair(2))));
        let hi = _mm256_add_pd(lin(pair(4)), _mm256_mul_pd(d2, lin(pair(6))));
        _mm256_add_pd(lo, _mm256_mul_pd(_mm256_mul_pd(d2, d2), hi))
    }

    /// Whether `x` is strictly inside (-LIMIT, LIMIT) in every lane (false for NaN).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn inside(x: __m256d) -> bool {
        let above = _mm256_cmp_pd::<_CMP_GT_OQ>(x, _mm256_set1_pd(-LIMIT));
        let below = _mm256_cmp_pd::<_CMP_LT_OQ>(x, _mm256_set1_pd(LIMIT));
        _mm256_movemask_pd(_mm256_and_pd(above, below)) == 0b1111
    }

    /// [`Strip::price_into`] with AVX2, four sessions at a time (the last four overlapping the
    /// group before them when the count is not a multiple of four); runs of fewer than four
    /// sessions, and every group with a lane off the plain case, by the scalar code.
    ///
    /// Returns how many groups of four the vector code priced.
    ///
    /// # Safety
    /// The CPU must have AVX2, and `from + out.len() <= strip.len()`.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn price_avx2(
        strip: &Strip,
        from: usize,
        kind: OptionType,
        k: Spot,
        out: &mut [f64],
    ) -> usize {
        let mut vector = 0;
        let rows = CdfTable::get().rows();
        let w = _mm256_set1_pd(kind.sign());
        let (k_value, k_ln) = (_mm256_set1_pd(k.value), _mm256_set1_pd(k.ln));
        let call = kind == OptionType::Call;
        let len = out.len();
        let mut n = 0;
        while n < len && len >= 4 {
            // When `len` is not a multiple of four, the last group overlaps the one before it
            // (which it prices again to the same bits) rather than leave its sessions to the
            // scalar code.
            let g = n.min(len - 4);
            let at = from + g;
            // SAFETY: at + 4 <= from + out.len() <= strip.len(), the length of every column.
            let load = |v: &[f64]| unsafe { _mm256_loadu_pd(v.as_ptr().add(at)) };
            let (s, ln_s, srt) = (load(&strip.s), load(&strip.ln_s), load(&strip.srt));
            let s_df = _mm256_mul_pd(s, load(&strip.dq));
            let k_df = _mm256_mul_pd(k_value, load(&strip.dr));
            // Scalar: `srt.is_nan() || srt <= 1e-12` takes the intrinsic branch.
            let plain_vol =
                _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_GT_OQ>(srt, _mm256_set1_pd(1e-12))) == 0b1111;
            let d1 = _mm256_mul_pd(
                _mm256_add_pd(_mm256_sub_pd(ln_s, k_ln), load(&strip.drift)),
                load(&strip.inv_srt),
            );
            let d2 = _mm256_sub_pd(d1, srt);
            let (x1, x2) = (_mm256_mul_pd(w, d1), _mm256_mul_pd(w, d2));
            let priced = plain_vol && inside(x1) && inside(x2) && {
                // SAFETY: `rows` is the table's, and both arguments are inside (checked above).
                let (n1, n2) = unsafe { (cdf4(rows, x1), cdf4(rows, x2)) };
                let price = _mm256_mul_pd(w, _mm256_sub_pd(_mm256_mul_pd(s_df, n1), _mm256_mul_pd(k_df, n2)));
                let lower = _mm256_mul_pd(w, _mm256_sub_pd(s_df, k_df));
                let upper = if call { s_df } else { k_df };
                // Strictly inside both bounds (false for NaN): `max(lower).min(upper)` is the price.
                let ok = _mm256_and_pd(
                    _mm256_and_pd(
                        _mm256_cmp_pd::<_CMP_GT_OQ>(price, lower),
                        _mm256_cmp_pd::<_CMP_GT_OQ>(price, _mm256_setzero_pd()),
                    ),
                    _mm256_cmp_pd::<_CMP_LT_OQ>(price, upper),
                );
                let ok = _mm256_movemask_pd(ok) == 0b1111;
                if ok {
                    // SAFETY: g + 4 <= out.len().
                    unsafe { _mm256_storeu_pd(out.as_mut_ptr().add(g), price) };
                }
                ok
            };
            if priced {
                vector += 1;
            } else {
                strip.price_scalar(from + n, kind, k, &mut out[n..g + 4]);
            }
            n = g + 4;
        }
        if n < len {
            strip.price_scalar(from + n, kind, k, &mut out[n..]);
        }
        vector
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A strip of `n` sessions to an expiry, spot wandering around 4000, vols around 15%, and
    /// each session's terms for [`BsmExpiry::price_at`].
    fn strip(n: usize, seed: u64, vol_at: impl Fn(usize) -> f64) -> (Strip, Vec<(Spot, BsmExpiry, AtVol)>) {
        let mut st = Strip::with_capacity(n);
        let mut terms = Vec::new();
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        for i in 0..n {
            let t = (n - i) as f64 / 365.0;
            let bsm = BsmExpiry::new(t, 0.02 + 0.03 * next(), 0.015);
            let s = Spot::new(3000.0 + 2000.0 * next());
            let v = bsm.at_vol(vol_at(i) * (0.5 + next()));
            st.push(s, bsm, v);
            terms.push((s, bsm, v));
        }
        (st, terms)
    }

    fn check((st, terms): &(Strip, Vec<(Spot, BsmExpiry, AtVol)>), strikes: &[f64]) {
        for &k in strikes {
            for kind in [OptionType::Put, OptionType::Call] {
                for from in [0, 1, 3] {
                    let n = st.len() - from;
                    let mut out = vec![0.0; n];
                    st.price_into(from, kind, Spot::new(k), &mut out);
                    let got: Vec<u64> = out.iter().map(|p| p.to_bits()).collect();
                    let want: Vec<u64> = terms[from..]
                        .iter()
                        .map(|(s, b, v)| b.price_at(kind, *s, Spot::new(k), *v).0.to_bits())
                        .collect();
                    assert_eq!(got, want, "{kind:?} K={k} from {from}");
                    let mut plain = vec![0.0; n];
                    st.price_scalar(from, kind, Spot::new(k), &mut plain);
                    assert_eq!(out.iter().map(|p| p.to_bits()).collect::<Vec<_>>(), got);
                }
            }
        }
    }

    #[test]
    fn strip_prices_are_the_bits_of_price_at() {
        let strikes: Vec<f64> = (0..60).map(|i| 2000.0 + 60.0 * i as f64).collect();
        for seed in 0..20 {
            check(&strip(50, seed, |_| 0.15), &strikes);
        }
    }

    #[test]
    fn strip_hands_edge_lanes_to_the_scalar_code_with_the_same_bits() {
        // Far wings (|d| > 10, prices at the bounds), a zero and a NaN vol in the middle of a group.
        let strikes = [1.0, 500.0, 3990.0, 4000.0, 9000.0, 1e6];
        check(
            &strip(41, 7, |i| {
                if i == 5 {
                    0.0
                } else if i == 9 {
                    f64::NAN
                } else {
                    0.15
                }
            }),
            &strikes,
        );
        check(&strip(13, 8, |_| 3.0), &strikes);
        check(&strip(13, 9, |_| 1e-9), &strikes);
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_vector_code_prices_plain_groups_and_leaves_edge_groups() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            eprintln!("skipped: this CPU has no AVX2 (the scalar path is the one in use)");
            return;
        }
        let plain = |nan_at: usize| {
            let mut st = Strip::with_capacity(16);
            for i in 0..16 {
                let bsm = BsmExpiry::new((60 - i) as f64 / 365.0, 0.03, 0.01);
                st.push(
                    Spot::new(4000.0 + i as f64),
                    bsm,
                    bsm.at_vol(if i == nan_at { f64::NAN } else { 0.2 }),
                );
            }
            st
        };
        let mut out = [0.0; 16];
        // SAFETY: AVX2 checked above; 16 sessions of 16.
        let near = unsafe { x86::price_avx2(&plain(99), 0, OptionType::Put, Spot::new(4000.0), &mut out) };
        assert_eq!(near, 4, "an at-the-money put is plain on every session");
        let far = unsafe { x86::price_avx2(&plain(6), 0, OptionType::Put, Spot::new(4000.0), &mut out) };
        assert_eq!(far, 3, "the group with a NaN vol goes to the scalar code");
    }

    #[test]
    #[should_panic(expected = "past its")]
    fn pricing_past_the_strip_is_refused() {
        let (st, _) = strip(5, 1, |_| 0.15);
        st.price_into(3, OptionType::Call, Spot::new(4000.0), &mut [0.0; 3]);
    }
}
