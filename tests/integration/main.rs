//! The single integration-test binary: the CLI end to end, importers against hand-written vendor
//! fixtures, loaders on CSV and Parquet, replay properties, and checks against the real data in
//! `../shared/datasets` (skipped, with the reason printed, when that folder is absent).
//!
//! Tolerance policy: converted prices are compared exactly when the conversion is a copy or a
//! rounding to cents (the text must match), and within 1e-9 relative when the importer computes
//! them (division by 10, price x quantity).

mod adjustments;
mod bad_input;
mod chain_runs;
mod chains;
mod charts;
mod common;
mod condor_grid;
mod config;
mod corpus;
mod engine;
mod faults;
mod hedge;
mod import;
mod loaders;
mod price_cli;
mod pricing;
mod real_data;
mod replay;
mod rules;
mod series_rules;
mod signals;
mod study;
mod surface;
mod sweep;
mod synth;
