//! Condor legs priced from a chain's quotes (`data.spx_chain`): the expiry and strikes chosen
//! among the contracts listed that day, each leg marked at its quote's mid and filled at the mid
//! less (selling) or plus (buying) what the fill mode gives up; a leg without a usable quote
//! (missing, crossed or zero-bid) is priced by the model at the implied vol of its last usable
//! quote, so its mark never jumps from the market's level to the model's, or at the model's own
//! vol when it was never quoted, and fills at the model mid -/+ `costs.half_spread_usd`.

use super::condor::{Condor, LegMark, Quote, StrikeAdjust, StrikeChooser};
use super::quotes::{root_index, LegQuote, Snapshot};
use crate::config::{CondorSpec, FillMode};
use crate::data::Right;
use crate::pricing::{bsm_greeks, implied_vol_bsm, OptionType, StrikeError, StrikeRule};
use chrono::NaiveDate;

/// The chain root of a condor: SPX monthlies (AM-settled) or SPXW.
pub(super) fn root(am_settled: bool) -> u8 {
    root_index(if am_settled { "SPX" } else { "SPXW" })
}

fn right(kind: OptionType) -> Right {
    match kind {
        OptionType::Call => Right::Call,
        OptionType::Put => Right::Put,
    }
}

/// A condor's four legs priced on one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Priced {
    pub marks: [LegMark; 4],
    /// Which legs were priced from a usable quote.
    pub quoted: [bool; 4],
    /// Per share given up against the mid to trade the four legs (the fill mode on quotes,
    /// `costs.half_spread_usd` on the model); a leg with no quantity (a closed side) trades nothing.
    pub spread_usd: f64,
    /// The same per leg.
    pub leg_spread_usd: [f64; 4],
}

impl Priced {
    /// All four legs on the model (the same bits as a run without a chain).
    pub fn model(marks: [LegMark; 4], half_spread_usd: f64) -> Self {
        let leg_spread_usd = [half_spread_usd; 4];
        Priced {
            marks,
            quoted: [false; 4],
            spread_usd: super::book::model_spread_usd(half_spread_usd),
            leg_spread_usd,
        }
    }

    /// As [`Self::model`] for legs `live` (a closed side's legs trade nothing).
    pub fn model_live(marks: [LegMark; 4], half_spread_usd: f64, live: [bool; 4]) -> Self {
        if live == [true; 4] {
            return Self::model(marks, half_spread_usd);
        }
        let leg_spread_usd = live.map(|l| if l { half_spread_usd } else { 0.0 });
        Priced { marks, quoted: [false; 4], spread_usd: leg_spread_usd.iter().sum(), leg_spread_usd }
    }

    /// The half-spreads of the legs `traded`, per share.
    pub fn spread_of(&self, traded: [bool; 4]) -> f64 {
        (0..4).filter(|&i| traded[i]).map(|i| self.leg_spread_usd[i]).sum()
    }

    pub fn quoted_legs(&self) -> u8 {
        self.quoted.iter().filter(|q| **q).count() as u8
    }
}

/// Price `c`'s legs at `q` from `snap` (when the chain covers the day), updating each quoted leg's
/// last implied vol in `c.quoted_iv`.
pub(super) fn price_legs(
    c: &mut Condor,
    q: &Quote<'_>,
    snap: Option<&Snapshot<'_>>,
    fills: FillMode,
    half_spread_usd: f64,
) -> Priced {
    let t = (c.expiry - q.date).num_days().max(0) as f64 / 365.0;
    let f = q.spot * ((q.rate - q.div) * t).exp();
    let root = root(c.am_settled);
    let (mut quoted, mut paid_quotes, mut model_legs) = ([false; 4], 0.0, 0.0);
    let mut marks = [LegMark::default(); 4];
    let mut leg_spread_usd = [0.0; 4];
    for (i, l) in c.legs.iter().enumerate() {
        let live = l.qty != 0.0;
        let quote =
            snap.and_then(|s| s.quote(root, c.expiry, right(l.kind), l.strike)).filter(LegQuote::usable);
        let carried = c.quoted_iv[i];
        let fallback = if carried.is_finite() { carried } else { q.surface.vol(l.strike, f, t) };
        marks[i] = match quote {
            Some(qt) => {
                let mid = qt.mid();
                let iv = implied_vol_bsm(l.kind, mid, q.spot, l.strike, t, q.rate, q.div).ok();
                if let Some(v) = iv {
                    c.quoted_iv[i] = v;
                }
                let vol = iv.unwrap_or(fallback);
                let g = bsm_greeks(l.kind, q.spot, l.strike, t, q.rate, q.div, vol);
                quoted[i] = true;
                if live {
                    leg_spread_usd[i] = fills.paid(qt.bid, qt.ask);
                    paid_quotes += leg_spread_usd[i];
                }
                LegMark { price: mid, ..LegMark::from_greeks(&g, vol) }
            }
            None => {
                if live {
                    leg_spread_usd[i] = half_spread_usd;
                    model_legs += 1.0;
                }
                LegMark::from_greeks(
                    &bsm_greeks(l.kind, q.spot, l.strike, t, q.rate, q.div, fallback),
                    fallback,
                )
            }
        };
    }
    Priced { marks, quoted, spread_usd: paid_quotes + model_legs * half_spread_usd, leg_spread_usd }
}

/// The expiry a new condor takes on a chain's day: nearest `target` among the root's listed
/// expiries after `date` and no later than `last_day` (ties to the earlier).
pub(super) fn listed_expiry(
    snap: &Snapshot<'_>,
    root: u8,
    date: NaiveDate,
    target: NaiveDate,
    last_day: NaiveDate,
) -> Option<NaiveDate> {
    snap.expiries(root)
        .into_iter()
        .filter(|e| *e > date && *e <= last_day)
        .min_by_key(|e| ((*e - target).num_days().abs(), *e))
}

/// Strikes [long put, short put, short call, long call] among the strikes of `expiry` with usable
/// quotes: a delta rule takes the strike whose delta (the chain's, else the model's at that
/// strike) is nearest the target; other rules take the model's strike; each strike then moves to
/// the nearest listed one (ties to the lower), the wings strictly outside the shorts. `None` when
/// the expiry lists no usable puts or calls, or no condor fits.
pub(super) fn listed_strikes(
    spec: &CondorSpec,
    q: &Quote<'_>,
    snap: &Snapshot<'_>,
    root: u8,
    expiry: NaiveDate,
    adjust: StrikeAdjust,
) -> Option<[f64; 4]> {
    let puts = snap.usable(root, expiry, Right::Put);
    let calls = snap.usable(root, expiry, Right::Call);
    if puts.is_empty() || calls.is_empty() {
        return None;
    }
    let chooser = StrikeChooser::new(q, expiry).ok()?;
    let t = (expiry - q.date).num_days() as f64 / 365.0;
    let f = q.spot * ((q.rate - q.div) * t).exp();
    let abs_delta = |kind: OptionType, k: f64, qt: &LegQuote| {
        if qt.delta.is_finite() {
            qt.delta.abs()
        } else {
            bsm_greeks(kind, q.spot, k, t, q.rate, q.div, q.surface.vol(k, f, t)).delta.abs()
        }
    };
    let pick = |kind: OptionType, rule: StrikeRule| match rule {
        StrikeRule::Delta(d) | StrikeRule::DeltaFormula(d) => {
            let list = if kind == OptionType::Put { &puts } else { &calls };
            let dist = |(k, qt): &(f64, LegQuote)| (abs_delta(kind, *k, qt) - d).abs();
            list.iter()
                .min_by(|a, b| dist(a).total_cmp(&dist(b)))
                .map(|(k, _)| *k)
                .ok_or(StrikeError::BadDelta(d))
        }
        other => chooser.pick(kind, other),
    };
    let s = chooser.strikes(spec, adjust, pick).ok()?;
    let nearest = |list: &[(f64, LegQuote)], k: f64| {
        list.iter().map(|(x, _)| *x).min_by(|a, b| (a - k).abs().total_cmp(&(b - k).abs()))
    };
    let (sp, sc) = (nearest(&puts, s[1])?, nearest(&calls, s[2])?);
    let lp =
        nearest(&puts, s[0]).filter(|k| *k < sp).or_else(|| puts.iter().map(|p| p.0).rfind(|k| *k < sp))?;
    let lc =
        nearest(&calls, s[3]).filter(|k| *k > sc).or_else(|| calls.iter().map(|c| c.0).find(|k| *k > sc))?;
    (sp < sc).then_some([lp, sp, sc, lc])
}

/// How many of a condor's legs were priced from quotes, at entry and at exit (`None`: settled on
/// the index, or still open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LegsQuoted {
    pub entry: u8,
    pub exit: Option<u8>,
}

impl LegsQuoted {
    /// `entry:4/4 exit:3/4`, or `exit:index` for a settlement.
    pub fn label(&self) -> String {
        let exit = self.exit.map_or("index".to_string(), |x| format!("{x}/4"));
        format!("entry:{}/4 exit:{exit}", self.entry)
    }
}

/// Legs priced and legs priced from quotes, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LegCount {
    pub legs_priced: u64,
    pub from_quotes: u64,
}

impl LegCount {
    pub fn add(&mut self, legs: u64, quoted: u64) {
        self.legs_priced += legs;
        self.from_quotes += quoted;
    }

    /// `from_quotes / legs_priced` (`None` when nothing was priced).
    pub fn coverage(&self) -> Option<f64> {
        (self.legs_priced > 0).then(|| self.from_quotes as f64 / self.legs_priced as f64)
    }
}

/// A run's chain coverage: legs priced at entries, at exits before expiry (settlements use the
/// index) and in the daily marks of open positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    pub entries: LegCount,
    pub exits: LegCount,
    pub marks: LegCount,
}

/// [`Condor::quoted_iv`] of a condor none of whose legs has been quoted.
pub(super) const NEVER_QUOTED: [f64; 4] = [f64::NAN; 4];

/// What a run priced from a chain: the fill mode and the coverage of the condor legs and of the
/// hedge's calls (each `None` without its chain).
#[derive(Debug, Clone, PartialEq)]
pub struct ChainRun {
    pub fills: String,
    pub condor: Option<Coverage>,
    pub hedge: Option<Coverage>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::OptionChain;
    use crate::engine::condor::legs;
    use crate::engine::quotes::ChainQuotes;
    use crate::pricing::{bsm_price, SpxSurface, SurfaceParams, VolIndices};
    use crate::time::Timestamp;

    fn d(m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2018, m, dd).unwrap()
    }

    const STRIKES: [f64; 4] = [2600.0, 2625.0, 2750.0, 2775.0];

    /// SPXW quotes of 2018-01-31 on `date` for the condor's four strikes (`skip`: a leg left out).
    fn chain_on(date: NaiveDate, quotes: [(f64, f64); 4], skip: Option<usize>) -> ChainQuotes {
        let mut c = OptionChain::default();
        let at = Timestamp::start_of_day(date).unwrap();
        let mut rows: Vec<(Right, f64, (f64, f64))> = (0..4)
            .filter(|i| Some(*i) != skip)
            .map(|i| (if i < 2 { Right::Put } else { Right::Call }, STRIKES[i], quotes[i]))
            .collect();
        rows.sort_by(|a, b| (a.0, a.1).partial_cmp(&(b.0, b.1)).unwrap());
        for (right, strike, (bid, ask)) in rows {
            c.date.push(date);
            c.known_at.push(at);
            c.root.push(root(false));
            c.expiry.push(d(1, 31));
            c.right.push(right);
            c.strike.push(strike);
            c.bid.push(bid);
            c.ask.push(ask);
            for v in [&mut c.underlying, &mut c.iv, &mut c.delta, &mut c.volume, &mut c.open_interest] {
                v.push(f64::NAN);
            }
        }
        ChainQuotes::new(c, &["SPXW"], std::path::Path::new("test")).unwrap()
    }

    fn condor() -> Condor {
        Condor {
            id: 0,
            legs: legs(STRIKES),
            expiry: d(1, 31),
            am_settled: false,
            contracts: 1,
            entry_date: d(1, 2),
            credit: 0.0,
            marks: Default::default(),
            spot_mark: 2700.0,
            date_mark: d(1, 2),
            quoted_iv: NEVER_QUOTED,
            entry_quoted: 0,
            entry_reason: "schedule",
            entry_legs: 4,
            adjustments: 0,
        }
    }

    #[test]
    fn quoted_legs_mark_at_mid_fill_by_the_mode_and_carry_their_vol() {
        let surface = SpxSurface::new(
            VolIndices { vix9d: None, vix: 10.0, vix3m: None, vix6m: None },
            SurfaceParams::default(),
        )
        .unwrap();
        let q = Quote { date: d(1, 2), spot: 2700.0, rate: 0.02, div: 0.015, surface: &surface };
        let quotes = [(3.1, 3.3), (4.4, 4.6), (3.0, 3.4), (1.1, 1.2)];
        let chain = chain_on(d(1, 2), quotes, None);
        let snap = chain.at(d(1, 2), Timestamp::MAX).unwrap();
        let mut c = condor();
        let p = price_legs(&mut c, &q, Some(&snap), FillMode::Natural, 0.05);
        assert_eq!(p.quoted, [true; 4]);
        for (i, (bid, ask)) in quotes.iter().enumerate() {
            assert!((p.marks[i].price - 0.5 * (bid + ask)).abs() < 1e-12);
            // The mark's vol reprices its mid (Greeks at the quote's implied vol).
            let t = 29.0 / 365.0;
            let back = bsm_price(c.legs[i].kind, 2700.0, STRIKES[i], t, 0.02, 0.015, p.marks[i].vol);
            assert!((back - p.marks[i].price).abs() < 1e-9, "leg {i}: {back}");
            assert_eq!(c.quoted_iv[i], p.marks[i].vol);
        }
        // Natural: sell the shorts at the bid, buy the wings at the ask.
        let credit = super::super::book::entry_credit(Condor::value(&p.marks, &c.legs), p.spread_usd);
        assert!((credit - (4.4 + 3.0 - 3.3 - 1.2)).abs() < 1e-12, "{credit}");
        let mid = price_legs(&mut c, &q, Some(&snap), FillMode::Mid, 0.05);
        assert_eq!(mid.spread_usd, 0.0);
        let quarter = price_legs(&mut c, &q, Some(&snap), FillMode::SpreadFraction(0.25), 0.05);
        assert!((quarter.spread_usd - 0.25 * (0.2 + 0.2 + 0.4 + 0.1)).abs() < 1e-12);

        // The next day the short call has no quote: it is marked by the model at its last
        // quoted vol (not the surface's), and fills at the model mid + costs.half_spread_usd.
        let q2 = Quote { date: d(1, 3), ..q };
        let chain2 = chain_on(d(1, 3), quotes, Some(2));
        let snap2 = chain2.at(d(1, 3), Timestamp::MAX).unwrap();
        let carried = c.quoted_iv[2];
        let p2 = price_legs(&mut c, &q2, Some(&snap2), FillMode::Natural, 0.05);
        assert_eq!(p2.quoted, [true, true, false, true]);
        assert_eq!(p2.marks[2].vol, carried);
        assert!(carried != surface.vol(2750.0, 2700.0, 28.0 / 365.0));
        let expected = 0.5 * (0.2 + 0.2 + 0.1) + 0.05;
        assert!((p2.spread_usd - expected).abs() < 1e-12, "{}", p2.spread_usd);
        // The same spot one day on: the model's mark is the last quote's vol one day older, a
        // day's theta (not a jump to the model's level) from the last mid.
        let aged = bsm_price(OptionType::Call, 2700.0, 2750.0, 28.0 / 365.0, 0.02, 0.015, carried);
        assert!((p2.marks[2].price - aged).abs() < 1e-12);
        assert!((p2.marks[2].price - 3.2).abs() < 0.2, "{}", p2.marks[2].price);

        // A leg never quoted takes the surface's vol; a day the chain does not cover is all model.
        let mut fresh = condor();
        let p3 = price_legs(&mut fresh, &q2, None, FillMode::Natural, 0.05);
        assert_eq!(p3.quoted, [false; 4]);
        assert_eq!(p3.marks, fresh.mark(&q2));
        assert_eq!(p3.spread_usd, 4.0 * 0.05);
    }

    #[test]
    fn zero_bid_and_crossed_quotes_are_not_used() {
        let ok = LegQuote { bid: 1.0, ask: 1.2, delta: f64::NAN };
        assert!(ok.usable());
        assert!(!LegQuote { bid: 0.0, ..ok }.usable());
        assert!(!LegQuote { ask: 0.9, ..ok }.usable());
        assert!(!LegQuote { bid: f64::NAN, ..ok }.usable());
        assert!(!LegQuote { ask: f64::NAN, ..ok }.usable());
        assert_eq!(LegsQuoted { entry: 4, exit: None }.label(), "entry:4/4 exit:index");
        assert_eq!(LegsQuoted { entry: 3, exit: Some(4) }.label(), "entry:3/4 exit:4/4");
    }
}
