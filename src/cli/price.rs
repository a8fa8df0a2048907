//! `ironhedge price`: one option's price and Greeks, from explicit inputs or from data on a date.

use super::bars::{bars, opt_bars};
use super::Failure;
use chrono::{Days, NaiveDate};
use clap::{Args, ValueEnum};
use ironhedge::config::load_model_file;
use ironhedge::data::{load_vx_term, BarSeries};
use ironhedge::pricing::{
    black76_greeks, bsm_greeks, select_strike, validate, vix_futures_on, FuturesModel, Greeks, OptionType,
    SpxSurface, StrikeGrid, StrikeListing, StrikeRule, SurfaceParams, VixVolParams, VolIndices,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXAMPLES: &str = "Examples:
  # SPX put, explicit inputs (days are calendar days, T = days/365; rates continuous decimals)
  ironhedge price --model bsm --type put --spot 4700 --strike 4400 --days 30 --vol 0.19 --rate 0.04 --div 0.013
  # the same as one JSON object (vega per vol point, theta per calendar day, rho per 1% of rate)
  ironhedge price --model bsm --type put --spot 4700 --strike 4400 --days 30 --vol 0.19 --json
  # VIX call on its future with Black-76
  ironhedge price --model black76 --type call --future 18.5 --strike 22 --days 30 --vol 0.95
  # SPX 16-delta put from the bundled data: spot = SPX close, vol = the VIX-implied smile
  ironhedge price --type put --delta 0.16 --days 45 --date 2018-02-05 \\
      --spx datasets/spx_daily_1999_2018.csv --vix datasets/vix_close_2014_2019.csv";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Model {
    /// Black-Scholes-Merton on spot (SPX).
    Bsm,
    /// Black-76 on a future (VIX options on the same-expiry VIX future).
    Black76,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Call,
    Put,
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES, allow_negative_numbers = true)]
pub struct PriceArgs {
    /// Pricing model.
    #[arg(long, value_enum, default_value = "bsm")]
    pub model: Model,
    /// Option type.
    #[arg(long = "type", value_enum)]
    pub kind: Kind,
    /// Spot price (bsm). With --date, defaults to the SPX close of that date.
    #[arg(long)]
    pub spot: Option<f64>,
    /// Future price (black76). With --date, defaults to the VIX future of the expiry.
    #[arg(long)]
    pub future: Option<f64>,
    /// Strike.
    #[arg(long, required_unless_present = "delta")]
    pub strike: Option<f64>,
    /// Choose the listed strike whose delta is closest to this absolute delta (e.g. 0.16).
    #[arg(long, conflicts_with = "strike")]
    pub delta: Option<f64>,
    /// Listed-strike step for --delta (default: 5 for bsm; for black76 the VIX strikes Cboe listed
    /// on --date, or lists now, for an expiry --days away: 0.5 below 15 within 60 days, 1 to 30,
    /// 2.5 to 50, 5 above).
    #[arg(long)]
    pub strike_step: Option<f64>,
    /// Calendar days to expiry.
    #[arg(long)]
    pub days: f64,
    /// Volatility as a decimal (0.19 = 19%). With --date, defaults to the model's smile vol.
    #[arg(long)]
    pub vol: Option<f64>,
    /// Risk-free rate, continuous, decimal.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Dividend yield, continuous, decimal (bsm only).
    #[arg(long, default_value_t = 0.0)]
    pub div: f64,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// With --date: the SPX surface's parameters from a model file's [model] table (as
    /// `ironhedge calibrate` writes model.toml) instead of the defaults.
    #[arg(long, value_name = "FILE")]
    pub model_file: Option<PathBuf>,
    /// Take spot/future and vol from data files on this date (YYYY-MM-DD).
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// SPX daily bars (for --date).
    #[arg(long)]
    pub spx: Option<PathBuf>,
    /// VIX daily bars (for --date).
    #[arg(long)]
    pub vix: Option<PathBuf>,
    #[command(flatten)]
    pub term: super::bars::TermArgs,
    /// Optional VVIX bars (VIX option vol-of-vol).
    #[arg(long)]
    pub vvix: Option<PathBuf>,
    /// Optional VX term structure (date, m1..mN) for the VIX future.
    #[arg(long)]
    pub vx_term: Option<PathBuf>,
}

/// Resolved inputs: underlying, and the vol of a strike.
struct Inputs {
    underlying: f64,
    vol_of: Box<dyn Fn(f64) -> f64>,
    vol_source: String,
}

fn explicit(a: &PriceArgs) -> Result<Inputs, Failure> {
    let (flag, value) = match a.model {
        Model::Bsm => ("--spot", a.spot),
        Model::Black76 => ("--future", a.future),
    };
    let underlying = value
        .ok_or_else(|| Failure::input(format!("{flag} is required (or give --date with data files)")))?;
    let vol = a.vol.ok_or_else(|| Failure::input("--vol is required (or give --date with data files)"))?;
    Ok(Inputs { underlying, vol_of: Box::new(move |_| vol), vol_source: "given".into() })
}

fn from_data(a: &PriceArgs, date: NaiveDate) -> Result<Inputs, Failure> {
    let vix_path = a.vix.as_deref().ok_or_else(|| Failure::input("--date needs --vix FILE"))?;
    let vix = bars(vix_path)?;
    let missing = |what: &str, p: &Path| Failure::input(format!("{}: no {what} row on {date}", p.display()));
    match a.model {
        Model::Bsm => {
            let underlying = match (a.spot, a.spx.as_deref()) {
                (Some(s), _) => s,
                (None, Some(p)) => bars(p)?.close_on(date).ok_or_else(|| missing("SPX", p))?,
                (None, None) => {
                    return Err(Failure::input("--date with --model bsm needs --spx FILE or --spot"))
                }
            };
            let [v9, v3, v6] = a.term.load()?;
            let close = |s: Option<&BarSeries>| s.and_then(|s| s.close_on(date));
            let ix = VolIndices {
                vix: vix.close_on(date).ok_or_else(|| missing("VIX", vix_path))?,
                vix9d: close(v9.as_ref()),
                vix3m: close(v3.as_ref()),
                vix6m: close(v6.as_ref()),
            };
            let params = match &a.model_file {
                Some(p) => load_model_file(p).map_err(Failure::input)?,
                None => SurfaceParams::default(),
            };
            let surface = SpxSurface::new(ix, params).map_err(|e| Failure::input(e.to_string()))?;
            let (t, r, q) = (a.days / 365.0, a.rate, a.div);
            let f = underlying * ((r - q) * t).exp();
            if let Some(v) = a.vol {
                return Ok(Inputs { underlying, vol_of: Box::new(move |_| v), vol_source: "given".into() });
            }
            let source = format!(
                "SPX surface from VIX {}{} (ATM {:.2}%)",
                ix.vix,
                if ix.vix9d.or(ix.vix3m).is_some() { " + term structure" } else { "" },
                surface.atm_vol(t) * 100.0
            );
            Ok(Inputs { underlying, vol_of: Box::new(move |k| surface.vol(k, f, t)), vol_source: source })
        }
        Model::Black76 => {
            let spot = vix.close_on(date).ok_or_else(|| missing("VIX", vix_path))?;
            let term = a.vx_term.as_deref().map(load_vx_term).transpose()?;
            let row = term.as_ref().and_then(|t| t.row_on(date));
            let curve = vix_futures_on(date, spot, row, FuturesModel::default())
                .map_err(|e| Failure::input(e.to_string()))?;
            let expiry = date
                .checked_add_days(Days::new(a.days.max(0.0) as u64))
                .ok_or_else(|| Failure::input("--days out of range"))?;
            let underlying = a.future.unwrap_or_else(|| curve.price(expiry));
            let vvix = opt_bars(&a.vvix)?.and_then(|v| v.close_on(date));
            if let Some(v) = a.vol {
                return Ok(Inputs { underlying, vol_of: Box::new(move |_| v), vol_source: "given".into() });
            }
            let (params, days) = (VixVolParams::default(), a.days);
            let source = format!(
                "VVIX {} with call skew; future {underlying:.4} for {expiry}",
                vvix.map_or("90 (default)".into(), |v| v.to_string())
            );
            Ok(Inputs {
                underlying,
                vol_of: Box::new(move |k| params.vol(vvix, underlying, k, days)),
                vol_source: source,
            })
        }
    }
}

fn greeks(a: &PriceArgs, kind: OptionType, s: f64, k: f64, vol: f64) -> Greeks {
    let t = a.days / 365.0;
    match a.model {
        Model::Bsm => bsm_greeks(kind, s, k, t, a.rate, a.div, vol),
        Model::Black76 => black76_greeks(kind, s, k, t, a.rate, vol),
    }
}

pub fn run(a: &PriceArgs) -> Result<ExitCode, Failure> {
    let kind = match a.kind {
        Kind::Call => OptionType::Call,
        Kind::Put => OptionType::Put,
    };
    let inputs = match a.date {
        Some(date) => from_data(a, date)?,
        None => explicit(a)?,
    };
    let s = inputs.underlying;
    let strike = match (a.strike, a.delta) {
        (Some(k), _) => k,
        (None, Some(d)) => {
            let delta_at = |k: f64| greeks(a, kind, s, k, (inputs.vol_of)(k)).delta;
            let chosen = match (a.strike_step, a.model) {
                (None, Model::Black76) => {
                    let date = a.date.unwrap_or(NaiveDate::MAX);
                    let ladder = StrikeListing::cboe()
                        .ladder(date, a.days.ceil() as i64)
                        .map_err(|e| Failure::input(format!("--delta: {e}")))?;
                    select_strike(&ladder, kind, StrikeRule::Delta(d), s, s, 0.0, 0.0, delta_at)
                }
                (step, _) => {
                    let grid = StrikeGrid::new(step.unwrap_or(5.0))
                        .map_err(|e| Failure::input(format!("--strike-step: {e}")))?;
                    select_strike(&grid, kind, StrikeRule::Delta(d), s, s, 0.0, 0.0, delta_at)
                }
            };
            chosen.map_err(|e| Failure::input(format!("--delta: {e}")))?
        }
        (None, None) => return Err(Failure::input("give --strike or --delta")),
    };
    let vol = (inputs.vol_of)(strike);
    let q = if a.model == Model::Bsm { a.div } else { 0.0 };
    validate(s, strike, a.days / 365.0, a.rate, q, vol).map_err(|e| Failure::input(e.to_string()))?;
    let g = greeks(a, kind, s, strike, vol);
    let model = if a.model == Model::Bsm { "bsm" } else { "black76" };
    let type_ = if kind == OptionType::Call { "call" } else { "put" };
    if a.json {
        let json = PriceJson {
            model,
            type_,
            underlying: s,
            strike,
            days: a.days,
            vol,
            rate: a.rate,
            div: q,
            price: g.price,
            delta: g.delta,
            gamma: g.gamma,
            vega: g.vega_per_point(),
            theta: g.theta_per_day(),
            rho: g.rho_per_pct(),
        };
        // A struct of strings and numbers always serialises.
        let json = serde_json::to_string(&json).expect("price JSON serialises");
        outln!("{json}");
    } else {
        let under = if a.model == Model::Bsm { "spot" } else { "future" };
        outln!("{model} {type_}: {under} {s}, strike {strike}, {} days (T = {:.6} y), vol {:.4}% ({}), rate {}, div {q}", a.days, a.days / 365.0, vol * 100.0, inputs.vol_source, a.rate);
        outln!("  price  {:>14.6}", g.price);
        outln!("  delta  {:>14.6}", g.delta);
        outln!("  gamma  {:>14.8}", g.gamma);
        outln!("  vega   {:>14.6}  per vol point (0.01)", g.vega_per_point());
        outln!("  theta  {:>14.6}  per calendar day", g.theta_per_day());
        outln!("  rho    {:>14.6}  per 1% of rate", g.rho_per_pct());
    }
    Ok(ExitCode::SUCCESS)
}

/// `--json` output: the inputs, then the price and Greeks (vega per vol point, theta per calendar
/// day, rho per 1% of rate). A non-finite number is written as `null`.
#[derive(serde::Serialize)]
struct PriceJson {
    model: &'static str,
    #[serde(rename = "type")]
    type_: &'static str,
    underlying: f64,
    strike: f64,
    days: f64,
    vol: f64,
    rate: f64,
    div: f64,
    price: f64,
    delta: f64,
    gamma: f64,
    vega: f64,
    theta: f64,
    rho: f64,
}
