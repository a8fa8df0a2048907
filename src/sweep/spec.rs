//! The `[sweep]` table: what to vary, how to sample it, what to rank by. Raw serde first, then
//! validation into a [`SweepSpec`] whose every value has been applied to the strategy and
//! validated on its own, so a bad value is an error before anything runs.
//!
//! ```toml
//! [sweep]
//! mode = "grid"                 # every combination; or "random" with samples and seed
//! objective = "sharpe"          # any metric of the results table
//! maximize = true
//! top_n = 10                   # re-run the best 10 in full (0: none)
//! charts = true                 # false: tables only (no heatmap, sensitivity, top-N chart)
//! constraints = [{ metric = "max_drawdown", op = "<", value = 0.2 }]
//! max_combinations = 100000     # refuse bigger sweeps unless --force
//!
//! [sweep.params]
//! "condor.short_put.value" = [0.10, 0.16, 0.20]
//! "condor.target_dte_days" = { from = 30, to = 60, step = 5 }
//! "condor.expiries" = ["spxw", "monthly"]
//! "hedge.schedule.levels" = [[20.0, 30.0, 45.0], [17.0, 25.0, 35.0]]   # whole lists as values
//!
//! [[sweep.zip]]                 # keys that move together ("none" removes an optional key)
//! "condor.profit_target_pct" = [25.0, 50.0, "none"]
//! "condor.exit_dte_days" = [21, 21, "none"]
//! ```

use crate::config::{ConfigError, StrategySource};
use serde::Deserialize;

/// Why a sweep specification is not usable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpecError {
    #[error("{file}: no [sweep] table: add one (see README \"Sweeps\")")]
    Missing { file: String },
    #[error("{file}: key `sweep{key}`: expected {expected}, found {found}")]
    Invalid { file: String, key: String, expected: String, found: String },
    #[error("{file}: key `sweep.params.\"{key}\"`: the value {value} is not valid: {error}")]
    Value { file: String, key: String, value: String, error: Box<ConfigError> },
    #[error("{file}: the sweep has {count} combinations, more than max_combinations = {cap}: narrow it, raise sweep.max_combinations, or pass --force")]
    TooMany { file: String, count: String, cap: u64 },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    #[serde(default = "d_grid")]
    mode: String,
    samples: Option<u64>,
    #[serde(default)]
    seed: u64,
    /// Default: Sharpe, maximised.
    #[serde(default = "d_objective")]
    objective: String,
    #[serde(default = "d_true")]
    maximize: bool,
    #[serde(default = "d_top")]
    top_n: usize,
    #[serde(default = "d_true")]
    charts: bool,
    #[serde(default = "d_cap")]
    max_combinations: u64,
    #[serde(default)]
    constraints: Vec<RawConstraint>,
    #[serde(default)]
    params: toml::Table,
    #[serde(default)]
    zip: Vec<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConstraint {
    metric: String,
    op: String,
    value: f64,
}

fn d_grid() -> String {
    "grid".into()
}
fn d_true() -> bool {
    true
}
fn d_top() -> usize {
    10
}
fn d_cap() -> u64 {
    100_000
}

/// A constraint on a metric; a row that breaks one is kept in the table but never ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    pub metric: usize,
    pub op: crate::config::Op,
    pub value: f64,
}

/// One dimension of the grid: one key, or several that move together (a zip group).
#[derive(Debug, Clone, PartialEq)]
pub struct Dim {
    pub keys: Vec<String>,
    /// `values[i][k]`: key k's value at position i (`None` removes the key).
    pub values: Vec<Vec<Option<toml::Value>>>,
}

/// A validated sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    pub dims: Vec<Dim>,
    /// The combinations run, as mixed-radix grid indices (all of them for a grid).
    pub combos: Combos,
    /// Index into [`super::METRICS`].
    pub objective: usize,
    pub maximize: bool,
    pub top_n: usize,
    /// Draw the sweep's charts (heatmap, sensitivity, top-N equity); `false` writes tables only.
    pub charts: bool,
    pub constraints: Vec<Constraint>,
}

/// Which grid points a sweep runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Combos {
    /// Every point, in grid order.
    Grid(u64),
    /// Seeded distinct draws, in draw order.
    Sample(Vec<u64>),
}

impl Combos {
    pub fn len(&self) -> u64 {
        match self {
            Combos::Grid(n) => *n,
            Combos::Sample(v) => v.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The grid point of the `i`-th combination.
    pub fn point(&self, i: u64) -> u64 {
        match self {
            Combos::Grid(_) => i,
            Combos::Sample(v) => v[i as usize],
        }
    }
}

impl SweepSpec {
    /// Every key the sweep sets, in column order.
    pub fn keys(&self) -> Vec<&str> {
        self.dims.iter().flat_map(|d| d.keys.iter().map(String::as_str)).collect()
    }

    /// The position in each dimension (its index in the dimension's values) of the `i`-th
    /// combination.
    pub fn positions(&self, i: u64) -> Vec<usize> {
        let mut point = self.combos.point(i);
        let mut positions = vec![0usize; self.dims.len()];
        for (d, dim) in self.dims.iter().enumerate().rev() {
            let n = dim.values.len() as u64;
            positions[d] = (point % n) as usize;
            point /= n;
        }
        positions
    }

    /// The assignments of the `i`-th combination.
    pub fn assignments(&self, i: u64) -> Vec<(String, Option<toml::Value>)> {
        let mut out = Vec::new();
        for (dim, p) in self.dims.iter().zip(self.positions(i)) {
            for (k, key) in dim.keys.iter().enumerate() {
                out.push((key.clone(), dim.values[p][k].clone()));
            }
        }
        out
    }
}

/// A value as shown in the results table (`none` for a removed key).
pub fn show(v: &Option<toml::Value>) -> String {
    match v {
        None => "none".into(),
        Some(toml::Value::String(s)) => s.clone(),
        Some(toml::Value::Float(f)) => format!("{f}"),
        Some(toml::Value::Array(a)) => a.iter().map(|x| show(&Some(x.clone()))).collect::<Vec<_>>().join("/"),
        Some(other) => other.to_string(),
    }
}

/// Keys a sweep may not vary: they change what data is loaded, which every combination shares.
const FIXED: [&str; 6] =
    ["data.", "signals.liquidations", "signals.funding", "signals.calendar", "rates.file", "sweep"];

struct Ctx<'a> {
    file: String,
    source: &'a StrategySource,
}

impl Ctx<'_> {
    fn invalid(&self, key: &str, expected: impl Into<String>, found: impl ToString) -> SpecError {
        SpecError::Invalid {
            file: self.file.clone(),
            key: key.into(),
            expected: expected.into(),
            found: found.to_string(),
        }
    }

    /// The values of one parameter: a list, or `{ from, to, step }`.
    fn values(&self, key: &str, v: &toml::Value) -> Result<Vec<Option<toml::Value>>, SpecError> {
        let at = format!(".params.\"{key}\"");
        let list = match v {
            toml::Value::Array(a) => a.clone(),
            toml::Value::Table(t) => range(t).map_err(|e| self.invalid(&at, e, v))?,
            other => return Err(self.invalid(&at, "a list of values or { from, to, step }", other)),
        };
        if list.is_empty() {
            return Err(self.invalid(&at, "at least one value", "[]"));
        }
        let mut out = Vec::with_capacity(list.len());
        for item in list {
            let value = match item {
                toml::Value::String(s) if s == "none" => None,
                toml::Value::String(s) if s.contains([',', '"', '\n']) => {
                    return Err(self.invalid(
                        &at,
                        "values without commas, quotes or line breaks",
                        format!("{s:?}"),
                    ))
                }
                // A whole list as one value (`hedge.schedule.levels`): numbers only, shown joined
                // by `/` in the table.
                toml::Value::Array(a)
                    if !a.is_empty()
                        && a.iter().all(|x| matches!(x, toml::Value::Float(_) | toml::Value::Integer(_))) =>
                {
                    Some(toml::Value::Array(a))
                }
                toml::Value::Array(_) | toml::Value::Table(_) => {
                    return Err(self.invalid(
                        &at,
                        "a number, a string, a boolean, \"none\" or a list of numbers",
                        item,
                    ))
                }
                other => Some(other),
            };
            out.push(value);
        }
        Ok(out)
    }

    /// Each value (with the values zipped to it; the other keys as in the file) must make a
    /// valid strategy.
    fn validate(&self, dims: &[Dim]) -> Result<(), SpecError> {
        for dim in dims {
            for values in &dim.values {
                let assignments: Vec<(String, Option<toml::Value>)> =
                    dim.keys.iter().cloned().zip(values.iter().cloned()).collect();
                self.source.with(&assignments, "sweep").map_err(|e| {
                    let text = e.to_string();
                    let k = dim.keys.iter().position(|k| text.contains(&format!("`{k}`"))).unwrap_or(0);
                    SpecError::Value {
                        file: self.file.clone(),
                        key: dim.keys[k].clone(),
                        value: show(&values[k]),
                        error: Box::new(e),
                    }
                })?;
            }
        }
        Ok(())
    }

    fn check_key(&self, key: &str) -> Result<(), SpecError> {
        if let Some(f) = FIXED.iter().find(|f| key.starts_with(*f)) {
            return Err(self.invalid(
                &format!(".params.\"{key}\""),
                format!("a strategy key that does not select data (`{f}...` is loaded once for every combination)"),
                key,
            ));
        }
        Ok(())
    }
}

/// `{ from, to, step }`, inclusive: integers when all three are integers.
fn range(t: &toml::Table) -> Result<Vec<toml::Value>, String> {
    let expected = "{ from = a, to = b, step = s } with s > 0 and b >= a".to_string();
    if t.keys().any(|k| !["from", "to", "step"].contains(&k.as_str())) {
        return Err(expected);
    }
    let get = |k: &str| t.get(k).ok_or_else(|| expected.clone());
    let (from, to, step) = (get("from")?, get("to")?, get("step")?);
    if let (Some(a), Some(b), Some(s)) = (from.as_integer(), to.as_integer(), step.as_integer()) {
        if s <= 0 || b < a {
            return Err(expected);
        }
        return Ok((0..=(b - a) / s).map(|i| toml::Value::Integer(a + i * s)).collect());
    }
    let f = |v: &toml::Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    let (Some(a), Some(b), Some(s)) = (f(from), f(to), f(step)) else { return Err(expected) };
    if !(s > 0.0 && b >= a && a.is_finite() && b.is_finite()) || (b - a) / s > 1e7 {
        return Err(expected);
    }
    let n = ((b - a) / s + 1e-9).floor() as u64;
    // Rounded to 12 decimals so 0.1 + 2 x 0.05 reads 0.2, not 0.20000000000000004.
    Ok((0..=n).map(|i| toml::Value::Float(((a + i as f64 * s) * 1e12).round() / 1e12)).collect())
}

/// Seeded distinct draws from `0..total`.
fn sample(total: u64, count: u64, seed: u64) -> Vec<u64> {
    crate::rng::SplitMix64::new(seed).distinct_below(total, count)
}

fn d_objective() -> String {
    "sharpe".into()
}

/// Parse and validate the strategy's `[sweep]` table; `force` lifts the combination cap.
pub fn parse(source: &StrategySource, force: bool) -> Result<SweepSpec, SpecError> {
    let file = source.path.display().to_string();
    let table = source
        .tree()
        .get("sweep")
        .and_then(|v| v.as_table())
        .ok_or(SpecError::Missing { file: file.clone() })?;
    let c = Ctx { file, source };
    let raw: RawSweep = toml::Value::Table(table.clone()).try_into().map_err(|e: toml::de::Error| {
        let msg = e.to_string();
        c.invalid("", "the keys mode, samples, seed, objective, maximize, top_n, charts, max_combinations, constraints, params, zip", msg.trim())
    })?;
    let objective = c.metric(".objective", &raw.objective)?;
    let dims = c.dims(&raw)?;
    let combos = c.combos(&raw, &dims, force)?;
    // The size first (a huge sweep is refused before its values are checked one by one).
    c.validate(&dims)?;
    let constraints = c.constraints(&raw.constraints)?;
    if raw.top_n > 100 {
        return Err(c.invalid(".top_n", "at most 100", raw.top_n));
    }
    Ok(SweepSpec {
        dims,
        combos,
        objective,
        maximize: raw.maximize,
        top_n: raw.top_n,
        charts: raw.charts,
        constraints,
    })
}

impl Ctx<'_> {
    /// The column index of metric `name` (at `key`).
    fn metric(&self, key: &str, name: &str) -> Result<usize, SpecError> {
        super::METRICS.iter().position(|m| *m == name).ok_or_else(|| {
            let hint = crate::config::did_you_mean(name, &super::METRICS);
            self.invalid(key, format!("one of {}{hint}", super::METRICS.join(", ")), format!("\"{name}\""))
        })
    }

    /// The sweep's dimensions: each `params` key alone, then each `zip` group (its keys moving
    /// together); every key in one place only.
    fn dims(&self, raw: &RawSweep) -> Result<Vec<Dim>, SpecError> {
        let mut dims = Vec::new();
        for (key, v) in &raw.params {
            self.check_key(key)?;
            let values = self.values(key, v)?;
            dims.push(Dim { keys: vec![key.clone()], values: values.into_iter().map(|v| vec![v]).collect() });
        }
        for (z, group) in raw.zip.iter().enumerate() {
            dims.push(self.zip_dim(z, group)?);
        }
        if dims.is_empty() {
            return Err(self.invalid(".params", "at least one parameter to vary", "none"));
        }
        let mut keys: Vec<&String> = dims.iter().flat_map(|d| &d.keys).collect();
        keys.sort();
        if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
            return Err(self.invalid(".params", "each key in one place only", w[0]));
        }
        Ok(dims)
    }

    /// Zip group `z`: lists of one length, the i-th values of every key forming one point.
    fn zip_dim(&self, z: usize, group: &toml::Table) -> Result<Dim, SpecError> {
        let mut columns = Vec::new();
        for (key, v) in group {
            self.check_key(key)?;
            columns.push((key.clone(), self.values(key, v)?));
        }
        let n = columns.first().map_or(0, |c| c.1.len());
        if n == 0 || columns.iter().any(|(_, v)| v.len() != n) {
            let lens: Vec<usize> = columns.iter().map(|c| c.1.len()).collect();
            return Err(self.invalid(
                &format!(".zip[{z}]"),
                "lists of one and the same length",
                format!("lengths {lens:?}"),
            ));
        }
        let values = (0..n).map(|i| columns.iter().map(|(_, v)| v[i].clone()).collect()).collect();
        Ok(Dim { keys: columns.into_iter().map(|c| c.0).collect(), values })
    }

    /// Which combinations run: the whole grid, or `samples` seeded draws from it; either within
    /// `max_combinations` unless `force`.
    fn combos(&self, raw: &RawSweep, dims: &[Dim], force: bool) -> Result<Combos, SpecError> {
        let total = dims.iter().try_fold(1u64, |acc, d| acc.checked_mul(d.values.len() as u64));
        let too_many =
            |count: String| SpecError::TooMany { file: self.file.clone(), count, cap: raw.max_combinations };
        match raw.mode.as_str() {
            "grid" => {
                let n = total.filter(|n| *n <= raw.max_combinations || force);
                Ok(Combos::Grid(
                    n.ok_or_else(|| too_many(total.map_or("more than 2^64".into(), |n| n.to_string())))?,
                ))
            }
            "random" => {
                let total = total
                    .ok_or_else(|| self.invalid(".params", "a grid of fewer than 2^64 points", "more"))?;
                let n = raw.samples.filter(|n| *n >= 1).ok_or_else(|| {
                    self.invalid(".samples", "a number of samples >= 1 for mode = \"random\"", "nothing")
                })?;
                if n > raw.max_combinations && !force {
                    return Err(too_many(n.to_string()));
                }
                Ok(Combos::Sample(sample(total, n, raw.seed)))
            }
            other => Err(self.invalid(".mode", "\"grid\" or \"random\"", format!("\"{other}\""))),
        }
    }

    /// The constraints, their metrics and operators checked.
    fn constraints(&self, raw: &[RawConstraint]) -> Result<Vec<Constraint>, SpecError> {
        raw.iter()
            .enumerate()
            .map(|(i, k)| {
                let op = match k.op.as_str() {
                    ">" => crate::config::Op::Gt,
                    ">=" => crate::config::Op::Ge,
                    "<" => crate::config::Op::Lt,
                    "<=" => crate::config::Op::Le,
                    other => {
                        return Err(self.invalid(
                            &format!(".constraints[{i}].op"),
                            "one of >, >=, <, <=",
                            format!("\"{other}\""),
                        ))
                    }
                };
                Ok(Constraint {
                    metric: self.metric(&format!(".constraints[{i}].metric"), &k.metric)?,
                    op,
                    value: k.value,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_samples() {
        let t: toml::Table = toml::from_str("from = 30\nto = 60\nstep = 10").unwrap();
        assert_eq!(range(&t).unwrap(), [30, 40, 50, 60].map(toml::Value::Integer).to_vec());
        let t: toml::Table = toml::from_str("from = 0.1\nto = 0.2\nstep = 0.05").unwrap();
        assert_eq!(range(&t).unwrap(), [0.1, 0.15, 0.2].map(toml::Value::Float).to_vec());
        let t: toml::Table = toml::from_str("from = 2\nto = 1\nstep = 1").unwrap();
        assert!(range(&t).is_err());
        let s = sample(10, 10, 7);
        let mut sorted = s.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>(), "distinct draws cover a small grid");
        assert_eq!(sample(1000, 5, 7), sample(1000, 5, 7), "seeded");
    }
}
