//! The JSON validator against `JSON.parse`: tests/vectors/json-verdicts.json holds a few
//! thousand texts with the verdict of V8's `JSON.parse` (tests/server/gen-json-verdicts.js;
//! `make test` checks the file is what Node produces). On every one, the validator and the
//! encoded rules the property tests use (tests/common/json_rules.rs) agree with `JSON.parse`,
//! except where the text nests deeper than `json::MAX_NESTING`: `JSON.parse` takes any depth, the
//! core rejects it with `TooDeep` (the documented limit).

mod common;

use common::json_rules::{self, Verdict};
use serde_json::Value as Json;
use sio_core::json::{self, JsonErrorKind, PlaceholderError, MAX_NESTING};

fn text_of(v: &Json) -> String {
    if let Some(t) = v["text"].as_str() {
        return t.to_owned();
    }
    let nest = &v["nest"];
    let part = |k: &str| nest[k].as_str().expect("nest part");
    let depth = nest["depth"].as_u64().expect("depth") as usize;
    format!(
        "{}{}{}",
        part("open").repeat(depth),
        part("core"),
        part("close").repeat(depth)
    )
}

#[test]
fn the_validator_agrees_with_json_parse() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/json-verdicts.json"
    );
    let file = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Json = serde_json::from_str(&file).expect("JSON");
    let vectors = doc["vectors"].as_array().expect("vectors");
    assert!(vectors.len() >= 3000, "{} vectors", vectors.len());
    let (mut agreed, mut too_deep) = (0, 0);
    for v in vectors {
        let name = v["name"].as_str().expect("name");
        let node = v["accept"].as_bool().expect("accept");
        let text = text_of(v);
        let rules = json_rules::verdict(&text, MAX_NESTING);
        let ours = json::validate(&text);
        // The validator is the rules, exactly.
        match (&ours, rules) {
            (Ok(_), Verdict::Accept) | (Err(_), Verdict::Reject) => {}
            (Err(e), Verdict::TooDeep) if e.kind == JsonErrorKind::TooDeep => {}
            _ => panic!("{name}: validate {ours:?}, rules {rules:?}"),
        }
        // The rules are JSON.parse, up to the nesting limit.
        match rules {
            Verdict::TooDeep => {
                too_deep += 1;
                assert!(name.starts_with("depth/"), "{name}: unexpectedly deep");
            }
            _ => {
                assert_eq!(
                    rules == Verdict::Accept,
                    node,
                    "{name}: JSON.parse says {node}"
                );
                agreed += 1;
            }
        }
        // The other scanners accept exactly the same texts.
        assert_eq!(json::parse(&text).is_ok(), ours.is_ok(), "{name}: parse");
        let placeholders = json::check_placeholders(&text, 0);
        assert_eq!(
            !matches!(placeholders, Err(PlaceholderError::Json(_))),
            ours.is_ok(),
            "{name}: check_placeholders"
        );
    }
    // The documented difference is exercised: deep texts JSON.parse takes and we refuse.
    assert!(too_deep >= 8, "{too_deep} too-deep vectors");
    assert!(agreed >= 3000, "{agreed}");
}

/// Issue 13's minimal failing input of the old property test (serde_json as the oracle), and
/// its relatives: JSON.parse accepts all of them, so does the core.
#[test]
fn numbers_beyond_f64_and_lone_surrogates_are_json() {
    for text in [
        "1e310",
        "-1e310",
        "1e-400",
        "\"\\ud800\"",
        "\"\\udc00\\ud800\"",
        "[1e310]",
    ] {
        assert!(json::validate(text).is_ok(), "{text}");
        assert_eq!(
            json_rules::verdict(text, MAX_NESTING),
            Verdict::Accept,
            "{text}"
        );
    }
    // serde_json, the old oracle, disagrees on the surrogates (and only by luck not on 1e310).
    assert!(serde_json::from_str::<Json>("\"\\ud800\"").is_err());
}
