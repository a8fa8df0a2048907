//! Any `--set KEY=VALUE` arguments (one per line) on the flagship strategy.
#![no_main]
use ironhedge::config::StrategySource;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let sets: Vec<String> = text.lines().take(8).map(str::to_string).collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../strategies/flagship.toml");
    if let Ok(source) = StrategySource::read(&path, &sets) {
        let _ = source.validate();
    }
});
