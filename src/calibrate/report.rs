//! What a calibration reports and writes: the model's error by sample, type and delta bucket
//! before and after the fit, `fit.csv` (one row per quote) and `model.toml` (the fitted `[model]`
//! keys, which a strategy or `ironhedge price` can read).

use super::fit::{fitted_values, Fit, Loss, FITTED};
use super::FitQuote;
use crate::charts::SmilePanel;
use crate::data::{OutColumn, OutTable, Right};
use crate::pricing::SurfaceParams;
use chrono::NaiveDate;

/// Delta buckets, as fractions: 2-5, 5-10, 10-20, 20-30, 30-50 delta.
pub const BUCKETS: [(f64, f64); 5] = [(0.02, 0.05), (0.05, 0.10), (0.10, 0.20), (0.20, 0.30), (0.30, 0.50)];

/// The bucket of an absolute delta, if it falls in one.
pub fn bucket(delta: f64) -> Option<usize> {
    BUCKETS.iter().position(|(lo, hi)| (*lo..*hi).contains(&delta))
}

/// One quote's model prices before and after, and its bucket's delta.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Priced {
    pub before: f64,
    pub after: f64,
    /// The chain's delta, else the model's at the starting parameters (absolute).
    pub delta: f64,
    /// The fitted model's volatility at the quote (its implied vol under the quote's model).
    pub vol_after: f64,
}

/// One line of the error table.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketLine {
    pub out_of_sample: bool,
    pub right: Right,
    pub bucket: usize,
    pub quotes: usize,
    /// Median |model - mid| / mid and median (model - mid) / mid, before and after.
    pub before: (f64, f64),
    pub after: (f64, f64),
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The error table: per sample (in, then out of sample from `holdout_from`), type and bucket.
pub fn bucket_lines(
    quotes: &[FitQuote],
    priced: &[Priced],
    holdout_from: Option<NaiveDate>,
) -> Vec<BucketLine> {
    let mut lines = Vec::new();
    for out_of_sample in [false, true] {
        for right in [Right::Put, Right::Call] {
            for (b, _) in BUCKETS.iter().enumerate() {
                let members: Vec<(&FitQuote, &Priced)> = quotes
                    .iter()
                    .zip(priced)
                    .filter(|(q, p)| {
                        q.right == right
                            && bucket(p.delta) == Some(b)
                            && holdout_from.is_some_and(|h| q.date >= h) == out_of_sample
                    })
                    .collect();
                if members.is_empty() {
                    continue;
                }
                let rel = |model: fn(&Priced) -> f64| -> (f64, f64) {
                    let e: Vec<f64> = members.iter().map(|(q, p)| (model(p) - q.mid()) / q.mid()).collect();
                    (median(e.iter().map(|x| x.abs()).collect()), median(e))
                };
                lines.push(BucketLine {
                    out_of_sample,
                    right,
                    bucket: b,
                    quotes: members.len(),
                    before: rel(|p| p.before),
                    after: rel(|p| p.after),
                });
            }
        }
    }
    lines
}

/// `model.toml`: the fitted keys under `[model]`, with where they came from.
pub fn model_toml(fit: &Fit, source: &str, quotes: usize, loss: Loss) -> String {
    let mut text = format!(
        "# Fitted by `ironhedge calibrate` to {source} ({quotes} quotes): {} {:.5} at the defaults, \
         {:.5} fitted.\n[model]\n",
        loss.describe(),
        fit.loss_before,
        fit.loss_after
    );
    for (key, value) in fitted_pairs(&fit.params) {
        text.push_str(&format!("{key} = {value:?}\n"));
    }
    text
}

/// `fit.csv`: per quote, the market and both model prices, implied vols, delta and bucket.
pub fn fit_table(quotes: &[FitQuote], priced: &[Priced], holdout_from: Option<NaiveDate>) -> OutTable {
    let f = |g: &dyn Fn(&FitQuote, &Priced) -> f64| {
        OutColumn::Float(quotes.iter().zip(priced).map(|(q, p)| g(q, p)).collect())
    };
    let mut t = OutTable::default();
    t.push("date", OutColumn::Date(quotes.iter().map(|q| q.date).collect()));
    t.push("expiry", OutColumn::Date(quotes.iter().map(|q| q.expiry).collect()));
    t.push("right", OutColumn::Text(quotes.iter().map(|q| q.right.as_str().to_string()).collect()));
    t.push("strike", f(&|q, _| q.strike));
    t.push("days", f(&|q, _| q.days as f64));
    t.push("underlying", f(&|q, _| q.underlying));
    t.push("bid", f(&|q, _| q.bid));
    t.push("ask", f(&|q, _| q.ask));
    t.push("mid", f(&|q, _| q.mid()));
    t.push("model_default", f(&|_, p| p.before));
    t.push("model_fitted", f(&|_, p| p.after));
    t.push("iv_market", f(&|q, _| q.iv));
    t.push("iv_fitted", f(&|_, p| p.vol_after));
    t.push("delta", f(&|_, p| p.delta));
    let label = |p: &Priced| {
        bucket(p.delta)
            .map_or(String::new(), |b| format!("{:.0}-{:.0}", BUCKETS[b].0 * 100.0, BUCKETS[b].1 * 100.0))
    };
    t.push("bucket", OutColumn::Text(priced.iter().map(label).collect()));
    let sample =
        |q: &FitQuote| if holdout_from.is_some_and(|h| q.date >= h) { "out" } else { "in" }.to_string();
    t.push("sample", OutColumn::Text(quotes.iter().map(sample).collect()));
    t
}

/// The panels of `smile.png`: four quote dates spread over the sample (the first and last among
/// them), on each the expiry with the most quotes. `vols[i]` = (default, fitted) model vol of
/// quote `i`.
pub fn smile_panels(
    quotes: &[FitQuote],
    vols: &[(f64, f64)],
    holdout_from: Option<NaiveDate>,
) -> Vec<SmilePanel> {
    let mut dates: Vec<NaiveDate> = quotes.iter().map(|q| q.date).collect();
    dates.sort();
    dates.dedup();
    let picks: Vec<NaiveDate> = match dates.len() {
        0 => vec![],
        n if n <= 4 => dates.clone(),
        n => (0..4).map(|k| dates[k * (n - 1) / 3]).collect(),
    };
    // Four panels: the most-quoted expiry of each picked date, or with fewer dates several
    // expiries of each, spread over the term (a one-day chain shows its term structure).
    let per_date = (4 / picks.len().max(1)).max(1);
    let mut panels = Vec::new();
    for date in picks {
        let on: Vec<usize> = (0..quotes.len()).filter(|&i| quotes[i].date == date).collect();
        let mut counts: Vec<(NaiveDate, usize)> = Vec::new();
        for &i in &on {
            match counts.iter_mut().find(|(e, _)| *e == quotes[i].expiry) {
                Some((_, n)) => *n += 1,
                None => counts.push((quotes[i].expiry, 1)),
            }
        }
        let Some(&(most, most_n)) = counts.iter().max_by_key(|(e, n)| (*n, std::cmp::Reverse(*e))) else {
            continue;
        };
        let expiries: Vec<NaiveDate> = if per_date == 1 {
            vec![most]
        } else {
            // Expiries with at least half the quotes of the best-quoted one, by date.
            let mut full: Vec<NaiveDate> =
                counts.iter().filter(|(_, n)| 2 * n >= most_n).map(|(e, _)| *e).collect();
            full.sort();
            let m = full.len();
            let mut chosen: Vec<NaiveDate> = (0..per_date.min(m))
                .map(|k| full[if per_date.min(m) == 1 { 0 } else { k * (m - 1) / (per_date.min(m) - 1) }])
                .collect();
            chosen.dedup();
            chosen
        };
        for expiry in expiries {
            let rows: Vec<usize> = on.iter().copied().filter(|&i| quotes[i].expiry == expiry).collect();
            let x = |i: usize| quotes[i].strike / quotes[i].underlying;
            let sample = if holdout_from.is_some_and(|h| date >= h) { "out of sample" } else { "in sample" };
            panels.push(SmilePanel {
                title: format!("{date}, expiry {expiry} ({} days), {sample}", quotes[rows[0]].days),
                market: rows.iter().map(|&i| (x(i), quotes[i].iv)).collect(),
                model_default: rows.iter().map(|&i| (x(i), vols[i].0)).collect(),
                model_fitted: rows.iter().map(|&i| (x(i), vols[i].1)).collect(),
            });
        }
    }
    panels
}

/// The fitted parameters as `key value` pairs, for the terminal.
pub fn describe(p: &SurfaceParams) -> String {
    let pairs: Vec<String> = fitted_pairs(p).map(|(key, value)| format!("{key} {value:.4}")).collect();
    pairs.join(", ")
}

/// The `[model]` keys and values of `p`'s fitted parameters: the first is `atm_scale` in variance
/// mode, `atm_ratio` with a fixed ratio.
fn fitted_pairs(p: &SurfaceParams) -> impl Iterator<Item = (&'static str, f64)> {
    let atm = p.atm;
    FITTED.iter().zip(fitted_values(p)).map(move |(key, value)| match (*key, atm) {
        ("atm_ratio", crate::pricing::AtmLevel::Variance) => ("atm_scale", value),
        (key, _) => (key, value),
    })
}
