//! The SPX smile's shape in standardised moneyness: the two wings, their clamp and floor, how
//! they scale with the term, and the check that delta stays monotone in strike (see
//! [`super::surface`] for how a day's surface uses it).

use super::surface::SurfaceError;

/// Smile shape in standardised moneyness (formula in [`super::surface`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Smile {
    pub put_slope: f64,
    pub put_curve: f64,
    pub call_slope: f64,
    pub call_curve: f64,
    pub m_min: f64,
    pub m_max: f64,
    /// Lowest volatility as a fraction of ATM.
    pub floor: f64,
    /// How the put wing scales with the expiry: its slope and curvature are multiplied by
    /// `(days / 30)^put_term`, days clamped to [`TENOR_DAYS`] (see [`Smile::tenor_scale`]).
    pub put_term: f64,
    /// The same for the call wing.
    pub call_term: f64,
    /// The call slope's extra term exponent: the call slope scales with
    /// `(days / 30)^(call_term + call_slope_term)`, its curvature with `(days / 30)^call_term`,
    /// so the call wing's dip under ATM deepens and moves out with the term while its upturn
    /// stays (short-dated SPX calls turn up close to the money, long-dated ones dip further).
    pub call_slope_term: f64,
}

/// The wings' scales for one expiry ([`Smile::tenor_scale`]): 1 at 30 days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WingScale {
    /// The put wing's slope and curvature.
    pub put: f64,
    /// The call wing's curvature.
    pub call: f64,
    /// The call wing's slope.
    pub call_slope: f64,
}

impl WingScale {
    /// The 30-day smile as given.
    pub const ONE: WingScale = WingScale { put: 1.0, call: 1.0, call_slope: 1.0 };
}

/// The highest ATM volatility the monotone-delta check covers at expiries under
/// [`TENOR_DAYS`]`.1` (300%, three times the highest VIX close): there `sigma_atm sqrt T` runs
/// to `SIGMA_ATM_MAX sqrt T`; at the longest scale, which every longer expiry shares, to 3.
pub const SIGMA_ATM_MAX: f64 = 3.0;

/// The expiries (calendar days) at which the monotone-delta check scales the wings.
const CHECK_DAYS: [f64; 13] = [1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 14.0, 21.0, 30.0, 45.0, 60.0, 75.0, 90.0];

/// The expiries over which the smile's wings scale with the term (calendar days); beyond them
/// the nearest end's scale holds.
pub const TENOR_DAYS: (f64, f64) = (1.0, 90.0);

impl Default for Smile {
    fn default() -> Self {
        Smile {
            put_slope: 0.2313,
            put_curve: -0.0007,
            call_slope: 0.2733,
            call_curve: 0.0882,
            m_min: -16.06,
            m_max: 2.72,
            floor: 0.6,
            put_term: 0.0563,
            call_term: 0.0379,
            call_slope_term: 0.0,
        }
    }
}

impl Smile {
    /// No smile: every strike at the ATM volatility.
    pub fn flat() -> Self {
        Smile {
            put_slope: 0.0,
            put_curve: 0.0,
            call_slope: 0.0,
            call_curve: 0.0,
            m_min: 0.0,
            m_max: 0.0,
            floor: 0.0,
            put_term: 0.0,
            call_term: 0.0,
            call_slope_term: 0.0,
        }
    }

    /// Whether every strike gets the ATM vol: no slope, no curvature, no moneyness range (the
    /// factor is exactly 1 at any finite moneyness).
    pub fn is_flat(&self) -> bool {
        [self.put_slope, self.put_curve, self.call_slope, self.call_curve, self.m_min, self.m_max]
            .iter()
            .all(|c| *c == 0.0)
            && self.floor <= 1.0
    }

    /// Check the shape: floor in (0, 1], `m_min <= 0 <= m_max`, finite coefficients, and delta
    /// monotone in strike. Delta is monotone when `d1 = -m / f(m) + f(m) a / 2` (with `f` the
    /// factor and `a = sigma_atm sqrt T`) strictly decreases in `m`; this is checked on a grid of
    /// `m` (step 0.01) with the wings scaled for expiries of 1 to 90 days ([`Self::tenor_scale`]),
    /// each at `a = 0` and at its largest `a`: [`SIGMA_ATM_MAX`]` sqrt T`, and 3 at 90 days (150%
    /// vol over 4 years: the 90-day scale holds for every longer expiry). Each step of `d1` is
    /// linear in `a`, so the two ends cover every `a` between. A call wing that curves up too far
    /// (beyond `m = 1/sqrt(call_curve)`) fails it.
    pub fn validate(&self) -> Result<(), SurfaceError> {
        validate_once!(Smile, *self, self.validate_uncached())
    }

    fn validate_uncached(&self) -> Result<(), SurfaceError> {
        let coeffs = [
            self.put_slope,
            self.put_curve,
            self.call_slope,
            self.call_curve,
            self.m_min,
            self.m_max,
            self.floor,
            self.put_term,
            self.call_term,
            self.call_slope_term,
        ];
        if coeffs.iter().any(|c| !c.is_finite())
            || !(self.m_min <= 0.0 && self.m_max >= 0.0)
            || !(self.floor > 0.0 && self.floor <= 1.0)
        {
            return Err(SurfaceError::BadSmile(
                "coefficients must be finite, m_min <= 0 <= m_max and 0 < floor <= 1".into(),
            ));
        }
        let checks = CHECK_DAYS.iter().flat_map(|&days| {
            let a_max = if days >= TENOR_DAYS.1 { 3.0 } else { SIGMA_ATM_MAX * (days / 365.0).sqrt() };
            let g = self.tenor_scale(days / 365.0);
            [(0.0, g), (a_max, g)]
        });
        for (a, g) in checks {
            let d1 = |m: f64| -m / self.factor_scaled(m, g) + self.factor_scaled(m, g) * a / 2.0;
            let g = (g.put, g.call_slope);
            let mut m = self.m_min;
            while m < self.m_max {
                let next = (m + 0.01).min(self.m_max);
                if d1(next) >= d1(m) {
                    return Err(SurfaceError::BadSmile(format!(
                        "delta would not be monotone in strike near m = {next:.2} (sigma_atm sqrt T = {a:.3}, wings scaled by {:.3} (puts) and {:.3} (call slope) for the term): reduce the wing's curvature, its m clamp or its term exponents", g.0, g.1
                    )));
                }
                m = next;
            }
        }
        Ok(())
    }

    /// Volatility multiplier at standardised moneyness `m` (for a 30-day expiry).
    #[inline]
    pub fn factor(&self, m: f64) -> f64 {
        self.factor_scaled(m, WingScale::ONE)
    }

    /// Volatility multiplier at standardised moneyness `m` with the wings scaled by `g`
    /// ([`Self::tenor_scale`]): `max(floor, 1 - g_s s m + g_c c m^2)`, `m` clamped, `g_s = g_c`
    /// the put wing's scale for `m < 0`, the call slope's and curvature's scales above.
    #[inline]
    pub fn factor_scaled(&self, m: f64, g: WingScale) -> f64 {
        let m = m.clamp(self.m_min, self.m_max);
        let (s, c) = if m < 0.0 {
            (g.put * self.put_slope, g.put * self.put_curve)
        } else {
            (g.call_slope * self.call_slope, g.call * self.call_curve)
        };
        (1.0 - s * m + c * m * m).max(self.floor)
    }

    /// The wings' scales for an expiry `t` years away: `(days / 30)^put_term`,
    /// `(days / 30)^call_term` (call curvature) and `(days / 30)^(call_term + call_slope_term)`
    /// (call slope), days clamped to [`TENOR_DAYS`]; exactly 1 with a zero exponent.
    /// Short-dated SPX calls dip less under ATM than the 30-day ones, and longer-dated ones more
    /// (docs/MODEL.md).
    #[inline]
    pub fn tenor_scale(&self, t: f64) -> WingScale {
        let scale = |e: f64| {
            if e == 0.0 {
                1.0
            } else {
                ((t * 365.0).clamp(TENOR_DAYS.0, TENOR_DAYS.1) / 30.0).powf(e)
            }
        };
        let call = scale(self.call_term);
        // Without a slope exponent of its own the slope shares the curvature's scale: no second
        // power on the hot path.
        let call_slope =
            if self.call_slope_term == 0.0 { call } else { scale(self.call_term + self.call_slope_term) };
        WingScale { put: scale(self.put_term), call, call_slope }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smile_validation_rejects_non_monotone_wings() {
        assert_eq!(Smile::default().validate(), Ok(()));
        let steep = Smile { m_max: 4.0, ..Smile::default() };
        assert!(matches!(steep.validate(), Err(SurfaceError::BadSmile(m)) if m.contains("monotone")));
        let bad_floor = Smile { floor: 0.0, ..Smile::default() };
        assert!(bad_floor.validate().is_err());
    }

    /// The check reaches `sigma_atm sqrt T` = 3 only at the 90-day scale: a call wing that turns
    /// up early at a day's expiry (its slope scaled down by a large `call_slope_term`) is
    /// accepted, though a 1-day smile at `a` = 3 would not keep delta monotone; 300% vol over a
    /// day is `a` = 0.157.
    #[test]
    fn the_check_ties_sigma_sqrt_t_to_the_expiry() {
        let s = Smile { call_slope_term: 0.5, ..Smile::default() };
        assert_eq!(s.validate(), Ok(()));
        let g = s.tenor_scale(1.0 / 365.0);
        let d1 = |m: f64, a: f64| -m / s.factor_scaled(m, g) + s.factor_scaled(m, g) * a / 2.0;
        let decreasing = |a: f64| (0..272).all(|i| d1((i + 1) as f64 * 0.01, a) < d1(i as f64 * 0.01, a));
        assert!(decreasing(SIGMA_ATM_MAX / 365f64.sqrt()) && !decreasing(3.0));
        let long = Smile { call_term: 0.3, call_curve: 0.2, ..Smile::default() };
        assert!(long.validate().is_err());
    }
}
