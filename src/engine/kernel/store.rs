//! The kernel memo's value store: one allocation of leg prices and condor values, handed out
//! as series reserved from slabs, and slabs reused once nothing reads their series again.

/// A run of values in a memo's [`Store`]: `len` filled of `cap` reserved from `start`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Series {
    pub(super) start: usize,
    pub(super) len: usize,
    pub(super) cap: usize,
}

/// A memo's values (leg prices, condor values) in one allocation, each series in a range
/// reserved for it up to its expiry, carved from slabs of [`SLAB`] values. Kept (and reused)
/// when the memo forgets: no allocation per series, no free.
///
/// The allocation is zeroed memory from the allocator (fresh pages the kernel maps on first
/// write), and a reservation only moves a slab's fill mark: a series' unpriced tail (a condor that
/// exits early) is never written, so its pages are never touched. A slab that nothing will read
/// again ([`Store::release`]) is reused before fresh memory is touched, which keeps a memo whose
/// runs advance in step in a few hot slabs. Nothing reads past a series' filled length (see
/// [`Series`]), so what lies there (zeros, or a forgotten series' values) is never seen.
#[derive(Debug, Default)]
pub(super) struct Store {
    pub(super) values: Vec<f64>,
    /// Values carved into slabs so far (fresh memory above).
    top: usize,
    /// Every slab carved, in use or free.
    slabs: Vec<Slab>,
    /// The slab being filled (an index into `slabs`), if any.
    current: Option<usize>,
}

/// A run of [`Store`] values that series are reserved from, one after another.
#[derive(Debug, Clone, Copy)]
struct Slab {
    start: usize,
    len: usize,
    /// Values reserved from `start`.
    used: usize,
    /// The session from which no series in it is read (the latest of its series').
    dies: usize,
    free: bool,
}

/// Values in a [`Store`] slab (128 KiB): a few cohorts' series.
const SLAB: usize = 16 << 10;

impl Store {
    /// A store over `values` (a previous store's allocation, or empty), holding no series.
    pub(super) fn over(values: Vec<f64>) -> Self {
        Store { values, ..Store::default() }
    }

    /// Forget every series, keeping room for at least `room` values.
    pub(super) fn reset(&mut self, room: usize) {
        self.top = 0;
        self.slabs.clear();
        self.current = None;
        if self.values.len() < room {
            // Zeroed memory straight from the allocator: no writes until a series is filled.
            self.values = vec![0.0; room];
        }
    }

    /// Reserve a series of up to `cap` values, read on no session from `dies` on.
    pub(super) fn reserve(&mut self, cap: usize, dies: usize) -> Series {
        let fits = |s: &Slab| s.used + cap <= s.len;
        let k = match self.current.filter(|&k| fits(&self.slabs[k])) {
            Some(k) => k,
            None => self.slab_for(cap),
        };
        let slab = &mut self.slabs[k];
        let start = slab.start + slab.used;
        slab.used += cap;
        slab.dies = slab.dies.max(dies);
        Series { start, len: 0, cap }
    }

    /// A slab with room for `cap` values, made the current one: a free slab if one is large
    /// enough, else a fresh one from `top`.
    fn slab_for(&mut self, cap: usize) -> usize {
        let k = match self.slabs.iter().position(|s| s.free && s.len >= cap) {
            Some(k) => k,
            None => {
                let len = cap.max(SLAB);
                let start = self.top;
                self.top += len;
                if self.top > self.values.len() {
                    self.values.resize(self.top.max(2 * self.values.len()), 0.0);
                }
                self.slabs.push(Slab { start, len, used: 0, dies: 0, free: true });
                self.slabs.len() - 1
            }
        };
        self.slabs[k] = Slab { used: 0, dies: 0, free: false, ..self.slabs[k] };
        self.current = Some(k);
        k
    }

    /// Free the slabs no series of which is read from session `at` on.
    pub(super) fn release(&mut self, at: usize) {
        for (k, s) in self.slabs.iter_mut().enumerate() {
            if !s.free && s.dies <= at {
                s.free = true;
                if self.current == Some(k) {
                    self.current = None;
                }
            }
        }
    }

    /// The unfilled part of `s` up to `to` (`to <= cap`), marked filled.
    pub(super) fn fill(&mut self, s: &mut Series, to: usize) -> &mut [f64] {
        let from = s.len;
        s.len = to.min(s.cap).max(from);
        &mut self.values[s.start + from..s.start + s.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A slab freed by `release` is reused before fresh memory is carved.
    #[test]
    fn released_slabs_are_reused() {
        let mut store = Store::default();
        store.reset(1 << 20);
        let a = store.reserve(SLAB - 10, 40);
        let b = store.reserve(100, 50);
        assert_eq!((a.start, b.start), (0, SLAB), "b does not fit in a's slab");
        store.release(40);
        let c = store.reserve(SLAB - 10, 90);
        assert_eq!(c.start, 0, "a's slab, free from tape day 40");
        store.release(49);
        let d = store.reserve(SLAB, 99);
        assert_eq!(d.start, 2 * SLAB, "b's slab is still read on tape day 49");
        assert_eq!(store.top, 3 * SLAB);
    }

    proptest! {
        /// Series still read (those whose `dies` is after the last release) never share a value,
        /// and every series lies inside the store, whatever the sizes, lives and releases.
        #[test]
        fn live_series_never_overlap(
            ops in prop::collection::vec((1usize..3 * SLAB / 2, 1usize..60, 0usize..4), 1..200)
        ) {
            let mut store = Store::default();
            store.reset(4 * SLAB);
            let mut live: Vec<(Series, usize)> = Vec::new();
            let mut session = 0;
            for (cap, life, advance) in ops {
                session += advance;
                if advance > 0 {
                    store.release(session);
                    live.retain(|(_, dies)| *dies > session);
                }
                let s = store.reserve(cap, session + life);
                prop_assert!(s.start + s.cap <= store.values.len());
                for (o, _) in &live {
                    prop_assert!(s.start + s.cap <= o.start || o.start + o.cap <= s.start, "{s:?} overlaps {o:?}");
                }
                live.push((s, session + life));
            }
        }
    }
}
