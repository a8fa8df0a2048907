//! The canonical schemas (SPEC section 2) as column-name aliases, and detection of which stream a
//! file holds from its header.
//!
//! Canonical names come first in every alias list; the others are names seen in real vendor and
//! research files and are accepted so that such files can be checked and loaded as they are.

use super::table::Table;
use super::DataError;
use std::fmt;
use std::str::FromStr;

pub const TIME: &[&str] =
    &["timestamp", "date", "datetime", "time", "trade_date", "bar_start_utc", "time_utc"];
pub const OPEN: &[&str] = &["open"];
pub const HIGH: &[&str] = &["high"];
pub const LOW: &[&str] = &["low"];
pub const CLOSE: &[&str] = &["close", "vvix"];
pub const VOLUME: &[&str] = &["volume", "volume_usd"];
pub const EXCHANGE: &[&str] = &["exchange"];
pub const SYMBOL: &[&str] = &["symbol"];
pub const SIDE: &[&str] = &["side"];
pub const PRICE: &[&str] = &["price"];
pub const QUANTITY: &[&str] = &["quantity", "qty"];
pub const NOTIONAL: &[&str] = &["notional_usd"];
pub const LONG_LIQ: &[&str] = &["long_liq_usd"];
pub const SHORT_LIQ: &[&str] = &["short_liq_usd"];
pub const BUCKET: &[&str] = &["bucket"];
pub const RATE: &[&str] = &["rate", "funding_rate"];
pub const EXPIRY: &[&str] = &["expiry"];
pub const SETTLE: &[&str] = &["settle"];

/// The data streams ironhedge knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// OHLC(V) or close-only bars.
    Bars,
    /// Individual forced orders.
    LiquidationEvents,
    /// Aggregated long/short liquidation notional per bucket.
    LiquidationBuckets,
    /// Funding rate per settlement.
    Funding,
    /// VIX futures term structure `date, m1..mN`.
    VxTerm,
    /// VIX futures per contract `date, expiry, settle`.
    VxContracts,
    /// Risk-free rate(s) by date.
    Rates,
    /// Option quotes: `date, [time], root, expiry, right, strike, bid, ask, ...`.
    Chain,
}

impl StreamKind {
    pub const ALL: [StreamKind; 8] = [
        StreamKind::Bars,
        StreamKind::LiquidationEvents,
        StreamKind::LiquidationBuckets,
        StreamKind::Funding,
        StreamKind::VxTerm,
        StreamKind::VxContracts,
        StreamKind::Rates,
        StreamKind::Chain,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StreamKind::Bars => "bars",
            StreamKind::LiquidationEvents => "liquidations",
            StreamKind::LiquidationBuckets => "liquidation-buckets",
            StreamKind::Funding => "funding",
            StreamKind::VxTerm => "vx-term",
            StreamKind::VxContracts => "vx-contracts",
            StreamKind::Rates => "rates",
            StreamKind::Chain => "chain",
        }
    }

    /// Guess the stream from a header. Order matters: the most specific schemas are tried first.
    /// A file whose name contains "funding" and that has a `rate` or `close` column is funding
    /// (exchanges and Coinglass export funding as OHLC of the rate, which may be negative).
    pub fn detect(t: &Table) -> Result<StreamKind, DataError> {
        let has = |a: &[&str]| t.find(a).is_some();
        if !has(TIME) {
            return Err(t.missing(TIME));
        }
        if has(SETTLE) && has(&["futures", "contract"]) && !has(EXPIRY) {
            return Err(DataError::MissingColumn {
                path: t.path().to_path_buf(),
                expected: "`expiry` (this looks like a Cfe VX settlement file: convert it with `ironhedge data import --format cfe-vx`)".into(),
                found: t.names().join(","),
            });
        }
        let named_funding = t
            .path()
            .file_name()
            .is_some_and(|n| n.to_string_lossy().to_ascii_lowercase().contains("funding"));
        let chain = [super::chain::ROOT, super::chain::RIGHT, super::chain::STRIKE, super::chain::BID];
        let kind = if chain.iter().all(|a| has(a)) && has(super::chain::ASK) {
            StreamKind::Chain
        } else if has(LONG_LIQ) && has(SHORT_LIQ) {
            StreamKind::LiquidationBuckets
        } else if has(SIDE) && (has(PRICE) || has(NOTIONAL)) {
            StreamKind::LiquidationEvents
        } else if (has(RATE) && has(SYMBOL)) || (named_funding && (has(RATE) || has(CLOSE))) {
            StreamKind::Funding
        } else if has(&["m1"]) {
            StreamKind::VxTerm
        } else if has(EXPIRY) && has(SETTLE) {
            StreamKind::VxContracts
        } else if has(CLOSE) {
            StreamKind::Bars
        } else {
            let values: Vec<&String> = t.names().iter().filter(|n| !TIME.contains(&n.as_str())).collect();
            let rate_like = |n: &str| {
                ["rate", "pct", "yield", "month", "year", "dff", "dtb", "tbill"].iter().any(|k| n.contains(k))
            };
            if !values.is_empty() && values.iter().all(|n| rate_like(n)) {
                StreamKind::Rates
            } else if values.len() == 1 {
                StreamKind::Bars
            } else {
                return Err(DataError::MissingColumn {
                    path: t.path().to_path_buf(),
                    expected: "set matching a canonical schema (e.g. `close`, `long_liq_usd`+`short_liq_usd`, `side`+`price`, `rate`+`symbol`, `m1`, `expiry`+`settle`); or name the kind with --kind".into(),
                    found: t.names().join(","),
                });
            }
        };
        Ok(kind)
    }
}

impl fmt::Display for StreamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for StreamKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StreamKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            format!(
                "expected one of {}, found `{s}`",
                StreamKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
            )
        })
    }
}
