//! The P&L attribution chart: cumulative delta, gamma, vega, theta and residual P&L of the condor
//! book over time (dollars), with their sum, so a trader sees what paid (theta) and what cost
//! (gamma, vega). 1600 x 1000 pixels; the legend sits in the upper-left corner on a white box.

use super::{date_chart, render_atomic, ChartError, ValueAxis};
use chrono::NaiveDate;
use plotters::prelude::*;
use std::path::Path;

/// Cumulative series to draw: (label, colour, daily values).
pub struct AttributionSeries<'a> {
    pub label: &'static str,
    pub color: RGBColor,
    pub daily: &'a [f64],
}

fn thousands(v: f64) -> String {
    let k = v / 1000.0;
    if k.abs() >= 1.0 {
        format!("{}${:.0}k", if k < 0.0 { "-" } else { "" }, k.abs())
    } else {
        format!("{}${:.0}", if v < 0.0 { "-" } else { "" }, v.abs())
    }
}

/// Draw the cumulative attribution of `series` over `dates` to `path`.
pub fn attribution_chart(
    path: &Path,
    title: &str,
    dates: &[NaiveDate],
    series: &[AttributionSeries<'_>],
) -> Result<(), ChartError> {
    if dates.len() < 2 || series.iter().any(|s| s.daily.len() != dates.len()) {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: format!("{} dates (need at least 2, one value per date per series)", dates.len()),
        });
    }
    let cumulative: Vec<Vec<f64>> = series
        .iter()
        .map(|s| {
            s.daily
                .iter()
                .scan(0.0, |acc, x| {
                    *acc += x;
                    Some(*acc)
                })
                .collect()
        })
        .collect();
    let (lo, hi) = cumulative.iter().flatten().fold((0.0f64, 0.0f64), |(l, h), v| (l.min(*v), h.max(*v)));
    let pad = ((hi - lo) * 0.05).max(1.0);
    let (d0, d1) = (dates[0], dates[dates.len() - 1]);
    let caption = format!("{title} — cumulative P&L attribution of the condor book, {d0} .. {d1}");
    render_atomic(path, |tmp| {
        let root = BitMapBackend::new(tmp, (1600, 1000)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root =
            root.margin(16, 8, 8, 16).titled(&caption, ("sans-serif", 30)).map_err(|e| e.to_string())?;
        let fmt = |v: &f64| thousands(*v);
        let y =
            ValueAxis { range: (lo - pad)..(hi + pad), desc: "Cumulative P&L ($)", labels: 10, format: &fmt };
        let mut chart = date_chart(&root, (d0, d1), y)?;
        for (s, values) in series.iter().zip(&cumulative) {
            let color = s.color;
            chart
                .draw_series(LineSeries::new(
                    dates.iter().copied().zip(values.iter().copied()),
                    color.stroke_width(1),
                ))
                .map_err(|e| e.to_string())?
                .label(format!("{} ({})", s.label, thousands(*values.last().unwrap_or(&0.0))))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 22))
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })
}
