//! Any bytes through every vendor importer (the first byte picks the format and whether invalid
//! rows are dropped).
#![no_main]
use ironhedge::data::import::{import, ImportFormat, ImportOptions};
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((pick, rest)) = data.split_first() else { return };
    let format = ImportFormat::ALL[*pick as usize % ImportFormat::ALL.len()];
    let input = common::scratch("vendor.csv", rest);
    let output = input.with_file_name("out.csv");
    let opts = ImportOptions { drop_invalid: (*pick as usize / ImportFormat::ALL.len()) % 2 == 1, ..ImportOptions::default() };
    let _ = import(format, &input, &output, &opts);
});
