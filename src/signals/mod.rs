//! Streaming signals: each is updated with one observation at a time and reads only the past, so
//! a value at time t never depends on data after t (the engine feeds them from the replay).
//!
//! | signal | definition |
//! |---|---|
//! | [`Sma`] `n` | mean of the last `n` values (`None` until `n` values) |
//! | [`Ema`] `n` | `alpha = 2/(n+1)`; seeded with the first value, then `e += alpha (x - e)` (pandas `ewm(span=n, adjust=False)`) |
//! | [`Macd`] `12/26/9` | `macd = EMA12 - EMA26`, `signal = EMA9(macd)`, `hist = macd - signal` |
//! | [`Rsi`] `n` (Wilder) | first average gain/loss = mean of the first `n` changes, then `avg = (avg (n-1) + x) / n`; `RSI = 100 - 100/(1 + gain/loss)`, 100 when there is no loss (50 when neither) |
//! | [`RealizedVol`] `n` | sample standard deviation of the last `n` log returns x sqrt 252 |
//! | [`ZScore`] `n` | `(x - mean) / sd` of the last `n` values including `x` (sample sd; `None` when sd = 0) |
//! | [`Roc`] `n` | `100 (x / x_{n rows ago} - 1)`, percent |
//! | [`PctRank`] `n` | percent of the last `n` values (including `x`) at or below `x` |
//! | [`Divergence`] | a lower low (higher high) than the previous `window` rows while the MACD histogram is above (below) its value at that earlier extreme |
//! | [`CascadeDetector`] | rolling long-liquidation notional over a time window against an absolute threshold, with a cool-down; plus the long share of all liquidations in the window |

mod cascade;
mod indicators;
mod window;

pub use cascade::{Cascade, CascadeDetector};
pub use indicators::{Ema, Macd, MacdValue, RealizedVol, Rsi, Sma, ZScore};
pub use window::{Divergence, PctRank, Roc};
