//! A study's files: `events.csv` (every independent event with its forward measures),
//! `summary.csv` (per signal, measure and horizon: events, mean, 95% interval, baseline, p, Holm
//! p, hit rates, each half of the sample), `attribution.csv` (per signal and book: P&L by Greek
//! inside the event windows and outside), and per signal `paths-<signal>.png` and
//! `attribution-<signal>.png`. Every file is written atomically.

use super::{Measure, Series, Study};
use crate::charts::{study_attribution_chart, study_paths_chart, AttributionBars, PathPanel};
use crate::data::{write_atomic, DataError};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn num(x: Option<f64>) -> String {
    x.map_or(String::new(), |v| format!("{v}"))
}

fn slug(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

fn events_csv(st: &Study) -> String {
    let x = Series { spx: &st.sessions.spx, vix: &st.sessions.vix, vx30: &st.sessions.vx30 };
    let hs = [1, 5, st.spec.horizon];
    let mut s = String::from("signal,known_at,session,label");
    for m in Measure::ALL {
        for h in hs {
            let _ = write!(s, ",{}_{h}", m.name());
        }
    }
    s.push('\n');
    for sig in &st.signals {
        for e in &sig.events {
            let _ = write!(
                s,
                "{},{},{},\"{}\"",
                sig.name,
                e.at,
                st.sessions.dates[e.session],
                e.label.replace('"', "'")
            );
            for m in Measure::ALL {
                for h in hs {
                    let _ = write!(s, ",{}", num(m.at(&x, e.session, h)));
                }
            }
            s.push('\n');
        }
    }
    s
}

fn summary_csv(st: &Study) -> String {
    let mut s = String::from("signal,measure,horizon,events,mean,ci_low,ci_high,baseline_sessions,baseline_mean,p,p_holm,hit_rate,baseline_hit_rate,first_half_events,first_half_mean,second_half_events,second_half_mean\n");
    for sig in &st.signals {
        for c in &sig.cells {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                sig.name,
                c.measure.name(),
                c.horizon,
                c.n,
                c.mean,
                c.ci.0,
                c.ci.1,
                c.base_n,
                c.base_mean,
                c.p,
                c.p_adj,
                c.hit,
                c.base_hit,
                c.halves[0].0,
                num(c.halves[0].1),
                c.halves[1].0,
                num(c.halves[1].1)
            );
        }
    }
    s
}

/// [delta + gamma, vega, theta, vanna, volga, residual, total].
fn parts(a: &crate::engine::Attribution) -> [f64; 7] {
    [
        a.delta_usd + a.gamma_usd,
        a.vega_usd,
        a.theta_usd,
        a.vanna_usd,
        a.volga_usd,
        a.residual_usd,
        a.total_usd,
    ]
}

fn attribution_csv(st: &Study) -> String {
    let mut s = String::from("signal,book,window_sessions,other_sessions");
    for side in ["window", "other"] {
        for p in [
            "delta_gamma_usd",
            "vega_usd",
            "theta_usd",
            "vanna_usd",
            "volga_usd",
            "residual_usd",
            "total_usd",
        ] {
            let _ = write!(s, ",{side}_{p}");
        }
    }
    s.push('\n');
    for sig in &st.signals {
        for w in &sig.attribution {
            let _ = write!(s, "{},{},{},{}", sig.name, w.group, w.in_days, w.out_days);
            for v in parts(&w.inside).iter().chain(&parts(&w.outside)) {
                let _ = write!(s, ",{v}");
            }
            s.push('\n');
        }
    }
    s
}

fn panels(st: &Study, sig: usize) -> Vec<PathPanel> {
    let cells = &st.signals[sig].cells;
    Measure::ALL
        .iter()
        .map(|&m| PathPanel {
            title: match m {
                Measure::SpxReturn => "SPX return".into(),
                Measure::SpxRealizedVol => "SPX realised vol (annualised)".into(),
                Measure::VixChange => "VIX change (points)".into(),
                Measure::Vx30Change => "30-day VIX future change (points)".into(),
            },
            points: (1..=st.spec.horizon)
                .map(|h| {
                    cells
                        .iter()
                        .find(|c| c.measure == m && c.horizon == h)
                        .map(|c| (c.mean, c.ci.0, c.ci.1, c.base_mean))
                })
                .collect(),
            percent: matches!(m, Measure::SpxReturn | Measure::SpxRealizedVol),
            why_empty: match m {
                Measure::Vx30Change => "needs data.vx_term covering the events".into(),
                _ => "no event is far enough from the end of the run".into(),
            },
        })
        .collect()
}

/// Write the study's files into `dir`; returns the paths written.
pub fn write_study(dir: &Path, st: &Study) -> Result<Vec<PathBuf>, DataError> {
    let mut written = Vec::new();
    for (name, text) in [
        ("events.csv", events_csv(st)),
        ("summary.csv", summary_csv(st)),
        ("attribution.csv", attribution_csv(st)),
    ] {
        let p = dir.join(name);
        write_atomic(&p, text.as_bytes())?;
        written.push(p);
    }
    let usage = |p: &Path, m: String| DataError::Usage { path: p.to_path_buf(), message: m };
    for (i, sig) in st.signals.iter().enumerate() {
        if sig.events.is_empty() {
            continue;
        }
        let p = dir.join(format!("paths-{}.png", slug(&sig.name)));
        let title = format!(
            "After {} ({} independent events of {}; cool-down {} sessions)",
            sig.name,
            sig.events.len(),
            sig.raw,
            st.spec.cooldown
        );
        study_paths_chart(&p, &title, &panels(st, i)).map_err(|e| usage(&p, e.to_string()))?;
        written.push(p);
        let p = dir.join(format!("attribution-{}.png", slug(&sig.name)));
        let per = |v: [f64; 7], n: usize| {
            let d = n.max(1) as f64;
            std::array::from_fn(|k| v[k] / d)
        };
        let bars: Vec<AttributionBars> = sig
            .attribution
            .iter()
            .map(|w| AttributionBars {
                group: w.group.clone(),
                inside: per(parts(&w.inside), w.in_days),
                outside: per(parts(&w.outside), w.out_days),
            })
            .collect();
        let title = format!(
            "P&L by Greek per session: {}-session windows after {} vs all other sessions",
            st.spec.window, sig.name
        );
        study_attribution_chart(&p, &title, &bars).map_err(|e| usage(&p, e.to_string()))?;
        written.push(p);
    }
    Ok(written)
}
