//! `Date.prototype.toJSON` for the timestamps notepack.io (socket.io-msgpack-parser's codec)
//! sends as fixext 8 type 0: milliseconds since the Unix epoch.

use crate::json::write_u64;

/// Largest absolute time value of a valid JavaScript `Date` (ECMA-262 "Time Values").
const MAX_TIME_MS: i64 = 8_640_000_000_000_000;
const MS_PER_DAY: i64 = 86_400_000;

/// Appends `ms` the way `JSON.stringify(new Date(ms))` writes it: the quoted
/// `toISOString()` text (`"2024-01-02T03:04:05.006Z"`, six-digit signed years outside
/// 0..=9999), or `null` for a time outside the range of a valid `Date`.
pub(super) fn write_js_date(out: &mut String, ms: i64) {
    if !(-MAX_TIME_MS..=MAX_TIME_MS).contains(&ms) {
        out.push_str("null");
        return;
    }
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    out.push('"');
    if (0..=9999).contains(&year) {
        padded(out, year.unsigned_abs(), 4);
    } else {
        out.push(if year < 0 { '-' } else { '+' });
        padded(out, year.unsigned_abs(), 6);
    }
    let fields = [
        ('-', month, 2),
        ('-', day, 2),
        ('T', in_day / 3_600_000, 2),
        (':', in_day / 60_000 % 60, 2),
        (':', in_day / 1000 % 60, 2),
        ('.', in_day % 1000, 3),
    ];
    for (sep, value, width) in fields {
        out.push(sep);
        padded(out, value.unsigned_abs(), width);
    }
    out.push_str("Z\"");
}

/// `n` in decimal, with leading zeros up to `width` digits.
fn padded(out: &mut String, n: u64, width: usize) {
    let mut digits = String::with_capacity(width);
    write_u64(&mut digits, n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

/// (year, month 1..=12, day 1..=31) of the proleptic Gregorian date `days` after 1970-01-01
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(ms: i64) -> String {
        let mut s = String::new();
        write_js_date(&mut s, ms);
        s
    }

    #[test]
    fn matches_to_iso_string() {
        // Expected values from `new Date(ms).toISOString()` in Node.
        assert_eq!(date(0), "\"1970-01-01T00:00:00.000Z\"");
        assert_eq!(date(1_704_164_645_006), "\"2024-01-02T03:04:05.006Z\"");
        assert_eq!(date(-1), "\"1969-12-31T23:59:59.999Z\"");
        assert_eq!(date(951_782_400_000), "\"2000-02-29T00:00:00.000Z\"");
        assert_eq!(date(-62_198_755_200_000), "\"-000001-01-01T00:00:00.000Z\"");
        assert_eq!(date(253_402_300_800_000), "\"+010000-01-01T00:00:00.000Z\"");
        assert_eq!(
            date(8_640_000_000_000_000),
            "\"+275760-09-13T00:00:00.000Z\""
        );
        assert_eq!(
            date(-8_640_000_000_000_000),
            "\"-271821-04-20T00:00:00.000Z\""
        );
        assert_eq!(date(8_640_000_000_000_001), "null");
        assert_eq!(date(i64::MIN), "null");
    }
}
