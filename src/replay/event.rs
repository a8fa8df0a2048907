//! [`Event`]: one piece of information becoming known at one instant.

use crate::data::Side;
use crate::time::Timestamp;

/// What kind of happening an event is; orders events at equal timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventClass {
    /// A bar, liquidation, funding rate, futures settlement or rate fixing.
    MarketData = 0,
    /// An option or future expiring and settling.
    Settlement = 1,
    /// A point at which the strategy decides (e.g. each SPX session close).
    Decision = 2,
}

/// The data carried by an event. Small and `Copy`: rows are copied out of the shared columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Payload {
    Bar {
        open: f64,
        high: f64,
        low: f64,
        close: f64,
    },
    Liquidation {
        exchange: u16,
        symbol: u16,
        side: Side,
        price: f64,
        quantity: f64,
        notional_usd: f64,
    },
    LiquidationBucket {
        long_liq_usd: f64,
        short_liq_usd: f64,
        bucket_s: i64,
    },
    Funding {
        symbol: u16,
        rate: f64,
    },
    /// A VX term-structure row: read the curve at `row` of the source's series.
    VxCurve {
        row: u32,
    },
    VxSettle {
        expiry_days: i32,
        settle: f64,
    },
    Rate {
        rate: f64,
    },
    /// A scheduled instant (decision or settlement time) with no data of its own.
    Tick,
}

/// One event of the merged stream. Ordered by [`Event::key`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    pub ts: Timestamp,
    pub class: EventClass,
    /// Index of the source in [`super::Replay::new`]'s list.
    pub stream: u16,
    /// Row of the event inside its source.
    pub seq: u32,
    pub payload: Payload,
}

impl Event {
    /// The total order of the replay.
    pub fn key(&self) -> (Timestamp, EventClass, u16, u32) {
        (self.ts, self.class, self.stream, self.seq)
    }
}
