//! Sweeps: identical bytes for 1 or 2 threads, shards that merge into the unsharded table, a
//! SIGKILLed sweep resumed to the same table, Ctrl-C, and bad specifications refused with exit 2.

use crate::common::ironhedge;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn sweep(args: &[&str]) -> crate::common::Run {
    let mut all = vec!["sweep"];
    all.extend(args);
    ironhedge(&all)
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A copy of weekly_condor.toml (data paths absolute) with `sweep` as its [sweep] table.
fn strategy_with(dir: &Path, sweep_table: &str) -> PathBuf {
    let base = crate::common::weekly_condor_base();
    let p = dir.join("s.toml");
    std::fs::write(&p, format!("{base}\n{sweep_table}\n")).unwrap();
    p
}

#[test]
fn one_or_two_threads_and_three_shards_give_the_same_table() {
    let d = tempfile::tempdir().unwrap();
    let out = |n: &str| d.path().join(n);
    let s = "strategies/weekly_condor.toml";
    for (name, jobs) in [("j1", "1"), ("j2", "2")] {
        let r = sweep(&[s, "--out", out(name).to_str().unwrap(), "--jobs", jobs, "--quiet"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    assert_eq!(bytes(&out("j1").join("results.csv")), bytes(&out("j2").join("results.csv")));
    assert_eq!(bytes(&out("j1").join("results.parquet")), bytes(&out("j2").join("results.parquet")));
    let (_, rows) = crate::common::read_csv(&out("j1").join("results.csv"));
    assert_eq!(rows.len(), 72);
    let mut shards = Vec::new();
    for i in 0..3 {
        let dir = out(&format!("shard{i}"));
        let r = sweep(&[s, "--shard", &format!("{i}/3"), "--out", dir.to_str().unwrap(), "--quiet"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        shards.push(dir);
    }
    // Two shards are not the whole sweep.
    let r = sweep(&[
        "merge",
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--out",
        out("bad").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("hold 48 of 72 combinations"), "{}", r.stderr);
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|p| p.to_str().unwrap()));
    let merged = out("merged");
    args.extend(["--out", merged.to_str().unwrap()]);
    let r = sweep(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(bytes(&out("j1").join("results.csv")), bytes(&out("merged").join("results.csv")));
    assert_eq!(bytes(&out("j1").join("results.parquet")), bytes(&out("merged").join("results.parquet")));
    for f in ["heatmap.png", "sensitivity.png", "top_equity.png"] {
        assert!(out("merged").join(f).exists(), "{f}");
    }
    assert!(r.stdout.contains("rank") && r.stdout.contains("sharpe"), "{}", r.stdout);
    // A heatmap of any metric over any two parameters, others fixed or best-of.
    let png = out("dd.png");
    let j1 = out("j1");
    let args = ["heatmap", j1.to_str().unwrap(), "--metric", "max_drawdown", "--x", "condor.wing.value"];
    let more =
        ["--y", "condor.target_dte_days", "--where", "condor.short_call.value=0.1", "--minimize", "--out"];
    let r = sweep(&[&args[..], &more[..], &[png.to_str().unwrap()]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(bytes(&png).len() > 10_000);
    let r = sweep(&[
        "heatmap",
        j1.to_str().unwrap(),
        "--metric",
        "sharpe",
        "--x",
        "condor.wing.valu",
        "--y",
        "condor.target_dte_days",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no column `condor.wing.valu`")
            && r.stderr.contains("did you mean `condor.wing.value`?"),
        "{}",
        r.stderr
    );
}

/// The condor-only kernel and the event-driven engine give the same table to the byte over
/// every path the kernel takes: both expiry kinds, smile or none (the smile's variance level,
/// regime and term scales swept), both sizings, interest on cash, stop losses, several condors at
/// once and every entry schedule.
#[test]
fn the_kernel_and_the_engine_give_the_same_table() {
    let d = tempfile::tempdir().unwrap();
    let s = strategy_with(
        d.path(),
        r#"[sweep]
objective = "total_return"
top_n = 1
[sweep.params]
"condor.expiries" = ["spxw", "monthly"]
"model.smile" = [true, false]
"capital.interest_on_cash" = [true, false]
[[sweep.zip]]
"condor.sizing.by" = ["contracts", "risk_fraction"]
"condor.sizing.value" = [2, 0.05]
"model.atm_ratio_vix" = [0.0, 0.25]
"model.put_slope_vix" = [0.0, -0.1]
"model.atm_scale" = [0.9226, 1.0]
"model.call_term" = [0.0379, 0.0]
[[sweep.zip]]
"condor.entry" = ["weekday", "every_n_days", "when_flat", "weekday"]
"condor.every_n_days" = [5, 3, 5, 5]
"condor.max_concurrent" = [3, 2, 1, 1]
"condor.stop_loss_multiple" = [2.0, 1.5, "none", 3.0]
"#,
    );
    let out = |n: &str| d.path().join(n);
    let r = sweep(&[s.to_str().unwrap(), "--out", out("kernel").to_str().unwrap(), "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r =
        sweep(&[s.to_str().unwrap(), "--out", out("engine").to_str().unwrap(), "--quiet", "--engine-only"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let table = bytes(&out("kernel").join("results.csv"));
    assert_eq!(table, bytes(&out("engine").join("results.csv")));
    let (_, rows) = crate::common::read_csv(&out("kernel").join("results.csv"));
    assert_eq!(rows.len(), 64);
    assert!(rows.iter().all(|r| r.contains(&"ok".to_string())), "every combination ran");
}

/// A sweep over the weekly condor base with `sweep_table`, parsed, and its market loaded.
fn loaded(
    sweep_table: &str,
) -> (ironhedge::config::StrategySource, ironhedge::sweep::SweepSpec, ironhedge::engine::Market) {
    let d = tempfile::tempdir().unwrap();
    let source = ironhedge::config::StrategySource::read(&strategy_with(d.path(), sweep_table), &[]).unwrap();
    let spec = ironhedge::sweep::parse(&source, false).unwrap();
    let market = ironhedge::engine::Market::load(&source.validate().unwrap()).unwrap();
    (source, spec, market)
}

/// [`loaded`] with `params` swept, each crossed with two strike choices (zipped put and call
/// deltas) and two exit rules (50% target and 21 DTE, or hold to expiry).
fn loaded_with_exits(
    params: &str,
) -> (ironhedge::config::StrategySource, ironhedge::sweep::SweepSpec, ironhedge::engine::Market) {
    loaded(&format!(
        r#"[sweep]
objective = "total_return"
[sweep.params]
{params}[[sweep.zip]]
"condor.short_put.value" = [0.10, 0.16]
"condor.short_call.value" = [0.12, 0.16]
[[sweep.zip]]
"condor.profit_target_pct" = [50.0, "none"]
"condor.exit_dte_days" = [21, "none"]
"#
    ))
}

/// The kernel's memo changes no row: combinations run through one shared memo (in forward and
/// reverse order), through a memo that forgets its work before every run (a budget of 1 value)
/// and through the engine give the same rows.
#[test]
fn the_kernel_memo_changes_no_row() {
    use ironhedge::engine::kernel::{Memo, Tapes};
    let (source, spec, market) = loaded_with_exits(
        r#""condor.target_dte_days" = [30, 45]
"condor.wing.value" = [25.0, 50.0]
"model.smile" = [true, false]
"#,
    );
    let n = spec.combos.len();
    let tapes = Tapes::default();
    let run = |memo: Option<&mut Memo>, i| {
        ironhedge::sweep::run_one(&source, &spec, &market, memo.map(|m| (&tapes, m)), i)
    };
    let mut shared = Memo::default();
    let forward: Vec<_> = (0..n).map(|i| run(Some(&mut shared), i)).collect();
    assert!(shared.computed > 0, "the kernel ran");
    let mut backward: Vec<_> = (0..n).rev().map(|i| run(Some(&mut shared), i)).collect();
    backward.reverse();
    let mut forgetful = Memo::with_budget(1);
    let forgetting: Vec<_> = (0..n).map(|i| run(Some(&mut forgetful), i)).collect();
    let engine: Vec<_> = (0..n).map(|i| run(None, i)).collect();
    assert_eq!(forward, backward);
    assert_eq!(forward, forgetting);
    assert_eq!(forward, engine);
    assert!(forward.iter().all(|r| r.status == "ok"), "{forward:?}");
}

/// Runs advanced in step (the sweep's way: [`kernel::run_in_step`], whose memo forgets the
/// entries every run has left behind) give each run's result as run alone on a fresh memo, with
/// smiles, one or several condors open at once, monthly expiries and interest on cash; a run
/// stopped before its end gives nothing.
#[test]
fn runs_in_step_match_runs_alone() {
    use ironhedge::engine::kernel::{self, CondorRules, Memo, Tapes};
    let (source, spec, market) = loaded_with_exits(
        r#""condor.target_dte_days" = [30, 60]
"condor.wing.value" = [25.0, 50.0]
"model.smile" = [true, false]
"condor.max_concurrent" = [1, 3]
"capital.interest_on_cash" = [true, false]
"condor.expiries" = ["spxw", "monthly"]
"#,
    );
    let tapes = Tapes::default();
    let mut runs = Vec::new();
    for i in 0..spec.combos.len() {
        let s = source.with(&spec.assignments(i), "sweep").unwrap();
        assert!(kernel::supports(&s, &market));
        runs.push((CondorRules::of(&s), tapes.get(&s, &market).unwrap()));
    }
    let tape = runs[0].1.clone();
    let on_tape: Vec<&CondorRules> =
        runs.iter().filter(|(_, t)| std::sync::Arc::ptr_eq(t, &tape)).map(|(r, _)| r).collect();
    assert!(on_tape.len() >= 64 && on_tape.len() < runs.len(), "{}", on_tape.len());
    let mut memo = Memo::default();
    let in_step = kernel::run_in_step(&on_tape, &tape, &mut memo, || true).unwrap();
    assert!(memo.computed > 0, "the kernel ran");
    for (rules, got) in on_tape.iter().zip(&in_step) {
        let alone = kernel::run_condors(rules, &tape, &mut Memo::default());
        assert_eq!(got, &alone);
    }
    // The same memo again (its store's slabs reused), and a stop after three steps.
    assert_eq!(kernel::run_in_step(&on_tape, &tape, &mut memo, || true).unwrap(), in_step);
    let mut steps = 0;
    let stopped = kernel::run_in_step(&on_tape, &tape, &mut memo, || {
        steps += 1;
        steps <= 3
    });
    assert!(stopped.is_none());
    assert_eq!(steps, 4);
}

/// A sweep big enough to be caught mid-way (about 400 combinations, 1 thread).
const LONG: &str = r#"[sweep]
objective = "total_return"
top_n = 2
[sweep.params]
"condor.short_put.value" = { from = 0.08, to = 0.20, step = 0.01 }
"condor.short_call.value" = { from = 0.08, to = 0.20, step = 0.01 }
"condor.wing.value" = [25.0, 50.0]
"#;

fn spawn(strategy: &Path, out: &Path, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ironhedge"))
        // The engine (not the kernel): slow enough to be caught mid-way; the table it resumes
        // to must equal the kernel's uninterrupted one.
        .args(["sweep", strategy.to_str().unwrap(), "--out", out.to_str().unwrap(), "--jobs", "1", "--quiet"])
        .arg("--engine-only")
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait until the checkpoint holds at least `rows` rows.
fn wait_rows(out: &Path, rows: usize) {
    for _ in 0..2000 {
        let n =
            std::fs::read_to_string(out.join("rows.csv")).map_or(0, |t| t.lines().count().saturating_sub(1));
        if n >= rows {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the sweep did not write {rows} rows");
}

#[test]
fn a_killed_sweep_resumes_to_the_same_table() {
    let d = tempfile::tempdir().unwrap();
    let s = strategy_with(d.path(), LONG);
    let full = d.path().join("full");
    let r = sweep(&[s.to_str().unwrap(), "--out", full.to_str().unwrap(), "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let killed = d.path().join("killed");
    // Killed at 20 different points, each after some more rows.
    for round in 0..20 {
        let mut child = spawn(&s, &killed, if round == 0 { &[] } else { &["--resume"] });
        wait_rows(&killed, 15 * (round + 1));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    assert!(!killed.join("results.csv").exists(), "no final table before the sweep is done");
    // A torn last line (killed mid-write) is dropped on resume.
    let mut f = std::fs::OpenOptions::new().append(true).open(killed.join("rows.csv")).unwrap();
    std::io::Write::write_all(&mut f, b"399,0.2,0.2,5").unwrap();
    let done_before = std::fs::read_to_string(killed.join("rows.csv")).unwrap().lines().count() - 2;
    let r = sweep(&[s.to_str().unwrap(), "--out", killed.to_str().unwrap(), "--resume", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(bytes(&full.join("results.csv")), bytes(&killed.join("results.csv")));
    assert_eq!(bytes(&full.join("results.parquet")), bytes(&killed.join("results.parquet")));
    // Nothing finished was run again: the checkpoint has each combination once.
    let rows = std::fs::read_to_string(killed.join("rows.csv")).unwrap();
    assert_eq!(rows.lines().count() - 1, 338, "{done_before} rows were kept before the resume");
    // Without --resume an existing sweep folder is not overwritten.
    let r = sweep(&[s.to_str().unwrap(), "--out", killed.to_str().unwrap(), "--quiet"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("pass --resume"), "{}", r.stderr);
}

#[test]
fn ctrl_c_stops_cleanly_and_says_how_to_resume() {
    let d = tempfile::tempdir().unwrap();
    let s = strategy_with(d.path(), LONG);
    let out = d.path().join("out");
    let child = spawn(&s, &out, &[]);
    wait_rows(&out, 16);
    let ok = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted:") && stderr.contains("--resume"), "{stderr}");
    let r = sweep(&[s.to_str().unwrap(), "--out", out.to_str().unwrap(), "--resume", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out.join("results.csv").exists());
}

#[test]
fn bad_sweeps_exit_2_naming_the_key() {
    let d = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 7] = [
        ("[sweep]\nobjective = \"sharp\"\n[sweep.params]\n\"condor.wing.value\" = [25.0]", &["key `sweep.objective`", "did you mean `sharpe`?"]),
        ("[sweep]\nobjective = \"sharpe\"\n[sweep.params]\n\"condor.wing.value\" = [25.0, -5.0]", &["sweep.params.\"condor.wing.value\"", "the value -5 is not valid", "condor.wing.value"]),
        ("[sweep]\nobjective = \"sharpe\"\n[sweep.params]\n\"condor.wing.valeu\" = [25.0]", &["condor.wing.valeu", "unknown key", "did you mean `value`?"]),
        ("[sweep]\nobjective = \"sharpe\"\n[sweep.params]\n\"data.spx\" = [\"a.csv\"]", &["sweep.params.\"data.spx\"", "does not select data"]),
        ("[sweep]\nobjective = \"sharpe\"\nmax_combinations = 10\n[sweep.params]\n\"condor.target_dte_days\" = { from = 25, to = 60, step = 1 }", &["36 combinations, more than max_combinations = 10", "--force"]),
        ("[sweep]\nobjective = \"sharpe\"\n[[sweep.zip]]\n\"condor.profit_target_pct\" = [25.0, 50.0]\n\"condor.exit_dte_days\" = [21]", &["key `sweep.zip[0]`", "same length"]),
        ("[sweep]\nobjective = \"sharpe\"\nmode = \"grdi\"\n[sweep.params]\n\"condor.wing.value\" = [25.0]", &["key `sweep.mode`", "\"grid\" or \"random\""]),
    ];
    for (table, needles) in cases {
        let s = strategy_with(d.path(), table);
        let r = sweep(&[s.to_str().unwrap(), "--out", d.path().join("o").to_str().unwrap(), "--quiet"]);
        assert_eq!(r.code, 2, "{table}: {}", r.stderr);
        for n in needles {
            assert!(r.stderr.contains(n), "{table}: lacks `{n}`: {}", r.stderr);
        }
    }
    let r = sweep(&["strategies/weekly_condor.toml", "--shard", "3/3", "--quiet"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected I/N with 0 <= I < N"), "{}", r.stderr);
}

#[test]
fn random_sampling_is_seeded_and_zip_and_none_work() {
    let d = tempfile::tempdir().unwrap();
    let table = "[sweep]\nobjective = \"total_return\"\nmode = \"random\"\nsamples = 6\nseed = 11\ntop_n = 1\n[sweep.params]\n\"condor.short_put.value\" = { from = 0.08, to = 0.20, step = 0.02 }\n\"condor.wing.value\" = [25.0, 50.0, 75.0]\n[[sweep.zip]]\n\"condor.profit_target_pct\" = [50.0, \"none\"]\n\"condor.exit_dte_days\" = [21, \"none\"]\n";
    let s = strategy_with(d.path(), table);
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    for o in [&a, &b] {
        let r = sweep(&[s.to_str().unwrap(), "--out", o.to_str().unwrap(), "--quiet"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    assert_eq!(bytes(&a.join("results.csv")), bytes(&b.join("results.csv")));
    let (header, rows) = crate::common::read_csv(&a.join("results.csv"));
    assert_eq!(rows.len(), 6);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    for r in &rows {
        assert_eq!(r[col("status")], "ok");
        // The zip moves both keys together.
        assert_eq!(r[col("condor.profit_target_pct")] == "none", r[col("condor.exit_dte_days")] == "none");
    }
}

#[test]
fn walk_forward_applies_the_in_sample_best_out_of_sample() {
    use ironhedge::config::StrategySource;
    use ironhedge::engine::{run, Market};
    use ironhedge::sweep::{parse, stitch, walk_forward, WalkSpec, METRICS};
    let source = StrategySource::read(Path::new("strategies/weekly_condor.toml"), &[]).unwrap();
    let spec = parse(&source, false).unwrap();
    let base = source.validate().unwrap();
    let market = Market::load(&base).unwrap();
    let w = WalkSpec { train_days: 252, test_days: 126, anchored: false };
    let windows = walk_forward(&source, &spec, &market, w, 2).unwrap();
    assert_eq!(windows.len(), 8);
    let sharpe = METRICS.iter().position(|m| *m == "sharpe").unwrap();
    for win in &windows {
        let best = win.best.expect("an eligible combination");
        // The in-sample choice is the best of every combination on the training window.
        for i in 0..spec.combos.len() {
            let s = source.with(&spec.assignments(i), "t").unwrap();
            let r = run(&s, &market, Some(win.train.0), Some(win.train.1)).unwrap();
            let ok = r.metrics.max_drawdown.is_some_and(|d| d < 0.25);
            if i == best {
                // In sample the sweep kernel runs it: the engine's numbers to the bit.
                let m = |name: &str| win.in_sample[METRICS.iter().position(|x| *x == name).unwrap()];
                let bits = |x: Option<f64>| x.map(f64::to_bits);
                assert_eq!(bits(m("sharpe")), bits(r.metrics.sharpe), "window {:?}", win.train);
                assert_eq!(bits(m("total_return")), bits(r.metrics.total_return), "window {:?}", win.train);
                assert_eq!(bits(m("max_drawdown")), bits(r.metrics.max_drawdown), "window {:?}", win.train);
                assert_eq!(bits(m("cvar_95")), bits(r.metrics.cvar_95), "window {:?}", win.train);
            }
            if ok {
                assert!(
                    r.metrics.sharpe.unwrap() <= win.in_sample[sharpe].unwrap() + 1e-12,
                    "window {:?}: {i} beats {best}",
                    win.train
                );
            }
        }
        // Out of sample: exactly that combination run on the test window.
        let s = source.with(&spec.assignments(best), "t").unwrap();
        let r = run(&s, &market, Some(win.test.0), Some(win.test.1)).unwrap();
        let eq: Vec<(chrono::NaiveDate, f64)> = r.days.iter().map(|d| (d.date, d.equity_usd)).collect();
        assert_eq!(eq, win.oos);
    }
    let st = stitch(&windows, base.initial_usd);
    let compounded: f64 = windows.iter().map(|w| w.oos.last().unwrap().1 / base.initial_usd).product();
    assert!((st.last().unwrap().1 / base.initial_usd - compounded).abs() < 1e-12);
    // The command writes the table, the stitched curve and the chart; windows too long exit 2.
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("wf");
    let r = ironhedge(&[
        "walk-forward",
        "strategies/weekly_condor.toml",
        "--train-days",
        "252",
        "--test-days",
        "126",
        "--anchored",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for f in ["windows.csv", "oos_equity.csv", "walk_forward.png"] {
        assert!(out.join(f).exists(), "{f}");
    }
    assert!(
        r.stdout.contains("anchored walk-forward, 8 windows") && r.stdout.contains("stitched out-of-sample"),
        "{}",
        r.stdout
    );
    let r = ironhedge(&[
        "walk-forward",
        "strategies/weekly_condor.toml",
        "--train-days",
        "2000",
        "--test-days",
        "126",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("needs at least 2126 trading days"), "{}", r.stderr);
}

#[test]
fn a_sweep_without_an_objective_maximises_sharpe() {
    let d = tempfile::tempdir().unwrap();
    let s = strategy_with(d.path(), "[sweep]\n[sweep.params]\n\"condor.wing.value\" = [25.0, 50.0]");
    let source = ironhedge::config::StrategySource::read(&s, &[]).unwrap();
    let spec = ironhedge::sweep::parse(&source, false).unwrap();
    assert_eq!(ironhedge::sweep::METRICS[spec.objective], "sharpe");
    assert!(spec.maximize);
    let r = sweep(&[s.to_str().unwrap(), "--out", d.path().join("o").to_str().unwrap(), "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn hedged_runs_in_step_give_the_engines_table_on_the_whole_hedged_grid() {
    let d = tempfile::tempdir().unwrap();
    let out = |n: &str| d.path().join(n);
    let s = "benches/hedged_grid.toml";
    let r = sweep(&[s, "--out", out("step").to_str().unwrap(), "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = sweep(&[s, "--out", out("alone").to_str().unwrap(), "--quiet", "--engine-only", "--jobs", "1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(bytes(&out("step").join("results.csv")), bytes(&out("alone").join("results.csv")));
    // The grid's values bind: no two rows have the same metrics.
    let (head, rows) = crate::common::read_csv(&out("step").join("results.csv"));
    let first_metric = head.iter().position(|h| h == "total_return").unwrap();
    let distinct: std::collections::HashSet<&[String]> = rows.iter().map(|r| &r[first_metric..]).collect();
    assert!(distinct.len() * 10 >= rows.len() * 9, "{} distinct of {}", distinct.len(), rows.len());
}

#[test]
fn runs_in_step_match_runs_alone_over_budgets_schedules_rules_and_adjustments() {
    let d = tempfile::tempdir().unwrap();
    let flagship = std::fs::read_to_string("strategies/flagship.toml")
        .unwrap()
        .replace("../datasets/", &format!("{}/datasets/", env!("CARGO_MANIFEST_DIR")));
    let base = &flagship[..flagship.find("[sweep]").unwrap()];
    let text = format!(
        r#"{base}
[[rules]]
all = [{{ signal = "position.short_delta", op = ">", value = 0.30 }}, {{ signal = "rsi", of = "vix", op = "<", value = 70 }}]
action = "roll_tested_side"
to_delta = 0.16

[sweep]
top_n = 0
charts = false
[sweep.params]
"hedge.schedule.by" = ["future", "vix"]
"model.atm_ratio" = [0.7, 0.8]
[[sweep.zip]]
"condor.sizing.by" = ["contracts", "risk_fraction"]
"condor.sizing.value" = [1, 0.02]
[[sweep.zip]]
"hedge.budget.by" = ["credit", "equity_per_year", "equity_per_year"]
"hedge.budget.value" = [0.15, 0.01, 0.03]
"#
    );
    let p = d.path().join("mix.toml");
    std::fs::write(&p, text).unwrap();
    let out = |n: &str| d.path().join(n);
    let r = sweep(&[p.to_str().unwrap(), "--out", out("step").to_str().unwrap(), "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r =
        sweep(&[p.to_str().unwrap(), "--out", out("alone").to_str().unwrap(), "--quiet", "--engine-only"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(bytes(&out("step").join("results.csv")), bytes(&out("alone").join("results.csv")));
    let (_, rows) = crate::common::read_csv(&out("step").join("results.csv"));
    assert_eq!(rows.len(), 24);
    assert!(rows.iter().all(|r| r.contains(&"ok".to_string())), "every combination ran");
}

#[test]
fn a_killed_hedged_sweep_in_step_resumes_to_the_same_table() {
    let d = tempfile::tempdir().unwrap();
    let s = Path::new("benches/hedged_grid.toml");
    let full = d.path().join("full");
    let r = sweep(&[s.to_str().unwrap(), "--out", full.to_str().unwrap(), "--quiet", "--jobs", "1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let killed = d.path().join("killed");
    for round in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ironhedge"))
            .args(["sweep", s.to_str().unwrap(), "--out", killed.to_str().unwrap(), "--quiet"])
            .args(if round == 0 { &[][..] } else { &["--resume"][..] })
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_rows(&killed, 300 * (round + 1));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let r = sweep(&[s.to_str().unwrap(), "--out", killed.to_str().unwrap(), "--resume", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(bytes(&full.join("results.csv")), bytes(&killed.join("results.csv")));
    let rows = std::fs::read_to_string(killed.join("rows.csv")).unwrap();
    assert_eq!(rows.lines().count() - 1, 3456, "each combination once in the checkpoint");
}

#[test]
fn hedged_shards_in_step_merge_into_the_unsharded_table() {
    let d = tempfile::tempdir().unwrap();
    let out = |n: &str| d.path().join(n);
    let s = "strategies/flagship.toml";
    let top = ["--set", "sweep.top_n=0", "--set", "sweep.charts=false", "--quiet"];
    let mut args = vec![s, "--out"];
    let whole = out("whole");
    args.push(whole.to_str().unwrap());
    args.extend(top);
    let r = sweep(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut shards = Vec::new();
    for i in 0..3 {
        let dir = out(&format!("shard{i}"));
        let shard = format!("{i}/3");
        let mut args = vec![s, "--shard", &shard, "--jobs", "1", "--out", dir.to_str().unwrap()];
        args.extend(top);
        let r = sweep(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        shards.push(dir);
    }
    let merged = out("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let r = sweep(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(bytes(&whole.join("results.csv")), bytes(&merged.join("results.csv")));
}
