//! Any bytes as the [sweep] table of the weekly condor strategy: parse and validate, and for a
//! small valid sweep, build the assignments of its first and last combinations.
#![no_main]
use ironhedge::config::StrategySource;
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let base = std::fs::read_to_string(root.join("strategies/weekly_condor.toml")).expect("strategy");
    let base = base.split("\n[sweep]").next().unwrap_or_default().replace("../datasets/", &format!("{}/datasets/", root.display()));
    let mut text = base.into_bytes();
    text.extend_from_slice(b"\n[sweep]\n");
    text.extend_from_slice(data);
    let p = common::scratch("sweep.toml", &text);
    let Ok(source) = StrategySource::read(&p, &[]) else { return };
    if let Ok(spec) = ironhedge::sweep::parse(&source, false) {
        let n = spec.combos.len();
        if n > 0 {
            let _ = spec.assignments(0);
            let _ = spec.assignments(n - 1);
        }
    }
});
