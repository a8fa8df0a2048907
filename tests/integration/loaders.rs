//! Canonical loaders for every stream (SPEC section 2), from CSV and Parquet: typed, time-sorted
//! columns with the right known-at instants, and precise errors.

use crate::common::fixture;
use chrono::{NaiveDate, Timelike};
use chrono_tz::America::New_York;
use ironhedge::data::{
    load_bars, load_buckets, load_funding, load_liquidations, load_vx_term, BarOptions, OutColumn, OutTable,
    Session, Side,
};
use ironhedge::time::{Calendar, Timestamp};

#[test]
fn liquidation_events_keep_equal_timestamps_in_file_order() {
    let ev = load_liquidations(&fixture("canonical/liquidations.csv")).unwrap();
    assert_eq!(ev.len(), 3);
    assert_eq!(ev.ts[0], ev.ts[1]);
    assert_eq!(ev.side, vec![Side::Short, Side::Long, Side::Long]);
    assert_eq!(ev.exchanges.0, vec!["binance", "bybit"]);
    assert_eq!(ev.symbol, vec![0, 0, 1]);
    assert_eq!(ev.ts[2].to_string(), "2024-03-05T05:00:02Z");
}

#[test]
fn funding_allows_several_symbols_per_instant_but_not_twice_the_same() {
    let f = load_funding(&fixture("canonical/funding.csv")).unwrap();
    assert_eq!(f.rate, vec![0.0001, -0.00005, 0.00012]);
    assert_eq!(f.symbols.0, vec!["BTCUSDT", "ETHUSDT"]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("dup.csv");
    std::fs::write(
        &p,
        "timestamp,symbol,rate\n2024-03-05T00:00:00Z,BTCUSDT,0.0001\n2024-03-05T00:00:00Z,BTCUSDT,0.0002\n",
    )
    .unwrap();
    let e = load_funding(&p).unwrap_err().to_string();
    assert!(e.contains("line 3") && e.contains("one row per time and symbol `BTCUSDT`"), "{e}");
}

#[test]
fn vx_term_structure_allows_missing_back_months_and_rejects_x10_quotes() {
    let v = load_vx_term(&fixture("canonical/vx_term.csv")).unwrap();
    assert_eq!(v.months, 3, "m1_trading_days_to_expiry is not a month column");
    assert_eq!(v.curve[0], vec![Some(12.5), Some(13.1), None]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x10.csv");
    std::fs::write(&p, "date,m1,m2\n2006-05-01,125.0,131.0\n").unwrap();
    let e = load_vx_term(&p).unwrap_err().to_string();
    assert!(
        e.contains("line 2") && e.contains("`m1`") && e.contains("CFE quoted x10") && e.contains("found 125"),
        "{e}"
    );
}

#[test]
fn intraday_bars_are_known_at_their_end() {
    let b = load_bars(&fixture("canonical/bars_4h.csv"), &BarOptions::default()).unwrap();
    assert!(!b.daily);
    assert_eq!(b.known_at[0].to_string(), "2024-03-05T04:00:00Z");
    assert_eq!(b.known_at[2].to_string(), "2024-03-05T12:00:00Z");
}

#[test]
fn daily_crypto_bars_are_known_at_utc_midnight() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("btc.csv");
    std::fs::write(&p, "date,close\n2024-03-09,68000\n2024-03-10,69000\n").unwrap();
    let b = load_bars(&p, &BarOptions { session: Session::UtcDayEnd, period_s: None, value_column: None })
        .unwrap();
    assert_eq!(b.known_at[0].to_string(), "2024-03-10T00:00:00Z");
}

#[test]
fn bundled_spx_is_stamped_at_the_new_york_close_every_day() {
    let b =
        load_bars(std::path::Path::new("datasets/spx_daily_1999_2018.csv"), &BarOptions::default()).unwrap();
    let cal = Calendar::nyse();
    let mut early = 0;
    for i in 0..b.len() {
        let local = b.known_at[i].to_utc().with_timezone(&New_York);
        assert_eq!(local.date_naive(), b.date(i), "row {i}");
        let want = if cal.is_early_close(b.date(i)) { 13 } else { 16 };
        early += usize::from(want == 13);
        assert_eq!((local.hour(), local.minute()), (want, 0), "row {i} {}", b.date(i));
    }
    assert!(early > 40, "20 years have about three early closes each: {early}");
    // Spot values across the 2018 DST switch (March 11) and the day after Thanksgiving.
    let at = |d: NaiveDate| b.known_at[(0..b.len()).find(|&i| b.date(i) == d).unwrap()].to_string();
    assert_eq!(at(NaiveDate::from_ymd_opt(2018, 3, 9).unwrap()), "2018-03-09T21:00:00Z");
    assert_eq!(at(NaiveDate::from_ymd_opt(2018, 3, 12).unwrap()), "2018-03-12T20:00:00Z");
    assert_eq!(at(NaiveDate::from_ymd_opt(2018, 11, 23).unwrap()), "2018-11-23T18:00:00Z");
}

#[test]
fn parquet_with_typed_datetime_columns_loads() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("buckets.parquet");
    let t0 = Timestamp::parse_iso("2024-11-13T20:00:00Z").unwrap();
    let mut t = OutTable::default();
    t.push("timestamp", OutColumn::Time(vec![t0, t0.plus_seconds(14_400)]));
    t.push("long_liq_usd", OutColumn::Float(vec![1.0, 2.0]));
    t.push("short_liq_usd", OutColumn::Float(vec![3.0, 4.0]));
    t.write(&p).unwrap();
    let b = load_buckets(&p).unwrap();
    assert_eq!(b.start, vec![t0, t0.plus_seconds(14_400)]);
    assert_eq!(b.bucket_s, 14_400);
    // A Parquet error names the row (0-based) instead of a line.
    let q = dir.path().join("bad.parquet");
    let mut t = OutTable::default();
    t.push("timestamp", OutColumn::Time(vec![t0, t0]));
    t.push("long_liq_usd", OutColumn::Float(vec![1.0, -2.0]));
    t.push("short_liq_usd", OutColumn::Float(vec![3.0, 4.0]));
    t.write(&q).unwrap();
    let e = load_buckets(&q).unwrap_err().to_string();
    assert!(e.contains("row 1"), "{e}");
}

#[test]
fn a_file_with_spx_and_vix_closes_loads_once_into_the_same_two_series() {
    use ironhedge::data::load_bars_pair;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("both.csv");
    std::fs::write(
        &p,
        "date,close,vix\n2024-01-02,4742.83,13.20\n2024-01-03,4704.81,14.04\n2024-01-04,4688.68,14.13\n",
    )
    .unwrap();
    let vix_opts = BarOptions { value_column: Some("vix".into()), ..BarOptions::default() };
    let (spx, vix) = load_bars_pair(&p, &BarOptions::default(), &vix_opts).unwrap();
    let (spx1, vix1) = (load_bars(&p, &BarOptions::default()).unwrap(), load_bars(&p, &vix_opts).unwrap());
    assert_eq!((spx.close.clone(), spx.known_at.clone()), (spx1.close, spx1.known_at));
    assert_eq!((vix.close.clone(), vix.known_at.clone()), (vix1.close, vix1.known_at));
    assert_eq!(vix.close, vec![13.20, 14.04, 14.13]);
    // A bad VIX print is reported as the VIX load alone reports it.
    std::fs::write(&p, "date,close,vix\n2024-01-02,4742.83,13.20\n2024-01-03,4704.81,-1\n").unwrap();
    let pair = load_bars_pair(&p, &BarOptions::default(), &vix_opts).unwrap_err().to_string();
    assert_eq!(pair, load_bars(&p, &vix_opts).unwrap_err().to_string());
    assert!(pair.contains("line 3") && pair.contains("vix"), "{pair}");
    // A bad date is found once for both series (their shared time axis) and reported as the SPX
    // load alone reports it.
    std::fs::write(&p, "date,close,vix\n2024-01-03,4742.83,13.20\n2024-01-02,4704.81,14.04\n").unwrap();
    let pair = load_bars_pair(&p, &BarOptions::default(), &vix_opts).unwrap_err().to_string();
    assert_eq!(pair, load_bars(&p, &BarOptions::default()).unwrap_err().to_string());
    assert!(pair.contains("line 3") && pair.contains("expected a time after"), "{pair}");
}
