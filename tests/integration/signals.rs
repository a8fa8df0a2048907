//! Signals against independent batch implementations of the standard formulas (on the bundled
//! SPX closes), and the cascade detector on the real Coinglass BTC liquidation history.

use crate::common::shared;
use chrono::Datelike;
use ironhedge::data::{load_bars, load_buckets, BarOptions};
use ironhedge::signals::{CascadeDetector, Macd, RealizedVol, Rsi};
use std::path::Path;

fn closes() -> Vec<f64> {
    load_bars(Path::new("datasets/spx_daily_1999_2018.csv"), &BarOptions::default()).unwrap().close
}

/// Batch EMA as in the textbook (and pandas `ewm(span, adjust=False)`): e_0 = x_0.
fn ema_batch(x: &[f64], span: usize) -> Vec<f64> {
    let a = 2.0 / (span as f64 + 1.0);
    let mut out = vec![x[0]];
    for v in &x[1..] {
        let prev = out[out.len() - 1];
        out.push(a * v + (1.0 - a) * prev);
    }
    out
}

#[test]
fn macd_12_26_9_matches_the_batch_formula() {
    let x = closes();
    let (e12, e26) = (ema_batch(&x, 12), ema_batch(&x, 26));
    let line: Vec<f64> = e12.iter().zip(&e26).map(|(a, b)| a - b).collect();
    let signal = ema_batch(&line, 9);
    let mut m = Macd::new(12, 26, 9);
    for (i, v) in x.iter().enumerate() {
        let got = m.update(*v);
        assert!((got.macd - line[i]).abs() < 1e-9 && (got.signal - signal[i]).abs() < 1e-9, "day {i}");
        assert!((got.hist - (line[i] - signal[i])).abs() < 1e-9);
    }
}

#[test]
fn wilder_rsi_14_matches_the_batch_formula() {
    let x = closes();
    let n = 14;
    let d: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
    let (mut g, mut l) = (
        d[..n].iter().map(|c| c.max(0.0)).sum::<f64>() / 14.0,
        d[..n].iter().map(|c| (-c).max(0.0)).sum::<f64>() / 14.0,
    );
    let mut want = vec![None; x.len()];
    want[n] = Some(100.0 - 100.0 / (1.0 + g / l));
    for i in n + 1..x.len() {
        g = (g * 13.0 + d[i - 1].max(0.0)) / 14.0;
        l = (l * 13.0 + (-d[i - 1]).max(0.0)) / 14.0;
        want[i] = Some(100.0 - 100.0 / (1.0 + g / l));
    }
    let mut r = Rsi::new(n);
    for (i, v) in x.iter().enumerate() {
        let got = r.update(*v);
        match (got, want[i]) {
            (None, None) => {}
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "day {i}: {a} vs {b}"),
            other => panic!("day {i}: {other:?}"),
        }
    }
    let mut vol = RealizedVol::new(20);
    let last = x.iter().map(|v| vol.update(*v)).last().flatten().unwrap();
    assert!((0.05..0.5).contains(&last), "SPX 20-day realised vol at the end of 2018: {last}");
}

#[test]
fn cascades_in_the_real_binance_btc_history() {
    let Some(p) = shared("coinglass_binance_btc_liquidations_daily_2020_2025.csv") else { return };
    let b = load_buckets(&p).unwrap();
    // One-day window; fire on $100M of long liquidations in a day, or a day 2.5 standard deviations
    // above the previous 30 days (log scale); one signal per 3 days.
    let mut d = CascadeDetector::new(86_400, 100e6, 3 * 86_400).with_zscore(2.5, 30);
    let mut found = Vec::new();
    for i in 0..b.long_liq_usd.len() {
        if let Some(c) = d.update(b.known_at[i], b.long_liq_usd[i], b.short_liq_usd[i]) {
            found.push((b.start[i].utc_date().to_string(), c.long_usd, c.long_share));
        }
    }
    let dates: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    println!("{} cascades detected: {dates:?}", found.len());
    // An episode counts as detected when a signal fires on its day or up to two days before (the
    // FTX collapse fired on 2022-11-08; the cool-down then keeps 11-09 quiet: one episode, one signal).
    let detected = |day: &str| {
        let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        found.iter().any(|f| {
            let f = chrono::NaiveDate::parse_from_str(&f.0, "%Y-%m-%d").unwrap();
            f <= d && (d - f).num_days() <= 2
        })
    };
    for want in ["2021-05-19", "2022-06-13", "2022-11-09", "2024-08-05"] {
        assert!(detected(want), "{want} not detected");
    }
    println!("2025-04-07 detected: {}", detected("2025-04-07"));
    assert!(found.len() < 80, "a cascade is rare: {}", found.len());
}

#[test]
fn funding_bars_are_known_at_their_end_and_funding_extremes_drive_rules() {
    use ironhedge::config::load_strategy;
    use ironhedge::engine::{run, Market};
    let dir = tempfile::tempdir().unwrap();
    // An OHLC export of 8h funding: each bar is known when it ends, not when it starts.
    let bars = dir.path().join("btc_funding_8h.csv");
    std::fs::write(&bars, "bar_start_utc,open,high,low,close\n2024-11-21T00:00:00Z,0.01,0.01,0.01,0.01\n2024-11-21T08:00:00Z,0.01,0.02,0.01,0.02\n2024-11-21T16:00:00Z,0.02,0.02,0.01,0.015\n").unwrap();
    let f = ironhedge::data::load_funding(&bars).unwrap();
    assert_eq!(f.ts[0].to_string(), "2024-11-21T08:00:00Z");
    assert_eq!(f.rate, [0.01, 0.02, 0.015]);
    // Daily funding 2014-2018: flat 0.01 with small noise, one extreme on Sunday 2016-03-06. It is
    // known at midnight UTC after that day, so the Monday 2016-03-07 entry is skipped by the rule.
    let mut text = String::from("date,rate\n");
    let mut day = chrono::NaiveDate::from_ymd_opt(2014, 1, 1).unwrap();
    let mut i = 0u32;
    while day.year() < 2019 {
        let extreme = day.to_string() == "2016-03-06";
        let rate = if extreme { 0.2 } else { 0.01 + 0.001 * f64::from(i % 7) / 7.0 };
        text.push_str(&format!("{day},{rate}\n"));
        day = day.succ_opt().unwrap();
        i += 1;
    }
    std::fs::write(dir.path().join("btc_funding_daily.csv"), text).unwrap();
    let strategy = std::fs::read_to_string("strategies/weekly_condor.toml")
        .unwrap()
        .replace("../datasets/", &format!("{}/datasets/", env!("CARGO_MANIFEST_DIR")));
    let rule = "\n[signals]\nfunding = \"btc_funding_daily.csv\"\nfunding_lookback = 30\n\n[[rules]]\nall = [{ signal = \"funding_zscore\", op = \">\", value = 3.0 }]\naction = \"skip_entry\"\n";
    let p = dir.path().join("s.toml");
    std::fs::write(&p, format!("{strategy}{rule}")).unwrap();
    let s = load_strategy(&p, &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    let base = load_strategy(Path::new("strategies/weekly_condor.toml"), &[]).unwrap();
    let b = run(&base, &Market::load(&base).unwrap(), None, None).unwrap();
    let entered =
        |trades: &[ironhedge::engine::Trade], d: &str| trades.iter().any(|t| t.entry_date.to_string() == d);
    assert!(entered(&b.trades, "2016-03-07"), "the plain strategy enters on Monday 2016-03-07");
    assert!(!entered(&r.trades, "2016-03-07"), "the funding extreme skips that entry");
    let before: Vec<String> = b
        .trades
        .iter()
        .filter(|t| t.entry_date.to_string().as_str() < "2016-03-01")
        .map(|t| t.entry_date.to_string())
        .collect();
    assert!(
        !before.is_empty() && before.iter().all(|d| entered(&r.trades, d)),
        "entries before the extreme are unchanged"
    );
}
