//! `hedge.strike_grid`: which VIX strikes the hedge may buy. Three forms:
//!
//! ```toml
//! [hedge]
//! strike_grid = "cboe"     # the default: Cboe's listing history (pricing::StrikeListing::cboe)
//! strike_grid = 1.0        # one step at every level and date
//!
//! [[hedge.strike_grid]]    # or a table of eras, each from its first day
//! from = 2014-05-29
//! bands = [{ below = 15.0, step = 0.5, max_dte_days = 60 }, { below = 30.0, step = 1.0 },
//!          { below = 50.0, step = 2.5 }, { below = 100.0, step = 5.0 }]
//! ```
//!
//! A band lists strikes from the previous band's `below` (0 for the first) up to its own on its
//! `step`; the last band's `below` is the highest strike. A band with `max_dte_days` applies only
//! to expiries that near. The first era also covers dates before its `from`.

use super::error::{ConfigError, KeyPlace};
use crate::pricing::{Band, ListingEra, StrikeListing};
use chrono::NaiveDate;
use toml::Value;

const EXPECTED: &str =
    "\"cboe\", a strike step in points (e.g. 1.0), or [[hedge.strike_grid]] eras with `from` and `bands`";

/// The validated strike grid of `[hedge]` (`value`: `hedge.strike_grid` as written).
pub fn strike_grid(
    value: Option<&Value>,
    place: &dyn Fn(&str) -> KeyPlace,
) -> Result<StrikeListing, ConfigError> {
    let bad = |key: &str, expected: &str, found: String| ConfigError::Invalid {
        place: Box::new(place(key)),
        expected: expected.into(),
        found,
        hint: String::new(),
    };
    let key = "hedge.strike_grid";
    let listing = match value {
        None => return Ok(StrikeListing::cboe()),
        Some(Value::String(s)) if s == "cboe" => return Ok(StrikeListing::cboe()),
        Some(v @ (Value::Float(_) | Value::Integer(_))) => {
            let step = v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap_or(f64::NAN);
            if !(step > 0.0 && step <= 50.0) {
                return Err(bad(key, "a strike step in (0, 50] points", step.to_string()));
            }
            StrikeListing::uniform(step)
        }
        Some(Value::Array(eras)) => {
            let eras = eras
                .iter()
                .enumerate()
                .map(|(i, e)| era(e, &format!("{key}[{i}]"), &bad))
                .collect::<Result<Vec<_>, _>>()?;
            StrikeListing::new(eras)
        }
        Some(other) => return Err(bad(key, EXPECTED, other.to_string())),
    };
    listing.map_err(|e| {
        bad(key, "eras in increasing order, each with increasing bands of steps > 0", e.to_string())
    })
}

type Bad<'a> = dyn Fn(&str, &str, String) -> ConfigError + 'a;

fn era(v: &Value, key: &str, bad: &Bad<'_>) -> Result<ListingEra, ConfigError> {
    let t = v.as_table().ok_or_else(|| bad(key, "a table with `from` and `bands`", v.to_string()))?;
    if let Some(k) = t.keys().find(|k| !["from", "bands"].contains(&k.as_str())) {
        return Err(bad(&format!("{key}.{k}"), "only `from` and `bands` in an era", k.clone()));
    }
    let from = match t.get("from") {
        None => NaiveDate::MIN,
        Some(d) => {
            let text = d.as_datetime().map(|x| x.to_string()).or(d.as_str().map(str::to_string));
            text.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
                .ok_or_else(|| bad(&format!("{key}.from"), "a date (2014-05-29)", d.to_string()))?
        }
    };
    let bands_key = format!("{key}.bands");
    let bands = t
        .get("bands")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(&bands_key, "an array of { below, step[, max_dte_days] }", "nothing".into()))?;
    let bands = bands
        .iter()
        .enumerate()
        .map(|(j, b)| band(b, &format!("{bands_key}[{j}]"), bad))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ListingEra { from, bands })
}

fn band(v: &Value, key: &str, bad: &Bad<'_>) -> Result<Band, ConfigError> {
    let t = v.as_table().ok_or_else(|| bad(key, "{ below, step[, max_dte_days] }", v.to_string()))?;
    if let Some(k) = t.keys().find(|k| !["below", "step", "max_dte_days"].contains(&k.as_str())) {
        return Err(bad(
            &format!("{key}.{k}"),
            "only `below`, `step` and `max_dte_days` in a band",
            k.clone(),
        ));
    }
    let num = |name: &str| {
        let v = t.get(name).ok_or_else(|| bad(&format!("{key}.{name}"), "a number > 0", "nothing".into()))?;
        v.as_float()
            .or(v.as_integer().map(|i| i as f64))
            .filter(|x| x.is_finite() && *x > 0.0)
            .ok_or_else(|| bad(&format!("{key}.{name}"), "a number > 0", v.to_string()))
    };
    let max_dte_days =
        match t.get("max_dte_days") {
            None => None,
            Some(v) => Some(v.as_integer().filter(|d| (0..=3650).contains(d)).ok_or_else(|| {
                bad(&format!("{key}.max_dte_days"), "whole days in [0, 3650]", v.to_string())
            })? as u32),
        };
    Ok(Band { below: num("below")?, step: num("step")?, max_dte_days })
}
