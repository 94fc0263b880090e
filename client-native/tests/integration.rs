//! The native client against the real reference server (Node socket.io 4.8, started per test
//! on a free port), in websocket-only, polling-only and upgrade modes.

// (native only: the browser build is tested in client-wasm/tests)
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{builder, eventually, server, within, MODES};
use serde_json::{json, Value};
use sio_client::{ClientEvent, ConnectError, DisconnectReason, Error, Transports};
use sio_test_support::{FaultProxy, Mode, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_and_identifies_in_every_mode() {
    let srv = server();
    for mode in MODES {
        let client = builder(&srv.url(), mode).build().unwrap();
        let socket = client.socket("/");
        let connected = within(10, "connect", socket.connect()).await.unwrap();
        assert_eq!(socket.id().as_deref(), Some(connected.id.as_str()));
        assert!(socket.connected() && socket.active());
        let me: Value = within(10, "whoami", socket.emit_with_ack("whoami", ()))
            .await
            .unwrap();
        assert_eq!(me["id"], json!(connected.id), "{mode:?}");
        let expected = match mode {
            Transports::PollingOnly => "polling",
            _ => "websocket",
        };
        if mode != Transports::PollingThenWebSocket {
            assert_eq!(me["transport"], json!(expected), "{mode:?}");
        }
        client.close().await;
        assert!(!socket.connected());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_is_checked_and_rejections_carry_their_data() {
    let srv = server();
    for mode in MODES {
        let bad = builder(&srv.url(), mode)
            .auth(json!({"token": "nope"}))
            .build()
            .unwrap();
        let err = within(10, "rejection", bad.socket("/guarded").connect())
            .await
            .unwrap_err();
        match &err {
            Error::Connect(ConnectError::Rejected { message, data }) => {
                assert_eq!(message, "unauthorized");
                let data = data.clone().unwrap();
                assert_eq!(data, json!({"reason": "bad token"}));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.is_rejection());
        assert!(!bad.socket("/guarded").active(), "a rejection is final");
        bad.close().await;

        let good = builder(&srv.url(), mode)
            .auth(json!({"token": "secret"}))
            .build()
            .unwrap();
        let socket = good.socket("/guarded");
        within(10, "guarded connect", socket.connect())
            .await
            .unwrap();
        let me: Value = socket.emit_with_ack("whoami", ()).await.unwrap();
        assert_eq!(me["auth"], json!({"token": "secret"}));
        good.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auth_provider_runs_on_every_connect() {
    let srv = server();
    let counter = Arc::new(Mutex::new(0u32));
    let c = counter.clone();
    let client = builder(&srv.url(), Transports::WebSocketOnly)
        .auth_provider(move || {
            let c = c.clone();
            async move {
                let mut n = c.lock().unwrap();
                *n += 1;
                json!({"token": "secret", "n": *n})
            }
        })
        .build()
        .unwrap();
    let socket = client.socket("/guarded");
    within(10, "connect", socket.connect()).await.unwrap();
    let me: Value = socket.emit_with_ack("whoami", ()).await.unwrap();
    assert_eq!(me["auth"]["n"], json!(1));
    socket.emit("close-transport", ()).unwrap();
    eventually(10, "reconnect with a fresh token", || {
        *counter.lock().unwrap() == 2
    })
    .await;
    eventually(10, "connected again", || socket.connected()).await;
    let me: Value = socket.emit_with_ack("whoami", ()).await.unwrap();
    assert_eq!(me["auth"]["n"], json!(2));
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_namespaces_share_one_connection() {
    let srv = server();
    let client = builder(&srv.url(), Transports::WebSocketOnly)
        .build()
        .unwrap();
    let root = client.socket("/");
    let admin = client.socket("/admin");
    within(10, "root", root.connect()).await.unwrap();
    within(10, "admin", admin.connect()).await.unwrap();
    let a: Value = admin.emit_with_ack("whoami", ()).await.unwrap();
    assert_eq!(a["nsp"], json!("/admin"));
    assert_eq!(srv.client_count().unwrap(), 1, "one Engine.IO connection");
    admin.disconnect().unwrap();
    eventually(10, "admin disconnected", || !admin.connected()).await;
    let r: Value = root.emit_with_ack("whoami", ()).await.unwrap();
    assert_eq!(r["nsp"], json!("/"));
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acks_in_both_directions_with_binary_and_utf8() {
    let srv = server();
    for mode in MODES {
        let client = builder(&srv.url(), mode).build().unwrap();
        let socket = client.socket("/");
        // The server asks us; we answer through the responder.
        socket.on("question", |(a, b): (i64, i64), ack| {
            if let Some(ack) = ack {
                ack.send((a + b, "sum")).unwrap();
                assert!(ack.send(0).is_err(), "an ack is sent once");
            }
        });
        within(10, "connect", socket.connect()).await.unwrap();
        let answer: Value = within(
            10,
            "ask",
            socket.emit_with_ack(
                "ask",
                json!({"event": "question", "args": [2, 3], "timeoutMs": 2000}),
            ),
        )
        .await
        .unwrap();
        assert_eq!(answer, json!({"ok": true, "args": [5, "sum"]}), "{mode:?}");

        // Binary, several attachments, nested, plus UTF-8 text, echoed by the server.
        let blob = serde_bytes::ByteBuf::from(vec![0u8, 1, 2, 255]);
        let nested = json!({"emoji": "héllo 🌍 世界 \u{2028}"});
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Files {
            a: serde_bytes::ByteBuf,
            inner: Vec<serde_bytes::ByteBuf>,
        }
        let files = Files {
            a: serde_bytes::ByteBuf::from(vec![9u8; 1000]),
            inner: vec![
                serde_bytes::ByteBuf::from(vec![]),
                serde_bytes::ByteBuf::from(b"x".to_vec()),
            ],
        };
        let (b, n, f): (serde_bytes::ByteBuf, Value, Files) = within(
            10,
            "binary echo",
            socket.emit_with_ack("echo", (&blob, &nested, &files)),
        )
        .await
        .unwrap();
        assert_eq!(b, blob);
        assert_eq!(n, nested);
        assert_eq!(f, files);
        client.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_names_and_ack_timeouts_are_typed_errors() {
    let srv = server();
    let client = builder(&srv.url(), Transports::WebSocketOnly)
        .build()
        .unwrap();
    let socket = client.socket("/");
    assert!(matches!(
        socket.emit("connect", ()),
        Err(Error::ReservedEvent(_))
    ));
    within(10, "connect", socket.connect()).await.unwrap();
    // "rooms" only acks; "no-such-event" is never acknowledged.
    let err = socket
        .timeout(Duration::from_millis(200))
        .emit_with_ack::<Value>("no-such-event", &())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Ack(sio_client::AckError::Timeout)),
        "{err:?}"
    );
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_reconnects_rejoins_rooms_and_delivers_buffered_emits_once() {
    for mode in MODES {
        let srv = TestServer::builder().no_recovery().spawn().unwrap();
        let client = builder(&srv.url(), mode).build().unwrap();
        let socket = client.socket("/");
        let notes = Arc::new(Mutex::new(Vec::<i64>::new()));
        let n = notes.clone();
        socket.on("note", move |i: i64, _| n.lock().unwrap().push(i));
        within(10, "connect", socket.connect()).await.unwrap();
        common::join(&socket, "lobby").await;
        let first_id = socket.id().unwrap();

        srv.restart_begin(Duration::from_millis(300), true).unwrap();
        eventually(10, "disconnect seen", || !socket.connected()).await;
        // While offline: these wait in the send buffer.
        for i in 0..3 {
            socket
                .emit(
                    "broadcast",
                    json!({"room": "lobby", "event": "note", "args": [i]}),
                )
                .unwrap();
        }
        srv.wait_up().unwrap();
        eventually(15, "reconnected", || socket.connected()).await;
        assert_ne!(socket.id().unwrap(), first_id, "new session (recovery off)");
        // The server sees us in the room again, without us asking.
        let rooms: Vec<String> = socket.emit_with_ack("rooms", ()).await.unwrap();
        assert!(rooms.contains(&"lobby".to_string()), "{mode:?}: {rooms:?}");
        eventually(10, "buffered broadcasts delivered", || {
            notes.lock().unwrap().len() >= 3
        })
        .await;
        // And the next room broadcast from the server reaches us.
        srv.broadcast("/", "lobby", "note", json!([42])).unwrap();
        eventually(10, "next broadcast", || notes.lock().unwrap().contains(&42)).await;
        assert_eq!(
            *notes.lock().unwrap(),
            vec![0, 1, 2, 42],
            "{mode:?}: exactly once, in order"
        );
        client.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blackholed_connection_ends_in_ping_timeout_and_comes_back() {
    let srv = TestServer::builder()
        .ping_interval(300)
        .ping_timeout(200)
        .spawn()
        .unwrap();
    let proxy = FaultProxy::start(srv.addr()).unwrap();
    let client = builder(&proxy.url(), Transports::WebSocketOnly)
        .build()
        .unwrap();
    let socket = client.socket("/");
    let reasons = Arc::new(Mutex::new(Vec::new()));
    let r = reasons.clone();
    socket.on_disconnect(move |reason| r.lock().unwrap().push(reason));
    within(10, "connect", socket.connect()).await.unwrap();
    proxy.set_mode(Mode::Blackhole);
    eventually(10, "ping timeout", || {
        reasons
            .lock()
            .unwrap()
            .contains(&DisconnectReason::PingTimeout)
    })
    .await;
    proxy.set_mode(Mode::Pass);
    eventually(15, "reconnected", || socket.connected()).await;
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_disconnect_is_final_until_connect() {
    let srv = server();
    let client = builder(&srv.url(), Transports::WebSocketOnly)
        .build()
        .unwrap();
    let socket = client.socket("/");
    let mut events = client.events();
    within(10, "connect", socket.connect()).await.unwrap();
    socket.emit("server-disconnect", ()).unwrap();
    eventually(10, "server disconnect", || !socket.connected()).await;
    assert!(!socket.active());
    // No reconnect attempt follows.
    let attempt = tokio::time::timeout(Duration::from_millis(800), async {
        while let Some(e) = events.next().await {
            if matches!(e, ClientEvent::ReconnectAttempt(_)) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(!matches!(attempt, Ok(true)));
    within(10, "connect again", socket.connect()).await.unwrap();
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_state_recovery_keeps_the_id_and_delivers_missed_events() {
    for mode in [Transports::WebSocketOnly, Transports::PollingOnly] {
        let srv = server();
        let client = builder(&srv.url(), mode).build().unwrap();
        let socket = client.socket("/");
        let got = Arc::new(Mutex::new(Vec::<Value>::new()));
        let g = got.clone();
        socket.on_message("news", move |m| g.lock().unwrap().push(m.json().unwrap()));
        within(10, "connect", socket.connect()).await.unwrap();
        common::join(&socket, "feed").await;
        // One event first, so there is an offset to resume from.
        srv.broadcast("/", "feed", "news", json!(["first"]))
            .unwrap();
        eventually(10, "first", || got.lock().unwrap().len() == 1).await;
        let id = socket.id().unwrap();

        srv.restart_begin(Duration::from_millis(300), false)
            .unwrap();
        eventually(10, "down", || !socket.connected()).await;
        srv.broadcast("/", "feed", "news", json!(["missed"]))
            .unwrap();
        srv.wait_up().unwrap();
        eventually(15, "back", || socket.connected()).await;
        assert!(socket.recovered(), "{mode:?}");
        assert_eq!(socket.id().unwrap(), id);
        eventually(10, "missed event", || got.lock().unwrap().len() == 2).await;
        assert_eq!(got.lock().unwrap()[1][0], json!("missed"));
        client.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emits_during_the_upgrade_keep_their_order() {
    // Without recovery, so server events carry no offset argument.
    let srv = TestServer::builder().no_recovery().spawn().unwrap();
    let client = builder(&srv.url(), Transports::PollingThenWebSocket)
        .build()
        .unwrap();
    let socket = client.socket("/");
    let got = Arc::new(Mutex::new(Vec::<i64>::new()));
    let g = got.clone();
    socket.on("seq", move |i: i64, _| g.lock().unwrap().push(i));
    let mut events = client.events();
    within(10, "connect", socket.connect()).await.unwrap();
    common::join(&socket, "me").await;
    // Fire a burst while the probe and the switch happen.
    for i in 0..200 {
        socket
            .emit(
                "broadcast",
                json!({"room": "me", "event": "seq", "args": [i]}),
            )
            .unwrap();
        if i % 20 == 0 {
            tokio::task::yield_now().await;
        }
    }
    within(10, "upgrade", async {
        while let Some(e) = events.next().await {
            if e == ClientEvent::Upgrade {
                break;
            }
        }
    })
    .await;
    eventually(10, "all 200", || got.lock().unwrap().len() == 200).await;
    let v = got.lock().unwrap().clone();
    assert_eq!(v, (0..200).collect::<Vec<_>>());
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_emits_arrives_complete_and_in_order() {
    // Thousands of emits queued at once are applied as one batch and written together:
    // nothing may be lost, reordered or cut, in either direction, with small and large
    // (fragmented) messages mixed.
    let srv = TestServer::builder().no_recovery().spawn().unwrap();
    for mode in [Transports::WebSocketOnly, Transports::PollingOnly] {
        let client = builder(&srv.url(), mode).build().unwrap();
        let socket = client.socket("/");
        let got = Arc::new(Mutex::new(Vec::<(i64, usize)>::new()));
        let g = got.clone();
        socket.on("echo", move |(i, text): (i64, String), _| {
            g.lock().unwrap().push((i, text.len()))
        });
        within(10, "connect", socket.connect()).await.unwrap();
        let size = |i: i64| {
            if i % 100 == 7 {
                10_000
            } else {
                1 + (i % 50) as usize
            }
        };
        for i in 0..3000 {
            // without an ack, the server emits "echo" back with the same arguments
            socket.emit("echo", &(i, "x".repeat(size(i)))).unwrap();
        }
        let last: i64 = within(20, "barrier", socket.emit_with_ack("echo", 3000_i64))
            .await
            .unwrap();
        assert_eq!(last, 3000, "{mode:?}");
        eventually(20, "3000 echoes", || got.lock().unwrap().len() == 3000).await;
        let v = got.lock().unwrap().clone();
        let want: Vec<_> = (0..3000).map(|i| (i, size(i))).collect();
        assert!(v == want, "{mode:?}: echoes lost, cut or out of order");
        client.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_every_handle_closes_the_connection() {
    let srv = server();
    let client = builder(&srv.url(), Transports::WebSocketOnly)
        .build()
        .unwrap();
    let socket = client.socket("/");
    within(10, "connect", socket.connect()).await.unwrap();
    assert_eq!(srv.client_count().unwrap(), 1);
    let emitter = socket.emitter();
    drop((client, socket, emitter));
    within(10, "the server sees the client go", async {
        while srv.client_count().unwrap() != 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;

    // A closed client refuses commands with a typed error instead of queueing them.
    let client = builder(&srv.url(), Transports::WebSocketOnly)
        .build()
        .unwrap();
    let socket = client.socket("/");
    within(10, "connect", socket.connect()).await.unwrap();
    within(10, "close", client.close()).await;
    assert!(matches!(socket.emit("echo", 1), Err(Error::Closed)));
    assert!(matches!(
        socket.emit_with_ack::<Value>("echo", &1).await,
        Err(Error::Closed)
    ));
}

#[test]
fn building_outside_a_runtime_is_a_typed_error() {
    let err = sio_client::Client::builder("http://127.0.0.1:1")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::NoRuntime), "{err:?}");
    let err = sio_client::Client::builder("localhost:1")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acked_emits_reach_the_server_in_call_order_however_they_are_awaited() {
    // Emits are queued when called: the futures only wait for the acks. Awaiting them in
    // reverse order, from spawned tasks, or never, must not change what the server sees.
    let srv = server();
    for mode in MODES {
        let client = builder(&srv.url(), mode).build().unwrap();
        let socket = client.socket("/");
        // queued while offline too: the buffer keeps call order
        let early: Vec<_> = (0..20)
            .map(|i| socket.emit_with_ack::<Value>("seq", i))
            .collect();
        within(10, "connect", socket.connect()).await.unwrap();
        let mut later: Vec<_> = (20..200)
            .map(|i| socket.emit_with_ack::<Value>("seq", i))
            .collect();
        // one dropped unawaited: still sent, still counted by the server
        drop(later.remove(50));
        let mut handles = Vec::new();
        for (k, fut) in early.into_iter().chain(later).rev().enumerate() {
            if k % 2 == 0 {
                handles.push(tokio::spawn(fut));
            } else {
                handles.push(tokio::spawn(async move {
                    tokio::task::yield_now().await;
                    fut.await
                }));
            }
        }
        for handle in handles.into_iter().rev() {
            let ack = within(20, "ack", handle).await.unwrap().unwrap();
            let value = ack["value"].as_u64().unwrap();
            assert_eq!(ack["n"].as_u64(), Some(value), "{mode:?}: {ack}");
        }
        client.close().await;
    }
}
