//! `ironhedge study events STRATEGY --signal S [--signal S ...]`: an event study over the
//! strategy's run (thin wrapper over `ironhedge::study`).

use super::Failure;
use clap::{Args, Subcommand};
use ironhedge::config::load_strategy;
use ironhedge::data::load_calendar;
use ironhedge::engine::{run, Market};
use ironhedge::study::{study, write_study, EventSignal, Measure, SignalStudy, StudySpec};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum StudyCommand {
    /// Event study: forward SPX / VIX moves after each event against the baseline, and the books'
    /// Greek attribution in the event windows.
    Events(EventsArgs),
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// The strategy whose data, signals and books are studied (its run window is the sample).
    pub strategy: PathBuf,
    /// A signal: cascade, term_inversion, macd_cross_down, macd_cross_up, rsi_below:<level>,
    /// rsi_above:<level>, funding_z:<z>, calendar:<event name> (repeatable; p-values are
    /// Holm-adjusted over all of them).
    #[arg(long = "signal", required = true)]
    pub signals: Vec<String>,
    /// Horizons 1..N sessions.
    #[arg(long, default_value_t = 10)]
    pub horizon: usize,
    /// An event counts only this many sessions after the previous one.
    #[arg(long, default_value_t = 5)]
    pub cooldown: usize,
    /// Sessions of the attribution window from each event's session on.
    #[arg(long, default_value_t = 5)]
    pub window: usize,
    /// A macro calendar (CSV or Parquet: date, event[, time as New York HH:MM]).
    #[arg(long)]
    pub calendar: Option<PathBuf>,
    /// Output folder (default results/study-<strategy name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override any key of the strategy file (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

pub fn run_study(c: &StudyCommand) -> Result<ExitCode, Failure> {
    let StudyCommand::Events(a) = c;
    let signals = parse_signals(a)?;
    let calendar = a.calendar.as_deref().map(load_calendar).transpose()?.unwrap_or_default();
    let s = load_strategy(&a.strategy, &a.set)?;
    let market = Market::load(&s)?;
    let r = run(&s, &market, None, None)?;
    let spec = StudySpec { signals, horizon: a.horizon, cooldown: a.cooldown, window: a.window };
    let st = study(&spec, &r, &market, &calendar);
    let slug: String = s.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from(format!("results/study-{slug}")));
    let files = write_study(&out, &st)?;
    let day = |i: usize| st.sessions.dates.get(i).map_or("?".into(), |d| d.to_string());
    let n = st.sessions.dates.len();
    outln!(
        "{}: {} sessions {} .. {}; halves split at {}; {} p-values, Holm-adjusted -> {}",
        s.name,
        n,
        day(0),
        day(n.wrapping_sub(1)),
        day(st.split),
        st.tests,
        out.display()
    );
    for sig in &st.signals {
        print_signal(sig, a);
    }
    for f in files {
        outln!("  wrote {}", f.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The arguments checked and the signals parsed (name as given, signal).
fn parse_signals(a: &EventsArgs) -> Result<Vec<(String, EventSignal)>, Failure> {
    if !(1..=250).contains(&a.horizon) || a.window == 0 {
        return Err(Failure::input(format!(
            "study: expected --horizon in 1..=250 and --window >= 1, found {} and {}",
            a.horizon, a.window
        )));
    }
    let signals = a
        .signals
        .iter()
        .map(|t| EventSignal::parse(t).map(|s| (t.clone(), s)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::input(format!("--signal {e}")))?;
    if signals.iter().any(|(_, s)| matches!(s, EventSignal::Calendar(_))) && a.calendar.is_none() {
        return Err(Failure::input("--signal calendar:<name> needs --calendar FILE"));
    }
    Ok(signals)
}

/// A measure's value as printed: returns and vols in percent, VIX points as they are.
fn show(measure: Measure, v: f64) -> String {
    if matches!(measure, Measure::SpxReturn | Measure::SpxRealizedVol) {
        format!("{:.2}%", 100.0 * v)
    } else {
        format!("{v:.2}")
    }
}

/// One signal's table (horizons 1, 5 and the last) and its attribution windows.
fn print_signal(sig: &SignalStudy, a: &EventsArgs) {
    outln!(
        "\n{}: {} independent events ({} before the {}-session cool-down)",
        sig.name,
        sig.events.len(),
        sig.raw,
        a.cooldown
    );
    outln!(
        "  {:<18} {:>3} {:>10} {:>22} {:>10} {:>7} {:>7} {:>6} {:>6}",
        "measure",
        "h",
        "mean",
        "95% CI",
        "baseline",
        "p",
        "p_holm",
        "hit",
        "base"
    );
    for c in sig.cells.iter().filter(|c| [1, 5, a.horizon].contains(&c.horizon)) {
        let f = |v: f64| show(c.measure, v);
        let half = |i: usize| {
            let (n, m) = c.halves[i];
            format!("{} ({n})", m.map_or("n/a".into(), f))
        };
        outln!(
            "  {:<18} {:>3} {:>10} {:>22} {:>10} {:>7.4} {:>7.4} {:>5.0}% {:>5.0}% {:>16} {:>16}",
            c.measure.name(),
            c.horizon,
            f(c.mean),
            format!("[{}, {}]", f(c.ci.0), f(c.ci.1)),
            f(c.base_mean),
            c.p,
            c.p_adj,
            100.0 * c.hit,
            100.0 * c.base_hit,
            half(0),
            half(1)
        );
    }
    for w in &sig.attribution {
        let per = |v: f64, n: usize| v / n.max(1) as f64;
        outln!(
            "  {}: per session in {} window sessions: delta+gamma {:.0}, vega {:.0}, theta {:.0}, vanna {:.0}, volga {:.0} | other {} sessions: {:.0}, {:.0}, {:.0}, {:.0}, {:.0}",
            w.group,
            w.in_days,
            per(w.inside.delta_usd + w.inside.gamma_usd, w.in_days),
            per(w.inside.vega_usd, w.in_days),
            per(w.inside.theta_usd, w.in_days),
            per(w.inside.vanna_usd, w.in_days),
            per(w.inside.volga_usd, w.in_days),
            w.out_days,
            per(w.outside.delta_usd + w.outside.gamma_usd, w.out_days),
            per(w.outside.vega_usd, w.out_days),
            per(w.outside.theta_usd, w.out_days),
            per(w.outside.vanna_usd, w.out_days),
            per(w.outside.volga_usd, w.out_days)
        );
    }
}
