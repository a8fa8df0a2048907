//! Pricing: BSM and Black-76 prices and Greeks, implied volatility, the SPX volatility surface
//! implied by the VIX family, the VIX futures curve and VIX option volatility, listed-strike
//! selection, and settlement values.
//!
//! # Numerical tolerance policy (for tests)
//!
//! The domain: underlying 1..10,000, strike/forward 0.5..2, volatility 0.01..2, time 1 day..3 years,
//! rate -0.01..0.10, dividend yield 0..0.05.
//!
//! - Prices against independent 50-digit references (mpmath, `tests/reference/black_mpmath.py`):
//!   relative error <= 1e-12 for prices >= 1e-6 of the underlying; absolute <= 1e-15 x underlying
//!   below that (the deep wings, where the price is a difference of two tiny terms).
//! - Greeks against central finite differences of the price (relative step 1e-4 or 1e-5):
//!   relative 1e-6 or absolute 1e-9 x underlying, whichever is larger (the difference quotient's own
//!   truncation and rounding error dominate).
//! - Put-call parity `C - P = S e^{-qT} - K e^{-rT}`: absolute 1e-12 x underlying.
//! - Bounds hold exactly (prices are clamped into them); monotonicity in strike and volatility holds
//!   exactly up to 1e-13 x underlying of rounding.
//! - Implied volatility round trip: `|sigma_out - sigma_in| <= 1e-9` where vega >= 1e-4 x underlying
//!   (elsewhere the price carries too little information about volatility).

/// `$check` (a pure function of `$value`, a `Copy + PartialEq` of type `$ty`) run once per thread
/// for a value equal to the last one that passed: a sweep validates the same parameters for every
/// combination.
macro_rules! validate_once {
    ($ty:ty, $value:expr, $check:expr) => {{
        thread_local! {
            static LAST_VALID: std::cell::Cell<Option<$ty>> = const { std::cell::Cell::new(None) };
        }
        let value: $ty = $value;
        if LAST_VALID.with(|l| l.get() == Some(value)) {
            Ok(())
        } else {
            let checked = $check;
            if checked.is_ok() {
                LAST_VALID.with(|l| l.set(Some(value)));
            }
            checked
        }
    }};
}

mod atm_level;
mod black;
mod implied;
mod market;
mod normal;
mod settlement;
mod skewness;
mod smile;
mod strikes;
mod strip;
mod surface;
mod vix;
mod vix_listing;

pub use black::{
    black76_greeks, black76_price, bsm_greeks, bsm_price, bsm_price_delta, validate, AtVol, BsmExpiry,
    Greeks, OptionType, PricingError, Spot,
};
pub use implied::{implied_vol_black76, implied_vol_bsm, ImpliedVolError};
pub use market::{vix_futures_on, MarketError};
pub use normal::{norm_cdf, norm_cdf_fast, norm_pdf, norm_ppf, CdfTable};
pub use settlement::{
    intrinsic, settlement_value, spx_am_settlement, spxw_settlement, vix_settlement, SessionPrints,
    SettlementError, SettlementStyle,
};
pub use skewness::{risk_neutral_skewness, skew_index};
pub use strikes::{select_strike, StrikeError, StrikeGrid, StrikeLadder, StrikeRule, Strikes};
pub use strip::Strip;
pub use surface::{
    term_departure, AtmLevel, Regime, Smile, SpxSurface, SurfaceError, SurfaceParams, Tenor, VolIndices,
    WingScale, REGIME_VIX, TENOR_DAYS, TERM_DEPARTURE_MAX, TERM_TYPICAL,
};
pub use vix::{CurveError, FuturesModel, VixFutures, VixVolParams};
pub use vix_listing::{Band, ListingEra, ListingError, StrikeListing};
