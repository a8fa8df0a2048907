//! The strategy file as written: serde structs that mirror the TOML one to one, with every
//! default stated. Unknown keys are rejected (`deny_unknown_fields`) so a typo never silently
//! falls back to a default. Ranges are checked later, in `config::validate`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStrategy {
    pub strategy: RawMeta,
    pub data: RawData,
    #[serde(default)]
    pub dates: RawDates,
    #[serde(default)]
    pub capital: RawCapital,
    #[serde(default)]
    pub rates: RawRates,
    #[serde(default)]
    pub model: RawModel,
    pub condor: RawCondor,
    #[serde(default)]
    pub costs: RawCosts,
    /// How quotes fill when a chain prices the legs (absent: natural).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fills: Option<RawFills>,
    #[serde(default)]
    pub signals: RawSignals,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RawRuleSet>,
    /// The adaptive layered VIX-call hedge (none when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hedge: Option<super::hedge::RawHedge>,
    /// Parameter sweep (validated by the sweep engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<toml::Table>,
}

/// Replace section `name` of `raw` by `table` deserialized: `Ok(None)` for a section that is not a
/// plain table (`rules`, `sweep`) or not a section at all.
pub fn patch_section(
    raw: &mut RawStrategy,
    name: &str,
    table: toml::Table,
) -> Result<Option<()>, toml::de::Error> {
    let v = toml::Value::Table(table);
    match name {
        "strategy" => raw.strategy = v.try_into()?,
        "data" => raw.data = v.try_into()?,
        "dates" => raw.dates = v.try_into()?,
        "capital" => raw.capital = v.try_into()?,
        "rates" => raw.rates = v.try_into()?,
        "model" => raw.model = v.try_into()?,
        "condor" => raw.condor = v.try_into()?,
        "costs" => raw.costs = v.try_into()?,
        "fills" => raw.fills = Some(v.try_into()?),
        "signals" => raw.signals = v.try_into()?,
        "hedge" => raw.hedge = Some(v.try_into()?),
        _ => return Ok(None),
    }
    Ok(Some(()))
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Data files, relative to the strategy file's folder.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    pub spx: String,
    pub vix: String,
    pub vix9d: Option<String>,
    pub vix3m: Option<String>,
    pub vix6m: Option<String>,
    pub vvix: Option<String>,
    pub vx_term: Option<String>,
    /// The column of the VIX file that holds VIX (default: its `close`, or its only value column).
    pub vix_column: Option<String>,
    /// An SPX option chain (canonical chain schema): condor legs priced from its quotes on the
    /// dates it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spx_chain: Option<String>,
    /// A VIX option chain: the hedge's calls priced from its quotes on the dates it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vix_chain: Option<String>,
    /// Cboe SKEW index daily (`date,skew` or bars): the `skew` series of rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skew: Option<String>,
    /// Extra series for rules, `series.NAME`: a path, or `{ path = "...", known_at = "nyse_close" |
    /// "utc_day_end" }`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub series: std::collections::BTreeMap<String, RawSeriesFile>,
}

/// A file under `[data.series]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawSeriesFile {
    Path(String),
    Table(RawSeriesTable),
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeriesTable {
    pub path: String,
    /// When a date-only row becomes known: `"nyse_close"` (default) or `"utc_day_end"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_at: Option<String>,
}

/// Run window; dates are TOML dates (`2014-01-02`) or strings (`"2014-01-02"`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDates {
    pub start: Option<toml::Value>,
    pub end: Option<toml::Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapital {
    /// Starting cash. Default 100,000.
    #[serde(default = "d_capital")]
    pub initial_usd: f64,
    /// Credit the risk-free rate on cash every day. Default true.
    #[serde(default = "d_true")]
    pub interest_on_cash: bool,
}

impl Default for RawCapital {
    fn default() -> Self {
        RawCapital { initial_usd: d_capital(), interest_on_cash: true }
    }
}

/// Risk-free rate (continuous, decimal) and SPX dividend yield.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRates {
    /// Constant risk-free rate when no file is given. Default 0.02.
    #[serde(default = "d_rate")]
    pub risk_free: f64,
    /// Optional rates file (canonical rates schema); overrides `risk_free` where it has values.
    pub file: Option<String>,
    /// Column of the rates file (default: `rate` or the only value column).
    pub column: Option<String>,
    /// `"percent"` (default) or `"decimal"`.
    #[serde(default = "d_percent")]
    pub unit: String,
    /// SPX dividend yield. Default 0.015.
    #[serde(default = "d_div")]
    pub dividend_yield: f64,
}

impl Default for RawRates {
    fn default() -> Self {
        RawRates { risk_free: d_rate(), file: None, column: None, unit: d_percent(), dividend_yield: d_div() }
    }
}

/// Pricing-model parameters; defaults are those documented in `ironhedge::pricing`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    /// A fixed ATM / index ratio (`pricing::AtmLevel::Ratio`); absent, the ATM level is the one at
    /// which the smile reproduces the index, times `atm_scale`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atm_ratio: Option<f64>,
    /// Scale on the variance-consistent ATM level (default `SurfaceParams::default()`'s, the
    /// fitted 0.9226; not with `atm_ratio`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atm_scale: Option<f64>,
    #[serde(default = "d_put_slope")]
    pub put_slope: f64,
    #[serde(default = "d_put_curve")]
    pub put_curve: f64,
    #[serde(default = "d_call_slope")]
    pub call_slope: f64,
    #[serde(default = "d_call_curve")]
    pub call_curve: f64,
    #[serde(default = "d_m_min")]
    pub m_min: f64,
    #[serde(default = "d_m_max")]
    pub m_max: f64,
    #[serde(default = "d_floor")]
    pub smile_floor: f64,
    /// The put and call wings scale with `(days / 30)^put_term` and `^call_term`
    /// (`pricing::Smile::put_term`, `call_term`).
    #[serde(default = "d_put_term")]
    pub put_term: f64,
    #[serde(default = "d_call_term")]
    pub call_term: f64,
    /// The call slope's extra exponent: it scales with `(days / 30)^(call_term +
    /// call_slope_term)` (`pricing::Smile::call_slope_term`).
    #[serde(default = "d_call_slope_term")]
    pub call_slope_term: f64,
    /// `false` prices every strike at the ATM vol (the condor-grid benchmark's flat model).
    #[serde(default = "d_true")]
    pub smile: bool,
    /// Change of `atm_ratio`, `put_slope` and `call_slope` per unit of ln(VIX / 20) (the regime;
    /// `pricing::Regime`).
    #[serde(default = "d_atm_ratio_vix", skip_serializing_if = "is_d_atm_ratio_vix")]
    pub atm_ratio_vix: f64,
    #[serde(default = "d_put_slope_vix", skip_serializing_if = "is_d_put_slope_vix")]
    pub put_slope_vix: f64,
    #[serde(default = "d_call_slope_vix", skip_serializing_if = "is_d_call_slope_vix")]
    pub call_slope_vix: f64,
    #[serde(default = "d_call_curve_vix", skip_serializing_if = "is_d_call_curve_vix")]
    pub call_curve_vix: f64,
    /// Change of the ATM ratio (or scale) per unit of the term slope's departure from its usual
    /// value at that VIX level (`pricing::Regime::atm_ratio_term`; read only with `data.vix3m`).
    #[serde(default = "d_atm_ratio_term", skip_serializing_if = "is_d_atm_ratio_term")]
    pub atm_ratio_term: f64,
}

/// The regime defaults and their "is the default" tests (defaults stay out of the resolved
/// configuration, so configurations written before the regime read the same).
macro_rules! regime_default {
    ($d:ident, $is:ident, $field:ident) => {
        fn $d() -> f64 {
            crate::pricing::SurfaceParams::default().regime.$field
        }
        fn $is(x: &f64) -> bool {
            *x == $d()
        }
    };
}
regime_default!(d_atm_ratio_vix, is_d_atm_ratio_vix, atm_ratio);
regime_default!(d_put_slope_vix, is_d_put_slope_vix, put_slope);
regime_default!(d_call_slope_vix, is_d_call_slope_vix, call_slope);
regime_default!(d_call_curve_vix, is_d_call_curve_vix, call_curve);
regime_default!(d_atm_ratio_term, is_d_atm_ratio_term, atm_ratio_term);

impl Default for RawModel {
    fn default() -> Self {
        RawModel {
            atm_ratio: None,
            atm_scale: None,
            put_slope: d_put_slope(),
            put_curve: d_put_curve(),
            call_slope: d_call_slope(),
            call_curve: d_call_curve(),
            m_min: d_m_min(),
            m_max: d_m_max(),
            smile_floor: d_floor(),
            put_term: d_put_term(),
            call_term: d_call_term(),
            call_slope_term: d_call_slope_term(),
            smile: true,
            atm_ratio_vix: d_atm_ratio_vix(),
            put_slope_vix: d_put_slope_vix(),
            call_slope_vix: d_call_slope_vix(),
            call_curve_vix: d_call_curve_vix(),
            atm_ratio_term: d_atm_ratio_term(),
        }
    }
}

/// A strike or wing rule: `{ by = "delta" | "points" | "percent" | "sd" | "width", value = x }`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub by: String,
    pub value: f64,
}

/// Position sizing: `{ by = "contracts", value = 1 }` or `{ by = "risk_fraction", value = 0.05 }`.
pub type RawSizing = RawRule;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondor {
    /// `"weekday"`, `"every_n_days"` or `"when_flat"`.
    pub entry: String,
    /// For `entry = "weekday"`: `"mon"`..`"fri"`.
    pub weekday: Option<String>,
    /// For `entry = "every_n_days"`: trading days between entries.
    pub every_n_days: Option<u32>,
    pub target_dte_days: u32,
    pub short_put: RawRule,
    pub short_call: RawRule,
    pub wing: RawRule,
    pub sizing: RawSizing,
    /// Condors open at once. Default 1.
    #[serde(default = "d_one")]
    pub max_concurrent: u32,
    /// Close when the condor can be bought back for (100 - this)% of its credit.
    pub profit_target_pct: Option<f64>,
    /// Close when the buy-back cost reaches this multiple of the credit.
    pub stop_loss_multiple: Option<f64>,
    /// Close at this many calendar days to expiry.
    pub exit_dte_days: Option<u32>,
    /// Expiries: `"spxw"` (any trading day, PM-settled on the close; default) or `"monthly"`
    /// (third Fridays, AM-settled on the open).
    #[serde(default = "d_spxw")]
    pub expiries: String,
    /// Position rules' adjustments one condor (and what it is rolled into) may take. Default 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_adjustments: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCosts {
    /// Paid per leg per share on every model-priced fill: fills at model mid -/+ this (legs priced
    /// from a chain's quotes fill by `[fills]` instead). Default 0.05.
    #[serde(default = "d_half_spread")]
    pub half_spread_usd: f64,
    /// Per contract per leg on every fill except expiry settlement. Default 0.65.
    #[serde(default = "d_commission")]
    pub commission_usd: f64,
}

/// Fills at a chain's quotes: `mode = "natural"` (sell at the bid, buy at the ask; the default),
/// `"mid"`, or `"spread_fraction"` with `spread_fraction = f` (mid -/+ f x spread).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFills {
    #[serde(default = "d_natural")]
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread_fraction: Option<f64>,
}

fn d_natural() -> String {
    "natural".into()
}

impl Default for RawCosts {
    fn default() -> Self {
        RawCosts { half_spread_usd: d_half_spread(), commission_usd: d_commission() }
    }
}

fn d_capital() -> f64 {
    100_000.0
}
fn d_rate() -> f64 {
    0.02
}
fn d_div() -> f64 {
    0.015
}
fn d_percent() -> String {
    "percent".into()
}
fn d_spxw() -> String {
    "spxw".into()
}
fn d_one() -> u32 {
    1
}
fn d_true() -> bool {
    true
}
fn d_half_spread() -> f64 {
    0.05
}
fn d_commission() -> f64 {
    0.65
}
fn d_put_slope() -> f64 {
    crate::pricing::Smile::default().put_slope
}
fn d_put_curve() -> f64 {
    crate::pricing::Smile::default().put_curve
}
fn d_call_slope() -> f64 {
    crate::pricing::Smile::default().call_slope
}
fn d_call_curve() -> f64 {
    crate::pricing::Smile::default().call_curve
}
fn d_m_min() -> f64 {
    crate::pricing::Smile::default().m_min
}
fn d_m_max() -> f64 {
    crate::pricing::Smile::default().m_max
}
fn d_put_term() -> f64 {
    crate::pricing::Smile::default().put_term
}
fn d_call_term() -> f64 {
    crate::pricing::Smile::default().call_term
}
fn d_call_slope_term() -> f64 {
    crate::pricing::Smile::default().call_slope_term
}
fn d_floor() -> f64 {
    crate::pricing::Smile::default().floor
}

/// Signal settings; `liquidations` is an optional data file (events or buckets).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignals {
    pub liquidations: Option<String>,
    #[serde(default = "d_window_h")]
    pub cascade_window_hours: f64,
    /// Long liquidations in the window (USD) that make a cascade; none = z-score only.
    pub cascade_threshold_usd: Option<f64>,
    /// Trailing z-score (log notional) that makes a cascade; none = threshold only.
    pub cascade_zscore: Option<f64>,
    #[serde(default = "d_lookback")]
    pub cascade_lookback: u32,
    #[serde(default = "d_cooldown_h")]
    pub cascade_cooldown_hours: f64,
    /// How long `cascade_active` stays 1 after a cascade fires.
    #[serde(default = "d_active_h")]
    pub cascade_active_hours: f64,
    #[serde(default = "d_rsi")]
    pub rsi_days: u32,
    #[serde(default = "d_rv")]
    pub realized_vol_days: u32,
    /// Optional funding-rate file (settlements, or an OHLC export whose close is the rate).
    pub funding: Option<String>,
    /// Settlements in the trailing window of `funding_zscore`. Default 90.
    #[serde(default = "d_funding_lookback")]
    pub funding_lookback: u32,
    /// Optional macro calendar (`date,event[,time]`) for the signal `sessions_to_event`.
    pub calendar: Option<String>,
    /// Which calendar events count (names containing any of these, case-insensitive); default all.
    #[serde(default)]
    pub calendar_events: Vec<String>,
}

impl Default for RawSignals {
    fn default() -> Self {
        RawSignals {
            liquidations: None,
            cascade_window_hours: d_window_h(),
            cascade_threshold_usd: None,
            cascade_zscore: None,
            cascade_lookback: d_lookback(),
            cascade_cooldown_hours: d_cooldown_h(),
            cascade_active_hours: d_active_h(),
            rsi_days: d_rsi(),
            realized_vol_days: d_rv(),
            funding: None,
            funding_lookback: d_funding_lookback(),
            calendar: None,
            calendar_events: Vec::new(),
        }
    }
}

/// One condition: a named signal compared (`{ signal = "vix", op = ">", value = 30 }`), a function
/// of a series compared (`{ signal = "rsi", of = "vx1", periods = 14, op = ">", value = 70 }`), or
/// an event (`{ signal = "crosses_above", of = "vix", other = "vix3m" }`, no `op`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub signal: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The series the function reads (`vix`, `vx1`, `vix/vix3m`, `series.NAME`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    /// For a cross: the other series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
    /// For a cross: a fixed level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fast: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smooth: Option<i64>,
    /// For `macd_divergence`: rows looked back for the earlier low (or high).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<i64>,
    /// For `macd_divergence`: `"bullish"` (default) or `"bearish"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
}

/// A rule: conditions combined with `all` (every one) or `any` (at least one), and an action.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRuleSet {
    #[serde(default)]
    pub all: Vec<RawCondition>,
    #[serde(default)]
    pub any: Vec<RawCondition>,
    /// `"skip_entry"`, `"reduce_size"` (`factor`), `"close_all"`, `"widen_wings"` (`points`),
    /// `"move_strikes_out"` (`points`), `"scale_hedge"` (`factor`, optional `layer`),
    /// `"add_hedge_layer"` (`layer`), or on each open condor the rule matches
    /// `"roll_tested_side"` (`to_delta`), `"roll_out"` (`target_dte_days`), `"close_tested_side"`,
    /// `"close_position"`.
    pub action: String,
    pub factor: Option<f64>,
    pub points: Option<f64>,
    pub layer: Option<String>,
    /// `roll_tested_side`: the new short strike's delta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_delta: Option<f64>,
    /// `roll_out`: the new expiry's target days to expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_dte_days: Option<u32>,
}

fn d_window_h() -> f64 {
    24.0
}
fn d_lookback() -> u32 {
    30
}
fn d_cooldown_h() -> f64 {
    72.0
}
fn d_active_h() -> f64 {
    48.0
}
fn d_rsi() -> u32 {
    14
}
fn d_rv() -> u32 {
    20
}
fn d_funding_lookback() -> u32 {
    90
}
