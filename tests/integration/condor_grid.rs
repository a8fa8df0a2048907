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
