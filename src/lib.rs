//! ironhedge: an event-driven historical backtester for SPX iron condors hedged with layered VIX
//! calls. The library holds everything; the `ironhedge` binary (`src/main.rs`, `src/cli/`) is a
//! thin command line over it.
//!
//! # Map of the crate
//!
//! Data flows down this table: a strategy file is validated ([`config`]), its files loaded
//! ([`data`]) into a market ([`engine::Market`]), replayed in time order ([`replay`]) through the
//! engine, which prices with [`pricing`] and books into its ledger; [`results`] writes the run's
//! files and [`charts`] draws them. [`sweep`] and [`study`] run the engine (and the sweep's
//! condor kernel, [`engine::kernel`]) many times. A module may call the modules listed as its
//! callees and nothing above it; `docs/ARCHITECTURE.md` explains each boundary.
//!
//! | module | owns | calls |
//! |---|---|---|
//! | [`time`] | UTC [`time::Timestamp`], the NYSE calendar, session closes, option expiries | - |
//! | [`rng`] | the one seeded generator (SplitMix64) | - |
//! | [`metrics`] | performance metrics, taken as a run goes | - |
//! | [`charts`] | every PNG chart (plotters, embedded font), from plain series | - |
//! | [`data`] | canonical CSV/Parquet files: loading, `data check`, importers, atomic writes; the only user of polars | `time` |
//! | [`replay`] | the event type and the deterministic k-way merge of all streams | `data`, `time` |
//! | [`pricing`] | BSM / Black-76, implied vol, the SPX surface, VIX futures and options, strikes, settlement; plain values in, never data files | `time` |
//! | [`signals`] | streaming indicators and the liquidation-cascade detector | `time` |
//! | [`synth`] | seeded synthetic liquidations and bars | `data`, `rng`, `time` |
//! | [`config`] | strategy files: raw TOML, overrides, validated [`config::Strategy`] | `data`, `pricing`, `time` |
//! | [`engine`] | the market, the event loop, condors, the VIX-call hedge, the ledger; the sweep kernel | `config`, `data`, `metrics`, `pricing`, `replay`, `signals`, `time` |
//! | [`results`] | a run's result files, written and read back; `summary.json` | `engine`, `charts`, `data`, `metrics` |
//! | [`sweep`] | `[sweep]` specs, the parallel resumable runner, shards, top N, walk-forward | `engine`, `results`, `charts`, `config`, `data`, `metrics`, `rng` |
//! //! | [`calibrate`] | the SPX surface fitted to a real option chain, and the error report | `charts`, `data`, `pricing` |
//! | [`study`] | event studies of signals against SPX / VIX and the books' Greeks | `engine`, `charts`, `data`, `pricing`, `rng`, `signals`, `time` |

pub mod calibrate;
pub mod charts;
pub mod config;
pub mod data;
pub mod engine;
pub mod metrics;
pub mod pricing;
pub mod replay;
pub mod results;
pub mod rng;
pub mod signals;
pub mod study;
pub mod sweep;
pub mod synth;
pub mod time;
