//! Pricing accuracy, per the tolerance policy in `ironhedge::pricing`: independent 50-digit
//! references, put-call parity, finite-difference Greeks, bounds, monotonicity and implied-vol
//! round trips, as property tests over the whole domain, plus extreme inputs.

use crate::common::{fixture, read_csv};
use ironhedge::pricing::{
    black76_greeks, bsm_greeks, bsm_price, bsm_price_delta, implied_vol_black76, implied_vol_bsm, Greeks,
    OptionType,
};
use proptest::prelude::*;

fn kind(s: &str) -> OptionType {
    if s == "call" {
        OptionType::Call
    } else {
        OptionType::Put
    }
}

#[test]
fn prices_and_greeks_match_50_digit_references() {
    let (h, rows) = read_csv(&fixture("reference/black_mpmath.csv"));
    assert_eq!(h[8], "price");
    let (mut worst_px, mut worst_greek) = (0.0f64, 0.0f64);
    for r in &rows {
        let x: Vec<f64> = r[2..].iter().map(|v| v.parse().unwrap()).collect();
        let (s, k, t, rate, q, vol) = (x[0], x[1], x[2], x[3], x[4], x[5]);
        let g = if r[0] == "bsm" {
            bsm_greeks(kind(&r[1]), s, k, t, rate, q, vol)
        } else {
            black76_greeks(kind(&r[1]), s, k, t, rate, vol)
        };
        let want = &x[6..];
        let err_px = if want[0] >= 1e-6 * s {
            (g.price - want[0]).abs() / want[0]
        } else {
            (g.price - want[0]).abs() / s * 1e3
        };
        assert!(err_px <= 1e-12, "{r:?}: price {} vs {} (err {err_px:e})", g.price, want[0]);
        worst_px = worst_px.max(err_px);
        for (name, got, w) in [
            ("delta", g.delta, want[1]),
            ("gamma", g.gamma * s, want[2] * s),
            ("vega", g.vega, want[3]),
            ("theta", g.theta, want[4]),
            ("rho", g.rho, want[5]),
        ] {
            let err = (got - w).abs() / w.abs().max(1e-6 * s);
            assert!(err <= 1e-11, "{r:?}: {name} {got} vs {w} (err {err:e})");
            worst_greek = worst_greek.max(err);
        }
    }
    println!("{} reference cases: worst price error {worst_px:.2e} (relative), worst Greek error {worst_greek:.2e}", rows.len());
}

/// Inputs spanning the policy's domain: (call?, S, K/F, T, r, q, vol).
fn inputs() -> impl Strategy<Value = (bool, f64, f64, f64, f64, f64, f64)> {
    (
        any::<bool>(),
        1.0f64..10_000.0,
        -0.69f64..0.69,
        1.0f64..1095.0,
        -0.01f64..0.10,
        0.0f64..0.05,
        0.01f64..2.0,
    )
        .prop_map(|(c, s, m, days, r, q, v)| {
            let t = days / 365.0;
            (c, s, s * ((r - q) * t + m).exp(), t, r, q, v)
        })
}

fn ty(call: bool) -> OptionType {
    if call {
        OptionType::Call
    } else {
        OptionType::Put
    }
}

/// Central first and second differences, each with its rounding-error bound, which the tolerance
/// must allow for: a price is a difference of two terms of size about `scale` (spot + strike), so
/// each evaluation carries a few ulps of `scale`, divided by the step (squared for the second).
fn fd(f: impl Fn(f64) -> f64, x: f64, h: f64, scale: f64) -> ((f64, f64), (f64, f64)) {
    let (up, mid, dn) = (f(x + h), f(x), f(x - h));
    let ulps = 8.0 * f64::EPSILON * scale;
    (((up - dn) / (2.0 * h), ulps / h), ((up - 2.0 * mid + dn) / (h * h), 4.0 * ulps / (h * h)))
}

fn near(got: f64, want: f64, rel: f64, abs: f64) -> bool {
    (got - want).abs() <= (rel * want.abs()).max(abs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn parity_bounds_and_no_nan((_c, s, k, t, r, q, v) in inputs()) {
        let c = bsm_price(OptionType::Call, s, k, t, r, q, v);
        let p = bsm_price(OptionType::Put, s, k, t, r, q, v);
        let (s_df, k_df) = (s * (-q * t).exp(), k * (-r * t).exp());
        prop_assert!(c.is_finite() && p.is_finite());
        prop_assert!((c - p - (s_df - k_df)).abs() <= 1e-12 * s, "parity: {}", c - p - (s_df - k_df));
        prop_assert!(c >= (s_df - k_df).max(0.0) && c <= s_df);
        prop_assert!(p >= (k_df - s_df).max(0.0) && p <= k_df);
    }

    #[test]
    fn monotone_in_strike_and_vol((call, s, k, t, r, q, v) in inputs()) {
        let o = ty(call);
        let base = bsm_price(o, s, k, t, r, q, v);
        let higher_k = bsm_price(o, s, k * 1.01, t, r, q, v);
        let higher_v = bsm_price(o, s, k, t, r, q, v * 1.05);
        let slack = 1e-13 * s;
        if call { prop_assert!(higher_k <= base + slack) } else { prop_assert!(higher_k >= base - slack) }
        prop_assert!(higher_v >= base - slack);
    }

    #[test]
    fn greeks_match_finite_differences((call, s, k, t, r, q, v) in inputs()) {
        let o = ty(call);
        let g: Greeks = bsm_greeks(o, s, k, t, r, q, v);
        let abs = 1e-9 * s;
        // Steps scale with the distribution's width sigma sqrt T, so truncation error stays small
        // for short-dated, low-vol options too.
        let width = (v * t.sqrt()).min(1.0);
        let ((delta, e1), (gamma, e2)) = fd(|x| bsm_price(o, x, k, t, r, q, v), s, 1e-4 * s * width, s + k);
        prop_assert!(near(g.delta, delta, 1e-6, 1e-7 + e1), "delta {} vs {}", g.delta, delta);
        prop_assert!(near(g.gamma * s, gamma * s, 1e-4, 1e-6 + e2 * s), "gamma {} vs {}", g.gamma, gamma);
        let ((vega, e), _) = fd(|x| bsm_price(o, s, k, t, r, q, x), v, 1e-5 * v.max(0.1), s + k);
        prop_assert!(near(g.vega, vega, 1e-6, abs + e), "vega {} vs {}", g.vega, vega);
        let ((dv_dt, e), _) = fd(|x| bsm_price(o, s, k, x, r, q, v), t, 1e-5 * t, s + k);
        prop_assert!(near(g.theta, -dv_dt, 1e-5, abs * 10.0 + e), "theta {} vs {}", g.theta, -dv_dt);
        // d1 moves by T / (sigma sqrt T) per unit of rate: the natural rate scale is sigma / sqrt T.
        let rate_step = 1e-4 * (v / t.sqrt()).min(1.0);
        let ((rho, e), _) = fd(|x| bsm_price(o, s, k, t, x, q, v), r, rate_step, s + k);
        prop_assert!(near(g.rho, rho, 1e-6, abs + e), "rho {} vs {}", g.rho, rho);
        let (p, d) = bsm_price_delta(o, s, k, t, r, q, v);
        prop_assert_eq!((p, d), (g.price, g.delta));
    }

    #[test]
    fn black76_rho_holds_the_future_fixed((call, f, k, t, r, _q, v) in inputs()) {
        let o = ty(call);
        let g = black76_greeks(o, f, k, t, r, v);
        let rate_step = 1e-4 * (v / t.sqrt()).min(1.0);
        let ((rho, e), _) = fd(|x| black76_greeks(o, f, k, t, x, v).price, r, rate_step, f + k);
        prop_assert!(near(g.rho, rho, 1e-6, 1e-9 * f + e));
        let width = (v * t.sqrt()).min(1.0);
        let ((delta, e), _) = fd(|x| black76_greeks(o, x, k, t, r, v).price, f, 1e-4 * f * width, f + k);
        prop_assert!(near(g.delta, delta, 1e-6, 1e-7 + e));
    }

    #[test]
    fn implied_vol_round_trips((call, s, k, t, r, q, v) in inputs()) {
        let o = ty(call);
        let g = bsm_greeks(o, s, k, t, r, q, v);
        prop_assume!(g.vega >= 1e-4 * s);
        let iv = implied_vol_bsm(o, g.price, s, k, t, r, q).unwrap();
        prop_assert!((iv - v).abs() <= 1e-9, "{iv} vs {v}");
        let g76 = black76_greeks(o, s, k, t, r, v);
        if g76.vega >= 1e-4 * s {
            let iv = implied_vol_black76(o, g76.price, s, k, t, r).unwrap();
            prop_assert!((iv - v).abs() <= 1e-9, "black76 {iv} vs {v}");
        }
    }
}

#[test]
fn extreme_inputs_never_give_nan_or_negative_prices() {
    for o in [OptionType::Call, OptionType::Put] {
        for t in [0.0, 1e-12, 1e-6, 1.0 / (365.0 * 24.0), 1.0 / 365.0, 30.0, 100.0] {
            for v in [0.0, 1e-9, 1e-4, 0.2, 5.0, 20.0] {
                for k in [1e-3, 50.0, 99.999, 100.0, 100.001, 200.0, 1e6] {
                    for r in [-0.05, 0.0, 0.2] {
                        let g = bsm_greeks(o, 100.0, k, t, r, 0.02, v);
                        let all = [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho];
                        assert!(all.iter().all(|x| x.is_finite()), "{o:?} t={t} v={v} k={k} r={r}: {g:?}");
                        assert!(g.price >= 0.0 && g.gamma >= 0.0 && g.vega >= 0.0, "{g:?}");
                        let b = black76_greeks(o, 100.0, k, t, r, v);
                        assert!(b.price.is_finite() && b.price >= 0.0 && b.rho.is_finite(), "{b:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn fast_normal_cdf_matches_40_digit_references() {
    use ironhedge::pricing::{norm_cdf, norm_cdf_fast};
    let (_, rows) = read_csv(&fixture("reference/ncdf_mpmath.csv"));
    let (mut worst_fast, mut worst_erfc) = (0.0f64, 0.0f64);
    for r in &rows {
        let (x, want): (f64, f64) = (r[0].parse().unwrap(), r[1].parse().unwrap());
        // Relative in the left half (tiny values), absolute in the right half (values near 1).
        let err = |got: f64| {
            if want < 0.5 {
                (got - want).abs() / want
            } else {
                (got - want).abs()
            }
        };
        worst_fast = worst_fast.max(err(norm_cdf_fast(x)));
        worst_erfc = worst_erfc.max(err(norm_cdf(x)));
    }
    println!("{} points: worst error fast {worst_fast:.2e}, erfc-based {worst_erfc:.2e}", rows.len());
    assert!(worst_fast <= 1e-15, "{worst_fast:e}");
}
