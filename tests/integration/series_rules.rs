//! Rules over any series: the functions against independent computations from the data files,
//! no indicator seeing the future (every function and series on data truncated at a date), the
//! legacy names giving the same bits as their new spellings, and the validation of bad rules.

use crate::common::{ironhedge as cli, shared};
use chrono::NaiveDate;
use ironhedge::config::load_strategy;
use ironhedge::engine::{run, Market, RunResult};
use std::path::{Path, PathBuf};

/// The weekly condor on the bundled data with `extra` appended, written in `dir` (data paths
/// absolute unless `data_dir` replaces them).
fn strategy(dir: &Path, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string("strategies/weekly_condor.toml")
        .unwrap()
        .replace("../datasets/", &format!("{}/datasets/", env!("CARGO_MANIFEST_DIR")));
    let p = dir.join("s.toml");
    std::fs::write(&p, format!("{text}\n{extra}\n")).unwrap();
    p
}

fn run_file(p: &Path) -> RunResult {
    let s = load_strategy(p, &[]).unwrap();
    run(&s, &Market::load(&s).unwrap(), None, None).unwrap()
}

fn trace<'a>(r: &'a RunResult, name: &str) -> &'a [Option<f64>] {
    let names: Vec<&str> = r.signals.iter().map(|(n, _)| n.as_str()).collect();
    &r.signals.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name} not in {names:?}")).1
}

/// `(date, close)` of a bundled daily file's value column.
fn closes(file: &str, column: usize) -> Vec<(NaiveDate, f64)> {
    let (_, rows) =
        crate::common::read_csv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets").join(file));
    rows.iter().map(|r| (r[0].parse().unwrap(), r[column].parse().unwrap())).collect()
}

/// The values of `series` known at each run day's close (rows dated on or before it).
fn known_on(series: &[(NaiveDate, f64)], days: &[NaiveDate]) -> Vec<Vec<f64>> {
    days.iter().map(|d| series.iter().filter(|(x, _)| x <= d).map(|(_, v)| *v).collect()).collect()
}

fn rule(cond: &str) -> String {
    format!("[[rules]]\nall = [{cond}]\naction = \"widen_wings\"\npoints = 5.0\n")
}

#[test]
fn functions_match_independent_computations_on_the_bundled_files() {
    let dir = tempfile::tempdir().unwrap();
    let rules = [
        "{ signal = \"rsi\", of = \"spx\", periods = 14, op = \">\", value = 70 }",
        "{ signal = \"sma\", of = \"vix\", periods = 10, op = \">\", value = 20 }",
        "{ signal = \"roc\", of = \"vix\", periods = 5, op = \">\", value = 20 }",
        "{ signal = \"pct_rank\", of = \"vix\", periods = 50, op = \">\", value = 90 }",
        "{ signal = \"crosses_above\", of = \"vix\", level = 20 }",
        "{ signal = \"level\", of = \"vix/spx\", op = \">\", value = 1 }",
    ]
    .map(rule)
    .join("\n");
    let r = run_file(&strategy(dir.path(), &rules));
    let days: Vec<NaiveDate> = r.days.iter().map(|d| d.date).collect();
    let spx = known_on(&closes("spx_daily_1999_2018.csv", 4), &days);
    let vix = known_on(&closes("vix_close_2014_2019.csv", 1), &days);
    // Wilder's RSI(14), written out: seed with the mean of the first 14 changes, then smooth.
    let rsi = |x: &[f64]| -> Option<f64> {
        if x.len() < 15 {
            return None;
        }
        let ch: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
        let (mut g, mut l) = (
            ch[..14].iter().map(|c| c.max(0.0)).sum::<f64>() / 14.0,
            ch[..14].iter().map(|c| (-c).max(0.0)).sum::<f64>() / 14.0,
        );
        for c in &ch[14..] {
            g = (g * 13.0 + c.max(0.0)) / 14.0;
            l = (l * 13.0 + (-c).max(0.0)) / 14.0;
        }
        Some(100.0 - 100.0 / (1.0 + g / l))
    };
    let near = |a: Option<f64>, b: Option<f64>, what: &str, d: NaiveDate| match (a, b) {
        (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{what} on {d}: {a} vs {b}"),
        (a, b) => assert_eq!(a.is_some(), b.is_some(), "{what} on {d}: {a:?} vs {b:?}"),
    };
    for (i, d) in days.iter().enumerate() {
        near(trace(&r, "rsi(spx, 14)")[i], rsi(&spx[i]), "rsi", *d);
        let v = &vix[i];
        let sma = (v.len() >= 10).then(|| v[v.len() - 10..].iter().sum::<f64>() / 10.0);
        near(trace(&r, "sma(vix, 10)")[i], sma, "sma", *d);
        let roc = (v.len() >= 6).then(|| 100.0 * (v[v.len() - 1] / v[v.len() - 6] - 1.0));
        near(trace(&r, "roc(vix, 5)")[i], roc, "roc", *d);
        let rank = (v.len() >= 50).then(|| {
            let w = &v[v.len() - 50..];
            100.0 * w.iter().filter(|x| **x <= v[v.len() - 1]).count() as f64 / 50.0
        });
        near(trace(&r, "pct_rank(vix, 50)")[i], rank, "pct_rank", *d);
        let ratio = spx[i].last().zip(v.last()).map(|(s, x)| x / s);
        near(trace(&r, "vix/spx")[i], ratio, "ratio", *d);
        // A cross is true on the session VIX closes above 20 having closed at or below it on the
        // previous session.
        let crossed = i > 0 && *vix[i - 1].last().unwrap() <= 20.0 && *v.last().unwrap() > 20.0;
        assert_eq!(trace(&r, "crosses_above(vix, 20)")[i], Some(f64::from(u8::from(crossed))), "{d}");
    }
    let crosses = trace(&r, "crosses_above(vix, 20)").iter().filter(|x| **x == Some(1.0)).count();
    assert!(crosses >= 5, "VIX crossed 20 upward {crosses} times in 2014-2018");
    // signals.csv holds the same values.
    let out =
        cli(&["run", dir.path().join("s.toml").to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let folder = std::fs::read_dir(dir.path()).unwrap().flatten().find(|e| e.path().is_dir()).unwrap().path();
    let text = std::fs::read_to_string(folder.join("signals.csv")).unwrap();
    assert!(text.starts_with("date,\"rsi(spx, 14)\",\"sma(vix, 10)\""), "{}", &text[..80]);
    assert_eq!(text.lines().count(), days.len() + 1);
}

#[test]
fn legacy_names_give_the_same_bits_as_their_new_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = [
        "{ signal = \"spx_rsi\", op = \"<\", value = 40 }",
        "{ signal = \"spx_macd_hist\", op = \"<\", value = -5 }",
        "{ signal = \"spx_realized_vol\", op = \">\", value = 0.2 }",
        "{ signal = \"vix\", op = \">\", value = 22 }",
    ];
    let spelled = [
        "{ signal = \"rsi\", of = \"spx\", periods = 14, op = \"<\", value = 40 }",
        "{ signal = \"macd_hist\", of = \"spx\", fast = 12, slow = 26, smooth = 9, op = \"<\", value = -5 }",
        "{ signal = \"realized_vol\", of = \"spx\", periods = 20, op = \">\", value = 0.2 }",
        "{ signal = \"level\", of = \"vix\", op = \">\", value = 22 }",
    ];
    let actions =
        ["skip_entry", "close_all", "reduce_size\"\nfactor = \"0.5", "widen_wings\"\npoints = \"10"];
    let text = |conds: &[&str]| {
        conds
            .iter()
            .zip(actions)
            .map(|(c, a)| {
                format!("[[rules]]\nall = [{c}]\naction = \"{a}\"\n")
                    .replace("\"0.5\"", "0.5")
                    .replace("\"10\"", "10")
            })
            .collect::<String>()
    };
    let a = run_file(&strategy(dir.path(), &text(&legacy)));
    let b = run_file(&strategy(dir.path(), &text(&spelled)));
    assert!(!a.trades.is_empty());
    assert_eq!(a.trades, b.trades);
    assert_eq!(a.days, b.days);
    assert_eq!(a.signals, b.signals);
    // The rules bind: the run differs from the plain strategy's.
    let plain = run_file(&strategy(dir.path(), ""));
    assert_ne!(plain.trades.len(), a.trades.len());
}

/// Write `file`'s rows dated on or before `cut` (a `date` or ISO timestamp first column).
fn truncate(from: &Path, to: &Path, cut: NaiveDate) {
    let text = std::fs::read_to_string(from).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for l in lines {
        let d: NaiveDate = l[..10].parse().unwrap();
        if d <= cut {
            out.push_str(l);
            out.push('\n');
        }
    }
    std::fs::write(to, out).unwrap();
}

/// Every function over the series in `data` (name -> file), run on the full files and on files
/// cut at `cut`: every recorded value up to the cut's last session is the same.
fn no_function_sees_the_future(data: &str, series: &[&str], cut: NaiveDate, files: &[PathBuf], dir: &Path) {
    let mut conds = Vec::new();
    for s in series {
        for f in
            ["level", "sma", "ema", "macd", "macd_signal", "macd_hist", "rsi", "zscore", "roc", "pct_rank"]
        {
            conds.push(format!("{{ signal = \"{f}\", of = \"{s}\", op = \">\", value = 1e12 }}"));
        }
        if !s.contains("liq") && !s.contains("funding") {
            conds.push(format!("{{ signal = \"realized_vol\", of = \"{s}\", op = \">\", value = 1e12 }}"));
        }
        conds.push(format!("{{ signal = \"crosses_above\", of = \"{s}\", other = \"vix\" }}"));
        conds.push(format!("{{ signal = \"crosses_below\", of = \"{s}\", level = 15 }}"));
        conds.push(format!("{{ signal = \"macd_divergence\", of = \"{s}\", window = 10 }}"));
    }
    let rules: String = conds.iter().map(|c| rule(c)).collect();
    let full_dir = dir.join("full");
    let cut_dir = dir.join("cut");
    for d in [&full_dir, &cut_dir] {
        std::fs::create_dir_all(d).unwrap();
    }
    for f in files {
        let name = f.file_name().unwrap();
        std::fs::copy(f, full_dir.join(name)).unwrap();
        truncate(f, &cut_dir.join(name), cut);
    }
    let write = |d: &Path| {
        let p = d.join("s.toml");
        std::fs::write(&p, format!("{data}\n{rules}")).unwrap();
        run_file(&p)
    };
    let (full, short) = (write(&full_dir), write(&cut_dir));
    assert!(short.days.len() > 100 && short.days.len() < full.days.len());
    assert_eq!(full.signals.len(), short.signals.len());
    let mut compared = 0;
    for ((name, a), (_, b)) in full.signals.iter().zip(&short.signals) {
        assert_eq!(&a[..b.len()], &b[..], "{name} changed before the cut when later rows were removed");
        compared += b.iter().filter(|x| x.is_some()).count();
    }
    assert!(compared > 1000, "values compared: {compared}");
}

#[test]
fn no_indicator_sees_the_future_on_the_bundled_series() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
    // A named series (date,value) and daily funding, written here.
    let mut breadth = String::from("date,value\n");
    let mut funding = String::from("date,rate\n");
    let mut day = NaiveDate::from_ymd_opt(2013, 6, 1).unwrap();
    for i in 0..2100u32 {
        breadth.push_str(&format!(
            "{day},{}\n",
            1000.0 + 50.0 * (f64::from(i) * 0.13).sin() + f64::from(i % 11)
        ));
        funding.push_str(&format!("{day},{}\n", 0.01 + 0.002 * (f64::from(i) * 0.7).cos()));
        day = day.succ_opt().unwrap();
    }
    let (ad, fund) = (dir.path().join("ad_line.csv"), dir.path().join("funding.csv"));
    std::fs::write(&ad, breadth).unwrap();
    std::fs::write(&fund, funding).unwrap();
    let files = [
        root.join("spx_daily_1999_2018.csv"),
        root.join("vix_close_2014_2019.csv"),
        root.join("synthetic_btc_liquidations_4h_2014_2018.csv"),
        ad,
        fund,
    ];
    let data = "[strategy]\nname = \"t\"\n[data]\nspx = \"spx_daily_1999_2018.csv\"\nvix = \"vix_close_2014_2019.csv\"\n[data.series]\nad_line = \"ad_line.csv\"\n[dates]\nstart = 2014-03-03\n[condor]\nentry = \"weekday\"\nweekday = \"mon\"\ntarget_dte_days = 30\nshort_put = { by = \"delta\", value = 0.16 }\nshort_call = { by = \"delta\", value = 0.16 }\nwing = { by = \"width\", value = 50.0 }\nsizing = { by = \"contracts\", value = 1 }\n[signals]\nliquidations = \"synthetic_btc_liquidations_4h_2014_2018.csv\"\ncascade_threshold_usd = 1e12\nfunding = \"funding.csv\"\n";
    let series = ["spx", "vix", "vix/spx", "series.ad_line", "long_liq_usd", "short_liq_usd", "funding"];
    no_function_sees_the_future(
        data,
        &series,
        NaiveDate::from_ymd_opt(2016, 6, 30).unwrap(),
        &files,
        dir.path(),
    );
}

#[test]
fn no_indicator_sees_the_future_on_the_real_vix_family_and_futures() {
    let names = [
        "spx_daily_1990_2026.csv",
        "vix_daily_1990_2026.csv",
        "vix9d_daily_2011_2026.csv",
        "vix3m_daily_2009_2026.csv",
        "vvix_daily_2006_2026.csv",
        "skew_daily_1990_2026.csv",
        "vx_term_structure_m1_m7_2004_2024.csv",
    ];
    let Some(files) = names.iter().map(|n| shared(n)).collect::<Option<Vec<_>>>() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = "[strategy]\nname = \"t\"\n[data]\nspx = \"spx_daily_1990_2026.csv\"\nvix = \"vix_daily_1990_2026.csv\"\nvix9d = \"vix9d_daily_2011_2026.csv\"\nvix3m = \"vix3m_daily_2009_2026.csv\"\nvix6m = \"vix3m_daily_2009_2026.csv\"\nvvix = \"vvix_daily_2006_2026.csv\"\nskew = \"skew_daily_1990_2026.csv\"\nvx_term = \"vx_term_structure_m1_m7_2004_2024.csv\"\n[dates]\nstart = 2021-01-04\nend = 2023-12-29\n[condor]\nentry = \"weekday\"\nweekday = \"mon\"\ntarget_dte_days = 30\nshort_put = { by = \"delta\", value = 0.16 }\nshort_call = { by = \"delta\", value = 0.16 }\nwing = { by = \"width\", value = 50.0 }\nsizing = { by = \"contracts\", value = 1 }\n";
    // No VIX6M file is shared: the VIX3M file stands in for it (the same loader and rows).
    let series =
        ["vix9d", "vix3m", "vix6m", "vvix", "skew", "vx1", "vx2", "vx7", "vx30", "vix/vix3m", "vx1/vx2"];
    no_function_sees_the_future(
        data,
        &series,
        NaiveDate::from_ymd_opt(2022, 6, 30).unwrap(),
        &files,
        dir.path(),
    );
}

#[test]
fn vx30_is_the_curve_thirty_days_out_and_vx1_jumps_at_rolls() {
    let (Some(vx), Some(spx), Some(vix)) = (
        shared("vx_term_structure_m1_m7_2004_2024.csv"),
        shared("spx_daily_1990_2026.csv"),
        shared("vix_daily_1990_2026.csv"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text = format!("[strategy]\nname = \"t\"\n[data]\nspx = \"{}\"\nvix = \"{}\"\nvx_term = \"{}\"\n[dates]\nstart = 2022-01-03\nend = 2022-12-30\n[condor]\nentry = \"weekday\"\nweekday = \"mon\"\ntarget_dte_days = 30\nshort_put = {{ by = \"delta\", value = 0.16 }}\nshort_call = {{ by = \"delta\", value = 0.16 }}\nwing = {{ by = \"width\", value = 50.0 }}\nsizing = {{ by = \"contracts\", value = 1 }}\n{}{}{}{}", spx.display(), vix.display(), vx.display(),
        rule("{ signal = \"level\", of = \"vx1\", op = \">\", value = 1e9 }"),
        rule("{ signal = \"level\", of = \"vx3\", op = \">\", value = 1e9 }"),
        rule("{ signal = \"level\", of = \"vx2\", op = \">\", value = 1e9 }"),
        rule("{ signal = \"level\", of = \"vx30\", op = \">\", value = 1e9 }"));
    let p = dir.path().join("s.toml");
    std::fs::write(&p, text).unwrap();
    let r = run_file(&p);
    let (v1, v2, v3, v30) = (trace(&r, "vx1"), trace(&r, "vx2"), trace(&r, "vx3"), trace(&r, "vx30"));
    let mut day_moves = (0.0f64, 0.0f64);
    for i in 1..r.days.len() {
        let (Some(a), Some(b), Some(m3), Some(c)) = (v1[i], v2[i], v3[i], v30[i]) else { continue };
        // 30 days out lies between spot VIX and the first three listed futures (the second and
        // third when the first expires within days).
        let (lo, hi) =
            [a, b, m3, r.days[i].vix].iter().fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(*x), h.max(*x)));
        assert!(c >= lo - 1e-9 && c <= hi + 1e-9, "{}: {c} outside {lo}..{hi}", r.days[i].date);
        if let (Some(p1), Some(p30)) = (v1[i - 1], v30[i - 1]) {
            day_moves.0 = day_moves.0.max((a - p1).abs());
            day_moves.1 = day_moves.1.max((c - p30).abs());
        }
    }
    assert!(day_moves.0 > 0.0 && day_moves.1 > 0.0, "{day_moves:?}");
}

#[test]
fn bad_rules_name_the_key_with_a_suggestion_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "{ signal = \"macd_hst\", of = \"vix\", op = \">\", value = 0 }",
            "rules[0].all[0].signal",
            "did you mean `macd_hist`?",
        ),
        ("{ signal = \"rsi\", of = \"vx01\", op = \">\", value = 70 }", "rules[0].all[0].of", "did you mean"),
        (
            "{ signal = \"macd_hist\", of = \"vix\", periods = 5, op = \">\", value = 0 }",
            "rules[0].all[0].periods",
            "only of, fast, slow, smooth",
        ),
        (
            "{ signal = \"rsi\", of = \"vix\", perods = 5, op = \">\", value = 0 }",
            "perods",
            "did you mean `periods`?",
        ),
        (
            "{ signal = \"rsi\", of = \"vix3m\", op = \">\", value = 70 }",
            "rules[0].all[0].of",
            "add data.vix3m",
        ),
        (
            "{ signal = \"level\", of = \"vx1\", op = \">\", value = 20 }",
            "rules[0].all[0].of",
            "add data.vx_term",
        ),
        (
            "{ signal = \"zscore\", of = \"funding\", op = \">\", value = 2 }",
            "rules[0].all[0].of",
            "add signals.funding",
        ),
        (
            "{ signal = \"level\", of = \"series.breadth\", op = \">\", value = 2 }",
            "rules[0].all[0].of",
            "add data.series.breadth",
        ),
        (
            "{ signal = \"crosses_above\", of = \"vix\", level = 20, op = \">\", value = 1 }",
            "rules[0].all[0].op",
            "an event",
        ),
        ("{ signal = \"crosses_above\", of = \"vix\" }", "rules[0].all[0].other", "exactly one of"),
        (
            "{ signal = \"rsi\", of = \"vix\", periods = 1, op = \">\", value = 70 }",
            "rules[0].all[0].periods",
            "[2, 5000]",
        ),
        (
            "{ signal = \"vix_term_ratio\", op = \">\", value = 1 }",
            "rules[0].all[0].signal",
            "add data.vix3m",
        ),
    ];
    for (cond, key, needle) in cases {
        let p = strategy(dir.path(), &format!("[[rules]]\nall = [{cond}]\naction = \"skip_entry\"\n"));
        let out = cli(&["strategy", "check", p.to_str().unwrap()]);
        assert_eq!(out.code, 2, "{cond}: {}", out.stderr);
        assert!(out.stderr.contains(key) && out.stderr.contains(needle), "{cond}: {}", out.stderr);
        assert!(out.stderr.contains("s.toml: line "), "{cond}: the line: {}", out.stderr);
    }
    // Position fields need a position action.
    let p = strategy(dir.path(), "[[rules]]\nall = [{ signal = \"position.tested\", op = \">=\", value = 1 }]\naction = \"skip_entry\"\n");
    let out = cli(&["strategy", "check", p.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("rules[0].action") && out.stderr.contains("a position action"),
        "{}",
        out.stderr
    );
    // A series loaded but never read is a warning, not an error.
    std::fs::write(dir.path().join("breadth.csv"), "date,value\n2014-01-02,1\n").unwrap();
    let p = strategy(dir.path(), "");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen("[dates]", "[data.series]\nbreadth = \"breadth.csv\"\n\n[dates]", 1))
        .unwrap();
    let out = cli(&["strategy", "check", p.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("warning:")
            && out.stderr.contains("data.series.breadth is loaded but no rule reads it"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_named_series_row_is_known_at_the_new_york_close_or_at_the_utc_day_end() {
    let dir = tempfile::tempdir().unwrap();
    // One value per calendar day: the day of the month.
    let mut text = String::from("date,value\n");
    let mut day = NaiveDate::from_ymd_opt(2013, 12, 1).unwrap();
    while day < NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() {
        text.push_str(&format!("{day},{}\n", chrono::Datelike::day(&day)));
        day = day.succ_opt().unwrap();
    }
    std::fs::write(dir.path().join("dom.csv"), text).unwrap();
    let base = strategy(dir.path(), "");
    let read = |entry: &str| {
        let t = std::fs::read_to_string(&base).unwrap();
        let with = t.replacen("[dates]", &format!("[data.series]\ndom = {entry}\n\n[dates]"), 1)
            + &rule("{ signal = \"level\", of = \"series.dom\", op = \">\", value = 40 }");
        let p = dir.path().join("named.toml");
        std::fs::write(&p, with).unwrap();
        run_file(&p)
    };
    let close = read("\"dom.csv\"");
    let day_end = read("{ path = \"dom.csv\", known_at = \"utc_day_end\" }");
    for (i, d) in close.days.iter().enumerate() {
        let dom = f64::from(chrono::Datelike::day(&d.date));
        assert_eq!(close.signals[0].1[i], Some(dom), "{}: today's row at today's close", d.date);
        // At the UTC day's end the row of D is known after D's New York close: the decision sees
        // the previous calendar day's row.
        let prev = f64::from(chrono::Datelike::day(&d.date.pred_opt().unwrap()));
        assert_eq!(day_end.signals[0].1[i], Some(prev), "{}: yesterday's row", d.date);
    }
}
