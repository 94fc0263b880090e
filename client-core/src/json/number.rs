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
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
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
    // Rust's `{:e}` gives the shortest round-trip digits, like ECMAScript's Number::toString:
    // "d[.ddd]e[-]x".
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = match sci.split_once('e') {
        Some(p) => p,
        None => {
            out.push_str(&sci);
            return;
        }
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i32;
    let n = exp + 1; // value = 0.d1d2..dk × 10^n
    if k <= n && n <= 21 {
        out.push_str(&digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        let (a, b) = digits.split_at(n as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        out.push_str(&digits);
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
}
