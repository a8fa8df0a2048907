//! One full backtest of the flagship strategy over the longest real data: SPX and VIX daily
//! 1990-01-02 .. 2026-07-09 from `../shared/datasets` (file loading excluded: the market is loaded
//! once, then each iteration runs the engine). Skips, saying why, when that folder is absent.
//! Run: `cargo bench --bench run`.

use criterion::{criterion_group, criterion_main, Criterion};
use ironhedge::config::load_strategy;
use ironhedge::engine::{run, Market};
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets");
    let (spx, vix) = (shared.join("spx_daily_1990_2026.csv"), shared.join("vix_daily_1990_2026.csv"));
    if !spx.exists() || !vix.exists() {
        eprintln!("SKIPPED: {} not found (the real data in ../shared/datasets is absent)", spx.display());
        return;
    }
    let set = vec![
        format!("data.spx={:?}", spx.to_string_lossy()),
        format!("data.vix={:?}", vix.to_string_lossy()),
        "dates.start=1990-01-02".to_string(),
        "dates.end=2026-07-09".to_string(),
    ];
    let strategy =
        load_strategy(Path::new("strategies/flagship.toml"), &set).expect("flagship with real data");
    let market = Market::load(&strategy).expect("real data loads");
    let probe = run(&strategy, &market, None, None).expect("runs");
    eprintln!("flagship 1990-2026: {} days, {} trades", probe.days.len(), probe.trades.len());
    let mut g = c.benchmark_group("run");
    g.sample_size(20);
    g.bench_function("flagship, SPX+VIX 1990-2026", |b| {
        b.iter(|| run(black_box(&strategy), &market, None, None).expect("runs"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
