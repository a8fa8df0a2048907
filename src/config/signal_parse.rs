//! Parsing a raw rule condition into a signal expression ([`expression`]) and a series name into
//! a [`Series`] ([`series`]): names, parameters, defaults and ranges checked, errors naming the
//! key with a "did you mean".

use super::error::{did_you_mean, ConfigError, KeyPlace};
use super::raw::RawCondition;
use super::signal_expr::{
    Base, Function, MacdLengths, PositionField, Series, Stream, FUNCTIONS, LEGACY, POSITION, SERIES, SPECIALS,
};

/// The defaults of the legacy spellings' periods.
#[derive(Debug, Clone, Copy)]
pub struct LegacyPeriods {
    pub rsi_days: u32,
    pub realized_vol_days: u32,
    pub funding_lookback: u32,
}

/// What a condition resolves to before it is registered: a stream, an event over streams, or a
/// special signal.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Special(&'static str),
    Position(PositionField),
    Value(Stream),
    Cross { of: Stream, to: CrossToExpr, above: bool },
    Divergence(Stream),
}

/// [`CrossTo`] before registration.
#[derive(Debug, Clone, PartialEq)]
pub enum CrossToExpr {
    Level(f64),
    Series(Stream),
}

type Place<'a> = &'a dyn Fn(&str) -> KeyPlace;

fn invalid(place: Place<'_>, key: &str, expected: String, found: String, hint: String) -> ConfigError {
    ConfigError::Invalid { place: Box::new(place(key)), expected, found, hint }
}

/// Parse a series name (`vix`, `vx1`, `vix/vix3m`, `series.NAME`); `key` names it in errors.
pub fn series(text: &str, key: &str, place: Place<'_>) -> Result<Series, ConfigError> {
    let base = |t: &str| {
        Base::parse(t.trim()).ok_or_else(|| {
            invalid(
                place,
                key,
                format!("a series: one of {}, or the ratio of two as \"vix/vix3m\"", SERIES.join(", ")),
                format!("\"{text}\""),
                did_you_mean(t.trim(), &SERIES),
            )
        })
    };
    match text.split_once('/') {
        None => Ok(Series { num: base(text)?, den: None }),
        Some((a, b)) => Ok(Series { num: base(a)?, den: Some(base(b)?) }),
    }
}

/// The parameters a raw condition gives, by name.
fn given(c: &RawCondition) -> Vec<&'static str> {
    let mut v = Vec::new();
    let mut add = |name: &'static str, present: bool| {
        if present {
            v.push(name)
        }
    };
    add("of", c.of.is_some());
    add("other", c.other.is_some());
    add("level", c.level.is_some());
    add("periods", c.periods.is_some());
    add("fast", c.fast.is_some());
    add("slow", c.slow.is_some());
    add("smooth", c.smooth.is_some());
    add("window", c.window.is_some());
    add("direction", c.direction.is_some());
    v
}

/// A count parameter in `[lo, 5000]`, or its default.
fn count(place: Place<'_>, key: &str, v: Option<i64>, default: u32, lo: u32) -> Result<u32, ConfigError> {
    match v {
        None => Ok(default),
        Some(n) if (i64::from(lo)..=5000).contains(&n) => Ok(n as u32),
        Some(n) => Err(invalid(
            place,
            key,
            format!("a whole number of rows in [{lo}, 5000]"),
            n.to_string(),
            String::new(),
        )),
    }
}

fn macd_lengths(c: &RawCondition, key: &str, place: Place<'_>) -> Result<MacdLengths, ConfigError> {
    let l = MacdLengths {
        fast: count(place, &format!("{key}.fast"), c.fast, 12, 1)?,
        slow: count(place, &format!("{key}.slow"), c.slow, 26, 2)?,
        smooth: count(place, &format!("{key}.smooth"), c.smooth, 9, 1)?,
    };
    if l.fast >= l.slow {
        return Err(invalid(
            place,
            &format!("{key}.fast"),
            format!("fast < slow ({})", l.slow),
            l.fast.to_string(),
            String::new(),
        ));
    }
    Ok(l)
}

/// The parameters each function takes (besides `signal`, `op`, `value`).
fn allowed(function: &str) -> &'static [&'static str] {
    match function {
        "level" => &["of"],
        "macd" | "macd_signal" | "macd_hist" => &["of", "fast", "slow", "smooth"],
        "macd_divergence" => &["of", "fast", "slow", "smooth", "window", "direction"],
        "crosses_above" | "crosses_below" => &["of", "other", "level"],
        "sma" | "ema" | "rsi" | "zscore" | "realized_vol" | "roc" | "pct_rank" => &["of", "periods"],
        _ => &[],
    }
}

/// Resolve raw condition `c` (at `key`) into an expression. Legacy names take no parameters.
pub fn expression(
    c: &RawCondition,
    key: &str,
    legacy: LegacyPeriods,
    place: Place<'_>,
) -> Result<Expr, ConfigError> {
    let name = c.signal.as_str();
    let given = given(c);
    let plain = |expr: Expr| match given.first() {
        Some(p) => Err(invalid(
            place,
            &format!("{key}.{p}"),
            format!("no `{p}`: `{name}` takes no parameters"),
            format!("{p} = ..."),
            String::new(),
        )),
        None => Ok(expr),
    };
    if let Some(special) = SPECIALS.iter().find(|s| **s == name) {
        return plain(Expr::Special(special));
    }
    if let Some((_, field)) = POSITION.iter().find(|(p, _)| *p == name) {
        return plain(Expr::Position(*field));
    }
    if let Some((_, spelled)) = LEGACY.iter().find(|(l, _)| *l == name) {
        if let Some(p) = given.first() {
            return Err(invalid(
                place,
                &format!("{key}.{p}"),
                format!("no `{p}`: `{name}` is the fixed spelling of {spelled}; write that form to set parameters"),
                format!("{p} = ..."),
                String::new(),
            ));
        }
        return Ok(Expr::Value(legacy_stream(name, legacy)));
    }
    if !FUNCTIONS.contains(&name) {
        let mut names: Vec<&str> = FUNCTIONS.to_vec();
        names.extend(SPECIALS);
        names.extend(POSITION.map(|p| p.0));
        names.extend(LEGACY.iter().map(|(l, _)| *l));
        return Err(invalid(
            place,
            &format!("{key}.signal"),
            format!(
                "a function ({}), a named signal ({}, {}) or a position field ({})",
                FUNCTIONS.join(", "),
                SPECIALS.join(", "),
                LEGACY.map(|l| l.0).join(", "),
                POSITION.map(|p| p.0).join(", ")
            ),
            format!("\"{name}\""),
            did_you_mean(name, &names),
        ));
    }
    let ok = allowed(name);
    if let Some(p) = given.iter().find(|p| !ok.contains(p)) {
        return Err(invalid(
            place,
            &format!("{key}.{p}"),
            format!("only {} for signal = \"{name}\"", ok.join(", ")),
            format!("{p} = ..."),
            did_you_mean(p, ok),
        ));
    }
    let Some(of_text) = &c.of else {
        return Err(invalid(
            place,
            &format!("{key}.of"),
            format!("the series `{name}` reads, e.g. of = \"vix\""),
            "nothing".into(),
            String::new(),
        ));
    };
    let of = series(of_text, &format!("{key}.of"), place)?;
    let periods = |default: u32, lo: u32| count(place, &format!("{key}.periods"), c.periods, default, lo);
    let stream = |function| Stream { function, of: of.clone() };
    Ok(match name {
        "crosses_above" | "crosses_below" => {
            let to = match (&c.other, c.level) {
                (Some(o), None) => CrossToExpr::Series(Stream {
                    function: Function::Level,
                    of: series(o, &format!("{key}.other"), place)?,
                }),
                (None, Some(l)) if l.is_finite() => CrossToExpr::Level(l),
                (o, l) => {
                    return Err(invalid(
                        place,
                        &format!("{key}.other"),
                        format!("exactly one of `other` (a series) or `level` (a finite number) for signal = \"{name}\""),
                        match (o, l) {
                            (Some(_), Some(_)) => "both".into(),
                            (None, Some(l)) => format!("level = {l}"),
                            _ => "neither".into(),
                        },
                        String::new(),
                    ))
                }
            };
            Expr::Cross { of: stream(Function::Level), to, above: name == "crosses_above" }
        }
        "macd_divergence" => {
            let bearish = match c.direction.as_deref() {
                None | Some("bullish") => false,
                Some("bearish") => true,
                Some(other) => {
                    return Err(invalid(
                        place,
                        &format!("{key}.direction"),
                        "\"bullish\" or \"bearish\"".into(),
                        format!("\"{other}\""),
                        did_you_mean(other, &["bullish", "bearish"]),
                    ))
                }
            };
            let macd = macd_lengths(c, key, place)?;
            let window = count(place, &format!("{key}.window"), c.window, 20, 2)?;
            Expr::Divergence(stream(Function::Divergence { macd, window, bearish }))
        }
        "level" => Expr::Value(stream(Function::Level)),
        "macd" => Expr::Value(stream(Function::Macd(macd_lengths(c, key, place)?))),
        "macd_signal" => Expr::Value(stream(Function::MacdSignal(macd_lengths(c, key, place)?))),
        "macd_hist" => Expr::Value(stream(Function::MacdHist(macd_lengths(c, key, place)?))),
        "sma" => Expr::Value(stream(Function::Sma(periods(20, 1)?))),
        "ema" => Expr::Value(stream(Function::Ema(periods(20, 1)?))),
        "rsi" => Expr::Value(stream(Function::Rsi(periods(14, 2)?))),
        "zscore" => Expr::Value(stream(Function::ZScore(periods(20, 2)?))),
        "realized_vol" => Expr::Value(stream(Function::RealizedVol(periods(20, 2)?))),
        "roc" => Expr::Value(stream(Function::Roc(periods(10, 1)?))),
        _ => Expr::Value(stream(Function::PctRank(periods(252, 2)?))),
    })
}

/// The stream a legacy name spells.
fn legacy_stream(name: &str, p: LegacyPeriods) -> Stream {
    let of = |num, den| Series { num, den };
    let macd = MacdLengths { fast: 12, slow: 26, smooth: 9 };
    let (function, of) = match name {
        "vix" => (Function::Level, of(Base::Vix, None)),
        "vix_term_ratio" => (Function::Level, of(Base::Vix, Some(Base::Vix3m))),
        "vx1_vx2_ratio" => (Function::Level, of(Base::Vx(1), Some(Base::Vx(2)))),
        "spx_rsi" => (Function::Rsi(p.rsi_days), of(Base::Spx, None)),
        "spx_macd_hist" => (Function::MacdHist(macd), of(Base::Spx, None)),
        "spx_realized_vol" => (Function::RealizedVol(p.realized_vol_days), of(Base::Spx, None)),
        "funding_rate" => (Function::Level, of(Base::Funding, None)),
        _ => (Function::ZScore(p.funding_lookback), of(Base::Funding, None)),
    };
    Stream { function, of }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(key: &str) -> KeyPlace {
        KeyPlace { file: "s.toml".into(), key: key.into(), line: None, from_override: None }
    }
    const P: LegacyPeriods = LegacyPeriods { rsi_days: 14, realized_vol_days: 20, funding_lookback: 90 };

    fn cond(signal: &str) -> RawCondition {
        RawCondition { signal: signal.into(), ..Default::default() }
    }

    #[test]
    fn series_names_parse_with_ratios_and_named_files() {
        let s = series("vix/vix3m", "k", &place).unwrap();
        assert_eq!((s.num.clone(), s.den.clone()), (Base::Vix, Some(Base::Vix3m)));
        assert_eq!(s.to_string(), "vix/vix3m");
        assert_eq!(series("vx7", "k", &place).unwrap().num, Base::Vx(7));
        assert_eq!(series("series.ad_line", "k", &place).unwrap().num, Base::Named("ad_line".into()));
        let e = series("vx8", "k", &place).unwrap_err().to_string();
        assert!(e.contains("did you mean `vx1`?") || e.contains("did you mean"), "{e}");
        assert!(series("vixx", "k", &place).unwrap_err().to_string().contains("did you mean `vix`?"));
        assert!(series("series.", "k", &place).is_err());
    }

    #[test]
    fn legacy_names_are_spellings_of_streams() {
        let rsi = RawCondition { of: Some("spx".into()), periods: Some(14), ..cond("rsi") };
        assert_eq!(expression(&cond("spx_rsi"), "c", P, &place), expression(&rsi, "c", P, &place));
        let ratio = RawCondition { of: Some("vix/vix3m".into()), ..cond("level") };
        assert_eq!(expression(&cond("vix_term_ratio"), "c", P, &place), expression(&ratio, "c", P, &place));
        let hist = RawCondition { of: Some("spx".into()), ..cond("macd_hist") };
        assert_eq!(expression(&cond("spx_macd_hist"), "c", P, &place), expression(&hist, "c", P, &place));
        let bad = RawCondition { periods: Some(5), ..cond("spx_rsi") };
        assert!(expression(&bad, "c", P, &place).unwrap_err().to_string().contains("c.periods"));
    }

    #[test]
    fn functions_check_their_parameters() {
        let e = expression(&cond("macd_hst"), "c", P, &place).unwrap_err().to_string();
        assert!(e.contains("did you mean `macd_hist`?"), "{e}");
        let e = expression(
            &RawCondition { of: Some("vix".into()), periods: Some(3), ..cond("macd_hist") },
            "c",
            P,
            &place,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("c.periods") && e.contains("only of, fast, slow, smooth"), "{e}");
        let e = expression(&cond("rsi"), "c", P, &place).unwrap_err().to_string();
        assert!(e.contains("c.of"), "{e}");
        let slow = RawCondition { of: Some("vix".into()), fast: Some(30), ..cond("macd") };
        assert!(expression(&slow, "c", P, &place).unwrap_err().to_string().contains("fast < slow"));
        let both = RawCondition {
            of: Some("vix".into()),
            other: Some("vix3m".into()),
            level: Some(1.0),
            ..cond("crosses_above")
        };
        assert!(expression(&both, "c", P, &place).unwrap_err().to_string().contains("found both"));
        let cross = RawCondition { of: Some("spx".into()), level: Some(4000.0), ..cond("crosses_below") };
        assert!(matches!(
            expression(&cross, "c", P, &place),
            Ok(Expr::Cross { to: CrossToExpr::Level(l), above: false, .. }) if l == 4000.0
        ));
        let dir = RawCondition {
            of: Some("spx".into()),
            direction: Some("bearsh".into()),
            ..cond("macd_divergence")
        };
        assert!(expression(&dir, "c", P, &place)
            .unwrap_err()
            .to_string()
            .contains("did you mean `bearish`?"));
        let zero = RawCondition { of: Some("vix".into()), periods: Some(0), ..cond("sma") };
        assert!(expression(&zero, "c", P, &place).is_err());
    }
}
