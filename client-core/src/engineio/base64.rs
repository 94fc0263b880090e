//! Standard base64 (RFC 4648 §4) for the `b` packets of long-polling payloads: encoding with
//! `=` padding; decoding with padding optional and trailing bits ignored.
//!
//! Decoding accepts exactly what the `base64` crate's standard engine accepts with
//! `DecodePaddingMode::Indifferent` and trailing bits allowed (checked against it by a property
//! test): alphabet characters only, except that the last group of up to four characters may end
//! with `=` after at least two symbols, and that last group must hold at least two symbols.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the base64 text of `bytes`, with padding.
pub(crate) fn encode_into(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize])
            } else {
                '='
            });
        }
    }
}

fn symbol(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

/// Decodes base64 text; `None` if it is malformed (see the module doc).
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    // The last group: the final 1 to 4 characters.
    let last = b.len().saturating_sub(1) / 4 * 4;
    let mut out = Vec::with_capacity(b.len() / 4 * 3 + 2);
    let mut n: u32 = 0;
    let mut symbols = 0;
    let mut padding = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'=' && i >= last + 2 {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return None;
        }
        n = n << 6 | symbol(c)?;
        symbols += 1;
        if symbols == 4 {
            out.extend_from_slice(&n.to_be_bytes()[1..]);
            n = 0;
            symbols = 0;
        }
    }
    match symbols {
        0 if padding == 0 => {}
        2 => out.push((n >> 4) as u8),
        3 => out.extend_from_slice(&(n >> 2).to_be_bytes()[2..]),
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_edge_cases() {
        for len in 0..20 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 5) as u8).collect();
            let mut s = String::new();
            encode_into(&bytes, &mut s);
            assert_eq!(decode(&s).unwrap(), bytes);
            assert_eq!(decode(s.trim_end_matches('=')).unwrap(), bytes);
        }
        let mut s = String::new();
        encode_into(b"\x01\x02\x03\x04", &mut s);
        assert_eq!(s, "AQIDBA==");
        assert_eq!(decode("AQ=").unwrap(), [1]);
        assert_eq!(decode("AR").unwrap(), [1]); // trailing bits ignored
        for bad in [
            "A", "AAAAA", "A===", "AA=A", "AAAA====", "=", "AA==A", "AAA==", "!!", "AA AA",
        ] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    fn reference(text: &str) -> Option<Vec<u8>> {
        use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
        use base64::Engine as _;
        const ENGINE: GeneralPurpose = GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            GeneralPurposeConfig::new()
                .with_decode_padding_mode(DecodePaddingMode::Indifferent)
                .with_decode_allow_trailing_bits(true),
        );
        ENGINE.decode(text).ok()
    }

    proptest::proptest! {
        #[test]
        fn decodes_exactly_what_the_base64_crate_decodes(text in "[AQgw/+z9=!\n]{0,14}") {
            proptest::prop_assert_eq!(decode(&text), reference(&text), "{:?}", text);
        }

        #[test]
        fn encodes_like_the_base64_crate(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            use base64::Engine as _;
            let mut s = String::new();
            encode_into(&bytes, &mut s);
            proptest::prop_assert_eq!(&s, &base64::engine::general_purpose::STANDARD.encode(&bytes));
            proptest::prop_assert_eq!(decode(&s), Some(bytes));
        }
    }
}
