//! Calibration of the SPX surface to a real option chain: which quotes are fitted, the model's
//! price of each under given surface parameters, the fit itself ([`fit`]), and the report of the
//! model's error by type and delta bucket, before and after, in and out of sample.
//!
//! **Quotes fitted**: SPX and SPXW options out of the money (puts below the underlying, calls
//! above it) with a bid, an ask at or above it, 5 to 60 calendar days to expiry and a mid of at
//! least $0.10, on dates with a VIX close. The underlying is the chain's own (the vendor's price at
//! the quote time), else the SPX close of the date.
//!
//! **Weighting**: each quote's error is `(model - mid) / max(mid, spread)`: a relative error, so a
//! $0.20 wing and a $20 near strike count alike, but never finer than the quote's own bid-ask
//! spread, so a far wing quoted 0.05 - 0.20 counts no more than its spread allows. The fit
//! minimises the mean square of these errors, or with [`loss::Loss::Balanced`] their mean
//! absolute value with each type x delta bucket weighing the same. (Errors in implied volatility were tried as the
//! measure: the far wings' vols, which the smile's moneyness clamp cannot reach, then dominate
//! the fit and drag the ATM level up.)
//!
//! **Buckets**: the chain's own delta where it has one, else the model's at the default
//! parameters: 2-5, 5-10, 10-20, 20-30 and 30-50 delta, puts and calls apart.

pub mod fit;
pub mod loss;
pub mod report;
pub mod vix;

use crate::data::{BarSeries, OptionChain, Right};
use crate::pricing::{bsm_price_delta, implied_vol_bsm, OptionType, SpxSurface, SurfaceParams, VolIndices};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One quote to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitQuote {
    pub date: NaiveDate,
    pub expiry: NaiveDate,
    pub right: Right,
    pub strike: f64,
    /// Calendar days to expiry.
    pub days: i64,
    pub underlying: f64,
    pub bid: f64,
    pub ask: f64,
    /// The chain's delta, when it has one.
    pub chain_delta: Option<f64>,
    /// Implied volatility of the mid (NaN when the mid has none).
    pub iv: f64,
}

impl FitQuote {
    pub fn mid(&self) -> f64 {
        (self.bid + self.ask) / 2.0
    }

    pub fn kind(&self) -> OptionType {
        match self.right {
            Right::Call => OptionType::Call,
            Right::Put => OptionType::Put,
        }
    }

    /// Years to expiry (calendar days / 365, as in a backtest).
    pub fn years(&self) -> f64 {
        self.days as f64 / 365.0
    }
}

/// The market inputs of the model on each quote date: the VIX family's closes.
#[derive(Debug, Clone, Default)]
pub struct Indices {
    pub by_date: BTreeMap<NaiveDate, VolIndices>,
}

impl Indices {
    /// The closes of VIX (required) and of the optional VIX9D, VIX3M, VIX6M on `dates`.
    pub fn on(
        dates: impl Iterator<Item = NaiveDate>,
        vix: &BarSeries,
        family: [Option<&BarSeries>; 3],
    ) -> Indices {
        let close = |s: Option<&BarSeries>, d| s.and_then(|s| s.close_on(d));
        let by_date = dates
            .filter_map(|d| {
                let v = vix.close_on(d)?;
                Some((
                    d,
                    VolIndices {
                        vix9d: close(family[0], d),
                        vix: v,
                        vix3m: close(family[1], d),
                        vix6m: close(family[2], d),
                    },
                ))
            })
            .collect();
        Indices { by_date }
    }
}

/// The quotes of `chain` that a calibration fits (see the module doc), dates in `[from, to]`.
pub fn select_quotes(
    chain: &OptionChain,
    spx: Option<&BarSeries>,
    indices: &Indices,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Vec<FitQuote> {
    (0..chain.len())
        .filter_map(|i| {
            let date = chain.date[i];
            let in_window = from.is_none_or(|f| date >= f) && to.is_none_or(|t| date <= t);
            let spx_root = matches!(chain.root_of(i).name, "SPX" | "SPXW");
            if !in_window || !spx_root || !indices.by_date.contains_key(&date) {
                return None;
            }
            let underlying = Some(chain.underlying[i])
                .filter(|u| u.is_finite() && *u > 0.0)
                .or_else(|| spx.and_then(|s| s.close_on(date)))?;
            let q = FitQuote {
                date,
                expiry: chain.expiry[i],
                right: chain.right[i],
                strike: chain.strike[i],
                days: (chain.expiry[i] - date).num_days(),
                underlying,
                bid: chain.bid[i],
                ask: chain.ask[i],
                chain_delta: Some(chain.delta[i].abs()).filter(|d| d.is_finite()),
                iv: f64::NAN,
            };
            let otm = match q.right {
                Right::Put => q.strike < underlying,
                Right::Call => q.strike > underlying,
            };
            let quoted = q.bid > 0.0 && q.ask >= q.bid && q.mid() >= 0.10;
            (otm && quoted && (5..=60).contains(&q.days)).then_some(q)
        })
        .collect()
}

/// Rates the model prices with: the risk-free rate and the dividend yield (continuous).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Carry {
    pub rate: f64,
    pub dividend_yield: f64,
}

/// Fill in each quote's implied volatility at its mid under `carry`.
pub fn with_implied_vols(mut quotes: Vec<FitQuote>, carry: Carry) -> Vec<FitQuote> {
    for q in &mut quotes {
        let (s, k, t) = (q.underlying, q.strike, q.years());
        q.iv =
            implied_vol_bsm(q.kind(), q.mid(), s, k, t, carry.rate, carry.dividend_yield).unwrap_or(f64::NAN);
    }
    quotes
}

/// The model's price, delta and volatility of each quote under `params` (`None` for every quote when the
/// parameters are not a valid surface).
pub fn model_prices(
    quotes: &[FitQuote],
    indices: &Indices,
    params: SurfaceParams,
    carry: Carry,
) -> Option<Vec<(f64, f64, f64)>> {
    params.validate().ok()?;
    let mut surfaces: BTreeMap<NaiveDate, SpxSurface> = BTreeMap::new();
    quotes
        .iter()
        .map(|q| {
            let surface = match surfaces.get(&q.date) {
                Some(s) => s,
                None => {
                    let s = SpxSurface::new(*indices.by_date.get(&q.date)?, params).ok()?;
                    surfaces.entry(q.date).or_insert(s)
                }
            };
            let t = q.years();
            let f = q.underlying * ((carry.rate - carry.dividend_yield) * t).exp();
            let vol = surface.vol(q.strike, f, t);
            let (price, delta) =
                bsm_price_delta(q.kind(), q.underlying, q.strike, t, carry.rate, carry.dividend_yield, vol);
            Some((price, delta, vol))
        })
        .collect()
}

/// A quote's weighted error (see the module doc).
pub fn weighted_error(q: &FitQuote, model: f64) -> f64 {
    (model - q.mid()) / q.mid().max(q.ask - q.bid)
}
