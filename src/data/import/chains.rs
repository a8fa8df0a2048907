//! Importers for option chains, into the canonical chain schema of [`crate::data::OptionChain`]:
//!
//! - `optionsdx`: the OptionsDX wide EOD text layout (`[QUOTE_UNIXTIME], [QUOTE_READTIME],
//!   [QUOTE_DATE], ... [C_BID], [C_ASK], [STRIKE], [P_BID], [P_ASK], ...`, comma-and-space
//!   separated): a strike's call and put on one row, written as two. The file names no root:
//!   `--root` (default `SPXW`). The quote time comes from `[QUOTE_READTIME]` (or
//!   `[QUOTE_TIME_HOURS]`); the underlying from `[UNDERLYING_LAST]`; iv, delta and volume per side.
//! - `cboe-datashop`: Cboe DataShop "Option EOD Summary" files. End-of-day quotes (`bid_eod`,
//!   `ask_eod`; no time: the close) where the file has them, else the 15:45 quotes with
//!   `time = 15:45`; the underlying is the mid of the vendor's underlying bid and ask at that
//!   moment (for VIX options that is spot VIX, not the future the option settles on). The root
//!   from the `root` column, or `--root` (default `SPXW`) for files without one.
//! - `historicaloptiondata`: HistoricalOptionData / DeltaNeutral EOD files (UTF-8 BOM, spaces in
//!   the header, MM/DD/YYYY dates); the root from the option symbol (`SPXW180131C01200000`).
//!
//! Rows come out sorted by (date, time, root, expiry, right, strike). Missing quotes stay empty;
//! nothing is repaired here: the import's screening step (`screen.rs`) and `data check` judge the
//! result as the loader will.

use super::{column, need, num, vendor_date, ImportOptions, ImportSummary};
use crate::data::table::{Cell, Table};
use crate::data::{DataError, OutColumn, OutTable, Right};
use chrono::{NaiveDate, NaiveTime, Timelike};

/// The vendor columns the chain importers read (a file's others are not parsed).
pub(super) fn wanted(name: &str) -> bool {
    const NAMES: [&str; 33] = [
        // OptionsDX
        "[quote_date]",
        "[quote_readtime]",
        "[quote_time_hours]",
        "[underlying_last]",
        "[expire_date]",
        "[strike]",
        "[c_bid]",
        "[c_ask]",
        "[c_iv]",
        "[c_delta]",
        "[c_volume]",
        "[p_bid]",
        "[p_ask]",
        "[p_iv]",
        "[p_delta]",
        "[p_volume]",
        // Cboe DataShop and HistoricalOptionData
        "quote_date",
        "quotedate",
        "expiration",
        "strike",
        "option_type",
        "type",
        "root",
        "optionroot",
        "optionalias",
        "bid",
        "ask",
        "underlying_last",
        "impliedvol",
        "delta",
        "volume",
        "openinterest",
        "open_interest",
    ];
    NAMES.contains(&name)
        || name == "trade_volume"
        || ["bid_", "ask_", "underlying_bid_", "underlying_ask_", "implied_volatility_", "delta_"]
            .iter()
            .any(|p| name.starts_with(p) && (name.ends_with("_eod") || name.ends_with("_1545")))
}

/// One canonical chain row, as an importer produces it (stored by column in [`Quotes`]).
struct ChainRow {
    date: NaiveDate,
    time: Option<NaiveTime>,
    /// Index into the import's list of roots.
    root: u16,
    expiry: NaiveDate,
    right: Right,
    strike: f64,
    /// bid, ask, underlying, iv, delta, volume, open_interest (NaN: none).
    values: [f64; 7],
}

/// The rows of an import, by column (about 90 bytes a quote), in the vendor's order.
#[derive(Default)]
struct Quotes {
    date: Vec<NaiveDate>,
    time: Vec<Option<NaiveTime>>,
    root: Vec<u16>,
    expiry: Vec<NaiveDate>,
    right: Vec<Right>,
    strike: Vec<f64>,
    values: [Vec<f64>; 7],
}

impl Quotes {
    fn with_capacity(n: usize) -> Self {
        Quotes {
            date: Vec::with_capacity(n),
            time: Vec::with_capacity(n),
            root: Vec::with_capacity(n),
            expiry: Vec::with_capacity(n),
            right: Vec::with_capacity(n),
            strike: Vec::with_capacity(n),
            values: std::array::from_fn(|_| Vec::with_capacity(n)),
        }
    }

    fn push(&mut self, r: ChainRow) {
        self.date.push(r.date);
        self.time.push(r.time);
        self.root.push(r.root);
        self.expiry.push(r.expiry);
        self.right.push(r.right);
        self.strike.push(r.strike);
        for (column, x) in self.values.iter_mut().zip(r.values) {
            column.push(x);
        }
    }
}

const VALUE_NAMES: [&str; 7] = ["bid", "ask", "underlying", "iv", "delta", "volume", "open_interest"];

const DATE_EXPECTED: &str = "a date (YYYY-MM-DD or MM/DD/YYYY)";

fn dates(t: &Table, col: &str) -> Result<Vec<NaiveDate>, DataError> {
    column(t, col, DATE_EXPECTED, |c| match c {
        Cell::Text(s) => vendor_date(s),
        Cell::Date(d) => {
            NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::Duration::days(d as i64))
        }
        _ => None,
    })
}

/// A numeric column; empty cells are NaN. An absent optional column is all NaN.
fn numbers(t: &Table, aliases: &[&str]) -> Result<Vec<f64>, DataError> {
    match t.find(aliases) {
        None => Ok(vec![f64::NAN; t.height()]),
        Some(c) => column(t, c, "a number or an empty cell", |cell| match cell {
            Cell::Null => Some(f64::NAN),
            Cell::Text(s) if s.trim().is_empty() => Some(f64::NAN),
            other => num(other),
        }),
    }
}

fn texts(t: &Table, col: &str) -> Result<Vec<String>, DataError> {
    column(t, col, "a text value", |cell| match cell {
        Cell::Text(s) => Some(s.trim().to_string()),
        Cell::Null => Some(String::new()),
        Cell::Int(i) => Some(i.to_string()),
        Cell::Float(x) => Some(x.to_string()),
        _ => None,
    })
}

fn default_root(opts: &ImportOptions) -> String {
    opts.root.clone().unwrap_or_else(|| "SPXW".into()).to_ascii_uppercase()
}

/// OptionsDX wide EOD layout (see the module doc).
pub fn optionsdx(table: Table, opts: &ImportOptions) -> Result<(OutTable, ImportSummary), DataError> {
    let t = &table;
    let date = dates(t, &need(t, &["[quote_date]"])?)?;
    let expiry = dates(t, &need(t, &["[expire_date]"])?)?;
    let strike = numbers(t, &["[strike]"])?;
    let times: Vec<Option<NaiveTime>> = match (t.find(&["[quote_readtime]"]), t.find(&["[quote_time_hours]"]))
    {
        (Some(c), _) => texts(t, c)?.iter().map(|s| s.split(' ').nth(1).and_then(hh_mm)).collect(),
        (None, Some(c)) => numbers(t, &[c])?.into_iter().map(hours).collect(),
        (None, None) => vec![None; t.height()],
    };
    let underlying = numbers(t, &["[underlying_last]"])?;
    let side = |p: &str| -> Result<[Vec<f64>; 5], DataError> {
        Ok([
            numbers(t, &[&format!("[{p}_bid]")])?,
            numbers(t, &[&format!("[{p}_ask]")])?,
            numbers(t, &[&format!("[{p}_iv]")])?,
            numbers(t, &[&format!("[{p}_delta]")])?,
            numbers(t, &[&format!("[{p}_volume]")])?,
        ])
    };
    for c in ["[c_bid]", "[c_ask]", "[p_bid]", "[p_ask]"] {
        need(t, &[c])?;
    }
    let (calls, puts) = (side("c")?, side("p")?);
    let root = default_root(opts);
    let roots = vec![root.clone()];
    if let Some(i) = strike.iter().position(|k| k.is_nan()) {
        return Err(super::bad_cell(t, i, "[strike]", "a strike", Cell::Null));
    }
    let n = t.height();
    drop(table); // the vendor's text is no longer needed
    let mut rows = Quotes::with_capacity(2 * n);
    for i in 0..n {
        for (right, s) in [(Right::Call, &calls), (Right::Put, &puts)] {
            rows.push(ChainRow {
                date: date[i],
                time: times[i],
                root: 0,
                expiry: expiry[i],
                right,
                strike: strike[i],
                values: [s[0][i], s[1][i], underlying[i], s[2][i], s[3][i], s[4][i], f64::NAN],
            });
        }
    }
    let mut summary = ImportSummary::default();
    summary
        .notes
        .push(format!("{n} strike rows written as {} call and put rows, root {root}", rows.date.len()));
    drop((calls, puts, underlying, strike, times, date, expiry));
    Ok((to_table(rows, &roots), summary))
}

/// Cboe DataShop "Option EOD Summary" (see the module doc).
pub fn cboe_datashop(table: Table, opts: &ImportOptions) -> Result<(OutTable, ImportSummary), DataError> {
    let t = &table;
    let date = dates(t, &need(t, &["quote_date"])?)?;
    let expiry = dates(t, &need(t, &["expiration"])?)?;
    let strike = numbers(t, &["strike"])?;
    let rights = texts(t, &need(t, &["option_type"])?)?;
    let row_roots = match t.find(&["root"]) {
        Some(c) => texts(t, c)?,
        None => vec![default_root(opts); t.height()],
    };
    let mut roots = Roots::default();
    let eod = t.find(&["bid_eod"]).is_some() && t.find(&["ask_eod"]).is_some();
    let (suffix, time) = if eod { ("eod", None) } else { ("1545", NaiveTime::from_hms_opt(15, 45, 0)) };
    let col = |name: &str| format!("{name}_{suffix}");
    let (bid, ask) = (numbers(t, &[&need(t, &[&col("bid")])?])?, numbers(t, &[&need(t, &[&col("ask")])?])?);
    let (ub, ua) = (numbers(t, &[&col("underlying_bid")])?, numbers(t, &[&col("underlying_ask")])?);
    let iv = numbers(t, &[&col("implied_volatility")])?;
    let delta = numbers(t, &[&col("delta")])?;
    let (volume, oi) = (numbers(t, &["trade_volume"])?, numbers(t, &["open_interest"])?);
    let mut rows = Quotes::with_capacity(t.height());
    for i in 0..t.height() {
        let Some(right) = Right::parse(&rights[i]) else {
            return Err(super::bad_cell(t, i, "option_type", "C or P", Cell::Text(&rights[i])));
        };
        let underlying = if ub[i] > 0.0 && ua[i] > 0.0 { (ub[i] + ua[i]) / 2.0 } else { f64::NAN };
        rows.push(ChainRow {
            date: date[i],
            time,
            root: roots.code(&row_roots[i]),
            expiry: expiry[i],
            right,
            strike: strike[i],
            values: [bid[i], ask[i], underlying, iv[i], delta[i], volume[i], oi[i]],
        });
    }
    let mut summary = ImportSummary::default();
    summary.notes.push(if eod {
        "end-of-day quotes (bid_eod, ask_eod), known at the close".to_string()
    } else {
        "the 15:45 quotes (the file has no end-of-day quotes), time = 15:45".to_string()
    });
    drop(table);
    Ok((to_table(rows, &roots.names), summary))
}

/// HistoricalOptionData / DeltaNeutral EOD layout (see the module doc).
pub fn historicaloptiondata(table: Table) -> Result<(OutTable, ImportSummary), DataError> {
    let t = &table;
    let date = dates(t, &need(t, &["quotedate", "quote_date"])?)?;
    let expiry = dates(t, &need(t, &["expiration"])?)?;
    let strike = numbers(t, &["strike"])?;
    let kinds = texts(t, &need(t, &["type"])?)?;
    let symbol_col = need(t, &["optionroot", "optionalias"])?;
    let symbols = texts(t, &symbol_col)?;
    let (bid, ask) = (numbers(t, &["bid"])?, numbers(t, &["ask"])?);
    let underlying = numbers(t, &["underlying_last"])?;
    let (iv, delta) = (numbers(t, &["impliedvol"])?, numbers(t, &["delta"])?);
    let (volume, oi) = (numbers(t, &["volume"])?, numbers(t, &["openinterest"])?);
    let mut rows = Quotes::with_capacity(t.height());
    let mut roots = Roots::default();
    for i in 0..t.height() {
        let Some(right) = Right::parse(&kinds[i]) else {
            return Err(super::bad_cell(t, i, "type", "call or put", Cell::Text(&kinds[i])));
        };
        let root = option_root(&symbols[i]);
        if root.is_empty() {
            return Err(super::bad_cell(
                t,
                i,
                &symbol_col,
                "an option symbol such as SPXW180131C01200000",
                Cell::Text(&symbols[i]),
            ));
        }
        rows.push(ChainRow {
            date: date[i],
            time: None,
            root: roots.code(&root),
            expiry: expiry[i],
            right,
            strike: strike[i],
            values: [bid[i], ask[i], underlying[i], iv[i], delta[i], volume[i], oi[i]],
        });
    }
    drop(table);
    Ok((to_table(rows, &roots.names), ImportSummary::default()))
}

/// The distinct roots of an import, each row holding its root's index.
#[derive(Default)]
struct Roots {
    names: Vec<String>,
}

impl Roots {
    fn code(&mut self, root: &str) -> u16 {
        let root = root.trim().to_ascii_uppercase();
        match self.names.iter().position(|n| *n == root) {
            Some(i) => i as u16,
            None => {
                self.names.push(root);
                (self.names.len() - 1) as u16
            }
        }
    }
}

/// The root of an OCC-style option symbol: its leading letters (`SPXW180131C01200000` -> `SPXW`).
pub(crate) fn option_root(symbol: &str) -> String {
    symbol.trim().chars().take_while(char::is_ascii_alphabetic).collect::<String>().to_ascii_uppercase()
}

/// `HH:MM[:SS]` as a time of day.
fn hh_mm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M:%S"))
        .ok()
}

/// Fractional hours (16.0, 15.75) as a time of day, to the minute.
fn hours(h: f64) -> Option<NaiveTime> {
    let minutes = (h * 60.0).round();
    (h.is_finite() && (0.0..24.0 * 60.0).contains(&minutes))
        .then(|| NaiveTime::from_hms_opt((minutes / 60.0) as u32, (minutes % 60.0) as u32, 0))
        .flatten()
}

/// The quotes sorted into a canonical table (by date, time, root, expiry, right, strike), each
/// column gathered in turn while the unsorted ones are freed; `time` and the optional value
/// columns only when some quote has a value.
fn to_table(q: Quotes, roots: &[String]) -> OutTable {
    let mut order: Vec<u32> = (0..q.date.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| (q.date[i], q.time[i], &roots[q.root[i] as usize], q.expiry[i], q.right[i]);
        let (a, b) = (a as usize, b as usize);
        key(a).cmp(&key(b)).then(q.strike[a].total_cmp(&q.strike[b]))
    });
    fn gather<T: Copy>(v: Vec<T>, order: &[u32]) -> Vec<T> {
        order.iter().map(|&i| v[i as usize]).collect()
    }
    let Quotes { date, time, root, expiry, right, strike, values } = q;
    let mut t = OutTable::default();
    t.push("date", OutColumn::Date(gather(date, &order)));
    if time.iter().any(Option::is_some) {
        let mut seen: Vec<Option<NaiveTime>> = Vec::new();
        let codes: Vec<u32> = time
            .iter()
            .map(|tm| match seen.iter().position(|s| s == tm) {
                Some(i) => i as u32,
                None => {
                    seen.push(*tm);
                    (seen.len() - 1) as u32
                }
            })
            .collect();
        let show = |tm: &Option<NaiveTime>| {
            tm.map_or(String::new(), |tm| format!("{:02}:{:02}", tm.hour(), tm.minute()))
        };
        let labels = seen.iter().map(show).collect();
        t.push("time", OutColumn::Labels { codes: gather(codes, &order), labels });
    }
    let codes = root.into_iter().map(u32::from).collect();
    t.push("root", OutColumn::Labels { codes: gather(codes, &order), labels: roots.to_vec() });
    t.push("expiry", OutColumn::Date(gather(expiry, &order)));
    let codes = right.into_iter().map(|r| u32::from(r == Right::Put)).collect();
    let labels = vec![Right::Call.as_str().to_string(), Right::Put.as_str().to_string()];
    t.push("right", OutColumn::Labels { codes: gather(codes, &order), labels });
    t.push("strike", OutColumn::Float(gather(strike, &order)));
    for (k, v) in values.into_iter().enumerate() {
        if k < 2 || v.iter().any(|x| !x.is_nan()) {
            t.push(VALUE_NAMES[k], OutColumn::Float(gather(v, &order)));
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_times_and_hours() {
        assert_eq!(option_root("SPXW180131C01200000"), "SPXW");
        assert_eq!(option_root(" vix160615C00012000"), "VIX");
        assert_eq!(option_root("123"), "");
        assert_eq!(hh_mm("16:00"), NaiveTime::from_hms_opt(16, 0, 0));
        assert_eq!(hh_mm("15:45:00"), NaiveTime::from_hms_opt(15, 45, 0));
        assert_eq!(hours(16.0), NaiveTime::from_hms_opt(16, 0, 0));
        assert_eq!(hours(15.75), NaiveTime::from_hms_opt(15, 45, 0));
        assert_eq!(hours(f64::NAN), None);
        assert_eq!(hours(25.0), None);
    }
}
