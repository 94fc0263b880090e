//! The exported `Core` class on its real target, in headless Chromium
//! (`wasm-pack test --headless --chrome client-wasm`): scripted exchanges with a pretend
//! server through the same methods the npm package's `CoreClient` calls (options, commands,
//! network inputs, `next()` with its text and binary parts, `arm()`, queries), so the
//! JavaScript↔wasm protocol is checked without a network. The network scenarios against the
//! real server run in tests/browser/client.test.mjs, through the package.
#![cfg(target_arch = "wasm32")]

use sio_core::json;
use sio_wasm::Core;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const HANDSHAKE: &str = r#"0{"sid":"e1","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;

/// `Core::new` with the options `CoreClient` would pass: `strings` is the JSON of
/// `[path, query, extraHeaders, transports]`, `numbers` (name, value) pairs.
fn core(url: &str, strings: &str, numbers: &[(&str, f64)]) -> Result<Core, String> {
    const NAMES: [&str; 7] = [
        "reconnectionAttempts",
        "reconnectionDelay",
        "reconnectionDelayMax",
        "randomizationFactor",
        "timeout",
        "ackTimeout",
        "retries",
    ];
    let mut values = [0.0; 7];
    let mut flags = 0;
    for (name, value) in numbers {
        let i = NAMES.iter().position(|n| n == name).expect("option name");
        values[i] = *value;
        flags |= 256 << i;
    }
    let [a, b, c, d, e, f, g] = values;
    Core::new(url, strings, flags, a, b, c, d, e, f, g, 7.0)
}

const NO_STRINGS: &str = "[null,null,null,null]";

/// The elements of the next output (empty when there is none), strings decoded, other values
/// as their JSON text.
fn next(core: &mut Core) -> Vec<String> {
    let text = core.next_output();
    json::elements(&text)
        .map(|raw| json::as_string(raw).unwrap_or_else(|| raw.to_string()))
        .collect()
}

/// The outputs until there are none, one `kind a b …` line each (their parts are not taken;
/// the next `next()` drops them).
fn drain(core: &mut Core) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let items = next(core);
        if items.is_empty() {
            return out;
        }
        out.push(items.join(" "));
    }
}

/// An HTTP 200 response to request `request` of polling transport 1.
fn response(core: &mut Core, now: f64, request: u64, body: &str) {
    core.input(
        now,
        4,
        1.0,
        request as f64,
        200,
        Some(body.to_string()),
        None,
    );
}

/// A text frame on WebSocket 1.
fn frame(core: &mut Core, now: f64, text: &str) {
    core.input(now, 1, 1.0, 0.0, 0, Some(text.to_string()), None);
}

#[wasm_bindgen_test]
fn options_and_urls_are_checked() {
    let err = |r: Result<Core, String>| r.err().expect("refused");
    assert_eq!(
        err(core("ftp://nowhere", NO_STRINGS, &[])),
        "unsupported URL scheme \"ftp\" (expected http, https, ws or wss)"
    );
    assert_eq!(
        err(core(
            "http://h",
            r#"[null,null,null,["webtransport"]]"#,
            &[]
        )),
        "option `transports` must list \"polling\" and/or \"websocket\", got \"webtransport\""
    );
    assert_eq!(
        err(core("http://h", NO_STRINGS, &[("retries", 3.0)])),
        "`retries` needs an `ack_timeout`: a retry is triggered by a timeout"
    );
    assert!(
        err(core("http://h", NO_STRINGS, &[("reconnectionDelay", -1.0)]))
            .contains("reconnectionDelay")
    );
    assert!(core(
        "http://h",
        NO_STRINGS,
        &[("retries", 3.0), ("ackTimeout", 100.0)]
    )
    .is_ok());
    // Nothing happens before a namespace connects.
    let mut idle = core("http://h", NO_STRINGS, &[]).expect("valid");
    assert_eq!(idle.next_output(), "");
    assert!(
        idle.arm(0.0).is_nan(),
        "no deadline: the timer stays as it is"
    );
}

#[wasm_bindgen_test]
fn polling_connect_emit_binary_and_ack_timeout() {
    // A query text, an extra header, a path without slashes.
    let strings = r#"["custom","a=1&b=x%20y",["X-Token","t"],["polling"]]"#;
    let mut c = core("http://example.com:3000", strings, &[]).expect("valid");
    c.cmd(0.0, 0, "/", None);
    let get = next(&mut c);
    assert_eq!(&get[..4], ["http", "1", "2", "GET"]);
    let url = &get[4];
    assert!(
        url.starts_with("http://example.com:3000/custom/?EIO=4&transport=polling&t="),
        "{url}"
    );
    assert!(url.ends_with("&a=1&b=x%20y"), "{url}");
    assert_eq!(
        &get[5..],
        ["0", "X-Token", "t"],
        "no body, then the headers"
    );
    assert_eq!(c.query(0, "/"), "false");
    assert_eq!(c.query(1, "/"), "true", "active");
    assert_eq!(c.query(2, "/"), "null", "no id yet");

    // The handshake: the next poll, `open`, then the core asks for the auth payload.
    response(&mut c, 10.0, 2, HANDSHAKE);
    let out = drain(&mut c);
    assert_eq!(out.len(), 3, "{out:?}");
    assert!(out[0]
        .starts_with("http 1 3 GET http://example.com:3000/custom/?EIO=4&transport=polling&t="));
    assert!(out[0].contains("&sid=e1&a=1"), "{out:?}");
    assert_eq!(&out[1..], ["open", "auth /"]);
    assert_eq!(c.query(6, ""), "\"polling\"");
    c.cmd(11.0, 7, "/", Some(r#"{"token":"t"}"#.into()));
    let post = next(&mut c);
    assert_eq!(&post[..4], ["http", "1", "4", "POST"]);
    assert_eq!(
        &post[5..],
        [
            "1",
            "X-Token",
            "t",
            "Content-Type",
            "text/plain;charset=UTF-8"
        ],
        "a body, then the headers"
    );
    assert_eq!(c.part_text(), r#"40{"token":"t"}"#);
    assert_eq!(next(&mut c), Vec::<String>::new());
    response(&mut c, 12.0, 4, "ok");
    response(&mut c, 13.0, 3, r#"40{"sid":"s1"}"#);
    let out = drain(&mut c);
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out[0].starts_with("http 1 5 GET "), "{out:?}");
    assert_eq!(out[1], "connect / s1 false");
    assert_eq!(c.query(0, "/"), "true");
    assert_eq!(c.query(2, "/"), "\"s1\"");

    // An emit with an attachment and an ack timeout: one POST, the binary as base64.
    c.attach(vec![1, 2, 3]);
    let handle = c
        .emit(
            14.0,
            "/",
            "file",
            r#"[{"_placeholder":true,"num":0}]"#.into(),
            true,
            Some(1000.0),
            false,
        )
        .expect("emitted");
    assert_eq!(handle, Some(0.0));
    let post = next(&mut c);
    assert_eq!(&post[..4], ["http", "1", "6", "POST"]);
    assert_eq!(
        c.part_text(),
        "451-0[\"file\",{\"_placeholder\":true,\"num\":0}]"
    );
    // (one POST at a time: the attachment follows when this one is answered)
    response(&mut c, 15.0, 6, "ok");
    let post = next(&mut c);
    assert_eq!(&post[..4], ["http", "1", "7", "POST"]);
    assert_eq!(c.part_text(), "bAQID");
    // A reserved name is refused, with the message JavaScript shows.
    assert_eq!(
        c.emit(16.0, "/", "connect", "[]".into(), false, None, false),
        Err("\"connect\" is a reserved event name".to_string())
    );

    // A binary event from the server: the arguments as JSON, the attachment as a part.
    response(&mut c, 20.0, 6, "ok");
    response(
        &mut c,
        21.0,
        5,
        "451-[\"bin\",{\"_placeholder\":true,\"num\":0},\"x\"]\u{1e}bCQgH",
    );
    let event = loop {
        let items = next(&mut c);
        assert!(!items.is_empty(), "no event");
        if items[0] == "event" {
            break items;
        }
    };
    assert_eq!(
        event,
        [
            "event",
            "/",
            "bin",
            r#"[{"_placeholder":true,"num":0},"x"]"#,
            "null",
            "1"
        ]
    );
    assert_eq!(c.part_bytes(), [9, 8, 7]);
    drain(&mut c);

    // The ack deadline is the soonest: the timer is armed for it, then fires.
    assert_eq!(c.arm(21.0), 993.0);
    assert!(c.arm(21.0).is_nan(), "unchanged");
    c.input(1014.0, 7, 0.0, 0.0, 0, None, None); // the timer fired
    c.input(1014.0, 6, 0.0, 0.0, 0, None, None); // deadlines passed
    assert_eq!(
        drain(&mut c),
        ["ack_error / 0 operation has timed out timeout"]
    );
    assert_eq!(
        c.arm(1014.0),
        10.0 + 25000.0 + 20000.0 - 1014.0,
        "now the heartbeat"
    );
    // Rooms are reported as JSON.
    c.cmd(1015.0, 3, "/", Some("r\"1".into()));
    assert_eq!(c.query(4, "/"), r#"["r\"1"]"#);
}

#[wasm_bindgen_test]
fn websocket_frames_acks_and_close() {
    let mut c = core(
        "https://example.com",
        r#"[null,null,null,["websocket"]]"#,
        &[],
    )
    .expect("valid");
    c.cmd(0.0, 0, "/", None);
    assert_eq!(
        next(&mut c),
        [
            "ws",
            "1",
            "wss://example.com:443/socket.io/?EIO=4&transport=websocket"
        ]
    );
    c.input(1.0, 0, 1.0, 0.0, 0, None, None);
    frame(&mut c, 2.0, HANDSHAKE);
    assert_eq!(drain(&mut c), ["open", "auth /"]);
    c.cmd(3.0, 7, "/", None);
    assert_eq!(next(&mut c), ["send", "1", "0"]);
    assert_eq!(c.part_text(), "40");
    frame(&mut c, 4.0, r#"40{"sid":"w1","pid":"p1"}"#);
    assert_eq!(drain(&mut c), ["connect / w1 false"]);

    // Binary out: the header frame, then the attachment as a binary frame.
    c.attach(vec![5, 6]);
    c.emit(
        5.0,
        "/",
        "up",
        r#"[{"_placeholder":true,"num":0}]"#.into(),
        false,
        None,
        false,
    )
    .expect("emitted");
    assert_eq!(next(&mut c), ["send", "1", "0"]);
    assert_eq!(
        c.part_text(),
        "451-[\"up\",{\"_placeholder\":true,\"num\":0}]"
    );
    assert_eq!(next(&mut c), ["send", "1", "1"]);
    assert_eq!(c.part_bytes(), [5, 6]);

    // An event asking for an ack, answered once.
    frame(&mut c, 6.0, r#"427["q",1]"#);
    assert_eq!(drain(&mut c), ["event / q [1] 7 0"]);
    c.attach(vec![1]);
    assert!(c.ack(7.0, "/", 7.0, r#"[{"_placeholder":true,"num":0}]"#.into()));
    assert_eq!(next(&mut c), ["send", "1", "0"]);
    assert_eq!(c.part_text(), "461-7[{\"_placeholder\":true,\"num\":0}]");
    assert_eq!(next(&mut c), ["send", "1", "1"]);
    assert_eq!(c.part_bytes(), [1]);
    assert!(!c.ack(8.0, "/", 7.0, "[]".into()), "answered once only");

    // A binary frame arriving on its own is a parse error: the connection closes.
    c.input(9.0, 2, 1.0, 0.0, 0, None, Some(vec![0]));
    let out = drain(&mut c);
    assert_eq!(out[0], "shut 1");
    assert!(out.contains(&"close parse error".to_string()), "{out:?}");
    assert!(
        out.contains(&"disconnect / parse error".to_string()),
        "{out:?}"
    );
    assert_eq!(c.query(0, "/"), "false");
    assert_eq!(c.query(5, ""), "true", "reconnecting");
}

/// A client over WebSocket whose CONNECT to `ns` is sent and waits for the server's reply.
fn connecting(ns: &str) -> Core {
    let mut c = core("http://h", r#"[null,null,null,["websocket"]]"#, &[]).expect("valid");
    c.cmd(0.0, 0, ns, None);
    drain(&mut c);
    c.input(1.0, 0, 1.0, 0.0, 0, None, None);
    frame(&mut c, 2.0, HANDSHAKE);
    drain(&mut c);
    c.cmd(3.0, 7, ns, Some(r#"{"token":"no"}"#.into()));
    drain(&mut c);
    c
}

#[wasm_bindgen_test]
fn connect_errors_carry_their_data() {
    let connect_error = |reply: &str| {
        let mut c = connecting("/guarded");
        frame(&mut c, 4.0, reply);
        let out = drain(&mut c);
        assert!(out.contains(&"close forced close".to_string()), "{out:?}");
        out.into_iter()
            .find(|line| line.starts_with("connect_error"))
            .expect("connect_error")
    };
    assert_eq!(
        connect_error(r#"44/guarded,{"message":"unauthorized","data":{"reason":"bad token"}}"#),
        r#"connect_error /guarded unauthorized 1 {"reason":"bad token"}"#
    );
    // `data: null` is data; none at all is not.
    assert_eq!(
        connect_error(r#"44/guarded,{"message":"again","data":null}"#),
        "connect_error /guarded again 1 null"
    );
    assert_eq!(
        connect_error(r#"44/guarded,"plain""#),
        "connect_error /guarded plain 0 null"
    );
}

#[wasm_bindgen_test]
fn outgoing_reports_volatile_close_and_reconnection_timers() {
    let strings = r#"[null,null,null,["websocket"]]"#;
    let options = [("reconnectionDelay", 100.0), ("randomizationFactor", 0.0)];
    let mut c = core("http://h", strings, &options).expect("valid");
    // A volatile emit while nothing is open is dropped at once.
    c.cmd(0.0, 0, "/", None);
    drain(&mut c);
    let lost = c
        .emit(0.0, "/", "v", "[]".into(), true, None, true)
        .expect("emitted");
    assert_eq!(
        drain(&mut c),
        ["ack_error / 0 volatile packet was not sent not_sent"]
    );
    assert_eq!(lost, Some(0.0));
    c.input(1.0, 0, 1.0, 0.0, 0, None, None);
    frame(&mut c, 2.0, HANDSHAKE);
    drain(&mut c);
    c.cmd(3.0, 7, "/", None);
    drain(&mut c);
    frame(&mut c, 4.0, r#"40{"sid":"a"}"#);
    assert_eq!(drain(&mut c), ["connect / a false"]);
    // Outgoing events are reported only when asked for.
    c.cmd(5.0, 6, "", Some(String::new()));
    c.emit(5.0, "/", "hi", r#"[1,"two"]"#.into(), false, None, false)
        .expect("emitted");
    assert_eq!(drain(&mut c), ["send 1 0", r#"outgoing / hi [1,"two"] 0"#]);
    c.cmd(6.0, 6, "", None);
    c.emit(6.0, "/", "hi", "[]".into(), false, None, false)
        .expect("emitted");
    assert_eq!(drain(&mut c), ["send 1 0"]);
    // The transport closes: the socket disconnects and a reconnection is scheduled.
    let pending = c
        .emit(7.0, "/", "q", "[]".into(), true, None, false)
        .expect("emitted");
    drain(&mut c);
    c.input(8.0, 3, 1.0, 0.0, 0, Some("reset".into()), None);
    assert_eq!(
        drain(&mut c),
        [
            "shut 1",
            "close transport close",
            "disconnect / transport close",
            "ack_error / 3 socket has been disconnected disconnected",
        ]
    );
    assert_eq!(pending, Some(3.0), "every emit takes a handle");
    assert_eq!(c.query(5, ""), "true", "reconnecting");
    assert_eq!(c.query(6, ""), "null", "no transport");
    assert_eq!(c.arm(8.0), 100.0, "the first backoff delay");
    c.input(108.0, 7, 0.0, 0.0, 0, None, None);
    c.input(108.0, 6, 0.0, 0.0, 0, None, None);
    let out = drain(&mut c);
    assert_eq!(
        out[0],
        "ws 2 ws://h:80/socket.io/?EIO=4&transport=websocket"
    );
    assert_eq!(&out[1..], ["reconnect_attempt 1"]);
    assert_eq!(c.arm(108.0), 20000.0, "the connect timeout");
    // Closing: no reconnection after that.
    c.cmd(109.0, 2, "", None);
    let out = drain(&mut c);
    assert_eq!(out[0], "shut 2");
    assert_eq!(c.query(1, "/"), "false", "inactive");
    assert_eq!(c.query(5, ""), "false", "not reconnecting");
    assert_eq!(c.arm(109.0), -1.0, "the timer is cleared");
}
