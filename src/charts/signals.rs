//! The signals chart: SPX with every condor's short strikes shaded from entry to expiry (darker
//! while it was held); VIX; the term ratio (VIX/VIX3M or VX1/VX2); and the liquidation notional
//! that became known each day (all, and the long part, on a log scale) with the detected cascades
//! marked; then one panel per series or event the strategy's rules read (`signals.csv`; events
//! as markers on the sessions they happen; VIX itself has its panel), up to [`RULE_PANELS`]. 1600 x 1000 pixels, plus 150
//! per rule panel.

use super::run::{CondorSpan, RunChartData};
use super::{
    date_chart, need_dates, padded_range, render_atomic, side_legend, usd_short, ChartError, ValueAxis,
};
use chrono::{Days, NaiveDate};
use plotters::prelude::*;
use std::path::Path;

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

fn spx_panel(area: &Area<'_>, d: &RunChartData, condors: &[CondorSpan]) -> Result<(), String> {
    let (plot, side) = area.split_horizontally(1340);
    let strikes = condors.iter().flat_map(|c| [c.short_put, c.short_call]);
    let range = padded_range(d.spx.iter().copied().chain(strikes), 1.0).unwrap_or(0.0..1.0);
    let fmt = |v: &f64| format!("{v:.0}");
    let (d0, d1) = (d.dates[0], d.dates[d.dates.len() - 1]);
    let mut chart = date_chart(&plot, (d0, d1), ValueAxis { range, desc: "SPX", labels: 6, format: &fmt })?;
    let clip = |x: NaiveDate| x.clamp(d0, d1);
    let planned = RGBColor(255, 160, 60).mix(0.12).filled();
    let held = RGBColor(255, 140, 30).mix(0.30).filled();
    chart
        .draw_series(
            condors.iter().map(|c| {
                Rectangle::new([(clip(c.entry), c.short_put), (clip(c.expiry), c.short_call)], planned)
            }),
        )
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(
            condors
                .iter()
                .map(|c| Rectangle::new([(clip(c.entry), c.short_put), (clip(c.exit), c.short_call)], held)),
        )
        .map_err(|e| e.to_string())?;
    let spx_color = RGBColor(20, 20, 20);
    chart
        .draw_series(LineSeries::new(
            d.dates.iter().copied().zip(d.spx.iter().copied()),
            spx_color.stroke_width(1),
        ))
        .map_err(|e| e.to_string())?;
    side_legend(
        &side,
        &[
            ("SPX close".into(), spx_color),
            ("condor held".into(), RGBColor(255, 170, 90)),
            ("to its expiry".into(), RGBColor(255, 215, 170)),
        ],
    )
}

fn vix_panel(area: &Area<'_>, d: &RunChartData) -> Result<(), String> {
    let (plot, side) = area.split_horizontally(1340);
    let (d0, d1) = (d.dates[0], d.dates[d.dates.len() - 1]);
    let range = padded_range(d.vix.iter().copied(), 1.0).unwrap_or(0.0..1.0);
    let fmt = |v: &f64| format!("{v:.0}");
    let mut chart = date_chart(&plot, (d0, d1), ValueAxis { range, desc: "VIX", labels: 4, format: &fmt })?;
    let vix_color = RGBColor(148, 103, 189);
    chart
        .draw_series(LineSeries::new(
            d.dates.iter().copied().zip(d.vix.iter().copied()),
            vix_color.stroke_width(1),
        ))
        .map_err(|e| e.to_string())?;
    side_legend(&side, &[("VIX close".into(), vix_color)])
}

/// A line drawn in runs of known values: a gap where a value is NaN.
fn draw_gapped<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedDate<NaiveDate>, plotters::coord::types::RangedCoordf64>,
    >,
    dates: &[NaiveDate],
    values: &[f64],
    color: RGBColor,
) -> Result<(), String> {
    let mut run: Vec<(NaiveDate, f64)> = Vec::new();
    for (x, v) in dates.iter().zip(values).chain([(&dates[dates.len() - 1], &f64::NAN)]) {
        if v.is_finite() {
            run.push((*x, *v));
        } else if !run.is_empty() {
            chart
                .draw_series(LineSeries::new(std::mem::take(&mut run), color.stroke_width(1)))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn ratio_panel(area: &Area<'_>, d: &RunChartData) -> Result<(), String> {
    let (plot, side) = area.split_horizontally(1340);
    let (d0, d1) = (d.dates[0], d.dates[d.dates.len() - 1]);
    let range = padded_range(d.term_ratio.iter().copied().chain([1.0]), 0.02).unwrap_or(0.9..1.1);
    let fmt = |v: &f64| format!("{v:.2}");
    let mut chart =
        date_chart(&plot, (d0, d1), ValueAxis { range, desc: "Term ratio", labels: 4, format: &fmt })?;
    let (ratio_color, flat) = (RGBColor(44, 160, 44), RGBColor(150, 150, 150));
    chart
        .draw_series(LineSeries::new([(d0, 1.0), (d1, 1.0)], flat.stroke_width(1)))
        .map_err(|e| e.to_string())?;
    draw_gapped(&mut chart, &d.dates, &d.term_ratio, ratio_color)?;
    side_legend(
        &side,
        &[
            ("term ratio".into(), ratio_color),
            ("1.00 (above:".into(), flat),
            ("  backwardation)".into(), WHITE),
        ],
    )
}

fn liquidation_panel(area: &Area<'_>, d: &RunChartData) -> Result<(), String> {
    let (plot, side) = area.split_horizontally(1340);
    let (d0, d1) = (d.dates[0], d.dates[d.dates.len() - 1]);
    // Log scale (heavy tails): bar heights are log10 of the USD notional.
    let total: Vec<f64> = d.long_liq.iter().zip(&d.short_liq).map(|(l, s)| l + s).collect();
    let positive = total.iter().chain(&d.long_liq).copied().filter(|v| *v > 0.0);
    let (lo, hi) = positive.fold((f64::INFINITY, 0.0f64), |(l, h), v| (l.min(v), h.max(v)));
    // Only drawn when there are liquidations (see `has_liquidations`).
    let (floor, top) = (lo.log10().floor(), hi.log10().ceil() + 0.3);
    let fmt = |v: &f64| usd_short(10f64.powf(*v));
    let desc = "Liquidations ($, log)";
    let labels = ((top - floor) as usize + 1).clamp(2, 8);
    let mut chart = date_chart(&plot, (d0, d1), ValueAxis { range: floor..top, desc, labels, format: &fmt })?;
    let (all_color, long_color, cascade_color) =
        (RGBColor(170, 170, 170), RGBColor(214, 39, 40), RGBColor(0, 0, 0));
    let next = |x: NaiveDate| x.checked_add_days(Days::new(1)).unwrap_or(x);
    for (values, color) in [(&total, all_color), (&d.long_liq, long_color)] {
        chart
            .draw_series(d.dates.iter().zip(values.iter()).filter(|(_, v)| **v > 0.0).map(|(x, v)| {
                Rectangle::new([(*x, floor), (next(*x), v.log10().max(floor))], color.filled())
            }))
            .map_err(|e| e.to_string())?;
    }
    chart
        .draw_series(
            d.dates
                .iter()
                .zip(&d.cascades)
                .filter(|(_, c)| **c > 0.0)
                .map(|(x, _)| TriangleMarker::new((*x, top - 0.15), 9, cascade_color.filled())),
        )
        .map_err(|e| e.to_string())?;
    let n = d.cascades.iter().filter(|c| **c > 0.0).count();
    side_legend(
        &side,
        &[
            ("all liquidated".into(), all_color),
            ("long liquidated".into(), long_color),
            (format!("cascade ({n} days)"), cascade_color),
        ],
    )
}

/// The most rule panels drawn (the rest are named in the caption).
pub const RULE_PANELS: usize = 6;

/// An event column (crosses, divergences) holds 1 on the sessions it happens, else 0.
fn is_event(name: &str) -> bool {
    name.starts_with("crosses_") || name.starts_with("macd_divergence")
}

fn rule_panel(area: &Area<'_>, d: &RunChartData, name: &str, values: &[f64]) -> Result<(), String> {
    let (plot, side) = area.split_horizontally(1340);
    let (d0, d1) = (d.dates[0], d.dates[d.dates.len() - 1]);
    let color = RGBColor(31, 119, 180);
    if is_event(name) {
        let fmt = |_: &f64| String::new();
        let axis = ValueAxis { range: 0.0..1.0, desc: "", labels: 2, format: &fmt };
        let mut chart = date_chart(&plot, (d0, d1), axis)?;
        let hits: Vec<NaiveDate> =
            d.dates.iter().zip(values).filter(|(_, v)| **v == 1.0).map(|(x, _)| *x).collect();
        chart
            .draw_series(hits.iter().map(|x| TriangleMarker::new((*x, 0.5), 8, color.filled())))
            .map_err(|e| e.to_string())?;
        return side_legend(&side, &[(name.to_string(), color), (format!("{} sessions", hits.len()), WHITE)]);
    }
    let range = padded_range(values.iter().copied().filter(|v| v.is_finite()), 0.05).unwrap_or(0.0..1.0);
    let span = range.end - range.start;
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else if span >= 0.2 {
        2
    } else {
        4
    };
    let fmt = |v: &f64| format!("{v:.decimals$}");
    let mut chart = date_chart(&plot, (d0, d1), ValueAxis { range, desc: "", labels: 4, format: &fmt })?;
    draw_gapped(&mut chart, &d.dates, values, color)?;
    side_legend(&side, &[(name.to_string(), color)])
}

/// Which of the optional panels the chart draws: a panel whose series has no value in the window
/// (no VIX3M or VX curve for the term ratio; no liquidation data) is left out, not drawn empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Panels {
    ratio: bool,
    liquidations: bool,
}

impl Panels {
    fn of(d: &RunChartData) -> Panels {
        Panels {
            ratio: d.term_ratio.iter().any(|r| r.is_finite()),
            liquidations: d.long_liq.iter().chain(&d.short_liq).any(|v| *v > 0.0),
        }
    }
}

/// Draw the signals chart for a run.
pub fn signals_chart(path: &Path, d: &RunChartData) -> Result<(), ChartError> {
    need_dates(path, &d.dates, "the signals chart")?;
    let n = d.dates.len();
    if [d.spx.len(), d.vix.len(), d.term_ratio.len(), d.long_liq.len(), d.short_liq.len(), d.cascades.len()]
        .iter()
        .any(|l| *l != n)
    {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: format!("the signals chart needs one value per date ({n} dates) in every series"),
        });
    }
    let Panels { ratio: has_ratio, liquidations: has_liq } = Panels::of(d);
    let caption = format!(
        "{} — SPX and condor strikes, VIX{}{}, {} .. {}",
        d.name,
        if has_ratio { " and term ratio" } else { "" },
        if has_liq { ", liquidations" } else { "" },
        d.dates[0],
        d.dates[n - 1]
    );
    // VIX has its own panel above.
    let rule_series: Vec<&(String, Vec<f64>)> = d.rule_series.iter().filter(|(n, _)| n != "vix").collect();
    let rules = &rule_series[..rule_series.len().min(RULE_PANELS)];
    let caption = match rule_series.len().saturating_sub(RULE_PANELS) {
        0 => caption,
        more => format!("{caption} ({more} more rule series in signals.csv)"),
    };
    render_atomic(path, |tmp| {
        let canvas = super::canvas_sized(tmp, &caption, 1000 + 150 * rules.len() as u32)?;
        let (_, height) = canvas.dim_in_pixel();
        let (root, rule_area) = canvas.split_vertically(height - 150 * rules.len() as u32);
        for (area, (name, values)) in
            rule_area.split_evenly((rules.len().max(1), 1)).iter().zip(rules.iter().copied())
        {
            rule_panel(area, d, name, values)?;
        }
        let (spx, rest) = root.split_vertically(380);
        spx_panel(&spx, d, &d.condors)?;
        if has_ratio && has_liq {
            let (vix, rest) = rest.split_vertically(190);
            let (ratio, liq) = rest.split_vertically(160);
            vix_panel(&vix, d)?;
            ratio_panel(&ratio, d)?;
            liquidation_panel(&liq, d)?;
        } else {
            let (_, height) = rest.dim_in_pixel();
            let (vix, other) = rest.split_vertically(if has_ratio || has_liq { height / 2 } else { height });
            vix_panel(&vix, d)?;
            if has_ratio {
                ratio_panel(&other, d)?;
            } else if has_liq {
                liquidation_panel(&other, d)?;
            }
        }
        root.present().map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_without_data_are_left_out() {
        let mut d = RunChartData {
            term_ratio: vec![f64::NAN, f64::NAN],
            long_liq: vec![0.0, 0.0],
            short_liq: vec![0.0, 0.0],
            ..RunChartData::default()
        };
        assert_eq!(Panels::of(&d), Panels { ratio: false, liquidations: false });
        d.term_ratio[1] = 0.93;
        d.short_liq[0] = 1e6;
        assert_eq!(Panels::of(&d), Panels { ratio: true, liquidations: true });
    }
}
