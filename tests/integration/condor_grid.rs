//! The condor-grid benchmark workload (`../shared/bench`, SPEC.md there) expressed as an ironhedge
//! strategy (`benches/condor_grid.toml`): the check combination's every trade and every day's
//! equity must match the reference to the cent.

use crate::common::read_csv;
use ironhedge::config::load_strategy;
use ironhedge::engine::{run, Market};
use std::path::Path;

fn reference(name: &str) -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/reference").join(name);
    if p.exists() {
        Some(p)
    } else {
        println!("SKIPPED: {} not found (../shared/bench is absent)", p.display());
        None
    }
}

#[test]
fn check_combination_matches_the_reference_to_the_cent() {
    let (Some(trades_ref), Some(equity_ref)) =
        (reference("check_combo_trades.csv"), reference("check_combo_equity.csv"))
    else {
        return;
    };
    let s = load_strategy(Path::new("benches/condor_grid.toml"), &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    let (_, trades) = read_csv(&trades_ref);
    assert_eq!(r.trades.len(), trades.len());
    let num = |x: &str| x.parse::<f64>().unwrap();
    for (t, want) in r.trades.iter().zip(&trades) {
        assert_eq!(t.entry_date.to_string(), want[0]);
        assert_eq!(t.expiry.to_string(), want[1]);
        assert_eq!(t.exit_date.to_string(), want[2]);
        assert_eq!(t.strikes, [num(&want[3]), num(&want[4]), num(&want[5]), num(&want[6])]);
        assert!((t.credit - num(&want[7])).abs() < 5e-7, "{}: credit {} vs {}", want[0], t.credit, want[7]);
        assert!((t.pnl_usd - num(&want[9])).abs() < 0.005, "{}: pnl {} vs {}", want[0], t.pnl_usd, want[9]);
        let reason = match want[10].as_str() {
            "dte21" => "dte",
            "target" => "profit_target",
            other => other,
        };
        assert_eq!(t.exit_reason.as_str(), reason, "{}", want[0]);
    }
    let (_, days) = read_csv(&equity_ref);
    assert_eq!(r.days.len(), days.len());
    for (d, want) in r.days.iter().zip(&days) {
        assert_eq!(d.date.to_string(), want[0]);
        let pnl = d.equity_usd - s.initial_usd;
        assert!((pnl - num(&want[1])).abs() < 0.005, "{}: equity {pnl} vs {}", want[0], want[1]);
    }
}

#[test]
fn the_1600_combination_sweep_matches_the_reference_grid_to_the_cent() {
    let Some(grid_ref) = reference("condor_grid_1600.csv") else { return };
    let out = tempfile::tempdir().unwrap();
    let r = crate::common::ironhedge(&[
        "sweep",
        "benches/condor_grid.toml",
        "--out",
        out.path().to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (header, rows) = read_csv(&out.path().join("results.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap_or_else(|| panic!("no column {n}"));
    let key = |delta: &str, dte: &str, pt: &str, wing: &str| {
        let f = |s: &str| s.parse::<f64>().map_or(s.to_string(), |x| format!("{x:.2}"));
        format!("{}/{}/{}/{}", f(delta), f(dte), f(pt), f(wing))
    };
    let ours: std::collections::HashMap<String, &Vec<String>> = rows
        .iter()
        .map(|r| {
            let pt = r[col("condor.profit_target_pct")]
                .parse::<f64>()
                .map_or("1".to_string(), |p| (p / 100.0).to_string());
            (
                key(
                    &r[col("condor.short_put.value")],
                    &r[col("condor.target_dte_days")],
                    &pt,
                    &r[col("condor.wing.value")],
                ),
                r,
            )
        })
        .collect();
    let (_, want) = read_csv(&grid_ref);
    assert_eq!((want.len(), ours.len()), (1600, 1600));
    let num = |x: &str| x.parse::<f64>().unwrap();
    for w in &want {
        let row =
            ours.get(&key(&w[0], &w[1], &w[2], &w[3])).unwrap_or_else(|| panic!("no combination {w:?}"));
        assert_eq!(row[col("status")], "ok");
        let pnl = num(&row[col("total_pnl_usd")]);
        assert!((pnl - num(&w[4])).abs() < 0.005, "{w:?}: total P&L {pnl}");
        assert_eq!(num(&row[col("trades")]), num(&w[5]), "{w:?}: trades");
        let dd = num(&row[col("max_drawdown_usd")]);
        assert!((dd - num(&w[6])).abs() < 0.005, "{w:?}: max drawdown {dd}");
    }
}

/// Every row of the 1600-combination grid is the same, to the byte, whether the condor-only
/// kernel runs it (the default) or the event-driven engine (`--engine-only`).
#[test]
fn the_kernel_gives_the_engines_1600_rows() {
    if reference("condor_grid_1600.csv").is_none() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let dir = |n: &str| out.path().join(n);
    for (name, extra) in [("kernel", None), ("engine", Some("--engine-only"))] {
        let path = dir(name);
        let mut args = vec!["sweep", "benches/condor_grid.toml", "--out", path.to_str().unwrap()];
        args.extend(["--quiet", "--set", "sweep.top_n=0"]);
        args.extend(extra);
        let r = crate::common::ironhedge(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let read = |n: &str| std::fs::read(dir(n).join("results.csv")).unwrap();
    assert_eq!(read("kernel"), read("engine"));
}
