//! Any bytes as a Parquet data file.
#![no_main]
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let p = common::scratch("input.parquet", data);
    let _ = ironhedge::data::check_file(&p, None);
});
