//! `sio listen` contract behaviours (issue 14): the first connect is retried, commands go to
//! the first namespace, commands for a namespace that is not connected fail at once, server
//! ack requests are bounded. The real binary against the bundled server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{is, Listener};
use serde_json::{json, Value};
use sio_test_support::{free_port, TestServer};

const FAST_RETRY: &[&str] = &[
    "--transport",
    "websocket",
    "--reconnection-delay",
    "50",
    "--reconnection-delay-max",
    "100",
];

fn listen(url: &str, extra: &[&str]) -> Listener {
    let mut args = vec![url];
    args.extend_from_slice(FAST_RETRY);
    args.extend_from_slice(extra);
    Listener::start(&args)
}

/// Every line until the process exits (≤ 15 s), and its exit code.
fn all_lines_until_exit(l: &mut Listener) -> (Vec<Value>, Option<i32>) {
    let mut lines = Vec::new();
    while let Ok(v) = l.lines.recv_timeout(Duration::from_secs(15)) {
        lines.push(v);
    }
    let status = l.exit_within(Duration::from_secs(15)).expect("exited");
    (lines, status.code())
}

#[test]
fn the_first_connect_is_retried_and_reconnect_failed_ends_it_with_exit_1() {
    let port = free_port().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let mut l = listen(&url, &["--reconnection-attempts", "2"]);
    let (lines, code) = all_lines_until_exit(&mut l);
    let types: Vec<&str> = lines.iter().map(|v| v["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "connect_error",
            "reconnect_attempt",
            "connect_error",
            "reconnect_error",
            "reconnect_attempt",
            "connect_error",
            "reconnect_error",
            "reconnect_failed"
        ],
        "{lines:#?}"
    );
    assert_eq!(lines[1]["attempt"], json!(1));
    assert_eq!(lines[4]["attempt"], json!(2));
    assert_eq!(lines[0]["ns"], json!("/"));
    assert_eq!(code, Some(1));
    let err = l.stderr_text();
    assert!(
        err.starts_with("sio: cannot connect:") && err.contains("gave up after 2 reconnection"),
        "{err}"
    );
}

#[test]
fn a_listener_started_before_its_server_connects_when_the_server_comes_up() {
    let port = free_port().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let mut l = listen(&url, &[]);
    l.expect("connect_error", is("connect_error"));
    l.expect("reconnect_attempt", is("reconnect_attempt"));
    let _srv = TestServer::builder().port(port).spawn().unwrap();
    let c = l.expect("connect", is("connect"));
    assert_eq!(c["ns"], json!("/"));
    l.expect("reconnect", is("reconnect"));
    l.send(json!({"emit": "echo", "args": [1], "ack": "a"}));
    assert_eq!(l.expect("ack", is("ack"))["args"], json!([1]));
}

#[test]
fn without_reconnection_or_after_a_refusal_the_first_connect_fails_fast() {
    let port = free_port().unwrap();
    let mut l = listen(&format!("http://127.0.0.1:{port}"), &["--no-reconnect"]);
    let (lines, code) = all_lines_until_exit(&mut l);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["type"], json!("connect_error"));
    assert_eq!(code, Some(1));
    assert!(l.stderr_text().starts_with("sio: cannot connect"));

    // reconnection on, but the server refuses: no retry
    let srv = TestServer::spawn().unwrap();
    let url = format!("{}/guarded", srv.url());
    let mut l = listen(&url, &["--auth", r#"{"token":"bad"}"#]);
    let (lines, code) = all_lines_until_exit(&mut l);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["data"], json!({"reason": "bad token"}));
    assert_eq!(code, Some(1));
    let err = l.stderr_text();
    assert!(
        err.contains("refused the connection: unauthorized"),
        "{err}"
    );
}

#[test]
fn commands_without_ns_go_to_the_first_namespace() {
    let srv = TestServer::spawn().unwrap();
    let url = format!("{}/guarded", srv.url());
    let mut l = listen(&url, &["--auth", r#"{"token":"secret"}"#]);
    l.expect("connect /guarded", |v| {
        v["type"] == "connect" && v["ns"] == "/guarded"
    });
    l.send(json!({"emit": "whoami", "ack": "w"}));
    let a = l.expect("ack", is("ack"));
    assert_eq!(a["args"][0]["nsp"], json!("/guarded"));

    // the server asks; the reply without "ns" answers it on /guarded
    l.send(json!({"emit": "ask", "args": [{"event": "q", "args": [], "timeoutMs": 5000}]}));
    let q = l.expect("q", |v| v["type"] == "event" && v["event"] == "q");
    assert_eq!(q["ns"], json!("/guarded"));
    l.send(json!({"reply": q["ack_id"], "args": ["yes"]}));
    let answer = l.expect("answer", |v| v["event"] == "answer");
    assert_eq!(answer["args"][0], json!({"ok": true, "args": ["yes"]}));

    // with several --ns, the first one given is the default
    let mut l = listen(&srv.url(), &["--ns", "/admin", "--ns", "/"]);
    l.expect("connect /", |v| v["type"] == "connect" && v["ns"] == "/");
    l.expect("connect /admin", |v| {
        v["type"] == "connect" && v["ns"] == "/admin"
    });
    l.send(json!({"emit": "whoami", "ack": 1}));
    assert_eq!(
        l.expect("ack", is("ack"))["args"][0]["nsp"],
        json!("/admin")
    );
}

#[test]
fn a_command_for_a_namespace_not_connected_is_an_error_at_once() {
    let srv = TestServer::spawn().unwrap();
    let mut l = listen(&format!("{}/admin", srv.url()), &["--ack-timeout", "60000"]);
    l.expect("connect", is("connect"));
    for cmd in [
        json!({"emit": "echo", "args": [1], "ns": "/", "ack": "r"}),
        json!({"reply": 0, "ns": "/"}),
        json!({"join": "lobby", "ns": "/"}),
    ] {
        l.send(cmd.clone());
        let e = l.expect("error", is("error"));
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains("namespace / is not connected")
                || message.contains("no pending ack request 0 on /"),
            "{cmd}: {message}"
        );
    }
    // connect it, and the same emit works
    l.send(json!({"connect": "/"}));
    l.expect("connect /", |v| v["type"] == "connect" && v["ns"] == "/");
    l.send(json!({"emit": "echo", "args": [2], "ns": "/", "ack": "r2"}));
    let a = l.expect("ack", is("ack"));
    assert_eq!(a, json!({"type": "ack", "ref": "r2", "args": [2]}));
    // after a disconnect it is an error again
    l.send(json!({"disconnect": "/"}));
    l.expect("disconnect", is("disconnect"));
    l.send(json!({"emit": "echo", "ns": "/", "ack": "r3"}));
    let e = l.expect("error", is("error"));
    assert!(
        e["message"].as_str().unwrap().contains("not connected"),
        "{e}"
    );
    assert!(
        !l.seen.iter().any(|v| v["type"] == "ack_error"),
        "{:#?}",
        l.seen
    );
}

#[test]
fn server_ack_requests_are_capped_and_forgotten_on_disconnect() {
    let srv = TestServer::builder().no_recovery().spawn().unwrap();
    let mut l = listen(&srv.url(), &["--max-pending-replies", "2"]);
    l.expect("connect", is("connect"));
    let ask = json!({"emit": "ask", "args": [{"event": "q", "args": [], "timeoutMs": 30000}]});
    let mut ids = Vec::new();
    for _ in 0..3 {
        l.send(ask.clone());
        let q = l.expect("q", |v| v["event"] == "q");
        ids.push(q["ack_id"].as_u64().unwrap());
    }
    let e = l.expect("dropped", is("error"));
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("ack request {} on / dropped", ids[0]))
            && message.contains("more than 2"),
        "{message}"
    );
    l.send(json!({"reply": ids[0]}));
    let e = l.expect("no pending", is("error"));
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("no pending ack request"));
    l.send(json!({"reply": ids[1], "args": ["second"]}));
    l.expect("answer", |v| {
        v["event"] == "answer" && v["args"][0]["args"] == json!(["second"])
    });

    // the connection drops: the last request can no longer be answered
    l.send(json!({"emit": "close-transport"}));
    l.expect("disconnect", is("disconnect"));
    l.expect("connect again", is("connect"));
    l.send(json!({"reply": ids[2]}));
    let e = l.expect("forgotten", is("error"));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains(&format!("no pending ack request {}", ids[2])),
        "{e}"
    );
}
