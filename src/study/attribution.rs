//! Gamma or vega? The Greek attribution of a run's books (the condors, each hedge layer) summed
//! over the event windows (the `window` sessions from each event's session on) and over all
//! other sessions: how much of the P&L came from delta + gamma (price moves), from vega (implied
//! vol repricing), from theta (time), and what the Greeks leave unexplained (residual).

use crate::engine::{Attribution, RunResult};

/// One book's attribution inside and outside the event windows.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSplit {
    pub group: String,
    pub in_days: usize,
    pub out_days: usize,
    /// Sums over the sessions in a window / outside every window (USD).
    pub inside: Attribution,
    pub outside: Attribution,
}

/// Which sessions lie in a window: `[s, s + window)` for each event session `s`.
pub fn window_mask(days: usize, events: &[usize], window: usize) -> Vec<bool> {
    let mut mask = vec![false; days];
    for &s in events {
        for m in mask.iter_mut().skip(s).take(window) {
            *m = true;
        }
    }
    mask
}

/// The split of every book of `r` (`r.groups` order).
pub fn split_by_window(r: &RunResult, events: &[usize], window: usize) -> Vec<WindowSplit> {
    let mask = window_mask(r.days.len(), events, window);
    r.groups
        .iter()
        .zip(&r.group_attribution)
        .map(|(g, daily)| {
            let mut w = WindowSplit {
                group: g.clone(),
                in_days: 0,
                out_days: 0,
                inside: Attribution::default(),
                outside: Attribution::default(),
            };
            for (a, &inside) in daily.iter().zip(&mask) {
                if inside {
                    w.in_days += 1;
                    w.inside.add(a);
                } else {
                    w.out_days += 1;
                    w.outside.add(a);
                }
            }
            w
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_each_event_once() {
        let m = window_mask(10, &[1, 3, 9], 3);
        assert_eq!(m, vec![false, true, true, true, true, true, false, false, false, true]);
    }
}
