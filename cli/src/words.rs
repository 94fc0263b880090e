//! Words as people type them: `sio emit URL chat hi {"a": 1}` and the interactive prompt's
//! `emit chat "hi there" [1, 2]`.
//!
//! A word is a JSON value when it reads as one (numbers, `true`, `null`, quoted strings,
//! objects, arrays); any other word is a string, so `hi` means `"hi"`. A word that starts
//! like JSON (`{`, `[` or `"`) must be valid JSON: a typo in an object is an error, never a
//! string sent by surprise.

use serde_json::Value;

/// One word as a JSON value (see the module docs for the rule).
pub(crate) fn word_value(word: &str) -> Result<Value, String> {
    if starts_like_json(word) {
        return serde_json::from_str(word).map_err(|e| format!("{word:?} is not valid JSON: {e}"));
    }
    match serde_json::from_str::<Value>(word) {
        Ok(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => Ok(v),
        _ => Ok(Value::String(word.to_string())),
    }
}

/// Every word as a JSON value.
pub(crate) fn word_values<S: AsRef<str>>(words: &[S]) -> Result<Vec<Value>, String> {
    words.iter().map(|w| word_value(w.as_ref())).collect()
}

fn starts_like_json(word: &str) -> bool {
    matches!(word.as_bytes().first(), Some(b'{' | b'[' | b'"'))
}

/// Splits a prompt line into words at whitespace; a JSON value that starts a word (an
/// object, an array or a quoted string, spaces included) is one word, as typed.
pub(crate) fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let end = if starts_like_json(rest) {
            json_end(rest)?
        } else {
            rest.find(char::is_whitespace).unwrap_or(rest.len())
        };
        words.push(rest[..end].to_string());
        rest = rest[end..].trim_start();
    }
    Ok(words)
}

/// Byte length of the JSON value at the start of `text`, which must end there or at a space.
fn json_end(text: &str) -> Result<usize, String> {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    match values.next() {
        Some(Ok(_)) => {
            let end = values.byte_offset();
            match text[end..].chars().next() {
                None => Ok(end),
                Some(c) if c.is_whitespace() => Ok(end),
                Some(_) => Err(format!(
                    "unexpected text right after the JSON value {}",
                    &text[..end]
                )),
            }
        }
        Some(Err(e)) => Err(format!("not valid JSON: {e}")),
        None => Err("expected a JSON value".into()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn bare_words_are_strings_and_json_stays_json() {
        let words = [
            "hi",
            "12",
            "-1.5e3",
            "true",
            "null",
            "\"12\"",
            "{\"a\":1}",
            "[1]",
            "12ab",
        ];
        assert_eq!(
            word_values(&words).unwrap(),
            [
                json!("hi"),
                json!(12),
                json!(-1500.0),
                json!(true),
                json!(null),
                json!("12"),
                json!({"a": 1}),
                json!([1]),
                json!("12ab")
            ]
        );
        assert!(word_value("{not json").is_err());
        assert!(word_value("\"unterminated").is_err());
    }

    #[test]
    fn a_json_value_with_spaces_is_one_word() {
        let words = split_words(r#"  emit chat "hi there" {"a": 1, "b": [1, 2]} x  "#).unwrap();
        assert_eq!(
            words,
            [
                "emit",
                "chat",
                "\"hi there\"",
                r#"{"a": 1, "b": [1, 2]}"#,
                "x"
            ]
        );
        assert_eq!(split_words("").unwrap(), Vec::<String>::new());
        assert!(split_words(r#"emit {"a":1}x"#).is_err());
        assert!(split_words(r#"emit {"a":"#).is_err());
        // a word that only contains JSON characters later is a plain word
        assert_eq!(split_words("a{b c").unwrap(), ["a{b", "c"]);
    }
}
