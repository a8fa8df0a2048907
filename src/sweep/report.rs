//! After a sweep: the top N combinations by the objective (constraints met), each re-run with its
//! full results under `top/`, and the sweep charts - the objective over the first two parameters
//! (best over the others), its sensitivity to each parameter (best over the others), and the top-N
//! equity curves overlaid.

use super::spec::SweepSpec;
use super::table::{metrics_of, Row, METRICS};
use crate::charts::{
    heatmap_chart, metric_text, sensitivity_chart, top_equity_chart, ChartError, Curve, Heatmap,
    SensitivityLine,
};
use crate::config::StrategySource;
use crate::data::DataError;
use crate::engine::{run, Market};
use crate::results::{run_id, write_results};
use std::path::{Path, PathBuf};

/// The eligible rows, best first (ties: lower index first), at most `n`.
pub fn ranked<'a>(spec: &SweepSpec, rows: &'a [Row], n: usize) -> Vec<&'a Row> {
    let mut ok: Vec<&Row> = rows.iter().filter(|r| r.eligible(spec)).collect();
    let key = |r: &Row| r.metrics[spec.objective].unwrap_or(f64::NAN);
    ok.sort_by(|a, b| {
        let (x, y) = (key(a), key(b));
        let ord = if spec.maximize { y.total_cmp(&x) } else { x.total_cmp(&y) };
        ord.then(a.index.cmp(&b.index))
    });
    ok.truncate(n);
    ok
}

/// The tick labels of dimension `d`'s values: one key's value, or a zip's values joined by " / ".
fn dim_labels(spec: &SweepSpec, d: usize) -> Vec<String> {
    let show = super::spec::show;
    spec.dims[d].values.iter().map(|v| v.iter().map(show).collect::<Vec<_>>().join(" / ")).collect()
}

/// Which value of dimension `d` a row has, comparing every key of the dimension (a zip's first
/// key alone may repeat a value, e.g. `exit_dte_days = [21, 21, 21, "none"]`).
fn dim_position(spec: &SweepSpec, d: usize, row: &Row) -> Option<usize> {
    let col: usize = spec.dims[..d].iter().map(|x| x.keys.len()).sum();
    let cells = &row.params[col..col + spec.dims[d].keys.len()];
    spec.dims[d]
        .values
        .iter()
        .position(|v| v.iter().zip(cells).all(|(value, cell)| super::spec::show(value) == *cell))
}

/// The best value of the objective for each position of dimension `d` (over all other values).
fn best_by(spec: &SweepSpec, rows: &[Row], d: usize) -> Vec<f64> {
    let mut best = vec![f64::NAN; spec.dims[d].values.len()];
    for r in rows.iter().filter(|r| r.eligible(spec)) {
        let Some(p) = dim_position(spec, d, r) else { continue };
        let v = r.metrics[spec.objective].unwrap_or(f64::NAN);
        let better = if spec.maximize { v > best[p] } else { v < best[p] };
        if best[p].is_nan() || better {
            best[p] = v;
        }
    }
    best
}

/// Re-run the top combinations and write their full results to `dir/top/<rank>-<run id>/`.
pub fn write_top(
    source: &StrategySource,
    spec: &SweepSpec,
    market: &Market,
    top: &[&Row],
    dir: &Path,
) -> Result<Vec<(PathBuf, Curve)>, DataError> {
    let mut out = Vec::new();
    for (rank, row) in top.iter().enumerate() {
        let err = |m: String| DataError::Usage { path: dir.to_path_buf(), message: m };
        let s = source.with(&spec.assignments(row.index), "sweep").map_err(|e| err(e.to_string()))?;
        let r = run(&s, market, None, None).map_err(|e| err(e.to_string()))?;
        // The row may come from the kernel: the engine must agree with it to the bit.
        let full = metrics_of(&r);
        if !same_metrics(&full, &row.metrics) {
            return Err(err(format!(
                "internal error: combination {} gives different metrics in the engine than in the sweep's condor kernel ({:?} vs {:?}); rerun the sweep with --engine-only and report this",
                row.index, full, row.metrics
            )));
        }
        let resolved = toml::to_string(&s.resolved).map_err(|e| err(e.to_string()))?;
        let config =
            format!("# window: {:?} .. {:?}\n# sweep combination {}\n{resolved}", s.start, s.end, row.index);
        let id = format!("{:02}-{}", rank + 1, run_id(&s.name, &config));
        let path = write_results(&dir.join("top"), &id, &s.name, &config, &r, false)?;
        let label = format!("#{} {}", rank + 1, param_list(&spec.keys(), &row.params));
        out.push((
            path,
            Curve {
                label,
                dates: r.days.iter().map(|d| d.date).collect(),
                equity: r.days.iter().map(|d| d.equity_usd).collect(),
            },
        ));
    }
    Ok(out)
}

/// `key=value` pairs by each key's short name (`target_dte_days=35, wing=150`): the last part of
/// the key, or the one before a final `value`.
fn param_list(keys: &[&str], values: &[String]) -> String {
    let short = |key: &str| {
        let mut parts = key.rsplit('.');
        match (parts.next(), parts.next()) {
            (Some("value"), Some(name)) => name.to_string(),
            (Some(last), _) => last.to_string(),
            (None, _) => key.to_string(),
        }
    };
    keys.iter().zip(values).map(|(k, v)| format!("{}={v}", short(k))).collect::<Vec<_>>().join(", ")
}

/// Equal to the bit (NaN equal to NaN).
fn same_metrics(a: &[Option<f64>], b: &[Option<f64>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.map(f64::to_bits) == y.map(f64::to_bits))
}

/// Draw `heatmap.png` (with two dimensions or more), `sensitivity.png` and `top_equity.png`.
pub fn draw_sweep_charts(
    spec: &SweepSpec,
    rows: &[Row],
    curves: &[Curve],
    name: &str,
    dir: &Path,
) -> Result<Vec<PathBuf>, ChartError> {
    let objective = METRICS[spec.objective];
    let how = if spec.maximize { "best" } else { "lowest" };
    let mut written = Vec::new();
    if spec.dims.len() >= 2 {
        let (xs, ys) = (dim_labels(spec, 0), dim_labels(spec, 1));
        let compact = xs.len() > 10;
        let fmt = |v: f64| metric_text(objective, v, compact);
        let mut values = vec![vec![f64::NAN; xs.len()]; ys.len()];
        for r in rows.iter().filter(|r| r.eligible(spec)) {
            let (Some(x), Some(y)) = (dim_position(spec, 0, r), dim_position(spec, 1, r)) else {
                continue;
            };
            let v = r.metrics[spec.objective].unwrap_or(f64::NAN);
            let cell = &mut values[y][x];
            if cell.is_nan() || (spec.maximize && v > *cell) || (!spec.maximize && v < *cell) {
                *cell = v;
            }
        }
        let (x_desc, y_desc) = (spec.dims[0].keys.join(" / "), spec.dims[1].keys.join(" / "));
        let others =
            if spec.dims.len() > 2 { format!(" ({how} over the other parameters)") } else { String::new() };
        let h = Heatmap {
            title: format!("{name} — {objective} by {} x {}{others}", x_desc, y_desc),
            x_desc: &x_desc,
            y_desc: &y_desc,
            x_labels: xs,
            y_labels: ys,
            values,
            format: &fmt,
            center: None,
            bright_low: !spec.maximize,
        };
        let p = dir.join("heatmap.png");
        heatmap_chart(&p, &h)?;
        written.push(p);
    }
    let lines: Vec<SensitivityLine> = (0..spec.dims.len())
        .map(|d| {
            // Numbers on the axis when the first key's values are distinct numbers.
            let shown: Vec<String> = spec.dims[d].values.iter().map(|v| super::spec::show(&v[0])).collect();
            let numeric: Option<Vec<f64>> = shown.iter().map(|s| s.parse().ok()).collect();
            let numeric = numeric.filter(|x| x.iter().enumerate().all(|(i, a)| !x[..i].contains(a)));
            // Categories (named by every key's value) otherwise.
            let (x, labels) = match numeric {
                Some(x) => (x, Vec::new()),
                None => ((0..shown.len()).map(|i| i as f64).collect(), dim_labels(spec, d)),
            };
            SensitivityLine { param: spec.dims[d].keys.join(" + "), x, y: best_by(spec, rows, d), labels }
        })
        .collect();
    let p = dir.join("sensitivity.png");
    sensitivity_chart(&p, &format!("{name} — {how} {objective} against each parameter"), objective, &lines)?;
    written.push(p);
    if !curves.is_empty() {
        let p = dir.join("top_equity.png");
        top_equity_chart(&p, &format!("{name} — top {} by {objective}: equity", curves.len()), curves)?;
        written.push(p);
    }
    Ok(written)
}

/// Why a heatmap of a saved sweep cannot be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeatmapError {
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error(transparent)]
    Chart(#[from] ChartError),
}

/// What to draw from a saved sweep's `results.csv`: `metric` over parameters `x` and `y`, rows
/// restricted to `fixed` (key, value) pairs, the best (`minimize`: lowest) over the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapRequest {
    pub metric: String,
    pub x: String,
    pub y: String,
    pub fixed: Vec<(String, String)>,
    pub minimize: bool,
}

/// Draw a heatmap of any metric over any two parameters from `dir/results.csv` into `out`.
pub fn heatmap_from_results(dir: &Path, req: &HeatmapRequest, out: &Path) -> Result<(), HeatmapError> {
    let path = dir.join("results.csv");
    let bad = |m: String| HeatmapError::Input { path: path.clone(), message: m };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| bad(format!("cannot read: {e} (is this a finished sweep?)")))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let status =
        header.iter().position(|h| *h == "status").ok_or_else(|| bad("no `status` column".into()))?;
    let params = &header[1..status];
    let col = |name: &str, among: &[&str]| {
        among.iter().position(|h| *h == name).ok_or_else(|| {
            let hint = crate::config::did_you_mean(name, among);
            bad(format!("no column `{name}`; expected one of {}{hint}", among.join(", ")))
        })
    };
    let (xi, yi) = (col(&req.x, params)? + 1, col(&req.y, params)? + 1);
    let mi = col(&req.metric, &METRICS)? + status + 1;
    let fixed: Vec<(usize, &str)> = req
        .fixed
        .iter()
        .map(|(k, v)| col(k, params).map(|i| (i + 1, v.as_str())))
        .collect::<Result<_, _>>()?;
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut xs: Vec<&str> = Vec::new();
    let mut ys: Vec<&str> = Vec::new();
    for r in &rows {
        for (v, list) in [(r[xi], &mut xs), (r[yi], &mut ys)] {
            if !list.contains(&v) {
                list.push(v);
            }
        }
    }
    let order = |v: &mut Vec<&str>| {
        v.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.total_cmp(&y),
            _ => a.cmp(b),
        })
    };
    order(&mut xs);
    order(&mut ys);
    let mut values = vec![vec![f64::NAN; xs.len()]; ys.len()];
    for r in rows.iter().filter(|r| r[status] == "ok" && fixed.iter().all(|(i, v)| r[*i] == *v)) {
        let Ok(v) = r[mi].parse::<f64>() else { continue };
        let (x, y) = (xs.iter().position(|a| *a == r[xi]), ys.iter().position(|a| *a == r[yi]));
        let cell = &mut values[y.unwrap_or(0)][x.unwrap_or(0)];
        if cell.is_nan() || (req.minimize && v < *cell) || (!req.minimize && v > *cell) {
            *cell = v;
        }
    }
    let how = if req.minimize { "lowest" } else { "best" };
    let scope = if fixed.is_empty() {
        format!("{how} over the other parameters")
    } else {
        let f: Vec<String> = req.fixed.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        format!("{}; {how} over the rest", f.join(", "))
    };
    let compact = xs.len() > 10;
    let fmt = |v: f64| metric_text(&req.metric, v, compact);
    let h = Heatmap {
        title: format!("{} by {} x {} ({scope})", req.metric, req.x, req.y),
        x_desc: &req.x,
        y_desc: &req.y,
        x_labels: xs.iter().map(|s| s.to_string()).collect(),
        y_labels: ys.iter().map(|s| s.to_string()).collect(),
        values,
        format: &fmt,
        center: None,
        bright_low: req.minimize,
    };
    heatmap_chart(out, &h)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::spec::{Combos, Dim};

    #[test]
    fn a_zip_whose_first_key_repeats_keeps_its_positions_apart() {
        let int = |x: i64| Some(toml::Value::Integer(x));
        let float = |x: f64| Some(toml::Value::Float(x));
        let spec = SweepSpec {
            dims: vec![Dim {
                keys: vec!["condor.exit_dte_days".into(), "condor.profit_target_pct".into()],
                values: vec![vec![int(21), float(25.0)], vec![int(21), float(50.0)], vec![None, None]],
            }],
            combos: Combos::Grid(3),
            objective: 0,
            maximize: true,
            top_n: 0,
            charts: false,
            constraints: vec![],
        };
        let row = |index: u64, a: &str, b: &str, v: f64| {
            let mut metrics = vec![None; METRICS.len()];
            metrics[0] = Some(v);
            Row::new(index, vec![a.into(), b.into()], "ok".into(), metrics)
        };
        let rows = [row(0, "21", "25", 1.0), row(1, "21", "50", 2.0), row(2, "none", "none", 3.0)];
        assert_eq!(best_by(&spec, &rows, 0), vec![1.0, 2.0, 3.0]);
        assert_eq!(dim_labels(&spec, 0), vec!["21 / 25", "21 / 50", "none / none"]);
    }

    #[test]
    fn legend_labels_name_each_parameter_by_its_short_name() {
        let keys = [
            "condor.target_dte_days",
            "condor.wing.value",
            "condor.profit_target_pct",
            "hedge.layers.0.share",
        ];
        let values: Vec<String> = ["35", "150", "none", "0.5"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            param_list(&keys, &values),
            "target_dte_days=35, wing=150, profit_target_pct=none, share=0.5"
        );
    }
}
