//! An option chain as the engine trades it: the snapshot a decision may see (the last one of the
//! decision's date known at or before the decision instant, so no decision sees a later quote),
//! the contracts listed in it, and whether a contract's quote can be traded.

use crate::data::{DataError, OptionChain, Right, ROOTS};
use crate::time::Timestamp;
use chrono::NaiveDate;
use std::ops::Range;
use std::path::Path;

/// A loaded chain indexed by snapshot.
#[derive(Debug, Clone)]
pub struct ChainQuotes {
    chain: OptionChain,
    /// Each quote instant's rows, in time order.
    snaps: Vec<(NaiveDate, Timestamp, Range<usize>)>,
}

/// One contract's quote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegQuote {
    pub bid: f64,
    pub ask: f64,
    /// The vendor's delta (NaN: none).
    pub delta: f64,
}

impl LegQuote {
    /// A quote that can be traded and marked: a bid above zero and an ask at or above it.
    pub fn usable(&self) -> bool {
        self.bid > 0.0 && self.ask >= self.bid && self.ask.is_finite()
    }

    pub fn mid(&self) -> f64 {
        0.5 * (self.bid + self.ask)
    }
}

impl ChainQuotes {
    /// Index `chain`, keeping only the quotes of `roots` (root names; at least one row must be
    /// of one of them, else the file is not this kind of chain: an error naming `path`).
    pub fn new(chain: OptionChain, roots: &[&str], path: &Path) -> Result<Self, DataError> {
        let wanted: Vec<u8> = roots.iter().map(|r| root_index(r)).collect();
        if !chain.root.iter().any(|r| wanted.contains(r)) {
            return Err(DataError::Usage {
                path: path.to_path_buf(),
                message: format!(
                    "the chain holds no {} quotes (roots found: {})",
                    roots.join(" or "),
                    found_roots(&chain)
                ),
            });
        }
        let snaps = chain.snapshots().map(|r| (chain.date[r.start], chain.known_at[r.start], r)).collect();
        Ok(ChainQuotes { chain, snaps })
    }

    /// The chain's first and last quote dates.
    pub fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.snaps.first()?.0, self.snaps.last()?.0))
    }

    /// Whether any snapshot is dated `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        let i = self.snaps.partition_point(|s| s.0 < date);
        self.snaps.get(i).is_some_and(|s| s.0 == date)
    }

    /// The chain as a decision at `now` on `date` sees it: the last snapshot dated `date` known
    /// at or before `now`.
    pub fn at(&self, date: NaiveDate, now: Timestamp) -> Option<Snapshot<'_>> {
        let i = self.snaps.partition_point(|s| s.1 <= now);
        let (d, _, rows) = self.snaps[..i].last()?;
        (*d == date).then(|| Snapshot { chain: &self.chain, rows: rows.clone() })
    }
}

fn found_roots(chain: &OptionChain) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for r in &chain.root {
        let name = ROOTS[*r as usize].name;
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    if seen.is_empty() {
        "none".into()
    } else {
        seen.join(", ")
    }
}

/// The chain at one instant.
#[derive(Debug, Clone)]
pub struct Snapshot<'a> {
    chain: &'a OptionChain,
    rows: Range<usize>,
}

impl Snapshot<'_> {
    /// The rows of `root`'s `expiry` and `right`, in strike order.
    fn series(&self, root: u8, expiry: NaiveDate, right: Right) -> Range<usize> {
        let c = self.chain;
        let rows = &self.rows;
        let key = |i: usize| (c.root[i], c.expiry[i], c.right[i]);
        let want = (root, expiry, right);
        let lo = lower_bound(rows.clone(), |i| key(i) < want);
        lo..lower_bound(lo..rows.end, |i| key(i) <= want)
    }

    /// The expiries listed for `root`, ascending.
    pub fn expiries(&self, root: u8) -> Vec<NaiveDate> {
        let c = self.chain;
        let mut out: Vec<NaiveDate> = Vec::new();
        for i in self.rows.clone().filter(|&i| c.root[i] == root) {
            if out.last() != Some(&c.expiry[i]) {
                out.push(c.expiry[i]);
            }
        }
        out
    }

    /// The quote of one contract, if listed.
    pub fn quote(&self, root: u8, expiry: NaiveDate, right: Right, strike: f64) -> Option<LegQuote> {
        let c = self.chain;
        let s = self.series(root, expiry, right);
        let i = s.start + c.strike[s.clone()].partition_point(|k| *k < strike);
        (i < s.end && c.strike[i] == strike).then(|| self.leg(i))
    }

    /// The listed strikes of one series whose quotes are usable, with their quotes.
    pub fn usable(&self, root: u8, expiry: NaiveDate, right: Right) -> Vec<(f64, LegQuote)> {
        self.series(root, expiry, right)
            .map(|i| (self.chain.strike[i], self.leg(i)))
            .filter(|(_, q)| q.usable())
            .collect()
    }

    fn leg(&self, i: usize) -> LegQuote {
        let c = self.chain;
        LegQuote { bid: c.bid[i], ask: c.ask[i], delta: c.delta[i] }
    }
}

/// The first index of `range` where `before` is false (`before` true then false along it).
fn lower_bound(range: Range<usize>, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (range.start, range.end);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The index of root `name` in [`ROOTS`].
pub fn root_index(name: &str) -> u8 {
    ROOTS.iter().position(|r| r.name == name).map_or(0, |i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::new_york_utc;
    use chrono::NaiveTime;

    fn d(dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2019, 6, dd).unwrap()
    }

    /// One SPXW call quoted at `bid` at each (date, New York hh:mm).
    fn chain(times: &[(NaiveDate, u32, f64)]) -> ChainQuotes {
        let mut c = OptionChain::default();
        for (date, hhmm, bid) in times {
            let t = NaiveTime::from_hms_opt(hhmm / 100, hhmm % 100, 0).unwrap();
            c.date.push(*date);
            c.known_at.push(new_york_utc(*date, t).unwrap());
            c.root.push(root_index("SPXW"));
            c.expiry.push(d(28));
            c.right.push(Right::Call);
            c.strike.push(2950.0);
            c.bid.push(*bid);
            c.ask.push(bid + 0.2);
            for v in [&mut c.underlying, &mut c.iv, &mut c.delta, &mut c.volume, &mut c.open_interest] {
                v.push(f64::NAN);
            }
        }
        ChainQuotes::new(c, &["SPX", "SPXW"], Path::new("t")).unwrap()
    }

    #[test]
    fn a_decision_sees_the_last_snapshot_of_its_day_known_by_then() {
        let q = chain(&[(d(25), 1600, 1.0), (d(26), 1545, 2.0), (d(26), 1600, 3.0), (d(26), 1615, 4.0)]);
        let close = new_york_utc(d(26), NaiveTime::from_hms_opt(16, 0, 0).unwrap()).unwrap();
        let bid = |s: Snapshot<'_>| s.quote(root_index("SPXW"), d(28), Right::Call, 2950.0).unwrap().bid;
        assert_eq!(bid(q.at(d(26), close).unwrap()), 3.0, "not the 16:15 quote, known later");
        let at_1550 = new_york_utc(d(26), NaiveTime::from_hms_opt(15, 50, 0).unwrap()).unwrap();
        assert_eq!(bid(q.at(d(26), at_1550).unwrap()), 2.0);
        // Before the day's first snapshot, yesterday's quotes are not today's.
        let at_1000 = new_york_utc(d(26), NaiveTime::from_hms_opt(10, 0, 0).unwrap()).unwrap();
        assert!(q.at(d(26), at_1000).is_none());
        assert!(q.covers(d(25)) && !q.covers(d(24)) && !q.covers(d(27)));
        assert_eq!(q.span(), Some((d(25), d(26))));
        assert!(q.at(d(26), close).unwrap().quote(root_index("SPXW"), d(28), Right::Put, 2950.0).is_none());
    }

    #[test]
    fn a_chain_without_the_wanted_roots_is_refused() {
        let q = chain(&[(d(25), 1600, 1.0)]);
        let err = ChainQuotes::new(q.chain, &["VIX"], Path::new("v.csv")).unwrap_err();
        assert!(err.to_string().contains("no VIX quotes (roots found: SPXW)"), "{err}");
    }
}
