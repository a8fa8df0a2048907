//! Implied volatility: invert BSM or Black-76 for the volatility that reproduces a price.
//!
//! Method: safeguarded Newton on `sigma` inside a bracket `[1e-9, 20]` that always contains the
//! root (the price is strictly increasing in volatility). Each Newton step that would leave the
//! bracket, or that has a vanishing vega, is replaced by a bisection step, and the bracket shrinks
//! after every evaluation; so the iteration converges whenever a solution exists. The start is the
//! Manaster-Koehler point `sqrt(2 |ln(F/K)| / T)` (where vega peaks), or 0.25 at the money.
//! Stops when the price error is below `1e-14 * max(price, upper bound)` or the bracket is
//! narrower than `1e-15`.

use super::black::{black76_greeks, bsm_greeks, Greeks, OptionType};

/// Why no volatility reproduces a price.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ImpliedVolError {
    #[error("the price {price} is below the option's no-arbitrage lower bound {bound}")]
    BelowIntrinsic { price: f64, bound: f64 },
    #[error("the price {price} is at or above the option's upper bound {bound}")]
    AboveUpperBound { price: f64, bound: f64 },
    #[error("no time value to invert: time to expiry is {t} years")]
    NoTime { t: f64 },
    #[error("the price {price} is not a finite number")]
    NotFinite { price: f64 },
}

const VOL_LO: f64 = 1e-9;
const VOL_HI: f64 = 20.0;

fn solve(
    price: f64,
    t: f64,
    lower: f64,
    upper: f64,
    ln_fk: f64,
    greeks: impl Fn(f64) -> Greeks,
) -> Result<f64, ImpliedVolError> {
    if !price.is_finite() {
        return Err(ImpliedVolError::NotFinite { price });
    }
    if t.is_nan() || t <= 0.0 {
        return Err(ImpliedVolError::NoTime { t });
    }
    if price < lower {
        return Err(ImpliedVolError::BelowIntrinsic { price, bound: lower });
    }
    if price >= upper {
        return Err(ImpliedVolError::AboveUpperBound { price, bound: upper });
    }
    let tol = 1e-14 * upper.max(price);
    let (mut lo, mut hi) = (VOL_LO, VOL_HI);
    if greeks(lo).price >= price {
        return Ok(lo); // the price sits on the intrinsic floor to machine precision
    }
    let mut vol = if ln_fk.abs() > 1e-8 { (2.0 * ln_fk.abs() / t).sqrt().clamp(0.01, 5.0) } else { 0.25 };
    for _ in 0..200 {
        let g = greeks(vol);
        let err = g.price - price;
        if err.abs() <= tol {
            return Ok(vol);
        }
        if err > 0.0 {
            hi = vol;
        } else {
            lo = vol;
        }
        let newton = vol - err / g.vega;
        vol = if g.vega > 0.0 && newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        if hi - lo < 1e-15 {
            break;
        }
    }
    Ok(vol)
}

/// Implied volatility of a BSM option price.
pub fn implied_vol_bsm(
    kind: OptionType,
    price: f64,
    s: f64,
    k: f64,
    t: f64,
    r: f64,
    q: f64,
) -> Result<f64, ImpliedVolError> {
    let w = kind.sign();
    let (s_df, k_df) = (s * (-q * t).exp(), k * (-r * t).exp());
    let lower = (w * (s_df - k_df)).max(0.0);
    let upper = if w > 0.0 { s_df } else { k_df };
    solve(price, t, lower, upper, (s_df / k_df).ln(), |v| bsm_greeks(kind, s, k, t, r, q, v))
}

/// Implied volatility of a Black-76 option price on a future.
pub fn implied_vol_black76(
    kind: OptionType,
    price: f64,
    f: f64,
    k: f64,
    t: f64,
    r: f64,
) -> Result<f64, ImpliedVolError> {
    let df = (-r * t).exp();
    let w = kind.sign();
    let lower = (w * (f - k) * df).max(0.0);
    let upper = if w > 0.0 { f * df } else { k * df };
    solve(price, t, lower, upper, (f / k).ln(), |v| black76_greeks(kind, f, k, t, r, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::bsm_price;

    #[test]
    fn round_trip_and_errors() {
        let p = bsm_price(OptionType::Put, 4700.0, 4400.0, 30.0 / 365.0, 0.04, 0.013, 0.19);
        let v = implied_vol_bsm(OptionType::Put, p, 4700.0, 4400.0, 30.0 / 365.0, 0.04, 0.013).unwrap();
        assert!((v - 0.19).abs() < 1e-10, "{v}");
        assert!(matches!(
            implied_vol_bsm(OptionType::Call, 0.5, 100.0, 90.0, 0.5, 0.0, 0.0),
            Err(ImpliedVolError::BelowIntrinsic { .. })
        ));
        assert!(matches!(
            implied_vol_bsm(OptionType::Call, 100.0, 100.0, 90.0, 0.5, 0.0, 0.0),
            Err(ImpliedVolError::AboveUpperBound { .. })
        ));
        assert!(matches!(
            implied_vol_black76(OptionType::Call, 1.0, 20.0, 20.0, 0.0, 0.0),
            Err(ImpliedVolError::NoTime { .. })
        ));
    }
}
