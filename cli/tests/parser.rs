//! `--parser msgpack` on listen, emit and bench, against the bundled server started with
//! socket.io-msgpack-parser; and `--parser json` (the default) failing against it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};
use sio_test_support::TestServer;

fn sio(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sio"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run sio")
}

fn msgpack_server() -> TestServer {
    TestServer::builder()
        .parser_msgpack()
        .no_recovery()
        .spawn()
        .unwrap()
}

#[test]
fn emit_and_bench_speak_msgpack() {
    let srv = msgpack_server();
    for transport in ["websocket", "polling"] {
        let o = sio(&[
            "emit",
            &srv.url(),
            "echo",
            "\"héllo\"",
            "{\"n\":[1,2.5]}",
            "{\"$binary\":\"AAEC\"}",
            "--ack",
            "--parser",
            "msgpack",
            "--transport",
            transport,
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{transport}: {err}");
        let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            printed,
            json!(["héllo", {"n": [1, 2.5]}, {"$binary": "AAEC"}])
        );
    }
    let o = sio(&[
        "bench",
        &srv.url(),
        "--clients",
        "2",
        "--duration",
        "0.5",
        "--transport",
        "websocket",
        "--parser",
        "msgpack",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["connected"], json!(2), "{v}");
    assert!(v["events"].as_u64().unwrap() > 0, "{v}");
    // The JSON parser against a msgpack server cannot connect: a connect error, exit 1.
    let o = sio(&[
        "emit",
        &srv.url(),
        "echo",
        "--ack",
        "--transport",
        "websocket",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn listen_speaks_msgpack() {
    let srv = msgpack_server();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sio"))
        .args([
            "listen",
            &srv.url(),
            "--parser",
            "msgpack",
            "--transport",
            "websocket",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                let _ = tx.send(v);
            }
        }
    });
    let wait = |pred: &dyn Fn(&Value) -> bool| loop {
        let v = rx
            .recv_timeout(Duration::from_secs(15))
            .expect("a line from sio listen");
        if pred(&v) {
            return v;
        }
    };
    wait(&|v| v["type"] == json!("connect"));
    srv.broadcast_all("/", "news", json!(["hi", {"$binary": "AQI="}]))
        .unwrap();
    let ev = wait(&|v| v["type"] == json!("event"));
    assert_eq!(ev["event"], json!("news"), "{ev}");
    assert_eq!(ev["args"], json!(["hi", {"$binary": "AQI="}]), "{ev}");
    let _ = child.kill();
    let _ = child.wait();
}
