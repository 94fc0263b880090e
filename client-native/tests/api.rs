//! The Rust API's own behaviour against the real server: async listeners, decode errors,
//! backpressure, panicking listeners.

// (native only: the browser build is tested in client-wasm/tests)
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{builder, eventually, server, within};
use serde_json::{json, Value};
use sio_client::{ClientEvent, Error, SocketEvent, Transports};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_listeners_may_emit_and_await_acks_before_answering() {
    let srv = server();
    let client = builder(&srv.url(), Transports::WebSocketOnly)
        .build()
        .unwrap();
    let socket = client.socket("/");
    let me = socket.clone();
    socket.on_async("question", move |(a, b): (i64, i64), ack| {
        let socket = me.clone();
        async move {
            // a round trip to the server from inside the listener
            let who: Value = socket.emit_with_ack("whoami", ()).await.unwrap();
            if let Some(ack) = ack {
                ack.send((a + b, who["nsp"].clone())).unwrap();
            }
        }
    });
    within(10, "connect", socket.connect()).await.unwrap();
    let answer: Value = within(
        10,
        "ask",
        socket.emit_with_ack(
            "ask",
            json!({"event": "question", "args": [2, 3], "timeoutMs": 5000}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(answer, json!({"ok": true, "args": [5, "/"]}));
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arguments_a_listener_cannot_decode_are_reported_with_serdes_message() {
    let srv = server();
    let client = builder(&srv.url(), Transports::WebSocketOnly)
        .build()
        .unwrap();
    let socket = client.socket("/");
    let called = Arc::new(AtomicUsize::new(0));
    let c = called.clone();
    let listener = socket.on("echo", move |_n: u64, _| {
        c.fetch_add(1, Ordering::SeqCst);
    });
    let mut events = socket.events();
    within(10, "connect", socket.connect()).await.unwrap();
    socket.emit("echo", "seven").unwrap(); // the server echoes it back
    let error = within(10, "listener error", async {
        loop {
            if let Some(SocketEvent::ListenerError(e)) = events.next().await {
                return e;
            }
        }
    })
    .await;
    assert_eq!(error.event, "echo");
    assert_eq!(error.listener, listener);
    assert!(
        error
            .error
            .to_string()
            .contains("invalid type: string \"seven\", expected u64"),
        "{error}"
    );
    assert_eq!(called.load(Ordering::SeqCst), 0);
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_is_not_read_holds_the_network_back_and_loses_nothing() {
    const CAPACITY: usize = 8;
    const FLOOD: i64 = 3000;
    let srv = server();
    let client = builder(&srv.url(), Transports::WebSocketOnly)
        .inbound_buffer(CAPACITY)
        .build()
        .unwrap();
    let socket = client.socket("/");
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    socket.on("tick", move |_i: i64, _| {
        s.fetch_add(1, Ordering::SeqCst);
    });
    let mut events = socket.events();
    within(10, "connect", socket.connect()).await.unwrap();
    // the ack of emit-n arrives after the flood: do not wait for it here
    let flood = socket.emit_with_ack::<i64>("emit-n", json!({"event": "tick", "count": FLOOD}));
    eventually(10, "the stream fills up", || {
        seen.load(Ordering::SeqCst) >= CAPACITY
    })
    .await;
    // Without backpressure the whole flood would be read within milliseconds. However slow
    // the machine, the driver must stop soon after the stream is full.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let while_unread = seen.load(Ordering::SeqCst);
    assert!(
        while_unread <= CAPACITY + 4,
        "the client kept reading while its stream was full: {while_unread} events"
    );
    // Reading the stream lets everything through, in order, nothing dropped.
    let mut ticks = Vec::new();
    within(30, "the whole flood", async {
        while ticks.len() < FLOOD as usize {
            match events.next().await {
                Some(SocketEvent::Message(m)) if m.event() == "tick" => {
                    ticks.push(m.args::<i64>().unwrap())
                }
                Some(_) => {}
                None => panic!("stream ended"),
            }
        }
    })
    .await;
    assert_eq!(ticks, (0..FLOOD).collect::<Vec<_>>());
    assert_eq!(within(10, "emit-n ack", flood).await.unwrap(), FLOOD);
    client.close().await;
}

async fn closes_after_a_panicking_listener(register: impl FnOnce(&sio_client::Socket)) {
    let srv = server();
    let client = builder(&srv.url(), Transports::WebSocketOnly)
        .build()
        .unwrap();
    let socket = client.socket("/");
    register(&socket);
    let mut events = client.events();
    within(10, "connect", socket.connect()).await.unwrap();
    let pending = socket
        .timeout(Duration::from_secs(30))
        .emit_with_ack::<Value>("no-such-event", ());
    socket.emit("echo", "boom").unwrap();
    let message = within(10, "panic report", async {
        loop {
            match events.next().await {
                Some(ClientEvent::ListenerPanicked(message)) => return message,
                Some(_) => {}
                None => panic!("stream ended without the report"),
            }
        }
    })
    .await;
    assert_eq!(message, "listener bug");
    // the client is closed, not a zombie
    within(10, "stream end", async {
        while events.next().await.is_some() {}
    })
    .await;
    eventually(10, "closed", || client.is_closed()).await;
    assert!(!socket.connected());
    assert!(matches!(socket.emit("echo", 1), Err(Error::Closed)));
    assert!(matches!(
        within(10, "pending ack", pending).await,
        Err(Error::Closed | Error::Ack(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_listener_closes_the_client_and_says_so() {
    closes_after_a_panicking_listener(|socket| {
        socket.on("echo", |_: String, _| panic!("listener bug"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_async_listener_closes_the_client_and_says_so() {
    closes_after_a_panicking_listener(|socket| {
        socket.on_async("echo", |_: String, _| async { panic!("listener bug") });
    })
    .await;
}
