//! What a fit minimises: the [`Loss`] over the quotes' weighted errors ([`weighted_error`]),
//! each quote's weight under it, and how it reads in a report.

use super::{model_prices, weighted_error, Carry, FitQuote, Indices};
use crate::pricing::SurfaceParams;

/// What a fit minimises over the quotes' weighted errors `e` ([`weighted_error`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Loss {
    /// The mean of `e^2`: every quote alike, large misses heavily.
    #[default]
    Squared,
    /// The mean of `|e|` with each group of quotes (type x delta bucket, and the quotes outside
    /// the buckets) weighing the same in total: the median is what `|e|` fits, and the far
    /// calls, a few percent of a chain's quotes, count as much as the puts near the money.
    Balanced,
}

impl Loss {
    /// Each quote's weight under this loss: `1 / n` for [`Loss::Squared`]; `1 / (G n_g)` for
    /// [`Loss::Balanced`], `G` the groups with quotes and `n_g` the quote's group's size. The
    /// group is the type and the bucket of the chain's delta, else of the model's at `start`.
    pub fn weights(
        self,
        quotes: &[FitQuote],
        indices: &Indices,
        start: SurfaceParams,
        carry: Carry,
    ) -> Vec<f64> {
        let model = match self {
            Loss::Balanced if quotes.iter().any(|q| q.chain_delta.is_none()) => {
                model_prices(quotes, indices, start, carry)
            }
            _ => None,
        };
        self.weights_by(quotes, |i| quotes[i].chain_delta.or_else(|| model.as_ref().map(|m| m[i].1.abs())))
    }

    /// [`Self::weights`] with each quote's absolute delta given (`None`: outside the buckets).
    pub fn weights_by(self, quotes: &[FitQuote], delta: impl Fn(usize) -> Option<f64>) -> Vec<f64> {
        if self == Loss::Squared {
            return vec![1.0 / quotes.len().max(1) as f64; quotes.len()];
        }
        let group = |i: usize| {
            let bucket = delta(i).and_then(super::report::bucket).unwrap_or(super::report::BUCKETS.len());
            (quotes[i].right == crate::data::Right::Call, bucket)
        };
        let mut sizes = std::collections::BTreeMap::new();
        for i in 0..quotes.len() {
            *sizes.entry(group(i)).or_insert(0usize) += 1;
        }
        let groups = sizes.len() as f64;
        (0..quotes.len()).map(|i| 1.0 / (groups * sizes[&group(i)] as f64)).collect()
    }

    /// The loss of `prices` (model price per quote) with per-quote `weights`.
    pub fn of(self, quotes: &[FitQuote], weights: &[f64], prices: impl Iterator<Item = f64>) -> f64 {
        let error = |q, p| weighted_error(q, p);
        let term = |e: f64| if self == Loss::Squared { e * e } else { e.abs() };
        quotes.iter().zip(weights).zip(prices).map(|((q, w), p)| w * term(error(q, p))).sum()
    }

    /// How the loss reads in a report.
    pub fn describe(self) -> &'static str {
        match self {
            Loss::Squared => "mean squared weighted error",
            Loss::Balanced => "balanced mean absolute weighted error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Right;

    /// Three 10-20 delta puts, one 2-5 delta call and one quote outside the buckets: three groups
    /// of a third each; squared weighs every quote a fifth.
    #[test]
    fn a_balanced_loss_weighs_each_group_the_same() {
        let q = |right, delta: Option<f64>, bid: f64| FitQuote {
            date: chrono::NaiveDate::from_ymd_opt(2019, 6, 26).unwrap(),
            expiry: chrono::NaiveDate::from_ymd_opt(2019, 7, 19).unwrap(),
            right,
            strike: 2900.0,
            days: 23,
            underlying: 2917.0,
            bid,
            ask: bid + 0.2,
            chain_delta: delta,
            iv: f64::NAN,
        };
        let quotes = [
            q(Right::Put, Some(0.15), 9.9),
            q(Right::Put, Some(0.12), 4.9),
            q(Right::Put, Some(0.18), 1.9),
            q(Right::Call, Some(0.03), 0.9),
            q(Right::Call, Some(0.01), 0.1),
        ];
        let w = Loss::Balanced.weights_by(&quotes, |i| quotes[i].chain_delta);
        let third = 1.0 / 3.0;
        assert_eq!(w, [third / 3.0, third / 3.0, third / 3.0, third, third]);
        assert_eq!(Loss::Squared.weights_by(&quotes, |_| None), [0.2; 5]);
        // Model prices 10% over each mid (errors 0.1, the far call's relative to its 0.2 mid; the
        // last one's spread 0.2 over its 0.2 mid).
        let prices = quotes.iter().map(|q| q.mid() * 1.1);
        let balanced = Loss::Balanced.of(&quotes, &w, prices.clone());
        assert!((balanced - 0.1).abs() < 1e-12, "{balanced}");
        let squared = Loss::Squared.of(&quotes, &[0.2; 5], prices);
        assert!((squared - 0.01).abs() < 1e-12, "{squared}");
    }
}
