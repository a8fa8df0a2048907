//! Signals and rules as validated types: which named signals exist, how a condition compares, and
//! what a rule does when it holds.

use super::error::{did_you_mean, ConfigError, KeyPlace};
use super::raw::{RawCondition, RawRuleSet, RawSignals};
use super::signal_expr::{self, Base, CrossTo, CrossToExpr, Event, Expr, LegacyPeriods, SignalRef, Stream};
use std::path::{Path, PathBuf};

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

/// A condition: a signal compared (`test`), or an event (no `test`: it holds on the session it
/// happens). A signal without a value yet (warm-up, no data behind it) never satisfies one.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub signal: SignalRef,
    pub test: Option<(Op, f64)>,
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
    /// Act on each open condor the rule matches.
    Position(PositionAction),
}

/// What a position rule does to an open condor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PositionAction {
    /// Close the tested vertical and sell it again at this short delta, same expiry and wing width.
    RollTestedSide { to_delta: f64 },
    /// Close the condor and open it again at the expiry nearest this many days, strikes by the
    /// strategy's own rules.
    RollOut { target_dte_days: u32 },
    /// Close the tested vertical, keep the other.
    CloseTestedSide,
    /// Close the condor.
    ClosePosition,
}

impl PositionAction {
    /// `adjust:<action>`, the trade's reason.
    pub fn reason(self) -> &'static str {
        match self {
            PositionAction::RollTestedSide { .. } => "adjust:roll_tested_side",
            PositionAction::RollOut { .. } => "adjust:roll_out",
            PositionAction::CloseTestedSide => "adjust:close_tested_side",
            PositionAction::ClosePosition => "adjust:close_position",
        }
    }
}

/// Every action name, for errors and "did you mean".
pub const ACTIONS: [&str; 11] = [
    "skip_entry",
    "reduce_size",
    "close_all",
    "widen_wings",
    "move_strikes_out",
    "scale_hedge",
    "add_hedge_layer",
    "roll_tested_side",
    "roll_out",
    "close_tested_side",
    "close_position",
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
    /// The indicator streams the rules read, each once (conditions refer to them by index).
    pub streams: Vec<Stream>,
    /// The events the rules read (crosses, divergences), each once.
    pub events: Vec<Event>,
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
        streams: Vec::new(),
        events: Vec::new(),
    })
}

/// The streams and events of a strategy's rules, registered once each.
#[derive(Debug, Default)]
pub struct Registry {
    pub streams: Vec<Stream>,
    pub events: Vec<Event>,
}

impl Registry {
    fn stream(&mut self, s: Stream) -> usize {
        self.streams.iter().position(|x| *x == s).unwrap_or_else(|| {
            self.streams.push(s);
            self.streams.len() - 1
        })
    }

    fn event(&mut self, e: Event) -> usize {
        self.events.iter().position(|x| *x == e).unwrap_or_else(|| {
            self.events.push(e);
            self.events.len() - 1
        })
    }
}

/// What the rules may read: whether a series' data is loaded.
pub struct Loaded<'a> {
    pub has: &'a dyn Fn(&Base) -> bool,
    pub legacy: LegacyPeriods,
}

fn condition(
    c: &RawCondition,
    key: &str,
    loaded: &Loaded<'_>,
    reg: &mut Registry,
    place: &dyn Fn(&str) -> KeyPlace,
) -> Result<Condition, ConfigError> {
    let expr = signal_expr::expression(c, key, loaded.legacy, place)?;
    let mut bases: Vec<(Base, &'static str)> = Vec::new();
    let mut add = |s: &Stream, field| {
        bases.push((s.of.num.clone(), field));
        if let Some(d) = &s.of.den {
            bases.push((d.clone(), field));
        }
    };
    match &expr {
        Expr::Special(_) | Expr::Position(_) => {}
        Expr::Value(s) | Expr::Divergence(s) => add(s, "of"),
        Expr::Cross { of, to, .. } => {
            add(of, "of");
            if let CrossToExpr::Series(o) = to {
                add(o, "other");
            }
        }
    }
    if let Some((base, field)) = bases.iter().find(|(b, _)| !(loaded.has)(b)) {
        let field = if signal_expr::LEGACY.iter().any(|(l, _)| *l == c.signal) { "signal" } else { field };
        return Err(invalid(
            place,
            &format!("{key}.{field}"),
            format!("data for series `{base}`: add {} to the strategy", base.needs().unwrap_or_default()),
            "no such key".into(),
            String::new(),
        ));
    }
    let is_event = matches!(expr, Expr::Cross { .. } | Expr::Divergence(_));
    let signal = match expr {
        Expr::Special(name) => SignalRef::Special(name),
        Expr::Position(field) => SignalRef::Position(field),
        Expr::Value(s) => SignalRef::Value(reg.stream(s)),
        Expr::Divergence(s) => {
            let i = reg.stream(s);
            SignalRef::Event(reg.event(Event::Divergence(i)))
        }
        Expr::Cross { of, to, above } => {
            let of = reg.stream(of);
            let to = match to {
                CrossToExpr::Level(l) => CrossTo::Level(l),
                CrossToExpr::Series(s) => CrossTo::Stream(reg.stream(s)),
            };
            SignalRef::Event(reg.event(Event::Cross { of, to, above }))
        }
    };
    if is_event {
        if let Some(field) = [("op", c.op.is_some()), ("value", c.value.is_some())].iter().find(|f| f.1) {
            return Err(invalid(
                place,
                &format!("{key}.{}", field.0),
                format!(
                    "no `{}`: signal = \"{}\" is an event, true on the session it happens",
                    field.0, c.signal
                ),
                format!("{} = ...", field.0),
                String::new(),
            ));
        }
        return Ok(Condition { signal, test: None });
    }
    let op = match c.op.as_deref() {
        Some(">") => Op::Gt,
        Some(">=") => Op::Ge,
        Some("<") => Op::Lt,
        Some("<=") => Op::Le,
        other => {
            return Err(invalid(
                place,
                &format!("{key}.op"),
                "one of \">\", \">=\", \"<\", \"<=\"".into(),
                other.map_or("nothing".into(), |o| format!("\"{o}\"")),
                String::new(),
            ))
        }
    };
    match c.value {
        Some(v) if v.is_finite() => Ok(Condition { signal, test: Some((op, v)) }),
        other => Err(invalid(
            place,
            &format!("{key}.value"),
            "a finite number".into(),
            other.map_or("nothing".into(), |v| v.to_string()),
            String::new(),
        )),
    }
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
        "roll_tested_side" => Action::Position(PositionAction::RollTestedSide {
            to_delta: need("to_delta in (0, 0.5)", r.to_delta, &|d| d > 0.0 && d < 0.5)?,
        }),
        "roll_out" => Action::Position(PositionAction::RollOut {
            target_dte_days: need("target_dte_days in [1, 365]", r.target_dte_days.map(f64::from), &|d| {
                (1.0..=365.0).contains(&d)
            })? as u32,
        }),
        "close_tested_side" => Action::Position(PositionAction::CloseTestedSide),
        "close_position" => Action::Position(PositionAction::ClosePosition),
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
    loaded: &Loaded<'_>,
    reg: &mut Registry,
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
            let mut conds = |v: &[RawCondition], name: &str| {
                v.iter()
                    .enumerate()
                    .map(|(j, c)| condition(c, &format!("{key}.{name}[{j}]"), loaded, reg, place))
                    .collect::<Result<Vec<_>, _>>()
            };
            let (all, any) = (conds(&r.all, "all")?, conds(&r.any, "any")?);
            let action = action(r, &key, layers, place)?;
            let reads_position = all.iter().chain(&any).any(|c| matches!(c.signal, SignalRef::Position(_)));
            if reads_position && !matches!(action, Action::Position(_)) {
                return Err(invalid(
                    place,
                    &format!("{key}.action"),
                    "a position action (roll_tested_side, roll_out, close_tested_side, close_position) for a rule that reads position.* conditions".into(),
                    format!("\"{}\"", r.action),
                    String::new(),
                ));
            }
            Ok(Rule { all, any, action })
        })
        .collect()
}
