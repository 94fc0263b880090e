//! The scenarios of the interop matrix. Each one runs against a real server of the column's
//! kind and parser and returns pass, a named skip (after checking what the client must do
//! instead), or the failure.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use sio_client::{
    Client, ClientBuilder, ClientEvent, ConnectError, DisconnectReason, Error, SocketEvent,
    Transports,
};
use sio_test_support::{Feature, TestServer, TestServerBuilder};

use super::matrix::{blocking, wait_event, within, Check, Column};
use crate::ensure;

/// A server of the column's kind and parser (recovery off unless asked: the Node server then
/// sends no offset argument, like the others).
pub fn server(
    col: Column,
    configure: impl FnOnce(TestServerBuilder) -> TestServerBuilder,
) -> Result<TestServer, String> {
    let mut b = TestServer::builder().kind(col.kind);
    if col.parser == sio_client::Parser::MessagePack {
        b = b.parser_msgpack();
    }
    configure(b)
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))
}

fn client(col: Column, srv: &TestServer, mode: Transports) -> ClientBuilder {
    Client::builder(srv.url())
        .transports(mode)
        .parser(col.parser)
        .reconnection_delay(Duration::from_millis(100))
        .reconnection_delay_max(Duration::from_millis(400))
        .seed(1)
}

fn build(b: ClientBuilder) -> Result<Client, String> {
    b.build().map_err(|e| e.to_string())
}

async fn whoami(socket: &sio_client::Socket) -> Result<Value, String> {
    within(10, "whoami", socket.emit_with_ack::<Value>("whoami", &()))
        .await?
        .map_err(|e| format!("whoami: {e}"))
}

async fn join(socket: &sio_client::Socket, room: &str) -> Result<(), String> {
    let mut events = socket.events();
    socket.join(room).map_err(|e| e.to_string())?;
    wait_event(&mut events, 10, "join ack", |e| match e {
        SocketEvent::Joined(r) if r == room => Some(()),
        _ => None,
    })
    .await
}

pub async fn connect_whoami(col: Column, srv: &TestServer) -> Check {
    let c = build(client(col, srv, Transports::WebSocketOnly))?;
    let socket = c.socket("/");
    let connected = within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    let me = whoami(&socket).await?;
    ensure!(
        me["id"] == json!(connected.id),
        "whoami id {} vs {}",
        me["id"],
        connected.id
    );
    ensure!(me["nsp"] == json!("/"), "nsp {}", me["nsp"]);
    c.close().await;
    Ok(None)
}

pub async fn auth_accepted(col: Column, srv: &TestServer) -> Check {
    let c = build(client(col, srv, Transports::WebSocketOnly).auth(json!({"token": "secret"})))?;
    let socket = c.socket("/guarded");
    within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    let me = whoami(&socket).await?;
    ensure!(
        me["auth"] == json!({"token": "secret"}),
        "auth {}",
        me["auth"]
    );
    c.close().await;
    Ok(None)
}

/// The rejection's message, and its data where the server sends any.
async fn rejection(col: Column, srv: &TestServer) -> Result<(String, Option<Value>), String> {
    let c = build(client(col, srv, Transports::WebSocketOnly).auth(json!({"token": "nope"})))?;
    let socket = c.socket("/guarded");
    let err = within(10, "rejection", socket.connect()).await?;
    let out = match err {
        Err(Error::Connect(ConnectError::Rejected { message, data })) => Ok((message, data)),
        other => Err(format!("expected a rejection, got {other:?}")),
    };
    c.close().await;
    out
}

pub async fn auth_rejected(col: Column, srv: &TestServer) -> Check {
    let (message, _) = rejection(col, srv).await?;
    ensure!(message == "unauthorized", "message {message:?}");
    Ok(None)
}

pub async fn connect_error_data(col: Column, srv: &TestServer) -> Check {
    let (message, data) = rejection(col, srv).await?;
    ensure!(message == "unauthorized", "message {message:?}");
    match srv.supports(Feature::ConnectErrorData) {
        Ok(()) => {
            let data = data.unwrap_or(Value::Null);
            ensure!(data == json!({"reason": "bad token"}), "data {data}");
            Ok(None)
        }
        // Only `message`: the client reports the rejection without data, and does not crash.
        Err(skip) => {
            ensure!(
                data.is_none(),
                "data {data:?} from a server that sends none"
            );
            Ok(Some(skip))
        }
    }
}

pub async fn echo_ack(col: Column, srv: &TestServer) -> Check {
    let c = build(client(col, srv, Transports::WebSocketOnly))?;
    let socket = c.socket("/");
    within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    let sent = (1, "two", json!({"three": [3.5, null, true], "é": "😀"}));
    let back: (i64, String, Value) = within(10, "echo", socket.emit_with_ack("echo", &sent))
        .await?
        .map_err(|e| e.to_string())?;
    ensure!(back == (1, "two".into(), sent.2.clone()), "echoed {back:?}");
    c.close().await;
    Ok(None)
}

pub async fn server_asks(col: Column, srv: &TestServer) -> Check {
    let c = build(client(col, srv, Transports::WebSocketOnly))?;
    let socket = c.socket("/");
    socket.on("question", |(a, b): (i64, i64), ack| {
        if let Some(ack) = ack {
            let _ = ack.send((a + b, "sum"));
        }
    });
    within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    let req = json!({"event": "question", "args": [2, 3], "timeoutMs": 5000});
    let answer: Value = within(15, "ask", socket.emit_with_ack("ask", &req))
        .await?
        .map_err(|e| e.to_string())?;
    ensure!(
        answer == json!({"ok": true, "args": [5, "sum"]}),
        "answer {answer}"
    );
    c.close().await;
    Ok(None)
}

pub async fn event_without_ack(col: Column, srv: &TestServer) -> Check {
    let c = build(client(col, srv, Transports::WebSocketOnly))?;
    let socket = c.socket("/");
    let got = Arc::new(Mutex::new(Vec::<(String, i64)>::new()));
    let g = got.clone();
    socket.on("echo", move |(s, n): (String, i64), _| {
        if let Ok(mut v) = g.lock() {
            v.push((s, n));
        }
    });
    let mut events = socket.events();
    within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    socket
        .emit("echo", ("back", 7))
        .map_err(|e| e.to_string())?;
    wait_event(&mut events, 10, "echo event", |e| match e {
        SocketEvent::Message(m) if m.event() == "echo" => Some(()),
        _ => None,
    })
    .await?;
    let v = got.lock().map(|v| v.clone()).unwrap_or_default();
    ensure!(v == [("back".to_string(), 7)], "got {v:?}");
    c.close().await;
    Ok(None)
}

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Clone)]
struct Files {
    name: String,
    blob: serde_bytes::ByteBuf,
    parts: Vec<serde_bytes::ByteBuf>,
}

fn files(size: usize) -> Files {
    Files {
        name: "upload".into(),
        blob: serde_bytes::ByteBuf::from((0..size).map(|i| i as u8).collect::<Vec<_>>()),
        parts: vec![
            serde_bytes::ByteBuf::from(vec![]),
            serde_bytes::ByteBuf::from(vec![0xff, 0, 0x7f]),
        ],
    }
}

async fn binary_echo(socket: &sio_client::Socket, size: usize) -> Result<(), String> {
    let top = serde_bytes::ByteBuf::from(vec![1u8, 2, 3]);
    let sent = files(size);
    let (b, f): (serde_bytes::ByteBuf, Files) = within(
        20,
        "binary echo",
        socket.emit_with_ack("echo", (&top, &sent)),
    )
    .await?
    .map_err(|e| e.to_string())?;
    ensure!(b == top, "top-level binary {:?}", b);
    ensure!(f == sent, "nested binaries differ");
    Ok(())
}

pub async fn binary_both_ways(col: Column, srv: &TestServer) -> Check {
    let c = build(client(col, srv, Transports::WebSocketOnly))?;
    let socket = c.socket("/");
    let mut events = socket.events();
    within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    binary_echo(&socket, 1000).await?;
    // Server → client binary, from the control channel.
    join(&socket, "bin").await?;
    let args = json!([{"$binary": "AAEC/w=="}, {"nested": {"$binary": "aGk="}}]);
    blocking(|| srv.broadcast("/", "bin", "blob", args.clone()))?;
    let got = wait_event(&mut events, 10, "blob event", |e| match e {
        SocketEvent::Message(m) if m.event() == "blob" => Some(m.clone()),
        _ => None,
    })
    .await?;
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Nested {
        nested: serde_bytes::ByteBuf,
    }
    let (a, n): (serde_bytes::ByteBuf, Nested) = got.args().map_err(|e| e.to_string())?;
    ensure!(a.as_slice() == [0, 1, 2, 255], "blob {a:?}");
    ensure!(n.nested.as_slice() == b"hi", "nested {n:?}");
    c.close().await;
    Ok(None)
}

pub async fn polling_only(col: Column, srv: &TestServer) -> Check {
    // 200 KB with attachments: header and attachments in one POST payload.
    one_transport(col, srv, Transports::PollingOnly, "polling").await
}

pub async fn websocket_only(col: Column, srv: &TestServer) -> Check {
    one_transport(col, srv, Transports::WebSocketOnly, "websocket").await
}

/// Connects over `mode` only, checks the server sees `transport`, and echoes 200 KB with
/// attachments.
async fn one_transport(col: Column, srv: &TestServer, mode: Transports, transport: &str) -> Check {
    let c = build(client(col, srv, mode))?;
    let socket = c.socket("/");
    within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    let me = whoami(&socket).await?;
    ensure!(
        me["transport"] == json!(transport),
        "transport {}",
        me["transport"]
    );
    binary_echo(&socket, 200_000).await?;
    c.close().await;
    Ok(None)
}

pub async fn upgrade(col: Column, srv: &TestServer) -> Check {
    let c = build(client(col, srv, Transports::PollingThenWebSocket))?;
    let mut client_events = c.events();
    let socket = c.socket("/");
    within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    within(15, "upgrade", async {
        while let Some(e) = client_events.next().await {
            if e == ClientEvent::Upgrade {
                return;
            }
        }
    })
    .await?;
    let me = whoami(&socket).await?;
    ensure!(
        me["transport"] == json!("websocket"),
        "transport after upgrade {}",
        me["transport"]
    );
    c.close().await;
    Ok(None)
}

pub async fn two_namespaces(col: Column) -> Check {
    let srv = server(col, |b| b.no_recovery())?;
    let c = build(client(col, &srv, Transports::WebSocketOnly))?;
    let root = c.socket("/");
    let admin = c.socket("/admin");
    within(10, "root", root.connect())
        .await?
        .map_err(|e| e.to_string())?;
    within(10, "admin", admin.connect())
        .await?
        .map_err(|e| e.to_string())?;
    let a = whoami(&admin).await?;
    let r = whoami(&root).await?;
    ensure!(
        a["nsp"] == json!("/admin") && r["nsp"] == json!("/"),
        "{a} {r}"
    );
    let count = blocking(|| srv.client_count())?;
    ensure!(
        count == 1,
        "{count} engine.io connections for two namespaces"
    );
    c.close().await;
    Ok(None)
}

pub async fn rooms_broadcast(col: Column, srv: &TestServer) -> Check {
    let c = build(client(col, srv, Transports::WebSocketOnly))?;
    let socket = c.socket("/");
    let mut events = socket.events();
    within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    join(&socket, "lobby").await?;
    let rooms: Vec<String> = within(10, "rooms", socket.emit_with_ack("rooms", ()))
        .await?
        .map_err(|e| e.to_string())?;
    ensure!(rooms.contains(&"lobby".to_string()), "rooms {rooms:?}");
    // From the server's control channel, and through the broadcast fixture event.
    blocking(|| srv.broadcast("/", "lobby", "news", json!(["control"])))?;
    let req = json!({"room": "lobby", "event": "news", "args": ["fixture"]});
    let done: bool = within(10, "broadcast", socket.emit_with_ack("broadcast", &req))
        .await?
        .map_err(|e| e.to_string())?;
    ensure!(done, "broadcast ack");
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let text = wait_event(&mut events, 10, "news", |e| match e {
            SocketEvent::Message(m) if m.event() == "news" => m.args::<String>().ok(),
            _ => None,
        })
        .await?;
        seen.push(text);
    }
    seen.sort();
    ensure!(seen == ["control", "fixture"], "news {seen:?}");
    c.close().await;
    Ok(None)
}

/// Restarts the server while the client is in a room; returns the first id, the reconnect's
/// Connect event, whoami after it, and the rooms the server reports then.
async fn restart_cycle(
    col: Column,
    srv: &TestServer,
) -> Result<(String, sio_client::Connected, Value, Vec<String>), String> {
    let c = build(client(col, srv, Transports::WebSocketOnly))?;
    let socket = c.socket("/");
    let mut events = socket.events();
    let first = within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    join(&socket, "lobby").await?;
    // One event first, so that a recovering server has an offset to resume from.
    blocking(|| srv.broadcast("/", "lobby", "news", json!(["first"])))?;
    wait_event(&mut events, 10, "first news", |e| match e {
        SocketEvent::Message(m) if m.event() == "news" => Some(()),
        _ => None,
    })
    .await?;
    blocking(|| srv.restart_begin(Duration::from_millis(300), false))?;
    wait_event(&mut events, 10, "disconnect", |e| match e {
        SocketEvent::Disconnect(r) if r.reconnects() => Some(()),
        _ => None,
    })
    .await?;
    blocking(|| srv.wait_up())?;
    let again = wait_event(&mut events, 20, "reconnect", |e| match e {
        SocketEvent::Connect(c) => Some(c.clone()),
        _ => None,
    })
    .await?;
    let me = whoami(&socket).await?;
    if !again.recovered {
        // A new session: the client joins its rooms again; wait for the server's ack.
        wait_event(&mut events, 10, "re-join", |e| match e {
            SocketEvent::Joined(r) if r == "lobby" => Some(()),
            _ => None,
        })
        .await?;
    }
    let rooms: Vec<String> = within(10, "rooms", socket.emit_with_ack("rooms", ()))
        .await?
        .map_err(|e| e.to_string())?;
    c.close().await;
    Ok((first.id, again, me, rooms))
}

pub async fn restart_rejoin(col: Column) -> Check {
    let srv = server(col, |b| b.no_recovery())?;
    let (first, again, me, rooms) = restart_cycle(col, &srv).await?;
    ensure!(
        again.id != first,
        "a new session after a restart without recovery"
    );
    ensure!(
        !again.recovered && me["recovered"] == json!(false),
        "recovered {me}"
    );
    ensure!(rooms.contains(&"lobby".to_string()), "rooms {rooms:?}");
    Ok(None)
}

pub async fn recovery(col: Column) -> Check {
    match col.kind.supports(Feature::Recovery) {
        Ok(()) => {
            let srv = server(col, |b| b)?;
            let (first, again, me, _) = restart_cycle(col, &srv).await?;
            ensure!(
                again.recovered && me["recovered"] == json!(true),
                "not recovered: {me}"
            );
            ensure!(again.id == first, "id changed: {} -> {}", first, again.id);
            Ok(None)
        }
        // No recovery: recovered == false, a new id, and a normal re-join of the rooms.
        Err(skip) => {
            let srv = server(col, |b| b)?;
            let (first, again, me, rooms) = restart_cycle(col, &srv).await?;
            ensure!(
                !again.recovered && me["recovered"] == json!(false),
                "recovered {me}"
            );
            ensure!(again.id != first, "same id without recovery");
            ensure!(rooms.contains(&"lobby".to_string()), "rooms {rooms:?}");
            Ok(Some(skip))
        }
    }
}

pub async fn server_disconnect(col: Column, srv: &TestServer) -> Check {
    let c = build(client(col, srv, Transports::WebSocketOnly))?;
    let socket = c.socket("/");
    let mut events = socket.events();
    within(10, "connect", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    socket
        .emit("server-disconnect", ())
        .map_err(|e| e.to_string())?;
    let reason = wait_event(&mut events, 10, "disconnect", |e| match e {
        SocketEvent::Disconnect(r) => Some(*r),
        _ => None,
    })
    .await?;
    ensure!(
        reason == DisconnectReason::IoServerDisconnect,
        "reason {reason:?}"
    );
    // Final: no reconnect by itself; an explicit connect works.
    let again = tokio::time::timeout(Duration::from_millis(600), async {
        loop {
            match events.next().await {
                Some(SocketEvent::Connect(_)) => return true,
                Some(_) => {}
                None => return false,
            }
        }
    })
    .await;
    ensure!(!matches!(again, Ok(true)), "reconnected by itself");
    within(10, "connect again", socket.connect())
        .await?
        .map_err(|e| e.to_string())?;
    c.close().await;
    Ok(None)
}
