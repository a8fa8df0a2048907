//! Events for a study: the SPX sessions of a run, the signals that can be studied, their
//! alignment to sessions across the 24/7 crypto clock (an event belongs to the first session
//! whose 16:00 New York close is at or after it, so one after the close belongs to the next
//! session), and the cool-down that keeps overlapping events from counting twice.

use crate::data::MacroEvent;
use crate::engine::{Market, RunResult};
use crate::pricing::{vix_futures_on, FuturesModel};
use crate::signals::{Macd, Rsi, ZScore};
use crate::time::Timestamp;
use chrono::{Days, NaiveDate};

/// The SPX sessions of a run with what a study measures on them.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    pub dates: Vec<NaiveDate>,
    /// The instant each session's close became known.
    pub close_at: Vec<Timestamp>,
    pub spx: Vec<f64>,
    pub vix: Vec<f64>,
    /// 30-day constant-maturity VIX future on the listed curve (only with `data.vx_term`).
    pub vx30: Vec<Option<f64>>,
    /// VIX / VIX3M (else VX1 / VX2).
    pub term_ratio: Vec<Option<f64>>,
}

impl Sessions {
    /// The sessions of a finished run on `m`.
    pub fn of_run(r: &RunResult, m: &Market) -> Sessions {
        let mut s = Sessions::default();
        let mut i = 0;
        for d in &r.days {
            while i < m.spx.len() && m.spx.date(i) < d.date {
                i += 1;
            }
            s.dates.push(d.date);
            s.close_at.push(m.spx.known_at[i.min(m.spx.len() - 1)]);
            s.spx.push(d.spx);
            s.vix.push(d.vix);
            s.term_ratio.push(d.term_ratio);
            let vx = m.vx_term.as_deref().and_then(|t| {
                let curve = vix_futures_on(d.date, d.vix, t.row_on(d.date), FuturesModel::default()).ok()?;
                curve.listed_ratio()?; // a listed curve that day, not the model's
                Some(curve.price(d.date + Days::new(30)))
            });
            s.vx30.push(vx);
        }
        s
    }

    /// The session an event at `at` belongs to: the first whose close is at or after it.
    pub fn session_at(&self, at: Timestamp) -> Option<usize> {
        let i = self.close_at.partition_point(|c| *c < at);
        (i < self.close_at.len()).then_some(i)
    }
}

/// A signal whose occurrences can be studied.
#[derive(Debug, Clone, PartialEq)]
pub enum EventSignal {
    /// The strategy's liquidation-cascade detector fired.
    Cascade,
    /// VIX / VIX3M (else VX1 / VX2) rose above 1 (first session of an inversion).
    TermInversion,
    /// MACD(12, 26, 9) of SPX closes crossed below (`false`: above) its signal line.
    MacdCross { down: bool },
    /// RSI(14) of SPX closes crossed below `level` (`above`: above it).
    Rsi { level: f64, above: bool },
    /// A funding rate whose z-score over the previous 90 prints reached `z` in size.
    Funding { z: f64 },
    /// A macro-calendar event whose name contains this text (case-insensitive).
    Calendar(String),
}

impl EventSignal {
    /// Parse `cascade`, `term_inversion`, `macd_cross_down`, `macd_cross_up`, `rsi_below:30`,
    /// `rsi_above:70`, `funding_z:2.5`, `calendar:FOMC`.
    pub fn parse(text: &str) -> Result<EventSignal, String> {
        let (head, arg) = text.split_once(':').map_or((text, None), |(h, a)| (h, Some(a)));
        let num = |what: &str| {
            arg.and_then(|a| a.parse::<f64>().ok()).filter(|x| x.is_finite()).ok_or_else(|| {
                format!(
                    "`{text}`: expected `{head}:<number>` ({what}), found {}",
                    arg.map_or("no number".into(), |a| format!("`{a}`"))
                )
            })
        };
        Ok(match head {
            "cascade" => EventSignal::Cascade,
            "term_inversion" => EventSignal::TermInversion,
            "macd_cross_down" => EventSignal::MacdCross { down: true },
            "macd_cross_up" => EventSignal::MacdCross { down: false },
            "rsi_below" => EventSignal::Rsi { level: num("an RSI level")?, above: false },
            "rsi_above" => EventSignal::Rsi { level: num("an RSI level")?, above: true },
            "funding_z" => EventSignal::Funding { z: num("a z-score")?.abs() },
            "calendar" => EventSignal::Calendar(arg.filter(|a| !a.is_empty()).ok_or("`calendar:<event name>`")?.to_string()),
            _ => {
                return Err(format!(
                    "unknown signal `{text}`: expected one of cascade, term_inversion, macd_cross_down, macd_cross_up, rsi_below:<level>, rsi_above:<level>, funding_z:<z>, calendar:<name>"
                ))
            }
        })
    }
}

/// One occurrence of a signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When it became known.
    pub at: Timestamp,
    /// Its session (see [`Sessions::session_at`]).
    pub session: usize,
    pub label: String,
}

/// Sessions (index) where a series crosses: `f(prev, now)` true.
fn crossings(values: &[Option<f64>], f: impl Fn(f64, f64) -> bool) -> Vec<usize> {
    (1..values.len())
        .filter(|&i| matches!((values[i - 1], values[i]), (Some(a), Some(b)) if f(a, b)))
        .collect()
}

/// Every occurrence of `signal` in the run (before the cool-down), in time order.
pub fn detect(
    signal: &EventSignal,
    s: &Sessions,
    r: &RunResult,
    m: &Market,
    calendar: &[MacroEvent],
) -> Vec<Event> {
    let at_session = |i: usize, label: String| Event { at: s.close_at[i], session: i, label };
    match signal {
        EventSignal::Cascade => r
            .cascades
            .iter()
            .filter_map(|&at| s.session_at(at).map(|i| Event { at, session: i, label: "cascade".into() }))
            .collect(),
        EventSignal::TermInversion => crossings(&s.term_ratio, |a, b| a <= 1.0 && b > 1.0)
            .into_iter()
            .map(|i| at_session(i, format!("term ratio {:.3}", s.term_ratio[i].unwrap_or(f64::NAN))))
            .collect(),
        EventSignal::MacdCross { down } => {
            let mut macd = Macd::new(12, 26, 9);
            // No crossing counts before the slow EMA and the signal line have warmed up.
            let hist: Vec<Option<f64>> = s
                .spx
                .iter()
                .enumerate()
                .map(|(i, x)| Some(macd.update(*x).hist).filter(|_| i >= 34))
                .collect();
            let cross = |a: f64, b: f64| if *down { a >= 0.0 && b < 0.0 } else { a <= 0.0 && b > 0.0 };
            crossings(&hist, cross).into_iter().map(|i| at_session(i, "macd cross".into())).collect()
        }
        EventSignal::Rsi { level, above } => {
            let mut rsi = Rsi::new(14);
            let v: Vec<Option<f64>> = s.spx.iter().map(|x| rsi.update(*x)).collect();
            let cross =
                |a: f64, b: f64| if *above { a <= *level && b > *level } else { a >= *level && b < *level };
            crossings(&v, cross)
                .into_iter()
                .map(|i| at_session(i, format!("RSI {:.1}", v[i].unwrap_or(f64::NAN))))
                .collect()
        }
        EventSignal::Funding { z } => {
            let Some(f) = &m.funding else { return Vec::new() };
            let mut zs = ZScore::new(90);
            let mut out = Vec::new();
            for (at, rate) in f.ts.iter().zip(&f.rate) {
                if let (Some(v), Some(i)) = (zs.update(*rate), s.session_at(*at)) {
                    if v.abs() >= *z && s.dates[0] <= at.utc_date() {
                        out.push(Event {
                            at: *at,
                            session: i,
                            label: format!("funding {:.4}% (z {v:.2})", rate * 100.0),
                        });
                    }
                }
            }
            out
        }
        EventSignal::Calendar(name) => {
            let want = name.to_ascii_lowercase();
            calendar
                .iter()
                .filter(|e| e.name.to_ascii_lowercase().contains(&want) && e.date >= s.dates[0])
                .filter_map(|e| {
                    s.session_at(e.at).map(|i| Event { at: e.at, session: i, label: e.name.clone() })
                })
                .collect()
        }
    }
}

/// Keep an event only if it comes at least `cooldown` sessions after the last kept one (one
/// waterfall, one event); the kept events are the independent ones.
pub fn cooldown(events: &[Event], sessions: usize) -> Vec<Event> {
    let mut kept: Vec<Event> = Vec::new();
    for e in events {
        if kept.last().is_none_or(|k| e.session >= k.session + sessions.max(1)) {
            kept.push(e.clone());
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse_iso(text).unwrap()
    }

    #[test]
    fn an_event_after_the_close_belongs_to_the_next_session() {
        // Closes at 21:00 UTC (16:00 New York, winter) on Mon 8 and Tue 9 January 2024.
        let s = Sessions {
            dates: vec![
                NaiveDate::from_ymd_opt(2024, 1, 8).unwrap(),
                NaiveDate::from_ymd_opt(2024, 1, 9).unwrap(),
            ],
            close_at: vec![ts("2024-01-08T21:00:00Z"), ts("2024-01-09T21:00:00Z")],
            ..Default::default()
        };
        assert_eq!(s.session_at(ts("2024-01-08T03:00:00Z")), Some(0), "Asian hours: that day's session");
        assert_eq!(s.session_at(ts("2024-01-08T21:00:00Z")), Some(0), "at the close: known at the close");
        assert_eq!(s.session_at(ts("2024-01-08T21:00:01Z")), Some(1), "after the close: the next session");
        assert_eq!(s.session_at(ts("2024-01-07T12:00:00Z")), Some(0), "Sunday: Monday's session");
        assert_eq!(s.session_at(ts("2024-01-09T22:00:00Z")), None, "after the last session");
    }

    #[test]
    fn the_cooldown_keeps_independent_events() {
        let e = |session| Event { at: Timestamp::from_nanos(session as i64), session, label: String::new() };
        let kept = cooldown(&[e(1), e(2), e(5), e(6), e(11)], 5);
        assert_eq!(kept.iter().map(|e| e.session).collect::<Vec<_>>(), vec![1, 6, 11]);
    }

    #[test]
    fn signals_parse_with_their_arguments() {
        assert_eq!(EventSignal::parse("rsi_below:30"), Ok(EventSignal::Rsi { level: 30.0, above: false }));
        assert_eq!(EventSignal::parse("calendar:FOMC"), Ok(EventSignal::Calendar("FOMC".into())));
        assert!(EventSignal::parse("rsi_below").unwrap_err().contains("expected `rsi_below:<number>`"));
        assert!(EventSignal::parse("cascades").unwrap_err().contains("unknown signal `cascades`"));
    }
}
