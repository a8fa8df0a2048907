//! Position rules: each session, after the day's profit-target, stop and DTE exits and before new
//! entries, the rules with a position action are read on each open condor (its `position.*`
//! fields and the market signals) and the first that holds adjusts it. An adjustment closes the
//! position and opens what replaces it as a new position; only the legs it trades pay
//! half-spreads and commissions (a carried leg is closed and reopened at the same mid, which
//! cancels), so the ledger sums to the cent.

use super::super::book::{closing_legs, entry_cash_legs_usd, entry_costs_legs_usd, LegsTraded};
use super::super::chain_price::{self, Priced};
use super::super::condor::{Condor, Quote, StrikeAdjust};
use super::super::ledger::ExitReason;
use super::super::quotes::Snapshot;
use super::Engine;
use crate::config::{Expiries, PositionAction, PositionField, WingSpec};
use crate::pricing::StrikeRule;
use chrono::NaiveDate;

/// One adjustment taken or skipped (`adjustments.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct AdjustmentLog {
    pub date: NaiveDate,
    /// The condor the rule matched.
    pub position: u32,
    /// `adjust:<action>`.
    pub action: &'static str,
    /// The position it opened (none when it only closed, or was skipped).
    pub new_position: Option<u32>,
    /// `done`, or why it was skipped.
    pub outcome: String,
}

/// A side of a condor: the put vertical (legs 0 and 1) or the call vertical (legs 2 and 3).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Put,
    Call,
}

impl Side {
    fn legs(self) -> [bool; 4] {
        match self {
            Side::Put => [true, true, false, false],
            Side::Call => [false, false, true, true],
        }
    }
}

/// The tested side: the one spot is beyond the short strike of, else the one whose short leg
/// has the larger absolute delta; a condor with one side left has only that one.
fn tested_side(c: &Condor, spot: f64) -> Option<Side> {
    match c.live() {
        [true, true, true, true] => {}
        [true, true, false, false] => return Some(Side::Put),
        [false, false, true, true] => return Some(Side::Call),
        _ => return None,
    }
    let (put, call) = (c.legs[1].strike, c.legs[2].strike);
    Some(if spot < put {
        Side::Put
    } else if spot > call {
        Side::Call
    } else if c.marks[1].delta.abs() >= c.marks[2].delta.abs() {
        Side::Put
    } else {
        Side::Call
    })
}

/// A condor's `position.*` fields at today's marks (`c.marks` after the day's management).
pub(super) fn position_field(c: &Condor, q: &Quote<'_>, f: PositionField) -> Option<f64> {
    let live = c.live();
    Some(match f {
        PositionField::ShortDelta => [1, 2]
            .iter()
            .filter(|&&i| live[i])
            .map(|&i| c.marks[i].delta.abs())
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))))?,
        PositionField::Dte => (c.expiry - q.date).num_days() as f64,
        PositionField::PnlPct => {
            if c.credit <= 0.0 {
                return None;
            }
            100.0 * (c.credit - Condor::value(&c.marks, &c.legs)) / c.credit
        }
        PositionField::Tested => {
            let below = live[1] && q.spot < c.legs[1].strike;
            let above = live[2] && q.spot > c.legs[2].strike;
            f64::from(u8::from(below || above))
        }
        PositionField::DaysHeld => (q.date - c.entry_date).num_days() as f64,
    })
}

/// What replaces a position: its legs and the legs of it that trade when it opens.
struct Replacement {
    condor: Condor,
    opened: [bool; 4],
}

impl Engine<'_> {
    /// Run the position rules on every open condor; returns the costs paid.
    pub(super) fn adjust_positions(&mut self, q: &Quote<'_>, snap: Option<&Snapshot<'_>>) -> f64 {
        if !self.s.rules.iter().any(|r| matches!(r.action, crate::config::Action::Position(_))) {
            return 0.0;
        }
        let mut costs = 0.0;
        for c in std::mem::take(&mut self.open) {
            let field = |f| position_field(&c, q, f);
            let Some(action) = self.signals.position_action(&self.s.rules, self.now, &field) else {
                self.open.push(c);
                continue;
            };
            if c.adjustments >= self.s.condor.max_adjustments {
                if !self.adjust_blocked.contains(&c.id) {
                    self.adjust_blocked.push(c.id);
                    let why = format!(
                        "skipped: condor.max_adjustments ({}) reached",
                        self.s.condor.max_adjustments
                    );
                    self.log_adjustment(q.date, &c, action, None, why);
                }
                self.open.push(c);
                continue;
            }
            costs += self.apply_adjustment(c, action, q, snap);
        }
        costs
    }

    fn log_adjustment(
        &mut self,
        date: NaiveDate,
        c: &Condor,
        action: PositionAction,
        new_position: Option<u32>,
        outcome: String,
    ) {
        self.adjustments.push(AdjustmentLog {
            date,
            position: c.id,
            action: action.reason(),
            new_position,
            outcome,
        });
    }

    /// Adjust `c` by `action`: close it, open what replaces it; or keep it and log why not.
    fn apply_adjustment(
        &mut self,
        mut c: Condor,
        action: PositionAction,
        q: &Quote<'_>,
        snap: Option<&Snapshot<'_>>,
    ) -> f64 {
        let priced = self.price(&mut c, q, snap, false);
        let plan = match action {
            PositionAction::ClosePosition => Ok((c.live(), None)),
            PositionAction::CloseTestedSide => match tested_side(&c, q.spot) {
                Some(side) if c.live() == [true; 4] => Ok((side.legs(), Some(self.without(&c, side)))),
                _ => Ok((c.live(), None)),
            },
            PositionAction::RollTestedSide { to_delta } => self.rolled_side(&c, to_delta, q, snap),
            PositionAction::RollOut { target_dte_days } => self.rolled_out(&c, target_dte_days, q, snap),
        };
        let (closed, replacement) = match plan {
            Ok(p) => p,
            Err(why) => {
                self.log_adjustment(q.date, &c, action, None, format!("skipped: {why}"));
                self.open.push(c);
                return 0.0;
            }
        };
        let mut costs = self.close_adjusted(&c, &priced, closed, action, q.date);
        let new_id = replacement.map(|r| {
            let id = self.next_id;
            costs += self.open_adjusted(r, action, id, q, snap);
            id
        });
        self.log_adjustment(q.date, &c, action, new_id, "done".into());
        costs
    }

    /// `c` with `side` closed (its legs carry no quantity).
    fn without(&self, c: &Condor, side: Side) -> Replacement {
        let mut n = c.clone();
        for (leg, closed) in n.legs.iter_mut().zip(side.legs()) {
            if closed {
                leg.qty = 0.0;
            }
        }
        Replacement { condor: n, opened: [false; 4] }
    }

    /// `roll_tested_side`: the tested vertical sold again at `to_delta` in the same expiry with
    /// its wing width, the other side carried.
    fn rolled_side(
        &self,
        c: &Condor,
        to_delta: f64,
        q: &Quote<'_>,
        snap: Option<&Snapshot<'_>>,
    ) -> Result<([bool; 4], Option<Replacement>), String> {
        let side = tested_side(c, q.spot).ok_or("no side left to roll")?;
        let (short, long) = match side {
            Side::Put => (1, 0),
            Side::Call => (2, 3),
        };
        let width = (c.legs[short].strike - c.legs[long].strike).abs();
        let mut spec = self.s.condor.clone();
        (spec.short_put, spec.short_call) = (StrikeRule::Delta(to_delta), StrikeRule::Delta(to_delta));
        spec.wing = WingSpec::Width(width);
        let listed = snap.and_then(|s| {
            let root = chain_price::root(c.am_settled);
            chain_price::listed_strikes(&spec, q, s, root, c.expiry, StrikeAdjust::default())
        });
        let strikes = match listed {
            Some(s) => s,
            None => self
                .strikes_for(&spec, q, c.expiry, StrikeAdjust::default())
                .ok_or("no strikes at that delta in the expiry")?,
        };
        let live = c.live();
        let crosses = match side {
            Side::Put => live[2] && strikes[1] >= c.legs[2].strike,
            Side::Call => live[1] && strikes[2] <= c.legs[1].strike,
        };
        if crosses {
            return Err(format!(
                "the new short strike {} would cross the other side's short strike {}",
                strikes[short],
                c.legs[3 - short].strike
            ));
        }
        if strikes[short] == c.legs[short].strike {
            return Err(format!(
                "the short strike is already at the {to_delta} delta strike {}",
                strikes[short]
            ));
        }
        let mut n = c.clone();
        for i in [short, long] {
            n.legs[i].strike = strikes[i];
        }
        Ok((side.legs(), Some(Replacement { condor: n, opened: side.legs() })))
    }

    /// `roll_out`: the condor again at the expiry nearest `dte` days, strikes by the strategy's
    /// rules.
    fn rolled_out(
        &self,
        c: &Condor,
        dte: u32,
        q: &Quote<'_>,
        snap: Option<&Snapshot<'_>>,
    ) -> Result<([bool; 4], Option<Replacement>), String> {
        let (expiry, strikes) = self
            .new_condor_at(q, snap, StrikeAdjust::default(), dte)
            .ok_or_else(|| format!("no expiry {dte} days out inside the run, or no valid strikes"))?;
        if expiry == c.expiry {
            return Err(format!("the expiry nearest {dte} days is the condor's own ({expiry})"));
        }
        let mut n = c.clone();
        n.legs = super::super::condor::legs(strikes);
        n.expiry = expiry;
        n.am_settled = self.s.condor.expiries == Expiries::Monthly;
        n.quoted_iv = chain_price::NEVER_QUOTED;
        Ok((c.live(), Some(Replacement { condor: n, opened: [true; 4] })))
    }

    /// Close `c` for an adjustment, trading legs `closed` (the rest are carried at mid). Returns
    /// the costs paid.
    fn close_adjusted(
        &mut self,
        c: &Condor,
        priced: &Priced,
        closed: [bool; 4],
        action: PositionAction,
        date: NaiveDate,
    ) -> f64 {
        let value = Condor::value(&priced.marks, &c.legs);
        let legs =
            LegsTraded { entry: f64::from(c.entry_legs), exit: closed.iter().filter(|t| **t).count() as f64 };
        let reason = ExitReason::Adjust(action);
        let spread = priced.spread_of(closed);
        let close = closing_legs(reason, value, c.credit, c.contracts, spread, self.s.commission_usd, legs);
        let quoted = self.m.spx_chain.is_some().then(|| super::super::chain_price::LegsQuoted {
            entry: c.entry_quoted,
            exit: Some(priced.quoted_legs()),
        });
        self.book_close(c, date, &close, reason, quoted);
        close.costs_usd
    }

    /// Open `r` as position `id` (same contracts), trading its legs `r.opened`. Returns the costs.
    fn open_adjusted(
        &mut self,
        r: Replacement,
        action: PositionAction,
        id: u32,
        q: &Quote<'_>,
        snap: Option<&Snapshot<'_>>,
    ) -> f64 {
        let Replacement { condor: mut n, opened } = r;
        n.id = id;
        n.entry_date = q.date;
        n.entry_reason = action.reason();
        n.adjustments += 1;
        n.spot_mark = q.spot;
        n.date_mark = q.date;
        let priced = self.price(&mut n, q, snap, false);
        n.marks = priced.marks;
        n.entry_quoted = priced.quoted_legs();
        let spread = priced.spread_of(opened);
        n.credit = Condor::value(&n.marks, &n.legs) - spread;
        let legs = opened.iter().filter(|t| **t).count() as f64;
        n.entry_legs = legs as u8;
        let comm = self.s.commission_usd;
        self.ledger.cash_usd += entry_cash_legs_usd(n.credit, n.contracts, comm, legs);
        self.next_id += 1;
        let costs = entry_costs_legs_usd(n.contracts, spread, comm, legs);
        self.open.push(n);
        costs
    }
}
