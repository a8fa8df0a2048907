//! The equity chart: equity in dollars over time (top; linear, or logarithmic for long curves)
//! with the drawdown from the running peak in percent below it, titled with the strategy and its
//! date range; 1600 x 1000 pixels. Lines are
//! 1 px: plotters draws thicker lines with gaps on near-vertical segments (large one-day moves).

use super::{date_chart, render_atomic, usd_full, ChartError, ValueAxis};
use chrono::NaiveDate;
use plotters::prelude::*;
use std::path::Path;

/// Draw `equity` (one value per date, after `initial` before the first date) to `path`; `log`
/// draws the equity on a logarithmic scale (every value must then be positive).
pub fn equity_chart(
    path: &Path,
    title: &str,
    dates: &[NaiveDate],
    equity: &[f64],
    initial: f64,
    log: bool,
) -> Result<(), ChartError> {
    if dates.len() < 2 || dates.len() != equity.len() {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: format!(
                "{} dates and {} equity values (need at least 2 of each, equal counts)",
                dates.len(),
                equity.len()
            ),
        });
    }
    let mut peak = initial;
    let drawdown: Vec<f64> = equity
        .iter()
        .map(|e| {
            peak = peak.max(*e);
            if peak > 0.0 {
                -100.0 * (peak - e) / peak
            } else {
                0.0
            }
        })
        .collect();
    if log && !(initial > 0.0 && equity.iter().all(|e| *e > 0.0)) {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: "a logarithmic equity scale needs equity above 0 on every day".into(),
        });
    }
    // On a log scale the chart plots log10(equity) and labels the ticks in dollars.
    let shown: Vec<f64> = equity.iter().map(|e| if log { e.log10() } else { *e }).collect();
    let start = if log { initial.log10() } else { initial };
    let (lo, hi) = shown.iter().fold((start, start), |(l, h), e| (l.min(*e), h.max(*e)));
    let pad = ((hi - lo) * 0.05).max(if log { 0.001 } else { 1.0 });
    let dd_min = drawdown.iter().copied().fold(0.0f64, f64::min).min(-1.0) * 1.1;
    let (d0, d1) = (dates[0], dates[dates.len() - 1]);
    let scale = if log { " (log scale)" } else { "" };
    let caption = format!("{title} — equity{scale} and drawdown, {d0} .. {d1}");
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, &caption)?;
        let (top, bottom) = root.split_vertically(640);
        let fmt = |v: &f64| usd_full(if log { 10f64.powf(*v) } else { *v });
        let y = ValueAxis { range: (lo - pad)..(hi + pad), desc: "Equity ($)", labels: 8, format: &fmt };
        let mut chart = date_chart(&top, (d0, d1), y)?;
        chart
            .draw_series(LineSeries::new(
                dates.iter().copied().zip(shown.iter().copied()),
                RGBColor(31, 90, 170).stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        // Shallow drawdowns need decimals for their ticks to differ (and "-0%" is not a label).
        let decimals = if dd_min > -5.0 { 1 } else { 0 };
        let pct = |v: &f64| {
            let v = if v.abs() < 0.5 * 10f64.powi(-decimals) { 0.0 } else { *v };
            format!("{v:.*}%", decimals as usize)
        };
        let mut dd = date_chart(
            &bottom,
            (d0, d1),
            ValueAxis { range: dd_min..0.0, desc: "Drawdown (%)", labels: 5, format: &pct },
        )?;
        dd.draw_series(
            AreaSeries::new(
                dates.iter().copied().zip(drawdown.iter().copied()),
                0.0,
                RGBColor(200, 60, 50).mix(0.35),
            )
            .border_style(RGBColor(200, 60, 50)),
        )
        .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_little_data_is_a_clear_error() {
        let d = [NaiveDate::from_ymd_opt(2024, 1, 2).unwrap()];
        let e = equity_chart(Path::new("/tmp/never.png"), "x", &d, &[1.0], 1.0, false).unwrap_err();
        assert!(e.to_string().contains("nothing to draw: 1 dates"), "{e}");
        let d2 = [d[0], d[0].succ_opt().unwrap()];
        let e = equity_chart(Path::new("/tmp/never.png"), "x", &d2, &[1.0, -1.0], 1.0, true).unwrap_err();
        assert!(e.to_string().contains("logarithmic equity scale needs equity above 0"), "{e}");
    }
}
