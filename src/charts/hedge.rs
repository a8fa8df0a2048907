//! The hedge chart: VIX call contracts held by each layer (top), and below it the premium spent so
//! far, the value recovered so far, the value of the calls held, and the cumulative net hedge cost
//! (spent - recovered - held). 1600 x 1000 pixels, legends in their own column.

use super::run::HedgeLayerDays;
use super::PALETTE;
use super::{
    date_chart, need_dates, padded_range, render_atomic, side_legend, usd_short, ChartError, ValueAxis,
};
use chrono::NaiveDate;
use plotters::prelude::*;
use std::path::Path;

/// Draw the hedge chart; `paid` and `recovered` are cumulative USD per date.
pub fn hedge_chart(
    path: &Path,
    title: &str,
    dates: &[NaiveDate],
    layers: &[HedgeLayerDays],
    paid: &[f64],
    recovered: &[f64],
) -> Result<(), ChartError> {
    need_dates(path, dates, "the hedge chart")?;
    let n = dates.len();
    if layers.is_empty()
        || paid.len() != n
        || recovered.len() != n
        || layers.iter().any(|l| l.contracts.len() != n || l.value_usd.len() != n)
    {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: format!("the hedge chart needs at least one layer and one value per date ({n} dates)"),
        });
    }
    let held: Vec<f64> = (0..n).map(|i| layers.iter().map(|l| l.value_usd[i]).sum()).collect();
    let net: Vec<f64> = (0..n).map(|i| paid[i] - recovered[i] - held[i]).collect();
    let (d0, d1) = (dates[0], dates[n - 1]);
    let caption = format!("{title} — VIX-call hedge: layers held and cumulative cost, {d0} .. {d1}");
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, &caption)?;
        let (top, bottom) = root.split_vertically(420);
        let (top_plot, top_side) = top.split_horizontally(1340);
        let max_contracts = layers.iter().flat_map(|l| l.contracts.iter().copied()).fold(1.0f64, f64::max);
        let count = |v: &f64| format!("{v:.0}");
        let y =
            ValueAxis { range: 0.0..max_contracts * 1.1, desc: "Contracts held", labels: 5, format: &count };
        let mut chart = date_chart(&top_plot, (d0, d1), y)?;
        let mut legend = Vec::new();
        for (i, l) in layers.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            // Steps: a position is held from one close to the next.
            let steps = (0..n).flat_map(|j| {
                let prev = if j == 0 { l.contracts[0] } else { l.contracts[j - 1] };
                [(dates[j], prev), (dates[j], l.contracts[j])]
            });
            chart.draw_series(LineSeries::new(steps, color.stroke_width(2))).map_err(|e| e.to_string())?;
            legend.push((l.name.clone(), color));
        }
        side_legend(&top_side, &legend)?;
        let (plot, side) = bottom.split_horizontally(1340);
        let lines: [(&str, &[f64], RGBColor); 4] = [
            ("premium spent", paid, RGBColor(214, 39, 40)),
            ("value recovered", recovered, RGBColor(44, 160, 44)),
            ("value held", &held, RGBColor(31, 119, 180)),
            ("net cost", &net, RGBColor(0, 0, 0)),
        ];
        let range = padded_range(lines.iter().flat_map(|l| l.1.iter().copied()).chain([0.0]), 1.0)
            .unwrap_or(0.0..1.0);
        let fmt = |v: &f64| usd_short(*v);
        let mut chart =
            date_chart(&plot, (d0, d1), ValueAxis { range, desc: "USD", labels: 6, format: &fmt })?;
        let mut legend = Vec::new();
        for (label, values, color) in lines {
            chart
                .draw_series(LineSeries::new(
                    dates.iter().copied().zip(values.iter().copied()),
                    color.stroke_width(1),
                ))
                .map_err(|e| e.to_string())?;
            legend.push((format!("{label} {}", usd_short(values[n - 1])), color));
        }
        side_legend(&side, &legend)?;
        root.present().map_err(|e| e.to_string())
    })
}
