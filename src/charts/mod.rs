//! PNG charts drawn with plotters on a headless machine: the font (DejaVu Sans, licence in
//! `assets/fonts/`) is embedded in the binary and registered once, so no system font is needed and
//! the same data gives the same pixels. Charts are rendered to a temporary file and renamed into
//! place (atomic, like every other result file).

mod attribution;
mod equity;

pub use attribution::{attribution_chart, AttributionSeries};
pub use equity::equity_chart;

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
    use plotters::prelude::*;
    let mut chart = ChartBuilder::on(area)
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(130)
        .build_cartesian_2d(dates.0..dates.1, y.range)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_labels(12)
        .x_label_formatter(&|d| d.format("%Y-%m").to_string())
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
