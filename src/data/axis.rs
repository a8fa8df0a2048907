//! [`TimeAxis`]: the time column of a file, validated (parseable, one granularity, ascending, no
//! duplicates unless allowed) and turned into the UTC instant at which each row became known.
//!
//! Known-at rules (SPEC section 2, "Time"):
//! - a calendar date `D` is known at the end of its session: the NYSE close of `D` (16:00 New York,
//!   13:00 on early closes) for US index data, or midnight UTC after `D` for 24/7 crypto data;
//! - an intraday period (bar, liquidation bucket) stamped with its start is known at its end, start
//!   plus the period length (declared, or else the most common step between rows);
//! - an individual event (a liquidation, a funding settlement) is known at its own timestamp.

use super::findings::{Findings, Severity};
use super::parse::{time_column, TimeValue};
use super::schema::TIME;
use super::table::Table;
use super::DataError;
use crate::time::{nyse_close_utc, utc_day_end, Calendar, Timestamp};
use std::collections::HashMap;

/// How a calendar date becomes an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Session {
    /// US index data: the NYSE close of that date (DST-correct, early closes at 13:00).
    NyseClose,
    /// 24/7 data: the end of the UTC day.
    UtcDayEnd,
}

/// Whether a row describes a period (known at its end) or an instant (known at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    PeriodStart,
    Instant,
}

/// How a stream's time column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AxisSpec {
    pub session: Session,
    pub stamp: Stamp,
    /// Equal consecutive times are fine (individual events, several symbols or contracts).
    pub allow_equal: bool,
    /// A declared period length in seconds for intraday periodic data.
    pub period_s: Option<i64>,
}

impl AxisSpec {
    /// Daily or periodic US index data, one row per time.
    pub fn periods(session: Session, period_s: Option<i64>) -> Self {
        AxisSpec { session, stamp: Stamp::PeriodStart, allow_equal: false, period_s }
    }

    /// Individual events known at their own timestamp; ties allowed.
    pub fn events() -> Self {
        AxisSpec { session: Session::UtcDayEnd, stamp: Stamp::Instant, allow_equal: true, period_s: None }
    }
}

/// A validated time column.
#[derive(Debug, Clone, Default)]
pub struct TimeAxis {
    /// The (normalised) name of the time column.
    pub column: String,
    /// True when the column holds calendar dates.
    pub daily: bool,
    /// The value as written (a date as midnight UTC), `None` where unparseable.
    pub start: Vec<Option<Timestamp>>,
    /// When the row became known, `None` where unparseable.
    pub known: Vec<Option<Timestamp>>,
    /// The period length in seconds for intraday periodic data (declared or inferred).
    pub period_s: Option<i64>,
}

/// Most common positive difference between consecutive values, `None` with fewer than two.
pub fn modal_step(values: &[Timestamp]) -> Option<i64> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for w in values.windows(2) {
        let d = w[1].nanos() - w[0].nanos();
        if d > 0 {
            *counts.entry(d).or_default() += 1;
        }
    }
    // Ties broken by the smaller step so the result never depends on hash order.
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(d, _)| d / 1_000_000_000)
}

impl TimeAxis {
    /// Find the time column of `t` (canonical name or alias), parse and validate it.
    pub fn build(t: &Table, spec: AxisSpec, out: &mut Findings) -> Result<TimeAxis, DataError> {
        let col = t.find(TIME).ok_or_else(|| t.missing(TIME))?.to_string();
        let col = col.as_str();
        let AxisSpec { session, stamp, allow_equal, period_s } = spec;
        let values = time_column(t, col, out)?;
        let daily = matches!(values.iter().flatten().next(), Some(TimeValue::Date(_)));
        let calendar = Calendar::nyse();
        let mut axis = TimeAxis { column: col.to_string(), daily, ..Default::default() };
        let mut prev: Option<(usize, Timestamp)> = None;
        for (row, v) in values.iter().enumerate() {
            let start = match v {
                None => None,
                Some(TimeValue::Date(d)) if daily => Timestamp::start_of_day(*d).ok(),
                Some(TimeValue::Instant(ts)) if !daily => Some(*ts),
                Some(other) => {
                    let found = match other {
                        TimeValue::Date(d) => format!("a date {d}"),
                        TimeValue::Instant(ts) => format!("a timestamp {ts}"),
                    };
                    let want =
                        if daily { "a date like the rows above" } else { "a timestamp like the rows above" };
                    out.at(Severity::Error, "mixed dates and timestamps", t.location(row), col, want, found);
                    None
                }
            };
            if let (Some(s), Some((prow, p))) = (start, prev) {
                if s < p || (s == p && !allow_equal) {
                    let show = |x: Timestamp| {
                        if daily {
                            x.utc_date().to_string()
                        } else {
                            x.to_string()
                        }
                    };
                    let cat = if s < p { "unsorted" } else { "duplicate time" };
                    let want = format!("a time after {} ({})", show(p), t.location(prow));
                    out.at(Severity::Error, cat, t.location(row), col, want, show(s));
                }
            }
            if let Some(s) = start {
                prev = Some((row, s));
            }
            axis.start.push(start);
        }
        let valid: Vec<Timestamp> = axis.start.iter().flatten().copied().collect();
        axis.period_s = match (daily, stamp) {
            (false, Stamp::PeriodStart) => period_s.or_else(|| modal_step(&valid)),
            _ => None,
        };
        axis.known = values
            .iter()
            .zip(&axis.start)
            .map(|(v, s)| match (v, s) {
                (Some(TimeValue::Date(d)), Some(_)) => match session {
                    Session::NyseClose => nyse_close_utc(&calendar, *d).ok(),
                    Session::UtcDayEnd => utc_day_end(*d).ok(),
                },
                (_, Some(s)) => Some(s.plus_seconds(axis.period_s.unwrap_or(0))),
                _ => None,
            })
            .collect();
        Ok(axis)
    }
}
