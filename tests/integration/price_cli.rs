//! `ironhedge price`: the scripted form, the data form, and its input errors.

use crate::common::{close, ironhedge};

fn json_field(json: &str, key: &str) -> f64 {
    let start =
        json.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("{key} in {json}")) + key.len() + 3;
    let rest = &json[start..];
    rest[..rest.find([',', '}']).unwrap()].parse().unwrap()
}

#[test]
fn scripted_form_prints_json_in_the_documented_units() {
    let r = ironhedge(&[
        "price", "--model", "bsm", "--type", "put", "--spot", "4700", "--strike", "4400", "--days", "30",
        "--vol", "0.19", "--rate", "0.04", "--div", "0.013", "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // 50-digit mpmath value of this put: 12.45830556240052874...
    assert!(close(json_field(&r.stdout, "price"), 12.458_305_562_400_53), "{}", r.stdout);
    let full = ironhedge::pricing::bsm_greeks(
        ironhedge::pricing::OptionType::Put,
        4700.0,
        4400.0,
        30.0 / 365.0,
        0.04,
        0.013,
        0.19,
    );
    assert!(close(json_field(&r.stdout, "vega"), full.vega / 100.0), "vega per vol point");
    assert!(close(json_field(&r.stdout, "theta"), full.theta / 365.0), "theta per calendar day");
    assert!(close(json_field(&r.stdout, "rho"), full.rho / 100.0), "rho per 1% of rate");
    assert!(close(json_field(&r.stdout, "delta"), full.delta));
    let r = ironhedge(&[
        "price", "--model", "black76", "--type", "call", "--future", "18.5", "--strike", "22", "--days",
        "30", "--vol", "0.95", "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let want = ironhedge::pricing::black76_price(
        ironhedge::pricing::OptionType::Call,
        18.5,
        22.0,
        30.0 / 365.0,
        0.0,
        0.95,
    );
    assert!(close(json_field(&r.stdout, "price"), want));
}

#[test]
fn data_form_uses_the_close_and_the_smile() {
    let r = ironhedge(&[
        "price",
        "--type",
        "put",
        "--delta",
        "0.16",
        "--days",
        "45",
        "--date",
        "2018-02-05",
        "--spx",
        "datasets/spx_daily_1999_2018.csv",
        "--vix",
        "datasets/vix_close_2014_2019.csv",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json_field(&r.stdout, "underlying"), 2648.94, "SPX close on 2018-02-05");
    assert_eq!(json_field(&r.stdout, "strike") % 5.0, 0.0);
    assert!((json_field(&r.stdout, "delta") + 0.16).abs() < 0.01);
    assert!(json_field(&r.stdout, "vol") > 0.75 * 0.3732, "an OTM put sits above ATM = 0.75 x VIX 37.32");
}

#[test]
fn bad_inputs_exit_2_with_the_reason() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "price", "--type", "put", "--strike", "4400", "--days", "30", "--vol", "-0.2", "--spot",
                "4700",
            ],
            "volatility must be a finite number >= 0, found -0.2",
        ),
        (
            &["price", "--type", "put", "--strike", "4400", "--days", "30", "--spot", "4700"],
            "--vol is required",
        ),
        (
            &[
                "price", "--model", "black76", "--type", "put", "--strike", "20", "--days", "30", "--vol",
                "0.9",
            ],
            "--future is required",
        ),
        (
            &["price", "--type", "put", "--strike", "0", "--days", "30", "--vol", "0.2", "--spot", "4700"],
            "strike must be a finite number > 0, found 0",
        ),
        (
            &["price", "--type", "put", "--delta", "1.5", "--days", "30", "--vol", "0.2", "--spot", "4700"],
            "--delta: target delta must be in (0, 1), found 1.5",
        ),
        (
            &[
                "price",
                "--type",
                "put",
                "--strike",
                "4400",
                "--days",
                "30",
                "--date",
                "2018-02-04",
                "--spx",
                "datasets/spx_daily_1999_2018.csv",
                "--vix",
                "datasets/vix_close_2014_2019.csv",
            ],
            "no SPX row on 2018-02-04",
        ),
        (
            &["price", "--type", "straddle", "--strike", "1", "--days", "1", "--vol", "1", "--spot", "1"],
            "invalid value 'straddle'",
        ),
    ];
    for (args, want) in cases {
        let r = ironhedge(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn help_shows_examples() {
    let r = ironhedge(&["price", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Examples:") && r.stdout.contains("--model black76"), "{}", r.stdout);
}

#[test]
fn black76_delta_picks_among_the_listed_vix_strikes_unless_a_step_is_given() {
    let args = |extra: &[&str]| {
        let mut a = vec!["price", "--model", "black76", "--type", "call", "--future", "13.2", "--days", "30"];
        a.extend_from_slice(&["--vol", "0.9", "--delta", "0.4"]);
        a.extend_from_slice(extra);
        let r = crate::common::ironhedge(&a);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    // Today's listing has half points below 15 within 60 days; a 1-point step does not.
    assert!(args(&[]).contains("strike 14.5,"), "{}", args(&[]));
    assert!(args(&["--strike-step", "1"]).contains("strike 15,"), "{}", args(&["--strike-step", "1"]));
}
