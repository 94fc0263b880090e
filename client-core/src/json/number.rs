//! The JavaScript number rules the codecs must reproduce: integers and doubles written like
//! `JSON.stringify` / `Number.prototype.toString`, and `Number(string)` as used by
//! socket.io-parser to read the attachment count.

/// Appends the decimal digits of `n`.
pub fn write_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(buf.iter().skip(i).map(|&d| char::from(d)));
}

/// Appends `n` in decimal, with a leading `-` when negative.
pub fn write_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    write_u64(out, n.unsigned_abs());
}

/// Appends `x` exactly as JavaScript's `JSON.stringify` writes a number: shortest round-trip
/// digits, plain notation for 1e-7 ≤ |x| < 1e21 and `d.ddde±x` otherwise, `-0` as `0`, and
/// `null` for NaN and the infinities.
pub fn write_f64(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str("null");
        return;
    }
    if x == 0.0 {
        out.push('0');
        return;
    }
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        // Exact integer below 2^53: the cast is lossless.
        write_i64(out, x as i64);
        return;
    }
    if x < 0.0 {
        out.push('-');
    }
    // zmij gives the shortest round-trip digits, like ECMAScript's Number::toString, in its own
    // layout ("1e-7", "0.00012", "1500000000000000.0", "1.2345678901234568e+20"): read the
    // digits and the point's place back out of it, then lay them out as JavaScript does.
    let mut buf = zmij::Buffer::new();
    let (digits, n) = significant_digits(buf.format_finite(x.abs()));
    let k = digits.len() as i32;
    let digits = digits.as_str();
    if k <= n && n <= 21 {
        out.push_str(digits);
        out.extend(std::iter::repeat('0').take((n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (a, b) = digits.split_at(n as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat('0').take((-n) as usize));
        out.push_str(digits);
    } else {
        let (a, b) = digits.split_at(1);
        out.push_str(a);
        if !b.is_empty() {
            out.push('.');
            out.push_str(b);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        write_u64(out, u64::from((n - 1).unsigned_abs()));
    }
}

/// The significant digits of a positive decimal literal `d[.d]…[e[±]d…]` (as zmij writes
/// one), without leading or trailing zeros, and `n` such that the value is `0.digits × 10^n`.
fn significant_digits(text: &str) -> (DigitBuf, i32) {
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    let (neg, exp) = match exp.strip_prefix('-') {
        Some(e) => (true, e),
        None => (false, exp),
    };
    let exp = exp
        .bytes()
        .fold(0i32, |e, d| e * 10 + i32::from(d.wrapping_sub(b'0')));
    let int_len = mantissa.find('.').unwrap_or(mantissa.len()) as i32;
    let mut leading_zeros = 0;
    let mut digits = DigitBuf::default();
    for c in mantissa.bytes().filter(u8::is_ascii_digit) {
        if c == b'0' && digits.len == 0 {
            leading_zeros += 1;
        } else {
            digits.push(c);
        }
    }
    digits.trim_trailing_zeros();
    let n = if neg { -exp } else { exp } + int_len - leading_zeros;
    (digits, n)
}

/// The digits of one double: at most 17 significant ones, plus the zeros zmij may write
/// between them and the point (its buffer holds 24 bytes).
#[derive(Default)]
struct DigitBuf {
    bytes: [u8; 24],
    len: usize,
}

impl DigitBuf {
    fn push(&mut self, digit: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = digit;
            self.len += 1;
        }
    }

    fn trim_trailing_zeros(&mut self) {
        while self.len > 0 && self.bytes[self.len - 1] == b'0' {
            self.len -= 1;
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn as_str(&self) -> &str {
        // ASCII digits only.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

/// JavaScript white space and line terminators, as trimmed by `Number(string)` and `String.trim`.
pub fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// JavaScript's `Number(s)` for a string: trims JS white space, `""` is 0, accepts
/// `[+-]Infinity`, `0x`/`0o`/`0b` integers, and decimal literals (`1`, `1.`, `.5`, `1e3`, `+1`);
/// anything else is NaN.
pub fn js_string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_whitespace);
    if t.is_empty() {
        return 0.0;
    }
    let b = t.as_bytes();
    if b.len() > 2 && b[0] == b'0' {
        let radix = match b[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 0,
        };
        if radix != 0 {
            let mut v = 0.0f64;
            for &c in &b[2..] {
                match (c as char).to_digit(radix) {
                    Some(d) => v = v * f64::from(radix) + f64::from(d),
                    None => return f64::NAN,
                }
            }
            return v;
        }
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "Infinity" {
        return if t.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    // Rust's float grammar equals StrDecimalLiteral once "inf"/"nan" spellings are excluded.
    if !unsigned
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return f64::NAN;
    }
    t.parse::<f64>().unwrap_or(f64::NAN)
}

/// What a decimal number becomes as a JavaScript number (the `f64` nearest to it, ties to
/// even — `JSON.parse`, `Number(string)`), as far as the codecs look at it: whether it is an
/// integer, and which one.
///
/// Computed exactly from the digits ([`round_decimal`]), without a float parser: the codecs only
/// ask integer questions (attachment counts, placeholder indexes, handshake timers), and a
/// general decimal-to-double conversion would be the largest part of the browser bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rounded {
    /// An integer of magnitude at most 2^64; `neg` for a negative value, including -0.
    Int {
        /// The sign bit.
        neg: bool,
        /// The magnitude, at most 2^64.
        abs: u128,
    },
    /// A finite integer of magnitude above 2^64 (every double from 2^53 up is an integer).
    Huge {
        /// The sign bit.
        neg: bool,
    },
    /// A finite value with a fractional part.
    Fraction,
    /// NaN, or beyond the largest finite double (±Infinity).
    NonFinite,
}

const TWO_64: u128 = 1 << 64;

impl Rounded {
    /// The classification of a double.
    pub(crate) fn of_f64(x: f64) -> Rounded {
        if !x.is_finite() {
            Rounded::NonFinite
        } else if x.fract() != 0.0 {
            Rounded::Fraction
        } else if x.abs() > TWO_64 as f64 {
            Rounded::Huge {
                neg: x.is_sign_negative(),
            }
        } else {
            // An integer of magnitude at most 2^64: the cast is exact.
            Rounded::Int {
                neg: x.is_sign_negative(),
                abs: x.abs() as u128,
            }
        }
    }

    /// The value if it is a non-negative integer below 2^64 (-0 counts as 0), like
    /// `u64::try_from(x as i128)` on an integral double.
    pub(crate) fn as_u64(self) -> Option<u64> {
        match self {
            Rounded::Int { neg, abs } if !neg || abs == 0 => u64::try_from(abs).ok(),
            _ => None,
        }
    }
}

/// The decimal digits of a number literal: `int` `.` `frac`, times 10^`exp`.
struct Digits<'a> {
    int: &'a [u8],
    frac: &'a [u8],
}

impl Digits<'_> {
    fn len(&self) -> usize {
        self.int.len() + self.frac.len()
    }

    fn get(&self, k: usize) -> u8 {
        match self.int.get(k) {
            Some(d) => d - b'0',
            None => self.frac.get(k - self.int.len()).map_or(0, |d| d - b'0'),
        }
    }
}

/// How a decimal literal rounds to a double: `[+-]` then `digits[.[digits]]` or `.digits`, then
/// an optional exponent `e[+-]digits` (either case) — JSON numbers, JavaScript's
/// `StrDecimalLiteral` without `Infinity`, and Rust's float syntax without `inf`/`nan`. `None`
/// when `text` is not such a literal.
pub(crate) fn round_decimal(text: &str) -> Option<Rounded> {
    let b = text.as_bytes();
    let (neg, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let (int, rest) = b.split_at(int_len);
    let (frac, rest) = match rest.split_first() {
        Some((b'.', after)) => {
            let n = after.iter().take_while(|c| c.is_ascii_digit()).count();
            after.split_at(n)
        }
        _ => (&rest[..0], rest),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let exp = match rest.split_first() {
        None => 0,
        Some((b'e' | b'E', after)) => {
            let (eneg, digits) = match after.split_first() {
                Some((b'-', d)) => (true, d),
                Some((b'+', d)) => (false, d),
                _ => (false, after),
            };
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let e = digits.iter().fold(0i64, |e, &d| {
                e.saturating_mul(10).saturating_add(i64::from(d - b'0'))
            });
            if eneg {
                -e
            } else {
                e
            }
        }
        Some(_) => return None,
    };
    Some(round_digits(neg, &Digits { int, frac }, exp))
}

/// `0.d1d2…` (the fraction digits after the point, `zeros` implicit zeros first, then
/// `digits[from..to]`) compared with the fraction `t` (digits after the point, no trailing
/// zeros).
fn cmp_fraction(
    zeros: u64,
    d: &Digits<'_>,
    from: usize,
    to: usize,
    t: &[u8],
) -> std::cmp::Ordering {
    let len = zeros.saturating_add((to - from) as u64);
    for (k, &tk) in t.iter().enumerate() {
        let k = k as u64;
        let fk = if k < zeros {
            0
        } else if k < len {
            d.get(from + (k - zeros) as usize)
        } else {
            0
        };
        if fk != tk {
            return fk.cmp(&tk);
        }
    }
    // Equal so far: the fraction is larger if it has (non-zero, as it is trimmed) digits left.
    if len > t.len() as u64 {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
}

/// The digits of 2^-k after the point (k of them).
fn pow2_neg(k: u32) -> Vec<u8> {
    let mut d = vec![5u8];
    for _ in 1..k {
        let mut rem = 0;
        for x in d.iter_mut() {
            let v = rem * 10 + *x;
            *x = v / 2;
            rem = v % 2;
        }
        d.push(5);
    }
    d
}

/// The digits of 1 - 2^-k after the point.
fn one_minus_pow2_neg(k: u32) -> Vec<u8> {
    let mut d = pow2_neg(k);
    let last = d.len() - 1;
    for (i, x) in d.iter_mut().enumerate() {
        *x = if i == last { 10 - *x } else { 9 - *x };
    }
    d
}

/// The decimal digits of the smallest number that rounds to infinity, 2^1024 - 2^970 (halfway
/// between the largest double and 2^1024; the tie goes to the even infinity). 309 digits.
fn overflow_threshold() -> Vec<u8> {
    // (2^54 - 1) · 2^970
    let mut d: Vec<u8> = b"18014398509481983".iter().map(|c| c - b'0').collect();
    for _ in 0..970 {
        let mut carry = 0;
        for x in d.iter_mut().rev() {
            let v = *x * 2 + carry;
            *x = v % 10;
            carry = v / 10;
        }
        if carry > 0 {
            d.insert(0, carry);
        }
    }
    d
}

fn round_digits(neg: bool, d: &Digits<'_>, exp: i64) -> Rounded {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let n = d.len();
    // Significant digits d[first..last], the value being 0.d[first..last] × 10^point.
    let Some(first) = (0..n).find(|&k| d.get(k) != 0) else {
        return Rounded::Int { neg, abs: 0 };
    };
    let last = (0..n).rfind(|&k| d.get(k) != 0).map_or(n, |k| k + 1);
    let point = (d.int.len() as i64 - first as i64).saturating_add(exp);
    if point >= 310 {
        return Rounded::NonFinite; // ≥ 10^309
    }
    if point == 309 {
        let t = overflow_threshold();
        let at_least = cmp_fraction(0, d, first, last, &t) != Less;
        return if at_least {
            Rounded::NonFinite
        } else {
            Rounded::Huge { neg }
        };
    }
    if point > 20 {
        return Rounded::Huge { neg }; // ≥ 10^20 > 2^64
    }
    // Integer part (below 10^20) and the fraction after it.
    let int_digits = point.max(0) as usize;
    let mut int: u128 = 0;
    for k in 0..int_digits {
        let digit = if first + k < last {
            d.get(first + k)
        } else {
            0
        };
        int = int * 10 + u128::from(digit);
    }
    let frac_from = (first + int_digits).min(last);
    let zeros = if point < 0 { point.unsigned_abs() } else { 0 };
    let has_frac = frac_from < last;
    let frac_cmp = |t: &[u8]| cmp_fraction(zeros, d, frac_from, last, t);
    let int_result = |abs: u128| {
        if abs > TWO_64 {
            Rounded::Huge { neg }
        } else {
            Rounded::Int { neg, abs }
        }
    };
    if int >= 1 << 53 {
        // Spacing of doubles here is 2^(bits - 53) ≥ 2: round the integer part to 53
        // significant bits, the fraction only breaking ties.
        let bits = 128 - int.leading_zeros();
        let shift = bits - 53;
        let kept = int >> shift;
        let rem = int & ((1 << shift) - 1);
        let half = 1 << (shift - 1);
        let up = rem > half || (rem == half && (has_frac || kept & 1 == 1));
        return int_result((kept + u128::from(up)) << shift);
    }
    if !has_frac {
        return int_result(int);
    }
    if int >= 1 << 52 {
        // Spacing 1: the nearest integer, ties to even.
        let up = match frac_cmp(&[5]) {
            Greater => true,
            Equal => int & 1 == 1,
            Less => false,
        };
        return int_result(int + u128::from(up));
    }
    // Spacing 2^-m below the next power of two: the value is an integer only within half a
    // spacing of one (ties go to the integer, whose mantissa is even).
    let m = if int == 0 {
        53
    } else {
        53 - (128 - int.leading_zeros())
    };
    if frac_cmp(&one_minus_pow2_neg(m + 1)) != Less {
        return int_result(int + 1);
    }
    if int > 0 {
        return if frac_cmp(&pow2_neg(m + 1)) != Greater {
            int_result(int)
        } else {
            Rounded::Fraction
        };
    }
    // Below 1: zero only under half the smallest subnormal, 2^-1075 ≈ 2.5e-324, whose first
    // significant digit is the 324th after the point.
    match zeros {
        0..=322 => Rounded::Fraction,
        323 => {
            if frac_cmp(&pow2_neg(1075)) != Greater {
                Rounded::Int { neg, abs: 0 }
            } else {
                Rounded::Fraction
            }
        }
        _ => Rounded::Int { neg, abs: 0 },
    }
}

/// [`js_string_to_number`], classified like [`round_decimal`] (no float parser involved).
pub(crate) fn js_string_to_rounded(s: &str) -> Rounded {
    let t = s.trim_matches(is_js_whitespace);
    if t.is_empty() {
        return Rounded::Int { neg: false, abs: 0 };
    }
    let b = t.as_bytes();
    if b.len() > 2 && b[0] == b'0' {
        let radix = match b[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 0,
        };
        if radix != 0 {
            let mut v = 0.0f64;
            for &c in &b[2..] {
                match (c as char).to_digit(radix) {
                    Some(d) => v = v * f64::from(radix) + f64::from(d),
                    None => return Rounded::NonFinite,
                }
            }
            return Rounded::of_f64(v);
        }
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "Infinity" {
        return Rounded::NonFinite;
    }
    round_decimal(t).unwrap_or(Rounded::NonFinite)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn f(x: f64) -> String {
        let mut s = String::new();
        write_f64(&mut s, x);
        s
    }

    #[test]
    fn formats_like_javascript() {
        assert_eq!(f(1e21), "1e+21");
        assert_eq!(f(1e-7), "1e-7");
        assert_eq!(f(1.5e-7), "1.5e-7");
        assert_eq!(f(123456789012345680000.0), "123456789012345680000");
        assert_eq!(f(0.1), "0.1");
        assert_eq!(f(-0.0), "0");
        assert_eq!(f(5e-324), "5e-324");
        assert_eq!(f(f64::MAX), "1.7976931348623157e+308");
        assert_eq!(f(1234567890.0), "1234567890");
        assert_eq!(f(-2.5), "-2.5");
        assert_eq!(f(0.000001), "0.000001");
        assert_eq!(f(1.25e20), "125000000000000000000");
        assert_eq!(f(9007199254740993.0), "9007199254740992");
        assert_eq!(f(f64::NAN), "null");
        assert_eq!(f(f64::NEG_INFINITY), "null");
        let mut s = String::new();
        write_i64(&mut s, i64::MIN);
        write_u64(&mut s, u64::MAX);
        assert_eq!(s, "-922337203685477580818446744073709551615");
    }

    #[test]
    fn number_of_string_like_javascript() {
        assert_eq!(js_string_to_number(""), 0.0);
        assert_eq!(js_string_to_number(" \u{a0}"), 0.0);
        assert_eq!(js_string_to_number(" 12 "), 12.0);
        assert_eq!(js_string_to_number("0x1F"), 31.0);
        assert_eq!(js_string_to_number("0b101"), 5.0);
        assert_eq!(js_string_to_number("0o17"), 15.0);
        assert_eq!(js_string_to_number("1."), 1.0);
        assert_eq!(js_string_to_number(".5"), 0.5);
        assert_eq!(js_string_to_number("+1e1"), 10.0);
        assert_eq!(js_string_to_number("-Infinity"), f64::NEG_INFINITY);
        assert!(js_string_to_number("inf").is_nan());
        assert!(js_string_to_number("1 2").is_nan());
        assert!(js_string_to_number("0x").is_nan());
        assert!(js_string_to_number("-0x1").is_nan());
        assert!(js_string_to_number("1_0").is_nan());
        assert!(js_string_to_number(".").is_nan());
        assert!(js_string_to_number("\u{85}1").is_nan());
    }

    /// The layout of `write_f64` computed from Rust's `{:e}` (shortest round-trip digits too).
    fn sci_oracle(x: f64) -> String {
        if !x.is_finite() {
            return "null".into();
        }
        if x == 0.0 {
            return "0".into();
        }
        let sci = format!("{:e}", x.abs());
        let (mantissa, exp) = sci.split_once('e').unwrap();
        let exp: i32 = exp.parse().unwrap();
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let (k, n) = (digits.len() as i32, exp + 1);
        let sign = if x < 0.0 { "-" } else { "" };
        let body = if k <= n && n <= 21 {
            format!("{digits}{}", "0".repeat((n - k) as usize))
        } else if 0 < n && n <= 21 {
            format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
        } else if -6 < n && n <= 0 {
            format!("0.{}{digits}", "0".repeat((-n) as usize))
        } else {
            let rest = if k > 1 {
                format!(".{}", &digits[1..])
            } else {
                String::new()
            };
            format!(
                "{}{rest}e{}{}",
                &digits[..1],
                if n < 1 { '-' } else { '+' },
                (n - 1).abs()
            )
        };
        format!("{sign}{body}")
    }

    #[test]
    fn formats_like_the_scientific_oracle_at_the_layout_edges() {
        for e in -330..=310 {
            for m in [1.0, 1.5, 2.5, 9.999999999999999, 1.2345678901234567, 7.0] {
                let x = format!("{m}e{e}").parse::<f64>().unwrap();
                assert_eq!(f(x), sci_oracle(x), "{x:e}");
                assert_eq!(f(-x), sci_oracle(-x), "{x:e}");
            }
        }
        for x in [
            1500000000000000.0,
            0.00012,
            9007199254740993.0,
            2f64.powi(60),
            1e21 - 65536.0,
        ] {
            assert_eq!(f(x), sci_oracle(x), "{x:e}");
        }
    }

    fn oracle(s: &str) -> Option<Rounded> {
        s.parse::<f64>().ok().map(Rounded::of_f64)
    }

    fn digits_text(d: &[u8]) -> String {
        d.iter().map(|&x| char::from(b'0' + x)).collect()
    }

    #[test]
    fn rounding_matches_the_float_parser_at_the_edges() {
        let tiny = format!("0.{}", digits_text(&pow2_neg(1075)));
        let big = digits_text(&overflow_threshold());
        let below_big = format!(
            "{}{}",
            &big[..big.len() - 1],
            (big.as_bytes()[big.len() - 1] - 1) as char
        );
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.0e5",
            "1",
            "1.5",
            "-2.5",
            "0.5",
            "1e0",
            "1E+2",
            "12e-1",
            "9007199254740992",
            "9007199254740993",
            "9007199254740993.0000001",
            "9007199254740995",
            "4503599627370495.5",
            "4503599627370496.5",
            "4503599627370497.5",
            "4503599627370496.4999999999999999999",
            "0.999999999999999944488848768742172978818416595458984375",
            "0.99999999999999994448884876874217297881841659545898437",
            "0.999999999999999944488848768742172978818416595458984376",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203126",
            "3.000000000000000222044604925031308084726333618164062",
            "3.0000000000000002220446049250313080847263336181640625",
            "3.0000000000000002220446049250313080847263336181640626",
            "18446744073709551615",
            "18446744073709551616",
            "18446744073709553664",
            "18446744073709553664.000001",
            "18446744073709553665",
            "18446744073709555712",
            "36893488147419103232",
            "1e19",
            "1e20",
            "1e21",
            "1e308",
            "1.8e308",
            "1e309",
            "1e-323",
            "1e-324",
            "3e-324",
            "2e-324",
            "1e-400",
            "-1e-400",
            "1e99999999999999999999",
            "0.00000000000000000000000000000000000001e38",
            "100000000000000000000000e-4",
            "123456789012345678901234567890e-10",
            ".5",
            "5.",
            "+3",
            "+.0",
            "00012.000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        cases.push(tiny.clone());
        cases.push(format!("{tiny}1"));
        cases.push(tiny.replace("0.000", "0.0000"));
        cases.push(format!("{}4", &tiny[..tiny.len() - 1]));
        cases.push(big.clone());
        cases.push(format!("{big}.0000001"));
        cases.push(below_big.clone());
        cases.push(format!("{below_big}.9999"));
        cases.push(format!("{big}e-1"));
        for s in &cases {
            assert_eq!(round_decimal(s), oracle(s), "{s}");
        }
        for bad in [
            "", ".", "-", "+", "e1", "1e", "1e+", "1.2.3", "--1", "1-", "0x1", "inf", "1 ",
        ] {
            assert_eq!(round_decimal(bad), None, "{bad:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(crate::tests::proptest_config(256))]
        #[test]
        fn rounding_matches_the_float_parser(
            neg in proptest::bool::ANY,
            int in "[0-9]{0,24}",
            frac in proptest::option::of("[0-9]{0,24}"),
            exp in proptest::option::of(-40i32..40),
            nines in 0usize..20,
        ) {
            let mut s = String::new();
            if neg { s.push('-'); }
            s.push_str(&int);
            if let Some(f) = &frac {
                s.push('.');
                s.push_str(f);
                // runs of 9s and 0s land next to integers
                s.push_str(&"9".repeat(nines));
            }
            if let Some(e) = exp { s.push_str(&format!("e{e}")); }
            proptest::prop_assert_eq!(round_decimal(&s), oracle(&s), "{}", s);
        }

        #[test]
        fn doubles_format_like_the_scientific_oracle(bits in proptest::num::u64::ANY) {
            let x = f64::from_bits(bits);
            proptest::prop_assert_eq!(f(x), sci_oracle(x), "{:e}", x);
        }

        #[test]
        fn js_number_classification_matches(s in "[ 0-9a-fxXoObBeE.+-]{0,12}|[0-9]{15,22}(\\.[0-9]{0,20})?") {
            proptest::prop_assert_eq!(
                js_string_to_rounded(&s),
                Rounded::of_f64(js_string_to_number(&s)),
                "{:?}", s
            );
        }
    }
}
