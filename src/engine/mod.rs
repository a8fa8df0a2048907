//! The backtest engine: replays a [`Market`] through a [`Strategy`](crate::config::Strategy)'s iron-condor rules and keeps
//! the ledger. It sees market data through the event replay, and the rules' series as rows known
//! by each decision instant ([`streams`]), so no decision can see the future: bars update the
//! market state; at each SPX session close a decision tick runs the day, in order:
//!
//! 1. interest on cash since the previous close (`cash * (e^{r dt} - 1)`, dt in calendar days / 365);
//! 2. every open condor is marked (each leg on its own smile vol) and its P&L since the previous
//!    close attributed to delta, gamma, vega, theta and a residual (which makes the sum exact);
//!    expiring condors settle (SPXW on the close, monthlies on the open); the others close on the
//!    profit target, stop loss or DTE rule, at mid plus a half-spread per leg plus commission;
//!    then the position rules adjust the condors they match (see `run::adjust`);
//! 3. a new condor is opened when the entry schedule says so and fewer than `max_concurrent` are
//!    open: expiry nearest the target DTE (and no later than the run's last day), strikes by the
//!    rules, fills at mid minus a half-spread per leg, sized by contracts or by the fraction of
//!    equity at risk, within buying power (margin = the defined-risk condor's max loss);
//! 4. equity = cash + the open condors' mid marks, recorded with margin, costs and interest.
//!
//! Expiries are trading days, so the SPX file has a row for them; if a file lacks one (a gap), the
//! condor settles on the first later session, on that session's print. A day without a new VIX
//! print uses the last known VIX; VIX rows on non-trading days update it but trigger nothing.

mod book;
mod chain_price;
mod condor;
mod hedge;
pub mod kernel;
mod ledger;
mod market;
mod quotes;
mod run;
mod shared;
mod signals;
pub mod streams;

pub use chain_price::{ChainRun, Coverage, LegCount, LegsQuoted};
pub use condor::{
    choose_expiry, choose_strikes, legs, Condor, Leg, LegMark, Quote, StrikeAdjust, MULTIPLIER,
};
pub use hedge::{
    HedgeBook, HedgeDay, HedgeExit, HedgePosition, HedgeTrade, LayerTotals, VixMark, VIX_MULTIPLIER,
};
pub use ledger::{Attribution, DayRecord, ExitReason, Trade};
pub use market::{session_prints, stream, Market};
pub use quotes::{ChainQuotes, LegQuote, Snapshot};
pub use run::{run, run_together, AdjustmentLog, EngineError, RunResult};
pub use signals::{SignalState, Verdict};
