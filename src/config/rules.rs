//! Signals and rules as validated types: which named signals exist, how a condition compares, and
//! what a rule does when it holds.

use super::error::{did_you_mean, ConfigError, KeyPlace};
use super::raw::{RawCondition, RawRuleSet, RawSignals};
use std::path::{Path, PathBuf};

/// The named signals rules can read (values at the decision instant, from the past only).
pub const SIGNALS: &[&str] = &[
    "vix",
    "vix_term_ratio",
    "spx_rsi",
    "spx_macd_hist",
    "spx_realized_vol",
    "cascade_active",
    "long_liq_share",
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
}

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

/// Validate `[[rules]]`.
pub fn rules(raw: &[RawRuleSet], place: &dyn Fn(&str) -> KeyPlace) -> Result<Vec<Rule>, ConfigError> {
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
            let actions = ["skip_entry", "reduce_size", "close_all"];
            let action = match r.action.as_str() {
                "skip_entry" => Action::SkipEntry,
                "close_all" => Action::CloseAll,
                "reduce_size" => match r.factor {
                    Some(f) if f > 0.0 && f <= 1.0 => Action::ReduceSize(f),
                    other => {
                        return Err(invalid(
                            place,
                            &format!("{key}.factor"),
                            "a factor in (0, 1] for action = \"reduce_size\"".into(),
                            other.map_or("nothing".into(), |f| f.to_string()),
                            String::new(),
                        ))
                    }
                },
                other => {
                    return Err(invalid(
                        place,
                        &format!("{key}.action"),
                        format!("one of {}", actions.map(|a| format!("\"{a}\"")).join(", ")),
                        format!("\"{other}\""),
                        did_you_mean(other, &actions),
                    ))
                }
            };
            Ok(Rule { all: conds(&r.all, "all")?, any: conds(&r.any, "any")?, action })
        })
        .collect()
}
