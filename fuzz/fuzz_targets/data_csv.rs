//! Any bytes as a CSV data file: `data check` (stream detection and every canonical loader) must
//! return a report or an error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let p = common::scratch("input.csv", data);
    let _ = ironhedge::data::check_file(&p, None);
});
