//! Signals and rules as validated types: which named signals exist, how a condition compares, and
//! what a rule does when it holds.

use super::error::{did_you_mean, ConfigError, KeyPlace};
use super::raw::{RawCondition, RawRuleSet, RawSignals};
use std::path::{Path, PathBuf};

/// The named signals rules can read (values at the decision instant, from the past only).
pub const SIGNALS: &[&str] = &[
    "vix",
    "vix_term_ratio",
    "vx1_vx2_ratio",
    "spx_rsi",
    "spx_macd_hist",
    "spx_realized_vol",
    "cascade_active",
    "long_liq_share",
    "funding_rate",
    "funding_zscore",
    "sessions_to_event",
];

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    pub fn holds(self, x: f64, v: f64) -> bool {
        match self {
            Op::Gt => x > v,
            Op::Ge => x >= v,
            Op::Lt => x < v,
            Op::Le => x <= v,
        }
    }
}

/// `signal op value`; a signal without a value yet (warm-up, no VIX3M, no liquidation data) never
/// satisfies a condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub signal: &'static str,
    pub op: Op,
    pub value: f64,
}

/// What a rule does on a day its conditions hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    SkipEntry,
    /// Multiply the day's entry size by this factor (0, 1].
    ReduceSize(f64),
    /// Close every open condor at mid plus costs (exit reason `rule`).
    CloseAll,
    /// New condors' long wings this many points further out.
    WidenWings(f64),
    /// New condors' short strikes (and their wings) this many points further from spot.
    MoveStrikesOut(f64),
    /// Multiply the hedge budget of today's purchases (of one layer, or of all) by this factor.
    ScaleHedge {
        factor: f64,
        layer: Option<usize>,
    },
    /// Let a `trigger = "rule"` layer buy today (index into the hedge layers).
    AddHedgeLayer(usize),
}

/// Every action name, for errors and "did you mean".
pub const ACTIONS: [&str; 7] = [
    "skip_entry",
    "reduce_size",
    "close_all",
    "widen_wings",
    "move_strikes_out",
    "scale_hedge",
    "add_hedge_layer",
];

/// A rule: `all` conditions (every one) and `any` conditions (at least one, when given).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub all: Vec<Condition>,
    pub any: Vec<Condition>,
    pub action: Action,
}

/// Validated signal settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalSpec {
    pub liquidations: Option<PathBuf>,
    pub cascade_window_s: i64,
    pub cascade_threshold_usd: f64,
    pub cascade_zscore: Option<(f64, usize)>,
    pub cascade_cooldown_s: i64,
    pub cascade_active_s: i64,
    pub rsi_days: usize,
    pub realized_vol_days: usize,
    pub funding: Option<PathBuf>,
    pub funding_lookback: usize,
    /// The macro calendar and the event names that count (empty: all).
    pub calendar: Option<PathBuf>,
    pub calendar_events: Vec<String>,
}

fn invalid(
    place: &dyn Fn(&str) -> KeyPlace,
    key: &str,
    expected: String,
    found: String,
    hint: String,
) -> ConfigError {
    ConfigError::Invalid { place: Box::new(place(key)), expected, found, hint }
}

fn hours(place: &dyn Fn(&str) -> KeyPlace, key: &str, h: f64) -> Result<i64, ConfigError> {
    if h.is_finite() && h > 0.0 && h <= 24.0 * 365.0 {
        Ok((h * 3600.0) as i64)
    } else {
        Err(invalid(place, key, "a number of hours in (0, 8760]".into(), h.to_string(), String::new()))
    }
}

/// Validate `[signals]`.
pub fn signals(
    raw: &RawSignals,
    base: &Path,
    place: &dyn Fn(&str) -> KeyPlace,
) -> Result<SignalSpec, ConfigError> {
    let threshold = match raw.cascade_threshold_usd {
        Some(t) if !(t.is_finite() && t > 0.0) => {
            return Err(invalid(
                place,
                "signals.cascade_threshold_usd",
                "a USD amount > 0".into(),
                t.to_string(),
                String::new(),
            ))
        }
        Some(t) => t,
        None => f64::INFINITY,
    };
    let z = match raw.cascade_zscore {
        Some(z) if !(z.is_finite() && z > 0.0) => {
            return Err(invalid(
                place,
                "signals.cascade_zscore",
                "a z-score > 0".into(),
                z.to_string(),
                String::new(),
            ))
        }
        Some(z) => Some((z, (raw.cascade_lookback as usize).max(2))),
        None => None,
    };
    if raw.liquidations.is_some() && threshold.is_infinite() && z.is_none() {
        return Err(invalid(
            place,
            "signals.cascade_threshold_usd",
            "a threshold or signals.cascade_zscore when signals.liquidations is set".into(),
            "neither".into(),
            String::new(),
        ));
    }
    let days = |key: &str, n: u32| {
        if (2..=1000).contains(&n) {
            Ok(n as usize)
        } else {
            Err(invalid(place, key, "a number of days in [2, 1000]".into(), n.to_string(), String::new()))
        }
    };
    Ok(SignalSpec {
        liquidations: raw.liquidations.as_deref().map(|p| base.join(p)),
        cascade_window_s: hours(place, "signals.cascade_window_hours", raw.cascade_window_hours)?,
        cascade_threshold_usd: threshold,
        cascade_zscore: z,
        cascade_cooldown_s: hours(place, "signals.cascade_cooldown_hours", raw.cascade_cooldown_hours)?,
        cascade_active_s: hours(place, "signals.cascade_active_hours", raw.cascade_active_hours)?,
        rsi_days: days("signals.rsi_days", raw.rsi_days)?,
        realized_vol_days: days("signals.realized_vol_days", raw.realized_vol_days)?,
        funding: raw.funding.as_deref().map(|p| base.join(p)),
        funding_lookback: days("signals.funding_lookback", raw.funding_lookback)?,
        calendar: raw.calendar.as_deref().map(|p| base.join(p)),
        calendar_events: raw.calendar_events.clone(),
    })
}

fn condition(
    c: &RawCondition,
    key: &str,
    place: &dyn Fn(&str) -> KeyPlace,
) -> Result<Condition, ConfigError> {
    let signal = SIGNALS.iter().find(|s| **s == c.signal).copied().ok_or_else(|| {
        invalid(
            place,
            &format!("{key}.signal"),
            format!("one of {}", SIGNALS.join(", ")),
            format!("\"{}\"", c.signal),
            did_you_mean(&c.signal, SIGNALS),
        )
    })?;
    let op = match c.op.as_str() {
        ">" => Op::Gt,
        ">=" => Op::Ge,
        "<" => Op::Lt,
        "<=" => Op::Le,
        other => {
            return Err(invalid(
                place,
                &format!("{key}.op"),
                "one of \">\", \">=\", \"<\", \"<=\"".into(),
                format!("\"{other}\""),
                String::new(),
            ))
        }
    };
    if !c.value.is_finite() {
        return Err(invalid(
            place,
            &format!("{key}.value"),
            "a finite number".into(),
            c.value.to_string(),
            String::new(),
        ));
    }
    Ok(Condition { signal, op, value: c.value })
}

/// The action of rule `key`; `layers` are the hedge layers' names.
fn action(
    r: &RawRuleSet,
    key: &str,
    layers: &[String],
    place: &dyn Fn(&str) -> KeyPlace,
) -> Result<Action, ConfigError> {
    // `what` = "<key> in <range>", e.g. "factor in (0, 1]".
    let need = |what: &str, found: Option<f64>, ok: &dyn Fn(f64) -> bool| match found {
        Some(x) if x.is_finite() && ok(x) => Ok(x),
        other => Err(invalid(
            place,
            &format!("{key}.{}", what.split(' ').next().unwrap_or(what)),
            format!("a {what} for action = \"{}\"", r.action),
            other.map_or("nothing".into(), |f| f.to_string()),
            String::new(),
        )),
    };
    let layer = |required: bool| -> Result<Option<usize>, ConfigError> {
        let Some(name) = &r.layer else {
            return if required {
                Err(invalid(
                    place,
                    &format!("{key}.layer"),
                    format!("the name of a hedge layer for action = \"{}\"", r.action),
                    "nothing".into(),
                    String::new(),
                ))
            } else {
                Ok(None)
            };
        };
        let names: Vec<&str> = layers.iter().map(String::as_str).collect();
        names.iter().position(|n| n == name).map(Some).ok_or_else(|| {
            invalid(
                place,
                &format!("{key}.layer"),
                if names.is_empty() {
                    "a hedge layer, but [hedge] has none".into()
                } else {
                    format!("one of {}", names.join(", "))
                },
                format!("\"{name}\""),
                did_you_mean(name, &names),
            )
        })
    };
    Ok(match r.action.as_str() {
        "skip_entry" => Action::SkipEntry,
        "close_all" => Action::CloseAll,
        "reduce_size" => Action::ReduceSize(need("factor in (0, 1]", r.factor, &|f| f > 0.0 && f <= 1.0)?),
        "widen_wings" => {
            Action::WidenWings(need("points in (0, 1000]", r.points, &|p| p > 0.0 && p <= 1000.0)?)
        }
        "move_strikes_out" => {
            Action::MoveStrikesOut(need("points in (0, 1000]", r.points, &|p| p > 0.0 && p <= 1000.0)?)
        }
        "scale_hedge" => Action::ScaleHedge {
            factor: need("factor in [0, 100]", r.factor, &|f| (0.0..=100.0).contains(&f))?,
            layer: layer(false)?,
        },
        "add_hedge_layer" => Action::AddHedgeLayer(layer(true)?.unwrap_or(0)),
        other => {
            return Err(invalid(
                place,
                &format!("{key}.action"),
                format!("one of {}", ACTIONS.map(|a| format!("\"{a}\"")).join(", ")),
                format!("\"{other}\""),
                did_you_mean(other, &ACTIONS),
            ))
        }
    })
}

/// Validate `[[rules]]`; `layers` are the hedge layers' names (rules may name them).
pub fn rules(
    raw: &[RawRuleSet],
    layers: &[String],
    place: &dyn Fn(&str) -> KeyPlace,
) -> Result<Vec<Rule>, ConfigError> {
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let key = format!("rules[{i}]");
            if r.all.is_empty() && r.any.is_empty() {
                return Err(invalid(
                    place,
                    &key,
                    "at least one condition in `all` or `any`".into(),
                    "none".into(),
                    String::new(),
                ));
            }
            let conds = |v: &[RawCondition], name: &str| {
                v.iter()
                    .enumerate()
                    .map(|(j, c)| condition(c, &format!("{key}.{name}[{j}]"), place))
                    .collect::<Result<Vec<_>, _>>()
            };
            let action = action(r, &key, layers, place)?;
            Ok(Rule { all: conds(&r.all, "all")?, any: conds(&r.any, "any")?, action })
        })
        .collect()
}
