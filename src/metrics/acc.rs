//! [`MetricsAcc`]: a run's metrics taken as it goes, 32 sessions at a time, and the drawdown it
//! keeps (the definitions and the numerics: the parent module).

use super::tail::Tail;
use super::{mean, ratio, Metrics};
use chrono::NaiveDate;

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

/// Sessions a [`MetricsAcc`] holds before it folds them into its sums.
pub(super) const BLOCK: usize = 32;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::tests::{dates, mixed_values};
    use crate::metrics::{compute, month_ends, MetricInputs};

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
