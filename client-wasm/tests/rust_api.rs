//! sio-client's Rust API on the browser driver, in headless Chromium, against the bundled
//! reference server (`wasm-pack test --headless --chrome client-wasm`).
//!
//! The same `Client`/`Socket` code a bot runs natively: builder, typed `on` listeners, acks
//! both ways with binary, namespaces, rooms across a restart, connection state recovery, the
//! auth provider, typed errors. `scripts/test-browser.sh` starts the server
//! (`tests/server/server.js` on a free port) and passes its URL in at build time as
//! `SIO_TEST_SERVER`; the test page runs on another port, so every request is cross-origin
//! (the server allows it with credentials).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::{select, Either};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sio_client::{
    AckResponder, Client, ClientBuilder, ClientEvent, ConnectError, DisconnectReason, Error,
    EventStream, SocketEvent, Transports,
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The bundled server, started by scripts/test-browser.sh.
fn server() -> &'static str {
    match option_env!("SIO_TEST_SERVER") {
        Some(url) => url,
        None => panic!(
            "SIO_TEST_SERVER is not set at build time: run scripts/test-browser.sh, which \
             starts tests/server/server.js and passes its URL"
        ),
    }
}

/// A client with short reconnection delays.
fn builder(path: &str) -> ClientBuilder {
    Client::builder(format!("{}{path}", server()))
        .reconnection_delay(Duration::from_millis(50))
        .reconnection_delay_max(Duration::from_millis(200))
}

/// `future`, or a panic naming `what` after 15 s.
async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    let deadline = gloo_timers::future::TimeoutFuture::new(15_000);
    match select(std::pin::pin!(future), deadline).await {
        Either::Left((value, _)) => value,
        Either::Right(_) => panic!("timed out waiting for {what}"),
    }
}

/// The next event of `stream` that `pick` takes, within 15 s.
async fn next_matching<T, R>(
    what: &str,
    stream: &mut EventStream<T>,
    mut pick: impl FnMut(&T) -> Option<R>,
) -> R {
    within(what, async {
        loop {
            let event = stream.next().await.expect("stream ended");
            if let Some(found) = pick(&event) {
                return found;
            }
        }
    })
    .await
}

#[derive(Debug, Deserialize)]
struct WhoAmI {
    nsp: String,
    id: String,
    transport: String,
    #[serde(default)]
    auth: serde_json::Value,
}

async fn whoami(socket: &sio_client::Socket) -> WhoAmI {
    within("whoami", socket.emit_with_ack("whoami", ()))
        .await
        .unwrap()
}

/// The server asks the client (`ask` fixture): the question and the client's answer carry
/// binary, in both directions.
#[derive(Serialize)]
struct Ask {
    event: &'static str,
    args: (String, Bytes),
    #[serde(rename = "timeoutMs")]
    timeout_ms: u32,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Answer {
    ok: bool,
    args: (String, Bytes),
}

/// Acks both ways with binary, then the server's binary event, on `transports`.
async fn acks_and_binary(transports: Transports) -> (Client, sio_client::Socket) {
    let client = builder("").transports(transports).build().unwrap();
    let socket = client.socket("/");
    socket.on(
        "question",
        |(text, data): (String, Bytes), ack: Option<AckResponder>| {
            let mut reversed = data.to_vec();
            reversed.reverse();
            let _ = ack
                .expect("the server wants an answer")
                .send((format!("{text}!"), Bytes::from(reversed)));
        },
    );
    let connected = within("connect", socket.connect()).await.unwrap();
    assert!(!connected.recovered);
    assert_eq!(socket.id().as_deref(), Some(connected.id.as_str()));
    // client -> server, acknowledged with binary
    let (data, text): (Bytes, String) = within(
        "echo",
        socket.emit_with_ack("echo", (Bytes::from_static(&[1, 2, 3]), "text")),
    )
    .await
    .unwrap();
    assert_eq!((&data[..], text.as_str()), (&[1, 2, 3][..], "text"));
    // server -> client with binary, answered with binary
    let ask = Ask {
        event: "question",
        args: ("why".into(), Bytes::from_static(&[7, 8, 9])),
        timeout_ms: 5000,
    };
    let answer: Answer = within("ask", socket.emit_with_ack("ask", ask))
        .await
        .unwrap();
    assert_eq!(
        answer,
        Answer {
            ok: true,
            args: ("why!".into(), Bytes::from_static(&[9, 8, 7])),
        }
    );
    (client, socket)
}

#[wasm_bindgen_test]
async fn websocket_connect_and_acks_both_ways_with_binary() {
    let (client, socket) = acks_and_binary(Transports::WebSocketOnly).await;
    assert_eq!(whoami(&socket).await.transport, "websocket");
    within("close", client.close()).await;
    assert!(client.is_closed());
    assert!(!socket.connected());
}

#[wasm_bindgen_test]
async fn polling_only_with_binary() {
    let (client, socket) = acks_and_binary(Transports::PollingOnly).await;
    let me = whoami(&socket).await;
    assert_eq!(me.transport, "polling");
    assert_eq!(Some(me.id), socket.id());
    within("close", client.close()).await;
}

#[wasm_bindgen_test]
async fn cross_origin_polling_with_credentials() {
    // the page and the server are on different ports: fetch with `credentials: "include"`
    // works only because the server allows credentials for the page's origin
    let client = builder("")
        .transports(Transports::PollingOnly)
        .with_credentials(true)
        .build()
        .unwrap();
    let socket = client.socket("/");
    within("connect", socket.connect()).await.unwrap();
    assert_eq!(whoami(&socket).await.transport, "polling");
    within("close", client.close()).await;
}

#[wasm_bindgen_test]
async fn polling_upgrades_to_websocket() {
    let client = builder("").build().unwrap();
    let mut events = client.events();
    let socket = client.socket("/");
    within("connect", socket.connect()).await.unwrap();
    next_matching("upgrade", &mut events, |e| {
        matches!(e, ClientEvent::Upgrade).then_some(())
    })
    .await;
    assert_eq!(whoami(&socket).await.transport, "websocket");
    let echoed: String = within("echo", socket.emit_with_ack("echo", "after the upgrade"))
        .await
        .unwrap();
    assert_eq!(echoed, "after the upgrade");
    within("close", client.close()).await;
}

#[wasm_bindgen_test]
async fn namespaces_share_one_connection() {
    let client = builder("")
        .transports(Transports::WebSocketOnly)
        .build()
        .unwrap();
    let opens = Rc::new(Cell::new(0));
    let counter = opens.clone();
    client.on_event(move |e| {
        if matches!(e, ClientEvent::Open) {
            counter.set(counter.get() + 1);
        }
    });
    let main = client.socket("/");
    let admin = client.socket("/admin");
    let a = within("connect /", main.connect()).await.unwrap();
    let b = within("connect /admin", admin.connect()).await.unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(opens.get(), 1, "one Engine.IO connection");
    assert_eq!(whoami(&admin).await.nsp, "/admin");
    let mut admin_events = admin.events();
    admin.disconnect().unwrap();
    let reason = next_matching("disconnect /admin", &mut admin_events, |e| match e {
        SocketEvent::Disconnect(reason) => Some(*reason),
        _ => None,
    })
    .await;
    assert_eq!(reason, DisconnectReason::IoClientDisconnect);
    assert!(main.connected(), "/ stays connected");
    assert_eq!(whoami(&main).await.nsp, "/");
    within("close", client.close()).await;
}

#[wasm_bindgen_test]
async fn a_restart_reconnects_and_rejoins_rooms() {
    let client = builder("").build().unwrap();
    let mut client_events = client.events();
    let socket = client.socket("/");
    let mut events = socket.events();
    let news = Rc::new(RefCell::new(Vec::<String>::new()));
    let got = news.clone();
    socket.on("news", move |text: String, _| got.borrow_mut().push(text));
    within("connect", socket.connect()).await.unwrap();
    socket.join("room-a").unwrap();
    next_matching("joined", &mut events, |e| match e {
        SocketEvent::Joined(room) => Some(room.clone()),
        _ => None,
    })
    .await;
    assert_eq!(socket.rooms(), ["room-a"]);
    socket
        .emit("restart", json!({ "downMs": 300, "forgetSessions": true }))
        .unwrap();
    let reason = next_matching("disconnect", &mut events, |e| match e {
        SocketEvent::Disconnect(reason) => Some(*reason),
        _ => None,
    })
    .await;
    assert!(reason.reconnects(), "{reason:?}");
    assert!(socket.active(), "still wants to be connected");
    let again = next_matching("reconnect", &mut events, |e| match e {
        SocketEvent::Connect(c) => Some(c.clone()),
        _ => None,
    })
    .await;
    assert!(!again.recovered, "the server forgot the sessions");
    next_matching("reconnect event", &mut client_events, |e| {
        matches!(e, ClientEvent::Reconnect(_)).then_some(())
    })
    .await;
    // re-joined by itself, before `connect` was reported; the server's ack follows
    let room = next_matching("joined again", &mut events, |e| match e {
        SocketEvent::Joined(room) => Some(room.clone()),
        _ => None,
    })
    .await;
    assert_eq!(room, "room-a");
    let ok: bool = within(
        "broadcast",
        socket.emit_with_ack(
            "broadcast",
            json!({ "room": "room-a", "event": "news", "args": ["hello room"] }),
        ),
    )
    .await
    .unwrap();
    assert!(ok);
    within("news", async {
        while news.borrow().is_empty() {
            gloo_timers::future::TimeoutFuture::new(5).await;
        }
    })
    .await;
    assert_eq!(news.borrow()[0], "hello room");
    within("close", client.close()).await;
}

#[wasm_bindgen_test]
async fn connection_state_recovery_keeps_the_session() {
    let client = builder("")
        .transports(Transports::WebSocketOnly)
        .build()
        .unwrap();
    let socket = client.socket("/");
    let mut events = socket.events();
    let first = within("connect", socket.connect()).await.unwrap();
    // events without an ack carry the offset the client recovers from
    let count: u32 = within(
        "emit-n",
        socket.emit_with_ack("emit-n", json!({ "event": "tick", "count": 3 })),
    )
    .await
    .unwrap();
    assert_eq!(count, 3);
    for i in 0..3 {
        let n: u32 = next_matching("tick", &mut events, |e| match e {
            SocketEvent::Message(m) if m.event() == "tick" => m.args().ok(),
            _ => None,
        })
        .await;
        assert_eq!(n, i);
    }
    socket.emit("close-transport", ()).unwrap();
    let reason = next_matching("disconnect", &mut events, |e| match e {
        SocketEvent::Disconnect(reason) => Some(*reason),
        _ => None,
    })
    .await;
    assert_eq!(reason, DisconnectReason::TransportClose);
    let second = next_matching("reconnect", &mut events, |e| match e {
        SocketEvent::Connect(c) => Some(c.clone()),
        _ => None,
    })
    .await;
    assert!(second.recovered, "recovered");
    assert_eq!(second.id, first.id, "same id");
    assert!(socket.recovered());
    within("close", client.close()).await;
}

#[wasm_bindgen_test]
async fn the_auth_provider_is_asked_on_every_connect() {
    let calls = Rc::new(Cell::new(0u32));
    let counter = calls.clone();
    let client = builder("")
        .namespace_auth_provider(move |ns: &str| {
            counter.set(counter.get() + 1);
            let n = counter.get();
            let ns = ns.to_string();
            async move {
                // answered later, like a token refresh
                gloo_timers::future::TimeoutFuture::new(5).await;
                json!({ "token": "secret", "n": n, "ns": ns })
            }
        })
        .build()
        .unwrap();
    let socket = client.socket("/guarded");
    let mut events = socket.events();
    within("connect", socket.connect()).await.unwrap();
    assert_eq!(calls.get(), 1);
    assert_eq!(
        whoami(&socket).await.auth,
        json!({ "token": "secret", "n": 1, "ns": "/guarded" })
    );
    socket.emit("close-transport", ()).unwrap();
    next_matching("disconnect", &mut events, |e| match e {
        SocketEvent::Disconnect(_) => Some(()),
        _ => None,
    })
    .await;
    next_matching("reconnect", &mut events, |e| match e {
        SocketEvent::Connect(_) => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(calls.get(), 2);
    assert_eq!(whoami(&socket).await.auth["n"], 2);
    within("close", client.close()).await;
}

#[wasm_bindgen_test]
async fn a_rejected_connect_is_a_typed_error_with_data() {
    let client = builder("")
        .auth(json!({ "token": "wrong" }))
        .build()
        .unwrap();
    let socket = client.socket("/guarded");
    let error = within("connect_error", socket.connect())
        .await
        .expect_err("the middleware refuses");
    assert!(error.is_rejection());
    match error {
        Error::Connect(ConnectError::Rejected { message, data }) => {
            assert_eq!(message, "unauthorized");
            assert_eq!(data, Some(json!({ "reason": "bad token" })));
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(!socket.active(), "a rejection is not retried");
    within("close", client.close()).await;
}

#[wasm_bindgen_test]
async fn a_server_disconnect_does_not_reconnect() {
    let client = builder("").build().unwrap();
    let mut client_events = client.events();
    let socket = client.socket("/");
    let mut events = socket.events();
    within("connect", socket.connect()).await.unwrap();
    socket.emit("server-disconnect", ()).unwrap();
    let reason = next_matching("disconnect", &mut events, |e| match e {
        SocketEvent::Disconnect(reason) => Some(*reason),
        _ => None,
    })
    .await;
    assert_eq!(reason, DisconnectReason::IoServerDisconnect);
    assert!(!socket.active());
    // nothing tries to reconnect: an echo on a fresh namespace proves time went by
    let admin = client.socket("/admin");
    within("connect /admin", admin.connect()).await.unwrap();
    let _: String = within("echo", admin.emit_with_ack("echo", "x"))
        .await
        .unwrap();
    while let Some(event) = client_events.try_next() {
        assert!(
            !matches!(event, ClientEvent::ReconnectAttempt(_)),
            "no reconnection after a server disconnect"
        );
    }
    assert!(!socket.connected());
    // connect() brings it back
    within("connect again", socket.connect()).await.unwrap();
    within("close", client.close()).await;
}
