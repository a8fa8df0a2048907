//! The synthetic liquidation generator: byte-identical per seed, cascades clustered after large
//! price drops, heavy-tailed sizes; and the shipped sample is exactly what the command makes.

use crate::common::ironhedge;
use ironhedge::synth::liquidation_events;
use ironhedge::time::Timestamp;

/// `ironhedge data synth` over 2014-2018 in 4h buckets with `seed`, written to `out`.
fn synth(seed: &str, out: &std::path::Path) -> crate::common::Run {
    let args = [
        "data",
        "synth",
        "--seed",
        seed,
        "--from",
        "2014-01-01",
        "--to",
        "2018-12-31",
        "--bucket",
        "4h",
        "--out",
    ];
    let mut args: Vec<&str> = args.to_vec();
    args.push(out.to_str().unwrap());
    ironhedge(&args)
}

#[test]
fn shipped_sample_is_reproducible_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.csv");
    let r = synth("42", &out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("SYNTHETIC") && r.stdout.contains("0 errors, 0 repairs, 0 warnings"),
        "{}",
        r.stdout
    );
    let shipped = std::fs::read("datasets/synthetic_btc_liquidations_4h_2014_2018.csv").unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), shipped, "datasets/ holds exactly the generator's output");
    let other = dir.path().join("o.csv");
    assert_eq!(synth("43", &other).code, 0);
    assert_ne!(std::fs::read(&other).unwrap(), shipped, "another seed, another stream");
}

#[test]
fn cascades_cluster_after_large_drops_and_sizes_are_heavy_tailed() {
    let t0 = Timestamp::parse_iso("2020-01-01T00:00:00Z").unwrap();
    let ev = liquidation_events(7, t0, 120, 2_000.0, 30_000.0);
    let hours = 120 * 24;
    let (mut notional, mut last_price) = (vec![0.0; hours], vec![f64::NAN; hours]);
    for i in 0..ev.len() {
        let h = ((ev.ts[i].nanos() - t0.nanos()) / 3_600_000_000_000) as usize;
        notional[h] += ev.notional_usd[i];
        last_price[h] = ev.price[i];
    }
    let mut after_drop = Vec::new();
    for h in 1..hours - 1 {
        if last_price[h] / last_price[h - 1] - 1.0 < -0.025 {
            after_drop.push(notional[h + 1]);
        }
    }
    let mean_all = notional.iter().sum::<f64>() / hours as f64;
    let mean_after = after_drop.iter().sum::<f64>() / after_drop.len().max(1) as f64;
    println!(
        "{} hours after a >2.5% drop: mean notional {mean_after:.0} vs {mean_all:.0} overall",
        after_drop.len()
    );
    assert!(after_drop.len() >= 5 && mean_after > 3.0 * mean_all, "clustering after drops");
    let mut sizes = ev.notional_usd.clone();
    sizes.sort_by(|a, b| b.total_cmp(a));
    let top = sizes[..sizes.len() / 100].iter().sum::<f64>() / sizes.iter().sum::<f64>();
    println!("top 1% of orders hold {top:.2} of notional");
    // Pareto with tail index 1.6: the top 1% hold 0.01^(1 - 1/1.6) = 17.8% in theory (an
    // exponential, thin-tailed, would give 5.6%).
    let theory = 0.01f64.powf(1.0 - 1.0 / 1.6);
    assert!((top - theory).abs() < 0.03, "heavy tail: top 1% hold {top:.3}, theory {theory:.3}");
}

#[test]
fn synth_rejects_bad_arguments() {
    let r =
        ironhedge(&["data", "synth", "--from", "2014-02-01", "--to", "2014-01-01", "--out", "/tmp/x.csv"]);
    assert_eq!(r.code, 2);
    let r = ironhedge(&[
        "data",
        "synth",
        "--from",
        "2014-01-01",
        "--to",
        "2014-01-02",
        "--bucket",
        "4x",
        "--out",
        "/tmp/x.csv",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--bucket: expected a length like 4h or 1d, found `4x`"), "{}", r.stderr);
}
