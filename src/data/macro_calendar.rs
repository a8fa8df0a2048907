//! The macro calendar: dated events (FOMC decisions, CPI and PPI releases, anything the user
//! lists) from a CSV or Parquet file with the columns `date` and `event`, and optionally `time`
//! (New York local `HH:MM`, e.g. `14:00` for an FOMC statement, `08:30` for CPI). An event without
//! a time is taken at 09:30 New York, the open: it belongs to that day's session. Scheduled
//! releases are published ahead, so a strategy may know the next one before it happens.

use super::findings::{load_with, Findings, Severity};
use super::parse::{text_column, time_column, TimeValue};
use super::table::Table;
use super::DataError;
use crate::time::{new_york_utc as instant, Timestamp};
use chrono::{NaiveDate, NaiveTime};
use std::path::Path;

/// One dated event.
#[derive(Debug, Clone, PartialEq)]
pub struct MacroEvent {
    pub date: NaiveDate,
    /// When it happens (UTC).
    pub at: Timestamp,
    pub name: String,
}

/// Parse and validate a calendar table; events in time order (ties keep file order).
pub fn analyse_calendar(t: &Table, out: &mut Findings) -> Result<Vec<MacroEvent>, DataError> {
    let date_col = t.find(&["date"]).ok_or_else(|| t.missing(&["date"]))?.to_string();
    let event_col = t.find(&["event", "name"]).ok_or_else(|| t.missing(&["event"]))?.to_string();
    let dates = time_column(t, &date_col, out)?;
    let names = text_column(t, &event_col, out)?;
    let times = match t.find(&["time"]) {
        Some(c) => {
            let c = c.to_string();
            let mut v = Vec::with_capacity(t.height());
            t.visit(&c, |_, cell| {
                v.push(match cell {
                    super::table::Cell::Text(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    _ => None,
                })
            })?;
            v
        }
        None => vec![None; t.height()],
    };
    let open = NaiveTime::from_hms_opt(9, 30, 0).expect("valid time");
    let mut events = Vec::with_capacity(t.height());
    for row in 0..t.height() {
        let (Some(d), Some(name)) = (&dates[row], &names[row]) else { continue };
        let TimeValue::Date(date) = *d else {
            let found = format!("an instant ({d:?}); put the New York time in a `time` column");
            out.at(Severity::Error, "bad date", t.location(row), &date_col, "a date YYYY-MM-DD", found);
            continue;
        };
        let time = match &times[row] {
            None => open,
            Some(s) => match NaiveTime::parse_from_str(s, "%H:%M") {
                Ok(x) => x,
                Err(_) => {
                    out.at(
                        Severity::Error,
                        "bad time",
                        t.location(row),
                        "time",
                        "New York time HH:MM",
                        format!("`{s}`"),
                    );
                    continue;
                }
            },
        };
        match instant(date, time) {
            Some(at) => events.push(MacroEvent { date, at, name: name.clone() }),
            None => out.at(
                Severity::Error,
                "bad time",
                t.location(row),
                "time",
                "a New York time that exists",
                format!("{date} {s}", s = time),
            ),
        }
    }
    events.sort_by_key(|e| e.at);
    Ok(events)
}

/// Load a calendar file.
pub fn load_calendar(path: &Path) -> Result<Vec<MacroEvent>, DataError> {
    load_with(path, analyse_calendar).map(|(v, _)| v)
}
