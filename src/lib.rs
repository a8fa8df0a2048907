//! ironhedge: an event-driven historical backtester for SPX iron condors hedged with layered VIX
//! calls. The library holds everything; the `ironhedge` binary is a thin command line over it.
//!
//! Modules: [`time`] (UTC instants, NYSE calendar, expiries), [`data`] (canonical data files:
//! loading, checking, importing, atomic writing — the only place polars is used), [`replay`] (the
//! time-ordered merge of all streams into one event stream), [`synth`] (seeded synthetic data).

pub mod charts;
pub mod config;
pub mod data;
pub mod engine;
pub mod metrics;
pub mod pricing;
pub mod replay;
pub mod signals;
pub mod study;
pub mod sweep;
pub mod synth;
pub mod time;
