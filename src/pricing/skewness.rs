//! The risk-neutral skewness a surface implies, and the SKEW index it would print: what Cboe's
//! SKEW measures from real SPX options, so the model's smile can be compared with the SKEW history
//! in every regime, not only on the days a chain covers.
//!
//! Bakshi, Kapadia and Madan (2003): with out-of-the-money calls `C(K)` above the forward `F` and
//! puts `P(K)` below it, the prices of the quadratic, cubic and quartic contracts on the log return
//! `R = ln(S_T / F)` are
//!
//! `V = ∫_F^∞ 2 (1 - x) / K² C dK + ∫_0^F 2 (1 + y) / K² P dK`,
//! `W = ∫_F^∞ (6 x - 3 x²) / K² C dK - ∫_0^F (6 y + 3 y²) / K² P dK`,
//! `X = ∫_F^∞ (12 x² - 4 x³) / K² C dK + ∫_0^F (12 y² + 4 y³) / K² P dK`,
//!
//! with `x = ln(K/F)`, `y = ln(F/K)` (the expansion of each power of `R` around the forward, so
//! no forward term remains); then `mu = E[R] = -e^{rT} (V/2 + W/6 + X/24)` (BKM's `e^{rT} - 1`
//! term is `E[S_T/S - 1]`, zero around the forward) and the skewness is
//! `(e^{rT} W - 3 mu e^{rT} V + 2 mu³) / (e^{rT} V - mu²)^{3/2}`; Cboe's SKEW is
//! `100 - 10 x skewness` (30 days). The integrals run over ln-strikes from -8 to +8 standard
//! deviations of the ATM vol, 4,000 trapezoid steps.

use super::black::{bsm_price, OptionType};
use super::surface::SpxSurface;

/// Risk-neutral skewness of `ln(S_T / F)` under `surface` for expiry `t` years (rate `r`,
/// dividend yield `q`).
pub fn risk_neutral_skewness(surface: &SpxSurface, spot: f64, t: f64, r: f64, q: f64) -> f64 {
    let f = spot * ((r - q) * t).exp();
    let sd = surface.atm_vol(t) * t.sqrt();
    let (lo, hi, n) = (-8.0 * sd, 8.0 * sd, 4_000);
    let step = (hi - lo) / n as f64;
    let (mut v, mut w, mut x4) = (0.0, 0.0, 0.0);
    for i in 0..=n {
        let z = lo + i as f64 * step; // ln(K / F)
        let k = f * z.exp();
        let weight = if i == 0 || i == n { 0.5 } else { 1.0 };
        // dK / K² = dz / K.
        let dz_over_k = weight * step / k;
        let vol = surface.vol(k, f, t);
        if z >= 0.0 {
            let c = bsm_price(OptionType::Call, spot, k, t, r, q, vol);
            v += 2.0 * (1.0 - z) * c * dz_over_k;
            w += (6.0 * z - 3.0 * z * z) * c * dz_over_k;
            x4 += (12.0 * z * z - 4.0 * z * z * z) * c * dz_over_k;
        } else {
            let y = -z;
            let p = bsm_price(OptionType::Put, spot, k, t, r, q, vol);
            v += 2.0 * (1.0 + y) * p * dz_over_k;
            w -= (6.0 * y + 3.0 * y * y) * p * dz_over_k;
            x4 += (12.0 * y * y + 4.0 * y * y * y) * p * dz_over_k;
        }
    }
    let g = (r * t).exp();
    let mu = -g * (v / 2.0 + w / 6.0 + x4 / 24.0);
    (g * w - 3.0 * mu * g * v + 2.0 * mu.powi(3)) / (g * v - mu * mu).powf(1.5)
}

/// The SKEW index the surface would print: `100 - 10 x` the 30-day risk-neutral skewness.
pub fn skew_index(surface: &SpxSurface, r: f64, q: f64) -> f64 {
    100.0 - 10.0 * risk_neutral_skewness(surface, 100.0, 30.0 / 365.0, r, q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{Smile, SurfaceParams, VolIndices};

    fn surface(vix: f64, smile: Smile) -> SpxSurface {
        let p = SurfaceParams { smile, ..Default::default() };
        SpxSurface::new(VolIndices { vix, ..Default::default() }, p).unwrap()
    }

    /// A flat smile is lognormal: the skewness of a normal log return is 0.
    #[test]
    fn a_flat_smile_has_no_skew_and_skewed_wings_have_a_negative_one() {
        for vix in [10.0, 20.0, 40.0] {
            let s = risk_neutral_skewness(&surface(vix, Smile::flat()), 100.0, 30.0 / 365.0, 0.02, 0.015);
            assert!(s.abs() < 1e-3, "VIX {vix}: {s}");
        }
        let skewed =
            risk_neutral_skewness(&surface(20.0, Smile::default()), 100.0, 30.0 / 365.0, 0.02, 0.015);
        assert!(skewed < -0.5, "a put wing steeper than the call wing: {skewed}");
        let index = skew_index(&surface(20.0, Smile::default()), 0.02, 0.015);
        assert!((index - (100.0 - 10.0 * skewed)).abs() < 1e-9 && index > 105.0, "{index}");
    }
}
