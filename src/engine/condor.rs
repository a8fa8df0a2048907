//! An open iron condor: four legs, its expiry and size, valued and risk-measured on a day's
//! market; and the choice of strikes and expiry when one is opened.

use crate::config::{CondorSpec, Expiries, WingSpec};
use crate::pricing::{
    bsm_greeks, intrinsic, select_strike, OptionType, SpxSurface, StrikeError, StrikeGrid, StrikeRule,
};
use crate::time::{spx_monthly_expiry, Calendar};
use chrono::{Datelike, Days, NaiveDate};

/// Contract multiplier of SPX options.
pub const MULTIPLIER: f64 = 100.0;

/// One leg: `qty` is +1 (long) or -1 (short) per condor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leg {
    pub kind: OptionType,
    pub strike: f64,
    pub qty: f64,
}

/// The day's pricing inputs.
#[derive(Debug, Clone, Copy)]
pub struct Quote<'a> {
    pub date: NaiveDate,
    pub spot: f64,
    pub rate: f64,
    pub div: f64,
    pub surface: &'a SpxSurface,
}

/// Per-leg model state at a close, for the next day's attribution.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LegMark {
    pub price: f64,
    pub vol: f64,
    pub delta: f64,
    pub gamma: f64,
    pub vega: f64,
    pub theta: f64,
    pub vanna: f64,
    pub volga: f64,
}

/// An open condor.
#[derive(Debug, Clone, PartialEq)]
pub struct Condor {
    pub id: u32,
    /// [long put, short put, short call, long call].
    pub legs: [Leg; 4],
    pub expiry: NaiveDate,
    /// Settles on the expiry day's open (monthly, AM) instead of its close (SPXW, PM).
    pub am_settled: bool,
    pub contracts: u32,
    pub entry_date: NaiveDate,
    /// Premium received per share (model mid minus the half-spreads).
    pub credit: f64,
    /// The previous close's marks (for attribution).
    pub marks: [LegMark; 4],
    pub spot_mark: f64,
    pub date_mark: NaiveDate,
    /// Each leg's implied vol at its last usable chain quote (NaN: never quoted).
    pub quoted_iv: [f64; 4],
    /// Legs priced from quotes at entry (0 without a chain).
    pub entry_quoted: u8,
    /// Why it was opened: `schedule`, or the `adjust:<action>` it came from.
    pub entry_reason: &'static str,
    /// Legs traded when it was opened: 4, fewer when an adjustment carried legs over.
    pub entry_legs: u8,
    /// Adjustments taken by it and by the positions it was rolled from.
    pub adjustments: u32,
}

impl LegMark {
    /// The mark of an option priced at `vol` with Greeks `g`.
    pub fn from_greeks(g: &crate::pricing::Greeks, vol: f64) -> Self {
        LegMark {
            price: g.price,
            vol,
            delta: g.delta,
            gamma: g.gamma,
            vega: g.vega,
            theta: g.theta,
            vanna: g.vanna,
            volga: g.volga,
        }
    }
}

impl Condor {
    /// Model marks of every leg at `q` (each strike on its own smile vol).
    pub fn mark(&self, q: &Quote<'_>) -> [LegMark; 4] {
        let t = (self.expiry - q.date).num_days().max(0) as f64 / 365.0;
        let f = q.spot * ((q.rate - q.div) * t).exp();
        self.legs.map(|l| {
            let vol = q.surface.vol(l.strike, f, t);
            let g = bsm_greeks(l.kind, q.spot, l.strike, t, q.rate, q.div, vol);
            LegMark::from_greeks(&g, vol)
        })
    }

    /// Model value per share of what we are short (the cost to buy the condor back at mid).
    pub fn value(marks: &[LegMark; 4], legs: &[Leg; 4]) -> f64 {
        super::book::condor_value(marks.map(|m| m.price), legs.map(|l| l.qty))
    }

    /// Settlement value per share (cost to the short condor) at settlement print `s`.
    pub fn settle_value(&self, s: f64) -> f64 {
        settle_value(&self.legs, s)
    }

    /// Widest spread in points (the defined risk per share before the credit), of the sides it
    /// still holds.
    pub fn width(&self) -> f64 {
        let s = self.legs.map(|l| l.strike);
        match self.live() {
            [true, true, true, true] => super::book::width_pts(s),
            [_, true, ..] => s[1] - s[0],
            [.., true, _] => s[3] - s[2],
            _ => 0.0,
        }
    }

    /// Which legs it holds (a closed side's legs have no quantity).
    pub fn live(&self) -> [bool; 4] {
        self.legs.map(|l| l.qty != 0.0)
    }

    /// The strikes of the legs it holds (NaN for a closed side's), as `trades.csv` shows them.
    pub fn held_strikes(&self) -> [f64; 4] {
        self.legs.map(|l| if l.qty != 0.0 { l.strike } else { f64::NAN })
    }
}

/// Settlement value per share of a short condor on these legs at settlement print `s`.
pub fn settle_value(legs: &[Leg; 4], s: f64) -> f64 {
    -legs.iter().map(|l| l.qty * intrinsic(l.kind, s, l.strike)).sum::<f64>()
}

/// The expiry a new condor targets: the trading day (SPXW) or monthly expiry nearest
/// `date + dte` (ties to the earlier), strictly after `date`.
pub fn choose_expiry(cal: &Calendar, date: NaiveDate, dte: u32, expiries: Expiries) -> Option<NaiveDate> {
    let target = date.checked_add_days(Days::new(dte as u64))?;
    let candidates: Vec<NaiveDate> = match expiries {
        Expiries::Spxw => vec![cal.on_or_before(target), cal.next_trading_day(target - Days::new(1))],
        Expiries::Monthly => {
            let (y, m) = (target.year(), target.month());
            let prev = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
            let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            [prev, (y, m), next].iter().filter_map(|&(y, m)| spx_monthly_expiry(cal, y, m)).collect()
        }
    };
    candidates.into_iter().filter(|e| *e > date).min_by_key(|e| ((*e - target).num_days().abs(), *e))
}

/// Rule adjustments to a new condor's strikes (index points, rounded to the grid).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StrikeAdjust {
    /// Short strikes this much further from spot (the wings keep their distance to them).
    pub short_out_pts: f64,
    /// Long wings this much further out.
    pub wing_extra_pts: f64,
}

/// Strikes [long put, short put, short call, long call] for a new condor.
pub fn choose_strikes(
    spec: &CondorSpec,
    q: &Quote<'_>,
    expiry: NaiveDate,
    adjust: StrikeAdjust,
) -> Result<[f64; 4], StrikeError> {
    let chooser = StrikeChooser::new(q, expiry)?;
    chooser.strikes(spec, adjust, |kind, rule| chooser.pick(kind, rule))
}

/// What strike rules need to know about one session and one expiry.
pub struct StrikeChooser<'a> {
    grid: StrikeGrid,
    q: &'a Quote<'a>,
    t: f64,
    forward: f64,
    atm_srt: f64,
}

/// What a [`StrikeChooser`] works out from its quote and expiry, the same for every rule: the
/// time to expiry (years), the forward and the ATM vol term `sigma sqrt t`.
#[derive(Debug, Clone, Copy)]
pub struct ChooserTerms {
    t: f64,
    forward: f64,
    atm_srt: f64,
}

impl ChooserTerms {
    pub fn new(q: &Quote<'_>, expiry: NaiveDate) -> Self {
        let t = (expiry - q.date).num_days() as f64 / 365.0;
        ChooserTerms {
            t,
            forward: q.spot * ((q.rate - q.div) * t).exp(),
            atm_srt: q.surface.atm_vol(t) * t.sqrt(),
        }
    }
}

impl<'a> StrikeChooser<'a> {
    pub fn new(q: &'a Quote<'a>, expiry: NaiveDate) -> Result<Self, StrikeError> {
        Self::with_terms(q, ChooserTerms::new(q, expiry))
    }

    /// The chooser on `q` whose [`ChooserTerms`] (for its expiry) are `terms`.
    pub fn with_terms(q: &'a Quote<'a>, terms: ChooserTerms) -> Result<Self, StrikeError> {
        let ChooserTerms { t, forward, atm_srt } = terms;
        Ok(StrikeChooser { grid: StrikeGrid::new(5.0)?, q, t, forward, atm_srt })
    }

    /// The strike one rule picks (before rounding adjustments).
    pub fn pick(&self, kind: OptionType, rule: StrikeRule) -> Result<f64, StrikeError> {
        let (q, t, f) = (self.q, self.t, self.forward);
        let delta_at = |k: f64| bsm_greeks(kind, q.spot, k, t, q.rate, q.div, q.surface.vol(k, f, t)).delta;
        select_strike(&self.grid, kind, rule, q.spot, f, self.atm_srt, q.div * t, delta_at)
    }

    /// The condor's strikes from the picks of its rules (`pick`: [`Self::pick`] or a memo of it).
    pub fn strikes(
        &self,
        spec: &CondorSpec,
        adjust: StrikeAdjust,
        mut pick: impl FnMut(OptionType, StrikeRule) -> Result<f64, StrikeError>,
    ) -> Result<[f64; 4], StrikeError> {
        let grid = &self.grid;
        let (out, extra) = (adjust.short_out_pts, adjust.wing_extra_pts);
        let sp0 = pick(OptionType::Put, spec.short_put)?;
        let sc0 = pick(OptionType::Call, spec.short_call)?;
        let sp = grid.round(sp0 - out, OptionType::Put)?;
        let sc = grid.round(sc0 + out, OptionType::Call)?;
        let (lp, lc) = match spec.wing {
            WingSpec::Width(w) => {
                (grid.round(sp - w - extra, OptionType::Put)?, grid.round(sc + w + extra, OptionType::Call)?)
            }
            WingSpec::Delta(d) => {
                let (lp, lc) = (
                    pick(OptionType::Put, StrikeRule::Delta(d))?,
                    pick(OptionType::Call, StrikeRule::Delta(d))?,
                );
                (
                    grid.round(lp - out - extra, OptionType::Put)?,
                    grid.round(lc + out + extra, OptionType::Call)?,
                )
            }
        };
        // A wing must be strictly outside its short strike.
        Ok([lp.min(sp - 5.0), sp, sc, lc.max(sc + 5.0)])
    }
}

/// The legs of a condor on these strikes.
pub fn legs(strikes: [f64; 4]) -> [Leg; 4] {
    [
        Leg { kind: OptionType::Put, strike: strikes[0], qty: 1.0 },
        Leg { kind: OptionType::Put, strike: strikes[1], qty: -1.0 },
        Leg { kind: OptionType::Call, strike: strikes[2], qty: -1.0 },
        Leg { kind: OptionType::Call, strike: strikes[3], qty: 1.0 },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn expiry_choice() {
        let cal = Calendar::nyse();
        // 2018-01-08 + 45 = 2018-02-22 (Thu), a trading day.
        assert_eq!(choose_expiry(&cal, d(2018, 1, 8), 45, Expiries::Spxw), Some(d(2018, 2, 22)));
        // + 40 = 2018-02-17 (Sat): Fri 16th and Tue 20th (19th Presidents Day) -> nearer is Friday.
        assert_eq!(choose_expiry(&cal, d(2018, 1, 8), 40, Expiries::Spxw), Some(d(2018, 2, 16)));
        // Monthly nearest 2018-02-22: Feb 16 (6 days) vs Mar 16 (22 days).
        assert_eq!(choose_expiry(&cal, d(2018, 1, 8), 45, Expiries::Monthly), Some(d(2018, 2, 16)));
    }

    #[test]
    fn condor_values_at_settlement() {
        let c = Condor {
            id: 0,
            legs: legs([2500.0, 2550.0, 2800.0, 2850.0]),
            expiry: d(2018, 2, 16),
            am_settled: false,
            contracts: 1,
            entry_date: d(2018, 1, 8),
            credit: 2.0,
            marks: Default::default(),
            spot_mark: 0.0,
            date_mark: d(2018, 1, 8),
            quoted_iv: [f64::NAN; 4],
            entry_quoted: 0,
            entry_reason: "schedule",
            entry_legs: 4,
            adjustments: 0,
        };
        assert_eq!(c.settle_value(2700.0), 0.0);
        assert_eq!(c.settle_value(2530.0), 20.0);
        assert_eq!(c.settle_value(2400.0), 50.0);
        assert_eq!(c.settle_value(2860.0), 50.0);
        assert_eq!(c.width(), 50.0);
    }
}
