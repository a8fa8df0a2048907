//! The SPX implied-volatility surface built from the VIX family of indices.
//!
//! **Term structure.** Each available index is a variance swap at its tenor: VIX9D at 9 days,
//! VIX at 30, VIX3M at 93, VIX6M at 183 (calendar days). Their total variance `w = sigma^2 T`,
//! times the day's scale squared, is interpolated linearly in `T`, flat before the first and after
//! the last tenor, and made non-decreasing in `T` (an inverted VIX9D > VIX spike would otherwise
//! imply negative forward variance).
//!
//! **ATM level.** In [`AtmLevel::Variance`] (the default) the ATM volatility at a term is that
//! level times `1 / sqrt(F)`, `F` the smile's variance-swap factor at that term
//! ([`super::atm_level`]): the level at which the smile prices its index back. VIX includes the
//! whole put skew, so ATM sits under it, the more so the steeper the smile. In
//! [`AtmLevel::Ratio`] the ATM volatility is the level itself (`atm_ratio x index`).
//!
//! **Smile.** In standardised moneyness `m = ln(K/F) / (sigma_atm sqrt T)`, clamped to
//! `[m_min, m_max]`:
//! `sigma(K) = sigma_atm * max(floor, 1 - g s m + g c m^2)` with `(s, c)` = `(put_slope, put_curve)`
//! for `m < 0` and `(call_slope, call_curve)` for `m >= 0`, and `g` the wing's term scale
//! `(days / 30)^e` ([`Smile::tenor_scale`]). Real SPX chains have a put wing that rises roughly
//! linearly in moneyness and a call wing that dips under ATM and turns up far out; one symmetric
//! quadratic fits neither, hence separate wings. The clamp keeps volatility constant beyond it, so
//! delta stays monotone in strike however far out a strike is.
//!
//! **Regime.** The scale, the put slope, the call slope and the call curvature move with
//! `ln(VIX / 20)`, and the scale with the term slope's departure from its usual value at that VIX
//! level ([`Regime`]).
//!
//! The defaults are fitted on the two shared real SPXW chains (docs/MODEL.md, "The default
//! surface, fitted"). At VIX 15 and 30 days they give ATM 11.5%, 25-delta put 13.9%, 25-delta
//! call 10.5%, 5-delta put 19.8%; test `defaults_look_like_real_spx_chains` pins these.

use super::atm_level::{self, TENOR_NODES};
use super::black::{bsm_price_delta, OptionType};
pub use super::smile::{Smile, WingScale, TENOR_DAYS};

/// How the surface follows the regime: the change of `atm_ratio`, `put_slope` and `call_slope`
/// per unit of `z = ln(VIX / 20)` (VIX clamped to [[`REGIME_VIX`]]). All zero: the same surface
/// shape at every VIX level.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Regime {
    pub atm_ratio: f64,
    pub put_slope: f64,
    pub call_slope: f64,
    pub call_curve: f64,
    /// The change of `atm_ratio` per unit of the term slope's departure from its usual value at
    /// that VIX level: `ln(VIX / VIX3M) - (TERM_TYPICAL.0 + TERM_TYPICAL.1 ln(VIX / 20))`, clamped
    /// to +-[`TERM_DEPARTURE_MAX`]; zero without VIX3M.
    pub atm_ratio_term: f64,
}

/// The usual term slope at a VIX level: `ln(VIX / VIX3M) = a + b ln(VIX / 20)`, least squares
/// over the 4,235 days 2009-2026 with both closes (VIX clamped to [`REGIME_VIX`]; residual
/// standard deviation 0.058). Test `the_usual_term_slope_is_the_historical_fit` recomputes it
/// from `../shared/datasets`.
pub const TERM_TYPICAL: (f64, f64) = (-0.092, 0.175);

/// The largest term-slope departure the regime reads (about five standard deviations).
pub const TERM_DEPARTURE_MAX: f64 = 0.3;

/// How far the day's term slope is from its usual value at that VIX level (see
/// [`Regime::atm_ratio_term`]); 0 without VIX3M.
pub fn term_departure(ix: &VolIndices) -> f64 {
    ix.vix3m.map_or(0.0, |v3| {
        let usual = TERM_TYPICAL.0 + TERM_TYPICAL.1 * (ix.vix.clamp(REGIME_VIX.0, REGIME_VIX.1) / 20.0).ln();
        ((ix.vix / v3).ln() - usual).clamp(-TERM_DEPARTURE_MAX, TERM_DEPARTURE_MAX)
    })
}

/// The VIX range over which the regime moves the surface; beyond it the surface keeps the shape
/// of the nearest end.
pub const REGIME_VIX: (f64, f64) = (9.0, 80.0);

/// The ranges the regime keeps each parameter in: `atm_ratio`, `put_slope`, `call_slope`,
/// `call_curve`.
const REGIME_BOUNDS: [(f64, f64); 4] = [(0.3, 1.5), (0.0, 2.0), (-1.0, 1.0), (0.0, 0.5)];

impl Regime {
    /// The default surface's regime, fitted with the smile on the two shared SPXW chains
    /// (docs/MODEL.md). `Regime::default()` is no regime at all.
    pub const FITTED: Regime = Regime {
        atm_ratio: 0.0291,
        put_slope: -0.1012,
        call_slope: 0.2785,
        call_curve: 0.0448,
        atm_ratio_term: 0.692,
    };

    pub fn is_none(&self) -> bool {
        *self == Regime::default()
    }
}

/// How the ATM volatility follows the VIX-family index of its tenor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AtmLevel {
    /// ATM = `atm_ratio x index`: a fixed ratio.
    Ratio,
    /// ATM = `atm_ratio x index / sqrt(F)`, `F` the smile's variance-swap factor at that VIX
    /// level ([`super::atm_level`]): the level at which the smile reproduces the index it is
    /// built from, so `atm_ratio` is a scale around 1.
    #[default]
    Variance,
}

/// Parameters of the SPX surface.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurfaceParams {
    /// With [`AtmLevel::Ratio`], ATM volatility / VIX-family index level; with
    /// [`AtmLevel::Variance`], the scale on the variance-consistent level.
    pub atm_ratio: f64,
    pub atm: AtmLevel,
    pub smile: Smile,
    /// How `atm_ratio` and the wings' slopes move with VIX.
    pub regime: Regime,
}

impl SurfaceParams {
    /// Check the ratio (in variance mode, the ratio it gives) and, unless flat, the smile
    /// ([`Smile::validate`]), at every regime: with
    /// a [`Regime`], the parameters in force at VIX 9, 10, 12, 15, 20, 25, 30, 40, 50, 65 and 80.
    /// Done once when the parameters are configured: [`SpxSurface::new`] runs every day and only
    /// checks its inputs. A sweep configures the same parameters for every combination: the last
    /// valid set is remembered per thread (the check is a pure function of it; with a regime it
    /// checks eleven smiles, too many for [`Smile::validate`]'s own one-entry memory).
    pub fn validate(&self) -> Result<(), SurfaceError> {
        validate_once!(SurfaceParams, *self, self.validate_uncached())
    }

    fn validate_uncached(&self) -> Result<(), SurfaceError> {
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
            // The ratio (in variance mode, the scale: the root it multiplies lies between 1 / the
            // smile's largest factor and 1 / its floor) at the term slope's extremes.
            for departure in [-TERM_DEPARTURE_MAX, 0.0, TERM_DEPARTURE_MAX] {
                let usual = TERM_TYPICAL.0 + TERM_TYPICAL.1 * (vix / 20.0).ln();
                let vix3m = vix / (usual + departure).exp();
                let scale =
                    self.scale_for(&VolIndices { vix: *vix, vix3m: Some(vix3m), ..Default::default() });
                if !(scale > 0.0 && scale <= 3.0) {
                    return Err(SurfaceError::BadRatio(scale));
                }
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
        p.smile.call_curve = moved(self.smile.call_curve, r.call_curve, REGIME_BOUNDS[3]);
        p
    }
}

impl SurfaceParams {
    /// The day's ratio (or, in variance mode, scale): the one in force at its VIX level
    /// ([`Self::at`]) moved by the term slope's departure ([`Regime::atm_ratio_term`]), kept in
    /// the ratio's range.
    #[inline]
    pub fn scale_for(&self, ix: &VolIndices) -> f64 {
        let scale = self.at(ix.vix).atm_ratio;
        if self.regime.atm_ratio_term == 0.0 {
            return scale;
        }
        let (lo, hi) = REGIME_BOUNDS[0];
        (scale + self.regime.atm_ratio_term * term_departure(ix)).clamp(lo, hi)
    }

    /// A fixed-ratio surface: ATM = 0.75 x index and one smile shape (puts 0.40 / -0.03, calls
    /// 0.20 / 0.08, `m` in [-6, 2.5]) at every VIX level and term, without a regime: the
    /// comparison surface of docs/MODEL.md.
    pub fn fixed() -> SurfaceParams {
        let smile = Smile {
            put_slope: 0.40,
            put_curve: -0.03,
            call_slope: 0.20,
            call_curve: 0.08,
            m_min: -6.0,
            m_max: 2.5,
            floor: 0.6,
            put_term: 0.0,
            call_term: 0.0,
            call_slope_term: 0.0,
        };
        SurfaceParams { atm_ratio: 0.75, atm: AtmLevel::Ratio, smile, regime: Regime::default() }
    }

    /// Whether the ATM level comes from the smile's variance-swap factor: variance mode, and a
    /// smile that is not flat (a flat smile's factor is 1).
    pub fn uses_variance(&self) -> bool {
        self.atm == AtmLevel::Variance && self.smile != Smile::flat()
    }

    /// ATM volatility / index for a 30-day expiry on a day with indices `ix`: the day's scale
    /// ([`Self::scale_for`]), in variance mode times `1 / √F` ([`super::atm_level`]).
    pub fn ratio_for(&self, ix: &VolIndices) -> f64 {
        let scale = self.scale_for(ix);
        if !self.uses_variance() {
            return scale;
        }
        let roots = atm_level::variance_roots(self, ix.vix);
        let (j, w) = atm_level::tenor_position(30.0);
        scale * (roots[j] + (roots[j + 1] - roots[j]) * w)
    }
}

impl Default for SurfaceParams {
    fn default() -> Self {
        SurfaceParams {
            atm_ratio: 0.9226,
            atm: AtmLevel::Variance,
            smile: Smile::default(),
            regime: Regime::FITTED,
        }
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
    /// (T in years, total variance of the index scaled by the day's ratio or scale), T ascending,
    /// variance non-decreasing: the first `len` (1 to 4, one per VIX-family index; the rest
    /// zero). Inline, not on the heap: a sweep reads a surface per session for every expiry it
    /// prices.
    nodes: [(f64, f64); 4],
    len: usize,
    /// In variance mode, `1 / √F` at the tenors of [`atm_level::tenor_days`] for the day's VIX;
    /// `None` with a fixed ratio or a flat smile.
    roots: Option<[f64; TENOR_NODES + 1]>,
    pub params: SurfaceParams,
}

/// What every strike of one expiry shares: the ATM volatility and the wings' scales
/// ([`Smile::tenor_scale`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tenor {
    pub atm: f64,
    pub g: WingScale,
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
        let scale = params.scale_for(&ix);
        let roots = params.uses_variance().then(|| atm_level::variance_roots(&params, ix.vix));
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
            let vol = scale * value / 100.0;
            let w = nodes[..len].last().map_or(vol * vol * t, |&(_, prev)| (vol * vol * t).max(prev));
            nodes[len] = (t, w);
            len += 1;
        }
        Ok(SpxSurface { nodes, len, roots, params })
    }

    /// The index-implied volatility for time to expiry `t` (years), before the smile's root:
    /// `sqrt(w / t)` of the interpolated nodes.
    fn index_vol(&self, t: f64) -> f64 {
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

    /// ATM volatility and wings' scale for time to expiry `t` (years).
    #[inline]
    pub fn tenor(&self, t: f64) -> Tenor {
        let level = self.index_vol(t);
        let days = t * 365.0;
        let atm = match &self.roots {
            Some(roots) => {
                let (j, w) = atm_level::tenor_position(days);
                level * (roots[j] + (roots[j + 1] - roots[j]) * w)
            }
            None => level,
        };
        Tenor { atm, g: self.params.smile.tenor_scale(t) }
    }

    /// ATM volatility for time to expiry `t` (years).
    pub fn atm_vol(&self, t: f64) -> f64 {
        self.tenor(t).atm
    }

    /// Volatility of strike `k` for forward `f` and time `t` (years).
    #[inline]
    pub fn vol(&self, k: f64, f: f64, t: f64) -> f64 {
        self.vol_at(k, f, t, self.tenor(t))
    }

    /// As [`Self::vol`] with the expiry's [`Tenor`] already known (hot loops over strikes).
    #[inline]
    pub fn vol_at(&self, k: f64, f: f64, t: f64, x: Tenor) -> f64 {
        let srt = x.atm * t.max(1e-12).sqrt();
        x.atm * self.params.smile.factor_scaled((k / f).ln() / srt, x.g)
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

    fn fixed() -> SurfaceParams {
        SurfaceParams::fixed()
    }

    fn vix_only(v: f64) -> SpxSurface {
        SpxSurface::new(VolIndices { vix: v, ..Default::default() }, fixed()).unwrap()
    }

    #[test]
    fn a_regime_moves_the_ratio_and_slopes_with_vix_within_bounds() {
        let regime = Regime { atm_ratio: 0.2, put_slope: -0.1, call_slope: 0.3, ..Regime::default() };
        let p = SurfaceParams { regime, ..fixed() };
        assert_eq!(p.at(20.0).atm_ratio, 0.75, "the parameters as given at VIX 20");
        let low = p.at(10.0);
        let z = (0.5f64).ln();
        assert!((low.atm_ratio - (0.75 + 0.2 * z)).abs() < 1e-15);
        assert!((low.smile.put_slope - (0.40 - 0.1 * z)).abs() < 1e-15);
        assert!((low.smile.call_slope - (0.20 + 0.3 * z)).abs() < 1e-15);
        assert_eq!(p.at(5.0), p.at(9.0), "VIX below 9 takes VIX 9's shape");
        assert_eq!(p.at(200.0), p.at(80.0));
        let steep = SurfaceParams { regime: Regime { atm_ratio: 2.0, ..regime }, ..fixed() };
        assert_eq!(steep.at(80.0).atm_ratio, 1.5, "each parameter stays in its range");
        // No regime: the parameters themselves, and the surface they build, bit for bit.
        let plain = fixed();
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
            smile: Smile { call_curve: 0.3, m_max: 3.0, ..fixed().smile },
            regime: Regime { call_slope: -2.0, ..Regime::default() },
            ..fixed()
        };
        assert!(matches!(bad.validate(), Err(SurfaceError::BadSmile(m)) if m.starts_with("at VIX")));
    }

    /// The term slope moves the ratio by its departure from the usual slope at that VIX level,
    /// within the departure's clamp; without VIX3M it does not move it.
    #[test]
    fn the_term_slope_moves_the_ratio_by_its_departure() {
        let p = SurfaceParams { regime: Regime { atm_ratio_term: 0.5, ..Regime::default() }, ..fixed() };
        let usual = (TERM_TYPICAL.0 + TERM_TYPICAL.1 * (16.0f64 / 20.0).ln()).exp();
        let on = |vix3m: Option<f64>| p.ratio_for(&VolIndices { vix: 16.0, vix3m, ..Default::default() });
        assert_eq!(on(None), 0.75);
        assert!((on(Some(16.0 / usual)) - 0.75).abs() < 1e-12, "the usual slope");
        let inverted = on(Some(16.0 / usual / 0.1f64.exp()));
        assert!((inverted - (0.75 + 0.05)).abs() < 1e-12, "{inverted}");
        assert_eq!(on(Some(1.0)), 0.75 + 0.5 * TERM_DEPARTURE_MAX, "clamped");
        assert_eq!(
            on(Some(16.0 / usual)),
            SpxSurface::new(VolIndices { vix: 16.0, vix3m: Some(16.0 / usual), ..Default::default() }, p)
                .unwrap()
                .atm_vol(30.0 / 365.0)
                / 0.16
                * 1.0
        );
    }

    #[test]
    fn flat_with_vix_alone_and_interpolated_in_total_variance() {
        let s = vix_only(20.0);
        assert!((s.atm_vol(1.0 / 365.0) - 0.15).abs() < 1e-15 && (s.atm_vol(2.0) - 0.15).abs() < 1e-15);
        let ix = VolIndices { vix9d: Some(12.0), vix: 16.0, vix3m: Some(20.0), vix6m: None };
        let s =
            SpxSurface::new(ix, SurfaceParams { atm_ratio: 1.0, smile: Smile::flat(), ..fixed() }).unwrap();
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
        let s = SpxSurface::new(ix, fixed()).unwrap();
        let w = |t: f64| s.atm_vol(t).powi(2) * t;
        assert!(w(30.0 / 365.0) >= w(9.0 / 365.0));
        // In variance mode the index's variance is kept non-decreasing; the ATM variance follows
        // it times the smile's root, which falls with the term by at most a few percent.
        let s = SpxSurface::new(ix, SurfaceParams::default()).unwrap();
        let w = |t: f64| s.atm_vol(t).powi(2) * t;
        assert!(w(30.0 / 365.0) >= 0.97 * w(9.0 / 365.0), "{} {}", w(30.0 / 365.0), w(9.0 / 365.0));
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

    #[test]
    fn validation_remembers_only_what_passed() {
        let good = SurfaceParams::default();
        let bad = SurfaceParams { smile: Smile { m_max: 4.0, ..good.smile }, ..good };
        for _ in 0..2 {
            assert_eq!(good.validate(), Ok(()));
            assert!(bad.validate().is_err(), "a failed check is not remembered as valid");
            assert!(bad.smile.validate().is_err());
        }
    }
}
