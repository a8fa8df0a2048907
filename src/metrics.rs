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
//! Runs feed [`MetricsAcc`] one session at a time (no equity curve kept). The sample standard
//! deviation is taken in one pass about the first return (the shifted-data form: exact for
//! constant returns, within 1e-12 relative of the two-pass value in the tests); the sums add each
//! 32-session block in four interleaved lanes, then the lanes pairwise (the same order however
//! the sessions are fed); the drawdowns, worst day and month and the CVaR tail (the head of a
//! full sort) are exact, to the bit.
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

/// The `k` smallest daily returns of a run, gathered a block at a time without a branch per
/// return: each block's returns at or under a threshold are appended (as their [`total_key`]s);
/// when the next block might not fit, the `k` smallest are selected and the threshold drops to
/// the largest of them (a return above it cannot be among the `k` smallest). A few selections a
/// run, where a heap of the `k` smallest mispredicts its way down on every new low.
#[derive(Debug, Clone)]
struct Tail {
    k: usize,
    keys: Vec<i64>,
    len: usize,
    under: i64,
}

impl Tail {
    fn new(k: usize) -> Self {
        Tail { k, keys: vec![0; 2 * k + BLOCK], len: 0, under: i64::MAX }
    }

    /// The returns of one block (at most [`BLOCK`]).
    #[inline]
    fn push(&mut self, r: &[f64]) {
        if self.len + r.len() > self.keys.len() {
            self.keep_smallest();
        }
        let under = self.under;
        for &x in r {
            let key = total_key(x);
            self.keys[self.len] = key;
            self.len += usize::from(key <= under);
        }
    }

    /// Keep the `k` smallest keys gathered, and lower the threshold to the largest of them.
    #[cold]
    fn keep_smallest(&mut self) {
        if self.len > self.k {
            if self.k > 0 {
                self.keys[..self.len].select_nth_unstable(self.k - 1);
            }
            self.len = self.k;
        }
        if self.len == self.k && self.k > 0 {
            self.under = self.keys[..self.k].iter().copied().max().unwrap_or(i64::MAX);
        }
    }

    /// The `k` smallest returns in ascending order ([`f64::total_cmp`]).
    fn smallest(mut self) -> Vec<f64> {
        self.keep_smallest();
        let keys = &mut self.keys[..self.len];
        keys.sort_unstable();
        keys.iter().map(|&key| from_total_key(key)).collect()
    }
}

/// Sessions a [`MetricsAcc`] holds before it folds them into its sums.
const BLOCK: usize = 32;

/// The metrics of a run fed one session at a time, in a few hundred bytes whatever the run's
/// length (no equity curve kept): the sweep's kernel feeds it as it runs, and [`compute`] feeds it
/// a whole curve. Sessions are folded in blocks of [`BLOCK`] (the returns' divisions vectorise,
/// the sums stay in registers). A full block's sums add in four lanes, each every fourth
/// session in date order, then the lanes pairwise (a partial block, only ever the last, adds in
/// date order); the block's total joins the run's. The sample variance is
/// taken about the first return (`sum (r - r_1)^2 - (sum (r - r_1))^2 / n`, the shifted-data
/// form: exact for constant returns, and within a few ulps of the two-pass value when, as for
/// daily returns, the mean is within a few standard deviations of `r_1`); the CVaR tail is a
/// [`Tail`].
#[derive(Debug, Clone)]
pub struct MetricsAcc<'a> {
    /// The last equity folded in (the starting capital before the first), then equity at the
    /// `in_block` closes not folded in yet.
    block: [f64; BLOCK + 1],
    in_block: usize,
    /// [`month_ends`] of the run's dates, and the next one to come.
    month_ends: &'a [usize],
    next_month: usize,
    rf_d: f64,
    e0: f64,
    /// Sessions folded in, and how many there will be.
    days: usize,
    expected_days: usize,
    shift: f64,
    sums: Sums,
    dd: Drawdown,
    month_base: f64,
    worst_month: Option<f64>,
    tail: Tail,
    in_market_days: usize,
    trades: usize,
    wins: (f64, usize),
    losses: (f64, usize),
}

/// The running sums of the daily returns (see [`MetricsAcc`]).
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    excess: f64,
    downside: f64,
    shifted: f64,
    shifted_squares: f64,
}

impl<'a> MetricsAcc<'a> {
    /// A run from `initial_usd` over `days` sessions whose [`month_ends`] are `month_ends`;
    /// `rf_annual` as in [`MetricInputs`].
    pub fn new(initial_usd: f64, days: usize, month_ends: &'a [usize], rf_annual: f64) -> Self {
        let mut dd = Drawdown::new();
        dd.push(initial_usd);
        MetricsAcc {
            block: [initial_usd; BLOCK + 1],
            in_block: 0,
            month_ends,
            next_month: 0,
            rf_d: rf_annual / 252.0,
            e0: initial_usd,
            days: 0,
            expected_days: days,
            shift: 0.0,
            sums: Sums::default(),
            dd,
            month_base: initial_usd,
            worst_month: None,
            tail: Tail::new(((days as f64 * 0.05).ceil() as usize).max(1).min(days)),
            in_market_days: 0,
            trades: 0,
            wins: (0.0, 0),
            losses: (0.0, 0),
        }
    }

    /// The equity at the next session's close, and whether any position was open then.
    #[inline]
    pub fn push_day(&mut self, equity_usd: f64, in_market: bool) {
        self.in_block += 1;
        self.block[self.in_block] = equity_usd;
        self.in_market_days += usize::from(in_market);
        if self.in_block == BLOCK {
            self.fold();
        }
    }

    /// `n` sessions in the market, the `i`th closing at equity `equity_usd(i)`.
    #[inline]
    pub fn push_days_in_market(&mut self, n: usize, mut equity_usd: impl FnMut(usize) -> f64) {
        let mut i = 0;
        while i < n {
            let m = (BLOCK - self.in_block).min(n - i);
            let at = self.in_block + 1;
            for (k, e) in self.block[at..at + m].iter_mut().enumerate() {
                *e = equity_usd(i + k);
            }
            self.in_block += m;
            self.in_market_days += m;
            i += m;
            if self.in_block == BLOCK {
                self.fold();
            }
        }
    }

    /// Fold the block's sessions into the sums, the drawdown, the tail and the months: with AVX2
    /// where the CPU has it (the same operations on wider vectors, so the same bits; a test
    /// compares both), else plain x86-64's two lanes.
    fn fold(&mut self) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked above).
            return unsafe { self.fold_avx2() };
        }
        self.fold_any();
    }

    /// [`Self::fold`] compiled for AVX2.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn fold_avx2(&mut self) {
        self.fold_any();
    }

    #[inline(always)]
    fn fold_any(&mut self) {
        let n = self.in_block;
        if n == 0 {
            return;
        }
        // The whole block, whatever `n` (a fixed count vectorises; the rest is not read).
        let mut r = [0.0; BLOCK];
        let b = &self.block;
        for i in 0..BLOCK {
            let q = b[i + 1] / b[i] - 1.0;
            r[i] = if b[i] != 0.0 { q } else { 0.0 };
        }
        if self.days == 0 {
            self.shift = r[0];
        }
        let (rf_d, shift) = (self.rf_d, self.shift);
        let s = &mut self.sums;
        if n == BLOCK {
            // Four lanes (each adds every fourth day, in date order), then the lanes pairwise.
            let (mut excess, mut downside, mut shifted, mut squares) =
                ([0.0; 4], [0.0; 4], [0.0; 4], [0.0; 4]);
            for c in r.chunks_exact(4) {
                for l in 0..4 {
                    let x = c[l] - rf_d;
                    excess[l] += x;
                    downside[l] += x.min(0.0).powi(2);
                    let d = c[l] - shift;
                    shifted[l] += d;
                    squares[l] += d * d;
                }
            }
            let total = |v: [f64; 4]| (v[0] + v[1]) + (v[2] + v[3]);
            s.excess += total(excess);
            s.downside += total(downside);
            s.shifted += total(shifted);
            s.shifted_squares += total(squares);
        } else {
            for &r in &r[..n] {
                let x = r - rf_d;
                s.excess += x;
                s.downside += x.min(0.0).powi(2);
                let d = r - shift;
                s.shifted += d;
                s.shifted_squares += d * d;
            }
        }
        let (r, eq) = (&r[..n], &self.block[1..=n]);
        let mut dd = self.dd;
        for &e in eq {
            dd.push(e);
        }
        self.dd = dd;
        self.tail.push(r);
        let end = self.days + eq.len();
        while let Some(&i) = self.month_ends.get(self.next_month).filter(|&&i| i < end) {
            let e = eq[i - self.days];
            if self.month_base != 0.0 {
                let r = e / self.month_base - 1.0;
                self.worst_month =
                    Some(self.worst_month.map_or(r, |w| if r.total_cmp(&w).is_lt() { r } else { w }));
            }
            self.month_base = e;
            self.next_month += 1;
        }
        self.block[0] = self.block[n];
        self.days = end;
        self.in_block = 0;
    }

    /// A closed trade's P&L.
    #[inline]
    pub fn push_trade(&mut self, pnl_usd: f64) {
        self.trades += 1;
        if pnl_usd > 0.0 {
            self.wins = (self.wins.0 + pnl_usd, self.wins.1 + 1);
        } else if pnl_usd < 0.0 {
            self.losses = (self.losses.0 + pnl_usd, self.losses.1 + 1);
        }
    }

    /// Closed trades pushed.
    pub fn trades(&self) -> usize {
        self.trades
    }

    /// The equity at the last close pushed (`None` before the first).
    pub fn last_equity_usd(&self) -> Option<f64> {
        (self.days + self.in_block > 0).then_some(self.block[self.in_block])
    }

    /// Every metric; `first` and `last` are the first and last sessions' dates (for CAGR).
    pub fn finish(mut self, first: NaiveDate, last: NaiveDate) -> Metrics {
        self.fold();
        debug_assert_eq!(self.days, self.expected_days, "metrics: sessions pushed");
        if self.days == 0 {
            return Metrics { trades: self.trades, ..Metrics::default() };
        }
        let (e0, en, s) = (self.e0, self.block[0], self.sums);
        let n = self.days as f64;
        let sd = (self.days >= 2).then(|| {
            let squares = s.shifted_squares - s.shifted * s.shifted / n;
            (squares.max(0.0) / (n - 1.0)).sqrt()
        });
        let mean_excess = s.excess / n;
        let downside = (s.downside / n).sqrt();
        let years = (last - first).num_days() as f64 / 365.25;
        let cagr = if e0 <= 0.0 || years <= 0.0 {
            None
        } else if en <= 0.0 {
            Some(-1.0)
        } else {
            Some((en / e0).powf(1.0 / years) - 1.0)
        };
        let max_dd = Some(self.dd.worst);
        let worst = self.tail.smallest();
        let avg = |(sum, n): (f64, usize)| (n > 0).then(|| sum / n as f64);
        let sqrt252 = 252f64.sqrt();
        Metrics {
            total_return: ratio(en, e0).map(|x| x - 1.0),
            cagr,
            ann_vol: sd.map(|s| s * sqrt252),
            sharpe: sd.and_then(|s| ratio(mean_excess, s)).map(|x| x * sqrt252),
            sortino: ratio(mean_excess, downside).map(|x| x * sqrt252),
            max_drawdown: max_dd,
            max_drawdown_usd: self.dd.worst_usd,
            max_drawdown_days: self.dd.longest_days(),
            calmar: cagr.zip(max_dd).and_then(|(c, d)| ratio(c, d)),
            trades: self.trades,
            win_rate: ratio(self.wins.1 as f64, self.trades as f64),
            profit_factor: ratio(self.wins.0, -self.losses.0),
            avg_win: avg(self.wins),
            avg_loss: avg(self.losses),
            worst_day: worst.first().copied(),
            worst_month: self.worst_month,
            cvar_95: mean(&worst),
            time_in_market: ratio(self.in_market_days as f64, n),
        }
    }
}

/// Compute every metric of a whole run (see [`MetricsAcc`]).
pub fn compute(m: MetricInputs<'_>) -> Metrics {
    let eq = m.equity;
    if eq.len() < 2 || m.dates.len() + 1 != eq.len() {
        return Metrics { trades: m.trade_pnl.len(), ..Metrics::default() };
    }
    let mut acc = MetricsAcc::new(eq[0], m.dates.len(), m.month_ends, m.rf_annual);
    let in_market = m.in_market.iter().copied().chain(std::iter::repeat(false));
    for (&e, open) in eq[1..].iter().zip(in_market) {
        acc.push_day(e, open);
    }
    for &p in m.trade_pnl {
        acc.push_trade(p);
    }
    acc.finish(m.dates[0], m.dates[m.dates.len() - 1])
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
                // The two-pass sample deviation; the shifted one-pass form is within 1e-12 of it.
                let sd = (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (r.len() as f64 - 1.0)).sqrt();
                let got = m.ann_vol.unwrap() / 252f64.sqrt();
                assert!((got - sd).abs() <= 1e-12 * sd, "case {case}: sd {got} vs two-pass {sd}");
            }
            // The CVaR tail: the head of a full sort, to the bit.
            let mut sorted = r.clone();
            sorted.sort_by(f64::total_cmp);
            let k = ((r.len() as f64 * 0.05).ceil() as usize).max(1);
            let cvar = sorted[..k].iter().sum::<f64>() / k as f64;
            assert_eq!(m.cvar_95.map(f64::to_bits), Some(cvar.to_bits()), "case {case}");
            // Month-end to month-end returns, the first from the starting capital.
            let mut base = eq[0];
            let mut worst_month: Option<f64> = None;
            for i in month_ends(&d) {
                if base != 0.0 {
                    let r = eq[i + 1] / base - 1.0;
                    worst_month = Some(worst_month.map_or(r, |w| w.min(r)));
                }
                base = eq[i + 1];
            }
            assert_eq!(m.worst_month.map(f64::to_bits), worst_month.map(f64::to_bits), "case {case}");
        }
    }

    proptest::proptest! {
        #[test]
        fn total_keys_order_as_total_cmp_and_read_back(a in proptest::num::f64::ANY, b in proptest::num::f64::ANY) {
            proptest::prop_assert_eq!(total_key(a).cmp(&total_key(b)), a.total_cmp(&b));
            proptest::prop_assert_eq!(from_total_key(total_key(a)).to_bits(), a.to_bits());
        }
    }

    /// A deterministic mix with ties, signed zeros, infinities and runs in both directions.
    fn mixed_values(n: usize) -> Vec<f64> {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut v: Vec<f64> = (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match i % 13 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => (i / 50) as f64,
                    3 if i % 7 == 0 => f64::NEG_INFINITY,
                    _ => (x % 2001) as f64 / 100.0 - 10.0,
                }
            })
            .collect();
        v.extend((0..40).map(|i| -(i as f64)));
        v
    }

    #[test]
    fn tail_equals_the_head_of_a_full_sort() {
        let v = mixed_values(997);
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        for k in [1, 2, 50, 63, 200, v.len()] {
            for step in [1, 7, BLOCK] {
                let mut tail = Tail::new(k);
                for chunk in v.chunks(step) {
                    tail.push(chunk);
                }
                let got: Vec<u64> = tail.smallest().iter().map(|x| x.to_bits()).collect();
                let want: Vec<u64> = sorted[..k].iter().map(|x| x.to_bits()).collect();
                assert_eq!(got, want, "k = {k}, blocks of {step}");
            }
        }
    }

    #[test]
    fn sessions_pushed_one_by_one_or_in_runs_give_the_same_bits() {
        let n = 500;
        let d = dates(n);
        let ends = month_ends(&d);
        let eq: Vec<f64> = mixed_values(n).iter().take(n).map(|x| 1000.0 + 10.0 * x.max(-50.0)).collect();
        let open: Vec<bool> = (0..n).map(|i| i % 3 != 0).collect();
        let whole = compute(MetricInputs {
            dates: &d,
            month_ends: &ends,
            equity: &std::iter::once(1000.0).chain(eq.iter().copied()).collect::<Vec<_>>(),
            trade_pnl: &[5.0, -3.0, 0.0, 7.5],
            in_market: &open,
            rf_annual: 0.03,
        });
        assert!(whole.sharpe.is_some() && whole.cvar_95.is_some() && whole.worst_month.is_some());
        for run in [1, 5, BLOCK, 40] {
            let mut acc = MetricsAcc::new(1000.0, n, &ends, 0.03);
            let mut i = 0;
            while i < n {
                if !open[i] {
                    acc.push_day(eq[i], false);
                    i += 1;
                    continue;
                }
                let m = (i..n).take(run).take_while(|&j| open[j]).count();
                acc.push_days_in_market(m, |k| eq[i + k]);
                i += m;
            }
            for p in [5.0, -3.0, 0.0, 7.5] {
                acc.push_trade(p);
            }
            assert_eq!(acc.last_equity_usd(), Some(eq[n - 1]));
            let got = acc.finish(d[0], d[n - 1]);
            assert_eq!(format!("{got:?}"), format!("{whole:?}"), "runs of {run}");
        }
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_avx2_fold_gives_the_bits_of_the_plain_one() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            eprintln!("skipped: this CPU has no AVX2 (the plain fold is the one in use)");
            return;
        }
        let n = 300;
        let d = dates(n);
        let ends = month_ends(&d);
        let eq: Vec<f64> = mixed_values(n).iter().take(n).map(|x| 1000.0 + 10.0 * x.max(-50.0)).collect();
        let (mut plain, mut wide) =
            (MetricsAcc::new(1000.0, n, &ends, 0.03), MetricsAcc::new(1000.0, n, &ends, 0.03));
        for (chunk_at, chunk) in eq.chunks(BLOCK).enumerate() {
            for acc in [&mut plain, &mut wide] {
                acc.block[1..=chunk.len()].copy_from_slice(chunk);
                acc.in_block = chunk.len();
                acc.in_market_days += chunk_at % 2;
            }
            plain.fold_any();
            // SAFETY: AVX2 checked above.
            unsafe { wide.fold_avx2() };
            assert_eq!(format!("{plain:?}"), format!("{wide:?}"), "block {chunk_at}");
        }
        assert_eq!(
            format!("{:?}", plain.finish(d[0], d[n - 1])),
            format!("{:?}", wide.finish(d[0], d[n - 1]))
        );
    }
}
