//! Option chains: the canonical schema and its loader, the three vendor importers (hand-written
//! fixtures covering each layout's branches, and the real samples in `../shared/datasets/chains`
//! when present), and `data check` on chains.

use crate::common::{fixture, ironhedge, shared};
use ironhedge::data::{load_chain, Right};
use ironhedge::pricing::{AtmLevel, Regime};
use std::path::{Path, PathBuf};

/// Import `input` (a fixture path or an absolute path) and return the output's text.
fn import(format: &str, input: &Path, out: &Path, extra: &[&str]) -> crate::common::Run {
    let mut args =
        vec!["data", "import", "--format", format, input.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    ironhedge(&args)
}

fn imported(format: &str, name: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chain.csv");
    let r = import(format, &fixture(&format!("import/{name}")), &out, extra);
    assert_eq!(r.code, 0, "{name}: {}{}", r.stdout, r.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    (dir, out, text)
}

#[test]
fn optionsdx_writes_a_call_and_a_put_per_strike_row() {
    let (_d, out, text) = imported("optionsdx", "optionsdx_spxw.txt", &[]);
    assert_eq!(
        text,
        "date,time,root,expiry,right,strike,bid,ask,underlying,iv,delta,volume\n\
         2018-01-02,16:00,SPXW,2018-01-31,call,2695,29.8,30.6,2695.79,0.095,0.52,12\n\
         2018-01-02,16:00,SPXW,2018-01-31,call,2850,0.75,0.9,2695.79,0.08,0.05,3\n\
         2018-01-02,16:00,SPXW,2018-01-31,put,2695,24.3,25.1,2695.79,0.101,-0.48,40\n\
         2018-01-02,16:00,SPXW,2018-01-31,put,2850,,,2695.79,,,\n"
    );
    let c = load_chain(&out).unwrap();
    assert_eq!(c.len(), 4);
    assert_eq!(c.known_at[0].to_string(), "2018-01-02T21:00:00Z", "16:00 EST");
    assert!(c.bid[3].is_nan() && c.ask[3].is_nan(), "a missing put quote stays missing");
    assert_eq!((c.right[0], c.right[3]), (Right::Call, Right::Put));
    // Quote time from fractional hours, and --root.
    let (_d, out, text) = imported("optionsdx", "optionsdx_hours.txt", &["--root", "spx"]);
    assert!(text.starts_with("date,time,root,expiry,right,strike,bid,ask,underlying\n2019-06-26,15:45,SPX,2019-07-19,call,2900,55.1,56.3,2917\n"), "{text}");
    let c = load_chain(&out).unwrap();
    assert_eq!(c.known_at[0].to_string(), "2019-06-26T19:45:00Z", "15:45 EDT");
    assert_eq!(c.root_of(0).name, "SPX");
}

#[test]
fn cboe_datashop_takes_eod_quotes_else_the_1545_snapshot() {
    let (_d, out, text) = imported("cboe-datashop", "datashop_1545.csv", &[]);
    assert_eq!(
        text,
        "date,time,root,expiry,right,strike,bid,ask,underlying,volume,open_interest\n\
         2019-06-26,15:45,SPXW,2019-07-19,call,2900,55.1,56.3,2918.11,90,800\n\
         2019-06-26,15:45,SPXW,2019-07-19,put,2900,31.2,32,2918.11,250,1200\n"
    );
    assert_eq!(load_chain(&out).unwrap().len(), 2);
    let (_d, out, text) = imported("cboe-datashop", "datashop_eod_vix.csv", &[]);
    assert_eq!(
        text,
        "date,root,expiry,right,strike,bid,ask,underlying,volume,open_interest\n\
         2016-06-01,VIX,2016-06-15,call,17,0.9,0.95,14.65,1200,5000\n\
         2016-06-01,VIX,2016-06-15,put,13,0.3,0.35,14.65,0,800\n"
    );
    let c = load_chain(&out).unwrap();
    assert_eq!(c.known_at[0].to_string(), "2016-06-01T20:00:00Z", "no time: the 16:00 EDT close");
    assert!(c.root_of(0).am_settled, "VIX options: AM, the Wednesday SOQ");
}

#[test]
fn historicaloptiondata_takes_the_root_from_the_symbol() {
    let (_d, out, text) = imported("historicaloptiondata", "hod_spx.csv", &[]);
    assert_eq!(
        text,
        "date,root,expiry,right,strike,bid,ask,underlying,iv,delta,volume,open_interest\n\
         2018-01-02,SPX,2018-02-16,call,2800,5.8,6.2,2695.79,0.0891,0.1523,80,9000\n\
         2018-01-02,SPXW,2018-01-31,put,2600,6.9,7.3,2695.79,0.1205,-0.2011,150,2500\n"
    );
    let c = load_chain(&out).unwrap();
    assert!(c.root_of(0).am_settled, "SPX monthlies: AM");
    assert!(!c.root_of(1).am_settled, "SPXW: PM");
}

#[test]
fn parquet_chains_load_like_csv_chains() {
    let d = tempfile::tempdir().unwrap();
    let (csv, pq) = (d.path().join("c.csv"), d.path().join("c.parquet"));
    for out in [&csv, &pq] {
        let r = import("optionsdx", &fixture("import/optionsdx_spxw.txt"), out, &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let (a, b) = (load_chain(&csv).unwrap(), load_chain(&pq).unwrap());
    assert_eq!(format!("{a:?}"), format!("{b:?}"), "NaN-aware equality through Debug");
}

#[test]
fn data_check_reports_chain_warnings_and_repairs() {
    let r = ironhedge(&["data", "check", fixture("chain/spxw_warnings.csv").to_str().unwrap()]);
    assert_eq!(r.code, 2, "a repair makes the file not clean: {}", r.stdout);
    for needle in [
        "chain — 13 rows",
        "2018-01-02: 12 quotes, SPXW, 2 expiries 2018-01-31 .. 2018-02-03, strikes 2600 .. 2802",
        "quote after expiry (row dropped): 1",
        "line 14: `expiry`: expected an expiry on or after the quote date 2018-01-03, found 2018-01-02",
        "put-call parity outlier: 1",
        "strike 2750: off by 10.00",
        "line 12: `strike`: expected a multiple of 5 for SPXW, found 2802 (call)",
        "found 2735 on 2018-01-02 SPXW 2018-01-31 put 2800",
        "line 13: `expiry`: expected an NYSE trading day, found 2018-02-03",
    ] {
        assert!(r.stdout.contains(needle), "lacks `{needle}`:\n{}", r.stdout);
    }
    let c = load_chain(&fixture("chain/spxw_warnings.csv"));
    assert!(c.is_ok(), "warnings and repairs load: {c:?}");
    let c = c.unwrap();
    assert_eq!(c.len(), 12, "the quote after its expiry is dropped");
    assert!(c.strike.windows(2).take(5).all(|w| w[0] <= w[1]), "calls by strike");
    assert_eq!(c.snapshots().count(), 1);
}

fn real(name: &str) -> Option<PathBuf> {
    shared(&format!("chains/{name}"))
}

/// Import the real chain `name` with `format` (and `import_args`), then calibrate it with
/// `extra` arguments beside the real VIX, SPX, VVIX and VX term structure (each used where the
/// chain needs it). `None` (skipped) without `../shared`.
fn calibrate_real(
    name: &str,
    format: &str,
    import_args: &[&str],
    extra: &[&str],
) -> Option<(tempfile::TempDir, PathBuf, crate::common::Run)> {
    let chain = real(name)?;
    let series = [
        "vix_daily_1990_2026.csv",
        "spx_daily_1990_2026.csv",
        "vvix_daily_2006_2026.csv",
        "vx_term_structure_m1_m7_2004_2024.csv",
    ];
    let [vix, spx, vvix, term] = series.map(shared);
    let (vix, spx, vvix, term) = (vix?, spx?, vvix?, term?);
    let d = tempfile::tempdir().unwrap();
    let canonical = d.path().join("chain.csv");
    assert_eq!(import(format, &chain, &canonical, import_args).code, 0);
    let out = d.path().join("cal");
    let path = |p: &PathBuf| p.to_str().unwrap().to_string();
    let mut args: Vec<String> = ["calibrate", "--chain"].map(String::from).to_vec();
    for (flag, value) in [
        ("", &canonical),
        ("--vix", &vix),
        ("--spx", &spx),
        ("--vvix", &vvix),
        ("--vx-term", &term),
        ("--out", &out),
    ] {
        if !flag.is_empty() {
            args.push(flag.into());
        }
        args.push(path(value));
    }
    args.extend(extra.iter().map(|a| a.to_string()));
    let r = ironhedge(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, 0, "{}", r.stderr);
    Some((d, out, r))
}

/// The two numbers after "error " on the report's first line: before and after.
fn losses(stdout: &str) -> (f64, f64) {
    let v: Vec<f64> = stdout
        .split("error ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .take(2)
        .collect();
    (v[0], v[1])
}

#[test]
fn the_real_january_2018_chain_imports_alike_from_both_vendors() {
    let (Some(hod), Some(odx)) =
        (real("spxw_eod_2018-01_historicaloptiondata.csv"), real("spxw_eod_2018-01_optionsdx.txt"))
    else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("hod.parquet"), d.path().join("odx.csv"));
    assert_eq!(import("historicaloptiondata", &hod, &a, &[]).code, 0);
    assert_eq!(import("optionsdx", &odx, &b, &[]).code, 0);
    let (a, b) = (load_chain(&a).unwrap(), load_chain(&b).unwrap());
    assert_eq!((a.len(), b.len()), (7588, 7588));
    assert_eq!(a.date.iter().collect::<std::collections::BTreeSet<_>>().len(), 21, "21 quote dates");
    for i in 0..a.len() {
        let same = (a.date[i], a.expiry[i], a.right[i], a.strike[i])
            == (b.date[i], b.expiry[i], b.right[i], b.strike[i])
            && (a.bid[i], a.ask[i]) == (b.bid[i], b.ask[i]);
        assert!(
            same,
            "row {i}: {:?} against {:?}",
            (a.date[i], a.strike[i], a.bid[i]),
            (b.date[i], b.strike[i], b.bid[i])
        );
    }
    assert!(a.delta.iter().all(|x| x.is_finite()), "the vendor's deltas kept");
}

#[test]
fn the_real_datashop_chains_import() {
    let (Some(spxw), Some(vix)) =
        (real("spxw_2019-06-26_1545_cboe_datashop.csv"), real("vix_eod_2016-06-01_cboe_datashop.csv"))
    else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("spxw.csv");
    let r = import("cboe-datashop", &spxw, &out, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let c = load_chain(&out).unwrap();
    assert_eq!(c.len(), 10384);
    assert_eq!(c.expiry.iter().collect::<std::collections::BTreeSet<_>>().len(), 30);
    assert!(c.known_at.iter().all(|k| k.to_string() == "2019-06-26T19:45:00Z"), "15:45 EDT");
    // The VIX file also holds 158 rows of another root (BVZ): refused, or dropped and listed.
    let out = d.path().join("vix.csv");
    let r = import("cboe-datashop", &vix, &out, &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("158 errors") && r.stderr.contains("found BVZ"), "{}", r.stderr);
    let r = import("cboe-datashop", &vix, &out, &["--drop-invalid"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("158 rows dropped in all: 158 unknown root"), "{}", r.stdout);
    let c = load_chain(&out).unwrap();
    assert_eq!(c.len(), 724);
    assert!(c.underlying.iter().all(|u| *u == 14.65), "the vendor's underlying: spot VIX at the close");
}

#[test]
fn data_check_compares_the_vendor_underlying_with_the_index() {
    let chain = fixture("chain/spxw_warnings.csv");
    let check = |index: &str| ironhedge(&["data", "check", chain.to_str().unwrap(), "--index", index]);
    let r = check("datasets/spx_daily_1999_2018.csv");
    assert!(!r.stdout.contains("underlying far from the index"), "SPX closed at 2695.81: {}", r.stdout);
    let r = check("datasets/vix_close_2014_2019.csv");
    assert!(
        r.stdout.contains("underlying far from the index: 1")
            && r.stdout.contains(
                "within 1% of the index close 9.77 of 2018-01-02, found a median underlying of 2695"
            ),
        "{}",
        r.stdout
    );
}

#[test]
fn calibrate_fits_the_surface_to_a_real_chain_and_writes_its_model() {
    let Some((_d, out, r)) =
        calibrate_real("spxw_2019-06-26_1545_cboe_datashop.csv", "cboe-datashop", &[], &[])
    else {
        return;
    };
    // The defaults without VIX3M: that day's term slope sits 0.078 above its usual value at VIX
    // 16, which the defaults read only with VIX3M, so the puts come out a fifth under the mid.
    let line =
        r.stdout.lines().find(|l| l.contains(" in ") && l.contains("put") && l.contains("10-20")).unwrap();
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[3..6], ["257", "20.6%", "-20.6%"], "{line}");
    let (before, after) = losses(&r.stdout);
    assert!(after < 0.6 * before, "the fit at least halves the error: {before} -> {after}");
    let model: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("model.toml")).unwrap()).unwrap();
    let ratio = model["model"]["atm_scale"].as_float().unwrap();
    assert!((0.5..1.5).contains(&ratio), "{ratio}");
    let fit = std::fs::read_to_string(out.join("fit.csv")).unwrap();
    assert_eq!(fit.lines().count(), 2861, "a row per quote");
    assert!(fit.starts_with("date,expiry,right,strike,days,underlying,bid,ask,mid,model_default,model_fitted,iv_market,iv_fitted,delta,bucket,sample\n"));
}

#[test]
fn calibrate_refuses_a_chain_with_nothing_to_fit() {
    let r = ironhedge(&[
        "calibrate",
        "--chain",
        fixture("chain/spxw_warnings.csv").to_str().unwrap(),
        "--vix",
        "datasets/vix_close_2014_2019.csv",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("expected at least 10 quotes to fit"), "{}", r.stderr);
}

#[test]
fn calibrate_refuses_a_hold_it_cannot_apply() {
    let d = tempfile::tempdir().unwrap();
    let vix_chain = d.path().join("vix.csv");
    std::fs::write(
        &vix_chain,
        "date,root,expiry,right,strike,bid,ask\n2018-01-02,VIX,2018-02-14,call,12,0.5,0.6\n",
    )
    .unwrap();
    let vix = "datasets/vix_close_2014_2019.csv";
    let spx_chain = fixture("chain/spxw_warnings.csv");
    for (chain, key, expected) in [
        (
            vix_chain.as_path(),
            "vol_min_day",
            "--hold: expected a VIX fit's [hedge] key, one of vol_scale, call_skew",
        ),
        (
            spx_chain.as_path(),
            "vol_min_days",
            "--hold: expected an SPX fit's [model] key, one of atm_scale, put_slope",
        ),
    ] {
        let r = ironhedge(&["calibrate", "--chain", chain.to_str().unwrap(), "--vix", vix, "--hold", key]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains(expected) && r.stderr.contains(key), "{}", r.stderr);
    }
    // The balanced loss is the SPX fit's.
    let r =
        ironhedge(&["calibrate", "--chain", vix_chain.to_str().unwrap(), "--vix", vix, "--loss", "balanced"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--loss balanced: expected SPX/SPXW chains"), "{}", r.stderr);
}

#[test]
fn a_strategy_takes_its_model_from_a_model_file_and_its_own_keys_win() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("model.toml"), "[model]\natm_ratio = 0.9\nput_slope = 0.25\n").unwrap();
    // The weekly condor without its own `atm_ratio`, so that the model file's applies.
    let base: String = crate::common::weekly_condor_base()
        .lines()
        .filter(|l| !l.starts_with("atm_ratio"))
        .map(|l| format!("{l}\n"))
        .collect();
    let write = |name: &str, model: &str| {
        let p = d.path().join(name);
        std::fs::write(&p, base.replacen("[model]\n", &format!("[model]\n{model}\n"), 1)).unwrap();
        p
    };
    let s = write("a.toml", "file = \"model.toml\"\nput_slope = 0.5");
    let strategy = ironhedge::config::load_strategy(&s, &[]).unwrap();
    assert_eq!(strategy.surface.atm_ratio, 0.9, "from the model file");
    assert_eq!(strategy.surface.smile.put_slope, 0.5, "the strategy's own key wins");
    let r = ironhedge(&["strategy", "check", s.to_str().unwrap()]);
    assert!(r.stdout.contains("atm_ratio = 0.9") && !r.stdout.contains("file ="), "{}", r.stdout);
    // A missing file, and a bad value from the file, name where they come from.
    let s = write("b.toml", "file = \"nowhere.toml\"");
    let e = ironhedge::config::load_strategy(&s, &[]).unwrap_err().to_string();
    assert!(e.contains("key `model.file`") && e.contains("nowhere.toml"), "{e}");
    std::fs::write(d.path().join("bad.toml"), "[model]\natm_ratio = 7.0\n").unwrap();
    let s = write("c.toml", "file = \"bad.toml\"");
    let e = ironhedge::config::load_strategy(&s, &[]).unwrap_err().to_string();
    assert!(e.contains("(from model.file bad.toml): key `model.atm_ratio`"), "{e}");
    let s = write("d.toml", "file = \"/dev/zero\"");
    let e = ironhedge::config::load_strategy(&s, &[]).unwrap_err().to_string();
    assert!(e.contains("not a regular file of at most 1 MiB"), "a device is not read: {e}");
    // `ironhedge price --model-file` reads the same table.
    let p = ironhedge::config::load_model_file(&d.path().join("model.toml")).unwrap();
    assert_eq!((p.atm_ratio, p.smile.put_slope), (0.9, 0.25));
    // A model file of the seven smile keys alone (as calibrate wrote before the regime) loads
    // with its fixed ratio and the default regime; one with the regime keys carries them.
    let seven = "[model]\natm_ratio = 0.8\nput_slope = 0.3\nput_curve = 0.0\ncall_slope = 0.2\ncall_curve = 0.08\nm_min = -10.0\nm_max = 2.5\n";
    std::fs::write(d.path().join("seven.toml"), seven).unwrap();
    let p = ironhedge::config::load_model_file(&d.path().join("seven.toml")).unwrap();
    assert!(p.regime == Regime::FITTED && p.atm_ratio == 0.8 && p.atm == AtmLevel::Ratio);
    std::fs::write(
        d.path().join("ten.toml"),
        format!(
            "{seven}atm_ratio_vix = 0.1\nput_slope_vix = -0.05\ncall_slope_vix = 0.0\ncall_curve_vix = 0.0\n"
        ),
    )
    .unwrap();
    let p = ironhedge::config::load_model_file(&d.path().join("ten.toml")).unwrap();
    assert_eq!((p.regime.atm_ratio, p.regime.put_slope), (0.1, -0.05));
}

#[test]
fn the_two_chain_defaults_beat_a_fit_on_early_january_2018_later_in_the_month() {
    let name = "spxw_eod_2018-01_historicaloptiondata.csv";
    let holdout = ["--holdout-from", "2018-01-16"];
    let Some((_d, out, r)) = calibrate_real(name, "historicaloptiondata", &[], &holdout) else {
        return;
    };
    let line = r.stdout.lines().find(|l| l.contains("out of sample (from 2018-01-16")).unwrap();
    let numbers: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let (before, after) = (numbers[numbers.len() - 2], numbers[numbers.len() - 1]);
    // Seven parameters fitted to one quiet fortnight do not carry to the next one; the defaults,
    // fitted across two regimes with the smile's variance level, do.
    assert!(before < 0.5 * after, "held out, the defaults beat the fit: {line}");
    let fit = std::fs::read_to_string(out.join("fit.csv")).unwrap();
    assert!(fit.lines().any(|l| l.ends_with(",out")) && fit.lines().any(|l| l.ends_with(",in")));
    let png = std::fs::read(out.join("smile.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.ends_with(b"IEND\xaeB`\x82"), "a whole PNG");
}

/// The default VIX option vol is `calibrate --hold vol_min_days` on the real 2016-06-01 chain:
/// refitting from the defaults moves no key, and the defaults price the 10-30 delta calls
/// within a median 10% of the mid.
#[test]
fn the_default_vix_vol_is_the_held_fit_on_the_2016_chain() {
    let name = "vix_eod_2016-06-01_cboe_datashop.csv";
    let hold = ["--hold", "vol_min_days"];
    let Some((_d, out, r)) = calibrate_real(name, "cboe-datashop", &["--drop-invalid"], &hold) else {
        return;
    };
    let model: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("model.toml")).unwrap()).unwrap();
    let d = ironhedge::pricing::VixVolParams::default();
    let defaults = [
        ("vol_scale", d.vvix_scale),
        ("call_skew", d.call_skew),
        ("vol_term_exponent", d.term_exponent),
        ("call_skew_scale", d.call_skew_scale),
        ("skew_term_exponent", d.skew_term_exponent),
        ("vol_min_days", d.min_days),
    ];
    for (key, default) in defaults {
        let fitted = model["hedge"][key].as_float().unwrap();
        assert!((fitted / default - 1.0).abs() < 2e-3, "{key}: fitted {fitted} vs default {default}");
    }
    for bucket in ["10-20", "20-30"] {
        let line = r.stdout.lines().find(|l| l.contains(" call ") && l.contains(bucket)).unwrap();
        let bias: f64 = line.split_whitespace().nth(5).unwrap().trim_end_matches('%').parse().unwrap();
        assert!(bias.abs() < 10.0, "defaults, {bucket}: {line}");
    }
}

#[test]
fn calibrate_fits_vix_options_to_a_vix_chain_for_the_hedge() {
    let name = "vix_eod_2016-06-01_cboe_datashop.csv";
    let Some((d, out, r)) = calibrate_real(name, "cboe-datashop", &["--drop-invalid"], &[]) else {
        return;
    };
    let (before, after) = losses(&r.stdout);
    assert!(after < before, "{before} -> {after}");
    let model: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("model.toml")).unwrap()).unwrap();
    let scale = model["hedge"]["vol_scale"].as_float().unwrap();
    assert!((0.3..3.0).contains(&scale), "{scale}");
    // The fitted six-parameter vol prices the 10-30 delta calls within a median 10% of the mid.
    for bucket in ["10-20", "20-30"] {
        let line = r.stdout.lines().find(|l| l.contains(" call ") && l.contains(bucket)).unwrap();
        let fitted: f64 = line.split_whitespace().nth(6).unwrap().trim_end_matches('%').parse().unwrap();
        assert!(fitted < 10.0, "{bucket}: {line}");
    }
    for key in ["call_skew_scale", "skew_term_exponent", "vol_min_days"] {
        assert!(model["hedge"].get(key).is_some(), "model.toml writes {key}");
    }
    // The flagship (it has a hedge) takes the fitted keys through model.file.
    let flagship = std::fs::read_to_string("strategies/flagship.toml")
        .unwrap()
        .replace("../datasets/", &format!("{}/datasets/", env!("CARGO_MANIFEST_DIR")));
    let s = d.path().join("flagship.toml");
    let text = flagship.replacen(
        "[model]\n",
        &format!("[model]\nfile = \"{}\"\n", out.join("model.toml").display()),
        1,
    );
    std::fs::write(&s, text).unwrap();
    let strategy = ironhedge::config::load_strategy(&s, &[]).unwrap();
    assert_eq!(strategy.hedge.unwrap().vol_scale, scale);
}
