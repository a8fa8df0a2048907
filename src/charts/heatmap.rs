//! Heatmaps: a grid of cells coloured by value, each annotated with its value - the monthly returns
//! of a run (year x month, with the year's return in the last column) and, for sweeps, a metric
//! over two parameters. Diverging colours (red below the centre, green above) when a centre is
//! given, else the viridis scale; empty cells (NaN) stay grey.

use super::{render_atomic, ChartError};
use chrono::{Datelike, NaiveDate};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// A grid to draw: `values[row][col]`, rows bottom-up labelled by `y_labels`.
pub struct Heatmap<'a> {
    pub title: String,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub x_labels: Vec<String>,
    pub y_labels: Vec<String>,
    pub values: Vec<Vec<f64>>,
    /// Cell text.
    pub format: &'a dyn Fn(f64) -> String,
    /// Diverging around this value, or viridis when `None`.
    pub center: Option<f64>,
    /// Viridis reversed: the lowest values brightest (a minimised objective's best cells).
    pub bright_low: bool,
}

/// Monthly returns (fractions) from daily equity, `initial` being the equity before the first
/// date: years ascending, each with 12 months (NaN where the run has no day) and the year's return.
pub fn monthly_returns(dates: &[NaiveDate], equity: &[f64], initial: f64) -> Vec<(i32, [f64; 13])> {
    let mut out: Vec<(i32, [f64; 13])> = Vec::new();
    let (mut month_start, mut year_start) = (initial, initial);
    for (i, (d, e)) in dates.iter().zip(equity).enumerate() {
        let last_of_month = dates.get(i + 1).is_none_or(|n| (n.year(), n.month()) != (d.year(), d.month()));
        if out.last().is_none_or(|(y, _)| *y != d.year()) {
            out.push((d.year(), [f64::NAN; 13]));
        }
        if last_of_month {
            let row = &mut out.last_mut().expect("pushed above").1;
            row[d.month0() as usize] = e / month_start - 1.0;
            month_start = *e;
            if dates.get(i + 1).is_none_or(|n| n.year() != d.year()) {
                row[12] = e / year_start - 1.0;
                year_start = *e;
            }
        }
    }
    out
}

fn color(v: f64, lo: f64, hi: f64, h: &Heatmap<'_>) -> RGBColor {
    use plotters::style::colors::colormaps::{ColorMap, ViridisRGB};
    if !v.is_finite() {
        return RGBColor(225, 225, 225);
    }
    match h.center {
        Some(c) => {
            let span = (hi - c).abs().max((c - lo).abs()).max(1e-12);
            let t = ((v - c) / span).clamp(-1.0, 1.0);
            let fade = |full: u8| (255.0 - (255.0 - f64::from(full)) * t.abs()).round() as u8;
            if t >= 0.0 {
                RGBColor(fade(26), fade(150), fade(65))
            } else {
                RGBColor(fade(215), fade(48), fade(39))
            }
        }
        None if h.bright_low => ViridisRGB.get_color_normalized(hi - (v - lo), lo, hi.max(lo + 1e-12)),
        None => ViridisRGB.get_color_normalized(v, lo, hi.max(lo + 1e-12)),
    }
}

/// Draw a heatmap (1600 x 1000).
pub fn heatmap_chart(path: &Path, h: &Heatmap<'_>) -> Result<(), ChartError> {
    let (ny, nx) = (h.values.len(), h.values.first().map_or(0, Vec::len));
    if nx == 0
        || ny == 0
        || h.values.iter().any(|r| r.len() != nx)
        || h.x_labels.len() != nx
        || h.y_labels.len() != ny
    {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: format!("a heatmap needs a full grid with labels, found {ny} rows x {nx} columns"),
        });
    }
    let finite = h.values.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, x), v| (l.min(v), x.max(v)));
    if lo > hi {
        return Err(ChartError::NoData {
            path: path.to_path_buf(),
            reason: "every cell of the heatmap is empty".into(),
        });
    }
    render_atomic(path, |tmp| {
        let root = super::canvas(tmp, &h.title)?;
        // Cells too small for their numbers show colour only, read with the colour bar.
        let labelled = nx <= 16 && ny <= 24;
        let (root, bar) = root.split_horizontally(if labelled { 1568 } else { 1420 });
        if !labelled {
            colour_bar(&bar, lo, hi, h)?;
        }
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(60)
            .y_label_area_size(120)
            .build_cartesian_2d((0..nx as i32 - 1).into_segmented(), (0..ny as i32 - 1).into_segmented())
            .map_err(|e| e.to_string())?;
        // At most ~25 labels an axis: every k-th one on dense grids.
        let label = |labels: &[String], v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) if (*i as usize).is_multiple_of(labels.len().div_ceil(25)) => {
                labels.get(*i as usize).cloned().unwrap_or_default()
            }
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx)
            .y_labels(ny)
            .x_label_formatter(&|v| label(&h.x_labels, v))
            .y_label_formatter(&|v| label(&h.y_labels, v))
            .x_desc(h.x_desc)
            .y_desc(h.y_desc)
            .label_style(("sans-serif", 22))
            .axis_desc_style(("sans-serif", 24))
            .draw()
            .map_err(|e| e.to_string())?;
        let cells = (0..ny).flat_map(|r| (0..nx).map(move |c| (r, c)));
        chart
            .draw_series(cells.clone().map(|(r, c)| {
                let (x, y) = (c as i32, r as i32);
                let fill = color(h.values[r][c], lo, hi, h);
                Rectangle::new(
                    [
                        (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                    ],
                    fill.filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        let size = if nx * ny > 150 { 16 } else { 20 };
        chart
            .draw_series(cells.filter(|(r, c)| labelled && h.values[*r][*c].is_finite()).map(|(r, c)| {
                // White text on dark cells, black on light ones.
                let RGBColor(cr, cg, cb) = color(h.values[r][c], lo, hi, h);
                let luminance = 0.299 * f64::from(cr) + 0.587 * f64::from(cg) + 0.114 * f64::from(cb);
                let ink: &'static RGBColor = if luminance < 110.0 { &WHITE } else { &BLACK };
                let style = TextStyle::from(("sans-serif", size).into_font())
                    .color(ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                Text::new(
                    (h.format)(h.values[r][c]),
                    (SegmentValue::CenterOf(c as i32), SegmentValue::CenterOf(r as i32)),
                    style,
                )
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })
}

/// A vertical colour scale from `lo` (bottom) to `hi` (top) with three labels.
fn colour_bar(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    lo: f64,
    hi: f64,
    h: &Heatmap<'_>,
) -> Result<(), String> {
    let (top, bottom, x0, x1) = (80i32, 900i32, 10i32, 40i32);
    let steps = 200;
    for i in 0..steps {
        let v = lo + (hi - lo) * f64::from(i) / f64::from(steps - 1);
        let y1 = bottom - (bottom - top) * i / steps;
        let y0 = bottom - (bottom - top) * (i + 1) / steps;
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], color(v, lo, hi, h).filled()))
            .map_err(|e| e.to_string())?;
    }
    for (v, y) in [(hi, top), ((lo + hi) / 2.0, (top + bottom) / 2), (lo, bottom)] {
        area.draw(&Text::new((h.format)(v), (x1 + 8, y - 10), ("sans-serif", 20)))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The monthly-returns heatmap of a run (years bottom-up, Jan..Dec and the year).
pub fn monthly_returns_chart(
    path: &Path,
    title: &str,
    dates: &[NaiveDate],
    equity: &[f64],
    initial: f64,
) -> Result<(), ChartError> {
    super::need_dates(path, dates, "the monthly returns heatmap")?;
    let rows = monthly_returns(dates, equity, initial);
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Year"];
    let pct =
        |v: f64| if (100.0 * v).abs() < 0.05 { "0.0%".to_string() } else { format!("{:+.1}%", 100.0 * v) };
    let h = Heatmap {
        title: format!("{title} — monthly returns (%), {} .. {}", dates[0], dates[dates.len() - 1]),
        x_desc: "month",
        y_desc: "year",
        x_labels: months.iter().map(|m| m.to_string()).collect(),
        y_labels: rows.iter().map(|(y, _)| y.to_string()).collect(),
        values: rows.iter().map(|(_, r)| r.to_vec()).collect(),
        format: &pct,
        center: Some(0.0),
        bright_low: false,
    };
    heatmap_chart(path, &h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn monthly_returns_by_hand() {
        let dates = [d(2023, 12, 28), d(2023, 12, 29), d(2024, 1, 2), d(2024, 1, 31), d(2024, 3, 1)];
        let equity = [101.0, 102.0, 100.0, 99.0, 110.0];
        let r = monthly_returns(&dates, &equity, 100.0);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].0, 2023);
        assert!((r[0].1[11] - 0.02).abs() < 1e-12 && (r[0].1[12] - 0.02).abs() < 1e-12);
        assert!((r[1].1[0] - (99.0 / 102.0 - 1.0)).abs() < 1e-12);
        assert!(r[1].1[1].is_nan(), "no February day");
        assert!((r[1].1[2] - (110.0 / 99.0 - 1.0)).abs() < 1e-12);
        assert!((r[1].1[12] - (110.0 / 102.0 - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn one_cell_and_empty_grids() {
        let dir = tempfile::tempdir().unwrap();
        let f = |v: f64| format!("{v}");
        let mut h = Heatmap {
            title: "t".into(),
            x_desc: "x",
            y_desc: "y",
            x_labels: vec!["a".into()],
            y_labels: vec!["b".into()],
            values: vec![vec![1.0]],
            format: &f,
            center: None,
            bright_low: false,
        };
        heatmap_chart(&dir.path().join("one.png"), &h).unwrap();
        h.values = vec![vec![f64::NAN]];
        let e = heatmap_chart(&dir.path().join("nan.png"), &h).unwrap_err();
        assert!(e.to_string().contains("every cell of the heatmap is empty"), "{e}");
        h.values = vec![];
        assert!(heatmap_chart(&dir.path().join("none.png"), &h).is_err());
    }

    #[test]
    fn diverging_and_reversed_colours() {
        let f = |v: f64| format!("{v}");
        let mut h = Heatmap {
            title: "t".into(),
            x_desc: "x",
            y_desc: "y",
            x_labels: vec![],
            y_labels: vec![],
            values: vec![],
            format: &f,
            center: Some(0.0),
            bright_low: false,
        };
        assert_eq!(color(0.0, -1.0, 1.0, &h), RGBColor(255, 255, 255));
        assert_eq!(color(1.0, -1.0, 1.0, &h), RGBColor(26, 150, 65));
        assert_eq!(color(-1.0, -1.0, 1.0, &h), RGBColor(215, 48, 39));
        h.center = None;
        assert_eq!(color(f64::NAN, -1.0, 1.0, &h), RGBColor(225, 225, 225));
        // Viridis: dark purple at the low end, bright yellow at the high end; reversed for a
        // minimised objective, so that its best (lowest) cells are the bright ones.
        let (dark, bright) = (color(0.1, 0.1, 0.3, &h), color(0.3, 0.1, 0.3, &h));
        assert!(bright.1 > 200 && dark.1 < 20, "{dark:?} {bright:?}");
        h.bright_low = true;
        assert_eq!(color(0.1, 0.1, 0.3, &h), bright);
        assert_eq!(color(0.3, 0.1, 0.3, &h), dark);
    }
}
