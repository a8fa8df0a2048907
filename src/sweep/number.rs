//! Numbers in the sweep's table: a finite `f64` written exactly as Rust's `Display` writes it (the
//! shortest digits that read back to the same value, in positional notation, no exponent, no
//! trailing `.0`), about five times faster.
//!
//! The digits come from `ryu` (shortest round-trip digits, the one nearest the value when several
//! are shortest: the same digits as the standard library's Grisu/Dragon path), whose own layout
//! (`1.0`, `1e21`, `1.5e-7`) is re-laid out here as `Display` does (`1`,
//! `1000000000000000000000`, `0.00000015`); its positional form with a fraction (most values) is
//! already `Display`'s and is copied as it is. Tests compare both on edge values and on random bit
//! patterns.

/// Append finite `x` to `out` as `format!("{x}")` would.
///
/// # Panics
/// In debug builds, if `x` is not finite (`Display` writes `NaN`/`inf`; the table leaves such
/// cells empty and never asks).
pub fn push_shortest(out: &mut String, x: f64) {
    debug_assert!(x.is_finite(), "push_shortest: {x} is not finite");
    if may_tie(x) {
        use std::fmt::Write as _;
        let _ = write!(out, "{x}");
        return;
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(x);
    // Most values: ryu's positional form with a fraction is already `Display`'s.
    if !text.contains('e') && !text.ends_with(".0") {
        out.push_str(text);
        return;
    }
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // Every digit (ryu writes at most 17), and where the decimal point falls among them.
    let mut all = [0u8; 40];
    let n = int_part.len() + frac_part.len();
    all[..int_part.len()].copy_from_slice(int_part.as_bytes());
    all[int_part.len()..n].copy_from_slice(frac_part.as_bytes());
    let lead = all[..n].iter().take_while(|&&d| d == b'0').count();
    let digits = &all[lead..n];
    let digits = &digits[..digits.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1)];
    if negative {
        out.push('-');
    }
    if digits.is_empty() {
        out.push('0');
        return;
    }
    let point = int_part.len() as i32 + exponent - lead as i32;
    // ASCII digits, pushed as they are (no UTF-8 validation of a byte slice).
    let push = |out: &mut String, d: &[u8]| out.extend(d.iter().map(|&b| char::from(b)));
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        push(out, digits);
    } else if point as usize >= digits.len() {
        push(out, digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
    } else {
        let (whole, frac) = digits.split_at(point as usize);
        push(out, whole);
        out.push('.');
        push(out, frac);
    }
}

/// Whether two shortest digit strings may lie equally near `x`, where `ryu` picks the even one and
/// `Display` the one above (`1157426700196138.25`: `...138.2` against `...138.3`).
///
/// A tie at `n` digits puts `x` exactly halfway, `(D + 1/2) 10^k`: its exact decimal expansion has
/// `n + 1 <= 18` significant digits. So: `x = m 2^e` with `m` odd has `e < 0` and `m 5^-e` below
/// `10^18` (its expansion's digits), or is an integer of `2^53` or more (below, every integer is
/// its own shortest form). Such values are rare (and cheap); they go to `Display`.
fn may_tie(x: f64) -> bool {
    let bits = x.to_bits();
    let exp_bits = ((bits >> 52) & 0x7FF) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (mant, exp) = if exp_bits == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp_bits - 1075) };
    if mant == 0 {
        return false;
    }
    let zeros = mant.trailing_zeros();
    let (m, e) = (mant >> zeros, exp + zeros as i32);
    if e >= 0 {
        return x.abs() >= 9_007_199_254_740_992.0;
    }
    let mut digits = m;
    for _ in 0..-e {
        match digits.checked_mul(5) {
            Some(d) if d < 1_000_000_000_000_000_000 => digits = d,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(x: f64) {
        let mut got = String::new();
        push_shortest(&mut got, x);
        assert_eq!(got, format!("{x}"), "bits {:#x}", x.to_bits());
    }

    #[test]
    fn edge_values_read_as_display_writes_them() {
        let edges = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            10.0,
            100.0,
            1e15,
            1e16,
            1e17,
            1e21,
            1e22,
            1.5e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            1e-5,
            1e-7,
            1.234_567_890_123_456_7e-10,
            123_456.789,
            -98_765.432_1,
            0.30000000000000004,
            2f64.powi(53),
            2f64.powi(53) + 2.0,
            9_007_199_254_740_993.0,
            100_000.0,
            -2_570.000_000_000_001,
            1_157_426_700_196_138.2,
            1_155_122_390_109_248.2,
            0.25,
            1234.5,
        ];
        for x in edges {
            check(x);
        }
    }

    #[test]
    fn every_power_of_ten_and_its_neighbours_read_as_display_writes_them() {
        for e in -320..=308 {
            let x: f64 = format!("1e{e}").parse().unwrap();
            for y in [x, f64::from_bits(x.to_bits() + 1), f64::from_bits(x.to_bits() - 1), -x] {
                if y.is_finite() {
                    check(y);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn any_finite_bit_pattern_reads_as_display_writes_it(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            check(x);
        }

        #[test]
        fn values_with_short_exact_expansions_read_as_display_writes_them(
            whole in 0u64..(1 << 53),
            shift in 0u32..12,
            scale in -30i32..40,
        ) {
            // Few fractional bits, or large integers: where ties between shortest forms live.
            check(whole as f64 / f64::from(1u32 << shift));
            check((whole as f64) * 2f64.powi(scale));
        }

        #[test]
        fn money_and_ratios_read_as_display_writes_them(x in -1e7f64..1e7, scale in -12i32..4) {
            check(x * 10f64.powi(scale));
        }
    }
}
