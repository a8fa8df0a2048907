//! P&L attribution charts: cumulative delta, gamma, vega, theta and residual P&L over time
//! (dollars) with their sum, so a trader sees what paid (theta) and what cost (gamma, vega) - for
//! the whole book, and one panel per position group (the condors; each hedge layer). 1600 x 1000
//! pixels; the legend sits in its own column on the right and never covers a line.

use super::{
    date_chart, need_dates, padded_range, render_atomic, side_legend, usd_short, ChartError, ValueAxis,
};
use chrono::NaiveDate;
use plotters::prelude::*;
use std::path::Path;

/// A series to draw cumulatively: (label, colour, daily values).
pub struct AttributionSeries<'a> {
    pub label: &'static str,
    pub color: RGBColor,
    pub daily: &'a [f64],
}

fn cumulative(daily: &[f64]) -> Vec<f64> {
    daily
        .iter()
        .scan(0.0, |acc, x| {
            *acc += x;
            Some(*acc)
        })
        .collect()
}

fn check(path: &Path, dates: &[NaiveDate], series: &[AttributionSeries<'_>]) -> Result<(), ChartError> {
    need_dates(path, dates, "an attribution chart")?;
    if let Some(s) = series.iter().find(|s| s.daily.len() != dates.len()) {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: format!("series {} has {} values for {} dates", s.label, s.daily.len(), dates.len()),
        });
    }
    Ok(())
}

/// One panel of cumulative series on `area`; returns the legend items.
fn panel(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    dates: &[NaiveDate],
    series: &[AttributionSeries<'_>],
    labels: usize,
) -> Result<Vec<(String, RGBColor)>, String> {
    let cums: Vec<Vec<f64>> = series.iter().map(|s| cumulative(s.daily)).collect();
    let range = padded_range(cums.iter().flatten().copied().chain([0.0]), 1.0).unwrap_or(-1.0..1.0);
    let fmt = |v: &f64| usd_short(*v);
    let y = ValueAxis { range, desc: "Cumulative P&L ($)", labels, format: &fmt };
    let mut chart = date_chart(area, (dates[0], dates[dates.len() - 1]), y)?;
    let mut legend = Vec::new();
    for (s, values) in series.iter().zip(&cums) {
        chart
            .draw_series(LineSeries::new(
                dates.iter().copied().zip(values.iter().copied()),
                s.color.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        legend.push((format!("{} {}", s.label, usd_short(*values.last().unwrap_or(&0.0))), s.color));
    }
    Ok(legend)
}

/// Draw the cumulative attribution of `series` over `dates` to `path`; `subject` names what is
/// attributed (e.g. "the book: condors and hedge layers").
pub fn attribution_chart(
    path: &Path,
    title: &str,
    subject: &str,
    dates: &[NaiveDate],
    series: &[AttributionSeries<'_>],
) -> Result<(), ChartError> {
    check(path, dates, series)?;
    let (d0, d1) = (dates[0], dates[dates.len() - 1]);
    let caption = format!("{title} — cumulative P&L attribution of {subject}, {d0} .. {d1}");
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, &caption)?;
        let (plot, side) = root.split_horizontally(1340);
        let legend = panel(&plot, dates, series, 10)?;
        side_legend(&side, &legend)?;
        root.present().map_err(|e| e.to_string())
    })
}

/// One panel per position group (name, its Greek series), two columns when there are more than
/// two groups, with one legend of the Greek colours; each panel's title carries its total.
pub fn group_attribution_chart(
    path: &Path,
    title: &str,
    dates: &[NaiveDate],
    groups: &[(String, Vec<AttributionSeries<'_>>)],
) -> Result<(), ChartError> {
    if groups.is_empty() {
        return Err(ChartError::NoData { path: path.to_path_buf(), reason: "no position groups".into() });
    }
    for (_, series) in groups {
        check(path, dates, series)?;
    }
    let (d0, d1) = (dates[0], dates[dates.len() - 1]);
    let caption = format!("{title} — cumulative P&L attribution by position group, {d0} .. {d1}");
    let cols = if groups.len() > 2 { 2 } else { 1 };
    let rows = groups.len().div_ceil(cols);
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, &caption)?;
        let (plot, side) = root.split_horizontally(1340);
        let mut legend = Vec::new();
        for (area, (name, series)) in plot.split_evenly((rows, cols)).iter().zip(groups) {
            let total: f64 = series.last().map_or(0.0, |s| s.daily.iter().sum());
            let area = area
                .titled(&format!("{name}: {}", usd_short(total)), ("sans-serif", 24))
                .map_err(|e| e.to_string())?;
            legend = panel(&area, dates, series, 5)?;
        }
        let names: Vec<(String, RGBColor)> =
            legend.into_iter().map(|(l, c)| (l.split(' ').next().unwrap_or("").to_string(), c)).collect();
        side_legend(&side, &names)?;
        root.present().map_err(|e| e.to_string())
    })
}
