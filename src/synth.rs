//! Seeded synthetic data: liquidation events and daily bars for benchmarks, tests and the
//! clearly-labelled synthetic sample the project ships where no redistributable real data exists.
//!
//! Random numbers come from [`crate::rng::SplitMix64`], hand-written on purpose: its output must
//! stay byte-identical across dependency upgrades, because shipped samples and test expectations
//! are derived from it.
//!
//! Liquidation model: arrivals are a Poisson process whose intensity is `mean_per_day` in calm
//! periods and twenty times that inside cascades. The price is a geometric random walk (80%
//! annual vol). Cascades are triggered by the price: an hour whose return is below -2.5% (about
//! three hourly standard deviations) starts or extends a cascade, and so does a rare spontaneous
//! start (0.2% per hour); a cascade lasts an
//! exponential time with mean 3 hours, during which the price drifts down (forced selling feeds
//! the drop, so cascades cluster after large drops) and 85% of liquidations are longs (else 50%).
//! Notional is Pareto with tail index 1.6 from $2,000 (heavy-tailed: a few orders dominate a
//! cascade), capped at $50M per order.

use crate::data::{BarSeries, LiquidationEvents, Side};
use crate::rng::SplitMix64;
use crate::time::{nyse_close_utc, Calendar, Timestamp};
use chrono::NaiveDate;

/// Synthetic liquidation events from `start` for `days` days (see the module doc for the model).
pub fn liquidation_events(
    seed: u64,
    start: Timestamp,
    days: u32,
    mean_per_day: f64,
    start_price: f64,
) -> LiquidationEvents {
    let mut rng = SplitMix64::new(seed);
    let mut ev = LiquidationEvents::default();
    let ex = ev.exchanges.intern("synthetic");
    let sym = ev.symbols.intern("BTCUSDT");
    let end_s = days as f64 * 86_400.0;
    let calm_rate = mean_per_day / 86_400.0;
    let (mut t, mut price, mut cascade_until) = (0.0f64, start_price, -1.0f64);
    let (mut next_hour, mut hour_open) = (3_600.0, start_price);
    let vol_per_sqrt_s = 0.80 / (365.0f64 * 86_400.0).sqrt();
    loop {
        let in_cascade = t < cascade_until;
        let rate = if in_cascade { calm_rate * 20.0 } else { calm_rate };
        let dt = rng.exponential(1.0 / rate);
        t += dt;
        if t >= end_s {
            break;
        }
        let drift = if in_cascade { -2.0e-6 * dt } else { 0.0 };
        price *= (drift + vol_per_sqrt_s * dt.sqrt() * rng.normal()).exp();
        while next_hour <= t {
            let dropped = price / hour_open - 1.0 < -0.025;
            if dropped || rng.uniform() < 0.002 {
                cascade_until = cascade_until.max(next_hour) + rng.exponential(3.0 * 3_600.0);
            }
            hour_open = price;
            next_hour += 3_600.0;
        }
        let long_share = if in_cascade { 0.85 } else { 0.5 };
        let side = if rng.uniform() < long_share { Side::Long } else { Side::Short };
        let notional = (2_000.0 * rng.uniform().powf(-1.0 / 1.6)).min(50e6);
        ev.ts.push(Timestamp::from_nanos(start.nanos().saturating_add((t * 1e9) as i64)));
        ev.exchange.push(ex);
        ev.symbol.push(sym);
        ev.side.push(side);
        ev.price.push(price);
        ev.quantity.push(notional / price);
        ev.notional_usd.push(notional);
    }
    ev
}

/// Synthetic daily OHLC bars on NYSE trading days in `[from, to]`: a geometric random walk with
/// `annual_vol`, open at the previous close plus a small gap, high/low bracketing open and close.
pub fn daily_bars(seed: u64, from: NaiveDate, to: NaiveDate, start_price: f64, annual_vol: f64) -> BarSeries {
    let cal = Calendar::nyse();
    let mut rng = SplitMix64::new(seed);
    let mut bars = BarSeries { daily: true, ..Default::default() };
    let sd = annual_vol / 252f64.sqrt();
    let mut close = start_price;
    for d in cal.trading_days(from, to) {
        let open = close * (0.1 * sd * rng.normal()).exp();
        close = open * (sd * rng.normal() - 0.5 * sd * sd).exp();
        let high = open.max(close) * (1.0 + 0.3 * sd * rng.uniform());
        let low = open.min(close) * (1.0 - 0.3 * sd * rng.uniform());
        let (Ok(start), Ok(known)) = (Timestamp::start_of_day(d), nyse_close_utc(&cal, d)) else {
            continue;
        };
        bars.push(start, known, [open, high, low, close]);
    }
    bars
}

/// Aggregate events into buckets of `bucket_s` seconds starting at `start` (every bucket up to
/// `end`, empty ones included), each known at its end.
pub fn to_buckets(
    ev: &LiquidationEvents,
    start: Timestamp,
    end: Timestamp,
    bucket_s: i64,
) -> crate::data::LiquidationBuckets {
    let step = bucket_s.max(1);
    let n = ((end.nanos() - start.nanos()).max(0) / (step * 1_000_000_000)) as usize;
    let mut b = crate::data::LiquidationBuckets { bucket_s: step, ..Default::default() };
    for k in 0..n {
        let s = start.plus_seconds(k as i64 * step);
        b.start.push(s);
        b.known_at.push(s.plus_seconds(step));
    }
    b.long_liq_usd = vec![0.0; n];
    b.short_liq_usd = vec![0.0; n];
    for i in 0..ev.len() {
        let k = ((ev.ts[i].nanos() - start.nanos()) / (step * 1_000_000_000)) as usize;
        if k < n {
            match ev.side[i] {
                Side::Long => b.long_liq_usd[k] += ev.notional_usd[i],
                Side::Short => b.short_liq_usd[k] += ev.notional_usd[i],
            }
        }
    }
    b
}

/// Canonical table of individual events.
pub fn events_table(ev: &LiquidationEvents) -> crate::data::OutTable {
    use crate::data::OutColumn;
    let name =
        |names: &crate::data::Names, id: &[u16]| id.iter().map(|i| names.0[*i as usize].clone()).collect();
    let mut t = crate::data::OutTable::default();
    t.push("timestamp", OutColumn::Time(ev.ts.clone()));
    t.push("exchange", OutColumn::Text(name(&ev.exchanges, &ev.exchange)));
    t.push("symbol", OutColumn::Text(name(&ev.symbols, &ev.symbol)));
    t.push("side", OutColumn::Text(ev.side.iter().map(|s| s.as_str().to_string()).collect()));
    t.push("price", OutColumn::Float(ev.price.clone()));
    t.push("quantity", OutColumn::Float(ev.quantity.clone()));
    t.push("notional_usd", OutColumn::Float(ev.notional_usd.clone()));
    t
}

/// Canonical table of buckets (notional rounded to cents).
pub fn buckets_table(b: &crate::data::LiquidationBuckets, label: &str) -> crate::data::OutTable {
    use crate::data::OutColumn;
    let cents = |v: &[f64]| v.iter().map(|x| (x * 100.0).round() / 100.0).collect();
    let mut t = crate::data::OutTable::default();
    t.push("timestamp", OutColumn::Time(b.start.clone()));
    t.push("long_liq_usd", OutColumn::Float(cents(&b.long_liq_usd)));
    t.push("short_liq_usd", OutColumn::Float(cents(&b.short_liq_usd)));
    t.push("bucket", OutColumn::Text(vec![label.to_string(); b.start.len()]));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_output_different_seed_different_output() {
        let t0 = Timestamp::parse_iso("2024-01-01T00:00:00Z").unwrap();
        let a = liquidation_events(7, t0, 3, 2_000.0, 40_000.0);
        let b = liquidation_events(7, t0, 3, 2_000.0, 40_000.0);
        let c = liquidation_events(8, t0, 3, 2_000.0, 40_000.0);
        assert_eq!(a.ts, b.ts);
        assert_eq!(a.notional_usd, b.notional_usd);
        assert_ne!(a.ts, c.ts);
        assert!(a.ts.windows(2).all(|w| w[0] <= w[1]));
        assert!(a.len() > 6_000, "cascades raise the count above the calm mean: {}", a.len());
        assert!(a.price.iter().all(|p| p.is_finite() && *p > 0.0));
    }

    #[test]
    fn bars_are_consistent() {
        let from = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        let b = daily_bars(1, from, to, 3_000.0, 0.2);
        assert_eq!(b.len(), 253);
        for i in 0..b.len() {
            assert!(b.low[i] <= b.open[i].min(b.close[i]) && b.high[i] >= b.open[i].max(b.close[i]));
        }
    }
}
