//! The ledger's records: one row per day (cash, margin, equity, what moved it), the daily P&L
//! attribution of the condor book, and the trade log.

use chrono::NaiveDate;

/// The book at one day's close.
#[derive(Debug, Clone, PartialEq)]
pub struct DayRecord {
    pub date: NaiveDate,
    pub equity_usd: f64,
    pub cash_usd: f64,
    /// Sum of the open condors' defined risk (max loss).
    pub margin_usd: f64,
    pub open_condors: usize,
    pub spx: f64,
    pub vix: f64,
    pub rate: f64,
    /// Interest credited on cash since the previous close.
    pub interest_usd: f64,
    /// Half-spreads and commissions paid today.
    pub costs_usd: f64,
    /// Change of equity since the previous close.
    pub pnl_usd: f64,
    /// The hedge layers' calls at mid.
    pub hedge_value_usd: f64,
    /// VIX call contracts held, all layers.
    pub hedge_contracts: u32,
    /// Hedge premium paid so far (costs included).
    pub hedge_paid_usd: f64,
    /// Hedge value recovered so far (net of costs).
    pub hedge_recovered_usd: f64,
    /// Contracts and value at mid held by each hedge layer.
    pub layer_contracts: Vec<u32>,
    pub layer_value_usd: Vec<f64>,
    /// VIX / VIX3M (else VX1 / VX2); `None` when neither is known.
    pub term_ratio: Option<f64>,
    /// Long and short liquidations that became known since the previous close (USD).
    pub long_liq_usd: f64,
    pub short_liq_usd: f64,
    /// Cascades detected since the previous close.
    pub cascades: u32,
}

/// Daily P&L of one position group (the condors, or one hedge layer) held from the previous
/// close, split by Greek (previous close's Greeks; for VIX calls delta and gamma are on the
/// same-expiry future): `delta dS + gamma dS^2 / 2 + sum(vega d sigma) + theta dt + residual = total`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Attribution {
    pub delta_usd: f64,
    pub gamma_usd: f64,
    pub vega_usd: f64,
    pub theta_usd: f64,
    pub residual_usd: f64,
    pub total_usd: f64,
}

impl Attribution {
    pub fn add(&mut self, o: &Attribution) {
        self.delta_usd += o.delta_usd;
        self.gamma_usd += o.gamma_usd;
        self.vega_usd += o.vega_usd;
        self.theta_usd += o.theta_usd;
        self.residual_usd += o.residual_usd;
        self.total_usd += o.total_usd;
    }
}

/// Why a condor was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitReason {
    Expiry,
    ProfitTarget,
    StopLoss,
    Dte,
    /// A rule's `close_all` action.
    Rule,
}

impl ExitReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::Expiry => "expiry",
            ExitReason::ProfitTarget => "profit_target",
            ExitReason::StopLoss => "stop_loss",
            ExitReason::Dte => "dte",
            ExitReason::Rule => "rule",
        }
    }
}

/// One closed condor.
#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    pub id: u32,
    pub entry_date: NaiveDate,
    pub exit_date: NaiveDate,
    pub expiry: NaiveDate,
    /// [long put, short put, short call, long call].
    pub strikes: [f64; 4],
    pub contracts: u32,
    /// Premium received per share.
    pub credit: f64,
    /// Paid per share to close (mid plus half-spreads) or the settlement value.
    pub exit_price: f64,
    pub entry_reason: &'static str,
    pub exit_reason: ExitReason,
    /// Net of every half-spread and commission.
    pub pnl_usd: f64,
}
