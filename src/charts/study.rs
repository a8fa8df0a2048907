//! Event-study charts: the mean path of each measure after the events with its 95% bootstrap
//! band beside the unconditional baseline, and the per-session Greek attribution of each book
//! inside the event windows against all other sessions.

use super::{category_label, padded_range, render_atomic, side_legend, usd_short, ChartError, PALETTE};
use plotters::prelude::*;
use std::path::Path;

/// One panel of the path chart: a measure's event mean, band and baseline by horizon (1..=H).
#[derive(Debug, Clone)]
pub struct PathPanel {
    pub title: String,
    /// Per horizon: (event mean, band low, band high, baseline mean); `None` where undefined.
    pub points: Vec<Option<(f64, f64, f64, f64)>>,
    pub percent: bool,
    /// What the panel says when no horizon has a value.
    pub why_empty: String,
}

fn fmt_value(v: f64, percent: bool) -> String {
    if percent {
        format!("{:.1}%", 100.0 * v)
    } else {
        format!("{v:.2}")
    }
}

fn draw_panel(area: &super::Area<'_>, p: &PathPanel) -> Result<(), String> {
    if p.points.iter().all(Option::is_none) {
        let h = area.dim_in_pixel().1 as i32;
        let text = format!("{}: no data ({})", p.title, p.why_empty);
        let style = ("sans-serif", 22).into_font().color(&RGBColor(110, 110, 110));
        return area.draw(&Text::new(text, (40, h / 2), style)).map_err(|e| e.to_string());
    }
    let h = p.points.len() as f64;
    let values = p.points.iter().flatten().flat_map(|&(m, lo, hi, b)| [m, lo, hi, b]).chain([0.0]);
    let yr = padded_range(values, 1e-6).unwrap_or(-1.0..1.0);
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(90)
        .build_cartesian_2d(0.5..h + 0.5, yr)
        .map_err(|e| e.to_string())?;
    let percent = p.percent;
    chart
        .configure_mesh()
        .x_desc("sessions after the event")
        .x_labels(p.points.len().min(12))
        .x_label_formatter(&|x| format!("{:.0}", x))
        .y_label_formatter(&|y| fmt_value(*y, percent))
        .label_style(("sans-serif", 18))
        .axis_desc_style(("sans-serif", 20))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| e.to_string())?;
    let pts: Vec<(f64, (f64, f64, f64, f64))> =
        p.points.iter().enumerate().filter_map(|(i, x)| x.map(|v| (i as f64 + 1.0, v))).collect();
    let band: Vec<(f64, f64)> =
        pts.iter().map(|(x, v)| (*x, v.2)).chain(pts.iter().rev().map(|(x, v)| (*x, v.1))).collect();
    chart.draw_series(std::iter::once(Polygon::new(band, PALETTE[0].mix(0.2)))).map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new(
            pts.iter().map(|(x, v)| (*x, v.3)),
            RGBColor(110, 110, 110).stroke_width(3),
        ))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new(pts.iter().map(|(x, v)| (*x, v.0)), PALETTE[0].stroke_width(3)))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new([(0.5, 0.0), (h + 0.5, 0.0)], BLACK.mix(0.4).stroke_width(1)))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Four panels (2 x 2) of mean paths with bands and baselines, and the legend.
pub fn study_paths_chart(path: &Path, title: &str, panels: &[PathPanel]) -> Result<(), ChartError> {
    if panels.iter().all(|p| p.points.iter().all(Option::is_none)) {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: "no event has a measure defined".into(),
        });
    }
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, title)?;
        let (plots, side) = root.split_horizontally(1300);
        for (area, p) in plots.split_evenly((2, 2)).iter().zip(panels) {
            draw_panel(area, p)?;
        }
        side_legend(
            &side,
            &[
                ("event mean".into(), PALETTE[0]),
                ("95% bootstrap band".into(), RGBColor(180, 205, 225)),
                ("baseline: all sessions".into(), RGBColor(110, 110, 110)),
            ],
        )?;
        root.present().map_err(|e| e.to_string())
    })
}

/// One book's per-session average P&L by component, in the windows and outside them.
#[derive(Debug, Clone)]
pub struct AttributionBars {
    pub group: String,
    /// [delta + gamma, vega, theta, vanna, volga, residual] per session (USD).
    pub inside: [f64; 6],
    pub outside: [f64; 6],
}

const COMPONENTS: [&str; 6] = ["delta + gamma", "vega", "theta", "vanna", "volga", "residual"];

/// Each component's colour: the run charts' colour of its Greek (delta's for delta + gamma).
fn component_colors() -> [RGBColor; 6] {
    let of = |name: &str| super::run::GREEKS.iter().find(|g| g.0 == name).map_or(BLACK, |g| g.1);
    ["delta", "vega", "theta", "vanna", "volga", "residual"].map(of)
}

/// Grouped bars: for each book, the components inside the windows (solid) and outside (pale).
pub fn study_attribution_chart(
    path: &Path,
    title: &str,
    books: &[AttributionBars],
) -> Result<(), ChartError> {
    if books.is_empty() {
        return Err(ChartError::NoData { path: path.to_path_buf(), reason: "no book".into() });
    }
    let values = books.iter().flat_map(|b| b.inside.iter().chain(&b.outside).copied()).chain([0.0]);
    let yr = padded_range(values, 1.0).unwrap_or(-1.0..1.0);
    let n = books.len() as f64;
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, title)?;
        let (plot, side) = root.split_horizontally(1300);
        let mut chart = ChartBuilder::on(&plot)
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(110)
            .build_cartesian_2d(-0.5..n - 0.5, yr)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(books.len())
            .x_label_formatter(&|x| category_label(*x, &|i| books.get(i).map(|b| b.group.clone())))
            .y_desc("average P&L per session ($)")
            .y_label_formatter(&|v| usd_short(*v))
            .label_style(("sans-serif", 21))
            .axis_desc_style(("sans-serif", 22))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| e.to_string())?;
        let width = 0.8 / (2 * COMPONENTS.len()) as f64;
        for (g, b) in books.iter().enumerate() {
            for (c, color) in component_colors().iter().enumerate() {
                for (k, (v, alpha)) in [(b.inside[c], 1.0), (b.outside[c], 0.35)].into_iter().enumerate() {
                    let x0 = g as f64 - 0.4 + (2 * c + k) as f64 * width;
                    let rect = Rectangle::new([(x0, 0.0), (x0 + width * 0.9, v)], color.mix(alpha).filled());
                    chart.draw_series(std::iter::once(rect)).map_err(|e| e.to_string())?;
                }
            }
        }
        chart
            .draw_series(LineSeries::new([(-0.5, 0.0), (n - 0.5, 0.0)], BLACK.stroke_width(1)))
            .map_err(|e| e.to_string())?;
        let mut legend: Vec<(String, RGBColor)> =
            COMPONENTS.iter().zip(component_colors()).map(|(c, p)| (c.to_string(), p)).collect();
        legend.push(("solid: event windows".into(), RGBColor(60, 60, 60)));
        legend.push(("pale: all other sessions".into(), RGBColor(190, 190, 190)));
        side_legend(&side, &legend)?;
        root.present().map_err(|e| e.to_string())
    })
}
