//! Queries on validated JSON text (members, elements, the head of an event array) and the
//! string rules (`JSON.stringify` escaping, unescaping), without building a tree.

use super::{kind_of, skip_value, skip_ws, validate, Kind, STRING_STOP};

/// The members of an object text that has already been validated (surrounding whitespace
/// allowed), in order: the raw key body (between the quotes, escapes included) and the raw text
/// of the value. Empty for a non-object; stops early on malformed input.
pub(crate) fn members(text: &str) -> Members<'_> {
    let b = text.as_bytes();
    let open = skip_ws(b, 0);
    Members {
        text,
        i: if b.get(open) == Some(&b'{') {
            open + 1
        } else {
            b.len()
        },
    }
}

/// Iterator returned by [`members`].
pub(crate) struct Members<'a> {
    text: &'a str,
    /// Just after the `{` or a `,`; the text's length when done.
    i: usize,
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        let b = self.text.as_bytes();
        let key = skip_ws(b, self.i);
        self.i = b.len();
        if b.get(key) != Some(&b'"') {
            return None;
        }
        let key_end = skip_value(b, key)?;
        let colon = skip_ws(b, key_end);
        if b.get(colon) != Some(&b':') {
            return None;
        }
        let start = skip_ws(b, colon + 1);
        let end = skip_value(b, start)?;
        let after = skip_ws(b, end);
        if b.get(after) == Some(&b',') {
            self.i = after + 1;
        }
        Some((
            self.text.get(key + 1..key_end - 1)?,
            self.text.get(start..end)?,
        ))
    }
}

/// The raw value of member `key` of a validated object text (the last one when the key is
/// repeated, as `JSON.parse` keeps it).
pub(crate) fn member<'a>(object: &'a str, key: &str) -> Option<&'a str> {
    members(object)
        .filter(|(k, _)| string_body_eq(k, key))
        .last()
        .map(|(_, v)| v)
}

/// The raw elements of an array text that has already been validated (surrounding whitespace
/// allowed). Empty for a non-array; stops early on malformed input.
pub fn elements(text: &str) -> Elements<'_> {
    let b = text.as_bytes();
    let open = skip_ws(b, 0);
    let first = skip_ws(b, open + 1);
    Elements {
        text,
        i: if b.get(open) == Some(&b'[') && b.get(first) != Some(&b']') {
            first
        } else {
            b.len()
        },
    }
}

/// Iterator returned by [`elements`].
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    text: &'a str,
    /// Where the next element starts; the text's length when done.
    i: usize,
}

impl<'a> Iterator for Elements<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let b = self.text.as_bytes();
        let start = skip_ws(b, self.i);
        self.i = b.len();
        let end = skip_value(b, start)?;
        let after = skip_ws(b, end);
        if b.get(after) == Some(&b',') {
            self.i = after + 1;
        }
        self.text.get(start..end)
    }
}

/// The string a raw JSON value denotes, if it is a string literal (see [`unescape`]).
pub fn as_string(raw: &str) -> Option<String> {
    unescape(raw.strip_prefix('"')?.strip_suffix('"')?)
}

/// The string elements of the JSON text of an array (other elements are skipped); empty when
/// `text` is not a valid JSON array.
pub fn string_array(text: &str) -> Vec<String> {
    if validate(text) != Ok(Kind::Array) {
        return Vec::new();
    }
    elements(text).filter_map(as_string).collect()
}

/// Appends the JSON text of validated `raw` as `JSON.stringify(JSON.parse(raw))` would write it
/// (up to numbers, which are kept as written): no white space, strings escaped like
/// [`write_string`] (lone surrogates become U+FFFD, see [`unescape`]), and a key repeated in an
/// object written once, at its first position, with its last value. `false` (with `out` in an
/// unspecified state) if `raw` turns out not to be valid JSON.
pub(crate) fn write_normalized(out: &mut String, raw: &str) -> bool {
    let raw = raw.trim_matches([' ', '\t', '\n', '\r']);
    match raw.as_bytes().first() {
        Some(b'{') => {
            let mut fields: Vec<(String, &str)> = Vec::new();
            for (k, v) in members(raw) {
                let Some(k) = unescape(k) else { return false };
                match fields.iter_mut().find(|(key, _)| *key == k) {
                    Some(field) => field.1 = v,
                    None => fields.push((k, v)),
                }
            }
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                if !write_normalized(out, v) {
                    return false;
                }
            }
            out.push('}');
        }
        Some(b'[') => {
            out.push('[');
            for (i, v) in elements(raw).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !write_normalized(out, v) {
                    return false;
                }
            }
            out.push(']');
        }
        Some(b'"') => match as_string(raw) {
            Some(s) => write_string(out, &s),
            None => return false,
        },
        Some(_) => out.push_str(raw),
        None => return false,
    }
    true
}

/// Appends `s` as a JSON string literal (with quotes), escaped exactly like `JSON.stringify`:
/// `\"`, `\\`, `\b \f \n \r \t`, other control characters as lowercase `\u00xx`; everything else,
/// including non-ASCII and U+2028/U+2029, is written as is.
pub fn write_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if !STRING_STOP[c as usize] {
            continue;
        }
        // `i` and `start` sit next to ASCII bytes, so both are char boundaries.
        out.push_str(s.get(start..i).unwrap_or_default());
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c >> 4) as usize] as char);
                out.push(HEX[(c & 15) as usize] as char);
            }
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// Decodes the body of a JSON string literal (the text between the quotes, escapes included).
///
/// Escaped lone surrogates (`"\ud800"`, which `JSON.parse` accepts) become U+FFFD because a Rust
/// string cannot hold them. Returns `None` if the body is not a valid string body.
pub fn unescape(body: &str) -> Option<String> {
    if !body.as_bytes().contains(&b'\\') {
        return Some(body.to_owned());
    }
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(pos) = rest.find('\\') {
        out.push_str(rest.get(..pos)?);
        let esc = rest.get(pos + 1..)?;
        let mut chars = esc.chars();
        let c = chars.next()?;
        let consumed = match c {
            '"' | '\\' | '/' => {
                out.push(c);
                1
            }
            'b' => push1(&mut out, '\u{8}'),
            'f' => push1(&mut out, '\u{c}'),
            'n' => push1(&mut out, '\n'),
            'r' => push1(&mut out, '\r'),
            't' => push1(&mut out, '\t'),
            'u' => {
                let hi = hex4(esc.get(1..5)?)?;
                if (0xd800..0xdc00).contains(&hi) {
                    // A high surrogate: pair it with a following `\uDC00..\uDFFF` if present.
                    let lo = esc
                        .get(5..7)
                        .filter(|s| *s == "\\u")
                        .and_then(|_| esc.get(7..11))
                        .and_then(hex4)
                        .filter(|lo| (0xdc00..0xe000).contains(lo));
                    match lo {
                        Some(lo) => {
                            let cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                            out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                            11
                        }
                        None => {
                            out.push('\u{fffd}');
                            5
                        }
                    }
                } else {
                    out.push(char::from_u32(hi).unwrap_or('\u{fffd}'));
                    5
                }
            }
            _ => return None,
        };
        rest = esc.get(consumed..)?;
    }
    out.push_str(rest);
    Some(out)
}

fn push1(out: &mut String, c: char) -> usize {
    out.push(c);
    1
}

fn hex4(s: &str) -> Option<u32> {
    if s.len() != 4 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// Does the string body `body` (escapes included) decode to exactly `target`?
/// Allocation-free unless the body contains escapes.
pub fn string_body_eq(body: &str, target: &str) -> bool {
    if !body.as_bytes().contains(&b'\\') {
        return body == target;
    }
    unescape(body).is_some_and(|s| s == target)
}

/// The first element of a JSON array text, as returned by [`array_head`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrayHead<'a> {
    /// Kind of the first element.
    pub kind: Kind,
    /// The raw text of the first element (for a string: including the quotes).
    pub raw: &'a str,
    /// The text after the first element and its following comma, up to and including the
    /// closing `]` (for `["a", 1, 2]` this is ` 1, 2]`; for `["a"]` it is `]`).
    pub rest: &'a str,
}

/// Looks at the first element of an array text that has already been validated
/// (surrounding whitespace allowed). Returns `None` for an empty array or a non-array.
pub fn array_head(text: &str) -> Option<ArrayHead<'_>> {
    let b = text.as_bytes();
    let open = skip_ws(b, 0);
    if b.get(open) != Some(&b'[') {
        return None;
    }
    let start = skip_ws(b, open + 1);
    let kind = kind_of(*b.get(start)?)?;
    let end = skip_value(b, start)?;
    let after = skip_ws(b, end);
    let rest = match b.get(after)? {
        b',' => after + 1,
        b']' => after,
        _ => return None,
    };
    Some(ArrayHead {
        kind,
        raw: text.get(start..end)?,
        rest: text.get(rest..)?,
    })
}

/// Builds the JSON array text `[<first>, <elements of rest>]` where `rest_array` is an array
/// text (`[a,b]` → `[first,a,b]`, `[]` → `[first]`). Used to put an event name in front of its
/// arguments. Returns `None` if `rest_array` does not start with `[` (after whitespace).
pub fn prepend_to_array(first_json: &str, rest_array: &str) -> Option<String> {
    let tail = array_elements_text(rest_array)?;
    let mut out = String::with_capacity(first_json.len() + tail.len() + 2);
    out.push('[');
    out.push_str(first_json);
    if !tail.starts_with(']') {
        out.push(',');
    }
    out.push_str(tail);
    Some(out)
}

/// The text of an array after its `[` and the white space that follows (`[ a,b]` → `a,b]`,
/// `[]` → `]`); `None` if `array` does not start with `[` (after white space).
pub(crate) fn array_elements_text(array: &str) -> Option<&str> {
    let b = array.as_bytes();
    let open = skip_ws(b, 0);
    if b.get(open) != Some(&b'[') {
        return None;
    }
    array.get(skip_ws(b, open + 1)..)
}

/// Builds the array text of the elements after the first one: `[a, b, c]` → `[ b, c]`,
/// `[a]` → `[]`. The input must be a validated array text with at least one element.
pub fn array_tail(text: &str) -> Option<String> {
    let head = array_head(text)?;
    let mut out = String::with_capacity(head.rest.len() + 1);
    out.push('[');
    out.push_str(head.rest.trim_end_matches([' ', '\t', '\n', '\r']));
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_json_stringify() {
        let mut s = String::new();
        write_string(
            &mut s,
            "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}é\u{2028}😀/",
        );
        assert_eq!(
            s,
            "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\u{7f}é\u{2028}😀/\""
        );
    }

    #[test]
    fn unescape_round_trip() {
        assert_eq!(
            unescape("a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00").as_deref(),
            Some("a\"\\/\u{8}\u{c}\n\r\té😀")
        );
        assert_eq!(unescape("\\ud800x").as_deref(), Some("\u{fffd}x"));
        assert_eq!(unescape("\\udc00").as_deref(), Some("\u{fffd}"));
        assert_eq!(unescape("\\ud800\\u0041").as_deref(), Some("\u{fffd}A"));
        assert_eq!(unescape("\\q"), None);
        assert_eq!(unescape("\\u12"), None);
        assert!(string_body_eq("conn\\u0065ct", "connect"));
        assert!(!string_body_eq("connect", "connec"));
    }

    #[test]
    fn heads_and_tails() {
        let h = array_head(" [ \"msg\" , 1, {\"a\":[2]} ] ").unwrap();
        assert_eq!(h.kind, Kind::String);
        assert_eq!(h.raw, "\"msg\"");
        assert_eq!(h.rest, " 1, {\"a\":[2]} ] ");
        assert_eq!(array_tail("[\"a\"]").as_deref(), Some("[]"));
        assert_eq!(array_tail("[[1],2]").as_deref(), Some("[2]"));
        assert_eq!(array_head("[]"), None);
        assert_eq!(array_head("{}"), None);
        assert_eq!(prepend_to_array("\"e\"", "[]").as_deref(), Some("[\"e\"]"));
        assert_eq!(
            prepend_to_array("\"e\"", "[1,2]").as_deref(),
            Some("[\"e\",1,2]")
        );
        assert_eq!(
            prepend_to_array("\"e\"", " [ ]").as_deref(),
            Some("[\"e\"]")
        );
        assert_eq!(prepend_to_array("\"e\"", "{}"), None);
    }

    #[test]
    fn members_elements_and_string_arrays() {
        let o = " { \"a\" : [1, {\"b\":2}] , \"c\":\"x\\u0041\", \"a\":null } ";
        let m: Vec<_> = members(o).collect();
        assert_eq!(
            m,
            vec![
                ("a", "[1, {\"b\":2}]"),
                ("c", "\"x\\u0041\""),
                ("a", "null")
            ]
        );
        assert_eq!(member(o, "a"), Some("null"));
        assert_eq!(member(o, "c").and_then(as_string).as_deref(), Some("xA"));
        assert_eq!(member(o, "d"), None);
        assert_eq!(members("[1]").count(), 0);
        assert_eq!(
            elements(" [ 1 ,\"two\", [3] ] ").collect::<Vec<_>>(),
            vec!["1", "\"two\"", "[3]"]
        );
        assert_eq!(elements("[]").count(), 0);
        assert_eq!(
            string_array("[\"a\",1,\"b\\n\"]"),
            vec!["a".to_string(), "b\n".to_string()]
        );
        assert!(string_array("[\"a\"").is_empty());
        let mut out = String::new();
        assert!(write_normalized(
            &mut out,
            " {\"k\" : [ 1 , \"\\u00e9\" ], \"j\":{}, \"k\": -0 } "
        ));
        assert_eq!(out, "{\"k\":-0,\"j\":{}}");
    }
}
