//! Signal expressions as validated types: the series a rule can read ([`Base`], [`Series`]), the
//! functions over them ([`Function`], [`Stream`]), and the events ([`Event`]: crosses and MACD
//! divergences). [`expression`] (in `config::signal_parse`) turns one raw condition into these;
//! the legacy signal names (`spx_rsi`, `vix_term_ratio`, ...) are spellings of the same
//! expressions.

pub use super::signal_parse::{expression, series, CrossToExpr, Expr, LegacyPeriods};
use std::fmt;

/// One series as loaded (see the README's series table for what each holds and when it is known).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Base {
    Spx,
    Vix,
    Vix9d,
    Vix3m,
    Vix6m,
    Vvix,
    Skew,
    /// The k-th listed VX future (1-7) from `data.vx_term`, raw: it jumps at each roll.
    Vx(u8),
    /// The 30-day constant-maturity VX future, interpolated in time (no roll jumps).
    Vx30,
    Funding,
    LongLiq,
    ShortLiq,
    /// A file under `[data.series]`.
    Named(String),
}

/// Every built-in series name, for errors and "did you mean".
pub const SERIES: [&str; 19] = [
    "spx",
    "vix",
    "vix9d",
    "vix3m",
    "vix6m",
    "vvix",
    "skew",
    "vx1",
    "vx2",
    "vx3",
    "vx4",
    "vx5",
    "vx6",
    "vx7",
    "vx30",
    "funding",
    "long_liq_usd",
    "short_liq_usd",
    "series.NAME",
];

impl Base {
    pub(super) fn parse(s: &str) -> Option<Base> {
        Some(match s {
            "spx" => Base::Spx,
            "vix" => Base::Vix,
            "vix9d" => Base::Vix9d,
            "vix3m" => Base::Vix3m,
            "vix6m" => Base::Vix6m,
            "vvix" => Base::Vvix,
            "skew" => Base::Skew,
            "vx30" => Base::Vx30,
            "funding" => Base::Funding,
            "long_liq_usd" => Base::LongLiq,
            "short_liq_usd" => Base::ShortLiq,
            _ => {
                if let Some(name) = s.strip_prefix("series.") {
                    return (!name.is_empty()).then(|| Base::Named(name.to_string()));
                }
                let k: u8 = s.strip_prefix("vx")?.parse().ok()?;
                return ((1..=7).contains(&k) && s == format!("vx{k}")).then_some(Base::Vx(k));
            }
        })
    }

    /// The key a strategy sets to load this series (`None`: always loaded).
    pub fn needs(&self) -> Option<String> {
        Some(match self {
            Base::Spx | Base::Vix => return None,
            Base::Vix9d => "data.vix9d".into(),
            Base::Vix3m => "data.vix3m".into(),
            Base::Vix6m => "data.vix6m".into(),
            Base::Vvix => "data.vvix".into(),
            Base::Skew => "data.skew".into(),
            Base::Vx(_) | Base::Vx30 => "data.vx_term".into(),
            Base::Funding => "signals.funding".into(),
            Base::LongLiq | Base::ShortLiq => "signals.liquidations".into(),
            Base::Named(n) => format!("data.series.{n}"),
        })
    }
}

impl fmt::Display for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Base::Spx => write!(f, "spx"),
            Base::Vix => write!(f, "vix"),
            Base::Vix9d => write!(f, "vix9d"),
            Base::Vix3m => write!(f, "vix3m"),
            Base::Vix6m => write!(f, "vix6m"),
            Base::Vvix => write!(f, "vvix"),
            Base::Skew => write!(f, "skew"),
            Base::Vx(k) => write!(f, "vx{k}"),
            Base::Vx30 => write!(f, "vx30"),
            Base::Funding => write!(f, "funding"),
            Base::LongLiq => write!(f, "long_liq_usd"),
            Base::ShortLiq => write!(f, "short_liq_usd"),
            Base::Named(n) => write!(f, "series.{n}"),
        }
    }
}

/// A series, or the ratio of two (`"vix/vix3m"`): the ratio has a row at each instant either
/// side gets one, once both are known and the denominator is > 0.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Series {
    pub num: Base,
    pub den: Option<Base>,
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.den {
            None => write!(f, "{}", self.num),
            Some(d) => write!(f, "{}/{d}", self.num),
        }
    }
}

/// MACD's three EMA lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacdLengths {
    pub fast: u32,
    pub slow: u32,
    pub smooth: u32,
}

/// A function of a series' rows (`periods` counts the series' own rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Level,
    Sma(u32),
    Ema(u32),
    Macd(MacdLengths),
    MacdSignal(MacdLengths),
    MacdHist(MacdLengths),
    Rsi(u32),
    ZScore(u32),
    RealizedVol(u32),
    /// Percent change over `n` rows.
    Roc(u32),
    /// Percent of the last `n` rows (this one included) at or below this row.
    PctRank(u32),
    /// Rows on which the series diverges from its MACD histogram (counted; an [`Event`]).
    Divergence {
        macd: MacdLengths,
        window: u32,
        bearish: bool,
    },
}

/// A function applied to a series: one indicator stream, computed once per run however many
/// conditions read it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Stream {
    pub function: Function,
    pub of: Series,
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m =
            |name: &str, l: &MacdLengths| format!("{name}({}, {}/{}/{})", self.of, l.fast, l.slow, l.smooth);
        let n = |name: &str, n: &u32| format!("{name}({}, {n})", self.of);
        let text = match &self.function {
            Function::Level => self.of.to_string(),
            Function::Sma(k) => n("sma", k),
            Function::Ema(k) => n("ema", k),
            Function::Macd(l) => m("macd", l),
            Function::MacdSignal(l) => m("macd_signal", l),
            Function::MacdHist(l) => m("macd_hist", l),
            Function::Rsi(k) => n("rsi", k),
            Function::ZScore(k) => n("zscore", k),
            Function::RealizedVol(k) => n("realized_vol", k),
            Function::Roc(k) => n("roc", k),
            Function::PctRank(k) => n("pct_rank", k),
            Function::Divergence { macd, window, bearish } => format!(
                "macd_divergence({}, {}/{}/{}, window {window}, {})",
                self.of,
                macd.fast,
                macd.slow,
                macd.smooth,
                if *bearish { "bearish" } else { "bullish" }
            ),
        };
        f.write_str(&text)
    }
}

/// What a series crosses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CrossTo {
    Level(f64),
    /// Another stream (index into the strategy's streams).
    Stream(usize),
}

/// A condition that holds on the session it happens, with no comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// Stream `of` was at or below (`above`; at or above otherwise) `to` at the previous
    /// session's decision and is strictly beyond it now.
    Cross { of: usize, to: CrossTo, above: bool },
    /// A divergence row of stream `of` since the previous session's decision.
    Divergence(usize),
}

/// A property of one open condor (position rules read it for each open condor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionField {
    /// The larger absolute delta of its short legs.
    ShortDelta,
    /// Calendar days to expiry.
    Dte,
    /// Profit as a percent of the credit: `100 (credit - value) / credit`.
    PnlPct,
    /// 1 when spot is beyond a short strike (below the put or above the call), else 0.
    Tested,
    /// Calendar days since it was opened (or rolled into).
    DaysHeld,
}

/// The position fields by name.
pub const POSITION: [(&str, PositionField); 5] = [
    ("position.short_delta", PositionField::ShortDelta),
    ("position.dte", PositionField::Dte),
    ("position.pnl_pct", PositionField::PnlPct),
    ("position.tested", PositionField::Tested),
    ("position.days_held", PositionField::DaysHeld),
];

/// What a condition reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SignalRef {
    /// A property of each open condor.
    Position(PositionField),
    /// A signal with its own state: `cascade_active`, `long_liq_share`, `sessions_to_event`.
    Special(&'static str),
    /// A stream's latest value (index into the strategy's streams).
    Value(usize),
    /// An event (index into the strategy's events).
    Event(usize),
}

/// Every function name, for errors and "did you mean".
pub const FUNCTIONS: [&str; 14] = [
    "level",
    "sma",
    "ema",
    "macd",
    "macd_signal",
    "macd_hist",
    "rsi",
    "zscore",
    "realized_vol",
    "roc",
    "pct_rank",
    "crosses_above",
    "crosses_below",
    "macd_divergence",
];

/// The named signals with their own state (not a function of one series).
pub const SPECIALS: [&str; 3] = ["cascade_active", "long_liq_share", "sessions_to_event"];

/// The legacy signal names that spell a stream, with the expression they stand for.
pub const LEGACY: [(&str, &str); 8] = [
    ("vix", "{ signal = \"level\", of = \"vix\" }"),
    ("vix_term_ratio", "{ signal = \"level\", of = \"vix/vix3m\" }"),
    ("vx1_vx2_ratio", "{ signal = \"level\", of = \"vx1/vx2\" }"),
    ("spx_rsi", "{ signal = \"rsi\", of = \"spx\", periods = signals.rsi_days }"),
    ("spx_macd_hist", "{ signal = \"macd_hist\", of = \"spx\" }"),
    ("spx_realized_vol", "{ signal = \"realized_vol\", of = \"spx\", periods = signals.realized_vol_days }"),
    ("funding_rate", "{ signal = \"level\", of = \"funding\" }"),
    ("funding_zscore", "{ signal = \"zscore\", of = \"funding\", periods = signals.funding_lookback }"),
];
