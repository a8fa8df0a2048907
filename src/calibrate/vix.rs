//! Calibration of VIX options' volatility to a VIX chain: the six `[hedge]` keys that set the
//! price of the calls a hedge layer buys ([`VixKey`]: the vol-of-vol's level against VVIX, its
//! term scaling and where it stops, the call skew, its saturation and its term scaling), any of
//! them held at a given value.
//!
//! **Quotes fitted**: the calls a hedge layer buys: VIX and VIXW calls above the future of their
//! own expiry, 5 to 50 delta (the chain's delta, else Black-76's at the quote's own implied vol:
//! the market's delta, not the model's being judged), with a bid, an
//! ask at or above it, 5 to 180 calendar days and a mid of at least $0.05, on dates with a VIX
//! close. Each is priced with Black-76 on the future of its expiry: from the VX term
//! structure of the date when given, else the futures model, as in a backtest. The weighting is
//! the SPX calibration's (see [`super`]).

use super::fit::nelder_mead;
use super::{weighted_error, FitQuote};
use crate::data::{BarSeries, OptionChain, Right, VxTermStructure};
use crate::pricing::{
    black76_greeks, implied_vol_black76, vix_futures_on, FuturesModel, OptionType, VixVolParams,
};
use chrono::NaiveDate;

/// What VIX options are priced from on each quote date: VVIX (if known) per date.
#[derive(Debug, Clone, Default)]
pub struct VixInputs {
    pub vvix: std::collections::BTreeMap<NaiveDate, f64>,
}

impl VixInputs {
    pub fn vvix_on(&self, date: NaiveDate) -> Option<f64> {
        self.vvix.get(&date).copied()
    }
}

/// The VIX calls of `chain` that a calibration fits (see the module doc), dates in `[from, to]`,
/// each with the future of its expiry as its underlying and its Black-76 implied vol at the mid.
pub fn select_vix_quotes(
    chain: &OptionChain,
    vix: &BarSeries,
    term: Option<&VxTermStructure>,
    rate: f64,
    window: (Option<NaiveDate>, Option<NaiveDate>),
) -> Vec<FitQuote> {
    (0..chain.len())
        .filter_map(|i| {
            let date = chain.date[i];
            let in_window = window.0.is_none_or(|f| date >= f) && window.1.is_none_or(|t| date <= t);
            let vix_root = matches!(chain.root_of(i).name, "VIX" | "VIXW");
            if !in_window || !vix_root || chain.right[i] != Right::Call {
                return None;
            }
            let spot = vix.close_on(date)?;
            let row = term.and_then(|t| t.row_on(date));
            let future =
                vix_futures_on(date, spot, row, FuturesModel::default()).ok()?.price(chain.expiry[i]);
            let mut q = FitQuote {
                date,
                expiry: chain.expiry[i],
                right: Right::Call,
                strike: chain.strike[i],
                days: (chain.expiry[i] - date).num_days(),
                underlying: future,
                bid: chain.bid[i],
                ask: chain.ask[i],
                chain_delta: Some(chain.delta[i].abs()).filter(|d| d.is_finite()),
                iv: f64::NAN,
            };
            let quoted = q.bid > 0.0 && q.ask >= q.bid && q.mid() >= 0.05;
            if !(q.strike > future && quoted && (5..=180).contains(&q.days)) {
                return None;
            }
            q.iv = implied_vol_black76(OptionType::Call, q.mid(), future, q.strike, q.years(), rate).ok()?;
            let delta = q.chain_delta.unwrap_or_else(|| {
                black76_greeks(OptionType::Call, future, q.strike, q.years(), rate, q.iv).delta
            });
            q.chain_delta = Some(delta);
            (0.05..=0.50).contains(&delta).then_some(q)
        })
        .collect()
}

/// Black-76 price, delta and vol of each quote under `params`.
pub fn vix_model_prices(
    quotes: &[FitQuote],
    inputs: &VixInputs,
    params: VixVolParams,
    rate: f64,
) -> Vec<(f64, f64, f64)> {
    quotes
        .iter()
        .map(|q| {
            let vol = params.vol(inputs.vvix_on(q.date), q.underlying, q.strike, q.days as f64);
            let g = black76_greeks(OptionType::Call, q.underlying, q.strike, q.years(), rate, vol);
            (g.price, g.delta, vol)
        })
        .collect()
}

fn loss(quotes: &[FitQuote], inputs: &VixInputs, params: VixVolParams, rate: f64) -> f64 {
    let p = params;
    let valid = p.vvix_scale > 0.0
        && p.vvix_scale <= 10.0
        && (0.0..=5.0).contains(&p.call_skew)
        && (0.0..=2.0).contains(&p.term_exponent)
        && p.call_skew_scale > 0.02
        && (0.0..=2.0).contains(&p.skew_term_exponent)
        && (1.0..=120.0).contains(&p.min_days);
    if !valid {
        return f64::INFINITY;
    }
    let prices = vix_model_prices(quotes, inputs, params, rate);
    quotes.iter().zip(prices).map(|(q, (p, _, _))| weighted_error(q, p).powi(2)).sum::<f64>()
        / quotes.len().max(1) as f64
}

/// A VIX fit's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VixFit {
    pub params: VixVolParams,
    pub loss_before: f64,
    pub loss_after: f64,
    pub evaluations: usize,
}

/// The `[hedge]` keys a VIX fit moves, in the order of its search vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VixKey {
    VolScale,
    CallSkew,
    VolTermExponent,
    CallSkewScale,
    SkewTermExponent,
    VolMinDays,
}

impl VixKey {
    pub const ALL: [VixKey; 6] = [
        VixKey::VolScale,
        VixKey::CallSkew,
        VixKey::VolTermExponent,
        VixKey::CallSkewScale,
        VixKey::SkewTermExponent,
        VixKey::VolMinDays,
    ];

    /// The key's name in a strategy's `[hedge]` table.
    pub fn name(self) -> &'static str {
        match self {
            VixKey::VolScale => "vol_scale",
            VixKey::CallSkew => "call_skew",
            VixKey::VolTermExponent => "vol_term_exponent",
            VixKey::CallSkewScale => "call_skew_scale",
            VixKey::SkewTermExponent => "skew_term_exponent",
            VixKey::VolMinDays => "vol_min_days",
        }
    }

    /// The key's value in `p`.
    pub fn value(self, p: &VixVolParams) -> f64 {
        match self {
            VixKey::VolScale => p.vvix_scale,
            VixKey::CallSkew => p.call_skew,
            VixKey::VolTermExponent => p.term_exponent,
            VixKey::CallSkewScale => p.call_skew_scale,
            VixKey::SkewTermExponent => p.skew_term_exponent,
            VixKey::VolMinDays => p.min_days,
        }
    }

    /// The key named `name`, if a VIX fit moves it.
    pub fn parse(name: &str) -> Option<VixKey> {
        VixKey::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Fit the six keys of [`VixKey`] to `quotes`, starting from `start`; the keys in `held` stay
/// at their values in `start`.
pub fn fit_vix(
    quotes: &[FitQuote],
    inputs: &VixInputs,
    start: VixVolParams,
    held: &[VixKey],
    rate: f64,
) -> VixFit {
    // The saturation scale is fitted as its inverse (0: a straight skew), so the search can
    // start from a straight line. A held key ignores its coordinate: the search sees a flat
    // direction there.
    let free = |k: VixKey| !held.contains(&k);
    let pick = |k: VixKey, x: f64, fixed: f64| if free(k) { x } else { fixed };
    let with = |x: &[f64; 6]| VixVolParams {
        vvix_scale: pick(VixKey::VolScale, x[0], start.vvix_scale),
        call_skew: pick(VixKey::CallSkew, x[1], start.call_skew),
        term_exponent: pick(VixKey::VolTermExponent, x[2], start.term_exponent),
        call_skew_scale: if !free(VixKey::CallSkewScale) {
            start.call_skew_scale
        } else if x[3] > 0.0 {
            1.0 / x[3]
        } else if x[3] == 0.0 {
            f64::INFINITY
        } else {
            -1.0
        },
        skew_term_exponent: pick(VixKey::SkewTermExponent, x[4], start.skew_term_exponent),
        min_days: pick(VixKey::VolMinDays, x[5], start.min_days),
        ..start
    };
    let inv = |c: f64| if c.is_finite() { 1.0 / c } else { 0.0 };
    let (best, evaluations) = nelder_mead(
        &|x: &[f64; 6]| loss(quotes, inputs, with(x), rate),
        [
            start.vvix_scale,
            start.call_skew,
            start.term_exponent,
            inv(start.call_skew_scale),
            start.skew_term_exponent,
            start.min_days,
        ],
        [0.1, 0.2, 0.1, 1.0, 0.2, 10.0],
        5_000,
    );
    VixFit {
        params: with(&best),
        loss_before: loss(quotes, inputs, start, rate),
        loss_after: loss(quotes, inputs, with(&best), rate),
        evaluations,
    }
}

/// `model.toml` for a VIX fit: the `[hedge]` keys, each a TOML float (`7.0`, `inf`: `{:?}`
/// keeps the point a whole number would lose).
pub fn vix_model_toml(fit: &VixFit, source: &str, quotes: usize) -> String {
    let mut text = format!(
        "# Fitted by `ironhedge calibrate` to {source} ({quotes} VIX calls): mean squared weighted error \
         {:.5} at the defaults, {:.5} fitted. Read by strategies with a [hedge].\n[hedge]\n",
        fit.loss_before, fit.loss_after
    );
    for k in VixKey::ALL {
        text.push_str(&format!("{} = {:?}\n", k.name(), k.value(&fit.params)));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vix_fit_recovers_the_scale_and_skew_that_priced_the_calls() {
        let truth = VixVolParams { vvix_scale: 1.3, call_skew: 0.7, ..VixVolParams::default() };
        let date = NaiveDate::from_ymd_opt(2016, 6, 1).unwrap();
        let inputs = VixInputs { vvix: [(date, 85.0)].into_iter().collect() };
        let mut quotes = Vec::new();
        for (days, future) in [(14, 15.3), (49, 17.2), (77, 18.4)] {
            for k in [16.0, 17.0, 18.0, 20.0, 22.5, 25.0, 30.0, 35.0] {
                quotes.push(FitQuote {
                    date,
                    expiry: date + chrono::Days::new(days),
                    right: Right::Call,
                    strike: k,
                    days: days as i64,
                    underlying: future,
                    bid: 0.0,
                    ask: 0.0,
                    chain_delta: None,
                    iv: f64::NAN,
                });
            }
        }
        let prices = vix_model_prices(&quotes, &inputs, truth, 0.01);
        let quotes: Vec<FitQuote> = quotes
            .into_iter()
            .zip(prices)
            .filter(|(q, (p, _, _))| q.strike > q.underlying && *p >= 0.05)
            .map(|(q, (p, _, _))| FitQuote { bid: p - 0.0005, ask: p + 0.0005, ..q })
            .collect();
        assert!(quotes.len() > 15, "{}", quotes.len());
        let f = fit_vix(&quotes, &inputs, VixVolParams::default(), &[], 0.01);
        assert!(f.loss_after < 1e-9, "{} -> {}", f.loss_before, f.loss_after);
        assert!(
            (f.params.vvix_scale - 1.3).abs() < 1e-3 && (f.params.call_skew - 0.7).abs() < 1e-3,
            "{:?}",
            f.params
        );
        let start = VixVolParams { vvix_scale: 1.3, min_days: 9.0, ..VixVolParams::default() };
        let held = [VixKey::VolScale, VixKey::VolMinDays];
        let h = fit_vix(&quotes, &inputs, start, &held, 0.01);
        assert_eq!((h.params.vvix_scale, h.params.min_days), (1.3, 9.0), "held keys moved: {:?}", h.params);
        assert!((h.params.call_skew - 0.7).abs() < 0.02, "{:?}", h.params);
    }

    #[test]
    fn vix_keys_parse_their_hedge_names() {
        for k in VixKey::ALL {
            assert_eq!(VixKey::parse(k.name()), Some(k));
        }
        assert_eq!(VixKey::parse("vol_min_day"), None);
    }
}
