//! The `[hedge]` table (the adaptive layered VIX-call hedge, ALVH): its raw serde form and its
//! validated form. Every key has a documented default; ranges are checked here with the key's
//! path in the error.
//!
//! ```toml
//! [hedge]
//! budget = { by = "equity_per_year", value = 0.01 }  # or { by = "credit", value = 0.15 }
//! half_spread_usd = 0.05                # per share, each VIX option fill
//! schedule = { by = "future", levels = [15.0, 30.0, 50.0], scales = [0.0, 1.0, 0.5, 0.0] }
//! backwardation_scale = 1.5             # budget x this when VIX/VIX3M (or VX1/VX2) > 1
//!
//! [[hedge.layers]]
//! name = "front"
//! share = 0.6                           # of the budget
//! target_dte_days = 30                  # nearest VIX expiry to date + 30 days
//! strike = { by = "delta", value = 0.30 }   # or "offset" (points) / "percent" above the future
//! roll_dte_days = 7                     # sell at 7 days to expiry; 0 = hold to settlement
//! take_profit_multiple = 3.0            # sell when the bid is 3x the premium paid
//! monetise_vix_above = 35.0             # sell when spot VIX closes above 35
//! ```

use super::error::{did_you_mean, ConfigError, KeyPlace};
use serde::{Deserialize, Serialize};

/// `[hedge]` as written.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHedge {
    pub budget: RawBudget,
    /// Per share on every VIX option fill. Default 0.05.
    #[serde(default = "d_half_spread")]
    pub half_spread_usd: f64,
    pub schedule: Option<RawSchedule>,
    /// Budget multiplier when the term structure is in backwardation. Default 1.
    #[serde(default = "d_one")]
    pub backwardation_scale: f64,
    /// Budget multiplier in contango. Default 1.
    #[serde(default = "d_one")]
    pub contango_scale: f64,
    /// VVIX level when no VVIX file is given. Default 90.
    #[serde(default = "d_vvix")]
    pub default_vvix: f64,
    /// The VIX options' vol model (`pricing::VixVolParams`; `ironhedge calibrate` fits all six to
    /// a VIX chain): multiplier on the VVIX-based vol-of-vol (default 1), the call skew (1), the
    /// ln(K/F) over which it flattens (infinite: a straight skew), the exponents of the vol's and
    /// the skew's term scaling `(30 / days)^e` (0.25, 0), and the expiry below which the scaling
    /// stops (7 days).
    #[serde(default = "d_vol_scale", skip_serializing_if = "is_default_vol_scale")]
    pub vol_scale: f64,
    #[serde(default = "d_call_skew", skip_serializing_if = "is_default_call_skew")]
    pub call_skew: f64,
    #[serde(default = "d_call_skew_scale", skip_serializing_if = "is_default_call_skew_scale")]
    pub call_skew_scale: f64,
    #[serde(default = "d_term_exponent", skip_serializing_if = "is_default_term_exponent")]
    pub vol_term_exponent: f64,
    #[serde(default = "d_skew_term_exponent", skip_serializing_if = "is_default_skew_term_exponent")]
    pub skew_term_exponent: f64,
    #[serde(default = "d_vol_min_days", skip_serializing_if = "is_default_vol_min_days")]
    pub vol_min_days: f64,
    /// Long-run level of the VIX futures model (used without a term-structure file). Default 25.
    #[serde(default = "d_theta")]
    pub futures_theta: f64,
    /// Mean-reversion speed per year of the futures model. Default 2.
    #[serde(default = "d_kappa")]
    pub futures_kappa: f64,
    /// Calendar days a layer waits after a monetisation before it buys again. Default 5.
    #[serde(default = "d_cooldown")]
    pub rebuy_cooldown_days: u32,
    /// The VIX strikes the layers may buy: `"cboe"` (the default: Cboe's listing history), a step,
    /// or a table of eras (see `config::strike_grid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strike_grid: Option<toml::Value>,
    pub layers: Vec<RawLayer>,
}

/// `{ by = "equity_per_year" | "credit", value = x }`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudget {
    pub by: String,
    pub value: f64,
}

/// The regime schedule: `scales[i]` applies when `levels[i-1] < x <= levels[i]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchedule {
    /// `"future"` (the layer's own-expiry VIX future) or `"vix"` (spot).
    pub by: String,
    pub levels: Vec<f64>,
    pub scales: Vec<f64>,
}

/// One `[[hedge.layers]]` entry as written.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLayer {
    pub name: String,
    pub share: f64,
    pub target_dte_days: u32,
    pub strike: super::raw::RawRule,
    /// Default 0 (hold to settlement).
    #[serde(default)]
    pub roll_dte_days: u32,
    pub take_profit_multiple: Option<f64>,
    pub monetise_vix_above: Option<f64>,
    pub monetise_future_above: Option<f64>,
    /// `"always"` (default) or `"rule"` (buys only on days an `add_hedge_layer` rule names it).
    #[serde(default = "d_always")]
    pub trigger: String,
}

fn d_half_spread() -> f64 {
    0.05
}
/// The defaults of the VIX vol keys and their "is the default" tests (defaults are left out of
/// the resolved configuration).
macro_rules! vol_default {
    ($d:ident, $is:ident, $field:ident) => {
        fn $d() -> f64 {
            crate::pricing::VixVolParams::default().$field
        }
        fn $is(x: &f64) -> bool {
            *x == $d()
        }
    };
}
vol_default!(d_vol_scale, is_default_vol_scale, vvix_scale);
vol_default!(d_call_skew, is_default_call_skew, call_skew);
vol_default!(d_call_skew_scale, is_default_call_skew_scale, call_skew_scale);
vol_default!(d_term_exponent, is_default_term_exponent, term_exponent);
vol_default!(d_skew_term_exponent, is_default_skew_term_exponent, skew_term_exponent);
vol_default!(d_vol_min_days, is_default_vol_min_days, min_days);

fn d_one() -> f64 {
    1.0
}
fn d_vvix() -> f64 {
    90.0
}
fn d_theta() -> f64 {
    crate::pricing::FuturesModel::default().theta
}
fn d_kappa() -> f64 {
    crate::pricing::FuturesModel::default().kappa
}
fn d_cooldown() -> u32 {
    5
}
fn d_always() -> String {
    "always".into()
}

/// How the hedge budget is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    /// Premium per year as a fraction of equity, spent pro rata to each purchase's planned holding
    /// period: `equity x fraction x share x scale x held_days / 365`.
    EquityPerYear(f64),
    /// A fraction of the condor credit collected (USD), accrued per layer by share and spent at
    /// the layer's next purchase.
    Credit(f64),
}

/// What the regime schedule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleBy {
    /// The VIX future of the layer's expiry.
    Future,
    /// Spot VIX.
    Vix,
}

/// A step function of a level: `scales[i]` for `levels[i-1] < x <= levels[i]`, the last scale
/// above the last level. Cboe VXTH: levels 15, 30, 50 and scales 0, 1, 0.5, 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub by: ScheduleBy,
    pub levels: Vec<f64>,
    pub scales: Vec<f64>,
}

impl Schedule {
    /// The scale at level `x`.
    pub fn scale(&self, x: f64) -> f64 {
        self.scales[self.levels.partition_point(|l| *l < x)]
    }
}

/// How a layer's strike is chosen (VIX strikes are listed on a 1-point grid).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HedgeStrike {
    /// Black-76 call delta on the same-expiry future, with the strike's own smile vol.
    Delta(f64),
    /// Points above the same-expiry future.
    Offset(f64),
    /// Percent above the same-expiry future (20 = 20%).
    Percent(f64),
}

/// Whether a layer buys on every opportunity or only when a rule asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Always,
    Rule,
}

/// A validated hedge layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSpec {
    pub name: String,
    pub share: f64,
    pub target_dte_days: u32,
    pub strike: HedgeStrike,
    /// Sell at this many calendar days to expiry; 0 = hold to settlement.
    pub roll_dte_days: u32,
    pub take_profit_multiple: Option<f64>,
    pub monetise_vix_above: Option<f64>,
    pub monetise_future_above: Option<f64>,
    pub trigger: Trigger,
}

/// The validated `[hedge]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct HedgeSpec {
    pub budget: Budget,
    pub half_spread_usd: f64,
    pub schedule: Option<Schedule>,
    pub backwardation_scale: f64,
    pub contango_scale: f64,
    pub default_vvix: f64,
    /// Multiplier on the VVIX-based vol-of-vol.
    pub vol_scale: f64,
    /// Upward skew of VIX call vols.
    pub call_skew: f64,
    /// Exponent of the vol-of-vol's term scaling.
    pub vol_term_exponent: f64,
    /// The ln(K/F) over which the call skew flattens (infinite: a straight skew).
    pub call_skew_scale: f64,
    /// Exponent of the call skew's term scaling.
    pub skew_term_exponent: f64,
    /// Expiries nearer than this many days are scaled as this many.
    pub vol_min_days: f64,
    pub futures: crate::pricing::FuturesModel,
    pub rebuy_cooldown_days: u32,
    /// The VIX strikes listed on a day for an expiry so many days away.
    pub strike_grid: crate::pricing::StrikeListing,
    pub layers: Vec<LayerSpec>,
}

struct Check<'a> {
    place: &'a dyn Fn(&str) -> KeyPlace,
}

impl Check<'_> {
    fn invalid(
        &self,
        key: &str,
        expected: impl Into<String>,
        found: impl ToString,
        hint: String,
    ) -> ConfigError {
        ConfigError::Invalid {
            place: Box::new((self.place)(key)),
            expected: expected.into(),
            found: found.to_string(),
            hint,
        }
    }

    fn range(&self, key: &str, x: f64, lo: f64, hi: f64) -> Result<f64, ConfigError> {
        if x.is_finite() && x >= lo && x <= hi {
            Ok(x)
        } else {
            Err(self.invalid(key, format!("a number in [{lo}, {hi}]"), x, String::new()))
        }
    }

    fn positive(&self, key: &str, x: f64, hi: f64) -> Result<f64, ConfigError> {
        if x.is_finite() && x > 0.0 && x <= hi {
            Ok(x)
        } else {
            Err(self.invalid(key, format!("a number in (0, {hi}]"), x, String::new()))
        }
    }

    fn choice<'s>(&self, key: &str, found: &str, allowed: &[&'s str]) -> Result<&'s str, ConfigError> {
        allowed.iter().find(|a| **a == found).copied().ok_or_else(|| {
            let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
            self.invalid(
                key,
                format!("one of {}", list.join(", ")),
                format!("\"{found}\""),
                did_you_mean(found, allowed),
            )
        })
    }
}

/// Validate `[hedge]`.
pub fn hedge(raw: &RawHedge, place: &dyn Fn(&str) -> KeyPlace) -> Result<HedgeSpec, ConfigError> {
    let c = Check { place };
    let budget = match c.choice("hedge.budget.by", &raw.budget.by, &["equity_per_year", "credit"])? {
        "equity_per_year" => {
            Budget::EquityPerYear(c.positive("hedge.budget.value", raw.budget.value, 1.0)?)
        }
        _ => Budget::Credit(c.positive("hedge.budget.value", raw.budget.value, 1.0)?),
    };
    let schedule = raw.schedule.as_ref().map(|s| schedule(&c, s)).transpose()?;
    if raw.layers.is_empty() {
        return Err(c.invalid("hedge.layers", "at least one [[hedge.layers]] entry", "none", String::new()));
    }
    if raw.layers.len() > 16 {
        return Err(c.invalid("hedge.layers", "at most 16 layers", raw.layers.len(), String::new()));
    }
    let layers =
        raw.layers.iter().enumerate().map(|(i, l)| layer(&c, i, l)).collect::<Result<Vec<_>, _>>()?;
    for (i, l) in layers.iter().enumerate() {
        if layers[..i].iter().any(|o| o.name == l.name) {
            return Err(c.invalid(
                &format!("hedge.layers[{i}].name"),
                "a name no other layer has",
                &l.name,
                String::new(),
            ));
        }
    }
    let total: f64 = layers.iter().map(|l| l.share).sum();
    if total > 1.0 + 1e-9 {
        return Err(c.invalid("hedge.layers", "shares that sum to at most 1", total, String::new()));
    }
    Ok(HedgeSpec {
        strike_grid: super::strike_grid::strike_grid(raw.strike_grid.as_ref(), place)?,
        budget,
        half_spread_usd: c.range("hedge.half_spread_usd", raw.half_spread_usd, 0.0, 10.0)?,
        schedule,
        backwardation_scale: c.range("hedge.backwardation_scale", raw.backwardation_scale, 0.0, 100.0)?,
        contango_scale: c.range("hedge.contango_scale", raw.contango_scale, 0.0, 100.0)?,
        default_vvix: c.positive("hedge.default_vvix", raw.default_vvix, 500.0)?,
        vol_scale: c.positive("hedge.vol_scale", raw.vol_scale, 10.0)?,
        call_skew: c.range("hedge.call_skew", raw.call_skew, 0.0, 5.0)?,
        vol_term_exponent: c.range("hedge.vol_term_exponent", raw.vol_term_exponent, 0.0, 2.0)?,
        call_skew_scale: if raw.call_skew_scale == f64::INFINITY {
            f64::INFINITY
        } else {
            c.range("hedge.call_skew_scale", raw.call_skew_scale, 0.02, 10.0)?
        },
        skew_term_exponent: c.range("hedge.skew_term_exponent", raw.skew_term_exponent, 0.0, 2.0)?,
        vol_min_days: c.range("hedge.vol_min_days", raw.vol_min_days, 1.0, 120.0)?,
        futures: crate::pricing::FuturesModel {
            theta: c.positive("hedge.futures_theta", raw.futures_theta, 200.0)?,
            kappa: c.range("hedge.futures_kappa", raw.futures_kappa, 0.0, 50.0)?,
        },
        rebuy_cooldown_days: c.range(
            "hedge.rebuy_cooldown_days",
            raw.rebuy_cooldown_days as f64,
            0.0,
            365.0,
        )? as u32,
        layers,
    })
}

fn schedule(c: &Check<'_>, s: &RawSchedule) -> Result<Schedule, ConfigError> {
    let by = match c.choice("hedge.schedule.by", &s.by, &["future", "vix"])? {
        "future" => ScheduleBy::Future,
        _ => ScheduleBy::Vix,
    };
    for (i, l) in s.levels.iter().enumerate() {
        c.positive(&format!("hedge.schedule.levels[{i}]"), *l, 1000.0)?;
    }
    for (i, w) in s.levels.windows(2).enumerate() {
        if w[1] <= w[0] {
            return Err(c.invalid(
                &format!("hedge.schedule.levels[{}]", i + 1),
                format!("levels in ascending order (above {})", w[0]),
                w[1],
                String::new(),
            ));
        }
    }
    if s.scales.len() != s.levels.len() + 1 {
        return Err(c.invalid(
            "hedge.schedule.scales",
            format!("{} scales (one more than the {} levels)", s.levels.len() + 1, s.levels.len()),
            s.scales.len(),
            String::new(),
        ));
    }
    for (i, x) in s.scales.iter().enumerate() {
        c.range(&format!("hedge.schedule.scales[{i}]"), *x, 0.0, 100.0)?;
    }
    Ok(Schedule { by, levels: s.levels.clone(), scales: s.scales.clone() })
}

fn layer(c: &Check<'_>, i: usize, l: &RawLayer) -> Result<LayerSpec, ConfigError> {
    let key = |k: &str| format!("hedge.layers[{i}].{k}");
    if l.name.trim().is_empty()
        || !l.name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
    {
        return Err(c.invalid(
            &key("name"),
            "a name of letters, digits, '_' or '-'",
            format!("\"{}\"", l.name),
            String::new(),
        ));
    }
    let dte = c.range(&key("target_dte_days"), l.target_dte_days as f64, 1.0, 400.0)? as u32;
    if l.roll_dte_days >= dte {
        return Err(c.invalid(
            &key("roll_dte_days"),
            format!("fewer days than target_dte_days ({dte})"),
            l.roll_dte_days,
            String::new(),
        ));
    }
    let value = key("strike.value");
    let strike = match c.choice(&key("strike.by"), &l.strike.by, &["delta", "offset", "percent"])? {
        "delta" => HedgeStrike::Delta(c.positive(&value, l.strike.value, 0.99)?),
        "offset" => HedgeStrike::Offset(c.range(&value, l.strike.value, 0.0, 200.0)?),
        _ => HedgeStrike::Percent(c.range(&value, l.strike.value, 0.0, 1000.0)?),
    };
    let opt = |k: &str, x: Option<f64>, lo: f64, hi: f64| {
        x.map(|x| {
            if x.is_finite() && x > lo && x <= hi {
                Ok(x)
            } else {
                Err(c.invalid(&key(k), format!("a number in ({lo}, {hi}]"), x, String::new()))
            }
        })
        .transpose()
    };
    Ok(LayerSpec {
        name: l.name.clone(),
        share: c.positive(&key("share"), l.share, 1.0)?,
        target_dte_days: dte,
        strike,
        roll_dte_days: l.roll_dte_days,
        take_profit_multiple: opt("take_profit_multiple", l.take_profit_multiple, 1.0, 1000.0)?,
        monetise_vix_above: opt("monetise_vix_above", l.monetise_vix_above, 0.0, 500.0)?,
        monetise_future_above: opt("monetise_future_above", l.monetise_future_above, 0.0, 500.0)?,
        trigger: match c.choice(&key("trigger"), &l.trigger, &["always", "rule"])? {
            "always" => Trigger::Always,
            _ => Trigger::Rule,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vxth_schedule_steps() {
        let s = Schedule {
            by: ScheduleBy::Future,
            levels: vec![15.0, 30.0, 50.0],
            scales: vec![0.0, 1.0, 0.5, 0.0],
        };
        assert_eq!(s.scale(12.0), 0.0);
        assert_eq!(s.scale(15.0), 0.0, "none with the future <= 15");
        assert_eq!(s.scale(15.01), 1.0);
        assert_eq!(s.scale(30.0), 1.0);
        assert_eq!(s.scale(30.5), 0.5);
        assert_eq!(s.scale(50.0), 0.5);
        assert_eq!(s.scale(50.1), 0.0);
    }
}
