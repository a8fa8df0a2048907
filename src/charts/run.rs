//! Every chart of one run, drawn from [`RunChartData`] (which the engine reads back from the saved
//! result files, so `ironhedge run` and `ironhedge report` draw the same pixels).

use super::attribution::{attribution_chart, group_attribution_chart, AttributionSeries};
use super::{equity_chart, hedge_chart, monthly_returns_chart, signals_chart, ChartError};
use chrono::NaiveDate;
use plotters::style::RGBColor;
use std::path::{Path, PathBuf};

/// The attribution components in chart order, with their colours.
pub const GREEKS: [(&str, RGBColor); PARTS] = [
    ("delta", RGBColor(31, 119, 180)),
    ("gamma", RGBColor(214, 39, 40)),
    ("vega", RGBColor(148, 103, 189)),
    ("theta", RGBColor(44, 160, 44)),
    ("vanna", RGBColor(255, 127, 14)),
    ("volga", RGBColor(23, 190, 207)),
    ("residual", RGBColor(127, 127, 127)),
    ("total", RGBColor(0, 0, 0)),
];

/// How many attribution components there are (with the residual and the total).
pub const PARTS: usize = 8;

/// A condor's life on the signals chart.
#[derive(Debug, Clone, PartialEq)]
pub struct CondorSpan {
    pub entry: NaiveDate,
    pub exit: NaiveDate,
    pub expiry: NaiveDate,
    pub short_put: f64,
    pub short_call: f64,
}

/// One hedge layer, day by day.
#[derive(Debug, Clone, PartialEq)]
pub struct HedgeLayerDays {
    pub name: String,
    pub contracts: Vec<f64>,
    pub value_usd: Vec<f64>,
}

/// What the charts of a run need, one value per date unless said otherwise.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunChartData {
    pub name: String,
    pub initial_usd: f64,
    pub dates: Vec<NaiveDate>,
    pub equity: Vec<f64>,
    pub spx: Vec<f64>,
    pub vix: Vec<f64>,
    /// NaN where unknown.
    pub term_ratio: Vec<f64>,
    pub long_liq: Vec<f64>,
    pub short_liq: Vec<f64>,
    /// Cascades detected that day.
    pub cascades: Vec<f64>,
    /// (group, daily delta, gamma, vega, theta, vanna, volga, residual, total).
    pub groups: Vec<(String, [Vec<f64>; PARTS])>,
    pub condors: Vec<CondorSpan>,
    /// Empty without a hedge.
    pub hedge_layers: Vec<HedgeLayerDays>,
    pub hedge_paid: Vec<f64>,
    pub hedge_recovered: Vec<f64>,
    /// What the rules read (`signals.csv`): each series or event by name, NaN where unknown.
    pub rule_series: Vec<(String, Vec<f64>)>,
}

fn series(cols: &[Vec<f64>; PARTS]) -> Vec<AttributionSeries<'_>> {
    GREEKS
        .iter()
        .zip(cols)
        .map(|((label, color), daily)| AttributionSeries { label, color: *color, daily })
        .collect()
}

/// Draw every chart of a run into `dir`; returns the files written. `log_equity` draws the equity
/// on a logarithmic scale.
pub fn draw_run_charts(dir: &Path, d: &RunChartData, log_equity: bool) -> Result<Vec<PathBuf>, ChartError> {
    let mut written = Vec::new();
    let mut out = |name: &str| {
        let p = dir.join(name);
        written.push(p.clone());
        p
    };
    equity_chart(&out("equity.png"), &d.name, &d.dates, &d.equity, d.initial_usd, log_equity)?;
    let n = d.dates.len();
    let book: [Vec<f64>; PARTS] =
        std::array::from_fn(|k| (0..n).map(|i| d.groups.iter().map(|g| g.1[k][i]).sum()).collect());
    let subject = if d.groups.len() > 1 { "the book (condors and hedge layers)" } else { "the condor book" };
    attribution_chart(&out("attribution.png"), &d.name, subject, &d.dates, &series(&book))?;
    let groups: Vec<(String, Vec<AttributionSeries<'_>>)> =
        d.groups.iter().map(|(name, cols)| (name.clone(), series(cols))).collect();
    group_attribution_chart(&out("attribution_groups.png"), &d.name, &d.dates, &groups)?;
    if !d.hedge_layers.is_empty() {
        hedge_chart(
            &out("hedge.png"),
            &d.name,
            &d.dates,
            &d.hedge_layers,
            &d.hedge_paid,
            &d.hedge_recovered,
        )?;
    }
    signals_chart(&out("signals.png"), d)?;
    monthly_returns_chart(&out("monthly_returns.png"), &d.name, &d.dates, &d.equity, d.initial_usd)?;
    Ok(written)
}
