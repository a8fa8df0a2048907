//! `data import`: every vendor format, from a small hand-written fixture to the exact canonical
//! output, which must then load through the canonical loader of its stream (CSV and Parquet).

use crate::common::{close, fixture, ironhedge, read_csv};
use ironhedge::data::{
    load_bars, load_buckets, load_liquidations, load_rates, load_vx_contracts, BarOptions, RateUnit, Side,
};
use std::path::PathBuf;

fn import(format: &str, input: &str, out_name: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(out_name);
    let inp = fixture(input);
    let mut args =
        vec!["data", "import", "--format", format, inp.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let r = ironhedge(&args);
    assert_eq!(r.code, 0, "{format}: {}{}", r.stdout, r.stderr);
    (dir, out, r.stdout)
}

fn text(p: &PathBuf) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn cboe_ohlc_and_close_only() {
    let (_d, out, stdout) = import("cboe", "import/cboe_spx.csv", "spx.csv", &[]);
    assert_eq!(
        text(&out),
        "date,open,high,low,close\n2024-01-02,4745.2,4754.33,4722.67,4742.83\n\
         2024-01-03,4725.07,4729.29,4699.71,4704.81\n2024-01-04,4697.42,4726.78,4687.53,4688.68\n"
    );
    assert!(stdout.contains("3 rows in, 3 rows out"), "{stdout}");
    let bars = load_bars(&out, &BarOptions::default()).unwrap();
    assert_eq!(bars.known_at[0].to_string(), "2024-01-02T21:00:00Z"); // 16:00 EST
    let (_d, out, _) = import("cboe", "import/cboe_vvix.csv", "vvix.csv", &[]);
    assert_eq!(text(&out), "date,close\n2006-03-06,71.73\n2006-03-07,72.05\n");
    assert!(load_bars(&out, &BarOptions::default()).unwrap().close_only);
}

#[test]
fn yahoo_drops_null_rows_and_keeps_volume() {
    let (_d, out, stdout) = import("yahoo", "import/yahoo_spy.csv", "spy.csv", &[]);
    assert_eq!(
        text(&out),
        "date,open,high,low,close,adj_close,volume\n2024-01-02,472.16,473.67,470.49,472.65,466.66,123623700\n\
         2024-01-04,468.3,470.96,467.05,467.28,461.36,84232200\n"
    );
    assert!(stdout.contains("1 rows with `null` prices dropped"), "{stdout}");
    let bars = load_bars(&out, &BarOptions::default()).unwrap();
    assert_eq!(bars.volume.as_deref(), Some(&[123623700.0, 84232200.0][..]));
}

#[test]
fn binance_sell_liquidates_longs_sorted_unfilled_dropped() {
    let (_d, out, stdout) =
        import("binance-liquidations", "import/BTCUSDT-liquidationSnapshot-2024-03-05.csv", "liq.csv", &[]);
    assert!(stdout.contains("sorted") && stdout.contains("1 orders with no fill"), "{stdout}");
    let (header, rows) = read_csv(&out);
    assert_eq!(header, ["timestamp", "exchange", "symbol", "side", "price", "quantity", "notional_usd"]);
    let want = [
        ("2024-03-05T05:00:00.100Z", "short", 67480.0, 0.01),
        ("2024-03-05T05:00:00.123Z", "long", 67100.5, 0.5),
        ("2024-03-05T05:00:02.500Z", "long", 66850.0, 0.4),
    ];
    assert_eq!(rows.len(), want.len());
    for (r, (ts, side, p, q)) in rows.iter().zip(want) {
        assert_eq!(
            (r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str()),
            (ts, "binance", "BTCUSDT", side)
        );
        let (pp, qq, nn): (f64, f64, f64) =
            (r[4].parse().unwrap(), r[5].parse().unwrap(), r[6].parse().unwrap());
        assert!(close(pp, p) && close(qq, q) && close(nn, p * q), "{r:?}");
    }
    let ev = load_liquidations(&out).unwrap();
    assert_eq!(ev.side, vec![Side::Short, Side::Long, Side::Long]);
    assert_eq!(ev.symbols.0, vec!["BTCUSDT".to_string()]);
    // An explicit symbol wins over the file name.
    let (_d, out, _) = import(
        "binance-liquidations",
        "import/BTCUSDT-liquidationSnapshot-2024-03-05.csv",
        "l2.csv",
        &["--symbol", "ETHUSDT"],
    );
    assert!(text(&out).contains(",ETHUSDT,"));
}

#[test]
fn coinglass_intraday_and_daily() {
    let (_d, out, _) = import("coinglass", "import/coinglass_btc_4h.csv", "b.csv", &[]);
    assert_eq!(
        text(&out),
        "timestamp,long_liq_usd,short_liq_usd,bucket\n2024-11-13T20:00:00Z,21069771.36,2661796.308,4h\n\
         2024-11-14T00:00:00Z,1136092.357,1298003.832,4h\n2024-11-14T04:00:00Z,5000000,0,4h\n"
    );
    let b = load_buckets(&out).unwrap();
    assert_eq!(b.bucket_s, 14_400);
    assert_eq!(b.known_at[0].to_string(), "2024-11-14T00:00:00Z", "a bucket is known at its end");
    let (_d, out, _) = import("coinglass", "import/coinglass_eth_daily.csv", "d.parquet", &[]);
    let b = load_buckets(&out).unwrap();
    assert_eq!((b.bucket_s, b.long_liq_usd.len()), (86_400, 3));
    assert_eq!(b.known_at[0].to_string(), "2020-12-24T00:00:00Z");
    assert_eq!(b.short_liq_usd[2], 2000.0);
}

#[test]
fn cfe_vx_rescales_before_2007_and_maps_contracts_to_expiries() {
    let (_d, out, stdout) = import("cfe-vx", "import/cfe_vx.csv", "vx.csv", &[]);
    assert!(stdout.contains("2 settlements before 2007-03-26 divided by 10"), "{stdout}");
    assert!(stdout.contains("1 rows with settle = 0"), "{stdout}");
    let c = load_vx_contracts(&out).unwrap();
    let dates: Vec<String> = c.date.iter().map(|d| d.to_string()).collect();
    let exp: Vec<String> = c.expiry.iter().map(|d| d.to_string()).collect();
    assert_eq!(dates, ["2004-03-26", "2004-03-29", "2008-06-02"]);
    assert_eq!(exp, ["2004-05-19", "2004-05-19", "2008-07-16"]);
    for (got, want) in c.settle.iter().zip([20.32, 19.842, 19.74]) {
        assert!(close(*got, want), "{got} vs {want}");
    }
}

#[test]
fn fred_drops_missing_fixings_and_loads_as_rates() {
    let (_d, out, stdout) = import("fred", "import/fred_dtb3.csv", "r.csv", &[]);
    assert_eq!(text(&out), "date,dtb3\n2024-01-02,5.24\n2024-01-03,5.24\n2024-01-04,5.23\n");
    assert!(stdout.contains("1 days without a fixing"), "{stdout}");
    let r = load_rates(&out, None, RateUnit::Percent).unwrap();
    assert_eq!(r.rate.len(), 3);
    for (got, want) in r.rate.iter().zip([0.0524, 0.0524, 0.0523]) {
        assert!(close(*got, want), "{got} vs {want}");
    }
    let e = load_rates(&out, None, RateUnit::Decimal).unwrap_err().to_string();
    assert!(e.contains("is the file in percent?") && e.contains("line 2"), "{e}");
}

#[test]
fn parquet_output_equals_csv_output() {
    let (_d1, csv, _) = import("cboe", "import/cboe_spx.csv", "a.csv", &[]);
    let (_d2, pq, _) = import("cboe", "import/cboe_spx.csv", "a.parquet", &[]);
    let (a, b) =
        (load_bars(&csv, &BarOptions::default()).unwrap(), load_bars(&pq, &BarOptions::default()).unwrap());
    assert_eq!((a.known_at, a.open, a.close), (b.known_at, b.open, b.close));
}

#[test]
fn rows_the_loaders_refuse_fail_the_import_unless_dropped() {
    // A Cboe VIX6M-like file with a high below its low (as the real VIX6M history has on
    // 2019-07-05) and a repeated date.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vix6m.csv");
    let inp = fixture("import/cboe_vix6m_high_below_low.csv");
    let args = ["data", "import", "--format", "cboe", inp.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let r = ironhedge(&args);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let want =
        format!("{}: not written to {}: the converted data holds 2 errors", inp.display(), out.display());
    assert!(r.stderr.contains(&want), "{}", r.stderr);
    assert!(r.stderr.contains("the first at line 5 of the converted data: duplicate time"), "{}", r.stderr);
    assert!(r.stderr.contains("--drop-invalid"), "{}", r.stderr);
    assert!(!out.exists(), "nothing written");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no probe file left behind");

    let r = ironhedge(&[&args[..], &["--drop-invalid"]].concat());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("4 rows in, 2 rows out"), "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "dropped line 3 (2019-07-05): high < low: `high`: expected high >= low (15.78), found 15.52"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("dropped line 5 (2019-07-08)"), "{}", r.stdout);
    assert_eq!(
        text(&out),
        "date,open,high,low,close\n2019-07-03,15.53,15.74,15.35,15.45\n2019-07-08,15.86,16.03,15.75,15.98\n"
    );
    assert_eq!(load_bars(&out, &BarOptions::default()).unwrap().len(), 2);
}
