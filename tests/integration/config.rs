//! Strategy files: every shipped strategy validates; every kind of mistake exits 2 naming the
//! file, the line and key path, what was expected and what was found, with a suggestion.

use crate::common::ironhedge;
use ironhedge::config::{load_strategy, EntrySchedule, Expiries, Sizing, WingSpec};
use ironhedge::pricing::StrikeRule;
use std::path::Path;

#[test]
fn shipped_strategies_validate() {
    for f in [
        "strategies/flagship.toml",
        "strategies/weekly_condor.toml",
        "strategies/vxth_like.toml",
        "strategies/flagship_cascade_guard.toml",
        "strategies/monthly_45dte_16delta.toml",
        "strategies/cndr_like.toml",
        "strategies/jan2018_condor.toml",
    ] {
        let s = load_strategy(Path::new(f), &[]).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(
            s.data.spx.exists() && s.data.vix.exists(),
            "{f}: data paths resolve against the file's folder"
        );
    }
    // The January 2018 twins differ only in where their legs are priced.
    let model = load_strategy(Path::new("strategies/jan2018_condor.toml"), &[]).unwrap();
    // The chain twin's chain is imported from ../shared (not shipped): validated without the file
    // system, as a sweep validates a combination.
    let chain =
        ironhedge::config::StrategySource::read(Path::new("strategies/jan2018_condor_chain.toml"), &[])
            .unwrap()
            .with(&[], "test")
            .unwrap();
    assert_eq!((&model.condor, model.start, model.end), (&chain.condor, chain.start, chain.end));
    assert_eq!((model.half_spread_usd, model.commission_usd), (chain.half_spread_usd, chain.commission_usd));
    assert_eq!((&model.data.spx, &model.surface), (&chain.data.spx, &chain.surface));
    assert!(model.data.spx_chain.is_none() && chain.data.spx_chain.is_some());
    let s = load_strategy(Path::new("strategies/flagship.toml"), &[]).unwrap();
    assert_eq!(s.condor.entry, EntrySchedule::Weekday(chrono::Weekday::Mon));
    assert_eq!(s.condor.short_put, StrikeRule::Delta(0.16));
    assert_eq!(s.condor.wing, WingSpec::Width(50.0));
    assert_eq!(s.condor.sizing, Sizing::Contracts(1));
    assert_eq!(s.condor.expiries, Expiries::Spxw);
    let c = load_strategy(Path::new("strategies/cndr_like.toml"), &[]).unwrap();
    assert_eq!(
        (c.condor.wing, c.condor.profit_target_pct, c.condor.exit_dte_days),
        (WingSpec::Delta(0.05), None, None)
    );
    assert_eq!(c.half_spread_usd, 0.05, "defaults fill what the file leaves out");
}

#[test]
fn set_overrides_any_key() {
    let s = load_strategy(
        Path::new("strategies/flagship.toml"),
        &[
            "condor.short_put.value=0.12".into(),
            "condor.entry=when_flat".into(),
            "capital.initial_usd=5e5".into(),
        ],
    )
    .unwrap();
    assert_eq!(s.condor.short_put, StrikeRule::Delta(0.12));
    assert_eq!(s.condor.entry, EntrySchedule::WhenFlat);
    assert_eq!(s.initial_usd, 500_000.0);
}

fn variant(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string("strategies/weekly_condor.toml").unwrap().replacen(from, to, 1);
    // Keep data paths valid from the temporary folder.
    let text = text.replace("../datasets/", &format!("{}/datasets/", env!("CARGO_MANIFEST_DIR")));
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn every_mistake_exits_2_with_place_expected_found() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<(String, Vec<&str>, Vec<&str>)> = vec![
        (
            variant(d, "typo.toml", "short_put =", "shortput ="),
            vec![],
            vec![
                "typo.toml: line 32: key `condor.shortput`: unknown key",
                "allowed here: entry",
                "did you mean `short_put`?",
            ],
        ),
        (
            variant(d, "type.toml", "target_dte_days = 45", "target_dte_days = \"45\""),
            vec![],
            vec!["line 31: key `condor.target_dte_days`", "expected u32, found string \"45\""],
        ),
        (
            variant(d, "range.toml", "value = 0.16 }", "value = 1.6 }"),
            vec![],
            vec!["line 32: key `condor.short_put.value`", "expected a number in (0, 0.99], found 1.6"],
        ),
        (
            variant(d, "choice.toml", "entry = \"weekday\"", "entry = \"wekday\""),
            vec![],
            vec!["line 29: key `condor.entry`", "found \"wekday\"", "did you mean `weekday`?"],
        ),
        (
            variant(d, "syntax.toml", "[condor]", "[condor"),
            vec![],
            vec!["syntax.toml: TOML parse error at line 28, column 8", "unclosed table"],
        ),
        (
            variant(d, "dates.toml", "end = 2018-12-31", "end = 2013-12-31"),
            vec![],
            vec![
                "line 16: key `dates.end`",
                "expected a date after dates.start (2014-01-06), found 2013-12-31",
            ],
        ),
        (
            variant(d, "missing.toml", "target_dte_days = 45\n", ""),
            vec![],
            vec!["key `condor.target_dte_days`: expected this required key, found nothing"],
        ),
        (
            variant(d, "section.toml", "[costs]", "[cost]"),
            vec![],
            vec!["key `cost`: unknown key", "did you mean `costs`?"],
        ),
        (
            "strategies/flagship.toml".into(),
            vec!["--set", "condor.exit_dte_days=60"],
            vec![
                "(from --set condor.exit_dte_days=60)",
                "expected fewer days than condor.target_dte_days (45), found 60",
            ],
        ),
        (
            "strategies/flagship.toml".into(),
            vec!["--set", "condor.short_pt.value=0.1"],
            vec!["(from --set condor.short_pt.value=0.1)", "unknown key", "did you mean `short_put`?"],
        ),
        (
            "strategies/flagship.toml".into(),
            vec!["--set", "model.call_curve=0.3"],
            vec!["(from --set model.call_curve=0.3)", "delta would not be monotone in strike"],
        ),
        (
            "strategies/flagship.toml".into(),
            vec!["--set", "nonsense"],
            vec!["--set nonsense: expected KEY.PATH=VALUE", "found no `=`"],
        ),
        ("no/such.toml".into(), vec![], vec!["no/such.toml: cannot read"]),
    ];
    for (file, extra, needles) in cases {
        let mut args = vec!["strategy", "check", file.as_str()];
        args.extend(extra.iter());
        let r = ironhedge(&args);
        assert_eq!(r.code, 2, "{file} {extra:?}: {}{}", r.stdout, r.stderr);
        for n in needles {
            assert!(r.stderr.contains(n), "{file} {extra:?}: lacks `{n}`:\n{}", r.stderr);
        }
    }
}

#[test]
fn check_prints_the_resolved_configuration() {
    let r =
        ironhedge(&["strategy", "check", "strategies/cndr_like.toml", "--set", "costs.commission_usd=1.0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("commission_usd = 1.0") && r.stdout.contains("half_spread_usd = 0.05"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("put_slope = 0.2313"), "model defaults are written out: {}", r.stdout);
}
