//! Black-Scholes-Merton (spot, rate r, continuous dividend yield q) and Black-76 (a future) prices
//! and Greeks, both through one kernel on the forward.
//!
//! With `F = S e^{(r-q)T}`, `d1 = (ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt T)`,
//! `d2 = d1 - sigma sqrt T`, `w = +1` for a call and `-1` for a put:
//!
//! - price `V = w (S e^{-qT} N(w d1) - K e^{-rT} N(w d2))`
//! - delta `w e^{-qT} N(w d1)`; gamma `e^{-qT} n(d1) / (S sigma sqrt T)`; vega `S e^{-qT} n(d1) sqrt T`
//! - theta `-dV/dT = -S e^{-qT} n(d1) sigma / (2 sqrt T) - w r K e^{-rT} N(w d2) + w q S e^{-qT} N(w d1)`
//! - rho `dV/dr = w K T e^{-rT} N(w d2)` (spot held fixed)
//!
//! Black-76 is the same with `S -> F` and `q -> r` (the future costs nothing to hold), except rho,
//! which holds the future fixed: `rho = -T V`.
//!
//! Units in [`Greeks`]: `vega` per 1.00 of volatility (use [`Greeks::vega_per_point`] for a vol
//! point), `theta` per year (the value change as one year passes; [`Greeks::theta_per_day`] divides
//! by 365 calendar days), `rho` per 1.00 of rate ([`Greeks::rho_per_pct`] for 1%).
//!
//! Edge cases: when `sigma sqrt T < 1e-12` (expiry day, zero vol) the option is worth its
//! discounted forward intrinsic value, delta is a step (half at the money), gamma and vega are 0.
//! Prices are clamped into the no-arbitrage bounds `[max(w (S e^{-qT} - K e^{-rT}), 0), upper]`
//! (upper: `S e^{-qT}` for a call, `K e^{-rT}` for a put), so rounding in the deep wings can never
//! produce a negative price. `d1` is computed as `((ln S - ln K) + (r - q + sigma^2/2) T) * (1 /
//! (sigma sqrt T))`: with the logarithms apart, loops over days and strikes hoist them and the vol
//! terms ([`BsmExpiry::price_at`]) and still give the same bits as one call (the difference of
//! logarithms costs ~1e-16 absolute in `d1`, far inside the test tolerance policy); `N` is
//! [`super::norm_cdf_fast`] (equal to the `erfc` form to ~1e-16).

use super::normal::{norm_pdf, CdfTable};

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionType {
    Call,
    Put,
}

impl OptionType {
    /// +1 for a call, -1 for a put.
    #[inline]
    pub fn sign(self) -> f64 {
        match self {
            OptionType::Call => 1.0,
            OptionType::Put => -1.0,
        }
    }
}

/// Price and sensitivities of one option (per unit of underlying, not per contract).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Greeks {
    pub price: f64,
    /// dV/dS (BSM) or dV/dF (Black-76).
    pub delta: f64,
    pub gamma: f64,
    /// dV/dsigma per 1.00 of volatility.
    pub vega: f64,
    /// -dV/dT per year.
    pub theta: f64,
    /// dV/dr per 1.00 of rate.
    pub rho: f64,
    /// d2V/dS dsigma (BSM) or d2V/dF dsigma (Black-76), per 1.00 of volatility:
    /// `-e^{-qT} n(d1) d2 / sigma`, the same for calls and puts.
    pub vanna: f64,
    /// d2V/dsigma2 per 1.00 of volatility squared: `vega d1 d2 / sigma`.
    pub volga: f64,
}

impl Greeks {
    /// Vega per volatility point (0.01).
    pub fn vega_per_point(&self) -> f64 {
        self.vega / 100.0
    }
    /// Theta per calendar day (year = 365 days).
    pub fn theta_per_day(&self) -> f64 {
        self.theta / 365.0
    }
    /// Rho per 1% of rate.
    pub fn rho_per_pct(&self) -> f64 {
        self.rho / 100.0
    }
}

/// Invalid pricing inputs.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum PricingError {
    #[error("{name} must be a finite number > 0, found {value}")]
    NotPositive { name: &'static str, value: f64 },
    #[error("{name} must be a finite number >= 0, found {value}")]
    Negative { name: &'static str, value: f64 },
    #[error("{name} must be finite, found {value}")]
    NotFinite { name: &'static str, value: f64 },
}

/// Check pricing inputs: underlying and strike > 0, time and vol >= 0, rates finite.
pub fn validate(underlying: f64, strike: f64, t: f64, r: f64, q: f64, vol: f64) -> Result<(), PricingError> {
    for (name, value) in [("underlying", underlying), ("strike", strike)] {
        if !(value.is_finite() && value > 0.0) {
            return Err(PricingError::NotPositive { name, value });
        }
    }
    for (name, value) in [("time", t), ("volatility", vol)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(PricingError::Negative { name, value });
        }
    }
    for (name, value) in [("rate", r), ("dividend yield", q)] {
        if !value.is_finite() {
            return Err(PricingError::NotFinite { name, value });
        }
    }
    Ok(())
}

/// Clamp into the no-arbitrage bounds.
#[inline]
fn bounded(w: f64, price: f64, fwd_s: f64, fwd_k: f64) -> f64 {
    let lower = (w * (fwd_s - fwd_k)).max(0.0);
    let upper = if w > 0.0 { fwd_s } else { fwd_k };
    // max then min (not `clamp`, which panics on NaN bounds): never panics, NaN stays visible.
    price.max(lower).min(upper)
}

/// BSM price and delta (two `N`, two `ln`, two `exp`, one `sqrt`). When many strikes share an
/// expiry, [`BsmExpiry`] hoists the `exp` and `sqrt` out of the loop.
#[inline]
pub fn bsm_price_delta(kind: OptionType, s: f64, k: f64, t: f64, r: f64, q: f64, vol: f64) -> (f64, f64) {
    BsmExpiry::new(t, r, q).price_delta(kind, s, k, vol)
}

/// What every option of one expiry shares: time, its square root and the discount factors.
/// Build once per (day, expiry); then [`BsmExpiry::price_delta`] costs two `ln` and two `N`, and
/// [`BsmExpiry::price_at`] with the logarithms and vol terms hoisted costs two `N`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BsmExpiry {
    pub t: f64,
    pub r: f64,
    pub q: f64,
    sqrt_t: f64,
    /// e^{-qT}
    dq: f64,
    /// e^{-rT}
    dr: f64,
    cdf: CdfTable,
}

impl BsmExpiry {
    #[inline]
    pub fn new(t: f64, r: f64, q: f64) -> Self {
        BsmExpiry {
            t,
            r,
            q,
            sqrt_t: t.max(0.0).sqrt(),
            dq: (-q * t).exp(),
            dr: (-r * t).exp(),
            cdf: CdfTable::get(),
        }
    }

    /// What every strike of this expiry shares at volatility `vol` ([`BsmExpiry::price_at`]).
    #[inline]
    pub fn at_vol(&self, vol: f64) -> AtVol {
        let srt = vol * self.sqrt_t;
        AtVol { srt, inv_srt: 1.0 / srt, drift: (self.r - self.q + 0.5 * vol * vol) * self.t }
    }

    /// Price and delta of one option of this expiry.
    #[inline]
    pub fn price_delta(&self, kind: OptionType, s: f64, k: f64, vol: f64) -> (f64, f64) {
        self.price_at(kind, Spot::new(s), Spot::new(k), self.at_vol(vol))
    }

    /// Price and delta from precomputed parts: the same bits as [`BsmExpiry::price_delta`] on
    /// the same `(s, k, vol)`, for loops that hoist the logarithms and the vol terms.
    #[inline]
    pub fn price_at(&self, kind: OptionType, s: Spot, k: Spot, v: AtVol) -> (f64, f64) {
        price_with(self.cdf, (self.dq, self.dr), kind, s, k, v)
    }

    /// e^{-qT}
    pub(super) fn dq(&self) -> f64 {
        self.dq
    }

    /// e^{-rT}
    pub(super) fn dr(&self) -> f64 {
        self.dr
    }
}

/// [`BsmExpiry::price_at`] from the parts it reads: the discount factors `(e^{-qT}, e^{-rT})`.
#[inline]
pub(super) fn price_with(
    cdf: CdfTable,
    (dq, dr): (f64, f64),
    kind: OptionType,
    s: Spot,
    k: Spot,
    v: AtVol,
) -> (f64, f64) {
    let w = kind.sign();
    let (s_df, k_df) = (s.value * dq, k.value * dr);
    if v.srt.is_nan() || v.srt <= 1e-12 {
        let intrinsic = w * (s_df - k_df);
        let step = if intrinsic > 0.0 {
            1.0
        } else if intrinsic == 0.0 {
            0.5
        } else {
            0.0
        };
        return (intrinsic.max(0.0), w * step * dq);
    }
    let d1 = v.d1(s, k);
    let d2 = d1 - v.srt;
    let nd1 = cdf.cdf(w * d1);
    let nd2 = cdf.cdf(w * d2);
    let price = w * (s_df * nd1 - k_df * nd2);
    (bounded(w, price, s_df, k_df), w * nd1 * dq)
}

/// A positive price level (spot or strike) with its natural logarithm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spot {
    pub value: f64,
    pub ln: f64,
}

impl Spot {
    #[inline]
    pub fn new(value: f64) -> Self {
        Spot { value, ln: value.ln() }
    }
}

/// The volatility terms of `d1` for one (expiry, vol): `sigma sqrt T`, its inverse and
/// `(r - q + sigma^2 / 2) T`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtVol {
    pub srt: f64,
    pub inv_srt: f64,
    pub drift: f64,
}

impl AtVol {
    /// `d1 = ((ln S - ln K) + drift) / (sigma sqrt T)`: the one place it is computed.
    #[inline]
    pub fn d1(&self, s: Spot, k: Spot) -> f64 {
        ((s.ln - k.ln) + self.drift) * self.inv_srt
    }
}

/// BSM price.
#[inline]
pub fn bsm_price(kind: OptionType, s: f64, k: f64, t: f64, r: f64, q: f64, vol: f64) -> f64 {
    bsm_price_delta(kind, s, k, t, r, q, vol).0
}

/// BSM price and all Greeks.
pub fn bsm_greeks(kind: OptionType, s: f64, k: f64, t: f64, r: f64, q: f64, vol: f64) -> Greeks {
    let w = kind.sign();
    let t = t.max(0.0);
    let sqrt_t = t.sqrt();
    let srt = vol * sqrt_t;
    let (dq, dr) = ((-q * t).exp(), (-r * t).exp());
    let (s_df, k_df) = (s * dq, k * dr);
    if srt.is_nan() || srt <= 1e-12 {
        let intrinsic = w * (s_df - k_df);
        let itm = if intrinsic > 0.0 { 1.0 } else { 0.0 };
        let step = if intrinsic == 0.0 { 0.5 } else { itm };
        return Greeks {
            price: intrinsic.max(0.0),
            delta: w * step * dq,
            gamma: 0.0,
            vega: 0.0,
            theta: itm * w * (q * s_df - r * k_df),
            rho: itm * w * k_df * t,
            vanna: 0.0,
            volga: 0.0,
        };
    }
    // `BsmExpiry::price_at`'s d1, so both give the same bits.
    let d1 = BsmExpiry::new(t, r, q).at_vol(vol).d1(Spot::new(s), Spot::new(k));
    let d2 = d1 - srt;
    let cdf = CdfTable::get();
    let (nd1, nd2, pdf) = (cdf.cdf(w * d1), cdf.cdf(w * d2), norm_pdf(d1));
    let price = bounded(w, w * (s_df * nd1 - k_df * nd2), s_df, k_df);
    let vega = s_df * pdf * sqrt_t;
    Greeks {
        price,
        delta: w * dq * nd1,
        gamma: dq * pdf / (s * srt),
        vega,
        theta: -s_df * pdf * vol / (2.0 * sqrt_t) - w * r * k_df * nd2 + w * q * s_df * nd1,
        rho: w * k_df * t * nd2,
        vanna: -dq * pdf * d2 / vol,
        volga: vega * d1 * d2 / vol,
    }
}

/// Black-76 price of an option on a future `f` (discounted at `r`).
#[inline]
pub fn black76_price(kind: OptionType, f: f64, k: f64, t: f64, r: f64, vol: f64) -> f64 {
    bsm_price(kind, f, k, t, r, r, vol)
}

/// Black-76 price and Greeks (delta, gamma with respect to the future; rho with the future fixed).
pub fn black76_greeks(kind: OptionType, f: f64, k: f64, t: f64, r: f64, vol: f64) -> Greeks {
    let mut g = bsm_greeks(kind, f, k, t, r, r, vol);
    g.rho = -t.max(0.0) * g.price;
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_values() {
        // Hull, Options, Futures and Other Derivatives, Example 15.6: S=42, K=40, r=10%, sigma=20%,
        // T=0.5 -> c = 4.76, p = 0.81.
        let c = bsm_price(OptionType::Call, 42.0, 40.0, 0.5, 0.1, 0.0, 0.2);
        let p = bsm_price(OptionType::Put, 42.0, 40.0, 0.5, 0.1, 0.0, 0.2);
        assert_eq!(((c * 100.0).round(), (p * 100.0).round()), (476.0, 81.0));
    }

    #[test]
    fn vanna_and_volga_match_finite_differences() {
        // Central differences of delta and vega in vol (h = 1e-4: truncation error ~1e-6
        // relative), BSM and Black-76, both rights.
        let h = 1e-4;
        for kind in [OptionType::Call, OptionType::Put] {
            for (s, k, t, vol) in [(2700.0, 2550.0, 30.0 / 365.0, 0.14), (2700.0, 2800.0, 0.2, 0.1)] {
                let g = bsm_greeks(kind, s, k, t, 0.02, 0.015, vol);
                let (up, dn) = (
                    bsm_greeks(kind, s, k, t, 0.02, 0.015, vol + h),
                    bsm_greeks(kind, s, k, t, 0.02, 0.015, vol - h),
                );
                let vanna = (up.delta - dn.delta) / (2.0 * h);
                let volga = (up.vega - dn.vega) / (2.0 * h);
                assert!(
                    (g.vanna - vanna).abs() < 1e-5 * vanna.abs().max(1.0),
                    "{kind:?} {k}: {} vs {vanna}",
                    g.vanna
                );
                assert!(
                    (g.volga - volga).abs() < 1e-5 * volga.abs().max(1.0),
                    "{kind:?} {k}: {} vs {volga}",
                    g.volga
                );
            }
            let g = black76_greeks(kind, 18.0, 25.0, 45.0 / 365.0, 0.02, 1.1);
            let (up, dn) = (
                black76_greeks(kind, 18.0, 25.0, 45.0 / 365.0, 0.02, 1.1 + h),
                black76_greeks(kind, 18.0, 25.0, 45.0 / 365.0, 0.02, 1.1 - h),
            );
            assert!((g.vanna - (up.delta - dn.delta) / (2.0 * h)).abs() < 1e-6);
            assert!((g.volga - (up.vega - dn.vega) / (2.0 * h)).abs() < 1e-6);
        }
    }

    #[test]
    fn expiry_and_zero_vol_limits() {
        let g = bsm_greeks(OptionType::Put, 100.0, 110.0, 0.0, 0.05, 0.0, 0.3);
        assert_eq!((g.price, g.delta, g.gamma, g.vega), (10.0, -1.0, 0.0, 0.0));
        let g = bsm_greeks(OptionType::Call, 100.0, 100.0, 0.0, 0.05, 0.0, 0.3);
        assert_eq!((g.price, g.delta), (0.0, 0.5));
        let (p, d) = bsm_price_delta(OptionType::Call, 100.0, 90.0, 1.0, 0.0, 0.0, 0.0);
        assert_eq!((p, d), (10.0, 1.0));
    }
}
