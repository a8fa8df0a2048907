//! Replay throughput: a k-way merge of ~22 million synthetic liquidation events (two years at
//! 25k per day in calm periods, more in cascades) with daily SPX and VIX bars and a decision tick at every session
//! close, consumed event by event. Run: `cargo bench --bench replay`.
//! Criterion reports the time per full replay and the throughput in events per second.

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ironhedge::replay::{EventClass, Payload, Replay, Source};
use ironhedge::synth::{daily_bars, liquidation_events};
use ironhedge::time::Timestamp;
use std::hint::black_box;
use std::sync::Arc;

fn sources(mean_per_day: f64) -> Vec<Source> {
    let from = NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid");
    let to = NaiveDate::from_ymd_opt(2024, 12, 31).expect("valid");
    let t0 = Timestamp::start_of_day(from).expect("in range");
    let spx = Arc::new(daily_bars(1, from, to, 4_000.0, 0.18));
    let vix = Arc::new(daily_bars(2, from, to, 18.0, 0.9));
    let decisions = Arc::new(spx.known_at.clone());
    let liq = Arc::new(liquidation_events(3, t0, 731, mean_per_day, 20_000.0));
    vec![
        Source::Bars(spx),
        Source::Bars(vix),
        Source::Liquidations(liq),
        Source::Schedule(decisions, EventClass::Decision),
    ]
}

/// Consume a replay the way an engine does: look at every payload.
fn consume(replay: Replay) -> (usize, f64) {
    let (mut n, mut acc) = (0usize, 0.0f64);
    for e in replay {
        n += 1;
        match e.payload {
            Payload::Liquidation { notional_usd, .. } => acc += notional_usd,
            Payload::Bar { close, .. } => acc -= close,
            _ => {}
        }
    }
    (n, acc)
}

fn bench_replay(c: &mut Criterion) {
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    let src = sources(25_000.0);
    let total: usize = src.iter().map(Source::len).sum();
    eprintln!("replay benchmark: {total} events per replay");
    group.throughput(Throughput::Elements(total as u64));
    group.bench_with_input(BenchmarkId::new("liquidations+bars", total), &src, |b, src| {
        b.iter(|| consume(black_box(Replay::new(src.clone()).expect("sorted"))))
    });
    group.finish();
}

criterion_group!(benches, bench_replay);
criterion_main!(benches);
