//! How a sweep's combinations are split between threads: groups that share the kernel's work
//! (equal positions in every dimension that is not a condor's strikes, exits, sizing or costs),
//! of a size that keeps every thread busy, taken longest first. Only which thread runs a
//! combination depends on it, never its row. And [`beside`]: a side job run on an idle thread.

use super::spec::SweepSpec;

/// Keys whose values change only a condor's strikes, exits, sizing or costs. Combinations that
/// differ only in these open condors on the same sessions for the same expiries, so they run
/// together (in step) on one thread and share its kernel memo.
const LEG_KEYS: [&str; 9] = [
    "condor.short_put",
    "condor.short_call",
    "condor.wing",
    "condor.profit_target_pct",
    "condor.stop_loss_multiple",
    "condor.exit_dte_days",
    "condor.sizing",
    "costs.",
    "capital.",
];

/// Keys whose values choose a condor's short strikes: within a group, combinations with equal
/// values price the same legs, so they are kept together when a group is split.
const STRIKE_KEYS: [&str; 2] = ["condor.short_put", "condor.short_call"];

/// Split `todo` into groups of combinations that share work (equal positions in every
/// dimension with a key outside [`LEG_KEYS`]), in order of first appearance, none larger than
/// `cap` (so that every thread gets work); a group is split between its strike choices (the
/// dimensions with [`STRIKE_KEYS`]), so its parts price different legs. Grouping decides only
/// which thread runs a combination, never its row.
pub(super) fn groups(spec: &SweepSpec, todo: &[u64], cap: usize) -> Vec<Vec<u64>> {
    groups_within(spec, todo, cap, &[])
}

/// [`groups`] where the keys starting with `also` vary inside a group too (the hedge's, for
/// combinations the engine runs in step: they share the day's condor and VIX option pricing).
fn groups_within(spec: &SweepSpec, todo: &[u64], cap: usize, also: &[&str]) -> Vec<Vec<u64>> {
    let is = |key: &str, keys: &[&str]| keys.iter().any(|l| key.starts_with(l));
    let inside = |k: &str| is(k, &LEG_KEYS) || is(k, also);
    // Per dimension: does it pick the group (some key that does not vary inside one), or the
    // strikes?
    let shared: Vec<bool> = spec.dims.iter().map(|d| d.keys.iter().any(|k| !inside(k))).collect();
    let strikes: Vec<bool> = spec.dims.iter().map(|d| d.keys.iter().any(|k| is(k, &STRIKE_KEYS))).collect();
    let pick = |p: &[usize], which: &[bool]| -> Vec<usize> {
        p.iter().zip(which).filter(|(_, w)| **w).map(|(p, _)| *p).collect()
    };
    let mut slot: std::collections::HashMap<Vec<usize>, usize> = std::collections::HashMap::new();
    let mut out: Vec<Vec<(Vec<usize>, u64)>> = Vec::new();
    for &i in todo {
        let p = spec.positions(i);
        let g = *slot.entry(pick(&p, &shared)).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[g].push((pick(&p, &strikes), i));
    }
    out.into_iter()
        .flat_map(|mut g| {
            g.sort_by(|a, b| a.0.cmp(&b.0));
            let ids: Vec<u64> = g.into_iter().map(|(_, i)| i).collect();
            ids.chunks(cap.max(1)).map(<[u64]>::to_vec).collect::<Vec<_>>()
        })
        .collect()
}

/// A group's work, estimated for scheduling: its combinations times the days a condor is held at
/// most (its `condor.target_dte_days` when swept: what a kernel run prices; else 1). Only the
/// order in which threads take groups depends on it, never a row.
pub(super) fn group_cost(spec: &SweepSpec, group: &[u64]) -> u64 {
    let dte = group.first().and_then(|&i| {
        let assigned = spec.assignments(i);
        let (_, v) = assigned.into_iter().find(|(k, _)| k == "condor.target_dte_days")?;
        v?.as_integer()
    });
    group.len() as u64 * dte.map_or(1, |d| d.max(1) as u64)
}

/// The groups of `todo` for `jobs` threads: at least four a thread (taken longest first by
/// [`group_cost`], they balance) and at most 256 combinations each (runs in step share the most
/// work in large groups, and hold only a few weeks of it).
/// With `hedged` (the combinations run on the engine, in step), the hedge's keys vary inside a
/// group.
pub(super) fn schedule(spec: &SweepSpec, todo: &[u64], jobs: usize, hedged: bool) -> Vec<Vec<u64>> {
    let also: &[&str] = if hedged { &["hedge."] } else { &[] };
    let mut work = groups_within(spec, todo, todo.len().div_ceil(4 * jobs.max(1)).clamp(1, 256), also);
    // Longest first, so that the last groups taken are short and the threads finish together.
    work.sort_by_cached_key(|g| std::cmp::Reverse(group_cost(spec, g)));
    work
}

/// Run `side` beside `main` and wait for both: on `pool` when there is one (its threads are up
/// and idle: a new thread's start would be on the critical path), else on a new scoped thread.
pub fn beside<A: Send, B>(
    pool: Option<&rayon::ThreadPool>,
    side: impl FnOnce() -> A + Send,
    main: impl FnOnce() -> B,
) -> (A, B) {
    match pool {
        Some(p) => {
            let mut a = None;
            let slot = &mut a;
            let b = p.in_place_scope(|s| {
                s.spawn(move |_| *slot = Some(side()));
                main()
            });
            (a.expect("a scope waits for its jobs"), b)
        }
        None => std::thread::scope(|s| {
            let side = s.spawn(side);
            let b = main();
            (side.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), b)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::spec::{Combos, Dim};

    fn dim(keys: &[&str], n: i64) -> Dim {
        Dim {
            keys: keys.iter().map(|k| k.to_string()).collect(),
            values: (0..n).map(|v| keys.iter().map(|_| Some(toml::Value::Integer(v))).collect()).collect(),
        }
    }

    #[test]
    fn groups_share_every_non_leg_position_and_keep_strike_choices_together() {
        // 3 DTEs (shared work) x 4 strike choices (a zip) x 2 wings x 2 exits = 48.
        let dims = vec![
            dim(&["condor.target_dte_days"], 3),
            dim(&["condor.wing.value"], 2),
            dim(&["condor.short_put.value", "condor.short_call.value"], 4),
            dim(&["condor.exit_dte_days"], 2),
        ];
        let spec = SweepSpec {
            dims,
            combos: Combos::Grid(48),
            objective: 0,
            maximize: true,
            top_n: 0,
            charts: false,
            constraints: Vec::new(),
        };
        let todo: Vec<u64> = (0..48).collect();
        let work = groups(&spec, &todo, 8);
        let mut seen: Vec<u64> = work.iter().flatten().copied().collect();
        seen.sort();
        assert_eq!(seen, todo, "every combination exactly once");
        for g in &work {
            assert!(!g.is_empty() && g.len() <= 8);
            let dte: Vec<usize> = g.iter().map(|&i| spec.positions(i)[0]).collect();
            assert!(dte.iter().all(|d| *d == dte[0]), "one DTE per group: {g:?}");
            // 16 combinations per DTE, 4 per strike choice: a part of 8 holds 2 whole choices.
            let mut strikes: Vec<usize> = g.iter().map(|&i| spec.positions(i)[2]).collect();
            strikes.dedup();
            assert_eq!(strikes.len(), 2, "parts split between strike choices: {g:?}");
        }
    }

    #[test]
    fn schedule_takes_the_longest_groups_first() {
        // 3 swept DTEs (10, 70, 40) x 8 strike choices, for 1 thread: at least 4 groups, of at
        // most 6 combinations (24 / 4), so each DTE's 8 split 6 + 2.
        let dte = Dim {
            keys: vec!["condor.target_dte_days".into()],
            values: [10, 70, 40].iter().map(|d| vec![Some(toml::Value::Integer(*d))]).collect(),
        };
        let spec = SweepSpec {
            dims: vec![dte, dim(&["condor.short_put.value"], 8)],
            combos: Combos::Grid(24),
            objective: 0,
            maximize: true,
            top_n: 0,
            charts: false,
            constraints: Vec::new(),
        };
        let todo: Vec<u64> = (0..24).collect();
        let work = schedule(&spec, &todo, 1, false);
        let costs: Vec<u64> = work.iter().map(|g| group_cost(&spec, g)).collect();
        assert_eq!(costs, vec![420, 240, 140, 80, 60, 20], "6 x 70, 6 x 40, 2 x 70, 2 x 40, 6 x 10, 2 x 10");
        let mut seen: Vec<u64> = work.into_iter().flatten().collect();
        seen.sort();
        assert_eq!(seen, todo);
    }

    #[test]
    fn a_side_job_runs_on_another_thread_and_both_results_come_back() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        for pool in [Some(&pool), None] {
            let here = std::thread::current().id();
            let ((side, a), (main, b)) = beside(
                pool,
                || (std::thread::current().id(), 6 * 7),
                || (std::thread::current().id(), "main"),
            );
            assert_ne!(side, here, "the side job runs elsewhere (pool: {})", pool.is_some());
            assert_eq!((main, a, b), (here, 42, "main"));
        }
    }
}
