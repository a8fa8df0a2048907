//! Running a sweep: combinations in parallel (`jobs` threads: the calling thread and a rayon
//! pool of the others) over one shared, read-only [`Market`], in groups that share a kernel memo
//! (one group at a time per thread); each worker appends its finished rows to `rows.csv` within
//! 50 ms on the engine and when their group ends on the kernel (a group of at most 256 runs in
//! step: milliseconds), synced at most every 0.2 s, so a killed sweep loses little of each
//! thread's work, and `--resume` runs only what is missing. The final table is the checkpoint's
//! rows sorted by index: the same bytes for any `jobs`, any shard split and any number of
//! interruptions.

use super::groups::{beside, schedule};
use super::spec::{show, SweepSpec};
use super::table::{append, header, metrics_of, metrics_of_kernel, read_checkpoint, write_final, Row};
use crate::config::StrategySource;
use crate::data::DataError;
use crate::engine::kernel::{self, CondorRules, Memo, Tape, Tapes};
use crate::engine::{run, Market};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}: a sweep already wrote here: pass --resume to finish it, or choose another --out")]
    Exists(PathBuf),
    #[error("{path}: {message}")]
    Mismatch { path: PathBuf, message: String },
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("{0}")]
    Io(String),
}

/// How a sweep runs.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub out: PathBuf,
    pub jobs: usize,
    /// `(i, n)`: run only the combinations whose index is `i` modulo `n`.
    pub shard: Option<(u64, u64)>,
    pub resume: bool,
    /// Run condor-only combinations on the kernel (bit-identical, faster); `false` runs every
    /// combination through the event-driven engine (`--engine-only`).
    pub kernel: bool,
    /// Progress to stderr: a bar on a terminal, else a line every 10%.
    pub progress: bool,
}

/// What a sweep run did.
#[derive(Debug)]
pub struct SweepOutcome {
    /// Rows of this run's slice, sorted by index (complete only when not interrupted).
    pub rows: Vec<Row>,
    pub ran_now: u64,
    pub slice: u64,
    pub interrupted: bool,
    /// Of the combinations run now: how many ran on the kernel and how many on the engine (the
    /// rest were invalid).
    pub on_kernel: u64,
    pub on_engine: u64,
}

/// The identity of a sweep: its strategy (after overrides), its spec and its shard count; the
/// checkpoint and every shard carry it, so rows of different sweeps never mix.
pub fn fingerprint(source: &StrategySource, spec: &SweepSpec) -> String {
    let text = format!("{}\n{:?}", toml::to_string(source.tree()).unwrap_or_default(), spec);
    format!("{:016x}", crate::results::fnv1a(text.as_bytes()))
}

/// `sweep.toml` of an output folder: which strategy (and `--set`s), which sweep, which shard.
fn meta(source: &StrategySource, spec: &SweepSpec, opts: &SweepOptions) -> String {
    let (i, n) = opts.shard.unwrap_or((0, 1));
    let mut t = toml::Table::new();
    let path = std::fs::canonicalize(&source.path).unwrap_or_else(|_| source.path.clone());
    t.insert("strategy".into(), toml::Value::String(path.display().to_string()));
    t.insert(
        "set".into(),
        toml::Value::Array(source.overrides().into_iter().map(toml::Value::String).collect()),
    );
    t.insert("fingerprint".into(), toml::Value::String(fingerprint(source, spec)));
    t.insert("combinations".into(), toml::Value::Integer(spec.combos.len() as i64));
    t.insert("shard".into(), toml::Value::String(format!("{i}/{n}")));
    toml::to_string(&t).unwrap_or_default()
}

/// The strategy file and `--set` arguments a sweep folder was made with (for `sweep merge`).
pub fn origin(dir: &Path) -> Result<(PathBuf, Vec<String>), SweepError> {
    let path = dir.join("sweep.toml");
    let bad = |m: String| SweepError::Mismatch { path: path.clone(), message: m };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| bad(format!("cannot read: {e} (is this a sweep folder?)")))?;
    let t: toml::Table = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let strategy = t.get("strategy").and_then(|v| v.as_str()).ok_or_else(|| bad("no `strategy`".into()))?;
    let set = t
        .get("set")
        .and_then(|v| v.as_array())
        .map_or(Vec::new(), |a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect());
    Ok((PathBuf::from(strategy), set))
}

/// Run one combination into a row (never fails: an invalid combination is a row saying why).
/// With `shared` (the sweep's tapes and this thread's memo), a condor-only combination runs on the
/// kernel ([`crate::engine::kernel`]), which gives the engine's numbers bit for bit; others (and
/// all with `shared = None`) run the engine.
pub fn run_one(
    source: &StrategySource,
    spec: &SweepSpec,
    market: &Market,
    shared: Option<(&Tapes, &mut Memo)>,
    index: u64,
) -> Row {
    run_one_in(source, spec, market, shared, index, None)
}

/// [`run_one`] on the trading days from `window.0` to `window.1` (the strategy's dates replaced):
/// the same numbers as [`run`] given that window.
pub(super) fn run_one_in(
    source: &StrategySource,
    spec: &SweepSpec,
    market: &Market,
    shared: Option<(&Tapes, &mut Memo)>,
    index: u64,
    window: Option<(NaiveDate, NaiveDate)>,
) -> Row {
    let (tapes, memo) = shared.unzip();
    match plan(source, spec, market, tapes, index, window) {
        Plan::Done(row) => row,
        Plan::Engine(e) => e.row(run(&e.strategy, market, None, None)),
        Plan::Kernel(k) => {
            let memo = memo.expect("a kernel plan comes with a memo");
            let run = kernel::run_condors(&k.rules, &k.tape, memo);
            Row::new(k.index, k.params, "ok".into(), metrics_of_kernel(&run))
        }
    }
}

/// What running a combination takes: nothing more (an invalid combination's row, or its run on
/// the engine), or a run on the kernel.
enum Plan {
    Done(Row),
    Engine(Box<EngineRun>),
    Kernel(KernelRun),
}

/// A combination the engine runs: its strategy.
struct EngineRun {
    index: u64,
    params: Vec<String>,
    strategy: crate::config::Strategy,
}

impl EngineRun {
    fn row(&self, r: Result<crate::engine::RunResult, crate::engine::EngineError>) -> Row {
        match r {
            Ok(r) => Row::new(self.index, self.params.clone(), "ok".into(), metrics_of(&r)),
            Err(e) => Row::invalid(self.index, self.params.clone(), &e.to_string()),
        }
    }
}

/// Runs the engine takes in step at most (their results are held until all finish).
const IN_STEP: usize = 64;

/// A combination the kernel runs: its rules and tape.
struct KernelRun {
    index: u64,
    params: Vec<String>,
    rules: CondorRules,
    tape: Arc<Tape>,
}

/// Resolve combination `index` (on `window`, if any): an invalid combination's row, the engine's
/// row (without `tapes`, or when the kernel does not support it), or its kernel run.
fn plan(
    source: &StrategySource,
    spec: &SweepSpec,
    market: &Market,
    tapes: Option<&Tapes>,
    index: u64,
    window: Option<(NaiveDate, NaiveDate)>,
) -> Plan {
    let mut assignments = spec.assignments(index);
    let params = assignments.iter().map(|(_, v)| show(v)).collect();
    if let Some((from, to)) = window {
        let date = |d: NaiveDate| Some(toml::Value::String(d.to_string()));
        assignments.extend([("dates.start".to_string(), date(from)), ("dates.end".to_string(), date(to))]);
    }
    let strategy = match source.with(&assignments, "sweep") {
        Ok(s) => s,
        Err(e) => return Plan::Done(Row::invalid(index, params, &e.to_string())),
    };
    let tape = tapes.filter(|_| kernel::supports(&strategy, market)).and_then(|t| t.get(&strategy, market));
    match tape {
        Some(tape) => Plan::Kernel(KernelRun { index, params, rules: CondorRules::of(&strategy), tape }),
        None => Plan::Engine(Box::new(EngineRun { index, params, strategy })),
    }
}

/// Build the tape of combination `index` in `tapes` (when the kernel runs it): every combination
/// that shares its window, rates and surface uses it.
fn warm_tape(tapes: &Tapes, source: &StrategySource, spec: &SweepSpec, market: &Market, index: u64) {
    if let Ok(s) = source.with(&spec.assignments(index), "sweep") {
        if kernel::supports(&s, market) {
            tapes.get(&s, market);
        }
    }
}

/// The checkpoint file (`rows.csv`) that the workers append their finished rows to, one at a
/// time: a killed sweep keeps every row written before the kill (the page cache survives the
/// process) and loses at most the last 50 ms of work of each thread; a sync at most every 0.2 s
/// (and at the end) bounds what a crash of the machine could lose. Also the progress report.
struct Checkpoint {
    /// The file, when it was last synced, and the buffer its rows are written through.
    file: Mutex<(std::fs::File, Instant, Vec<u8>)>,
    /// The first write error (the sweep stops and reports it).
    error: Mutex<Option<std::io::Error>>,
    bar: Option<indicatif::ProgressBar>,
    /// Plain progress lines (every 10%) when there is no bar.
    plain: bool,
    finished: AtomicU64,
    total: u64,
}

impl Checkpoint {
    /// Append `rows` (nothing when empty) and report progress; on a write error, keep the first
    /// and raise `quit` so that every worker stops.
    fn append(&self, rows: &[Row], quit: &AtomicBool) {
        if rows.is_empty() {
            return;
        }
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let (file, synced, buf) = &mut *guard;
        let mut written = append(file, buf, rows);
        if written.is_ok() && synced.elapsed() > SYNC {
            written = file.sync_data();
            *synced = Instant::now();
        }
        if let Err(e) = written {
            quit.store(true, Ordering::SeqCst);
            self.error.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
            return;
        }
        // Under the file's lock: the lines come out in order.
        let before = self.finished.fetch_add(rows.len() as u64, Ordering::SeqCst);
        let now = before + rows.len() as u64;
        match &self.bar {
            Some(b) => b.set_position(now),
            None if self.plain && 10 * before / self.total.max(1) != 10 * now / self.total.max(1) => {
                eprintln!("sweep: {now}/{} combinations ({}%)", self.total, 100 * now / self.total.max(1));
            }
            None => {}
        }
    }
}

/// What the sweep's workers share: the sweep, its tapes, the checkpoint and the stop flags.
struct Workers<'a> {
    source: &'a StrategySource,
    spec: &'a SweepSpec,
    market: &'a Market,
    tapes: Tapes,
    /// Run condor-only combinations on the kernel.
    kernel: bool,
    checkpoint: &'a Checkpoint,
    /// Ctrl-C.
    stop: &'a AtomicBool,
    /// A checkpoint write failed.
    quit: AtomicBool,
    /// Combinations run on the kernel and on the engine.
    on_kernel: AtomicU64,
    on_engine: AtomicU64,
}

impl Workers<'_> {
    /// Run a group's combinations on this thread: the engine's one after another, appending
    /// their rows to the checkpoint every 50 ms, then the kernel's in step with one memo
    /// ([`kernel::run_in_step`]), appending their rows when they all finish. On Ctrl-C (or a
    /// failed write) the engine's combination in flight finishes (its row is kept), the kernel's
    /// runs in flight are dropped (a resumed sweep runs them), and no other starts.
    fn run_group(&self, group: &[u64]) -> Vec<Row> {
        let mut out = Vec::with_capacity(group.len());
        let mut on_kernel = Vec::with_capacity(group.len());
        let mut on_engine: Vec<EngineRun> = Vec::new();
        let (mut written, mut flushed) = (0, Instant::now());
        for &i in group {
            if self.stopped() {
                break;
            }
            let tapes = self.kernel.then_some(&self.tapes);
            match plan(self.source, self.spec, self.market, tapes, i, None) {
                Plan::Done(row) => out.push(row),
                // With shared work on, the engine's runs go in step; `--engine-only` runs each alone.
                Plan::Engine(e) if self.kernel => on_engine.push(*e),
                Plan::Engine(e) => {
                    self.on_engine.fetch_add(1, Ordering::Relaxed);
                    out.push(e.row(run(&e.strategy, self.market, None, None)))
                }
                Plan::Kernel(k) => on_kernel.push(k),
            }
            if on_engine.len() == IN_STEP {
                self.run_engine_in_step(&mut on_engine, &mut out);
            }
            if flushed.elapsed() > FLUSH {
                self.checkpoint.append(&out[written..], &self.quit);
                (written, flushed) = (out.len(), Instant::now());
            }
        }
        if !self.stopped() {
            self.run_engine_in_step(&mut on_engine, &mut out);
        }
        let mut memo = Memo::default();
        let mut tapes: Vec<&Arc<Tape>> = Vec::new();
        for k in &on_kernel {
            if !tapes.iter().any(|t| Arc::ptr_eq(t, &k.tape)) {
                tapes.push(&k.tape);
            }
        }
        // The group's runs on one tape at a time (a group shares one unless its keys say otherwise).
        for tape in tapes {
            let on_tape: Vec<&KernelRun> = on_kernel.iter().filter(|k| Arc::ptr_eq(&k.tape, tape)).collect();
            let rules: Vec<&CondorRules> = on_tape.iter().map(|k| &k.rules).collect();
            let Some(runs) = kernel::run_in_step(&rules, tape, &mut memo, || !self.stopped()) else { break };
            self.on_kernel.fetch_add(on_tape.len() as u64, Ordering::Relaxed);
            let rows = on_tape.iter().zip(runs);
            out.extend(
                rows.map(|(k, r)| Row::new(k.index, k.params.clone(), "ok".into(), metrics_of_kernel(&r))),
            );
        }
        self.checkpoint.append(&out[written..], &self.quit);
        out
    }

    /// Run `runs` on the engine in step ([`crate::engine::run_together`]), their rows into `out`.
    fn run_engine_in_step(&self, runs: &mut Vec<EngineRun>, out: &mut Vec<Row>) {
        if runs.is_empty() {
            return;
        }
        let strategies: Vec<&crate::config::Strategy> = runs.iter().map(|e| &e.strategy).collect();
        let results = crate::engine::run_together(&strategies, self.market, None, None, true);
        self.on_engine.fetch_add(runs.len() as u64, Ordering::Relaxed);
        out.extend(runs.iter().zip(results).map(|(e, r)| e.row(r)));
        runs.clear();
    }

    /// Run `work` on this thread and on `pool`'s threads (each takes the next group not yet
    /// taken); returns each thread's rows.
    fn run_groups(&self, work: &[Vec<u64>], pool: Option<&rayon::ThreadPool>) -> Vec<Vec<Row>> {
        let next = AtomicUsize::new(0);
        let worker = || {
            let mut rows = Vec::new();
            while let Some(group) = work.get(next.fetch_add(1, Ordering::Relaxed)) {
                rows.extend(self.run_group(group));
            }
            rows
        };
        let Some(pool) = pool else { return vec![worker()] };
        let parts = Mutex::new(Vec::new());
        let keep = |rows| parts.lock().unwrap_or_else(|p| p.into_inner()).push(rows);
        pool.in_place_scope(|scope| {
            for _ in 0..pool.current_num_threads() {
                scope.spawn(|_| keep(worker()));
            }
            keep(worker());
        });
        parts.into_inner().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the sweep is stopping (Ctrl-C, or a failed checkpoint write).
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.quit.load(Ordering::SeqCst)
    }
}

/// How often at most the checkpoint is synced to disk.
const SYNC: std::time::Duration = std::time::Duration::from_millis(200);

/// How long a worker keeps finished rows before appending them to the checkpoint.
const FLUSH: std::time::Duration = std::time::Duration::from_millis(50);

fn progress_bar(total: u64, done: u64, on: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !on || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    let style =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} combinations  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_position(done);
    Some(bar)
}

/// Prepare the output folder: a new sweep, or the checkpoint of the same sweep with `--resume`.
fn open_checkpoint(
    dir: &Path,
    meta_text: &str,
    head: &str,
    n_params: usize,
    resume: bool,
) -> Result<Vec<Row>, SweepError> {
    let io = |e: std::io::Error| SweepError::Io(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let (meta_path, rows_path) = (dir.join("sweep.toml"), dir.join("rows.csv"));
    if meta_path.exists() {
        if !resume {
            return Err(SweepError::Exists(dir.to_path_buf()));
        }
        let found = std::fs::read_to_string(&meta_path).map_err(io)?;
        if found != meta_text {
            return Err(SweepError::Mismatch {
                path: meta_path,
                message: format!(
                    "written by a different sweep or shard:\n  found    {}  expected {}",
                    found, meta_text
                ),
            });
        }
        if rows_path.exists() {
            return Ok(read_checkpoint(&rows_path, head, n_params)?);
        }
    } else {
        crate::data::write_atomic(&meta_path, meta_text.as_bytes())?;
    }
    crate::data::write_atomic(&rows_path, head.as_bytes())?;
    Ok(Vec::new())
}

/// Run the sweep (or this shard of it); `stop` is polled between chunks (Ctrl-C).
pub fn run_sweep(
    source: &StrategySource,
    spec: &SweepSpec,
    market: &Market,
    opts: &SweepOptions,
    stop: &AtomicBool,
) -> Result<SweepOutcome, SweepError> {
    let keys = spec.keys();
    let head = header(&keys);
    let (shard_i, shard_n) = opts.shard.unwrap_or((0, 1));
    let slice: Vec<u64> = (0..spec.combos.len()).filter(|i| i % shard_n == shard_i).collect();
    let tapes = Tapes::default();
    // The slice's first tape is built while the checkpoint is opened on a second thread (its
    // fsyncs wait on the disk): the workers would otherwise wait for it. The tape is built here,
    // where freed memory is at hand (a new thread's allocations fault fresh pages in).
    let meta_text = meta(source, spec, opts);
    // The calling thread is one of the `jobs` workers: its heap holds the memory the loading
    // freed, where a new thread faults fresh pages in. The others start now, while the first
    // tape is built and the checkpoint opened (a thread's start is on the critical path
    // otherwise: -1.8 ms on the condor grid).
    let pool = match opts.jobs.max(1) - 1 {
        0 => None,
        n => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| SweepError::Io(e.to_string()))?,
        ),
    };
    // On a thread of its own, not the pool's: its syncs would hold up a worker's first group.
    let (opened, ()) = beside(
        None,
        || open_checkpoint(&opts.out, &meta_text, &head, keys.len(), opts.resume),
        || {
            if let Some(&first) = slice.first().filter(|_| opts.kernel) {
                warm_tape(&tapes, source, spec, market, first);
            }
        },
    );
    let mut rows = opened?;
    let done: std::collections::HashSet<u64> = rows.iter().map(|r| r.index).collect();
    let todo: Vec<u64> = slice.iter().copied().filter(|i| !done.contains(i)).collect();
    let rows_path = opts.out.join("rows.csv");
    let io = |e: std::io::Error| SweepError::Io(format!("{}: {e}", rows_path.display()));
    let file = std::fs::OpenOptions::new().append(true).open(&rows_path).map_err(io)?;
    let checkpoint = Checkpoint {
        file: Mutex::new((file, Instant::now(), Vec::new())),
        error: Mutex::new(None),
        bar: progress_bar(slice.len() as u64, done.len() as u64, opts.progress),
        plain: opts.progress,
        finished: AtomicU64::new(done.len() as u64),
        total: slice.len() as u64,
    };
    // Combinations the engine runs (a hedge, rules, a chain) run in step within a group: group
    // them so that they share condors and vary the hedge.
    let hedged = match source.validate() {
        Ok(base) => !kernel::supports(&base, market),
        Err(_) => false,
    };
    let work = schedule(spec, &todo, opts.jobs, hedged && opts.kernel);
    let ctx = Workers {
        source,
        spec,
        market,
        tapes,
        kernel: opts.kernel,
        checkpoint: &checkpoint,
        stop,
        quit: AtomicBool::new(false),
        on_kernel: AtomicU64::new(0),
        on_engine: AtomicU64::new(0),
    };
    let parts = ctx.run_groups(&work, pool.as_ref());
    let (on_kernel, on_engine) = (ctx.on_kernel.into_inner(), ctx.on_engine.into_inner());
    let Checkpoint { file, error, bar, .. } = checkpoint;
    if let Some(e) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(io(e));
    }
    let (file, _, _) = file.into_inner().unwrap_or_else(|p| p.into_inner());
    let ran = parts.iter().map(Vec::len).sum::<usize>() as u64;
    rows.extend(parts.into_iter().flatten());
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let interrupted = (rows.len() as u64) < slice.len() as u64;
    rows.sort_by_key(|r| r.index);
    // The checkpoint's last sync runs beside the final table's writing (both are waited for).
    let (synced, finals) = beside(
        pool.as_ref(),
        || file.sync_data().map_err(io),
        || if interrupted { Ok(()) } else { write_final(&opts.out, &keys, &rows, pool.as_ref()) },
    );
    synced.and(finals.map_err(SweepError::from))?;
    Ok(SweepOutcome { rows, ran_now: ran, slice: slice.len() as u64, interrupted, on_kernel, on_engine })
}

/// Join the checkpoints of shard folders into one table in `out`: the same bytes as an unsharded
/// run. Every shard must belong to this sweep and together they must cover every combination.
pub fn merge(
    source: &StrategySource,
    spec: &SweepSpec,
    dirs: &[PathBuf],
    out: &Path,
) -> Result<Vec<Row>, SweepError> {
    let keys = spec.keys();
    let head = header(&keys);
    let print = fingerprint(source, spec);
    let mut rows: Vec<Row> = Vec::new();
    for d in dirs {
        let meta_path = d.join("sweep.toml");
        let text = std::fs::read_to_string(&meta_path).map_err(|e| SweepError::Mismatch {
            path: meta_path.clone(),
            message: format!("cannot read: {e} (is this a sweep folder?)"),
        })?;
        if !text.contains(&format!("fingerprint = \"{print}\"")) {
            return Err(SweepError::Mismatch {
                path: meta_path,
                message: "written by a different sweep (fingerprint differs)".into(),
            });
        }
        rows.extend(read_checkpoint(&d.join("rows.csv"), &head, keys.len())?);
    }
    rows.sort_by_key(|r| r.index);
    rows.dedup_by(|a, b| a.index == b.index && a == b);
    if let Some(w) = rows.windows(2).find(|w| w[0].index == w[1].index) {
        return Err(SweepError::Mismatch {
            path: out.to_path_buf(),
            message: format!("combination {} differs between shards", w[0].index),
        });
    }
    let total = spec.combos.len();
    if rows.len() as u64 != total {
        let missing = (0..total).find(|i| rows.binary_search_by_key(i, |r| r.index).is_err()).unwrap_or(0);
        return Err(SweepError::Mismatch {
            path: out.to_path_buf(),
            message: format!("the shards hold {} of {total} combinations (first missing: {missing}); finish every shard first", rows.len()),
        });
    }
    std::fs::create_dir_all(out).map_err(|e| SweepError::Io(format!("{}: {e}", out.display())))?;
    write_final(out, &keys, &rows, None)?;
    Ok(rows)
}
