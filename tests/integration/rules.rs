//! Rules on signals: actions take effect, cascades gate entries with no look-ahead, and bad rules
//! are rejected with the key, what was expected and what was found.

use crate::common::ironhedge;
use ironhedge::config::load_strategy;
use ironhedge::engine::{run, Market};
use ironhedge::time::{nyse_close_utc, Calendar};
use std::path::Path;

fn with_rules(dir: &Path, rules: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string("strategies/weekly_condor.toml")
        .unwrap()
        .replace("../datasets/", &format!("{}/datasets/", env!("CARGO_MANIFEST_DIR")));
    let p = dir.join("s.toml");
    std::fs::write(&p, format!("{text}\n{rules}\n")).unwrap();
    p
}

#[test]
fn skip_and_close_actions_take_effect() {
    let dir = tempfile::tempdir().unwrap();
    let skip = with_rules(
        dir.path(),
        "[[rules]]\nall = [{ signal = \"vix\", op = \">\", value = 0.0 }]\naction = \"skip_entry\"",
    );
    let s = load_strategy(&skip, &[]).unwrap();
    assert!(run(&s, &Market::load(&s).unwrap(), None, None).unwrap().trades.is_empty());
    let close = with_rules(
        dir.path(),
        "[[rules]]\nany = [{ signal = \"vix\", op = \">\", value = 0.0 }]\naction = \"close_all\"",
    );
    let s = load_strategy(&close, &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    assert!(!r.trades.is_empty());
    let cal = Calendar::nyse();
    for t in &r.trades {
        assert_eq!(t.exit_reason.as_str(), "rule");
        assert_eq!(t.exit_date, cal.next_trading_day(t.entry_date), "closed at the next decision");
    }
}

#[test]
fn the_cascade_guard_never_enters_during_an_active_cascade() {
    let s = load_strategy(Path::new("strategies/flagship_cascade_guard.toml"), &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    let plain = load_strategy(Path::new("strategies/weekly_condor.toml"), &[]).unwrap();
    let base = run(&plain, &Market::load(&plain).unwrap(), None, None).unwrap();
    assert!(!r.cascades.is_empty(), "the synthetic sample has cascades");
    assert!(r.trades.len() < base.trades.len(), "{} vs {}", r.trades.len(), base.trades.len());
    let cal = Calendar::nyse();
    for t in &r.trades {
        let decision = nyse_close_utc(&cal, t.entry_date).unwrap();
        let active = r
            .cascades
            .iter()
            .any(|c| *c <= decision && decision.nanos() - c.nanos() <= 48 * 3_600 * 1_000_000_000);
        assert!(!active, "condor {} entered on {} during an active cascade", t.id, t.entry_date);
    }
    // A cascade can only be known from data at or before it: every cascade instant is a bucket end.
    assert!(r.cascades.iter().all(|c| c.nanos() % (4 * 3_600 * 1_000_000_000) == 0));
}

#[test]
fn bad_rules_are_rejected_with_key_expected_found() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[[rules]]\nall = [{ signal = \"vix_trem_ratio\", op = \">\", value = 1.0 }]\naction = \"skip_entry\"", vec!["key `rules[0].all[0].signal`", "found \"vix_trem_ratio\"", "did you mean `vix_term_ratio`?"]),
        ("[[rules]]\nall = [{ signal = \"vix\", op = \"=>\", value = 1.0 }]\naction = \"skip_entry\"", vec!["key `rules[0].all[0].op`", "found \"=>\""]),
        ("[[rules]]\nall = [{ signal = \"vix\", op = \">\", value = 1.0 }]\naction = \"reduce_size\"", vec!["key `rules[0].factor`", "a factor in (0, 1]", "found nothing"]),
        ("[[rules]]\nall = [{ signal = \"vix\", op = \">\", value = 1.0 }]\naction = \"skip_entri\"", vec!["key `rules[0].action`", "did you mean `skip_entry`?"]),
        ("[[rules]]\naction = \"skip_entry\"", vec!["key `rules[0]`", "at least one condition"]),
        ("[signals]\nliquidations = \"x.csv\"", vec!["key `signals.cascade_threshold_usd`", "found neither"]),
    ];
    for (rules, needles) in cases {
        let p = with_rules(dir.path(), rules);
        let r = ironhedge(&["strategy", "check", p.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{rules}: {}", r.stderr);
        for n in needles {
            assert!(r.stderr.contains(n), "{rules}: lacks `{n}`: {}", r.stderr);
        }
    }
}

#[test]
fn real_data_run_reacts_to_the_known_cascades_at_the_next_close() {
    if crate::common::shared("coinglass_binance_btc_liquidations_daily_2020_2025.csv").is_none() {
        return;
    }
    let s = load_strategy(Path::new("strategies/real_cascades_2021_2025.toml"), &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    let closed_by_rule = |day: &str| {
        r.trades.iter().filter(|t| t.exit_reason.as_str() == "rule" && t.exit_date.to_string() == day).count()
    };
    // A UTC-day bucket is known at the next midnight UTC: after that day's SPX close.
    for (cascade, reaction) in
        [("2021-05-19", "2021-05-20"), ("2022-06-13", "2022-06-14"), ("2022-11-08", "2022-11-09")]
    {
        let n = closed_by_rule(reaction);
        println!("cascade {cascade}: {n} condors closed by the rule on {reaction}");
        assert!(n > 0, "no rule exit on {reaction} after the {cascade} cascade");
        assert_eq!(
            closed_by_rule(cascade),
            0,
            "no reaction at the close of {cascade} itself: the data was not known yet"
        );
    }
}
