//! Sweep charts (the sweep's metric heatmap over two parameters is [`super::heatmap_chart`]):
//! parameter sensitivity - the objective against each parameter's values, one panel per
//! parameter - and the top-N equity curves overlaid. 1600 x 1000 pixels.

use super::{
    category_label, date_chart, padded_range, plain, render_atomic, side_legend, usd_full, usd_short,
    ChartError, ValueAxis, PALETTE,
};
use chrono::NaiveDate;
use plotters::prelude::*;
use std::path::Path;

/// The objective against one parameter's values (the others fixed or best-of, as the caller says).
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityLine {
    pub param: String,
    /// The values on a numeric axis; with `labels`, the positions 0, 1, .. of the categories.
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Category names, one per `x` (empty: a numeric axis).
    pub labels: Vec<String>,
}

/// One equity curve to overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub label: String,
    pub dates: Vec<NaiveDate>,
    pub equity: Vec<f64>,
}

/// How a sweep metric reads (see `sweep::METRICS` and the metrics module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
enum MetricKind {
    /// Dollars (`*_usd`).
    Usd,
    /// A fraction shown as a percentage (returns, drawdown, rates, shares).
    Fraction,
    /// Already in percent (`*_pct*`).
    Percent,
    /// A count of trades or days.
    Count,
    /// A ratio (Sharpe, Sortino, Calmar, profit factor) or anything else.
    Ratio,
}

fn metric_kind(metric: &str) -> MetricKind {
    const FRACTIONS: [&str; 9] = [
        "total_return",
        "cagr",
        "ann_vol",
        "max_drawdown",
        "win_rate",
        "worst_day",
        "worst_month",
        "cvar_95",
        "time_in_market",
    ];
    if metric.ends_with("_usd") {
        MetricKind::Usd
    } else if FRACTIONS.contains(&metric) {
        MetricKind::Fraction
    } else if metric.contains("_pct") {
        MetricKind::Percent
    } else if metric == "trades" || metric.ends_with("_days") {
        MetricKind::Count
    } else {
        MetricKind::Ratio
    }
}

/// A metric's value as a heatmap cell shows it: `$100,383` (`$100k` when `compact`), `12.3%`,
/// `52`, `1.23`.
pub fn metric_text(metric: &str, v: f64, compact: bool) -> String {
    match metric_kind(metric) {
        MetricKind::Usd if compact => usd_short(v),
        MetricKind::Usd => usd_full(v),
        MetricKind::Fraction => format!("{:.1}%", 100.0 * v),
        MetricKind::Percent => format!("{v:.1}%"),
        MetricKind::Count => format!("{v:.0}"),
        MetricKind::Ratio if v.abs() >= 1000.0 => format!("{v:.0}"),
        MetricKind::Ratio => format!("{v:.2}"),
    }
}

/// A metric's axis tick: dollars, a percentage or the plain number (no rounding of the steps).
fn metric_tick(metric: &str, v: f64) -> String {
    match metric_kind(metric) {
        MetricKind::Usd => usd_full(v),
        MetricKind::Fraction => format!("{}%", plain(100.0 * v)),
        MetricKind::Percent => format!("{}%", plain(v)),
        MetricKind::Count | MetricKind::Ratio => plain(v),
    }
}

/// One panel per parameter: `metric` against the parameter's values.
pub fn sensitivity_chart(
    path: &Path,
    title: &str,
    metric: &str,
    lines: &[SensitivityLine],
) -> Result<(), ChartError> {
    let bad = lines.iter().find(|l| {
        l.x.is_empty() || l.x.len() != l.y.len() || !(l.labels.is_empty() || l.labels.len() == l.x.len())
    });
    if lines.is_empty() || bad.is_some() {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: "sensitivity needs at least one parameter with one metric value per parameter value"
                .into(),
        });
    }
    let cols = if lines.len() > 2 { 2 } else { 1 };
    let rows = lines.len().div_ceil(cols);
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, title)?;
        for (area, l) in root.split_evenly((rows, cols)).iter().zip(lines) {
            let categories = !l.labels.is_empty();
            let xr = if categories {
                -0.5..l.labels.len() as f64 - 0.5
            } else {
                padded_range(l.x.iter().copied(), 1e-9).unwrap_or(0.0..1.0)
            };
            let yr = padded_range(l.y.iter().copied(), 1e-9).unwrap_or(0.0..1.0);
            let mut chart = ChartBuilder::on(area)
                .margin(16)
                .caption(&l.param, ("sans-serif", 24))
                .x_label_area_size(64)
                .y_label_area_size(100)
                .build_cartesian_2d(xr, yr)
                .map_err(|e| e.to_string())?;
            let name = |i: usize| l.labels.get(i).cloned();
            let category = |x: &f64| category_label(*x, &name);
            let number = |x: &f64| plain(*x);
            let tick = |y: &f64| metric_tick(metric, *y);
            let mut mesh = chart.configure_mesh();
            if categories {
                mesh.disable_x_mesh().x_labels(l.labels.len()).x_label_formatter(&category);
            } else {
                mesh.x_label_formatter(&number);
            }
            mesh.y_label_formatter(&tick);
            mesh.x_desc(l.param.as_str())
                .y_desc(metric)
                .label_style(("sans-serif", 20))
                .axis_desc_style(("sans-serif", 22))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(|e| e.to_string())?;
            let color = PALETTE[0];
            let points: Vec<(f64, f64)> =
                l.x.iter().copied().zip(l.y.iter().copied()).filter(|(_, y)| y.is_finite()).collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(points.iter().map(|p| Circle::new(*p, 5, color.filled())))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())
    })
}

/// The given equity curves overlaid, with a legend column naming each.
pub fn top_equity_chart(path: &Path, title: &str, curves: &[Curve]) -> Result<(), ChartError> {
    if curves.is_empty() || curves.iter().any(|c| c.dates.len() < 2 || c.dates.len() != c.equity.len()) {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: "top-N equity needs at least one curve of 2 days or more".into(),
        });
    }
    let d0 = curves.iter().map(|c| c.dates[0]).min().expect("non-empty");
    let d1 = curves.iter().map(|c| c.dates[c.dates.len() - 1]).max().expect("non-empty");
    let range = padded_range(curves.iter().flat_map(|c| c.equity.iter().copied()), 1.0).unwrap_or(0.0..1.0);
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, title)?;
        let (plot, side) = root.split_horizontally(1240);
        let fmt = |v: &f64| usd_full(*v);
        let mut chart =
            date_chart(&plot, (d0, d1), ValueAxis { range, desc: "Equity ($)", labels: 8, format: &fmt })?;
        let mut legend = Vec::new();
        for (i, c) in curves.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    c.dates.iter().copied().zip(c.equity.iter().copied()),
                    color.stroke_width(1),
                ))
                .map_err(|e| e.to_string())?;
            legend.push((c.label.clone(), color));
        }
        side_legend(&side, &legend)?;
        root.present().map_err(|e| e.to_string())
    })
}

/// Walk-forward: the stitched out-of-sample equity with the test windows' starts marked (top),
/// and the objective in-sample vs out-of-sample per window (bottom).
pub fn walk_forward_chart(
    path: &Path,
    title: &str,
    equity: &[(NaiveDate, f64)],
    starts: &[NaiveDate],
    metric: &str,
    pairs: &[(f64, f64)],
) -> Result<(), ChartError> {
    if equity.len() < 2 || pairs.is_empty() {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: format!("walk-forward needs 2 out-of-sample days or more, found {}", equity.len()),
        });
    }
    let (d0, d1) = (equity[0].0, equity[equity.len() - 1].0);
    let range = padded_range(equity.iter().map(|e| e.1), 1.0).unwrap_or(0.0..1.0);
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, title)?;
        let (top, bottom) = root.split_vertically(560);
        let (plot, side) = top.split_horizontally(1340);
        let fmt = |v: &f64| usd_full(*v);
        let mut chart = date_chart(
            &plot,
            (d0, d1),
            ValueAxis { range: range.clone(), desc: "Equity ($)", labels: 6, format: &fmt },
        )?;
        let marker = RGBColor(230, 140, 40);
        for s in starts {
            chart
                .draw_series(LineSeries::new(
                    [(*s, range.start), (*s, range.end)],
                    marker.mix(0.8).stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
        let blue = PALETTE[0];
        chart
            .draw_series(LineSeries::new(equity.iter().copied(), blue.stroke_width(1)))
            .map_err(|e| e.to_string())?;
        side_legend(&side, &[("out-of-sample equity".into(), blue), ("test window start".into(), marker)])?;
        let (plot, side) = bottom.split_horizontally(1340);
        let values = pairs.iter().flat_map(|(a, b)| [*a, *b]).chain([0.0]);
        let yr = padded_range(values, 1e-9).unwrap_or(-1.0..1.0);
        let n = pairs.len() as f64;
        let mut chart = ChartBuilder::on(&plot)
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(130)
            .build_cartesian_2d(-0.5..n - 0.5, yr)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(pairs.len().min(20))
            .x_label_formatter(&|x| {
                category_label(*x, &|i| (i < pairs.len()).then(|| format!("window {}", i + 1)))
            })
            .y_desc(metric)
            .label_style(("sans-serif", 20))
            .axis_desc_style(("sans-serif", 22))
            .draw()
            .map_err(|e| e.to_string())?;
        let (is_color, oos_color) = (PALETTE[0], PALETTE[1]);
        for (i, (a, b)) in pairs.iter().enumerate() {
            let x = i as f64;
            for (v, dx, c) in [(*a, -0.38, is_color), (*b, 0.02, oos_color)] {
                if v.is_finite() {
                    chart
                        .draw_series([Rectangle::new([(x + dx, 0.0), (x + dx + 0.36, v)], c.filled())])
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        side_legend(
            &side,
            &[(format!("in-sample {metric}"), is_color), (format!("out-of-sample {metric}"), oos_color)],
        )?;
        root.present().map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_metric_reads_in_its_unit() {
        assert_eq!(metric_text("total_pnl_usd", 100_383.4, false), "$100,383");
        assert_eq!(metric_text("total_pnl_usd", -2_500.0, true), "-$2k");
        assert_eq!(metric_text("max_drawdown", 0.0917, false), "9.2%");
        assert_eq!(metric_text("hedge_cost_pct_of_credit", 12.34, false), "12.3%");
        assert_eq!(metric_text("trades", 52.0, false), "52");
        assert_eq!(metric_text("max_drawdown_days", 130.0, true), "130");
        assert_eq!(metric_text("sharpe", 1.234, false), "1.23");
        assert_eq!(metric_text("profit_factor", 12_345.6, false), "12346");
        assert_eq!(metric_tick("cagr", 0.025), "2.5%");
        assert_eq!(metric_tick("sortino", 0.125), "0.125");
        assert_eq!(metric_tick("final_equity_usd", 1e5), "$100,000");
    }
}
