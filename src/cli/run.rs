//! `ironhedge run STRATEGY.toml [--from D] [--to D] [--out DIR] [--set KEY=VALUE ...]`.

use super::Failure;
use chrono::NaiveDate;
use clap::Args;
use ironhedge::config::load_strategy;
use ironhedge::engine::{run, EngineError, LegCount, Market, RunResult};
use ironhedge::results::{run_id, write_results};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The strategy file.
    pub strategy: PathBuf,
    /// First date of the run (default: the strategy's dates.start, else the data's first day).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last date of the run (default: the strategy's dates.end, else the data's last day).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Folder for results (a sub-folder per run).
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Override any key of the strategy file: --set condor.short_put.value=0.12 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Draw the equity chart on a logarithmic scale (for long runs).
    #[arg(long)]
    pub log_equity: bool,
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Replay(_) => Failure::from(anyhow::Error::new(e)),
            _ => Failure::input(e),
        }
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{:.2}%", v * 100.0))
}

fn num(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{v:.2}"))
}

fn usd(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| if v < 0.0 { format!("-${:.2}", -v) } else { format!("${v:.2}") })
}

fn print_summary(name: &str, dir: &std::path::Path, r: &RunResult) {
    let m = &r.metrics;
    let (first, last) = (r.days.first().map(|d| d.date), r.days.last().map(|d| d.date));
    let fin = r.days.last().map(|d| d.equity_usd);
    outln!(
        "{name}: {} .. {} ({} days) -> {}",
        first.map_or("?".into(), |d| d.to_string()),
        last.map_or("?".into(), |d| d.to_string()),
        r.days.len(),
        dir.display()
    );
    let rows = [
        ("start equity", usd(Some(r.initial_usd)), "final equity", usd(fin)),
        ("total return", pct(m.total_return), "CAGR", pct(m.cagr)),
        ("ann. vol", pct(m.ann_vol), "Sharpe", num(m.sharpe)),
        ("Sortino", num(m.sortino), "Calmar", num(m.calmar)),
        ("max drawdown", pct(m.max_drawdown), "dd duration", format!("{} days", m.max_drawdown_days)),
        ("trades", m.trades.to_string(), "win rate", pct(m.win_rate)),
        (
            "profit factor",
            num(m.profit_factor),
            "avg win / loss",
            format!("{} / {}", usd(m.avg_win), usd(m.avg_loss)),
        ),
        ("worst day", pct(m.worst_day), "worst month", pct(m.worst_month)),
        ("CVaR 95%", pct(m.cvar_95), "time in market", pct(m.time_in_market)),
    ];
    for (a, b, c, d) in rows {
        outln!("  {a:<14} {b:>14}   {c:<15} {d:>20}");
    }
    if let Some(log) = &r.adjustments {
        let done: Vec<&str> = log.iter().filter(|a| a.outcome == "done").map(|a| a.action).collect();
        let mut kinds: Vec<&str> = done.clone();
        kinds.dedup();
        kinds.sort_unstable();
        kinds.dedup();
        let by_kind: Vec<String> = kinds
            .iter()
            .map(|k| {
                format!("{} {}", k.trim_start_matches("adjust:"), done.iter().filter(|d| *d == k).count())
            })
            .collect();
        outln!(
            "  adjustments: {} taken ({}), {} skipped (adjustments.csv says why)",
            done.len(),
            if by_kind.is_empty() { "none".to_string() } else { by_kind.join(", ") },
            log.len() - done.len()
        );
    }
    if let Some(h) = ironhedge::results::HedgeReport::of(r) {
        outln!(
            "  hedge: {:<8} {:>12} {:>12} {:>12} {:>12} {:>12} {:>9} {:>11}",
            "layer",
            "paid",
            "recovered",
            "open value",
            "net cost",
            "theta",
            "% credit",
            "above cost"
        );
        let pct_credit = |x: Option<f64>| x.map_or("n/a".into(), |v| format!("{v:.1}%"));
        let lines = h.layers.iter().map(|(n, l)| (n.as_str(), l)).chain([("all", &h.total)]);
        for (name, l) in lines {
            outln!(
                "         {:<8} {:>12} {:>12} {:>12} {:>12} {:>12} {:>9} {:>11}",
                name,
                usd(Some(l.paid_usd)),
                usd(Some(l.recovered_usd)),
                usd(Some(l.open_value_usd)),
                usd(Some(l.net_cost_usd)),
                usd(Some(l.theta_usd)),
                pct_credit(l.cost_pct_of_credit),
                format!("{}/{}", l.calls_above_cost, l.calls_closed)
            );
        }
        outln!("  condor credit collected {}", usd(Some(r.credit_collected_usd)));
    }
    if let Some(c) = &r.chain {
        print_chain(c);
    }
}

/// The chain coverage lines, and a warning for each kind of pricing under 90% from quotes.
fn print_chain(c: &ironhedge::engine::ChainRun) {
    let cell = |n: LegCount| {
        n.coverage().map_or("none priced".into(), |x| {
            format!("{:.1}% ({}/{})", x * 100.0, n.from_quotes, n.legs_priced)
        })
    };
    let books = [("condor legs", c.condor), ("hedge calls", c.hedge)];
    for (name, cov) in books.iter().filter_map(|(n, c)| Some((*n, (*c)?))) {
        outln!("  chain ({} fills): {name} priced from quotes", c.fills);
        let kinds = [("entries", cov.entries), ("exits", cov.exits), ("marks", cov.marks)];
        for (kind, n) in kinds {
            outln!("    {kind:<8} {}", cell(n));
        }
        for (kind, n) in kinds.iter().filter(|(_, n)| n.coverage().is_some_and(|x| x < 0.9)) {
            eprintln!(
                "warning: only {} of the {name}' {kind} were priced from the chain's quotes; the rest are on the model (the chain does not cover those days, or their quotes are missing, crossed or zero-bid)",
                cell(*n)
            );
        }
    }
}

pub fn run_cmd(a: &RunArgs) -> Result<ExitCode, Failure> {
    let strategy = load_strategy(&a.strategy, &a.set)?;
    for w in &strategy.warnings {
        eprintln!("warning: {w}");
    }
    let market = Market::load(&strategy)?;
    let result = run(&strategy, &market, a.from, a.to)?;
    let resolved = toml::to_string(&strategy.resolved)
        .map_err(|e| Failure::from(anyhow::anyhow!("cannot serialise the configuration: {e}")))?;
    let window = format!("# window: {:?} .. {:?}\n", a.from.or(strategy.start), a.to.or(strategy.end));
    let config = format!("{window}{resolved}");
    let id = run_id(&strategy.name, &config);
    let dir = write_results(&a.out, &id, &strategy.name, &config, &result, a.log_equity)?;
    print_summary(&strategy.name, &dir, &result);
    Ok(ExitCode::SUCCESS)
}
