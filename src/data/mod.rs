//! The data layer: reading canonical CSV/Parquet files (SPEC section 2) through polars into typed,
//! time-sorted columns, validating them (`data check`), converting vendor formats (`data import`)
//! and writing tables atomically. Nothing outside this module touches polars.

mod axis;
mod bars;
mod chain;
mod chain_check;
mod chain_read;
mod check;
mod columns;
mod crypto;
mod error;
mod findings;
pub mod import;
mod macro_calendar;
mod parquet_guard;
mod parse;
mod rates;
mod schema;
mod table;
mod vx;
mod write;

pub use axis::{Session, TimeAxis};
pub use bars::{load_bars, load_bars_pair, BarOptions, BarSeries};
pub use chain::{analyse_chain, load_chain, root_spec, OptionChain, Right, RootSpec, ROOTS};
pub use chain_check::chain_summary;
pub use check::{check_file, check_file_with, CheckReport};
pub use columns::{read_columns, read_dated_columns, read_named_numbers, Columns};
pub use crypto::{
    load_buckets, load_funding, load_liquidation_stream, load_liquidations, parse_bucket, FundingRates,
    LiquidationBuckets, LiquidationEvents, LiquidationStream, Names, Side,
};
pub use error::{DataError, InvalidValue, Location};
pub use findings::{Finding, Findings, Severity};
pub use macro_calendar::{analyse_calendar, load_calendar, MacroEvent};
pub use rates::{load_rates, RateSeries, RateUnit};
pub use schema::StreamKind;
pub use vx::{load_vx_contracts, load_vx_term, vx_rescale_date, VxContracts, VxTermStructure};
pub use write::{remove_stale_temps, write_atomic, write_lines_atomic, OutColumn, OutTable};
