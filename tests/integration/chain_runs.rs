//! Chain-priced backtests (`data.spx_chain`, `data.vix_chain`, `[fills]`): on a synthetic chain
//! written here from Black-Scholes prices (so every expected number is computed independently of
//! the engine), and on the real January 2018 SPXW and June 2016 VIX chains when `../shared` is
//! present.

use crate::common::{ironhedge, read_csv, shared};
use ironhedge::config::load_strategy;
use ironhedge::engine::{run, Market, RunResult};
use ironhedge::pricing::{bsm_greeks, OptionType};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// (bid, ask, delta) by (date, expiry, right, strike).
type Book = HashMap<(String, String, String, i64), (f64, f64, f64)>;

/// The bundled SPX closes of January 2018.
fn january_closes() -> Vec<(String, f64)> {
    let (head, rows) = read_csv(&Path::new(ROOT).join("datasets/spx_daily_1999_2018.csv"));
    let close = head.iter().position(|h| h == "close").unwrap();
    rows.iter()
        .filter(|r| r[0].starts_with("2018-01"))
        .map(|r| (r[0].clone(), r[close].parse().unwrap()))
        .collect()
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Write an SPXW chain for January 2018 (expiries Jan 19, Jan 31 and Feb 16; strikes 2500-3000
/// every 10) priced by Black-Scholes at a 12% vol on the bundled closes: bid and ask 3% and 5
/// cents either side of the price, in cents, at least 5 cents bid and 10 asked. Dates in
/// `skip` are left out. Returns the book of quotes written.
fn write_spx_chain(path: &Path, skip: &[&str]) -> Book {
    let mut text = String::from("date,root,expiry,right,strike,bid,ask,underlying,delta\n");
    let mut book = Book::new();
    for (date, spot) in january_closes().iter().filter(|(d, _)| !skip.contains(&d.as_str())) {
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        for expiry in ["2018-01-19", "2018-01-31", "2018-02-16"] {
            let e = chrono::NaiveDate::parse_from_str(expiry, "%Y-%m-%d").unwrap();
            if e < day {
                continue;
            }
            let t = (e - day).num_days() as f64 / 365.0;
            for (right, kind) in [("call", OptionType::Call), ("put", OptionType::Put)] {
                for k in (2500..=3000).step_by(10) {
                    let g = bsm_greeks(kind, *spot, k as f64, t, 0.02, 0.015, 0.12);
                    let bid = cents(g.price * 0.97 - 0.05).max(0.05);
                    let ask = cents(g.price * 1.03 + 0.05).max(0.1);
                    let delta = (g.delta * 1e4).round() / 1e4;
                    text.push_str(&format!("{date},SPXW,{expiry},{right},{k},{bid},{ask},{spot},{delta}\n"));
                    book.insert((date.clone(), expiry.into(), right.into(), k), (bid, ask, delta));
                }
            }
        }
    }
    std::fs::write(path, text).unwrap();
    book
}

/// A January 2018 condor strategy in `dir` on `chain` (none: on the model), with `extra` TOML.
fn strategy(dir: &Path, chain: Option<&Path>, extra: &str) -> PathBuf {
    let chain_line = chain.map_or(String::new(), |c| format!("spx_chain = \"{}\"\n", c.display()));
    let text = format!(
        "[strategy]\nname = \"chain-test\"\n\
         [data]\nspx = \"{ROOT}/datasets/spx_daily_1999_2018.csv\"\nvix = \"{ROOT}/datasets/vix_close_2014_2019.csv\"\n{chain_line}\
         [dates]\nstart = 2018-01-02\nend = 2018-01-31\n\
         [condor]\nentry = \"when_flat\"\ntarget_dte_days = 14\n\
         short_put = {{ by = \"delta\", value = 0.16 }}\nshort_call = {{ by = \"delta\", value = 0.16 }}\n\
         wing = {{ by = \"width\", value = 30.0 }}\nsizing = {{ by = \"contracts\", value = 2 }}\n\
         profit_target_pct = 40.0\nstop_loss_multiple = 1.5\n\
         [costs]\nhalf_spread_usd = 0.05\ncommission_usd = 0.65\n{extra}"
    );
    let path = dir.join("s.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run_file(path: &Path) -> RunResult {
    let s = load_strategy(path, &[]).unwrap();
    run(&s, &Market::load(&s).unwrap(), None, None).unwrap()
}

fn quote(
    book: &Book,
    date: chrono::NaiveDate,
    expiry: chrono::NaiveDate,
    right: &str,
    k: f64,
) -> (f64, f64, f64) {
    book[&(date.to_string(), expiry.to_string(), right.to_string(), k as i64)]
}

#[test]
fn a_chain_priced_condor_sells_at_the_bid_and_buys_at_the_ask() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.csv");
    let book = write_spx_chain(&chain, &[]);
    let r = run_file(&strategy(dir.path(), Some(&chain), ""));
    assert!(r.trades.len() >= 2, "{} trades", r.trades.len());
    let listed = ["2018-01-19", "2018-01-31", "2018-02-16"];
    let mut exits_checked = 0;
    for t in &r.trades {
        assert!(listed.contains(&t.expiry.to_string().as_str()), "expiry {} is not listed", t.expiry);
        let q = |right: &str, k: f64| quote(&book, t.entry_date, t.expiry, right, k);
        let [lp, sp, sc, lc] = t.strikes;
        let natural = q("put", sp).0 + q("call", sc).0 - q("put", lp).1 - q("call", lc).1;
        assert!(
            (t.credit - natural).abs() < 0.005,
            "trade {}: credit {} vs natural {natural}",
            t.id,
            t.credit
        );
        // The short strikes: the listed strikes (with a bid) whose chain delta is nearest 0.16.
        for (right, k) in [("put", sp), ("call", sc)] {
            let dist = |k: f64| (q(right, k).2.abs() - 0.16).abs();
            let best = (2500..=3000)
                .step_by(10)
                .map(|k| k as f64)
                .filter(|k| q(right, *k).0 > 0.0)
                .min_by(|a, b| dist(*a).total_cmp(&dist(*b)))
                .unwrap();
            assert_eq!(k, best, "trade {} {right}", t.id);
        }
        assert_eq!(t.legs_quoted.unwrap().entry, 4);
        if t.exit_reason.as_str() != "expiry" {
            // At exit a leg quoted with a zero bid is not used (it is marked by the model).
            let q = |right: &str, k: f64| quote(&book, t.exit_date, t.expiry, right, k);
            let usable = [q("put", lp), q("put", sp), q("call", sc), q("call", lc)]
                .iter()
                .filter(|x| x.0 > 0.0)
                .count();
            assert_eq!(t.legs_quoted.unwrap().exit, Some(usable as u8));
            if usable == 4 {
                let natural = q("put", sp).1 + q("call", sc).1 - q("put", lp).0 - q("call", lc).0;
                assert!(
                    (t.exit_price - natural).abs() < 0.005,
                    "trade {}: exit {} vs {natural}",
                    t.id,
                    t.exit_price
                );
                exits_checked += 1;
            }
        }
    }
    assert!(exits_checked > 0, "no exit had four usable quotes");
    let cov = r.chain.as_ref().unwrap().condor.unwrap();
    assert_eq!(
        cov.entries.legs_priced,
        4 * r.trades.len() as u64 + 4 * (r.days.last().unwrap().open_condors as u64)
    );
    assert_eq!(cov.entries.coverage(), Some(1.0));
    assert_eq!(cov.marks.coverage(), Some(1.0));
}

#[test]
fn the_ledger_sums_to_the_cent_and_the_fill_mode_moves_only_the_fills() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.csv");
    write_spx_chain(&chain, &[]);
    let mut credits = Vec::new();
    for fills in
        ["mode = \"natural\"", "mode = \"mid\"", "mode = \"spread_fraction\"\nspread_fraction = 0.25"]
    {
        let r = run_file(&strategy(dir.path(), Some(&chain), &format!("[fills]\n{fills}\n")));
        for (d, a) in r.days.iter().zip(&r.attribution) {
            let parts = crate::common::components_usd(a);
            assert!((parts - a.total_usd).abs() < 0.005, "{}", d.date);
            let explained = a.total_usd + d.interest_usd - d.costs_usd;
            assert!((explained - d.pnl_usd).abs() < 0.005, "{}: {explained} vs {}", d.date, d.pnl_usd);
        }
        let first = &r.trades[0];
        // Entry-day costs: what the fills gave up against the mids, plus 4 commissions a condor.
        let cost0 = r.days[0].costs_usd;
        let k = first.contracts as f64;
        let mid_credit = first.credit + (cost0 - 4.0 * 0.65 * k) / (100.0 * k);
        credits.push((first.credit, mid_credit));
    }
    let (natural, mid, quarter) = (credits[0], credits[1], credits[2]);
    assert!((natural.1 - mid.1).abs() < 1e-9 && (quarter.1 - mid.1).abs() < 1e-9, "{credits:?}");
    assert!((mid.0 - mid.1).abs() < 1e-9, "mid fills give up nothing");
    let spread = mid.0 - natural.0;
    assert!(spread > 0.0 && ((mid.0 - quarter.0) - 0.5 * spread).abs() < 1e-9, "{credits:?}");
}

#[test]
fn days_the_chain_misses_are_marked_on_the_model_at_the_last_quoted_vol_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (full, gappy) = (dir.path().join("full.csv"), dir.path().join("gappy.csv"));
    write_spx_chain(&full, &[]);
    write_spx_chain(&gappy, &["2018-01-10"]);
    let a = run_file(&strategy(dir.path(), Some(&full), ""));
    let b = run_file(&strategy(dir.path(), Some(&gappy), ""));
    let day = |r: &RunResult| r.days.iter().position(|d| d.date.to_string() == "2018-01-10").unwrap();
    let (i, j) = (day(&a), day(&b));
    assert!(a.days[i].open_condors > 0, "a condor is open on the missing day");
    // The quotes are Black-Scholes at one vol: the model at the carried vol lands near the mid.
    let gap = (a.days[i].equity_usd - b.days[j].equity_usd).abs();
    assert!(gap < 5.0, "equity on the missing day: {} vs {}", a.days[i].equity_usd, b.days[j].equity_usd);
    let model_marks = |r: &RunResult| {
        let c = r.chain.as_ref().unwrap().condor.unwrap().marks;
        c.legs_priced - c.from_quotes
    };
    let key =
        |r: &RunResult| r.trades.iter().map(|t| (t.entry_date, t.exit_date, t.strikes)).collect::<Vec<_>>();
    assert_eq!(key(&a), key(&b), "the same condors either way");
    assert_eq!(model_marks(&b), model_marks(&a) + 4 * b.days[j].open_condors as u64);
}

#[test]
fn outputs_show_the_coverage_and_warn_under_90_percent() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.csv");
    // Quotes for the first week only: most marks are on the model.
    let later: Vec<String> =
        january_closes().into_iter().map(|c| c.0).filter(|d| d.as_str() > "2018-01-05").collect();
    write_spx_chain(&chain, &later.iter().map(String::as_str).collect::<Vec<_>>());
    let s = strategy(dir.path(), Some(&chain), "");
    let out = dir.path().join("out");
    let r = ironhedge(&["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("chain (natural fills): condor legs priced from quotes"), "{}", r.stdout);
    assert!(r.stderr.contains("warning: only") && r.stderr.contains("marks"), "{}", r.stderr);
    let run_dir = std::fs::read_dir(&out).unwrap().next().unwrap().unwrap().path();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("summary.json")).unwrap()).unwrap();
    let marks = &summary["chain"]["condor"]["marks"];
    let (n, q) = (marks["legs_priced"].as_f64().unwrap(), marks["from_quotes"].as_f64().unwrap());
    assert!(q < 0.9 * n && (marks["coverage"].as_f64().unwrap() - q / n).abs() < 1e-12, "{marks}");
    assert_eq!(summary["chain"]["fills"], "natural");
    let (head, rows) = read_csv(&run_dir.join("trades.csv"));
    let col = head.iter().position(|h| h == "priced_from").unwrap();
    assert!(rows[0][col].starts_with("entry:4/4 exit:"), "{:?}", rows[0]);
    // A model run writes neither the column nor the block.
    let model = strategy(dir.path(), None, "");
    let out2 = dir.path().join("out2");
    assert_eq!(ironhedge(&["run", model.to_str().unwrap(), "--out", out2.to_str().unwrap()]).code, 0);
    let run_dir = std::fs::read_dir(&out2).unwrap().next().unwrap().unwrap().path();
    assert!(!std::fs::read_to_string(run_dir.join("summary.json")).unwrap().contains("\"chain\""));
    assert!(!std::fs::read_to_string(run_dir.join("trades.csv")).unwrap().contains("priced_from"));
}

#[test]
fn a_chain_outside_the_run_and_bad_fills_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.csv");
    write_spx_chain(&chain, &[]);
    let s = strategy(dir.path(), Some(&chain), "");
    let r = ironhedge(&[
        "run",
        s.to_str().unwrap(),
        "--from",
        "2017-03-01",
        "--to",
        "2017-06-30",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("data.spx_chain covers 2018-01-02 .. 2018-01-31, none of the run's trading days (2017-03-01 .. 2017-06-30)"), "{}", r.stderr);
    for (fills, says) in [
        ("[fills]\nmode = \"best\"\n", "fills.mode"),
        ("[fills]\nmode = \"spread_fraction\"\n", "fills.spread_fraction"),
        ("[fills]\nmode = \"spread_fraction\"\nspread_fraction = 1.5\n", "fills.spread_fraction"),
        ("[fills]\nmode = \"mid\"\nspread_fraction = 0.2\n", "fills.spread_fraction"),
    ] {
        let s = strategy(dir.path(), Some(&chain), fills);
        let r = ironhedge(&["run", s.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
        assert_eq!(r.code, 2, "{fills}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{fills}: {}", r.stderr);
    }
    // A VIX chain given as the SPX chain says what it holds.
    let vix = dir.path().join("vix.csv");
    std::fs::write(
        &vix,
        "date,root,expiry,right,strike,bid,ask\n2018-01-02,VIX,2018-01-17,call,12,0.5,0.6\n",
    )
    .unwrap();
    let s = strategy(dir.path(), Some(&vix), "");
    let r = ironhedge(&["run", s.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no SPX or SPXW quotes (roots found: VIX)"), "{}", r.stderr);
}

#[test]
fn a_sweep_runs_chain_priced_combinations_on_the_engine_with_the_runs_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.csv");
    write_spx_chain(&chain, &[]);
    let sweep = "[sweep]\nobjective = \"total_return\"\n[sweep.params]\n\"condor.short_put.value\" = [0.10, 0.16]\n\"fills.mode\" = [\"natural\", \"mid\"]\n";
    let s = strategy(dir.path(), Some(&chain), sweep);
    let out = dir.path().join("sweep");
    let r = ironhedge(&["sweep", s.to_str().unwrap(), "--out", out.to_str().unwrap(), "--jobs", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("ran 4 combinations: 0 on the kernel, 4 on the engine (chain-priced legs)"),
        "{}",
        r.stderr
    );
    let (head, rows) = read_csv(&out.join("results.csv"));
    let ret = head.iter().position(|h| h == "total_return").unwrap();
    let set = |k: &str, v: &str| format!("{k}={v}");
    for row in &rows {
        let (put, mode) = (&row[1], &row[2]);
        let args = [set("condor.short_put.value", put), set("fills.mode", &format!("\"{mode}\""))];
        let strat = load_strategy(&s, &args).unwrap();
        let single = run(&strat, &Market::load(&strat).unwrap(), None, None).unwrap();
        let expected = single.metrics.total_return.unwrap();
        assert_eq!(row[ret].parse::<f64>().unwrap(), expected, "{row:?}");
    }
}

/// The flagship over June-September 2016 with `chain` as its VIX chain and an equity budget (so
/// its layers buy on the first day, the chain's).
fn flagship_june_2016_on(chain: &Path) -> RunResult {
    let set = [
        format!("data.vix_chain=\"{}\"", chain.display()),
        "dates.start=2016-06-01".into(),
        "dates.end=2016-09-30".into(),
        "hedge.budget.by=\"equity_per_year\"".into(),
        // 4% a year: the front layer's first-day budget covers one 25-delta call at the ask.
        "hedge.budget.value=0.04".into(),
    ];
    let s = load_strategy(&Path::new(ROOT).join("strategies/flagship.toml"), &set).unwrap();
    run(&s, &Market::load(&s).unwrap(), None, None).unwrap()
}

/// Import a real chain from `../shared` into `dir` (`None`: skipped).
fn real_chain(dir: &Path, name: &str, format: &str, extra: &[&str]) -> Option<PathBuf> {
    let src = shared(&format!("chains/{name}"))?;
    let out = dir.join(format!("{name}.csv"));
    let mut args =
        vec!["data", "import", "--format", format, src.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let r = ironhedge(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    Some(out)
}

#[test]
fn on_the_real_january_2018_chain_the_entry_credit_is_the_natural_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let Some(chain) =
        real_chain(dir.path(), "spxw_eod_2018-01_historicaloptiondata.csv", "historicaloptiondata", &[])
    else {
        return;
    };
    let text = std::fs::read_to_string(Path::new(ROOT).join("strategies/jan2018_condor_chain.toml")).unwrap();
    let text = text
        .replace("../datasets/", &format!("{ROOT}/datasets/"))
        .replace("../results/chains/spxw_2018-01.csv", chain.to_str().unwrap());
    let s = dir.path().join("s.toml");
    std::fs::write(&s, text).unwrap();
    let r = run_file(&s);
    let (head, rows) = read_csv(&chain);
    let c = |n: &str| head.iter().position(|h| h == n).unwrap();
    let find = |date: &str, expiry: &str, right: &str, k: f64| {
        rows.iter()
            .find(|row| {
                row[c("date")] == date
                    && row[c("expiry")] == expiry
                    && row[c("right")] == right
                    && row[c("strike")].parse::<f64>().unwrap() == k
            })
            .map(|row| (row[c("bid")].parse::<f64>().unwrap(), row[c("ask")].parse::<f64>().unwrap()))
            .unwrap()
    };
    assert!(!r.trades.is_empty());
    for t in &r.trades {
        let (d, e) = (t.entry_date.to_string(), t.expiry.to_string());
        let [lp, sp, sc, lc] = t.strikes;
        let natural = find(&d, &e, "put", sp).0 + find(&d, &e, "call", sc).0
            - find(&d, &e, "put", lp).1
            - find(&d, &e, "call", lc).1;
        assert!((t.credit - natural).abs() < 0.005, "{d}: credit {} vs natural {natural}", t.credit);
    }
    let cov = r.chain.unwrap().condor.unwrap();
    assert_eq!((cov.entries.coverage(), cov.marks.coverage()), (Some(1.0), Some(1.0)));
}

#[test]
fn on_the_real_2016_vix_chain_the_hedge_buys_at_the_ask() {
    let dir = tempfile::tempdir().unwrap();
    let Some(chain) =
        real_chain(dir.path(), "vix_eod_2016-06-01_cboe_datashop.csv", "cboe-datashop", &["--drop-invalid"])
    else {
        return;
    };
    let r = flagship_june_2016_on(&chain);
    let (head, rows) = read_csv(&chain);
    let c = |n: &str| head.iter().position(|h| h == n).unwrap();
    let bought: Vec<_> = r.hedge_trades.iter().filter(|t| t.entry_date.to_string() == "2016-06-01").collect();
    assert!(!bought.is_empty(), "a layer buys on the chain's day");
    for t in bought {
        let ask = rows
            .iter()
            .find(|row| {
                row[c("expiry")] == t.expiry.to_string()
                    && row[c("right")] == "call"
                    && row[c("strike")].parse::<f64>().unwrap() == t.strike
            })
            .map(|row| row[c("ask")].parse::<f64>().unwrap())
            .unwrap();
        assert!(
            (t.entry_price - ask).abs() < 0.005,
            "{} {}: paid {} vs ask {ask}",
            t.expiry,
            t.strike,
            t.entry_price
        );
        assert!(t.quoted.unwrap().0);
    }
    let cov = r.chain.unwrap().hedge.unwrap();
    assert!(cov.entries.from_quotes >= 1 && cov.entries.coverage().unwrap() < 1.0);
}

#[test]
fn a_vix_chain_prices_the_hedge_calls_bought_on_its_days() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("vix.csv");
    let mut text = String::from("date,root,expiry,right,strike,bid,ask\n");
    let mut asks = HashMap::new();
    for (expiry, f) in
        [("2016-06-15", 15.5), ("2016-07-20", 17.5), ("2016-08-17", 18.5), ("2016-09-21", 19.0)]
    {
        for k in 10..=40 {
            let k = k as f64;
            let p: f64 = (f - k).max(0.0) + 1.2 * (-(k - f).abs() / 6.0).exp();
            let (bid, ask) = (cents(p * 0.95), cents(p * 1.05) + 0.05);
            text.push_str(&format!("2016-06-01,VIX,{expiry},call,{k},{bid},{ask}\n"));
            asks.insert((expiry.to_string(), k as i64), ask);
        }
    }
    std::fs::write(&chain, text).unwrap();
    let r = flagship_june_2016_on(&chain);
    let first: Vec<_> = r.hedge_trades.iter().filter(|t| t.entry_date.to_string() == "2016-06-01").collect();
    assert!(!first.is_empty());
    for t in &first {
        let ask = asks[&(t.expiry.to_string(), t.strike as i64)];
        assert!((t.entry_price - ask).abs() < 1e-9, "paid {} vs ask {ask}", t.entry_price);
        assert_eq!(t.quoted, Some((true, t.quoted.unwrap().1)));
    }
    for t in r.hedge_trades.iter().filter(|t| t.entry_date.to_string() != "2016-06-01") {
        assert!(!t.quoted.unwrap().0, "bought on a day the chain does not cover: on the model");
    }
    let cov = r.chain.as_ref().unwrap().hedge.unwrap();
    assert_eq!(cov.entries.from_quotes, first.len() as u64);
    assert!(r.chain.unwrap().condor.is_none(), "no SPX chain: the condors are on the model");
    // The days' P&L is still explained to the cent.
    for (d, a) in r.days.iter().zip(&r.attribution) {
        assert!((a.total_usd + d.interest_usd - d.costs_usd - d.pnl_usd).abs() < 0.005, "{}", d.date);
    }
}

#[test]
fn a_vix_chain_without_a_hedge_and_fills_without_a_chain_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("vix.csv");
    std::fs::write(
        &chain,
        "date,root,expiry,right,strike,bid,ask\n2018-01-02,VIX,2018-01-17,call,12,0.5,0.6\n",
    )
    .unwrap();
    let s = strategy(dir.path(), None, "");
    let line = format!("[data]\nvix_chain = \"{}\"\n", chain.display());
    let text = std::fs::read_to_string(&s).unwrap().replace("[data]\n", &line);
    std::fs::write(&s, text).unwrap();
    let r = ironhedge(&["run", s.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("data.vix_chain") && r.stderr.contains("no [hedge]"), "{}", r.stderr);
    let s = strategy(dir.path(), None, "[fills]\nmode = \"mid\"\n");
    let r = ironhedge(&["run", s.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("key `fills`") && r.stderr.contains("no chain"), "{}", r.stderr);
}

#[test]
fn the_cboe_strike_listing_matches_the_real_2016_vix_chain() {
    let dir = tempfile::tempdir().unwrap();
    let Some(chain) =
        real_chain(dir.path(), "vix_eod_2016-06-01_cboe_datashop.csv", "cboe-datashop", &["--drop-invalid"])
    else {
        return;
    };
    let (head, rows) = read_csv(&chain);
    let c = |n: &str| head.iter().position(|h| h == n).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2016, 6, 1).unwrap();
    let mut by_expiry: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for row in rows.iter().filter(|r| r[c("right")] == "call") {
        by_expiry.entry(row[c("expiry")].clone()).or_default().push(row[c("strike")].parse().unwrap());
    }
    let listing = ironhedge::pricing::StrikeListing::cboe();
    for (expiry, mut listed) in by_expiry {
        listed.sort_by(f64::total_cmp);
        listed.dedup();
        let e = chrono::NaiveDate::parse_from_str(&expiry, "%Y-%m-%d").unwrap();
        let ladder = listing.ladder(date, (e - date).num_days()).unwrap();
        let (lo, hi) = (listed[0], *listed.last().unwrap());
        let ours: Vec<f64> = ladder.strikes().iter().copied().filter(|k| *k >= lo && *k <= hi).collect();
        assert_eq!(ours, listed, "expiry {expiry}");
    }
}

#[test]
fn the_hedge_buys_listed_strikes_and_strike_grid_takes_three_forms() {
    use ironhedge::pricing::Strikes;
    let s = load_strategy(&Path::new(ROOT).join("strategies/flagship.toml"), &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    let listing = ironhedge::pricing::StrikeListing::cboe();
    let mut steps = std::collections::BTreeSet::new();
    for t in &r.hedge_trades {
        let ladder = listing.ladder(t.entry_date, (t.expiry - t.entry_date).num_days()).unwrap();
        assert!(ladder.strikes().contains(&t.strike), "{} {} strike {}", t.entry_date, t.expiry, t.strike);
        assert_eq!(ladder.round(t.strike, OptionType::Call), Ok(t.strike));
        steps.insert((t.strike * 2.0) as i64 % 2);
    }
    assert!(steps.contains(&1), "some half-point strikes bought below 15 (2014-2018 VIX lows)");
    // A step: every strike on it. Eras: the table's.
    for (grid, check) in [("1.0", 1.0), ("2.5", 2.5)] {
        let s = load_strategy(
            &Path::new(ROOT).join("strategies/flagship.toml"),
            &[format!("hedge.strike_grid={grid}")],
        )
        .unwrap();
        let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
        assert!(r.hedge_trades.iter().all(|t| (t.strike / check).fract() == 0.0), "{grid}");
    }
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(Path::new(ROOT).join("strategies/flagship.toml"))
        .unwrap()
        .replace("../datasets/", &format!("{ROOT}/datasets/"))
        .replacen(
            "[[hedge.layers]]", "[[hedge.strike_grid]]\nfrom = 2014-01-01\nbands = [{ below = 20.0, step = 2.0 }, { below = 100.0, step = 4.0 }]\n\n[[hedge.layers]]",
            1,
        );
    let path = dir.path().join("eras.toml");
    std::fs::write(&path, &text).unwrap();
    let s = load_strategy(&path, &[]).unwrap();
    let r = run(&s, &Market::load(&s).unwrap(), None, None).unwrap();
    assert!(r
        .hedge_trades
        .iter()
        .all(|t| (t.strike < 20.0 && t.strike % 2.0 == 0.0) || t.strike % 4.0 == 0.0));
    // Bad forms: exit 2 naming the key.
    for (bad, says) in [
        ("\"nasdaq\"", "hedge.strike_grid"),
        ("0", "hedge.strike_grid"),
        (
            "[{ from = 2014-01-01, bands = [{ below = 30.0, step = 0.0 }] }]",
            "hedge.strike_grid[0].bands[0].step",
        ),
        (
            "[{ from = 2014-01-01, bands = [{ below = 30.0, step = 1.0, max = 3 }] }]",
            "hedge.strike_grid[0].bands[0].max",
        ),
        ("[{ bands = [{ below = 30.0, step = 1.0 }, { below = 20.0, step = 1.0 }] }]", "increasing"),
    ] {
        let r = ironhedge(&[
            "strategy",
            "check",
            "strategies/flagship.toml",
            "--set",
            &format!("hedge.strike_grid={bad}"),
        ]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{bad}: {}", r.stderr);
    }
}

#[test]
fn calibrate_fits_two_chains_together_with_a_regime() {
    let dir = tempfile::tempdir().unwrap();
    let Some(jan) =
        real_chain(dir.path(), "spxw_eod_2018-01_historicaloptiondata.csv", "historicaloptiondata", &[])
    else {
        return;
    };
    let Some(jun) = real_chain(dir.path(), "spxw_2019-06-26_1545_cboe_datashop.csv", "cboe-datashop", &[])
    else {
        return;
    };
    let (vix, spx) = (shared("vix_daily_1990_2026.csv").unwrap(), shared("spx_daily_1990_2026.csv").unwrap());
    let out = dir.path().join("cal");
    let r = ironhedge(&[
        "calibrate",
        "--chain",
        jan.to_str().unwrap(),
        "--chain",
        jun.to_str().unwrap(),
        "--regime",
        "--vix",
        vix.to_str().unwrap(),
        "--spx",
        spx.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // One table per chain, and a fit better than the defaults over both.
    assert!(
        r.stdout.contains(&format!("{} (", jan.display()))
            && r.stdout.contains(&format!("{} (", jun.display()))
    );
    let head = r.stdout.lines().next().unwrap();
    let nums: Vec<f64> =
        head.split(|c: char| !(c.is_ascii_digit() || c == '.')).filter_map(|w| w.parse().ok()).collect();
    let (before, after) = (nums[nums.len() - 3], nums[nums.len() - 2]);
    assert!(after < 0.9 * before, "{head}");
    let model: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("model.toml")).unwrap()).unwrap();
    let put_vix = model["model"]["put_slope_vix"].as_float().unwrap();
    assert!(put_vix < 0.0, "the put wing is steeper in the calm chain: {put_vix}");
    // The model file loads into a strategy, regime included.
    let p = ironhedge::config::load_model_file(&out.join("model.toml")).unwrap();
    assert_eq!(p.regime.put_slope, put_vix);
    // VIX and SPX chains do not mix.
    let vix_chain =
        real_chain(dir.path(), "vix_eod_2016-06-01_cboe_datashop.csv", "cboe-datashop", &["--drop-invalid"])
            .unwrap();
    let r = ironhedge(&[
        "calibrate",
        "--chain",
        jan.to_str().unwrap(),
        "--chain",
        vix_chain.to_str().unwrap(),
        "--vix",
        vix.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("chains of one kind"), "{}", r.stderr);
}
