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

mod acc;
mod tail;

pub use acc::MetricsAcc;
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

pub fn month_ends(dates: &[NaiveDate]) -> Vec<usize> {
    let month = |d: &NaiveDate| (d.year(), d.month());
    (0..dates.len()).filter(|&i| dates.get(i + 1).map(month) != Some(month(&dates[i]))).collect()
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

    pub(super) fn dates(n: usize) -> Vec<NaiveDate> {
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 29).unwrap();
        (0..n).map(|i| d0 + chrono::Days::new(i as u64)).collect()
    }

    /// A deterministic mix with ties, signed zeros, infinities and runs in both directions.
    pub(super) fn mixed_values(n: usize) -> Vec<f64> {
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
}
