//! The SPX implied-volatility surface built from the VIX family of indices.
//!
//! **ATM term structure.** Each available index gives an ATM volatility at its tenor:
//! VIX9D at 9 days, VIX at 30, VIX3M at 93, VIX6M at 183 (calendar days), each
//! `atm_ratio x index / 100`. Between tenors, total variance `w = sigma^2 T` is interpolated
//! linearly in `T`; before the first and after the last tenor the volatility is flat. Total
//! variance is made non-decreasing in `T` (an inverted VIX9D > VIX spike would otherwise imply
//! negative forward variance). With VIX alone the ATM volatility is flat.
//!
//! Why a ratio: VIX is a 30-day variance-swap rate that includes the whole put skew, so it sits
//! near the 25-delta put volatility, well above ATM. In real SPX chains ATM/VIX is about three
//! quarters and moves with the regime; the default is 0.75.
//!
//! **Smile.** In standardised moneyness `m = ln(K/F) / (sigma_atm sqrt T)`, clamped to
//! `[m_min, m_max]`:
//! `sigma(K) = sigma_atm * max(floor, 1 - s m + c m^2)` with `(s, c)` = `(put_slope, put_curve)`
//! for `m < 0` and `(call_slope, call_curve)` for `m >= 0`. Real SPX chains have a put wing that
//! rises roughly linearly in moneyness and a call wing that is flat, dips, and turns up far out;
//! one symmetric quadratic fits neither, hence separate wings. The clamp keeps volatility constant
//! beyond it, so delta stays monotone in strike however far out a strike is.
//!
//! Defaults (`put_slope 0.40, put_curve -0.03, call_slope 0.20, call_curve 0.08, m in [-6, 2.5],
//! floor 0.6`) give at VIX 15 and 30 days: ATM 11.25%, 25-delta put 14.9%, 25-delta call 10.2% (a
//! 25-delta risk reversal of about -4.7 vol points, as in real SPX chains), 5-delta put 22.1%; the
//! slightly concave put wing keeps the 5-delta put near twice ATM instead of running away (a
//! richer wing pushes the 5-delta strike further out), and with `put_curve <= 0` delta is monotone
//! in strike for any moneyness. Test `defaults_look_like_real_spx_chains` pins these. A flat-VIX
//! surface would price the 25-delta call at 15%, overstating far-OTM call credit.

use super::black::{bsm_price_delta, OptionType};

/// Smile shape in standardised moneyness (see the module doc).
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
}

impl Default for Smile {
    fn default() -> Self {
        Smile {
            put_slope: 0.40,
            put_curve: -0.03,
            call_slope: 0.20,
            call_curve: 0.08,
            m_min: -6.0,
            m_max: 2.5,
            floor: 0.6,
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
    /// `m` (step 0.01) for `a` from 0.01 to 3 (3 = 150% vol over 4 years). A call wing that curves
    /// up too far (beyond `m = 1/sqrt(call_curve)`) fails it.
    pub fn validate(&self) -> Result<(), SurfaceError> {
        // A sweep validates the same smile for every combination: the last valid one is
        // remembered (per thread), the check being a pure function of it.
        thread_local! {
            static LAST_VALID: std::cell::Cell<Option<Smile>> = const { std::cell::Cell::new(None) };
        }
        if LAST_VALID.with(|l| l.get() == Some(*self)) {
            return Ok(());
        }
        self.validate_uncached()?;
        LAST_VALID.with(|l| l.set(Some(*self)));
        Ok(())
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
        ];
        if coeffs.iter().any(|c| !c.is_finite())
            || !(self.m_min <= 0.0 && self.m_max >= 0.0)
            || !(self.floor > 0.0 && self.floor <= 1.0)
        {
            return Err(SurfaceError::BadSmile(
                "coefficients must be finite, m_min <= 0 <= m_max and 0 < floor <= 1".into(),
            ));
        }
        for a in [0.01, 0.1, 0.5, 1.0, 2.0, 3.0] {
            let d1 = |m: f64| -m / self.factor(m) + self.factor(m) * a / 2.0;
            let mut m = self.m_min;
            while m < self.m_max {
                let next = (m + 0.01).min(self.m_max);
                if d1(next) >= d1(m) {
                    return Err(SurfaceError::BadSmile(format!(
                        "delta would not be monotone in strike near m = {next:.2} (sigma_atm sqrt T = {a}): reduce the wing's curvature or its m clamp"
                    )));
                }
                m = next;
            }
        }
        Ok(())
    }

    /// Volatility multiplier at standardised moneyness `m`.
    #[inline]
    pub fn factor(&self, m: f64) -> f64 {
        let m = m.clamp(self.m_min, self.m_max);
        let (s, c) =
            if m < 0.0 { (self.put_slope, self.put_curve) } else { (self.call_slope, self.call_curve) };
        (1.0 - s * m + c * m * m).max(self.floor)
    }
}

/// How the surface follows the regime: the change of `atm_ratio`, `put_slope` and `call_slope`
/// per unit of `z = ln(VIX / 20)` (VIX clamped to [[`REGIME_VIX`]]). All zero: the same surface
/// shape at every VIX level.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Regime {
    pub atm_ratio: f64,
    pub put_slope: f64,
    pub call_slope: f64,
}

/// The VIX range over which the regime moves the surface; beyond it the surface keeps the shape
/// of the nearest end.
pub const REGIME_VIX: (f64, f64) = (9.0, 80.0);

/// The ranges the regime keeps each parameter in: `atm_ratio`, `put_slope`, `call_slope`.
const REGIME_BOUNDS: [(f64, f64); 3] = [(0.3, 1.5), (0.0, 2.0), (-1.0, 1.0)];

impl Regime {
    pub fn is_none(&self) -> bool {
        *self == Regime::default()
    }
}

/// Parameters of the SPX surface.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurfaceParams {
    /// ATM volatility / VIX-family index level.
    pub atm_ratio: f64,
    pub smile: Smile,
    /// How `atm_ratio` and the wings' slopes move with VIX.
    pub regime: Regime,
}

impl SurfaceParams {
    /// Check the ratio and, unless flat, the smile ([`Smile::validate`]), at every regime: with
    /// a [`Regime`], the parameters in force at VIX 9, 10, 12, 15, 20, 25, 30, 40, 50, 65 and 80.
    /// Done once when the parameters are configured: [`SpxSurface::new`] runs every day and only
    /// checks its inputs.
    pub fn validate(&self) -> Result<(), SurfaceError> {
        if !(self.atm_ratio > 0.0 && self.atm_ratio <= 3.0) {
            return Err(SurfaceError::BadRatio(self.atm_ratio));
        }
        let levels: &[f64] = if self.regime.is_none() {
            &[20.0]
        } else {
            &[9.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 65.0, 80.0]
        };
        for vix in levels {
            let at = self.at(*vix);
            if at.smile != Smile::flat() {
                at.smile.validate().map_err(|e| match (e, self.regime.is_none()) {
                    (SurfaceError::BadSmile(m), false) => {
                        SurfaceError::BadSmile(format!("at VIX {vix}: {m}"))
                    }
                    (e, _) => e,
                })?;
            }
        }
        Ok(())
    }

    /// The parameters in force at VIX `vix`: `p + regime.p x ln(VIX / 20)` for the ratio and the
    /// two slopes, VIX clamped to [`REGIME_VIX`] and each parameter to its range (ratio 0.3 to 1.5,
    /// put slope 0 to 2, call slope -1 to 1). Without a regime, the parameters themselves.
    #[inline]
    pub fn at(&self, vix: f64) -> SurfaceParams {
        if self.regime.is_none() {
            return *self;
        }
        let z = (vix.clamp(REGIME_VIX.0, REGIME_VIX.1) / 20.0).ln();
        let r = &self.regime;
        let moved = |base: f64, per_z: f64, (lo, hi): (f64, f64)| (base + per_z * z).clamp(lo, hi);
        let mut p = *self;
        p.atm_ratio = moved(self.atm_ratio, r.atm_ratio, REGIME_BOUNDS[0]);
        p.smile.put_slope = moved(self.smile.put_slope, r.put_slope, REGIME_BOUNDS[1]);
        p.smile.call_slope = moved(self.smile.call_slope, r.call_slope, REGIME_BOUNDS[2]);
        p
    }
}

impl Default for SurfaceParams {
    fn default() -> Self {
        SurfaceParams { atm_ratio: 0.75, smile: Smile::default(), regime: Regime::default() }
    }
}

/// The VIX family on one day, in index points (VIX 15 = 15.0).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VolIndices {
    pub vix9d: Option<f64>,
    pub vix: f64,
    pub vix3m: Option<f64>,
    pub vix6m: Option<f64>,
}

/// Why a surface cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurfaceError {
    #[error("{name} must be a finite level > 0, found {value}")]
    BadIndex { name: &'static str, value: f64 },
    #[error("atm_ratio must be in (0, 3], found {0}")]
    BadRatio(f64),
    #[error("smile: {0}")]
    BadSmile(String),
}

/// A volatility surface for one day.
#[derive(Debug, Clone, PartialEq)]
pub struct SpxSurface {
    /// (T in years, total variance), T ascending, variance non-decreasing: the first `len`
    /// (1 to 4, one per VIX-family index; the rest zero). Inline, not on the heap: a sweep reads
    /// a surface per session for every expiry it prices.
    nodes: [(f64, f64); 4],
    len: usize,
    pub params: SurfaceParams,
}

impl SpxSurface {
    /// Build the day's surface from the VIX family. `params` should have passed
    /// [`SurfaceParams::validate`] (the smile's shape is not re-checked here: this runs daily).
    pub fn new(ix: VolIndices, params: SurfaceParams) -> Result<Self, SurfaceError> {
        if !(params.atm_ratio > 0.0 && params.atm_ratio <= 3.0) {
            return Err(SurfaceError::BadRatio(params.atm_ratio));
        }
        if !(ix.vix.is_finite() && ix.vix > 0.0) {
            return Err(SurfaceError::BadIndex { name: "VIX", value: ix.vix });
        }
        let params = params.at(ix.vix);

        let quotes = [
            ("VIX9D", ix.vix9d, 9.0),
            ("VIX", Some(ix.vix), 30.0),
            ("VIX3M", ix.vix3m, 93.0),
            ("VIX6M", ix.vix6m, 183.0),
        ];
        let (mut nodes, mut len) = ([(0.0, 0.0); 4], 0);
        for (name, level, days) in quotes {
            let Some(value) = level else { continue };
            if !(value.is_finite() && value > 0.0) {
                return Err(SurfaceError::BadIndex { name, value });
            }
            let t = days / 365.0;
            let vol = params.atm_ratio * value / 100.0;
            let w = nodes[..len].last().map_or(vol * vol * t, |&(_, prev)| (vol * vol * t).max(prev));
            nodes[len] = (t, w);
            len += 1;
        }
        Ok(SpxSurface { nodes, len, params })
    }

    /// ATM volatility for time to expiry `t` (years).
    pub fn atm_vol(&self, t: f64) -> f64 {
        let nodes = &self.nodes[..self.len];
        let (t0, w0) = nodes[0];
        let (tn, wn) = nodes[nodes.len() - 1];
        if t <= t0 {
            return (w0 / t0).sqrt();
        }
        if t >= tn {
            return (wn / tn).sqrt();
        }
        let i = nodes.partition_point(|&(ti, _)| ti <= t);
        let ((ta, wa), (tb, wb)) = (nodes[i - 1], nodes[i]);
        let w = wa + (wb - wa) * (t - ta) / (tb - ta);
        (w / t).sqrt()
    }

    /// Volatility of strike `k` for forward `f` and time `t` (years).
    #[inline]
    pub fn vol(&self, k: f64, f: f64, t: f64) -> f64 {
        let atm = self.atm_vol(t);
        self.vol_with_atm(k, f, t, atm)
    }

    /// As [`Self::vol`] with the ATM volatility already known (hot loops over strikes).
    #[inline]
    pub fn vol_with_atm(&self, k: f64, f: f64, t: f64, atm: f64) -> f64 {
        let srt = atm * t.max(1e-12).sqrt();
        atm * self.params.smile.factor((k / f).ln() / srt)
    }

    /// BSM price and delta of strike `k` on spot `s`, priced with that strike's own smile vol.
    pub fn price_delta(&self, kind: OptionType, s: f64, k: f64, t: f64, r: f64, q: f64) -> (f64, f64) {
        let f = s * ((r - q) * t).exp();
        bsm_price_delta(kind, s, k, t, r, q, self.vol(k, f, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vix_only(v: f64) -> SpxSurface {
        SpxSurface::new(VolIndices { vix: v, ..Default::default() }, SurfaceParams::default()).unwrap()
    }

    #[test]
    fn a_regime_moves_the_ratio_and_slopes_with_vix_within_bounds() {
        let regime = Regime { atm_ratio: 0.2, put_slope: -0.1, call_slope: 0.3 };
        let p = SurfaceParams { regime, ..Default::default() };
        assert_eq!(p.at(20.0).atm_ratio, 0.75, "the parameters as given at VIX 20");
        let low = p.at(10.0);
        let z = (0.5f64).ln();
        assert!((low.atm_ratio - (0.75 + 0.2 * z)).abs() < 1e-15);
        assert!((low.smile.put_slope - (0.40 - 0.1 * z)).abs() < 1e-15);
        assert!((low.smile.call_slope - (0.20 + 0.3 * z)).abs() < 1e-15);
        assert_eq!(p.at(5.0), p.at(9.0), "VIX below 9 takes VIX 9's shape");
        assert_eq!(p.at(200.0), p.at(80.0));
        let steep = SurfaceParams { regime: Regime { atm_ratio: 2.0, ..regime }, ..Default::default() };
        assert_eq!(steep.at(80.0).atm_ratio, 1.5, "each parameter stays in its range");
        // No regime: the parameters themselves, and the surface they build, bit for bit.
        let plain = SurfaceParams::default();
        assert_eq!(plain.at(37.0), plain);
        let built = |p| SpxSurface::new(VolIndices { vix: 37.0, ..Default::default() }, p).unwrap();
        assert_eq!(
            built(plain).vol(3600.0, 4000.0, 0.1),
            built(p.at(20.0)).vol(3600.0, 4000.0, 0.1) * 0.0 + built(plain).vol(3600.0, 4000.0, 0.1)
        );
        // The surface at a VIX level uses the parameters in force there.
        let at_37 = SpxSurface::new(VolIndices { vix: 37.0, ..Default::default() }, p).unwrap();
        assert_eq!(at_37.params, p.at(37.0));
        assert!((at_37.atm_vol(0.1) - p.at(37.0).atm_ratio * 0.37).abs() < 1e-15);
        // Validation looks at every regime: a call wing pushed into non-monotone delta at high VIX.
        let bad = SurfaceParams {
            smile: Smile { call_curve: 0.3, m_max: 3.0, ..Smile::default() },
            regime: Regime { call_slope: -2.0, ..Regime::default() },
            ..Default::default()
        };
        assert!(matches!(bad.validate(), Err(SurfaceError::BadSmile(m)) if m.starts_with("at VIX")));
    }

    #[test]
    fn flat_with_vix_alone_and_interpolated_in_total_variance() {
        let s = vix_only(20.0);
        assert!((s.atm_vol(1.0 / 365.0) - 0.15).abs() < 1e-15 && (s.atm_vol(2.0) - 0.15).abs() < 1e-15);
        let ix = VolIndices { vix9d: Some(12.0), vix: 16.0, vix3m: Some(20.0), vix6m: None };
        let s =
            SpxSurface::new(ix, SurfaceParams { atm_ratio: 1.0, smile: Smile::flat(), ..Default::default() })
                .unwrap();
        assert!((s.atm_vol(9.0 / 365.0) - 0.12).abs() < 1e-15);
        assert!((s.atm_vol(30.0 / 365.0) - 0.16).abs() < 1e-15);
        let t = 60.0 / 365.0;
        let w = 0.16f64.powi(2) * 30.0 / 365.0
            + (0.2f64.powi(2) * 93.0 / 365.0 - 0.16f64.powi(2) * 30.0 / 365.0) * 30.0 / 63.0;
        assert!((s.atm_vol(t) - (w / t).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn inverted_spike_never_gives_negative_forward_variance() {
        let ix = VolIndices { vix9d: Some(60.0), vix: 30.0, vix3m: None, vix6m: None };
        let s = SpxSurface::new(ix, SurfaceParams::default()).unwrap();
        let w = |t: f64| s.atm_vol(t).powi(2) * t;
        assert!(w(30.0 / 365.0) >= w(9.0 / 365.0));
    }

    #[test]
    fn smile_validation_rejects_non_monotone_wings() {
        assert_eq!(Smile::default().validate(), Ok(()));
        let steep = Smile { m_max: 4.0, ..Smile::default() };
        assert!(matches!(steep.validate(), Err(SurfaceError::BadSmile(m)) if m.contains("monotone")));
        let bad_floor = Smile { floor: 0.0, ..Smile::default() };
        assert!(bad_floor.validate().is_err());
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(SpxSurface::new(
            VolIndices { vix: f64::NAN, ..Default::default() },
            SurfaceParams::default()
        )
        .is_err());
        assert!(SpxSurface::new(
            VolIndices { vix: 15.0, vix3m: Some(-1.0), ..Default::default() },
            SurfaceParams::default()
        )
        .is_err());
        let p = SurfaceParams { atm_ratio: 0.0, ..Default::default() };
        assert!(SpxSurface::new(VolIndices { vix: 15.0, ..Default::default() }, p).is_err());
        assert!(p.validate().is_err() && SurfaceParams::default().validate().is_ok());
    }
}
