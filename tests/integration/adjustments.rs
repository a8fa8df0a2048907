//! Position rules and adjustments on the bundled data: each adjustment's trades, costs and
//! ledger to the cent, the rolls' strikes and expiries, `condor.max_adjustments`, the skips
//! logged; and the hedge's break-even VIX.

use crate::common::components_usd;
use ironhedge::config::load_strategy;
use ironhedge::engine::{run, AdjustmentLog, Market, RunResult, Trade};
use std::collections::HashMap;
use std::path::Path;

fn run_with(dir: &Path, extra: &str) -> RunResult {
    let text = std::fs::read_to_string("strategies/weekly_condor.toml")
        .unwrap()
        .replace("../datasets/", &format!("{}/datasets/", env!("CARGO_MANIFEST_DIR")));
    let p = dir.join("s.toml");
    std::fs::write(&p, format!("{text}\n{extra}\n")).unwrap();
    let s = load_strategy(&p, &[]).unwrap();
    run(&s, &Market::load(&s).unwrap(), None, None).unwrap()
}

fn position_rule(cond: &str, action: &str) -> String {
    format!("[[rules]]\nall = [{cond}]\naction = \"{action}\"\n")
}

/// Every day's attribution, interest and costs explain its P&L; and the trades' P&L plus what is
/// still open explains the final equity (both to the cent).
fn assert_ledger(r: &RunResult) {
    for (d, a) in r.days.iter().zip(&r.attribution) {
        assert!((components_usd(a) - a.total_usd).abs() < 0.005, "{}", d.date);
        let explained = a.total_usd + d.interest_usd - d.costs_usd;
        assert!((explained - d.pnl_usd).abs() < 0.005, "{}: {explained} vs {}", d.date, d.pnl_usd);
    }
    let last = r.days.last().unwrap();
    let closed: f64 = r.trades.iter().map(|t| t.pnl_usd).sum();
    let interest: f64 = r.days.iter().map(|d| d.interest_usd).sum();
    // What the open condors are worth against their credit, less their entry commissions, is
    // what the equity holds beyond the closed trades; without them the identity is exact.
    if last.open_condors == 0 {
        let total = closed + interest;
        assert!((r.initial_usd + total - last.equity_usd).abs() < 0.01, "{total} vs {}", last.equity_usd);
    }
}

fn by_id(trades: &[Trade]) -> HashMap<u32, &Trade> {
    trades.iter().map(|t| (t.id, t)).collect()
}

fn done(log: &[AdjustmentLog]) -> Vec<&AdjustmentLog> {
    log.iter().filter(|a| a.outcome == "done").collect()
}

/// The costs of days on which one adjustment was the only trade (no other exit, no entry), with
/// that adjustment's condor's contracts.
fn lone_adjustment_costs(r: &RunResult) -> Vec<(f64, f64)> {
    let log = r.adjustments.as_ref().unwrap();
    let done = done(log);
    let trades = by_id(&r.trades);
    done.iter()
        .filter(|a| done.iter().filter(|b| b.date == a.date).count() == 1)
        .filter(|a| {
            r.trades.iter().filter(|t| t.exit_date == a.date || t.entry_date == a.date).count()
                == 1 + usize::from(a.new_position.is_some_and(|n| trades.contains_key(&n)))
        })
        .filter(|a| !r.trades.iter().any(|t| t.entry_date == a.date && t.entry_reason == "schedule"))
        .filter_map(|a| {
            let day = r.days.iter().find(|d| d.date == a.date)?;
            Some((day.costs_usd, f64::from(trades.get(&a.position)?.contracts)))
        })
        .collect()
}

#[test]
fn rolling_the_tested_side_keeps_the_other_side_and_the_wing_and_sums_to_the_cent() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_with(
        dir.path(),
        &format!(
            "{}to_delta = 0.16\n",
            position_rule(
                "{ signal = \"position.short_delta\", op = \">\", value = 0.30 }",
                "roll_tested_side"
            )
        ),
    );
    let log = r.adjustments.as_ref().expect("a strategy with position rules logs adjustments");
    let rolls = done(log);
    assert!(rolls.len() >= 20, "rolls taken: {}", rolls.len());
    let trades = by_id(&r.trades);
    let mut checked = 0;
    for a in &rolls {
        let (Some(old), Some(new)) = (trades.get(&a.position), a.new_position.and_then(|n| trades.get(&n)))
        else {
            continue;
        };
        assert_eq!(old.exit_reason.as_str(), "adjust:roll_tested_side");
        assert_eq!((old.exit_date, new.entry_date), (a.date, a.date));
        assert_eq!(new.entry_reason, "adjust:roll_tested_side");
        assert_eq!((old.expiry, old.contracts), (new.expiry, new.contracts), "same expiry and size");
        let (o, n) = (old.strikes, new.strikes);
        let put_rolled = o[1] != n[1];
        let (kept, rolled) = if put_rolled { ([2, 3], [0, 1]) } else { ([0, 1], [2, 3]) };
        assert_eq!([o[kept[0]], o[kept[1]]], [n[kept[0]], n[kept[1]]], "the untested side is carried");
        assert_eq!(
            (o[rolled[1]] - o[rolled[0]]).abs(),
            (n[rolled[1]] - n[rolled[0]]).abs(),
            "wing width kept"
        );
        // Rolled from over 0.30 delta to 0.16: further from the money.
        if put_rolled {
            assert!(n[1] < o[1], "{o:?} -> {n:?}");
        } else {
            assert!(n[2] > o[2], "{o:?} -> {n:?}");
        }
        checked += 1;
    }
    assert!(checked >= 10, "pairs checked {checked}");
    // Closing and reopening one vertical trades 2 + 2 legs: 4 half-spreads of 0.05 and 4
    // commissions of 0.65 a contract, where a whole new condor would pay 8 of each.
    let lone = lone_adjustment_costs(&r);
    assert!(lone.len() >= 5, "{lone:?}");
    for (costs, k) in lone {
        assert!((costs - 4.0 * (0.05 * 100.0 + 0.65) * k).abs() < 1e-9, "{costs} for {k} contracts");
    }
    assert_ledger(&r);
    let plain = run_with(dir.path(), "");
    assert_ne!(plain.trades.len(), r.trades.len());
}

#[test]
fn an_adjustment_pays_only_the_legs_it_trades() {
    let dir = tempfile::tempdir().unwrap();
    // Close the tested side of every condor the day after it opens; the other vertical is kept.
    let r = run_with(
        dir.path(),
        &position_rule("{ signal = \"position.days_held\", op = \">=\", value = 1 }", "close_tested_side"),
    );
    let log = r.adjustments.as_ref().unwrap();
    let trades = by_id(&r.trades);
    let mut checked = 0;
    for a in done(log) {
        let old = trades[&a.position];
        let Some(new) = a.new_position.and_then(|n| trades.get(&n)) else { continue };
        // The kept vertical: one side's strikes are gone (NaN in trades.csv).
        let nan = new.strikes.iter().filter(|s| s.is_nan()).count();
        assert_eq!(nan, 2, "{:?}", new.strikes);
        // Its credit is the kept vertical at mid (nothing traded to keep it); the old position
        // closed at all four legs' mid plus two half-spreads (0.05 each).
        let day = r.days.iter().find(|d| d.date == a.date).unwrap();
        assert!(
            day.costs_usd
                >= 2.0 * 0.05 * 100.0 * f64::from(old.contracts) + 2.0 * 0.65 * f64::from(old.contracts)
                    - 1e-9
        );
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");
    // Closing one vertical trades 2 legs: 2 half-spreads and 2 commissions a contract.
    let lone = lone_adjustment_costs(&r);
    assert!(lone.len() >= 5, "{lone:?}");
    for (costs, k) in lone {
        assert!((costs - 2.0 * (0.05 * 100.0 + 0.65) * k).abs() < 1e-9, "{costs} for {k} contracts");
    }
    // A position left with one side is never adjusted into nothing: a second close_tested_side
    // closes what is left.
    assert!(r.trades.iter().all(|t| t.strikes.iter().filter(|s| s.is_nan()).count() <= 2));
    assert_ledger(&r);
}

#[test]
fn close_position_matches_close_all_to_the_cent() {
    let dir = tempfile::tempdir().unwrap();
    // Both close every condor at the first decision after it opens, at mid plus 4 half-spreads.
    let a = run_with(
        dir.path(),
        &position_rule("{ signal = \"position.days_held\", op = \">=\", value = 1 }", "close_position"),
    );
    let b = run_with(
        dir.path(),
        &position_rule("{ signal = \"level\", of = \"vix\", op = \">\", value = 0 }", "close_all"),
    );
    assert_eq!(a.trades.len(), b.trades.len());
    for (x, y) in a.trades.iter().zip(&b.trades) {
        assert_eq!((x.entry_date, x.exit_date, x.strikes), (y.entry_date, y.exit_date, y.strikes));
        assert_eq!(x.exit_reason.as_str(), "adjust:close_position");
        assert_eq!(y.exit_reason.as_str(), "rule");
        assert!((x.pnl_usd - y.pnl_usd).abs() < 1e-9, "{} vs {}", x.pnl_usd, y.pnl_usd);
    }
    assert_eq!(a.days.last().unwrap().equity_usd, b.days.last().unwrap().equity_usd);
}

#[test]
fn roll_out_moves_to_the_target_expiry_and_max_adjustments_stops_loops() {
    let dir = tempfile::tempdir().unwrap();
    // Roll every condor out to 45 days every session: without a cap this never ends.
    let rule = format!(
        "{}target_dte_days = 45\n",
        position_rule("{ signal = \"position.days_held\", op = \">=\", value = 1 }", "roll_out")
    );
    let text = std::fs::read_to_string("strategies/weekly_condor.toml").unwrap();
    assert!(!text.contains("max_adjustments"), "the default cap applies");
    let r = run_with(dir.path(), &rule);
    let log = r.adjustments.as_ref().unwrap();
    let trades = by_id(&r.trades);
    let mut depth: HashMap<u32, u32> = HashMap::new();
    for a in done(log) {
        let d = depth.get(&a.position).copied().unwrap_or(0) + 1;
        assert!(d <= 3, "position {} adjusted {d} times in its line (default max 3)", a.position);
        if let Some(n) = a.new_position {
            depth.insert(n, d);
            if let Some(t) = trades.get(&n) {
                assert_eq!(t.entry_reason, "adjust:roll_out");
                let dte = (t.expiry - a.date).num_days();
                assert!((40..=50).contains(&dte), "rolled to {dte} days");
                assert!(t.strikes.iter().all(|s| s.is_finite()));
            }
        }
    }
    assert!(depth.values().any(|d| *d == 3), "some lines reach the cap");
    let capped = log.iter().filter(|a| a.outcome.contains("condor.max_adjustments (3) reached")).count();
    assert!(capped > 0);
    let ids: std::collections::HashSet<u32> =
        log.iter().filter(|a| a.outcome.contains("reached")).map(|a| a.position).collect();
    assert_eq!(ids.len(), capped, "the cap is logged once per position");
    assert_ledger(&r);
}

#[test]
fn a_roll_to_the_strike_it_already_has_is_skipped_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    // A 0.16-delta condor rolled to 0.16 the day after it opens: mostly the same strike.
    let r = run_with(
        dir.path(),
        &format!(
            "{}to_delta = 0.16\n",
            position_rule("{ signal = \"position.days_held\", op = \">=\", value = 1 }", "roll_tested_side")
        ),
    );
    let log = r.adjustments.unwrap();
    let skipped =
        log.iter().filter(|a| a.outcome.starts_with("skipped: the short strike is already at")).count();
    assert!(skipped > 10, "{skipped} of {}", log.len());
}

#[test]
fn hedge_break_even_is_strike_plus_premium_and_calls_above_cost_are_counted() {
    let s = load_strategy(Path::new("strategies/flagship.toml"), &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    assert!(r.hedge_trades.len() > 50);
    for t in &r.hedge_trades {
        // Bought at the ask (entry_price), plus a commission per contract.
        let expected = t.strike + t.entry_price + s.commission_usd / 100.0;
        assert!((t.break_even_vix - expected).abs() < 1e-9, "{} vs {expected}", t.break_even_vix);
    }
    let h = ironhedge::results::HedgeReport::of(&r).unwrap();
    for (i, (_, line)) in h.layers.iter().enumerate() {
        let mine: Vec<_> = r.hedge_trades.iter().filter(|t| t.layer == i).collect();
        assert_eq!(line.calls_closed as usize, mine.len());
        assert_eq!(line.calls_above_cost as usize, mine.iter().filter(|t| t.pnl_usd > 0.0).count());
    }
    assert_eq!(h.total.calls_closed as usize, r.hedge_trades.len());
}

#[test]
fn the_real_signals_strategy_gates_on_vix_macd_vx1_rsi_and_funding_and_rolls_tested_sides() {
    if crate::common::shared("vx_term_structure_m1_m7_2004_2024.csv").is_none()
        || crate::common::shared("coinglass_btc_funding_oiweighted_daily_2020_2025.csv").is_none()
    {
        return;
    }
    let s = load_strategy(Path::new("strategies/real_signals_2021_2024.toml"), &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    let rolled = r.trades.iter().filter(|t| t.exit_reason.as_str() == "adjust:roll_tested_side").count();
    let reopened = r.trades.iter().filter(|t| t.entry_reason == "adjust:roll_tested_side").count();
    assert!(rolled >= 20 && reopened >= 20, "{rolled} rolled, {reopened} reopened");
    assert_ledger(&r);
    // Every rule binds: each one removed changes the run.
    let names: Vec<&str> = r.signals.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "macd_hist(vix, 12/26/9)",
            "rsi(vx1, 14)",
            "zscore(funding, 30)",
            "vix",
            "vix3m",
            "crosses_above(vix, vix3m)"
        ]
    );
    for i in 0..3 {
        let mut t = s.clone();
        t.rules.remove(i);
        let other = run(&t, &Market::load(&t).unwrap(), None, None).unwrap();
        assert_ne!(other.trades, r.trades, "rule {i} binds");
    }
    // Funding deeply negative (z under -2) on some sessions: the funding gate has days to act on.
    let z = &r.signals[2].1;
    assert!(z.iter().filter(|v| v.is_some_and(|v| v < -2.0)).count() >= 5);
}

#[test]
fn a_run_with_position_rules_writes_its_adjustments() {
    let out = tempfile::tempdir().unwrap();
    let r = crate::common::ironhedge(&[
        "run",
        "strategies/vix_momentum_guard.toml",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("adjustments: "), "{}", r.stdout);
    let dir = std::fs::read_dir(out.path()).unwrap().next().unwrap().unwrap().path();
    let (head, rows) = crate::common::read_csv(&dir.join("adjustments.csv"));
    assert_eq!(head, ["date", "position", "action", "new_position", "outcome"]);
    let done = rows.iter().filter(|r| r[4] == "done").count();
    assert!(done > 10);
    let summary = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(json["adjustments"]["taken"], done);
    assert_eq!(json["adjustments"]["by_action"]["roll_tested_side"], done);
    let trades = std::fs::read_to_string(dir.join("trades.csv")).unwrap();
    assert!(trades.contains(",adjust:roll_tested_side,"), "rolled positions in trades.csv");
}
