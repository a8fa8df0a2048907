//! Time: the UTC [`Timestamp`] used everywhere inside ironhedge, the NYSE trading calendar,
//! session-close stamping of daily bars (America/New_York, DST-correct) and option expiries.
//!
//! Rule: every instant inside the engine is UTC. Local exchange time exists only at the edges,
//! when a calendar date is turned into the instant its data became known.

mod calendar;
mod expiry;
mod session;
mod timestamp;

pub use calendar::easter_sunday;
pub use calendar::{Calendar, CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR};
pub use expiry::{spx_monthly_expiry, third_friday, vix_expiry, vix_expiry_for_month};
pub use session::{new_york_utc, nyse_close_utc, utc_day_end};
pub use timestamp::{parse_iso_date, Timestamp, TimestampError};
