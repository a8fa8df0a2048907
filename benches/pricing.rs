//! Pricing hot paths, per call: BSM price+delta (with and without the per-expiry context), a full
//! Greeks set, the normal CDF, and strike selection by delta on the 5-point SPX grid with the
//! smile. Run: `cargo bench --bench pricing`.
//!
//! The inputs (a ladder of 64 strikes and vols, spot, time) pass through `black_box` once per
//! iteration, so the compiler cannot fold anything, and every result feeds a sum. Criterion
//! reports the time for the ladder of 64 independent calls (throughput, as in a sweep); the README
//! divides by 64.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ironhedge::pricing::{
    bsm_greeks, bsm_price_delta, norm_cdf, norm_cdf_fast, select_strike, BsmExpiry, OptionType, Spot,
    SpxSurface, StrikeGrid, StrikeRule, Strip, SurfaceParams, VolIndices,
};
use std::hint::black_box;

const PUT: OptionType = OptionType::Put;

fn per_call(c: &mut Criterion) {
    let (s, t, r, q) = (4700.0, 30.0 / 365.0, 0.04, 0.013);
    let strikes: Vec<f64> = (0..64).map(|i| 4000.0 + 20.0 * i as f64).collect();
    let vols: Vec<f64> = (0..64).map(|i| 0.12 + 0.002 * i as f64).collect();
    let xs: Vec<f64> = (0..64).map(|i| -3.0 + 0.09 * i as f64).collect();
    let mut g = c.benchmark_group("pricing");
    g.throughput(Throughput::Elements(64));
    g.bench_function("norm_cdf_fast x64", |b| {
        b.iter(|| black_box(&xs).iter().map(|x| norm_cdf_fast(*x)).sum::<f64>())
    });
    g.bench_function("norm_cdf (erfc) x64", |b| {
        b.iter(|| black_box(&xs).iter().map(|x| norm_cdf(*x)).sum::<f64>())
    });
    g.bench_function("ln x64", |b| b.iter(|| black_box(&xs).iter().map(|x| (*x + 4.0).ln()).sum::<f64>()));
    g.bench_function("bsm_price_delta x64", |b| {
        b.iter(|| {
            let (s, t, ks, vs) = black_box((s, t, &strikes, &vols));
            ks.iter()
                .zip(vs)
                .map(|(k, v)| {
                    let (p, d) = bsm_price_delta(PUT, s, *k, t, r, q, *v);
                    p + d
                })
                .sum::<f64>()
        })
    });
    g.bench_function("BsmExpiry::price_delta x64", |b| {
        b.iter(|| {
            let (s, t, ks, vs) = black_box((s, t, &strikes, &vols));
            let e = BsmExpiry::new(t, r, q);
            ks.iter()
                .zip(vs)
                .map(|(k, v)| {
                    let (p, d) = e.price_delta(PUT, s, *k, *v);
                    p + d
                })
                .sum::<f64>()
        })
    });
    // The sweep kernel's form: strike logarithms and the vol terms computed once (per leg, per
    // session and expiry) and reused, so a price costs two `N` and a few flops.
    let e = BsmExpiry::new(t, r, q);
    let k_spots: Vec<Spot> = strikes.iter().map(|k| Spot::new(*k)).collect();
    let at_vols: Vec<_> = vols.iter().map(|v| e.at_vol(*v)).collect();
    g.bench_function("BsmExpiry::price_at x64", |b| {
        b.iter(|| {
            let (spot, ks, vs) = black_box((Spot::new(s), &k_spots, &at_vols));
            ks.iter()
                .zip(vs)
                .map(|(k, v)| {
                    let (p, d) = e.price_at(PUT, spot, *k, *v);
                    p + d
                })
                .sum::<f64>()
        })
    });
    // One leg over 64 sessions of one expiry at the ATM vol, as the kernel prices a flat cohort:
    // session by session with `price_at`, and by `Strip` (four sessions at a time with AVX2).
    let sessions: Vec<_> = (0..64)
        .map(|i| {
            let e = BsmExpiry::new(t - i as f64 / 365.0 / 4.0, r, q);
            (Spot::new(s + 3.0 * i as f64), e, e.at_vol(vols[i]))
        })
        .collect();
    let mut strip = Strip::with_capacity(64);
    for (spot, e, v) in &sessions {
        strip.push(*spot, *e, *v);
    }
    let leg = Spot::new(4600.0);
    g.bench_function("one leg, 64 sessions: price_at", |b| {
        b.iter(|| {
            black_box(&sessions).iter().map(|(spot, e, v)| e.price_at(PUT, *spot, leg, *v).0).sum::<f64>()
        })
    });
    let mut out = [0.0; 64];
    g.bench_function("one leg, 64 sessions: Strip::price_into", |b| {
        b.iter(|| {
            black_box(&strip).price_into(0, PUT, black_box(leg), &mut out);
            out.iter().sum::<f64>()
        })
    });
    g.bench_function("bsm_greeks x64", |b| {
        b.iter(|| {
            let (s, t, ks, vs) = black_box((s, t, &strikes, &vols));
            ks.iter()
                .zip(vs)
                .map(|(k, v)| {
                    let gk = bsm_greeks(PUT, s, *k, t, r, q, *v);
                    gk.price + gk.delta + gk.gamma + gk.vega + gk.theta + gk.rho
                })
                .sum::<f64>()
        })
    });
    g.finish();
    let surface = SpxSurface::new(VolIndices { vix: 15.0, ..Default::default() }, SurfaceParams::default())
        .expect("valid");
    let grid = StrikeGrid::new(5.0).expect("valid");
    let f = s * ((r - q) * t).exp();
    let mut g = c.benchmark_group("strike_selection");
    g.throughput(Throughput::Elements(1));
    g.bench_function("16-delta put on the 5-point grid, smile vols", |b| {
        b.iter(|| {
            let target = black_box(0.16);
            select_strike(&grid, PUT, StrikeRule::Delta(target), s, f, 0.0, 0.0, |k| {
                surface.price_delta(PUT, s, k, t, r, q).1
            })
        })
    });
    g.finish();
}

criterion_group!(benches, per_call);
criterion_main!(benches);
