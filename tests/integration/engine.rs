//! The backtest engine: a hand-checkable condor to the cent, the daily accounting identity,
//! byte-identical reruns, and no look-ahead.

use crate::common::ironhedge;
use ironhedge::config::load_strategy;
use ironhedge::engine::{run, Market};
use ironhedge::pricing::{bsm_price, OptionType};
use std::path::Path;

/// Two weeks of SPX closes (open = close) and a constant VIX of 20 from 2024-01-02.
fn tiny_market(dir: &Path, closes: &[(&str, f64)]) {
    let mut spx = String::from("date,open,high,low,close\n");
    let mut vix = String::from("date,close\n");
    for (d, c) in closes {
        spx.push_str(&format!("{d},{c},{c},{c},{c}\n"));
        vix.push_str(&format!("{d},20\n"));
    }
    std::fs::write(dir.join("spx.csv"), spx).unwrap();
    std::fs::write(dir.join("vix.csv"), vix).unwrap();
    let strategy = r#"
[strategy]
name = "hand-check"
[data]
spx = "spx.csv"
vix = "vix.csv"
[rates]
risk_free = 0.0
dividend_yield = 0.0
[model]
atm_ratio = 1.0
smile = false
[condor]
entry = "when_flat"
target_dte_days = 7
short_put = { by = "points", value = 100.0 }
short_call = { by = "points", value = 100.0 }
wing = { by = "width", value = 50.0 }
sizing = { by = "contracts", value = 2 }
[costs]
half_spread_usd = 0.05
commission_usd = 0.65
"#;
    std::fs::write(dir.join("s.toml"), strategy).unwrap();
}

const CLOSES: [(&str, f64); 9] = [
    ("2024-01-02", 4700.0),
    ("2024-01-03", 4710.0),
    ("2024-01-04", 4690.0),
    ("2024-01-05", 4650.0),
    ("2024-01-08", 4620.0),
    ("2024-01-09", 4590.0),
    ("2024-01-10", 4600.0),
    ("2024-01-11", 4610.0),
    ("2024-01-12", 4620.0),
];

#[test]
fn one_condor_by_hand_to_the_cent() {
    let dir = tempfile::tempdir().unwrap();
    tiny_market(dir.path(), &CLOSES);
    let s = load_strategy(&dir.path().join("s.toml"), &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    // Entered 2024-01-02 at spot 4700, expiry nearest +7 days = Tue 2024-01-09; strikes
    // 4550 / 4600 / 4800 / 4850; flat vol 20%, r = q = 0, T = 7/365.
    let t = 7.0 / 365.0;
    let p = |kind, k| bsm_price(kind, 4700.0, k, t, 0.0, 0.0, 0.20);
    let mid = p(OptionType::Put, 4600.0) + p(OptionType::Call, 4800.0)
        - p(OptionType::Put, 4550.0)
        - p(OptionType::Call, 4850.0);
    let credit = mid - 4.0 * 0.05;
    // Settles on the 2024-01-09 close 4590: the put spread is 10 points in the money.
    let pnl = (credit - 10.0) * 100.0 * 2.0 - 4.0 * 0.65 * 2.0;
    assert_eq!(r.trades.len(), 1, "no second entry: the next expiry (01-16) is after the data");
    let tr = &r.trades[0];
    assert_eq!(tr.strikes, [4550.0, 4600.0, 4800.0, 4850.0]);
    assert_eq!(tr.expiry.to_string(), "2024-01-09");
    assert_eq!(tr.exit_price, 10.0);
    assert!((tr.pnl_usd - pnl).abs() < 0.005, "{} vs {pnl}", tr.pnl_usd);
    let last = r.days.last().unwrap();
    assert!(
        (last.equity_usd - (100_000.0 + pnl)).abs() < 0.005,
        "{} vs {}",
        last.equity_usd,
        100_000.0 + pnl
    );
    // Entry-day equity: only the costs are lost (marked at mid).
    assert!((r.days[0].equity_usd - (100_000.0 - 4.0 * 0.05 * 200.0 - 4.0 * 0.65 * 2.0)).abs() < 1e-6);
}

#[test]
fn attribution_sums_to_each_days_pnl_to_the_cent() {
    let s = load_strategy(Path::new("strategies/flagship.toml"), &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    assert!(r.trades.len() > 100);
    for (d, a) in r.days.iter().zip(&r.attribution) {
        let parts = crate::common::components_usd(a);
        assert!(
            (parts - a.total_usd).abs() < 0.005,
            "{}: components {parts} vs total {}",
            d.date,
            a.total_usd
        );
        let explained = a.total_usd + d.interest_usd - d.costs_usd;
        assert!(
            (explained - d.pnl_usd).abs() < 0.005,
            "{}: attribution + interest - costs = {explained}, day P&L {}",
            d.date,
            d.pnl_usd
        );
    }
    // Theta is what a short condor book earns; it must be a large positive number.
    let theta: f64 = r.attribution.iter().map(|a| a.theta_usd).sum();
    assert!(theta > 0.0, "theta {theta}");
    // With vanna and volga the Greeks leave under 5% of every group's daily moves unexplained
    // (sum of |residual| over the sum of every component's |value|).
    for (g, days) in r.groups.iter().zip(&r.group_attribution) {
        let num: f64 = days.iter().map(|a| a.residual_usd.abs()).sum();
        let den: f64 = days
            .iter()
            .map(|a| {
                [a.delta_usd, a.gamma_usd, a.vega_usd, a.theta_usd, a.vanna_usd, a.volga_usd, a.residual_usd]
                    .iter()
                    .map(|x| x.abs())
                    .sum::<f64>()
            })
            .sum();
        assert!(num / den < 0.05, "{g}: residual share {}", num / den);
        assert_eq!(ironhedge::results::residual_share(days), Some(num / den), "{g}");
    }
}

#[test]
fn same_config_twice_gives_identical_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for d in [&a, &b] {
        let r = ironhedge(&["run", "strategies/flagship.toml", "--out", d.path().to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let folder = |d: &tempfile::TempDir| std::fs::read_dir(d.path()).unwrap().next().unwrap().unwrap().path();
    let (fa, fb) = (folder(&a), folder(&b));
    assert_eq!(fa.file_name(), fb.file_name(), "the run id is stable");
    for f in
        ["config.toml", "equity.csv", "trades.csv", "attribution.csv", "attribution.parquet", "summary.json"]
    {
        assert_eq!(std::fs::read(fa.join(f)).unwrap(), std::fs::read(fb.join(f)).unwrap(), "{f}");
    }
}

#[test]
fn truncating_the_data_changes_nothing_before() {
    // Truncate after 2016-06-30. A condor is only opened if its expiry is inside the data, so
    // entries within target_dte (+ a few days to the nearest trading day) of the cut may differ;
    // everything before that must be bit-identical.
    let dir = tempfile::tempdir().unwrap();
    let cut = "2016-06-30";
    let text = std::fs::read_to_string("datasets/spx_daily_1999_2018.csv").unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| l.starts_with("date") || &l[..10] <= cut).collect();
    std::fs::write(dir.path().join("spx.csv"), kept.join("\n") + "\n").unwrap();
    let spx = dir.path().join("spx.csv");
    let set = vec![format!("data.spx={:?}", spx.to_str().unwrap())];
    let full = load_strategy(Path::new("strategies/flagship.toml"), &[]).unwrap();
    let short = load_strategy(Path::new("strategies/flagship.toml"), &set).unwrap();
    let rf = run(&full, &Market::load(&full).unwrap(), None, None).unwrap();
    let rs = run(&short, &Market::load(&short).unwrap(), None, None).unwrap();
    let safe = chrono::NaiveDate::from_ymd_opt(2016, 5, 10).unwrap(); // cut - 45 days - slack
    let before = |r: &ironhedge::engine::RunResult| {
        r.days.iter().filter(|d| d.date < safe).cloned().collect::<Vec<_>>()
    };
    assert_eq!(before(&rf), before(&rs));
    let trades = |r: &ironhedge::engine::RunResult| {
        r.trades.iter().filter(|t| t.exit_date < safe).cloned().collect::<Vec<_>>()
    };
    assert_eq!(trades(&rf), trades(&rs));
    assert!(before(&rf).len() > 500);
}

#[test]
fn run_errors_exit_2() {
    let r = ironhedge(&["run", "strategies/flagship.toml", "--from", "2030-01-01"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "no SPX session with a VIX value in the run window 2030-01-01 .. 2018-12-31: the window \
             starts after the SPX data ends (2018-12-31)"
        ),
        "{}",
        r.stderr
    );
    let r = ironhedge(&["run", "strategies/flagship.toml", "--from", "2016-03-05", "--to", "2016-03-06"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("2016-03-05 .. 2016-03-06: the data covers SPX 1999-01-04 .. 2018-12-31"),
        "a weekend: {}",
        r.stderr
    );
    let r = ironhedge(&["run", "strategies/flagship.toml", "--set", "condor.short_put.value=2"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected a number in (0, 0.99], found 2"), "{}", r.stderr);
}

#[test]
fn cash_earns_the_rate_from_a_rates_file() {
    let dir = tempfile::tempdir().unwrap();
    tiny_market(dir.path(), &CLOSES);
    std::fs::write(dir.path().join("rates.csv"), "date,dff\n2024-01-02,5.0\n2024-01-05,4.0\n").unwrap();
    let set = ["rates.file=\"rates.csv\"".to_string(), "rates.unit=percent".to_string()];
    let s = load_strategy(&dir.path().join("s.toml"), &set).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    let d = &r.days;
    assert_eq!(d[0].interest_usd, 0.0, "no interest before the first close");
    for i in 1..d.len() {
        let dt = (d[i].date - d[i - 1].date).num_days() as f64 / 365.0;
        let rate = if d[i].date.to_string().as_str() >= "2024-01-05" { 0.04 } else { 0.05 };
        let want = d[i - 1].cash_usd * ((rate * dt).exp() - 1.0);
        assert!((d[i].interest_usd - want).abs() < 1e-9, "{}: {} vs {want}", d[i].date, d[i].interest_usd);
    }
    // A weekend earns three days.
    let monday = d.iter().position(|x| x.date.to_string() == "2024-01-08").unwrap();
    assert!(
        d[monday].interest_usd > 2.9 * d[monday - 1].interest_usd,
        "Monday (3 days at 4%) vs Friday (1 day at 4%)"
    );
}

#[test]
fn sizing_by_risk_fraction_and_buying_power() {
    let s = load_strategy(Path::new("strategies/monthly_45dte_16delta.toml"), &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    let t = &r.trades[0];
    let width = (t.strikes[1] - t.strikes[0]).max(t.strikes[3] - t.strikes[2]);
    let max_loss = (width - t.credit) * 100.0;
    assert_eq!(t.contracts as f64, (0.05 * 100_000.0 / max_loss).floor(), "5% of equity at risk");
    // Asking for more contracts than buying power allows is capped at equity / max loss.
    let s = load_strategy(
        Path::new("strategies/flagship.toml"),
        &["condor.sizing.value=100000".into(), "condor.max_concurrent=1".into()],
    )
    .unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    let t = &r.trades[0];
    let max_loss = ((t.strikes[1] - t.strikes[0]).max(t.strikes[3] - t.strikes[2]) - t.credit) * 100.0;
    let equity_before = 100_000.0;
    assert_eq!(t.contracts as f64, (equity_before / max_loss).floor());
    let margin = r.days[0].margin_usd;
    assert!(
        margin <= equity_before && margin > equity_before - max_loss,
        "margin {margin} uses the buying power"
    );
}

#[test]
fn report_redraws_the_same_charts_from_saved_results() {
    let out = tempfile::tempdir().unwrap();
    assert_eq!(
        ironhedge(&["run", "strategies/cndr_like.toml", "--out", out.path().to_str().unwrap()]).code,
        0
    );
    let dir = std::fs::read_dir(out.path()).unwrap().next().unwrap().unwrap().path();
    let before: Vec<Vec<u8>> =
        ["equity.png", "attribution.png"].iter().map(|f| std::fs::read(dir.join(f)).unwrap()).collect();
    for f in ["equity.png", "attribution.png"] {
        std::fs::remove_file(dir.join(f)).unwrap();
    }
    let r = ironhedge(&["report", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after: Vec<Vec<u8>> =
        ["equity.png", "attribution.png"].iter().map(|f| std::fs::read(dir.join(f)).unwrap()).collect();
    assert_eq!(before, after, "same saved data, same pixels");
    let r = ironhedge(&["report", out.path().to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("config.toml: cannot read") && r.stderr.contains("is this a results folder?"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_missing_data_file_names_the_strategy_file_and_key() {
    let d = tempfile::tempdir().unwrap();
    let text = crate::common::weekly_condor_base().replace("vix_close_2014_2019.csv", "no_such_vix.csv");
    let s = d.path().join("s.toml");
    std::fs::write(&s, &text).unwrap();
    let line = text.lines().position(|l| l.contains("no_such_vix.csv")).unwrap() + 1;
    for cmd in ["run", "sweep"] {
        let r = ironhedge(&[cmd, s.to_str().unwrap(), "--out", d.path().join("o").to_str().unwrap()]);
        assert_eq!(r.code, 2, "{cmd}: {}", r.stderr);
        let want = format!("{}: line {line}: key `data.vix`: expected an existing data file", s.display());
        assert!(r.stderr.contains(&want), "{cmd}: {}", r.stderr);
        assert!(r.stderr.contains("no_such_vix.csv` (no such file)"), "{cmd}: {}", r.stderr);
    }
}
