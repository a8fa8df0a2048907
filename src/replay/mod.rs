//! Event replay: every data stream merged into one time-ordered stream of [`Event`]s.
//!
//! Ordering (deterministic, total): events are ordered by the key
//! `(timestamp, class, stream, sequence)` where
//! - `timestamp` is when the data became known (see [`crate::data::Session`]);
//! - `class` orders what happens at the same instant: [`EventClass::MarketData`] first, then
//!   [`EventClass::Settlement`] (expiries settle on the data of that instant), then
//!   [`EventClass::Decision`] (the strategy decides having seen both);
//! - `stream` is the position of the source in the list given to [`Replay::new`] (the order of the
//!   strategy file's data sources), so two streams stamped at the same instant always interleave
//!   the same way;
//! - `sequence` is the row's position inside its stream (rows with equal timestamps, e.g. several
//!   liquidations in one millisecond, keep file order).
//!
//! No event is ever emitted before one with a smaller key, and the merge looks only at the head
//! of each stream, so what is emitted before time T cannot depend on data after T.

mod event;
mod merge;

pub use event::{Event, EventClass, Payload};
pub use merge::{Replay, ReplayError, Source};
