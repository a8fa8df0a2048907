//! Work the runs on one [`Market`] share: what depends only on the data and a few parameters is
//! computed once per distinct parameters and kept in the market (behind a lock taken once per
//! run, never on the hot path), so a sweep's combinations reuse it. Each item is computed by the
//! same code a single run would use, so results are the same bits however many runs share it
//! and whichever thread computes it first.
//!
//! - [`CascadeTape`]: the cascade detector's output on every liquidation row, per detector
//!   configuration (window, threshold, z-score, cool-down): a run reads a row's outcome instead of
//!   updating the detector.
//! - The rows of each series the rules read ([`super::streams::Rows`]), per series.

use super::market::Market;
use super::streams::Rows;
use crate::config::signal_expr::Series;
use crate::config::SignalSpec;
use crate::data::Side;
use crate::replay::Source;
use crate::signals::CascadeDetector;
use std::sync::{Arc, Mutex};

/// The detector's settings: what a [`CascadeTape`] depends on besides the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CascadeKey {
    window_s: i64,
    threshold_usd: f64,
    cooldown_s: i64,
    zscore: Option<(f64, usize)>,
}

impl CascadeKey {
    pub fn of(spec: &SignalSpec) -> Self {
        CascadeKey {
            window_s: spec.cascade_window_s,
            threshold_usd: spec.cascade_threshold_usd,
            cooldown_s: spec.cascade_cooldown_s,
            zscore: spec.cascade_zscore,
        }
    }

    fn detector(&self) -> CascadeDetector {
        let d = CascadeDetector::new(self.window_s, self.threshold_usd, self.cooldown_s);
        match self.zscore {
            Some((z, lookback)) => d.with_zscore(z, lookback),
            None => d,
        }
    }
}

/// The detector's outcome after each liquidation row (events or buckets, in row order, which is
/// the order the replay feeds them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CascadeTape {
    /// Whether the row completed a cascade.
    pub fired: Vec<bool>,
    /// The long share of the window after the row.
    pub long_share: Vec<Option<f64>>,
}

impl CascadeTape {
    /// Run the detector of `key` over `source`'s rows.
    fn build(key: &CascadeKey, source: &Source) -> Self {
        let mut d = key.detector();
        let mut tape = CascadeTape::default();
        let mut step = |at, long_usd, short_usd| {
            tape.fired.push(d.update(at, long_usd, short_usd).is_some());
            tape.long_share.push(d.long_share());
        };
        match source {
            Source::Liquidations(e) => {
                for i in 0..e.len() {
                    match e.side[i] {
                        Side::Long => step(e.ts[i], e.notional_usd[i], 0.0),
                        Side::Short => step(e.ts[i], 0.0, e.notional_usd[i]),
                    }
                }
            }
            Source::Buckets(b) => {
                for i in 0..b.known_at.len() {
                    step(b.known_at[i], b.long_liq_usd[i], b.short_liq_usd[i]);
                }
            }
            _ => {}
        }
        tape
    }
}

/// The shared work of a market's runs.
#[derive(Debug, Default)]
pub struct SharedWork {
    cascades: Vec<(CascadeKey, Arc<CascadeTape>)>,
    rows: Vec<(Series, Arc<Rows>)>,
}

/// A handle on a market's shared work (cloned with the market: every clone shares it).
#[derive(Debug, Clone, Default)]
pub struct Shared(Arc<Mutex<SharedWork>>);

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, SharedWork> {
        // A panic while holding the lock leaves complete entries only (each is pushed whole).
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cascade tape of `key` on `m`'s liquidations (`None` without liquidation data).
    pub fn cascade_tape(&self, key: CascadeKey, m: &Market) -> Option<Arc<CascadeTape>> {
        let source = m.liquidations.as_ref()?;
        if let Some((_, t)) = self.lock().cascades.iter().find(|(k, _)| *k == key) {
            return Some(t.clone());
        }
        let tape = Arc::new(CascadeTape::build(&key, source));
        let mut work = self.lock();
        match work.cascades.iter().find(|(k, _)| *k == key) {
            Some((_, t)) => Some(t.clone()),
            None => {
                work.cascades.push((key, tape.clone()));
                Some(tape)
            }
        }
    }

    /// The rows of series `s` on `m`.
    pub fn rows(&self, s: &Series, m: &Market) -> Arc<Rows> {
        if let Some((_, r)) = self.lock().rows.iter().find(|(k, _)| k == s) {
            return r.clone();
        }
        let rows = Arc::new(super::streams::series_rows(s, m));
        let mut work = self.lock();
        match work.rows.iter().find(|(k, _)| k == s) {
            Some((_, r)) => r.clone(),
            None => {
                work.rows.push((s.clone(), rows.clone()));
                rows
            }
        }
    }
}
