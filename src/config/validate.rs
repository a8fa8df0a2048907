//! Raw strategy -> [`Strategy`]: every value checked against its documented range, enum-like
//! strings matched (with "did you mean"), paths resolved against the strategy file's folder.

use super::error::{did_you_mean, ConfigError, KeyPlace};
use super::raw::{RawRule, RawStrategy};
use super::signal_expr::{Base, LegacyPeriods};
use crate::data::RateUnit;
use crate::pricing::{AtmLevel, Regime, Smile, StrikeRule, SurfaceParams};
use chrono::{NaiveDate, Weekday};
use std::path::{Path, PathBuf};

/// Data files (absolute or relative to the working directory after resolution).
#[derive(Debug, Clone, PartialEq)]
pub struct DataSources {
    pub spx: PathBuf,
    pub vix: PathBuf,
    pub vix9d: Option<PathBuf>,
    pub vix3m: Option<PathBuf>,
    pub vix6m: Option<PathBuf>,
    pub vvix: Option<PathBuf>,
    pub vx_term: Option<PathBuf>,
    pub vix_column: Option<String>,
    /// SPX option chain pricing the condor legs on the dates it covers.
    pub spx_chain: Option<PathBuf>,
    /// VIX option chain pricing the hedge's calls on the dates it covers.
    pub vix_chain: Option<PathBuf>,
    /// Cboe SKEW index daily (the `skew` series).
    pub skew: Option<PathBuf>,
    /// `[data.series]`, by name (sorted).
    pub series: Vec<NamedSeries>,
}

/// A file under `[data.series]`: the `series.NAME` of rules.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedSeries {
    pub name: String,
    pub path: PathBuf,
    /// A date-only row is known at the NYSE close (`nyse_close`) or at the end of its UTC day.
    pub utc_day_end: bool,
}

/// How a leg fills at a chain's quotes: at the mid less (selling) or plus (buying) the half-spread
/// paid, [`FillMode::paid`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FillMode {
    /// Sell at the bid, buy at the ask.
    Natural,
    /// At the mid.
    Mid,
    /// At mid -/+ this fraction of the spread (0.5 = natural, 0 = mid).
    SpreadFraction(f64),
}

impl FillMode {
    /// Price given up against the mid per share when trading a quote `bid` x `ask` (`ask >= bid`).
    pub fn paid(self, bid: f64, ask: f64) -> f64 {
        match self {
            FillMode::Natural => 0.5 * (ask - bid),
            FillMode::Mid => 0.0,
            FillMode::SpreadFraction(f) => f * (ask - bid),
        }
    }

    /// The label written to results (`natural`, `mid`, `spread_fraction 0.25`).
    pub fn label(self) -> String {
        match self {
            FillMode::Natural => "natural".into(),
            FillMode::Mid => "mid".into(),
            FillMode::SpreadFraction(f) => format!("spread_fraction {f}"),
        }
    }
}

/// The risk-free rate: a constant, or a file (with the constant where the file has no value).
#[derive(Debug, Clone, PartialEq)]
pub enum RateSpec {
    Constant(f64),
    File { path: PathBuf, column: Option<String>, unit: RateUnit, fallback: f64 },
}

/// When a condor is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntrySchedule {
    /// On the first trading day of each week that falls on or after this weekday.
    Weekday(Weekday),
    /// Every N trading days from the first day of the run.
    EveryNDays(u32),
    /// Whenever no condor is open.
    WhenFlat,
}

/// Short strike rule (a [`StrikeRule`] on the listed 5-point grid).
pub type StrikeSpec = StrikeRule;

/// Long wing: a width in index points from the short strike, or a target delta.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WingSpec {
    Width(f64),
    Delta(f64),
}

/// Position size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sizing {
    Contracts(u32),
    /// Fraction of equity put at risk (max loss) per condor.
    RiskFraction(f64),
}

/// Which expiries condors are opened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiries {
    /// Any trading day (SPXW), PM-settled on the close.
    Spxw,
    /// Monthly third Fridays, AM-settled on the open.
    Monthly,
}

/// The iron condor's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct CondorSpec {
    pub entry: EntrySchedule,
    pub target_dte_days: u32,
    pub short_put: StrikeSpec,
    pub short_call: StrikeSpec,
    pub wing: WingSpec,
    pub sizing: Sizing,
    pub max_concurrent: u32,
    pub profit_target_pct: Option<f64>,
    pub stop_loss_multiple: Option<f64>,
    pub exit_dte_days: Option<u32>,
    pub expiries: Expiries,
    /// Adjustments one condor and the positions it is rolled into may take (position rules).
    pub max_adjustments: u32,
}

/// A validated strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    pub name: String,
    pub description: String,
    pub data: DataSources,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub initial_usd: f64,
    /// Whether cash earns the risk-free rate.
    pub interest_on_cash: bool,
    pub rate: RateSpec,
    pub dividend_yield: f64,
    pub surface: SurfaceParams,
    pub condor: CondorSpec,
    /// Paid per leg per share against the model's mid (model-priced legs only when a chain prices).
    pub half_spread_usd: f64,
    pub commission_usd: f64,
    /// How legs fill at a chain's quotes.
    pub fills: FillMode,
    pub signals: super::rules::SignalSpec,
    pub rules: Vec<super::rules::Rule>,
    /// Problems that do not stop a run (a `[data.series]` file no rule reads), one line each.
    pub warnings: Vec<String>,
    /// The adaptive layered VIX-call hedge, when configured.
    pub hedge: Option<super::hedge::HedgeSpec>,
    /// The resolved configuration (defaults filled, overrides applied), for the results folder.
    pub resolved: RawStrategy,
}

struct Checker<'a> {
    place: &'a dyn Fn(&str) -> KeyPlace,
}

impl Checker<'_> {
    fn invalid(&self, key: &str, expected: impl Into<String>, found: impl std::fmt::Display) -> ConfigError {
        ConfigError::Invalid {
            place: Box::new((self.place)(key)),
            expected: expected.into(),
            found: found.to_string(),
            hint: String::new(),
        }
    }

    /// `x` finite and within `[lo, hi]` (open ends when the flags say so).
    fn range(&self, key: &str, x: f64, lo: f64, hi: f64, open_lo: bool) -> Result<f64, ConfigError> {
        let ok = x.is_finite() && (if open_lo { x > lo } else { x >= lo }) && x <= hi;
        if ok {
            Ok(x)
        } else {
            let l = if open_lo { "(" } else { "[" };
            Err(self.invalid(key, format!("a number in {l}{lo}, {hi}]"), x))
        }
    }

    fn choice<'s>(&self, key: &str, found: &str, allowed: &[&'s str]) -> Result<&'s str, ConfigError> {
        allowed.iter().find(|a| **a == found).copied().ok_or_else(|| ConfigError::Invalid {
            place: Box::new((self.place)(key)),
            expected: format!(
                "one of {}",
                allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ")
            ),
            found: format!("\"{found}\""),
            hint: did_you_mean(found, allowed),
        })
    }

    fn date(&self, key: &str, v: &Option<toml::Value>) -> Result<Option<NaiveDate>, ConfigError> {
        let Some(v) = v else { return Ok(None) };
        let text = match v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(toml::value::Datetime { date: Some(day), time: None, offset: None }) => {
                // A bare TOML date: its fields directly (no text to format and parse again).
                let (y, m, d) = (i32::from(day.year), u32::from(day.month), u32::from(day.day));
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                    return Ok(Some(date));
                }
                v.to_string()
            }
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            other => return Err(self.invalid(key, "a date YYYY-MM-DD", other)),
        };
        crate::time::parse_iso_date(&text)
            .map(Some)
            .ok_or_else(|| self.invalid(key, "a date YYYY-MM-DD", format!("\"{text}\"")))
    }

    fn strike(&self, key: &str, r: &RawRule) -> Result<StrikeSpec, ConfigError> {
        let value = format!("{key}.value");
        let rules = ["delta", "delta_formula", "points", "percent", "sd"];
        Ok(match self.choice(&format!("{key}.by"), &r.by, &rules)? {
            "delta" => StrikeRule::Delta(self.range(&value, r.value, 0.0, 0.99, true)?),
            "delta_formula" => StrikeRule::DeltaFormula(self.range(&value, r.value, 0.0, 0.99, true)?),
            "points" => StrikeRule::Points(self.range(&value, r.value, 0.0, 10_000.0, false)?),
            "percent" => StrikeRule::Percent(self.range(&value, r.value, 0.0, 0.9, false)?),
            _ => StrikeRule::StdDevs(self.range(&value, r.value, 0.0, 10.0, false)?),
        })
    }
}

fn resolve(base: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// The SPX surface of a `[model]` table: the smile checked (delta monotone in strike) and the
/// ATM ratio in (0, 3]. Errors name the keys through `place`.
pub fn surface_params(
    m: &super::raw::RawModel,
    place: &dyn Fn(&str) -> KeyPlace,
) -> Result<SurfaceParams, ConfigError> {
    let c = Checker { place };
    let smile = if m.smile {
        let s = Smile {
            put_slope: m.put_slope,
            put_curve: m.put_curve,
            call_slope: m.call_slope,
            call_curve: m.call_curve,
            m_min: m.m_min,
            m_max: m.m_max,
            floor: m.smile_floor,
            put_term: m.put_term,
            call_term: m.call_term,
            call_slope_term: m.call_slope_term,
        };
        s.validate().map_err(|e| c.invalid("model", "a smile with delta monotone in strike", e))?;
        s
    } else {
        Smile::flat()
    };
    let regime = Regime {
        atm_ratio: c.range("model.atm_ratio_vix", m.atm_ratio_vix, -2.0, 2.0, false)?,
        put_slope: c.range("model.put_slope_vix", m.put_slope_vix, -2.0, 2.0, false)?,
        call_slope: c.range("model.call_slope_vix", m.call_slope_vix, -2.0, 2.0, false)?,
        call_curve: c.range("model.call_curve_vix", m.call_curve_vix, -1.0, 1.0, false)?,
        atm_ratio_term: c.range("model.atm_ratio_term", m.atm_ratio_term, -3.0, 3.0, false)?,
    };
    // The flat model (`smile = false`, the condor-grid benchmark's) has no regime either: every
    // strike at atm_ratio x VIX (0.75 unless given).
    let regime = if m.smile { regime } else { Regime::default() };
    let (atm_ratio, atm) = match (m.atm_ratio, m.atm_scale) {
        (Some(_), Some(_)) => {
            return Err(c.invalid(
                "model.atm_scale",
                "one of model.atm_ratio (a fixed ATM / VIX ratio) and model.atm_scale (a scale on the level at which the smile reproduces VIX)",
                "both",
            ))
        }
        (Some(r), None) => (c.range("model.atm_ratio", r, 0.0, 3.0, true)?, AtmLevel::Ratio),
        (None, _) if !m.smile => (0.75, AtmLevel::Ratio),
        (None, scale) => {
            let scale = scale.unwrap_or(SurfaceParams::default().atm_ratio);
            (c.range("model.atm_scale", scale, 0.0, 3.0, true)?, AtmLevel::Variance)
        }
    };
    let p = SurfaceParams { atm_ratio, atm, smile, regime };
    p.validate()
        .map_err(|e| c.invalid("model", "a smile with delta monotone in strike at every VIX level", e))?;
    Ok(p)
}

/// Validate a raw strategy read from `path`.
pub fn validate(
    raw: RawStrategy,
    path: &Path,
    place: &dyn Fn(&str) -> KeyPlace,
) -> Result<Strategy, ConfigError> {
    let c = Checker { place };
    let base = path.parent().unwrap_or(Path::new("."));
    let opt = |p: &Option<String>| p.as_deref().map(|p| resolve(base, p));
    let d = &raw.data;
    let data = DataSources {
        spx: resolve(base, &d.spx),
        vix: resolve(base, &d.vix),
        vix9d: opt(&d.vix9d),
        vix3m: opt(&d.vix3m),
        vix6m: opt(&d.vix6m),
        vvix: opt(&d.vvix),
        vx_term: opt(&d.vx_term),
        vix_column: d.vix_column.clone(),
        spx_chain: opt(&d.spx_chain),
        vix_chain: opt(&d.vix_chain),
        skew: opt(&d.skew),
        series: named_series(&c, base, &d.series)?,
    };
    if raw.strategy.name.trim().is_empty() {
        return Err(c.invalid("strategy.name", "a non-empty name", "\"\""));
    }
    let (start, end) = (c.date("dates.start", &raw.dates.start)?, c.date("dates.end", &raw.dates.end)?);
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            return Err(c.invalid("dates.end", format!("a date after dates.start ({s})"), e));
        }
    }
    let r = &raw.rates;
    let fallback = c.range("rates.risk_free", r.risk_free, -0.05, 0.5, false)?;
    let rate = match &r.file {
        None => RateSpec::Constant(fallback),
        Some(f) => {
            let unit = match c.choice("rates.unit", &r.unit, &["percent", "decimal"])? {
                "percent" => RateUnit::Percent,
                _ => RateUnit::Decimal,
            };
            RateSpec::File { path: resolve(base, f), column: r.column.clone(), unit, fallback }
        }
    };
    let surface = surface_params(&raw.model, place)?;
    let condor = condor(&c, &raw)?;
    let hedge = raw.hedge.as_ref().map(|h| super::hedge::hedge(h, place)).transpose()?;
    if data.vix_chain.is_some() && hedge.is_none() {
        return Err(c.invalid(
            "data.vix_chain",
            "a [hedge] section whose VIX calls the chain prices (it prices nothing else)",
            "no [hedge]",
        ));
    }
    if raw.fills.is_some() && data.spx_chain.is_none() && data.vix_chain.is_none() {
        return Err(c.invalid(
            "fills",
            "data.spx_chain or data.vix_chain: [fills] says how chain quotes fill (model-priced legs pay costs.half_spread_usd)",
            "no chain",
        ));
    }
    let layer_names: Vec<String> =
        hedge.as_ref().map_or(Vec::new(), |h| h.layers.iter().map(|l| l.name.clone()).collect());
    let mut signals = super::rules::signals(&raw.signals, base, place)?;
    let has = |b: &Base| match b.needs() {
        None => true,
        Some(_) => match b {
            Base::Vix9d => data.vix9d.is_some(),
            Base::Vix3m => data.vix3m.is_some(),
            Base::Vix6m => data.vix6m.is_some(),
            Base::Vvix => data.vvix.is_some(),
            Base::Skew => data.skew.is_some(),
            Base::Vx(_) | Base::Vx30 => data.vx_term.is_some(),
            Base::Funding => signals.funding.is_some(),
            Base::LongLiq | Base::ShortLiq => signals.liquidations.is_some(),
            Base::Named(n) => data.series.iter().any(|s| &s.name == n),
            Base::Spx | Base::Vix => true,
        },
    };
    let loaded = super::rules::Loaded {
        has: &has,
        legacy: LegacyPeriods {
            rsi_days: raw.signals.rsi_days,
            realized_vol_days: raw.signals.realized_vol_days,
            funding_lookback: raw.signals.funding_lookback,
        },
    };
    let mut reg = super::rules::Registry::default();
    let rules = super::rules::rules(&raw.rules, &layer_names, &loaded, &mut reg, place)?;
    (signals.streams, signals.events) = (reg.streams, reg.events);
    let used = |name: &str| {
        signals.streams.iter().any(|s| {
            [Some(&s.of.num), s.of.den.as_ref()].into_iter().flatten().any(|b| *b == Base::Named(name.into()))
        })
    };
    let warnings = data
        .series
        .iter()
        .filter(|s| !used(&s.name))
        .map(|s| format!("{}: data.series.{} is loaded but no rule reads it", path.display(), s.name))
        .collect();
    Ok(Strategy {
        name: raw.strategy.name.clone(),
        description: raw.strategy.description.clone(),
        data,
        start,
        end,
        initial_usd: c.range("capital.initial_usd", raw.capital.initial_usd, 0.0, 1e12, true)?,
        interest_on_cash: raw.capital.interest_on_cash,
        rate,
        dividend_yield: c.range("rates.dividend_yield", r.dividend_yield, 0.0, 0.2, false)?,
        surface,
        condor,
        half_spread_usd: c.range("costs.half_spread_usd", raw.costs.half_spread_usd, 0.0, 100.0, false)?,
        commission_usd: c.range("costs.commission_usd", raw.costs.commission_usd, 0.0, 100.0, false)?,
        fills: fills(&c, raw.fills.as_ref())?,
        signals,
        rules,
        warnings,
        hedge,
        resolved: raw,
    })
}

/// Validate `[data.series]`: each a path or `{ path, known_at }`.
fn named_series(
    c: &Checker<'_>,
    base: &Path,
    raw: &std::collections::BTreeMap<String, super::raw::RawSeriesFile>,
) -> Result<Vec<NamedSeries>, ConfigError> {
    use super::raw::RawSeriesFile;
    raw.iter()
        .map(|(name, f)| {
            let key = format!("data.series.{name}");
            if name.is_empty() || !name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
                return Err(c.invalid(&key, "a name of letters, digits and _", name));
            }
            let (path, known_at) = match f {
                RawSeriesFile::Path(p) => (p, None),
                RawSeriesFile::Table(t) => (&t.path, t.known_at.as_deref()),
            };
            let utc_day_end = match known_at {
                None => false,
                Some(k) => {
                    c.choice(&format!("{key}.known_at"), k, &["nyse_close", "utc_day_end"])? == "utc_day_end"
                }
            };
            Ok(NamedSeries { name: name.clone(), path: resolve(base, path), utc_day_end })
        })
        .collect()
}

fn fills(c: &Checker<'_>, raw: Option<&super::raw::RawFills>) -> Result<FillMode, ConfigError> {
    let Some(f) = raw else { return Ok(FillMode::Natural) };
    let mode = c.choice("fills.mode", &f.mode, &["natural", "mid", "spread_fraction"])?;
    match (mode, f.spread_fraction) {
        ("spread_fraction", Some(x)) => {
            Ok(FillMode::SpreadFraction(c.range("fills.spread_fraction", x, 0.0, 1.0, false)?))
        }
        ("spread_fraction", None) => Err(c.invalid(
            "fills.spread_fraction",
            "a fraction of the spread in [0, 1] for mode = \"spread_fraction\"",
            "nothing",
        )),
        (_, Some(x)) => Err(c.invalid(
            "fills.spread_fraction",
            format!("no spread_fraction with mode = \"{mode}\" (it is used by mode = \"spread_fraction\")"),
            x,
        )),
        ("mid", None) => Ok(FillMode::Mid),
        _ => Ok(FillMode::Natural),
    }
}

fn condor(c: &Checker<'_>, raw: &RawStrategy) -> Result<CondorSpec, ConfigError> {
    let k = &raw.condor;
    let entry = match c.choice("condor.entry", &k.entry, &["weekday", "every_n_days", "when_flat"])? {
        "weekday" => {
            let day = k.weekday.as_deref().ok_or_else(|| {
                c.invalid("condor.weekday", "a weekday (\"mon\"..\"fri\") for entry = \"weekday\"", "nothing")
            })?;
            let days = ["mon", "tue", "wed", "thu", "fri"];
            let wd = c.choice("condor.weekday", day, &days)?;
            EntrySchedule::Weekday(
                [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
                    [days.iter().position(|d| *d == wd).unwrap_or(0)],
            )
        }
        "every_n_days" => {
            let n = k.every_n_days.ok_or_else(|| {
                c.invalid(
                    "condor.every_n_days",
                    "a number of trading days >= 1 for entry = \"every_n_days\"",
                    "nothing",
                )
            })?;
            EntrySchedule::EveryNDays(c.range("condor.every_n_days", n as f64, 1.0, 1000.0, false)? as u32)
        }
        _ => EntrySchedule::WhenFlat,
    };
    let dte = c.range("condor.target_dte_days", k.target_dte_days as f64, 1.0, 1000.0, false)? as u32;
    let short_put = c.strike("condor.short_put", &k.short_put)?;
    let short_call = c.strike("condor.short_call", &k.short_call)?;
    let wing = match c.choice("condor.wing.by", &k.wing.by, &["width", "delta"])? {
        "width" => WingSpec::Width(c.range("condor.wing.value", k.wing.value, 0.0, 5_000.0, true)?),
        _ => WingSpec::Delta(c.range("condor.wing.value", k.wing.value, 0.0, 0.99, true)?),
    };
    let sizing = match c.choice("condor.sizing.by", &k.sizing.by, &["contracts", "risk_fraction"])? {
        "contracts" => {
            let n = c.range("condor.sizing.value", k.sizing.value, 1.0, 100_000.0, false)?;
            if n.fract() != 0.0 {
                return Err(c.invalid("condor.sizing.value", "a whole number of contracts", n));
            }
            Sizing::Contracts(n as u32)
        }
        _ => Sizing::RiskFraction(c.range("condor.sizing.value", k.sizing.value, 0.0, 1.0, true)?),
    };
    let exit_dte = match k.exit_dte_days {
        Some(n) if n >= dte => {
            return Err(c.invalid(
                "condor.exit_dte_days",
                format!("fewer days than condor.target_dte_days ({dte})"),
                n,
            ))
        }
        other => other,
    };
    Ok(CondorSpec {
        entry,
        target_dte_days: dte,
        short_put,
        short_call,
        wing,
        sizing,
        max_concurrent: c.range("condor.max_concurrent", k.max_concurrent as f64, 1.0, 100.0, false)? as u32,
        profit_target_pct: k
            .profit_target_pct
            .map(|p| c.range("condor.profit_target_pct", p, 0.0, 100.0, true))
            .transpose()?,
        stop_loss_multiple: k
            .stop_loss_multiple
            .map(|x| c.range("condor.stop_loss_multiple", x, 0.0, 100.0, true))
            .transpose()?,
        exit_dte_days: exit_dte,
        max_adjustments: c.range(
            "condor.max_adjustments",
            f64::from(k.max_adjustments.unwrap_or(3)),
            0.0,
            100.0,
            false,
        )? as u32,
        expiries: match c.choice("condor.expiries", &k.expiries, &["spxw", "monthly"])? {
            "spxw" => Expiries::Spxw,
            _ => Expiries::Monthly,
        },
    })
}
