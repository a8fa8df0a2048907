//! PNG charts drawn with plotters on a headless machine: the font (DejaVu Sans, licence in
//! `assets/fonts/`) is embedded in the binary and registered once, so no system font is needed and
//! the same data gives the same pixels. Charts are rendered to a temporary file and renamed into
//! place (atomic, like every other result file).

mod attribution;
mod equity;
mod heatmap;
mod hedge;
mod run;
mod signals;
mod smile;
mod study;
mod sweep;

pub use attribution::{attribution_chart, group_attribution_chart, AttributionSeries};
pub use equity::equity_chart;
pub use heatmap::{heatmap_chart, monthly_returns, monthly_returns_chart, Heatmap};
pub use hedge::hedge_chart;
pub use run::{draw_run_charts, CondorSpan, HedgeLayerDays, RunChartData, GREEKS};
pub use signals::signals_chart;
pub use smile::{smile_chart, SmilePanel};
pub use study::{study_attribution_chart, study_paths_chart, AttributionBars, PathPanel};
pub use sweep::{
    metric_text, sensitivity_chart, top_equity_chart, walk_forward_chart, Curve, SensitivityLine,
};

use std::path::{Path, PathBuf};
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    #[error("{path}: nothing to draw: {reason}", path = .path.display())]
    NoData { path: PathBuf, reason: String },
    #[error("{path}: cannot draw: {message}", path = .path.display())]
    Draw { path: PathBuf, message: String },
}

/// A chart with dates across and values up, as every time-series chart here draws it.
pub(crate) type DateChart<'a, 'b> = plotters::chart::ChartContext<
    'a,
    plotters::prelude::BitMapBackend<'b>,
    plotters::coord::cartesian::Cartesian2d<
        plotters::coord::types::RangedDate<chrono::NaiveDate>,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// The value axis of a [`DateChart`].
pub(crate) struct ValueAxis<'f> {
    pub range: std::ops::Range<f64>,
    pub desc: &'f str,
    pub labels: usize,
    pub format: &'f dyn Fn(&f64) -> String,
}

/// Build a date chart on `area` with the house style: month labels, light grid, 22/24 px text.
pub(crate) fn date_chart<'a, 'b>(
    area: &'a plotters::prelude::DrawingArea<plotters::prelude::BitMapBackend<'b>, plotters::coord::Shift>,
    dates: (chrono::NaiveDate, chrono::NaiveDate),
    y: ValueAxis<'_>,
) -> Result<DateChart<'a, 'b>, String> {
    date_chart_sized(area, dates, y, 0)
}

/// [`date_chart`] with `right` pixels reserved for a secondary value axis.
pub(crate) fn date_chart_sized<'a, 'b>(
    area: &'a plotters::prelude::DrawingArea<plotters::prelude::BitMapBackend<'b>, plotters::coord::Shift>,
    dates: (chrono::NaiveDate, chrono::NaiveDate),
    y: ValueAxis<'_>,
    right: u32,
) -> Result<DateChart<'a, 'b>, String> {
    use plotters::prelude::*;
    let mut chart = ChartBuilder::on(area)
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(130)
        .right_y_label_area_size(right)
        .build_cartesian_2d(dates.0..dates.1, y.range)
        .map_err(|e| e.to_string())?;
    // Months on long ranges, days on short ones (so no two labels read the same).
    let date_format = if (dates.1 - dates.0).num_days() < 240 { "%Y-%m-%d" } else { "%Y-%m" };
    // One date label per ~130 pixels, so narrow panels do not overlap theirs.
    let x_labels = (area.dim_in_pixel().0 as usize / 130).clamp(2, 12);
    // A label centred on the value axis would run into it: the first tick goes unlabelled.
    let span_days = (dates.1 - dates.0).num_days().max(1);
    let label = |d: &chrono::NaiveDate| {
        if (*d - dates.0).num_days() * 33 < span_days {
            String::new()
        } else {
            d.format(date_format).to_string()
        }
    };
    chart
        .configure_mesh()
        .x_labels(x_labels)
        .x_label_formatter(&label)
        .y_labels(y.labels)
        .y_desc(y.desc)
        .y_label_formatter(y.format)
        .label_style(("sans-serif", 22))
        .axis_desc_style(("sans-serif", 24))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(chart)
}

/// Register the embedded font as "sans-serif" (idempotent).
pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and valid; a failure here would be a build defect.
        let _ = plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, FONT);
    });
}

/// Draw with `draw` into a temporary file beside `path`, then rename it over `path`.
pub(crate) fn render_atomic(
    path: &Path,
    draw: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), ChartError> {
    register_font();
    let err = |message: String| ChartError::Draw { path: path.to_path_buf(), message };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}.png", std::process::id()));
    let result = draw(&tmp).and_then(|()| std::fs::rename(&tmp, path).map_err(|e| e.to_string()));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// A drawing area of the bitmap backend.
pub(crate) type Area<'a> =
    plotters::prelude::DrawingArea<plotters::prelude::BitMapBackend<'a>, plotters::coord::Shift>;

/// Colours of series in order (the tab10 palette).
pub(crate) const PALETTE: [plotters::style::RGBColor; 10] = {
    use plotters::style::RGBColor;
    [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ]
};

/// The house canvas: 1600 x 1000, white, margins, `title` on top. Call `present()` on it (or on
/// any area split from it) when done.
pub(crate) fn canvas<'a>(tmp: &'a Path, title: &str) -> Result<Area<'a>, String> {
    canvas_sized(tmp, title, 1000)
}

/// A 1600-pixel-wide canvas `height` pixels high, titled.
pub(crate) fn canvas_sized<'a>(tmp: &'a Path, title: &str, height: u32) -> Result<Area<'a>, String> {
    use plotters::prelude::*;
    let root = BitMapBackend::new(tmp, (1600, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    root.margin(16, 16, 8, 16).titled(title, ("sans-serif", 30)).map_err(|e| e.to_string())
}

/// Dollars with thousands separators: `$100,000`, `-$1,234`.
pub(crate) fn usd_full(v: f64) -> String {
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if v < 0.0 && out != "0" { "-" } else { "" })
}

/// A tick value without trailing zeros: `30`, `0.15`, `-2.5` (to 6 decimals).
pub(crate) fn plain(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// Dollars scaled to a short label: `$12k`, `$150M`, `$1.2B`, `-$950`.
pub(crate) fn usd_short(v: f64) -> String {
    let (a, sign) = (v.abs(), if v < 0.0 && v.abs() >= 0.5 { "-" } else { "" });
    if a >= 1e9 {
        format!("{sign}${:.1}B", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}${:.0}M", a / 1e6)
    } else if a >= 1e3 {
        format!("{sign}${:.0}k", a / 1e3)
    } else {
        format!("{sign}${a:.0}")
    }
}

/// A legend in its own area beside the plot (so it never covers data): a coloured line and a
/// label per item, top to bottom.
pub(crate) fn side_legend(
    area: &plotters::prelude::DrawingArea<plotters::prelude::BitMapBackend<'_>, plotters::coord::Shift>,
    items: &[(String, plotters::style::RGBColor)],
) -> Result<(), String> {
    use plotters::prelude::*;
    let font = ("sans-serif", 21).into_font();
    let room = area.dim_in_pixel().0 as i32 - 58;
    let fits = |s: &str| {
        area.estimate_text_size(s, &TextStyle::from(font.clone())).map_or(true, |(w, _)| w as i32 <= room)
    };
    let mut y = 40;
    for (label, color) in items {
        area.draw(&PathElement::new(vec![(8, y), (40, y)], color.stroke_width(4)))
            .map_err(|e| e.to_string())?;
        let lines = wrap_label(label, fits);
        for (k, line) in lines.iter().enumerate() {
            area.draw(&Text::new(line.clone(), (50, y - 11 + 24 * k as i32), font.clone()))
                .map_err(|e| e.to_string())?;
        }
        y += 34 + 24 * (lines.len() as i32 - 1);
    }
    Ok(())
}

/// `label` in lines that `fits`, broken after ", " (a part too long for a line gets one alone).
fn wrap_label(label: &str, fits: impl Fn(&str) -> bool) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for part in label.split_inclusive(", ") {
        match lines.last_mut() {
            Some(line) if fits(&format!("{line}{part}")) => line.push_str(part),
            _ => lines.push(part.to_string()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The (min, max) of the finite values, padded by 5% (at least `min_pad`); `None` when there are none.
pub(crate) fn padded_range(values: impl Iterator<Item = f64>, min_pad: f64) -> Option<std::ops::Range<f64>> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
    if lo > hi {
        return None;
    }
    let pad = ((hi - lo) * 0.05).max(min_pad);
    Some((lo - pad)..(hi + pad))
}

/// The label of category `x` on a bar chart whose categories sit at 0, 1, .. (`""` between them).
pub(crate) fn category_label(x: f64, names: &dyn Fn(usize) -> Option<String>) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 {
        names(i as usize).unwrap_or_default()
    } else {
        String::new()
    }
}

/// A chart needs at least two dates.
pub(crate) fn need_dates(path: &Path, dates: &[chrono::NaiveDate], what: &str) -> Result<(), ChartError> {
    if dates.len() < 2 {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: format!("{what} needs at least 2 days, found {}", dates.len()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn plain_ticks_drop_trailing_zeros() {
        assert_eq!(plain(30.0), "30");
        assert_eq!(plain(0.15000000000000002), "0.15");
        assert_eq!(plain(-2.5), "-2.5");
        assert_eq!(plain(-0.0000001), "0");
    }

    #[test]
    fn legend_labels_wrap_after_commas() {
        let fits = |s: &str| s.len() <= 13;
        assert_eq!(wrap_label("#1 (35, 150, 0.3, none)", fits), vec!["#1 (35, 150, ", "0.3, none)"]);
        assert_eq!(wrap_label("short", fits), vec!["short"]);
        assert_eq!(wrap_label("a-very-long-part, b", fits), vec!["a-very-long-part, ", "b"]);
    }

    use super::*;

    #[test]
    fn money_formats() {
        assert_eq!(usd_full(100000.0), "$100,000");
        assert_eq!(usd_full(-1234.4), "-$1,234");
        assert_eq!(usd_full(-0.2), "$0");
        assert_eq!(usd_short(-12_400.0), "-$12k");
        assert_eq!(usd_short(950.0), "$950");
        assert_eq!(usd_short(150e6), "$150M");
        assert_eq!(usd_short(1.25e9), "$1.2B");
        assert_eq!(usd_short(-0.2), "$0");
    }

    #[test]
    fn ranges_skip_non_finite_values() {
        assert_eq!(padded_range([1.0, f64::NAN, 3.0].into_iter(), 0.0), Some(0.9..3.1));
        assert_eq!(padded_range([f64::NAN].into_iter(), 0.0), None);
    }
}
