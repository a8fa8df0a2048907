//! Charts: every chart of a run is written at 1600 x 1000, `report` redraws the same bytes from the
//! saved files, the log-scale option, sweep charts, and clear messages (not panics) for data too
//! small to draw.

use crate::common::ironhedge;
use chrono::NaiveDate;
use ironhedge::charts::{
    equity_chart, heatmap_chart, monthly_returns_chart, sensitivity_chart, signals_chart, top_equity_chart,
    Curve, Heatmap, RunChartData, SensitivityLine,
};
use std::path::Path;

const RUN_CHARTS: [&str; 6] = [
    "equity.png",
    "attribution.png",
    "attribution_groups.png",
    "hedge.png",
    "signals.png",
    "monthly_returns.png",
];

/// Width and height from a PNG's IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "{} is a PNG", path.display());
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

fn run_to(out: &Path, extra: &[&str]) -> std::path::PathBuf {
    let mut args = vec!["run", "strategies/flagship.toml", "--out", out.to_str().unwrap()];
    args.extend(extra);
    let r = ironhedge(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::read_dir(out).unwrap().next().unwrap().unwrap().path()
}

#[test]
fn the_signals_chart_has_a_panel_per_series_the_rules_read() {
    let out = tempfile::tempdir().unwrap();
    let r = ironhedge(&["run", "strategies/vix_momentum_guard.toml", "--out", out.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = std::fs::read_dir(out.path()).unwrap().next().unwrap().unwrap().path();
    // Five rule series: VIX MACD histogram, RSI, rate of change, percent rank, SPX divergence.
    let header = std::fs::read_to_string(dir.join("signals.csv")).unwrap();
    assert_eq!(
        header.lines().next().unwrap().matches('"').count() / 2,
        5,
        "{}",
        header.lines().next().unwrap()
    );
    assert_eq!(png_size(&dir.join("signals.png")), (1600, 1000 + 5 * 150));
}

#[test]
fn every_run_chart_is_written_and_report_redraws_the_same_bytes() {
    let out = tempfile::tempdir().unwrap();
    let dir = run_to(out.path(), &[]);
    let before: Vec<Vec<u8>> = RUN_CHARTS
        .iter()
        .map(|f| {
            let p = dir.join(f);
            assert_eq!(png_size(&p), (1600, 1000), "{f}");
            let bytes = std::fs::read(&p).unwrap();
            assert!(bytes.len() > 50_000, "{f}: {} bytes", bytes.len());
            bytes
        })
        .collect();
    for f in RUN_CHARTS {
        std::fs::remove_file(dir.join(f)).unwrap();
    }
    let r = ironhedge(&["report", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for (f, b) in RUN_CHARTS.iter().zip(&before) {
        assert!(r.stdout.contains(f), "report lists {f}");
        assert_eq!(&std::fs::read(dir.join(f)).unwrap(), b, "{f}: same saved data, same pixels");
    }
    // The log scale changes the equity chart only.
    let r = ironhedge(&["report", dir.to_str().unwrap(), "--log-equity"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_ne!(std::fs::read(dir.join("equity.png")).unwrap(), before[0]);
    assert_eq!(std::fs::read(dir.join("signals.png")).unwrap(), before[4]);
}

#[test]
fn a_run_without_a_hedge_has_no_hedge_chart_and_a_one_day_run_no_charts() {
    let out = tempfile::tempdir().unwrap();
    let r = ironhedge(&["run", "strategies/weekly_condor.toml", "--out", out.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = std::fs::read_dir(out.path()).unwrap().next().unwrap().unwrap().path();
    assert!(!dir.join("hedge.png").exists() && dir.join("signals.png").exists());
    let one = tempfile::tempdir().unwrap();
    let args =
        ["run", "strategies/weekly_condor.toml", "--from", "2015-03-02", "--to", "2015-03-02", "--out"];
    let r = ironhedge(&[&args[..], &[one.path().to_str().unwrap()]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = std::fs::read_dir(one.path()).unwrap().next().unwrap().unwrap().path();
    assert!(dir.join("summary.json").exists());
    assert!(RUN_CHARTS.iter().all(|f| !dir.join(f).exists()), "one day: nothing to chart");
    let r = ironhedge(&["report", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("fewer than two days"), "{}", r.stdout);
}

#[test]
fn too_little_data_is_a_clear_message_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.png");
    let day = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    let one =
        RunChartData { name: "x".into(), dates: vec![day], equity: vec![1.0], ..RunChartData::default() };
    let msgs = [
        equity_chart(&p, "x", &[day], &[1.0], 1.0, false).unwrap_err().to_string(),
        signals_chart(&p, &one).unwrap_err().to_string(),
        monthly_returns_chart(&p, "x", &[], &[], 1.0).unwrap_err().to_string(),
        top_equity_chart(&p, "x", &[Curve { label: "a".into(), dates: vec![day], equity: vec![1.0] }])
            .unwrap_err()
            .to_string(),
        sensitivity_chart(&p, "x", "sharpe", &[]).unwrap_err().to_string(),
    ];
    for m in msgs {
        assert!(m.contains("x.png: nothing to draw"), "{m}");
    }
    assert!(!p.exists(), "no half-drawn file");
}

#[test]
fn sweep_charts_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let fmt = |v: f64| format!("{v:.2}");
    let h = Heatmap {
        title: "sharpe over short delta x wing width".into(),
        x_desc: "condor.short_put.value",
        y_desc: "condor.wing.value",
        x_labels: ["0.10", "0.16", "0.20"].map(String::from).to_vec(),
        y_labels: ["25", "50"].map(String::from).to_vec(),
        values: vec![vec![0.1, -0.2, 0.3], vec![0.4, f64::NAN, -0.6]],
        format: &fmt,
        center: Some(0.0),
        bright_low: false,
    };
    let lines = vec![
        SensitivityLine {
            param: "short delta".into(),
            x: vec![0.1, 0.16, 0.2],
            y: vec![0.4, 0.1, -0.6],
            labels: Vec::new(),
        },
        SensitivityLine { param: "wing".into(), x: vec![25.0, 50.0], y: vec![0.3, 0.4], labels: Vec::new() },
        SensitivityLine {
            param: "exit".into(),
            x: vec![0.0, 1.0, 2.0],
            y: vec![0.1, 0.2, 0.5],
            labels: vec!["25 / 21".into(), "50 / 21".into(), "none / none".into()],
        },
    ];
    let dates: Vec<NaiveDate> =
        (0..100).map(|i| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i)).collect();
    let curves: Vec<Curve> = (0..3)
        .map(|k| Curve {
            label: format!("#{k}"),
            dates: dates.clone(),
            equity: (0..100).map(|i| 1e5 + (k * i) as f64 * 10.0).collect(),
        })
        .collect();
    heatmap_chart(&dir.path().join("h.png"), &h).unwrap();
    sensitivity_chart(&dir.path().join("s.png"), "sensitivity", "sharpe", &lines).unwrap();
    let mut unnamed = lines.clone();
    unnamed[2].labels.pop();
    let e = sensitivity_chart(&dir.path().join("s2.png"), "sensitivity", "sharpe", &unnamed);
    assert!(e.is_err(), "a category without a name is refused");
    top_equity_chart(&dir.path().join("t.png"), "top 3", &curves).unwrap();
    for f in ["h.png", "s.png", "t.png"] {
        assert_eq!(png_size(&dir.path().join(f)), (1600, 1000), "{f}");
    }
}
