#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sio_core::Payload;

use super::*;

fn plain(json: &str) -> Payload {
    Payload {
        json: json.into(),
        attachments: Vec::new(),
    }
}

fn binary(json: &str, attachments: &[&[u8]]) -> Payload {
    Payload {
        json: json.into(),
        attachments: attachments
            .iter()
            .map(|a| Bytes::copy_from_slice(a))
            .collect(),
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Chat {
    user: String,
    text: String,
}

#[test]
fn one_value_is_the_first_argument_and_a_tuple_the_list() {
    let p = plain(r#"[{"user":"a","text":"hi"},2,"extra"]"#);
    let chat: Chat = from_payload(&p).unwrap();
    assert_eq!(chat.text, "hi");
    let (chat, n, extra): (Chat, u8, String) = from_payload(&p).unwrap();
    assert_eq!((chat.user.as_str(), n, extra.as_str()), ("a", 2, "extra"));
    let list: Vec<String> = from_payload(&plain(r#"[["a","b"]]"#)).unwrap();
    assert_eq!(list, ["a", "b"]);
    let v: Value = from_payload(&plain(r#"[{"k":[1]}]"#)).unwrap();
    assert_eq!(v, json!({"k": [1]}));
}

#[test]
fn unit_ignores_the_arguments_and_a_missing_argument_is_null() {
    let () = from_payload(&plain(r#"[1,"two"]"#)).unwrap();
    let none: Option<u8> = from_payload(&plain("[]")).unwrap();
    assert_eq!(none, None);
    let err = from_payload::<String>(&plain("[]")).unwrap_err();
    assert!(err.to_string().contains("invalid type: null"), "{err}");
}

#[test]
fn mismatches_are_errors_with_serdes_message() {
    let err = from_payload::<u64>(&plain(r#"["seven"]"#)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type: string \"seven\", expected u64 at line 1 column 8"
    );
    assert!(from_payload::<(u8, u8)>(&plain("[1]")).is_err());
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Upload {
    name: String,
    data: Bytes,
    #[serde(with = "serde_bytes")]
    thumb: Vec<u8>,
    raw: Vec<u8>,
    parts: Vec<Bytes>,
    maybe: Option<Bytes>,
}

#[test]
fn placeholders_become_bytes_wherever_they_are() {
    let p = binary(
        r#"[{"name":"f","data":{"_placeholder":true,"num":0},"thumb":{"num":1,"_placeholder":true},
            "raw":{"_placeholder":true,"num":2},"parts":[{"_placeholder":true,"num":3}],
            "maybe":{"_placeholder":true,"num":0}}]"#,
        &[b"zero", b"one", b"two", b"three"],
    );
    let up: Upload = from_payload(&p).unwrap();
    assert_eq!(up.data, "zero");
    assert_eq!(up.thumb, b"one");
    assert_eq!(up.raw, b"two");
    assert_eq!(up.parts, [Bytes::from_static(b"three")]);
    assert_eq!(up.maybe.as_deref(), Some(&b"zero"[..]));
}

#[test]
fn serialised_binary_comes_back_unchanged() {
    let up = Upload {
        name: "n".into(),
        data: Bytes::from_static(&[0, 255]),
        thumb: vec![1],
        raw: vec![2, 3],
        parts: vec![Bytes::from_static(b"p"), Bytes::new()],
        maybe: None,
    };
    let payload = to_payload(&up).unwrap();
    assert_eq!(payload.attachments.len(), 4, "raw is an array of numbers");
    let back: Upload = from_payload(&payload).unwrap();
    assert_eq!(back, up);
    let (n, b): (u8, Bytes) =
        from_payload(&to_payload(&(7, Bytes::from_static(b"x"))).unwrap()).unwrap();
    assert_eq!((n, b.as_ref()), (7, &b"x"[..]));
}

#[test]
fn ordinary_objects_that_start_like_placeholders_are_replayed_whole() {
    #[derive(Debug, Deserialize)]
    struct Page {
        num: u32,
        file: Bytes,
        meta: Value,
    }
    let p = binary(
        r#"[{"num":4,"file":{"_placeholder":true,"num":0},"meta":{"num":1,"x":[true]}}]"#,
        &[b"pdf"],
    );
    let page: Page = from_payload(&p).unwrap();
    assert_eq!((page.num, page.file.as_ref()), (4, &b"pdf"[..]));
    assert_eq!(page.meta, json!({"num": 1, "x": [true]}));
    // a replayed object still finds placeholders nested in it
    let p = binary(
        r#"[{"num":4,"inner":{"data":{"_placeholder":true,"num":0}}}]"#,
        &[b"deep"],
    );
    #[derive(Deserialize)]
    struct Inner {
        data: Bytes,
    }
    #[derive(Deserialize)]
    struct Outer {
        inner: Inner,
    }
    let outer: Outer = from_payload(&p).unwrap();
    assert_eq!(outer.inner.data, "deep");
}

#[test]
fn json_values_see_attachments_as_arrays_of_numbers() {
    let p = binary(r#"[{"a":{"_placeholder":true,"num":0}}]"#, &[&[1, 2]]);
    let v: Value = from_payload(&p).unwrap();
    assert_eq!(v, json!({"a": [1, 2]}));
}

#[test]
fn without_attachments_placeholder_shaped_objects_are_data() {
    let v: Value = from_payload(&plain(r#"[{"_placeholder":true,"num":0}]"#)).unwrap();
    assert_eq!(v, json!({"_placeholder": true, "num": 0}));
}

#[test]
fn enums_and_untagged_values_reach_their_bytes() {
    #[derive(Debug, Deserialize, PartialEq)]
    enum Msg {
        File(Bytes),
        Named { name: String, body: Bytes },
    }
    let p = binary(
        r#"[{"File":{"_placeholder":true,"num":0}},{"Named":{"name":"n","body":{"_placeholder":true,"num":1}}}]"#,
        &[b"a", b"b"],
    );
    let (a, b): (Msg, Msg) = from_payload(&p).unwrap();
    assert_eq!(a, Msg::File(Bytes::from_static(b"a")));
    assert_eq!(
        b,
        Msg::Named {
            name: "n".into(),
            body: Bytes::from_static(b"b")
        }
    );
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Data(serde_bytes::ByteBuf),
    }
    let (x, y): (Either, Either) =
        from_payload(&binary(r#"["t",{"_placeholder":true,"num":0}]"#, &[b"bin"])).unwrap();
    assert_eq!(x, Either::Text("t".into()));
    assert_eq!(y, Either::Data(serde_bytes::ByteBuf::from(b"bin".to_vec())));
}

#[test]
fn a_placeholder_where_bytes_are_expected_must_be_one() {
    #[derive(Debug, Deserialize)]
    struct F {
        #[allow(dead_code)]
        data: Bytes,
    }
    let p = binary(r#"[{"data":{"other":1}}]"#, &[b"x"]);
    assert!(from_payload::<F>(&p).is_err());
    let p = binary(r#"[{"data":{"_placeholder":true,"num":5}}]"#, &[b"x"]);
    assert!(from_payload::<F>(&p).is_err(), "index out of range");
}

#[test]
fn the_json_view_marks_binary_and_converts_back() {
    let p = binary(r#"[1,{"f":{"_placeholder":true,"num":0}}]"#, &[b"hi"]);
    let v = to_json_with_binary(&p).unwrap();
    assert_eq!(v, json!([1, {"f": {"$binary": "aGk="}}]));
    let back = from_json_with_binary(v.as_array().unwrap());
    assert_eq!(back.json, r#"[1,{"f":{"_placeholder":true,"num":0}}]"#);
    assert_eq!(back.attachments, [Bytes::from_static(b"hi")]);
    // not base64, or more keys: left as data
    let kept =
        from_json_with_binary(&[json!({"$binary": "!!"}), json!({"$binary": "aGk=", "x": 1})]);
    assert!(kept.attachments.is_empty());
}
