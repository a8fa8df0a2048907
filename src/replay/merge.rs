//! [`Replay`]: a k-way merge over sorted [`Source`]s. Each step compares the current head of every
//! source (k is the number of data streams, typically under a dozen, so a linear scan over k cached
//! keys beats a heap) and emits the smallest by `(timestamp, class, stream)`.

use super::event::{Event, EventClass, Payload};
use crate::data::{
    BarSeries, FundingRates, LiquidationBuckets, LiquidationEvents, RateSeries, VxContracts, VxTermStructure,
};
use crate::time::Timestamp;
use chrono::NaiveDate;
use std::sync::Arc;

/// One input stream, shared read-only (a sweep replays the same data many times).
#[derive(Debug, Clone)]
pub enum Source {
    Bars(Arc<BarSeries>),
    Liquidations(Arc<LiquidationEvents>),
    Buckets(Arc<LiquidationBuckets>),
    Funding(Arc<FundingRates>),
    VxTerm(Arc<VxTermStructure>),
    VxContracts(Arc<VxContracts>),
    Rates(Arc<RateSeries>),
    /// Scheduled instants of a class (e.g. decision times at each session close).
    Schedule(Arc<Vec<Timestamp>>, EventClass),
}

/// Why a replay cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("stream {stream}: row {row} at {found} comes before the previous row at {previous}")]
    Unsorted { stream: usize, row: usize, previous: Timestamp, found: Timestamp },
    #[error("too many streams: {0} (at most 65,535)")]
    TooManyStreams(usize),
}

fn days_since_epoch(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid");
    (d - epoch).num_days() as i32
}

impl Source {
    /// Number of events.
    pub fn len(&self) -> usize {
        match self {
            Source::Bars(s) => s.known_at.len(),
            Source::Liquidations(s) => s.ts.len(),
            Source::Buckets(s) => s.known_at.len(),
            Source::Funding(s) => s.ts.len(),
            Source::VxTerm(s) => s.known_at.len(),
            Source::VxContracts(s) => s.known_at.len(),
            Source::Rates(s) => s.known_at.len(),
            Source::Schedule(t, _) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// When event `i` becomes known.
    #[inline]
    pub fn ts(&self, i: usize) -> Timestamp {
        match self {
            Source::Bars(s) => s.known_at[i],
            Source::Liquidations(s) => s.ts[i],
            Source::Buckets(s) => s.known_at[i],
            Source::Funding(s) => s.ts[i],
            Source::VxTerm(s) => s.known_at[i],
            Source::VxContracts(s) => s.known_at[i],
            Source::Rates(s) => s.known_at[i],
            Source::Schedule(t, _) => t[i],
        }
    }

    fn class(&self) -> EventClass {
        match self {
            Source::Schedule(_, c) => *c,
            _ => EventClass::MarketData,
        }
    }

    #[inline]
    fn payload(&self, i: usize) -> Payload {
        match self {
            Source::Bars(s) => {
                Payload::Bar { open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i] }
            }
            Source::Liquidations(s) => Payload::Liquidation {
                exchange: s.exchange[i],
                symbol: s.symbol[i],
                side: s.side[i],
                price: s.price[i],
                quantity: s.quantity[i],
                notional_usd: s.notional_usd[i],
            },
            Source::Buckets(s) => Payload::LiquidationBucket {
                long_liq_usd: s.long_liq_usd[i],
                short_liq_usd: s.short_liq_usd[i],
                bucket_s: s.bucket_s,
            },
            Source::Funding(s) => Payload::Funding { symbol: s.symbol[i], rate: s.rate[i] },
            Source::VxTerm(_) => Payload::VxCurve { row: i as u32 },
            Source::VxContracts(s) => {
                Payload::VxSettle { expiry_days: days_since_epoch(s.expiry[i]), settle: s.settle[i] }
            }
            Source::Rates(s) => Payload::Rate { rate: s.rate[i] },
            Source::Schedule(..) => Payload::Tick,
        }
    }
}

/// The merged stream; an [`Iterator`] of [`Event`]s in key order.
#[derive(Debug, Clone)]
pub struct Replay {
    sources: Vec<Source>,
    cursor: Vec<usize>,
    /// Cached head key per source: (ts, class); `None` when exhausted.
    heads: Vec<Option<(Timestamp, EventClass)>>,
}

impl Replay {
    /// Merge `sources`; each must be ascending in time (checked: O(total rows)).
    pub fn new(sources: Vec<Source>) -> Result<Replay, ReplayError> {
        if sources.len() > u16::MAX as usize {
            return Err(ReplayError::TooManyStreams(sources.len()));
        }
        for (k, s) in sources.iter().enumerate() {
            for i in 1..s.len() {
                let (p, c) = (s.ts(i - 1), s.ts(i));
                if c < p {
                    return Err(ReplayError::Unsorted { stream: k, row: i, previous: p, found: c });
                }
            }
        }
        let heads = sources.iter().map(|s| (!s.is_empty()).then(|| (s.ts(0), s.class()))).collect();
        let cursor = vec![0; sources.len()];
        Ok(Replay { sources, cursor, heads })
    }

    /// Total events still to come.
    pub fn remaining(&self) -> usize {
        self.sources.iter().zip(&self.cursor).map(|(s, c)| s.len() - c).sum()
    }
}

impl Iterator for Replay {
    type Item = Event;

    #[inline]
    fn next(&mut self) -> Option<Event> {
        let mut best: Option<(usize, (Timestamp, EventClass))> = None;
        for (k, h) in self.heads.iter().enumerate() {
            if let Some(key) = h {
                // Strict `<`: on equal (ts, class) the lower stream index wins.
                if best.is_none_or(|(_, b)| *key < b) {
                    best = Some((k, *key));
                }
            }
        }
        let (k, (ts, class)) = best?;
        let i = self.cursor[k];
        let src = &self.sources[k];
        let event = Event { ts, class, stream: k as u16, seq: i as u32, payload: src.payload(i) };
        self.cursor[k] = i + 1;
        self.heads[k] = (i + 1 < src.len()).then(|| (src.ts(i + 1), class));
        Some(event)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.remaining();
        (n, Some(n))
    }
}
