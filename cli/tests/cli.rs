//! The `sio` command, spawned as a process against the bundled reference server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{is, run, stderr, Listener};
use serde_json::{json, Value};
use sio_test_support::{free_port, TestServer, TlsFiles};
#[test]
fn emit_with_ack_prints_the_answer() {
    let srv = TestServer::spawn().unwrap();
    for transport in ["websocket", "polling", "auto"] {
        let o = run(&[
            "emit",
            &srv.url(),
            "echo",
            "\"héllo\"",
            "{\"n\":[1,2]}",
            "{\"$binary\":\"AAEC\"}",
            "--ack",
            "--transport",
            transport,
        ]);
        assert!(o.status.success(), "{transport}: {}", stderr(&o));
        let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            printed,
            json!(["héllo", {"n": [1, 2]}, {"$binary": "AAEC"}])
        );
    }
}

#[test]
fn errors_are_one_line_with_exit_codes() {
    // Bad URL and bad JSON: usage, exit 2.
    let o = run(&["emit", "localhost:3000", "x"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("URL"), "{}", stderr(&o));
    let o = run(&["emit", "http://127.0.0.1:1", "x", "{not json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1);

    // Refused connection.
    let port = free_port().unwrap();
    let o = run(&[
        "emit",
        &format!("http://127.0.0.1:{port}"),
        "x",
        "--transport",
        "websocket",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("sio: cannot connect"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stderr(&o).lines().count(), 1);

    let srv = TestServer::spawn().unwrap();
    // Not a Socket.IO endpoint.
    let o = run(&[
        "emit",
        &srv.url(),
        "x",
        "--path",
        "/not-socketio/",
        "--transport",
        "polling",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a Socket.IO"), "{}", stderr(&o));

    // Rejected auth, with the server's data.
    let o = run(&[
        "emit",
        &format!("{}/guarded", srv.url()),
        "x",
        "--auth",
        "{\"token\":\"bad\"}",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("refused the connection: unauthorized"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("bad token"), "{}", stderr(&o));

    // No ack in time.
    let o = run(&[
        "emit",
        &srv.url(),
        "nobody-acks-this",
        "--ack",
        "--timeout",
        "300",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no acknowledgement within 300 ms"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn tls_is_verified_and_a_ca_file_makes_it_work() {
    let tls = TlsFiles::generate().unwrap();
    let srv = TestServer::builder()
        .tls(tls.cert_path(), tls.key_path())
        .spawn()
        .unwrap();
    let url = format!("https://localhost:{}", srv.port());
    let o = run(&[
        "emit",
        &url,
        "echo",
        "1",
        "--ack",
        "--transport",
        "websocket",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o).to_lowercase();
    assert!(err.contains("certificate") || err.contains("tls"), "{err}");
    let ca = tls.cert_path();
    let o = run(&[
        "emit",
        &url,
        "echo",
        "1",
        "--ack",
        "--ca-file",
        ca.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        serde_json::from_slice::<Value>(&o.stdout).unwrap(),
        json!([1])
    );
}

#[test]
fn listen_shows_every_event_type_of_the_contract() {
    let srv = TestServer::builder().no_recovery().spawn().unwrap();
    let mut l = Listener::start(&[
        &srv.url(),
        "--ns",
        "/",
        "--ns",
        "/admin",
        "--join",
        "lobby",
        "--transport",
        "websocket",
        "--reconnection-delay",
        "100",
        "--reconnection-delay-max",
        "200",
    ]);
    let c = l.expect("connect", |v| v["type"] == "connect" && v["ns"] == "/");
    assert_eq!(c["recovered"], json!(false));
    assert!(c["id"].is_string());
    l.expect("connect /admin", |v| {
        v["type"] == "connect" && v["ns"] == "/admin"
    });
    l.expect("joined", |v| v["type"] == "joined" && v["room"] == "lobby");

    // emit with ack → ack line; emit nobody answers → ack_error.
    l.send(json!({"emit": "echo", "args": ["a", {"$binary": "AAEC"}], "ack": "r1"}));
    let a = l.expect("ack", is("ack"));
    assert_eq!(
        a,
        json!({"type": "ack", "ref": "r1", "args": ["a", {"$binary": "AAEC"}]})
    );
    l.send(json!({"emit": "nobody", "ack": "r2", "timeout_ms": 200}));
    let e = l.expect("ack_error", is("ack_error"));
    assert_eq!(e["ref"], json!("r2"));
    assert_eq!(e["message"], json!("operation has timed out"));

    // Server asks us → event line with ack_id → we reply.
    l.send(json!({"emit": "ask", "args": [{"event": "q", "args": [1], "timeoutMs": 5000}]}));
    let q = l.expect("event q", |v| v["type"] == "event" && v["event"] == "q");
    assert_eq!(q["args"], json!([1]));
    let id = q["ack_id"].as_u64().unwrap();
    l.send(json!({"reply": id, "args": ["yes"]}));
    let answer = l.expect("answer", |v| v["type"] == "event" && v["event"] == "answer");
    assert_eq!(answer["args"][0], json!({"ok": true, "args": ["yes"]}));

    // Room broadcast reaches us.
    srv.broadcast("/", "lobby", "news", json!(["hi"])).unwrap();
    let n = l.expect("news", |v| v["type"] == "event" && v["event"] == "news");
    assert_eq!(n["args"], json!(["hi"]));

    // Restart: disconnect, reconnect_attempt, reconnect, connect, joined again.
    srv.restart(Duration::from_millis(300), true).unwrap();
    let d = l.expect("disconnect", is("disconnect"));
    assert_eq!(d["reason"], json!("transport close"));
    l.expect("reconnect_attempt", is("reconnect_attempt"));
    l.expect("reconnect", is("reconnect"));
    l.expect("connect again", |v| {
        v["type"] == "connect" && v["ns"] == "/"
    });
    l.expect("joined again", |v| {
        v["type"] == "joined" && v["room"] == "lobby"
    });

    // A namespace that rejects us → connect_error with data.
    l.send(json!({"connect": "/guarded"}));
    let ce = l.expect("connect_error", |v| {
        v["type"] == "connect_error" && v["ns"] == "/guarded"
    });
    assert_eq!(ce["ns"], json!("/guarded"));
    assert_eq!(ce["message"], json!("unauthorized"));
    assert_eq!(ce["data"], json!({"reason": "bad token"}));

    // A bad command → error line; then close → exit 0.
    l.send(json!({"frobnicate": 1}));
    l.expect("error", is("error"));
    l.send(json!({"close": true}));
    let status = l.child.wait().unwrap();
    assert!(status.success());
}

#[test]
fn listen_gives_up_with_exit_1_and_reports_reconnect_errors() {
    let srv = TestServer::builder().no_recovery().spawn().unwrap();
    let mut l = Listener::start(&[
        &srv.url(),
        "--transport",
        "websocket",
        "--reconnection-attempts",
        "2",
        "--reconnection-delay",
        "50",
        "--reconnection-delay-max",
        "100",
    ]);
    l.expect("connect", is("connect"));
    drop(srv); // the server is gone for good
    l.expect("reconnect_error", is("reconnect_error"));
    l.expect("reconnect_failed", is("reconnect_failed"));
    let status = l.child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn bench_prints_one_json_object_with_every_figure() {
    let srv = TestServer::spawn().unwrap();
    let o = run(&[
        "bench",
        &srv.url(),
        "--clients",
        "2",
        "--duration",
        "1",
        "--payload-bytes",
        "64",
        "--transport",
        "websocket",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "one JSON object: {text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["clients"], json!(2));
    assert_eq!(v["connected"], json!(2));
    assert_eq!(v["mode"], json!("ack"));
    assert_eq!(
        v["errors"],
        json!({"connect": 0, "ack_timeout": 0, "failed": 0, "disconnected": 0})
    );
    assert!(v["events"].as_u64().unwrap() > 0, "{v}");
    assert!(v["events_per_s"].as_f64().unwrap() > 0.0, "{v}");
    for q in ["p50", "p99", "p999"] {
        assert!(v["ack_rtt_us"][q].as_f64().unwrap() > 0.0, "{v}");
    }
    for q in ["p50", "p99"] {
        assert!(v["connect_ms"][q].as_f64().unwrap() > 0.0, "{v}");
    }
    assert!(v["rss_per_connection_kib"].is_number(), "{v}");
    assert!(v["cpu_us_per_event"].is_number(), "{v}");

    // fire-and-forget at a fixed rate, and the human-readable table
    let o = run(&[
        "bench",
        &srv.url(),
        "--clients",
        "2",
        "--duration",
        "1",
        "--rate",
        "50",
        "--fire-and-forget",
        "--event",
        "bench-sink",
        "--batch",
        "10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.contains("delivered events/s"), "{table}");
    assert!(
        table.contains("0 connect, 0 ack timeouts, 0 failed emits, 0 lost connections"),
        "{table}"
    );

    // the table in ack mode: percentiles of the round trip and the connect time, errors
    let o = run(&["bench", &srv.url(), "--clients", "1", "--duration", "0.5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8(o.stdout).unwrap();
    for row in [
        "connect time p50 / p99 / max",
        "ack round trip p50 / p99 / p99.9 / max",
        "errors",
    ] {
        assert!(table.contains(row), "{row}: {table}");
    }

    // usage errors: exit 2
    let o = run(&["bench", &srv.url(), "--clients", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn emit_takes_bare_words_an_args_file_or_stdin_and_prints_pretty_or_json() {
    let srv = TestServer::spawn().unwrap();
    // bare words are strings; JSON stays JSON
    let o = run(&[
        "emit",
        &srv.url(),
        "echo",
        "hi",
        "12",
        "-3",
        "{\"a\":1}",
        "--ack",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "[\"hi\",12,-3,{\"a\":1}]\n"
    );

    // --args-file: JSON values one after the other
    let dir = std::env::temp_dir().join(format!("sio-emit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("args.json");
    std::fs::write(&file, "\"a\" {\"b\": [1, 2]}\n[3]\n").unwrap();
    let o = run(&[
        "emit",
        &srv.url(),
        "echo",
        "--args-file",
        file.to_str().unwrap(),
        "--ack",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v, json!(["a", {"b": [1, 2]}, [3]]));

    // `--args-file -` reads stdin; --pretty indents the answer
    let mut child = common::sio()
        .args([
            "emit",
            &srv.url(),
            "echo",
            "--args-file",
            "-",
            "--ack",
            "--pretty",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"{\"user\": \"ann\"}").unwrap();
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "[\n  {\n    \"user\": \"ann\"\n  }\n]\n"
    );

    // a bad file: usage, exit 2
    std::fs::write(&file, "{\"b\": ").unwrap();
    let o = run(&[
        "emit",
        &srv.url(),
        "echo",
        "--args-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("does not hold JSON values"),
        "{}",
        stderr(&o)
    );
    let o = run(&["emit", &srv.url(), "echo", "x", "--args-file", "-"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn listen_help_lists_every_command_and_output_line() {
    let o = run(&["listen", "--help"]);
    assert!(o.status.success());
    let help = String::from_utf8(o.stdout).unwrap();
    for command in [
        "emit",
        "reply",
        "join",
        "leave",
        "connect",
        "disconnect",
        "close",
    ] {
        assert!(
            help.contains(&format!("{{\"{command}\":")),
            "{command}: {help}"
        );
    }
    for kind in [
        "connect",
        "connect_error",
        "disconnect",
        "reconnect_attempt",
        "reconnect",
        "reconnect_error",
        "reconnect_failed",
        "event",
        "ack",
        "ack_error",
        "joined",
        "error",
    ] {
        assert!(
            help.contains(&format!("{{\"type\":\"{kind}\"")),
            "{kind}: {help}"
        );
    }
    assert!(help.contains("Examples:"));
}

#[test]
fn emit_without_ack_reaches_the_server_before_the_disconnect() {
    // socket.io servers ignore an event dispatched after the disconnect that follows it:
    // `sio emit` waits until the event is written before it disconnects
    let srv = TestServer::spawn().unwrap();
    let mut l = Listener::start(&[&srv.url(), "--join", "fire", "--transport", "websocket"]);
    l.expect("joined", is("joined"));
    for i in 0..5 {
        let req = json!({"room": "fire", "event": format!("e{i}"), "args": [i]}).to_string();
        let o = run(&[
            "emit",
            &srv.url(),
            "broadcast",
            &req,
            "--transport",
            "websocket",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for i in 0..5 {
        let e = l.expect("event", is("event"));
        assert_eq!(e["event"], json!(format!("e{i}")));
    }
}
