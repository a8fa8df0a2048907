//! `summary.json`: a run's window, equity, metrics and hedge accounting, and the hedge
//! accounting itself ([`HedgeReport`], also printed by `ironhedge run` and read by sweeps).
//!
//! JSON is written by `serde_json` from the structs below, whose field order is the file's key
//! order. A metric that is undefined (a ratio with a zero denominator) or not finite is `null`.

use crate::engine::{Attribution, Coverage, LegCount, RunResult};
use crate::metrics::Metrics;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// Hedge accounting of one layer or of all: premium paid, value recovered at monetisation, roll
/// or settlement, the calls still held at their last mark, net cost = paid - recovered - open
/// value, theta (the attribution's), net cost as a percentage of the condor credit collected, and
/// how many of its closed calls ended above their cost.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct HedgeLine {
    #[serde(rename = "premium_paid_usd", serialize_with = "finite")]
    pub paid_usd: f64,
    #[serde(rename = "value_recovered_usd", serialize_with = "finite")]
    pub recovered_usd: f64,
    #[serde(serialize_with = "finite")]
    pub open_value_usd: f64,
    #[serde(serialize_with = "finite")]
    pub net_cost_usd: f64,
    #[serde(serialize_with = "finite")]
    pub theta_usd: f64,
    #[serde(serialize_with = "finite_opt")]
    pub cost_pct_of_credit: Option<f64>,
    /// Calls closed (sold, abandoned or settled).
    pub calls_closed: u32,
    /// Of those, the ones that recovered more than they cost (premium and costs): the ones that
    /// ended above their break-even.
    pub calls_above_cost: u32,
}

/// The hedge's accounting: all layers, then each.
#[derive(Debug, Clone, PartialEq)]
pub struct HedgeReport {
    pub total: HedgeLine,
    pub layers: Vec<(String, HedgeLine)>,
}

impl HedgeReport {
    /// `None` when the run had no hedge.
    pub fn of(r: &RunResult) -> Option<HedgeReport> {
        if r.hedge_totals.is_empty() {
            return None;
        }
        let credit = r.credit_collected_usd;
        let line = |paid: f64, recovered: f64, open: f64, theta: f64, calls: (u32, u32)| {
            let net = paid - recovered - open;
            HedgeLine {
                paid_usd: paid,
                recovered_usd: recovered,
                open_value_usd: open,
                net_cost_usd: net,
                theta_usd: theta,
                cost_pct_of_credit: (credit > 0.0).then(|| 100.0 * net / credit),
                calls_closed: calls.0,
                calls_above_cost: calls.1,
            }
        };
        let calls = |layer: Option<usize>| {
            let closed = r.hedge_trades.iter().filter(|t| layer.is_none_or(|l| t.layer == l));
            closed.fold((0, 0), |(n, up), t| (n + 1, up + u32::from(t.pnl_usd > 0.0)))
        };
        let layers: Vec<(String, HedgeLine)> = r
            .hedge_totals
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let open = r.open_hedge_value_usd.get(i).copied().unwrap_or(0.0);
                (
                    r.groups[i + 1].replacen("hedge:", "", 1),
                    line(t.premium_usd, t.recovered_usd, open, t.theta_usd, calls(Some(i))),
                )
            })
            .collect();
        let sum = |f: &dyn Fn(&HedgeLine) -> f64| layers.iter().map(|(_, l)| f(l)).sum::<f64>();
        let total = line(
            sum(&|l| l.paid_usd),
            sum(&|l| l.recovered_usd),
            sum(&|l| l.open_value_usd),
            sum(&|l| l.theta_usd),
            calls(None),
        );
        Some(HedgeReport { total, layers })
    }
}

/// A number as JSON: `null` when not finite; -0 written as 0.
fn finite_opt<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(v) if v.is_finite() => s.serialize_f64(v + 0.0),
        _ => s.serialize_none(),
    }
}

fn finite<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    finite_opt(&Some(*x), s)
}

/// The metrics block, in the order of the results table's columns.
#[derive(Serialize)]
struct MetricsJson {
    #[serde(serialize_with = "finite_opt")]
    total_return: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    cagr: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    ann_vol: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    sharpe: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    sortino: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    max_drawdown: Option<f64>,
    max_drawdown_days: usize,
    #[serde(serialize_with = "finite_opt")]
    calmar: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    win_rate: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    profit_factor: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    avg_win_usd: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    avg_loss_usd: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    worst_day: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    worst_month: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    cvar_95: Option<f64>,
    #[serde(serialize_with = "finite_opt")]
    time_in_market: Option<f64>,
    trades: usize,
}

impl From<&Metrics> for MetricsJson {
    fn from(m: &Metrics) -> Self {
        MetricsJson {
            total_return: m.total_return,
            cagr: m.cagr,
            ann_vol: m.ann_vol,
            sharpe: m.sharpe,
            sortino: m.sortino,
            max_drawdown: m.max_drawdown,
            max_drawdown_days: m.max_drawdown_days,
            calmar: m.calmar,
            win_rate: m.win_rate,
            profit_factor: m.profit_factor,
            avg_win_usd: m.avg_win,
            avg_loss_usd: m.avg_loss,
            worst_day: m.worst_day,
            worst_month: m.worst_month,
            cvar_95: m.cvar_95,
            time_in_market: m.time_in_market,
            trades: m.trades,
        }
    }
}

/// Layers as a JSON object keyed by layer name, in the strategy's layer order.
struct Layers<'a>(&'a [(String, HedgeLine)]);

impl Serialize for Layers<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, line) in self.0 {
            map.serialize_entry(name, line)?;
        }
        map.end()
    }
}

/// The attribution block: per position group, each component summed over the run and the
/// residual's share (see [`residual_share`]).
struct AttributionJson<'a>(&'a RunResult);

impl Serialize for AttributionJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut map = s.serialize_map(Some(r.groups.len()))?;
        for (name, days) in r.groups.iter().zip(&r.group_attribution) {
            let mut sum = Attribution::default();
            days.iter().for_each(|a| sum.add(a));
            let mut entry: Vec<(String, Option<f64>)> = Attribution::PARTS
                .iter()
                .zip(sum.parts())
                .map(|(p, v)| (format!("{p}_usd"), Some(v)))
                .collect();
            entry.push(("residual_share".into(), residual_share(days)));
            map.serialize_entry(name, &Entry(entry))?;
        }
        map.end()
    }
}

/// Named numbers as a JSON object (non-finite or `None`: `null`).
struct Entry(Vec<(String, Option<f64>)>);

impl Serialize for Entry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, &v.filter(|x| x.is_finite()).map(|x| if x == 0.0 { 0.0 } else { x }))?;
        }
        map.end()
    }
}

/// How much of a group's daily P&L the Greeks leave unexplained: the sum over days of |residual|
/// over the sum over days of the sum of every component's absolute value (the residual's
/// included). `None` when every component of every day is zero.
pub fn residual_share(days: &[Attribution]) -> Option<f64> {
    let abs = |a: &Attribution| a.parts()[..7].iter().map(|x| x.abs()).sum::<f64>();
    let den: f64 = days.iter().map(abs).sum();
    let num: f64 = days.iter().map(|a| a.residual_usd.abs()).sum();
    (den > 0.0).then(|| num / den)
}

/// The hedge block: the total's fields, the condor credit, then each layer.
#[derive(Serialize)]
struct HedgeJson<'a> {
    #[serde(flatten)]
    total: HedgeLine,
    #[serde(serialize_with = "finite")]
    condor_credit_usd: f64,
    layers: Layers<'a>,
}

/// Legs priced and how many from quotes, with their ratio.
#[derive(Serialize)]
struct CountJson {
    legs_priced: u64,
    from_quotes: u64,
    #[serde(serialize_with = "finite_opt")]
    coverage: Option<f64>,
}

impl From<LegCount> for CountJson {
    fn from(c: LegCount) -> Self {
        CountJson { legs_priced: c.legs_priced, from_quotes: c.from_quotes, coverage: c.coverage() }
    }
}

#[derive(Serialize)]
struct CoverageJson {
    entries: CountJson,
    exits: CountJson,
    marks: CountJson,
}

impl From<Coverage> for CoverageJson {
    fn from(c: Coverage) -> Self {
        CoverageJson { entries: c.entries.into(), exits: c.exits.into(), marks: c.marks.into() }
    }
}

/// The `chain` block: the fill mode and each chain's coverage.
#[derive(Serialize)]
struct ChainJson<'a> {
    fills: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    condor: Option<CoverageJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hedge: Option<CoverageJson>,
}

#[derive(Serialize)]
struct Summary<'a> {
    strategy: &'a str,
    run_id: &'a str,
    from: String,
    to: String,
    days: usize,
    #[serde(serialize_with = "finite")]
    initial_usd: f64,
    #[serde(serialize_with = "finite_opt")]
    final_equity_usd: Option<f64>,
    metrics: MetricsJson,
    attribution: AttributionJson<'a>,
    hedge: Option<HedgeJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chain: Option<ChainJson<'a>>,
    /// With position rules: adjustments taken, by action, and skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    adjustments: Option<AdjustmentsJson>,
}

/// The `adjustments` block: how many each action took and how many were skipped.
#[derive(Serialize)]
struct AdjustmentsJson {
    taken: usize,
    skipped: usize,
    by_action: std::collections::BTreeMap<&'static str, usize>,
}

impl AdjustmentsJson {
    fn of(log: &[crate::engine::AdjustmentLog]) -> Self {
        let mut by_action = std::collections::BTreeMap::new();
        for a in log.iter().filter(|a| a.outcome == "done") {
            *by_action.entry(a.action.trim_start_matches("adjust:")).or_insert(0) += 1;
        }
        let taken = by_action.values().sum();
        AdjustmentsJson { taken, skipped: log.len() - taken, by_action }
    }
}

/// The text of `summary.json` for run `r` of strategy `name` (pretty-printed, newline-ended).
pub(super) fn summary_json(name: &str, run_id: &str, r: &RunResult) -> String {
    let report = HedgeReport::of(r);
    let summary = Summary {
        strategy: name,
        run_id,
        from: r.days.first().map(|d| d.date.to_string()).unwrap_or_default(),
        to: r.days.last().map(|d| d.date.to_string()).unwrap_or_default(),
        days: r.days.len(),
        initial_usd: r.initial_usd,
        final_equity_usd: r.days.last().map(|d| d.equity_usd),
        metrics: MetricsJson::from(&r.metrics),
        attribution: AttributionJson(r),
        hedge: report.as_ref().map(|h| HedgeJson {
            total: h.total,
            condor_credit_usd: r.credit_collected_usd,
            layers: Layers(&h.layers),
        }),
        chain: r.chain.as_ref().map(|c| ChainJson {
            fills: &c.fills,
            condor: c.condor.map(CoverageJson::from),
            hedge: c.hedge.map(CoverageJson::from),
        }),
        adjustments: r.adjustments.as_deref().map(AdjustmentsJson::of),
    };
    // Serialising plain structs of numbers and strings into a String cannot fail.
    let mut text = serde_json::to_string_pretty(&summary).expect("summary.json serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_are_null_and_negative_zero_is_zero() {
        let line = HedgeLine { paid_usd: f64::INFINITY, recovered_usd: -0.0, ..Default::default() };
        let text = serde_json::to_string(&line).unwrap();
        assert!(text.contains("\"premium_paid_usd\":null"), "{text}");
        assert!(text.contains("\"value_recovered_usd\":0.0"), "{text}");
        assert!(text.contains("\"cost_pct_of_credit\":null"), "{text}");
    }

    #[test]
    fn names_are_escaped() {
        let lines = [("a\"b\\c\n".to_string(), HedgeLine::default())];
        let text = serde_json::to_string(&Layers(&lines)).unwrap();
        assert!(text.starts_with("{\"a\\\"b\\\\c\\n\":"), "{text}");
    }
}
