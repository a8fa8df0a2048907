//! `ironhedge calibrate`: fit the SPX surface's `[model]` parameters to an SPX chain, or the VIX
//! options' `[hedge]` vol parameters to a VIX chain, and report the model's error before and
//! after (thin wrapper over `ironhedge::calibrate`).

use super::bars::bars;
use super::Failure;
use chrono::NaiveDate;
use clap::Args;
use ironhedge::calibrate::report::{
    bucket_lines, describe, fit_table, model_toml, smile_panels, Priced, BUCKETS,
};
use ironhedge::calibrate::vix::{
    fit_vix, select_vix_quotes, vix_model_prices, vix_model_toml, VixInputs, VixKey,
};
use ironhedge::calibrate::{
    fit::{fit, fitted_index, Fitting, Loss, Start, FITTED},
    model_prices, select_quotes, with_implied_vols, Carry, FitQuote, Indices,
};
use ironhedge::charts::smile_chart;
use ironhedge::data::{load_chain, load_vx_term, write_atomic, BarSeries, OptionChain};
use ironhedge::pricing::{SurfaceParams, VixVolParams};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The chain (canonical CSV or Parquet: see `ironhedge data import`); repeat it to fit several
    /// chains together (all SPX/SPXW or all VIX/VIXW), e.g. chains from different regimes.
    #[arg(long, required = true)]
    pub chain: Vec<PathBuf>,
    /// Also fit how the surface follows the regime (`atm_ratio_vix`, `put_slope_vix`,
    /// `call_slope_vix`: the change per unit of ln(VIX / 20); with --vix3m, `atm_ratio_term`: per
    /// unit of the term slope's departure from its usual value); the quotes should span VIX levels.
    #[arg(long)]
    pub regime: bool,
    /// VIX daily bars (the surface's level on each quote date).
    #[arg(long)]
    pub vix: PathBuf,
    /// SPX daily bars: the underlying where the chain has none.
    #[arg(long)]
    pub spx: Option<PathBuf>,
    /// For a VIX chain: VVIX daily bars (else VVIX 90) and the VX futures term structure (else
    /// the futures model), as a backtest prices the hedge.
    #[arg(long)]
    pub vvix: Option<PathBuf>,
    #[arg(long)]
    pub vx_term: Option<PathBuf>,
    #[command(flatten)]
    pub term: super::bars::TermArgs,
    /// First and last quote dates used.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Quotes from this date on are out of sample: reported, not fitted.
    #[arg(long)]
    pub holdout_from: Option<NaiveDate>,
    /// Risk-free rate and dividend yield (continuous decimals; the strategy defaults).
    #[arg(long, default_value_t = 0.02)]
    pub rate: f64,
    #[arg(long, default_value_t = 0.015)]
    pub div: f64,
    /// Output folder (default results/calibrate-<chain file name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Start the fit from this model file's `[model]` keys (e.g. an earlier fit's model.toml)
    /// instead of the defaults; "before" in the report is then that model.
    #[arg(long)]
    pub start: Option<PathBuf>,
    /// Keep this key at its starting value while the others are fitted (repeatable): for SPX
    /// chains a `[model]` key the fit varies (atm_scale, put_slope, ..., atm_ratio_term); for VIX
    /// chains a `[hedge]` key: vol_scale, call_skew, vol_term_exponent, call_skew_scale,
    /// skew_term_exponent, vol_min_days.
    #[arg(long)]
    pub hold: Vec<String>,
    /// What an SPX fit minimises: `squared` (the mean squared weighted error) or `balanced` (the
    /// mean absolute weighted error, each type x delta bucket weighing the same).
    #[arg(long, value_enum, default_value_t = LossArg::Squared)]
    pub loss: LossArg,
}

/// `--loss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LossArg {
    Squared,
    Balanced,
}

impl From<LossArg> for Loss {
    fn from(a: LossArg) -> Loss {
        match a {
            LossArg::Squared => Loss::Squared,
            LossArg::Balanced => Loss::Balanced,
        }
    }
}

/// A fit's outcome, whichever chain: the quotes (fitted and held out), the model's (price, delta,
/// vol) of each at the defaults and fitted, and what to report and write.
struct Outcome {
    quotes: Vec<FitQuote>,
    /// Each chain's name and its quotes' range in `quotes`.
    parts: Vec<(String, std::ops::Range<usize>)>,
    fitted_on: usize,
    before: Vec<(f64, f64, f64)>,
    after: Vec<(f64, f64, f64)>,
    loss: (f64, f64),
    /// What the loss is, for the report.
    measure: &'static str,
    evaluations: usize,
    fitted: String,
    toml: String,
}

/// The chains' names, for messages.
fn label(a: &CalibrateArgs) -> String {
    a.chain.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(" + ")
}

pub fn run(a: &CalibrateArgs) -> Result<ExitCode, Failure> {
    let chains = a.chain.iter().map(|p| load_chain(p)).collect::<Result<Vec<_>, _>>()?;
    let vix = bars(&a.vix)?;
    let is_vix =
        |c: &OptionChain| !c.is_empty() && (0..c.len()).all(|i| matches!(c.root_of(i).name, "VIX" | "VIXW"));
    let vix_chain = chains.iter().all(is_vix);
    if !vix_chain && chains.iter().any(is_vix) {
        return Err(Failure::input(format!(
            "{}: expected chains of one kind (all SPX/SPXW or all VIX/VIXW), found both",
            label(a)
        )));
    }
    if vix_chain && a.regime {
        return Err(Failure::input(
            "--regime: the regime terms are the SPX surface's; VIX chains fit [hedge] keys",
        ));
    }
    if vix_chain && a.loss != LossArg::Squared {
        return Err(Failure::input(
            "--loss balanced: expected SPX/SPXW chains (a VIX fit minimises the mean squared error), found VIX chains",
        ));
    }
    let o = if vix_chain {
        fit_vix_chain(a, &chains, &vix, &held_vix_keys(&a.hold)?)?
    } else {
        fit_spx_chain(a, &chains, &vix, &held_spx_keys(&a.hold)?)?
    };
    let priced: Vec<Priced> = o
        .quotes
        .iter()
        .zip(o.before.iter().zip(&o.after))
        .map(|(q, (b, f))| Priced {
            before: b.0,
            after: f.0,
            delta: q.chain_delta.unwrap_or(b.1.abs()),
            vol_after: f.2,
        })
        .collect();
    print_report(a, &o, &priced);
    let out = a.out.clone().unwrap_or_else(|| {
        let stem = a.chain[0].file_stem().map_or("chain".into(), |s| s.to_string_lossy().to_string());
        PathBuf::from(format!("results/calibrate-{stem}"))
    });
    write_atomic(&out.join("model.toml"), o.toml.as_bytes())?;
    fit_table(&o.quotes, &priced, a.holdout_from).write(&out.join("fit.csv"))?;
    let vols: Vec<(f64, f64)> = o.before.iter().zip(&o.after).map(|(b, f)| (b.2, f.2)).collect();
    let panels = smile_panels(&o.quotes, &vols, a.holdout_from);
    let title = format!("Implied vol: {} against the model's smile", label(a));
    smile_chart(&out.join("smile.png"), &title, &panels).map_err(|e| Failure::from(anyhow::Error::new(e)))?;
    outln!("wrote {}/model.toml, fit.csv and smile.png", out.display());
    Ok(ExitCode::SUCCESS)
}

/// The error table of `quotes`: by sample, type and delta bucket, before and after.
fn print_buckets(quotes: &[FitQuote], priced: &[Priced], holdout_from: Option<NaiveDate>) {
    outln!(
        "  {:<7} {:<5} {:>6} {:>7} {:>21} {:>21}",
        "sample",
        "type",
        "delta",
        "quotes",
        "defaults |err|, bias",
        "fitted |err|, bias"
    );
    let pct = |x: f64| format!("{:>6.1}%", 100.0 * x);
    for l in bucket_lines(quotes, priced, holdout_from) {
        let (lo, hi) = BUCKETS[l.bucket];
        outln!(
            "  {:<7} {:<5} {:>6} {:>7} {:>12} {:>8} {:>12} {:>8}",
            if l.out_of_sample { "out" } else { "in" },
            l.right.as_str(),
            format!("{:.0}-{:.0}", lo * 100.0, hi * 100.0),
            l.quotes,
            pct(l.before.0),
            pct(l.before.1),
            pct(l.after.0),
            pct(l.after.1)
        );
    }
}

/// The quotes before `--holdout-from`, at least ten of them.
fn in_sample(a: &CalibrateArgs, quotes: &[FitQuote], what: &str) -> Result<Vec<FitQuote>, Failure> {
    let fitted: Vec<FitQuote> =
        quotes.iter().filter(|q| a.holdout_from.is_none_or(|h| q.date < h)).cloned().collect();
    if fitted.len() < 10 {
        return Err(Failure::input(format!(
            "{}: expected at least 10 quotes to fit ({what}, before --holdout-from), found {}",
            label(a),
            fitted.len()
        )));
    }
    Ok(fitted)
}

/// Each chain's quotes by `select`, one after another, with each chain's name and range.
fn gather(
    a: &CalibrateArgs,
    chains: &[OptionChain],
    mut select: impl FnMut(&OptionChain) -> Vec<FitQuote>,
) -> (Vec<FitQuote>, Vec<(String, std::ops::Range<usize>)>) {
    let mut quotes = Vec::new();
    let mut parts = Vec::new();
    for (path, chain) in a.chain.iter().zip(chains) {
        let start = quotes.len();
        quotes.extend(select(chain));
        parts.push((path.display().to_string(), start..quotes.len()));
    }
    (quotes, parts)
}

fn fit_spx_chain(
    a: &CalibrateArgs,
    chains: &[OptionChain],
    vix: &BarSeries,
    held: &[usize],
) -> Result<Outcome, Failure> {
    let spx = a.spx.as_deref().map(bars).transpose()?;
    let [v9, v3, v6] = a.term.load()?;
    let dates = chains.iter().flat_map(|c| c.date.iter().copied());
    let indices = Indices::on(dates, vix, [v9.as_ref(), v3.as_ref(), v6.as_ref()]);
    let carry = Carry { rate: a.rate, dividend_yield: a.div };
    let (quotes, parts) = gather(a, chains, |c| select_quotes(c, spx.as_ref(), &indices, a.from, a.to));
    let quotes = with_implied_vols(quotes, carry);
    let what = "SPX/SPXW, out of the money, with a bid, 5-60 days, mid >= 0.10, a VIX close that day";
    let fitted_quotes = in_sample(a, &quotes, what)?;
    let start = match &a.start {
        Some(path) => ironhedge::config::load_model_file(path).map_err(|e| Failure::input(e.to_string()))?,
        None => SurfaceParams::default(),
    };
    let what = match (a.regime, v3.is_some()) {
        (false, _) => Fitting::Smile,
        (true, false) => Fitting::Regime,
        (true, true) => Fitting::RegimeAndTerm,
    };
    let f = fit(&fitted_quotes, &indices, Start { params: start, held, loss: a.loss.into() }, carry, what);
    let price =
        |p| model_prices(&quotes, &indices, p, carry).ok_or_else(|| Failure::input("no valid surface"));
    let (before, after) = (price(start)?, price(f.params)?);
    let source = label(a);
    Ok(Outcome {
        fitted_on: fitted_quotes.len(),
        toml: model_toml(&f, &source, fitted_quotes.len(), a.loss.into()),
        measure: Loss::from(a.loss).describe(),
        quotes,
        parts,
        before,
        after,
        loss: (f.loss_before, f.loss_after),
        evaluations: f.evaluations,
        fitted: describe(&f.params),
    })
}

/// The keys of `--hold` for a VIX fit, each checked.
fn held_vix_keys(names: &[String]) -> Result<Vec<VixKey>, Failure> {
    let known: Vec<&str> = VixKey::ALL.iter().map(|k| k.name()).collect();
    held(names, "a VIX fit's [hedge] key", &known, VixKey::parse)
}

/// The keys of `--hold` for an SPX fit, as indices into [`FITTED`], each checked.
fn held_spx_keys(names: &[String]) -> Result<Vec<usize>, Failure> {
    let mut known = FITTED.to_vec();
    known[0] = "atm_scale";
    held(names, "an SPX fit's [model] key", &known, fitted_index)
}

fn held<T>(
    names: &[String],
    what: &str,
    known: &[&str],
    parse: fn(&str) -> Option<T>,
) -> Result<Vec<T>, Failure> {
    names
        .iter()
        .map(|n| {
            parse(n).ok_or_else(|| {
                Failure::input(format!("--hold: expected {what}, one of {}, found {n:?}", known.join(", ")))
            })
        })
        .collect()
}

fn fit_vix_chain(
    a: &CalibrateArgs,
    chains: &[OptionChain],
    vix: &BarSeries,
    held: &[VixKey],
) -> Result<Outcome, Failure> {
    let vvix = a.vvix.as_deref().map(bars).transpose()?;
    let term = a.vx_term.as_deref().map(load_vx_term).transpose()?;
    let dates = chains.iter().flat_map(|c| c.date.iter().copied());
    let inputs = VixInputs { vvix: dates.filter_map(|d| Some((d, vvix.as_ref()?.close_on(d)?))).collect() };
    let (quotes, parts) =
        gather(a, chains, |c| select_vix_quotes(c, vix, term.as_ref(), a.rate, (a.from, a.to)));
    let what = "VIX/VIXW calls above their future, 5-50 delta, with a bid, 5-180 days, mid >= 0.05, a VIX close that day";
    let fitted_quotes = in_sample(a, &quotes, what)?;
    let start = VixVolParams::default();
    let f = fit_vix(&fitted_quotes, &inputs, start, held, a.rate);
    let source = label(a);
    Ok(Outcome {
        parts,
        fitted_on: fitted_quotes.len(),
        toml: vix_model_toml(&f, &source, fitted_quotes.len()),
        before: vix_model_prices(&quotes, &inputs, start, a.rate),
        after: vix_model_prices(&quotes, &inputs, f.params, a.rate),
        quotes,
        loss: (f.loss_before, f.loss_after),
        measure: Loss::Squared.describe(),
        evaluations: f.evaluations,
        fitted: VixKey::ALL
            .iter()
            .map(|k| format!("{} {:.4}", k.name(), k.value(&f.params)))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

fn print_report(a: &CalibrateArgs, o: &Outcome, priced: &[Priced]) {
    outln!(
        "{}: {} quotes ({} fitted); {} {:.5} at the defaults -> {:.5} fitted ({} evaluations)",
        label(a),
        o.quotes.len(),
        o.fitted_on,
        o.measure,
        o.loss.0,
        o.loss.1,
        o.evaluations
    );
    outln!("  fitted: {}", o.fitted);
    // One table per chain when several were fitted together.
    for (name, range) in &o.parts {
        if o.parts.len() > 1 {
            outln!("  {name} ({} quotes):", range.len());
        }
        print_buckets(&o.quotes[range.clone()], &priced[range.clone()], a.holdout_from);
    }
    if let Some(h) = a.holdout_from {
        let out: Vec<(&FitQuote, &Priced)> =
            o.quotes.iter().zip(priced).filter(|(q, _)| q.date >= h).collect();
        let loss = Loss::from(a.loss);
        let quotes: Vec<FitQuote> = out.iter().map(|(q, _)| (*q).clone()).collect();
        let weights = loss.weights_by(&quotes, |i| Some(out[i].1.delta));
        let of = |m: fn(&Priced) -> f64| loss.of(&quotes, &weights, out.iter().map(|(_, p)| m(p)));
        outln!(
            "  out of sample (from {h}, {} quotes): {} {:.5} at the defaults -> {:.5} fitted",
            out.len(),
            o.measure,
            of(|p| p.before),
            of(|p| p.after)
        );
    }
}
