//! The condor book's decisions, as pure functions shared by the event-driven engine
//! ([`super::run`]) and the sweep's condor-only kernel ([`super::kernel`]): when an entry is due,
//! whether and why a condor exits, what closing it pays, how many contracts a new one gets, and
//! the book's equity and margin. One copy of each rule, so both paths give the same bits.

use super::condor::MULTIPLIER;
use super::ledger::ExitReason;
use crate::config::{CondorSpec, EntrySchedule, Sizing};
use crate::time::Calendar;
use chrono::{Datelike, Days, NaiveDate};

/// The entry schedule's memory: the ISO week of the last entry opportunity taken.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct EntryClock {
    last_week: Option<(i32, u32)>,
}

/// What [`EntryClock::due`] needs to know about a session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Session {
    pub date: NaiveDate,
    /// ISO (year, week).
    pub week: (i32, u32),
    /// Days from Monday (0..=6).
    pub weekday: u32,
    /// Index of the session in the run.
    pub index: usize,
}

impl Session {
    pub fn new(date: NaiveDate, index: usize) -> Self {
        let iso = date.iso_week();
        Session {
            date,
            week: (iso.year(), iso.week()),
            weekday: date.weekday().num_days_from_monday(),
            index,
        }
    }
}

impl EntryClock {
    /// Whether the schedule opens a condor at this session (`flat`: no condor is open). A
    /// weekday schedule enters on the first session of each ISO week on or after that weekday; a
    /// run that starts after its first week's entry day waits for the next week.
    pub fn due(&mut self, schedule: EntrySchedule, cal: &Calendar, day: Session, flat: bool) -> bool {
        match schedule {
            EntrySchedule::Weekday(wd) => {
                let wanted = wd.num_days_from_monday();
                if self.last_week.is_none() && day.index == 0 {
                    let monday = day.date - Days::new(day.weekday as u64);
                    let entry = cal.next_trading_day(monday + Days::new(wanted as u64) - Days::new(1));
                    if day.date > entry {
                        self.last_week = Some(day.week);
                        return false;
                    }
                }
                let due = day.weekday >= wanted && self.last_week != Some(day.week);
                if due {
                    self.last_week = Some(day.week);
                }
                due
            }
            EntrySchedule::EveryNDays(n) => day.index.is_multiple_of(n as usize),
            EntrySchedule::WhenFlat => flat,
        }
    }
}

/// A condor's exit thresholds, fixed when it is sold at `credit`: [`ExitLevels::reason`] applies
/// them (the same arithmetic as recomputing them every day, done once).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct ExitLevels {
    /// Exit when the buy-back cost per share is at or below this (`(1 - target%) x credit`).
    target: Option<f64>,
    /// Exit when the buy-back cost per share is at or above this (`multiple x credit`).
    stop: Option<f64>,
    /// Exit with this many calendar days or fewer left.
    dte_days: Option<i64>,
}

impl ExitLevels {
    pub fn new(spec: &CondorSpec, credit: f64) -> Self {
        ExitLevels {
            target: spec.profit_target_pct.map(|p| (1.0 - p / 100.0) * credit),
            stop: spec.stop_loss_multiple.map(|x| x * credit),
            dte_days: spec.exit_dte_days.map(i64::from),
        }
    }

    /// Why the condor leaves the book today, if it does: expiry first, then the profit target,
    /// the stop loss, the DTE rule, and a rule's `close_all`. `value` is today's cost per share
    /// to buy it back (or its settlement value).
    #[inline]
    pub fn reason(
        &self,
        expiring: bool,
        value: f64,
        days_left: i64,
        force_close: bool,
    ) -> Option<ExitReason> {
        if expiring {
            Some(ExitReason::Expiry)
        } else if self.target.is_some_and(|t| value <= t) {
            Some(ExitReason::ProfitTarget)
        } else if self.stop.is_some_and(|s| value >= s) {
            Some(ExitReason::StopLoss)
        } else if self.dte_days.is_some_and(|d| days_left <= d) {
            Some(ExitReason::Dte)
        } else if force_close {
            Some(ExitReason::Rule)
        } else {
            None
        }
    }
}

/// Why an open condor sold at `credit` leaves the book today, if it does (see
/// [`ExitLevels::reason`]).
pub(super) fn exit_reason(
    spec: &CondorSpec,
    expiring: bool,
    value: f64,
    credit: f64,
    days_left: i64,
    force_close: bool,
) -> Option<ExitReason> {
    ExitLevels::new(spec, credit).reason(expiring, value, days_left, force_close)
}

/// What closing a condor pays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Closing {
    /// Price paid per share (mid plus the legs' half-spreads; the settlement value at expiry).
    pub exit_price: f64,
    /// Half-spreads and commissions (USD).
    pub costs_usd: f64,
    /// Cash leaving the book (USD).
    pub cash_out_usd: f64,
    /// The trade's P&L, entry and exit commissions included (USD).
    pub pnl_usd: f64,
}

/// Close `contracts` condors sold at `credit` whose value today is `value` (per share), paying
/// `spread_usd` per share over the mid (the four legs' half-spreads: `4 x costs.half_spread_usd`
/// on the model, what the quotes ask for on a chain). A settlement pays no spread and no
/// commission.
pub(super) fn closing(
    reason: ExitReason,
    value: f64,
    credit: f64,
    contracts: u32,
    spread_usd: f64,
    commission_usd: f64,
) -> Closing {
    closing_legs(reason, value, credit, contracts, spread_usd, commission_usd, LegsTraded::CONDOR)
}

/// How many legs a position traded when it opened and trades when it closes (commissions are
/// per leg and contract): 4 and 4 for a condor; fewer when an adjustment carries legs over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LegsTraded {
    pub entry: f64,
    pub exit: f64,
}

impl LegsTraded {
    pub const CONDOR: LegsTraded = LegsTraded { entry: 4.0, exit: 4.0 };
}

/// [`closing`] of a position that traded `legs` (`spread_usd`: the half-spreads of the legs
/// closed). A settlement trades nothing.
pub(super) fn closing_legs(
    reason: ExitReason,
    value: f64,
    credit: f64,
    contracts: u32,
    spread_usd: f64,
    commission_usd: f64,
    legs: LegsTraded,
) -> Closing {
    let (k, n) = (contracts as f64, contracts as f64 * MULTIPLIER);
    let comm = commission_usd;
    let settled = reason == ExitReason::Expiry;
    let exit_comm = legs.exit * comm * k;
    let (exit_price, costs_usd) =
        if settled { (value, 0.0) } else { (value + spread_usd, spread_usd * n + exit_comm) };
    let cash_out_usd = exit_price * n + if settled { 0.0 } else { exit_comm };
    let legs_paid = if settled { legs.entry } else { legs.entry + legs.exit };
    Closing { exit_price, costs_usd, cash_out_usd, pnl_usd: (credit - exit_price) * n - legs_paid * comm * k }
}

/// The four legs' half-spreads per share on the model: `4 x half_spread_usd`.
#[inline]
pub(super) fn model_spread_usd(half_spread_usd: f64) -> f64 {
    4.0 * half_spread_usd
}

/// Contracts of a new condor sold at `credit` per share with widest spread `width_pts`: the
/// sizing rule (scaled by a rule's `size_factor`) within buying power. 0 when the condor is not
/// worth opening (no credit, or a credit at least its width).
pub(super) fn contracts_for(
    sizing: Sizing,
    size_factor: f64,
    credit: f64,
    width_pts: f64,
    equity_usd: f64,
    margin_usd: f64,
) -> u32 {
    let max_loss = (width_pts - credit) * MULTIPLIER;
    if credit <= 0.0 || max_loss <= 0.0 {
        return 0;
    }
    let room = ((equity_usd - margin_usd) / max_loss).floor().max(0.0);
    let wanted = match sizing {
        Sizing::Contracts(k) => (k as f64 * size_factor).floor(),
        Sizing::RiskFraction(f) => (f * size_factor * equity_usd / max_loss).floor(),
    };
    wanted.min(room) as u32
}

/// Credit per share of a condor sold at mid `value_per_share`, giving up `spread_usd` per share
/// (the four legs' half-spreads, see [`closing`]).
#[inline]
pub(super) fn entry_credit(value_per_share: f64, spread_usd: f64) -> f64 {
    value_per_share - spread_usd
}

/// Cash the book receives for selling `contracts` condors at `credit` per share: the credit less
/// one commission per leg and contract.
#[inline]
pub(super) fn entry_cash_usd(credit: f64, contracts: u32, commission_usd: f64) -> f64 {
    entry_cash_legs_usd(credit, contracts, commission_usd, 4.0)
}

/// [`entry_cash_usd`] of a position that trades `legs` legs when it opens.
#[inline]
pub(super) fn entry_cash_legs_usd(credit: f64, contracts: u32, commission_usd: f64, legs: f64) -> f64 {
    let k = contracts as f64;
    credit * MULTIPLIER * k - legs * commission_usd * k
}

/// Costs of selling `contracts` condors: `spread_usd` per share (the four legs' half-spreads),
/// and a commission per leg and contract.
#[inline]
pub(super) fn entry_costs_usd(contracts: u32, spread_usd: f64, commission_usd: f64) -> f64 {
    entry_costs_legs_usd(contracts, spread_usd, commission_usd, 4.0)
}

/// [`entry_costs_usd`] of a position that trades `legs` legs when it opens.
#[inline]
pub(super) fn entry_costs_legs_usd(contracts: u32, spread_usd: f64, commission_usd: f64, legs: f64) -> f64 {
    let k = contracts as f64;
    spread_usd * MULTIPLIER * k + legs * commission_usd * k
}

/// The print an expiring condor settles on: the expiry session's open when AM-settled (SPX
/// monthlies), else its close (SPXW).
#[inline]
pub(super) fn settlement_print(am_settled: bool, open: f64, close: f64) -> f64 {
    if am_settled {
        open
    } else {
        close
    }
}

/// The time step from the previous session's close to this one's, in years (calendar days /
/// 365): the step of interest on cash and of the attribution's theta. 0 on the first session.
#[inline]
pub(super) fn years_since(prev: Option<NaiveDate>, date: NaiveDate) -> f64 {
    prev.map_or(0.0, |p| (date - p).num_days() as f64 / 365.0)
}

/// Interest on `cash_usd` over `dt_years` at `rate` (continuous compounding), if cash earns it.
pub(super) fn interest_usd(on: bool, cash_usd: f64, rate: f64, dt_years: f64) -> f64 {
    if on {
        cash_usd * ((rate * dt_years).exp() - 1.0)
    } else {
        0.0
    }
}

/// Cost per share to buy a condor back at these leg prices ([long put, short put, short call,
/// long call] with quantities `qty`).
#[inline]
pub(super) fn condor_value(prices: [f64; 4], qty: [f64; 4]) -> f64 {
    -(0..4).map(|i| qty[i] * prices[i]).sum::<f64>()
}

/// Widest spread of a condor's strikes [long put, short put, short call, long call] (points).
#[inline]
pub(super) fn width_pts(strikes: [f64; 4]) -> f64 {
    (strikes[1] - strikes[0]).max(strikes[3] - strikes[2])
}

/// Defined risk (max loss) of `contracts` condors of this width sold at `credit` (USD).
#[inline]
pub(super) fn margin_usd(width_pts: f64, credit: f64, contracts: u32) -> f64 {
    (width_pts - credit) * MULTIPLIER * contracts as f64
}

/// Book equity: cash less the open condors' buy-back cost (`values_usd`), plus the hedge.
pub(super) fn equity_usd(cash_usd: f64, values_usd: impl Iterator<Item = f64>, hedge_usd: f64) -> f64 {
    cash_usd - values_usd.sum::<f64>() + hedge_usd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_before_expiry_pays_spreads_and_both_commissions() {
        // 2 condors sold at 3.00, bought back at mid 1.00: exit at 1.20, costs 4x0.05x200 + 4x0.65x2.
        let c = closing(ExitReason::ProfitTarget, 1.0, 3.0, 2, model_spread_usd(0.05), 0.65);
        assert!((c.exit_price - 1.2).abs() < 1e-12);
        assert!((c.costs_usd - (40.0 + 5.2)).abs() < 1e-9);
        assert!((c.cash_out_usd - (240.0 + 5.2)).abs() < 1e-9);
        assert!((c.pnl_usd - ((3.0 - 1.2) * 200.0 - 8.0 * 0.65 * 2.0)).abs() < 1e-9);
        let s = closing(ExitReason::Expiry, 0.0, 3.0, 2, model_spread_usd(0.05), 0.65);
        assert_eq!((s.exit_price, s.costs_usd, s.cash_out_usd), (0.0, 0.0, 0.0));
        assert!((s.pnl_usd - (600.0 - 4.0 * 0.65 * 2.0)).abs() < 1e-9);
    }

    #[test]
    fn sizing_respects_buying_power_and_refuses_bad_credit() {
        // Max loss (50 - 2) x 100 = 4800 a condor; 10,000 free buys 2.
        assert_eq!(contracts_for(Sizing::Contracts(5), 1.0, 2.0, 50.0, 10_000.0, 0.0), 2);
        assert_eq!(contracts_for(Sizing::Contracts(5), 0.5, 2.0, 50.0, 1e6, 0.0), 2);
        assert_eq!(contracts_for(Sizing::RiskFraction(0.1), 1.0, 2.0, 50.0, 96_000.0, 0.0), 2);
        assert_eq!(contracts_for(Sizing::Contracts(1), 1.0, 0.0, 50.0, 1e6, 0.0), 0);
        assert_eq!(contracts_for(Sizing::Contracts(1), 1.0, 50.0, 50.0, 1e6, 0.0), 0);
    }

    #[test]
    fn exits_in_priority_order() {
        let spec = CondorSpec {
            entry: EntrySchedule::WhenFlat,
            target_dte_days: 45,
            short_put: crate::pricing::StrikeRule::Delta(0.16),
            short_call: crate::pricing::StrikeRule::Delta(0.16),
            wing: crate::config::WingSpec::Width(50.0),
            sizing: Sizing::Contracts(1),
            max_concurrent: 1,
            profit_target_pct: Some(50.0),
            stop_loss_multiple: Some(2.0),
            exit_dte_days: Some(21),
            expiries: crate::config::Expiries::Spxw,
            max_adjustments: 3,
        };
        assert_eq!(exit_reason(&spec, true, 9.0, 2.0, 0, false), Some(ExitReason::Expiry));
        assert_eq!(exit_reason(&spec, false, 1.0, 2.0, 10, false), Some(ExitReason::ProfitTarget));
        assert_eq!(exit_reason(&spec, false, 4.0, 2.0, 10, false), Some(ExitReason::StopLoss));
        assert_eq!(exit_reason(&spec, false, 1.5, 2.0, 21, false), Some(ExitReason::Dte));
        assert_eq!(exit_reason(&spec, false, 1.5, 2.0, 22, true), Some(ExitReason::Rule));
        assert_eq!(exit_reason(&spec, false, 1.5, 2.0, 22, false), None);
    }
}
