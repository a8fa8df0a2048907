//! Any bytes as a strategy file: parse, validate, and (when it has one) parse its [sweep].
#![no_main]
use ironhedge::config::StrategySource;
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let p = common::scratch("strategy.toml", data);
    if let Ok(source) = StrategySource::read(&p, &[]) {
        let _ = source.validate();
        let _ = ironhedge::sweep::parse(&source, false);
    }
});
