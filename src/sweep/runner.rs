//! Running a sweep: combinations in parallel (rayon, `jobs` threads) over one shared, read-only
//! [`Market`], in chunks; each finished chunk is appended to `rows.csv` and synced, so a killed
//! sweep loses at most the chunk in flight, and `--resume` runs only what is missing. The final
//! table is the checkpoint's rows sorted by index: the same bytes for any `jobs`, any shard split
//! and any number of interruptions.

use super::spec::{show, SweepSpec};
use super::table::{
    append, header, metrics_of, metrics_of_kernel, read_checkpoint, write_final, Row, METRICS,
};
use crate::config::StrategySource;
use crate::data::DataError;
use crate::engine::kernel::{self, Tapes};
use crate::engine::{run, Market};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

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
}

/// The identity of a sweep: its strategy (after overrides), its spec and its shard count; the
/// checkpoint and every shard carry it, so rows of different sweeps never mix.
pub fn fingerprint(source: &StrategySource, spec: &SweepSpec) -> String {
    let text = format!("{}\n{:?}", toml::to_string(source.tree()).unwrap_or_default(), spec);
    format!("{:016x}", crate::engine::fnv1a(text.as_bytes()))
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
/// With `tapes`, a condor-only combination runs on the kernel ([`crate::engine::kernel`]), which
/// gives the engine's numbers bit for bit; others (and all with `tapes = None`) run the engine.
pub fn run_one(
    source: &StrategySource,
    spec: &SweepSpec,
    market: &Market,
    tapes: Option<&Tapes>,
    index: u64,
) -> Row {
    let assignments = spec.assignments(index);
    let params = assignments.iter().map(|(_, v)| show(v)).collect();
    let outcome = source.with(&assignments, "sweep").map_err(|e| e.to_string()).and_then(|s| {
        let tape = tapes.filter(|_| kernel::supports(&s, market)).and_then(|t| t.get(&s, market));
        match tape {
            Some(tape) => Ok(metrics_of_kernel(&kernel::run_condors(&s, &tape))),
            None => run(&s, market, None, None).map(|r| metrics_of(&r)).map_err(|e| e.to_string()),
        }
    });
    match outcome {
        Ok(metrics) => Row { index, params, status: "ok".into(), metrics },
        Err(e) => Row { index, params, status: format!("invalid: {e}"), metrics: vec![None; METRICS.len()] },
    }
}

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
    let mut rows = open_checkpoint(&opts.out, &meta(source, spec, opts), &head, keys.len(), opts.resume)?;
    let (shard_i, shard_n) = opts.shard.unwrap_or((0, 1));
    let slice: Vec<u64> = (0..spec.combos.len()).filter(|i| i % shard_n == shard_i).collect();
    let done: std::collections::HashSet<u64> = rows.iter().map(|r| r.index).collect();
    let todo: Vec<u64> = slice.iter().copied().filter(|i| !done.contains(i)).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()
        .map_err(|e| SweepError::Io(e.to_string()))?;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(opts.out.join("rows.csv"))
        .map_err(|e| SweepError::Io(format!("{}: {e}", opts.out.display())))?;
    let bar = progress_bar(slice.len() as u64, done.len() as u64, opts.progress);
    let shared = Tapes::default();
    let tapes = opts.kernel.then_some(&shared);
    // Chunks start small and double (up to 4096) while one takes under 50 ms: a killed sweep
    // loses at most about 0.1 s of work, and a fast one does not spend its time syncing. The
    // chunking never changes a row.
    let mut chunk = (opts.jobs.max(1) * 8).max(16);
    let (mut ran, mut next_report) = (0u64, 10u64);
    let mut interrupted = false;
    let mut rest = &todo[..];
    while !rest.is_empty() {
        if stop.load(Ordering::SeqCst) {
            interrupted = true;
            break;
        }
        let (part, later) = rest.split_at(chunk.min(rest.len()));
        rest = later;
        let started = std::time::Instant::now();
        let new: Vec<Row> = pool.install(|| {
            use rayon::prelude::*;
            part.par_iter().map(|i| run_one(source, spec, market, tapes, *i)).collect()
        });
        if started.elapsed() < std::time::Duration::from_millis(50) {
            chunk = (chunk * 2).min(4096);
        }
        append(&mut file, &new)
            .map_err(|e| SweepError::Io(format!("{}: {e}", opts.out.join("rows.csv").display())))?;
        ran += new.len() as u64;
        rows.extend(new);
        let finished = rows.len() as u64;
        match &bar {
            Some(b) => b.set_position(finished),
            None if opts.progress && 100 * finished >= next_report * slice.len() as u64 => {
                eprintln!(
                    "sweep: {finished}/{} combinations ({}%)",
                    slice.len(),
                    100 * finished / slice.len().max(1) as u64
                );
                next_report = 100 * finished / slice.len().max(1) as u64 / 10 * 10 + 10;
            }
            None => {}
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    rows.sort_by_key(|r| r.index);
    if !interrupted {
        write_final(&opts.out, &keys, &rows)?;
    }
    Ok(SweepOutcome { rows, ran_now: ran, slice: slice.len() as u64, interrupted })
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
    write_final(out, &keys, &rows)?;
    Ok(rows)
}
