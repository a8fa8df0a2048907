//! The calibration chart (`smile.png`): on a few quote dates, the market's implied volatility of
//! each quote against its moneyness (strike / underlying) beside the model's smile at the default
//! and at the fitted parameters, puts' and calls' wings together.

use super::{padded_range, render_atomic, side_legend, ChartError, PALETTE};
use plotters::prelude::*;
use std::path::Path;

/// One panel: a quote date and expiry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SmilePanel {
    pub title: String,
    /// (strike / underlying, market implied vol), unsorted.
    pub market: Vec<(f64, f64)>,
    /// (strike / underlying, model vol) at the defaults and fitted.
    pub model_default: Vec<(f64, f64)>,
    pub model_fitted: Vec<(f64, f64)>,
}

/// Draw up to four panels in a grid, with a shared legend column.
pub fn smile_chart(path: &Path, title: &str, panels: &[SmilePanel]) -> Result<(), ChartError> {
    if panels.is_empty() || panels.iter().any(|p| p.market.is_empty()) {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: "the smile chart needs at least one date with quotes".into(),
        });
    }
    let panels = &panels[..panels.len().min(4)];
    let (rows, cols) = if panels.len() > 2 { (2, 2) } else { (1, panels.len()) };
    let (default_color, fitted_color, market_color) = (RGBColor(150, 150, 150), PALETTE[0], PALETTE[3]);
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, title)?;
        let (plots, side) = root.split_horizontally(1340);
        for (area, p) in plots.split_evenly((rows, cols)).iter().zip(panels) {
            let all = p.market.iter().chain(&p.model_default).chain(&p.model_fitted);
            let xr = padded_range(all.clone().map(|q| q.0), 0.01).unwrap_or(0.8..1.2);
            let yr =
                padded_range(all.map(|q| 100.0 * q.1).filter(|v| v.is_finite()), 1.0).unwrap_or(0.0..50.0);
            let mut chart = ChartBuilder::on(area)
                .margin(14)
                .caption(&p.title, ("sans-serif", 22))
                .x_label_area_size(56)
                .y_label_area_size(80)
                .build_cartesian_2d(xr, yr)
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .x_desc("strike / underlying")
                .y_desc("implied vol (%)")
                .x_label_formatter(&|x| format!("{x:.2}"))
                .y_label_formatter(&|y| format!("{y:.0}"))
                .label_style(("sans-serif", 18))
                .axis_desc_style(("sans-serif", 20))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(|e| e.to_string())?;
            for (line, color) in [(&p.model_default, default_color), (&p.model_fitted, fitted_color)] {
                let mut points: Vec<(f64, f64)> =
                    line.iter().filter(|q| q.1.is_finite()).map(|q| (q.0, 100.0 * q.1)).collect();
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                chart
                    .draw_series(LineSeries::new(points, color.stroke_width(2)))
                    .map_err(|e| e.to_string())?;
            }
            let dots = p
                .market
                .iter()
                .filter(|q| q.1.is_finite())
                .map(|q| Circle::new((q.0, 100.0 * q.1), 3, market_color.filled()));
            chart.draw_series(dots).map_err(|e| e.to_string())?;
        }
        side_legend(
            &side,
            &[
                ("market (mid)".into(), market_color),
                ("model, defaults".into(), default_color),
                ("model, fitted".into(), fitted_color),
            ],
        )?;
        root.present().map_err(|e| e.to_string())
    })
}
