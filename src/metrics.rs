//! Performance metrics of a backtest, from its daily equity curve and its closed trades.
//!
//! Definitions (annualisation: 252 trading days a year; `r_i = E_i / E_{i-1} - 1` are the daily
//! returns of equity `E_0..E_n`, `E_0` the starting capital; `rf_d = rf / 252` the daily risk-free
//! rate, the same rate that the ledger credits on cash):
//!
//! | metric | definition |
//! |---|---|
//! | total return | `E_n / E_0 - 1` |
//! | CAGR | `(E_n / E_0)^(1 / years) - 1`, years = calendar days first..last / 365.25; -100% if `E_n <= 0` |
//! | annualised vol | sample standard deviation of `r` x sqrt 252 |
//! | Sharpe | `mean(r - rf_d) / sd(r) x sqrt 252` |
//! | Sortino | `mean(r - rf_d) / sqrt(mean(min(r - rf_d, 0)^2)) x sqrt 252` |
//! | max drawdown | `max_i (P_i - E_i) / P_i`, `P_i` the running peak (a fraction) |
//! | max drawdown (USD) | `max_i (P_i - E_i)` in dollars (0 when equity never fell) |
//! | drawdown duration | the longest run of trading days spent below a previous peak |
//! | Calmar | CAGR / max drawdown |
//! | win rate | winning trades / closed trades (a trade at exactly 0 is not a win) |
//! | profit factor | sum of winning trade P&L / -sum of losing trade P&L |
//! | average win / loss | mean P&L of winning / losing trades |
//! | worst day | the lowest daily return |
//! | worst month | the lowest calendar-month return (month-end equity over the previous month-end) |
//! | CVaR 95% | mean of the worst `ceil(5% x n)` daily returns |
//! | time in market | share of days with at least one open position |
//!
//! A ratio whose denominator is zero (no volatility, no drawdown, no losing trade, no trades) is
//! `None`, reported as "n/a": never a fake infinity.

use chrono::{Datelike, NaiveDate};

/// The metrics of one run; `None` where a metric is undefined (see the module doc).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    pub total_return: Option<f64>,
    pub cagr: Option<f64>,
    pub ann_vol: Option<f64>,
    pub sharpe: Option<f64>,
    pub sortino: Option<f64>,
    pub max_drawdown: Option<f64>,
    /// The largest fall from a peak in dollars (0 when equity never fell).
    pub max_drawdown_usd: f64,
    pub max_drawdown_days: usize,
    pub calmar: Option<f64>,
    pub trades: usize,
    pub win_rate: Option<f64>,
    pub profit_factor: Option<f64>,
    pub avg_win: Option<f64>,
    pub avg_loss: Option<f64>,
    pub worst_day: Option<f64>,
    pub worst_month: Option<f64>,
    pub cvar_95: Option<f64>,
    pub time_in_market: Option<f64>,
}

/// What the metrics are computed from.
#[derive(Debug, Clone, Copy)]
pub struct MetricInputs<'a> {
    /// Trading dates of `equity[1..]`; `equity[0]` is the starting capital before the first date.
    pub dates: &'a [NaiveDate],
    /// [`month_ends`] of `dates`.
    pub month_ends: &'a [usize],
    /// `E_0..E_n`: starting capital, then equity at each date's close (`dates.len() + 1` values).
    pub equity: &'a [f64],
    /// P&L of every closed trade.
    pub trade_pnl: &'a [f64],
    /// Per date: whether any position was open.
    pub in_market: &'a [bool],
    /// Annual risk-free rate (decimal) for Sharpe and Sortino.
    pub rf_annual: f64,
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den != 0.0 && num.is_finite() && den.is_finite()).then(|| num / den)
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Maximum drawdown (fraction) and the longest number of days spent below a previous peak,
/// fed one equity value at a time.
#[derive(Debug, Clone, Copy)]
struct Drawdown {
    peak: f64,
    worst: f64,
    worst_usd: f64,
    /// The deepest fall below the current peak so far (dollars).
    deepest: f64,
    run: usize,
    longest: usize,
}

impl Drawdown {
    fn new() -> Self {
        Drawdown { peak: f64::NEG_INFINITY, worst: 0.0, worst_usd: 0.0, deepest: 0.0, run: 0, longest: 0 }
    }

    /// `worst` is the largest `(peak - e) / peak`; under one peak the division is monotone in
    /// `peak - e` (IEEE division rounds monotonically), so it is done only for a new deepest
    /// fall: the same value as dividing every day. `worst_usd`, the largest fall, is likewise
    /// the largest of the deepest falls, and the longest run below a peak is taken when a run
    /// ends ([`Drawdown::longest_days`] takes the one still running): no dependency from one
    /// day to the next on the common path, only the comparisons.
    #[inline]
    fn push(&mut self, e: f64) {
        if e >= self.peak {
            self.peak = e;
            self.deepest = 0.0;
            self.longest = self.longest.max(self.run);
            self.run = 0;
        } else {
            self.run += 1;
            let fall = self.peak - e;
            if fall > self.deepest {
                self.deepest = fall;
                self.worst_usd = self.worst_usd.max(fall);
                if self.peak > 0.0 {
                    self.worst = self.worst.max(fall / self.peak);
                }
            }
        }
    }

    /// The longest run of days below a previous peak, the current one included.
    fn longest_days(&self) -> usize {
        self.longest.max(self.run)
    }
}

pub fn month_ends(dates: &[NaiveDate]) -> Vec<usize> {
    let month = |d: &NaiveDate| (d.year(), d.month());
    (0..dates.len()).filter(|&i| dates.get(i + 1).map(month) != Some(month(&dates[i]))).collect()
}

/// The worst month-end to month-end return (the first month measured from `E_0`).
fn worst_month(month_ends: &[usize], equity: &[f64]) -> Option<f64> {
    let mut base = equity[0];
    let mut worst: Option<f64> = None;
    for &i in month_ends {
        let e = equity[i + 1];
        if base != 0.0 {
            let r = e / base - 1.0;
            worst = Some(worst.map_or(r, |w| if r.total_cmp(&w).is_lt() { r } else { w }));
        }
        base = e;
    }
    worst
}

/// `x`'s place in `f64::total_cmp`'s order as an integer (the same order, compared as `i64`).
#[inline]
fn total_key(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// The `f64` whose [`total_key`] is `key`.
#[inline]
fn from_total_key(key: i64) -> f64 {
    f64::from_bits((key ^ (((key >> 63) as u64) >> 1) as i64) as u64)
}

/// The `k` smallest values of `v` in ascending order (`f64::total_cmp`). `under` is a guess of
/// a value with at least `k` values at or below it: the selection then runs on those alone (they
/// hold the `k` smallest), else on all of `v`. The values are compared as their [`total_key`]s,
/// and those under the guess are gathered without a branch per value (a branch taken on the
/// 10-20% of days under the guess, in no pattern, mispredicts): the same values in the same
/// order as a full sort.
fn smallest(v: &[f64], k: usize, under: f64) -> Vec<f64> {
    let limit = total_key(under);
    // Every key first (vectorised, no zeroed buffer), then those under the guess moved to the
    // front in place (`few <= i`: a key is read before anything is written over it).
    let mut keys: Vec<i64> = v.iter().map(|&x| total_key(x)).collect();
    let mut few = 0;
    for i in 0..keys.len() {
        let key = keys[i];
        keys[few] = key;
        few += usize::from(key <= limit);
    }
    if few >= k {
        keys.truncate(few);
    } else {
        for (key, &x) in keys.iter_mut().zip(v) {
            *key = total_key(x);
        }
    }
    if k < keys.len() {
        keys.select_nth_unstable(k);
    }
    keys.truncate(k);
    keys.sort_unstable();
    keys.into_iter().map(from_total_key).collect()
}

/// Sum, count and mean of the trades on one side of zero.
fn side(pnl: &[f64], keep: impl Fn(f64) -> bool) -> (f64, usize, Option<f64>) {
    let (sum, n) = pnl.iter().filter(|p| keep(**p)).fold((0.0, 0), |(s, n), p| (s + p, n + 1));
    (sum, n, (n > 0).then(|| sum / n as f64))
}

/// Compute every metric.
pub fn compute(m: MetricInputs<'_>) -> Metrics {
    let eq = m.equity;
    if eq.len() < 2 || m.dates.len() + 1 != eq.len() {
        return Metrics { trades: m.trade_pnl.len(), ..Metrics::default() };
    }
    let (e0, en) = (eq[0], eq[eq.len() - 1]);
    let rf_d = m.rf_annual / 252.0;
    // The returns in a pass of their own (no dependency between days: it vectorises), then
    // their sum and the excess and downside sums, each adding its terms in date order
    // (independent chains), then the squares about the mean beside the drawdown.
    let returns: Vec<f64> = eq[..eq.len() - 1]
        .iter()
        .zip(&eq[1..])
        .map(|(&a, &b)| if a != 0.0 { b / a - 1.0 } else { 0.0 })
        .collect();
    let (mut sum, mut excess_sum, mut downside_sum) = (0.0, 0.0, 0.0);
    for &r in &returns {
        sum += r;
        let x = r - rf_d;
        excess_sum += x;
        downside_sum += x.min(0.0).powi(2);
    }
    let n = returns.len() as f64;
    // Sample standard deviation (two passes: the mean first). Its sum of squares and the
    // drawdown share a loop: two independent chains of dependent operations that overlap.
    let mean_r = sum / n;
    let mut dd = Drawdown::new();
    dd.push(e0);
    let mut squares = 0.0;
    for (&r, &e) in returns.iter().zip(&eq[1..]) {
        squares += (r - mean_r).powi(2);
        dd.push(e);
    }
    let sd = (returns.len() >= 2).then(|| (squares / (n - 1.0)).sqrt());
    let mean_excess = excess_sum / n;
    let downside = (downside_sum / n).sqrt();
    let years = (m.dates[m.dates.len() - 1] - m.dates[0]).num_days() as f64 / 365.25;
    let cagr = if e0 <= 0.0 || years <= 0.0 {
        None
    } else if en <= 0.0 {
        Some(-1.0)
    } else {
        Some((en / e0).powf(1.0 / years) - 1.0)
    };
    let (max_dd, dd_days) = (Some(dd.worst), dd.longest_days());
    let (win_sum, win_n, avg_win) = side(m.trade_pnl, |p| p > 0.0);
    let (loss_sum, _, avg_loss) = side(m.trade_pnl, |p| p < 0.0);
    let tail = ((n * 0.05).ceil() as usize).max(1).min(returns.len());
    // One standard deviation below the mean usually leaves 10-20% of the days: the 5% tail's
    // selection runs on those.
    let worst = smallest(&returns, tail, sd.map_or(f64::INFINITY, |s| mean_r - s));
    let sqrt252 = 252f64.sqrt();
    Metrics {
        total_return: ratio(en, e0).map(|x| x - 1.0),
        cagr,
        ann_vol: sd.map(|s| s * sqrt252),
        sharpe: sd.and_then(|s| ratio(mean_excess, s)).map(|x| x * sqrt252),
        sortino: ratio(mean_excess, downside).map(|x| x * sqrt252),
        max_drawdown: max_dd,
        max_drawdown_usd: dd.worst_usd,
        max_drawdown_days: dd_days,
        calmar: cagr.zip(max_dd).and_then(|(c, d)| ratio(c, d)),
        trades: m.trade_pnl.len(),
        win_rate: ratio(win_n as f64, m.trade_pnl.len() as f64),
        profit_factor: ratio(win_sum, -loss_sum),
        avg_win,
        avg_loss,
        worst_day: worst.first().copied(),
        worst_month: worst_month(m.month_ends, eq),
        cvar_95: mean(&worst),
        time_in_market: ratio(m.in_market.iter().filter(|x| **x).count() as f64, m.in_market.len() as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(n: usize) -> Vec<NaiveDate> {
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 29).unwrap();
        (0..n).map(|i| d0 + chrono::Days::new(i as u64)).collect()
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn hand_computed_small_series() {
        // 100 -> 110 -> 99 -> 108.9: returns +10%, -10%, +10%.
        let eq = [100.0, 110.0, 99.0, 108.9];
        let d = dates(3); // 2024-01-29, 01-30, 01-31 (one month)
        let trades = [30.0, -10.0, 5.0];
        let m = compute(MetricInputs {
            dates: &d,
            month_ends: &month_ends(&d),
            equity: &eq,
            trade_pnl: &trades,
            in_market: &[true, false, true],
            rf_annual: 0.0,
        });
        assert!(close(m.total_return, 0.089));
        let sd = (((0.1f64 - 0.1 / 3.0).powi(2) * 2.0 + (-0.1f64 - 0.1 / 3.0).powi(2)) / 2.0).sqrt();
        assert!(close(m.ann_vol, sd * 252f64.sqrt()));
        assert!(close(m.sharpe, (0.1 / 3.0) / sd * 252f64.sqrt()));
        assert!(close(m.sortino, (0.1 / 3.0) / (0.01f64 / 3.0).sqrt() * 252f64.sqrt()));
        assert!(close(m.max_drawdown, 0.1));
        assert_eq!(m.max_drawdown_days, 2, "99 and 108.9 are both below the 110 peak");
        assert!((m.max_drawdown_usd - 11.0).abs() < 1e-9, "110 - 99");
        assert!(close(m.win_rate, 2.0 / 3.0));
        assert!(close(m.profit_factor, 3.5));
        assert!(close(m.avg_win, 17.5) && close(m.avg_loss, -10.0));
        assert!(close(m.worst_day, -0.1));
        assert!(close(m.worst_month, 0.089));
        assert!(close(m.cvar_95, -0.1), "ceil(5% of 3) = 1 worst day");
        assert!(close(m.time_in_market, 2.0 / 3.0));
        let years = 2.0 / 365.25;
        assert!(close(m.cagr, 1.089f64.powf(1.0 / years) - 1.0));
        assert!(close(m.calmar, (1.089f64.powf(1.0 / years) - 1.0) / 0.1));
    }

    #[test]
    fn flat_equity_and_no_trades_give_none_not_infinity() {
        let eq = [1000.0; 6];
        let d = dates(5);
        let m = compute(MetricInputs {
            dates: &d,
            month_ends: &month_ends(&d),
            equity: &eq,
            trade_pnl: &[],
            in_market: &[false; 5],
            rf_annual: 0.0,
        });
        assert_eq!(m.total_return, Some(0.0));
        assert_eq!(m.ann_vol, Some(0.0));
        assert_eq!((m.sharpe, m.sortino, m.calmar), (None, None, None));
        assert_eq!((m.win_rate, m.profit_factor, m.avg_win, m.avg_loss), (None, None, None, None));
        assert_eq!((m.max_drawdown, m.max_drawdown_days), (Some(0.0), 0));
        assert_eq!(m.time_in_market, Some(0.0));
    }

    #[test]
    fn only_winners_has_no_profit_factor_and_ruin_is_minus_100() {
        let d = dates(2);
        let m = compute(MetricInputs {
            dates: &d,
            month_ends: &month_ends(&d),
            equity: &[100.0, 120.0, -5.0],
            trade_pnl: &[20.0],
            in_market: &[true, true],
            rf_annual: 0.0,
        });
        assert_eq!(m.profit_factor, None);
        assert_eq!(m.cagr, Some(-1.0));
        let m = compute(MetricInputs {
            dates: &[],
            month_ends: &[],
            equity: &[100.0],
            trade_pnl: &[],
            in_market: &[],
            rf_annual: 0.0,
        });
        assert_eq!(m, Metrics::default());
    }

    #[test]
    fn months_and_drawdown_recovery() {
        // Two months: Jan ends at 90 (-10%), Feb recovers to 99 (+10%).
        let d = [
            NaiveDate::from_ymd_opt(2024, 1, 30).unwrap(),
            NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 1).unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 2).unwrap(),
        ];
        let eq = [100.0, 95.0, 90.0, 95.0, 101.0];
        let m = compute(MetricInputs {
            dates: &d,
            month_ends: &month_ends(&d),
            equity: &eq,
            trade_pnl: &[],
            in_market: &[true; 4],
            rf_annual: 0.0,
        });
        assert!(close(m.worst_month, -0.1));
        assert_eq!(m.max_drawdown_days, 3);
        assert!(close(m.max_drawdown, 0.1));
    }

    /// The definitions of the module doc, computed the plain way: one division a day, and the
    /// longest run below a peak updated every day.
    fn plain_drawdown(eq: &[f64]) -> (f64, f64, usize) {
        let (mut peak, mut worst, mut worst_usd) = (f64::NEG_INFINITY, 0.0f64, 0.0f64);
        let (mut run, mut longest) = (0, 0);
        for &e in eq {
            if e >= peak {
                peak = e;
                run = 0;
            } else {
                run += 1;
                longest = longest.max(run);
                worst_usd = worst_usd.max(peak - e);
                if peak > 0.0 {
                    worst = worst.max((peak - e) / peak);
                }
            }
        }
        (worst, worst_usd, longest)
    }

    #[test]
    fn drawdown_and_returns_match_the_plain_definitions_to_the_bit() {
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for case in 0..200 {
            let n = 2 + (next() % 400) as usize;
            let mut e = 1000.0 + (next() % 1000) as f64;
            let mut eq = vec![e];
            for _ in 1..n {
                e *= 1.0 + ((next() % 2001) as f64 - 1000.0) / 20_000.0;
                // Zero and negative equity: the edge cases.
                match next() % 40 {
                    0 => e = 0.0,
                    1 => e = -e.abs(),
                    _ => {}
                }
                eq.push(e);
                if e <= 0.0 {
                    e = 500.0;
                }
            }
            let d = dates(n - 1);
            let m = compute(MetricInputs {
                dates: &d,
                month_ends: &month_ends(&d),
                equity: &eq,
                trade_pnl: &[],
                in_market: &vec![true; n - 1],
                rf_annual: 0.02,
            });
            let (worst, worst_usd, longest) = plain_drawdown(&eq);
            assert_eq!(m.max_drawdown.map(f64::to_bits), Some(worst.to_bits()), "case {case}");
            assert_eq!(m.max_drawdown_usd.to_bits(), worst_usd.to_bits(), "case {case}");
            assert_eq!(m.max_drawdown_days, longest, "case {case}");
            let r: Vec<f64> =
                eq.windows(2).map(|w| if w[0] != 0.0 { w[1] / w[0] - 1.0 } else { 0.0 }).collect();
            let mean = r.iter().sum::<f64>() / r.len() as f64;
            let worst_day = r.iter().copied().min_by(f64::total_cmp);
            assert_eq!(m.worst_day.map(f64::to_bits), worst_day.map(f64::to_bits), "case {case}");
            let total = eq[n - 1] / eq[0] - 1.0;
            assert_eq!(m.total_return.map(f64::to_bits), Some(total.to_bits()), "case {case}");
            if r.len() >= 2 {
                let sd = (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (r.len() as f64 - 1.0)).sqrt();
                assert_eq!(m.ann_vol.map(f64::to_bits), Some((sd * 252f64.sqrt()).to_bits()), "case {case}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn total_keys_order_as_total_cmp_and_read_back(a in proptest::num::f64::ANY, b in proptest::num::f64::ANY) {
            proptest::prop_assert_eq!(total_key(a).cmp(&total_key(b)), a.total_cmp(&b));
            proptest::prop_assert_eq!(from_total_key(total_key(a)).to_bits(), a.to_bits());
        }
    }

    #[test]
    fn smallest_equals_the_head_of_a_full_sort() {
        // A deterministic mix with ties, signed zeros and runs in both directions.
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut v: Vec<f64> = (0..997)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match i % 11 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => (i / 50) as f64,
                    _ => (x % 2001) as f64 / 100.0 - 10.0,
                }
            })
            .collect();
        v.extend((0..40).map(|i| -(i as f64)));
        for k in [1, 2, 50, 63, v.len()] {
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let want: Vec<u64> = sorted[..k].iter().map(|x| x.to_bits()).collect();
            // Guesses that leave enough values under them, too few, and none.
            for under in [f64::INFINITY, 0.0, -5.0, -9.0, f64::NEG_INFINITY, f64::NAN] {
                let got: Vec<u64> = smallest(&v, k, under).iter().map(|x| x.to_bits()).collect();
                assert_eq!(got, want, "k = {k}, under {under}");
            }
        }
    }
}
