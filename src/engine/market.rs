//! [`Market`]: a strategy's data loaded once, shared read-only by every run of a sweep, and turned
//! into replay sources. The SPX calendar decides trading days: the strategy decides at each SPX
//! session close inside the run window; the VIX family and rates are whatever was last known then.

use super::quotes::ChainQuotes;
use crate::config::{RateSpec, Strategy};
use crate::data::{
    load_bars, load_bars_pair, load_calendar, load_chain, load_funding, load_liquidation_stream, load_rates,
    load_vx_term, BarOptions, BarSeries, DataError, FundingRates, LiquidationStream, MacroEvent, RateSeries,
    Session, VxTermStructure,
};
use crate::pricing::SessionPrints;
use crate::replay::{EventClass, Source};
use crate::time::Timestamp;
use chrono::NaiveDate;
use std::sync::Arc;

/// Indices of the sources in [`Market::sources`] (the replay's stream numbers).
pub mod stream {
    pub const SPX: u16 = 0;
    pub const VIX: u16 = 1;
    pub const VIX9D: u16 = 2;
    pub const VIX3M: u16 = 3;
    pub const VIX6M: u16 = 4;
    pub const RATES: u16 = 5;
    pub const LIQUIDATIONS: u16 = 6;
    pub const VVIX: u16 = 7;
    pub const FUNDING: u16 = 8;
    pub const DECISION: u16 = 9;
}

/// Loaded market data.
#[derive(Debug, Clone)]
pub struct Market {
    pub spx: Arc<BarSeries>,
    pub vix: Arc<BarSeries>,
    pub vix9d: Option<Arc<BarSeries>>,
    pub vix3m: Option<Arc<BarSeries>>,
    pub vix6m: Option<Arc<BarSeries>>,
    /// VVIX (vol-of-vol of the VIX hedge); its `close` (or `vvix`) column.
    pub vvix: Option<Arc<BarSeries>>,
    pub vx_term: Option<Arc<VxTermStructure>>,
    pub rates: Option<Arc<RateSeries>>,
    /// Liquidation events or buckets for the cascade signals.
    pub liquidations: Option<Source>,
    /// Funding rates for the funding signals.
    pub funding: Option<Arc<FundingRates>>,
    /// The macro calendar's events that count (`signals.calendar`, `signals.calendar_events`).
    pub calendar: Option<Arc<Vec<MacroEvent>>>,
    /// SPX/SPXW quotes pricing the condor legs (`data.spx_chain`).
    pub spx_chain: Option<Arc<ChainQuotes>>,
    /// VIX quotes pricing the hedge's calls (`data.vix_chain`).
    pub vix_chain: Option<Arc<ChainQuotes>>,
    /// The Cboe SKEW index (`data.skew`).
    pub skew: Option<Arc<BarSeries>>,
    /// `[data.series]` files by name.
    pub series: Vec<(String, Arc<BarSeries>)>,
    /// Work the runs on this market share (cascade tapes, series rows).
    pub shared: super::shared::Shared,
}

/// Load the chain at `path` (if any), keeping the quotes of `roots`.
fn chain(path: &Option<std::path::PathBuf>, roots: &[&str]) -> Result<Option<Arc<ChainQuotes>>, DataError> {
    let Some(p) = path else { return Ok(None) };
    Ok(Some(Arc::new(ChainQuotes::new(load_chain(p)?, roots, p)?)))
}

fn bars(p: &std::path::Path) -> Result<Arc<BarSeries>, DataError> {
    load_bars(p, &BarOptions::default()).map(Arc::new)
}

/// The prints of the daily bar dated `date` in `bars`, for settlement (its open only when the
/// series has opens).
pub fn session_prints(bars: &BarSeries, date: NaiveDate) -> Option<SessionPrints> {
    let i = bars.index_of(date)?;
    Some(SessionPrints { open: (!bars.close_only).then(|| bars.open[i]), close: bars.close[i] })
}

impl Market {
    /// The VX term-structure row of `date`, when the strategy loads one and it has that date.
    pub fn vx_row_on(&self, date: NaiveDate) -> Option<&[Option<f64>]> {
        self.vx_term.as_deref().and_then(|t| t.row_on(date))
    }

    /// Load every file the strategy names.
    pub fn load(s: &Strategy) -> Result<Market, DataError> {
        let opt = |p: &Option<std::path::PathBuf>| p.as_deref().map(bars).transpose();
        let rates = match &s.rate {
            RateSpec::Constant(_) => None,
            RateSpec::File { path, column, unit, .. } => {
                Some(Arc::new(load_rates(path, column.as_deref(), *unit)?))
            }
        };
        let vix_opts = BarOptions { value_column: s.data.vix_column.clone(), ..BarOptions::default() };
        let (spx, vix) = if s.data.vix == s.data.spx {
            // One file with both (a `vix_column` beside the SPX bars): read and parsed once.
            let (spx, vix) = load_bars_pair(&s.data.spx, &BarOptions::default(), &vix_opts)?;
            (Arc::new(spx), Arc::new(vix))
        } else {
            (bars(&s.data.spx)?, Arc::new(load_bars(&s.data.vix, &vix_opts)?))
        };
        Ok(Market {
            spx,
            vix,
            vix9d: opt(&s.data.vix9d)?,
            vix3m: opt(&s.data.vix3m)?,
            vix6m: opt(&s.data.vix6m)?,
            vvix: opt(&s.data.vvix)?,
            vx_term: s.data.vx_term.as_deref().map(load_vx_term).transpose()?.map(Arc::new),
            rates,
            liquidations: match s.signals.liquidations.as_deref().map(load_liquidation_stream).transpose()? {
                None => None,
                Some(LiquidationStream::Events(e)) => Some(Source::Liquidations(Arc::new(e))),
                Some(LiquidationStream::Buckets(b)) => Some(Source::Buckets(Arc::new(b))),
            },
            spx_chain: chain(&s.data.spx_chain, &["SPX", "SPXW"])?,
            vix_chain: chain(&s.data.vix_chain, &["VIX"])?,
            skew: opt(&s.data.skew)?,
            series: s
                .data
                .series
                .iter()
                .map(|n| {
                    let session = if n.utc_day_end { Session::UtcDayEnd } else { Session::NyseClose };
                    let b = load_bars(&n.path, &BarOptions { session, ..BarOptions::default() })?;
                    Ok((n.name.clone(), Arc::new(b)))
                })
                .collect::<Result<_, DataError>>()?,
            shared: Default::default(),
            funding: s.signals.funding.as_deref().map(load_funding).transpose()?.map(Arc::new),
            calendar: match &s.signals.calendar {
                None => None,
                Some(p) => {
                    let wanted: Vec<String> =
                        s.signals.calendar_events.iter().map(|e| e.to_ascii_lowercase()).collect();
                    let keep = |e: &MacroEvent| {
                        wanted.is_empty() || wanted.iter().any(|w| e.name.to_ascii_lowercase().contains(w))
                    };
                    Some(Arc::new(load_calendar(p)?.into_iter().filter(keep).collect()))
                }
            },
        })
    }

    /// The run's decision instants: SPX closes of dates in `[from, to]` (either open).
    pub fn decision_times(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Vec<Timestamp> {
        (0..self.spx.len())
            .filter(|&i| {
                from.is_none_or(|f| self.spx.date(i) >= f) && to.is_none_or(|t| self.spx.date(i) <= t)
            })
            .map(|i| self.spx.known_at[i])
            .collect()
    }

    /// Replay sources in [`stream`] order (absent optional series are empty schedules).
    pub fn sources(&self, decisions: Vec<Timestamp>) -> Vec<Source> {
        let empty = || Source::Schedule(Arc::new(Vec::new()), EventClass::MarketData);
        let opt = |b: &Option<Arc<BarSeries>>| b.clone().map_or_else(empty, Source::Bars);
        vec![
            Source::Bars(self.spx.clone()),
            Source::Bars(self.vix.clone()),
            opt(&self.vix9d),
            opt(&self.vix3m),
            opt(&self.vix6m),
            self.rates.clone().map_or_else(empty, Source::Rates),
            self.liquidations.clone().unwrap_or_else(empty),
            opt(&self.vvix),
            self.funding.clone().map_or_else(empty, Source::Funding),
            Source::Schedule(Arc::new(decisions), EventClass::Decision),
        ]
    }
}
