//! The namespaces and fixture events of tests/server/server.js, on socketioxide.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rmpv::Value;
use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::handler::ConnectHandler;
use socketioxide::{SocketIo, TransportType};
use tokio::sync::mpsc;

use crate::args::{from_json, get, get_str, map, Args, WantsAck};
use crate::log;

/// The fixture namespaces.
pub const NAMESPACES: [&str; 3] = ["/", "/admin", "/guarded"];

/// A restart asked for by the `restart` fixture event (handled by the control loop).
#[derive(Debug)]
pub struct RestartRequest {
    pub down: Duration,
}

struct Fixture {
    /// `ns sid` → the CONNECT auth object, for `whoami`.
    auth: Mutex<HashMap<String, Value>>,
    restarts: mpsc::UnboundedSender<RestartRequest>,
}

static FIXTURE: OnceLock<Arc<Fixture>> = OnceLock::new();

fn fixture() -> &'static Fixture {
    FIXTURE.get().expect("fixtures registered")
}

fn key(socket: &SocketRef) -> String {
    format!("{} {}", socket.ns(), socket.id)
}

/// Registers the three namespaces (again, after `io.close()` dropped them).
pub fn register(io: &SocketIo, restarts: &mpsc::UnboundedSender<RestartRequest>) {
    let _ = FIXTURE.set(Arc::new(Fixture {
        auth: Mutex::new(HashMap::new()),
        restarts: restarts.clone(),
    }));
    io.ns("/", on_connect);
    io.ns("/admin", on_connect);
    io.ns("/guarded", on_connect.with(guard));
}

/// socketioxide's middleware errors carry only a message: the client gets
/// `{"message":"unauthorized"}` without the `data` the Node fixture adds.
#[derive(Debug)]
struct Unauthorized;

impl std::fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unauthorized")
    }
}

async fn guard(Data(auth): Data<serde_json::Value>) -> Result<(), Unauthorized> {
    match auth.get("token").and_then(serde_json::Value::as_str) {
        Some("secret") => Ok(()),
        _ => Err(Unauthorized),
    }
}

async fn on_connect(socket: SocketRef, Data(auth): Data<serde_json::Value>) {
    log(&format!(
        "connect nsp={} id={} transport={}",
        socket.ns(),
        socket.id,
        transport(&socket)
    ));
    if let Ok(mut all) = fixture().auth.lock() {
        all.insert(key(&socket), from_json(&auth));
    }
    socket.on_disconnect(|socket: SocketRef| async move {
        log(&format!("disconnect nsp={} id={}", socket.ns(), socket.id));
        if let Ok(mut all) = fixture().auth.lock() {
            all.remove(&key(&socket));
        }
    });
    socket.on("echo", echo);
    socket.on("ask", ask);
    socket.on("join", join);
    socket.on("leave", leave);
    socket.on("broadcast", broadcast);
    socket.on("rooms", rooms);
    socket.on("whoami", whoami);
    socket.on("server-disconnect", |socket: SocketRef| async move {
        let _ = socket.disconnect();
    });
    socket.on("close-transport", |socket: SocketRef| async move {
        log(&format!(
            "close-transport from {}: socketioxide 0.18 cannot close one engine.io connection",
            socket.id
        ));
    });
    socket.on("emit-n", emit_n);
    socket.on("restart", restart);
}

fn transport(socket: &SocketRef) -> &'static str {
    match socket.transport_type() {
        TransportType::Polling => "polling",
        TransportType::Websocket => "websocket",
    }
}

async fn echo(
    socket: SocketRef,
    WantsAck(wants): WantsAck,
    ack: AckSender,
    Data(args): Data<Args>,
) {
    if wants {
        let _ = ack.send(&args);
    } else {
        let _ = socket.emit("echo", &args);
    }
}

async fn ask(socket: SocketRef, ack: AckSender, Data(req): Data<Value>) {
    let event = get_str(&req, "event").unwrap_or_default();
    let args = get(&req, "args")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let timeout = get(&req, "timeoutMs")
        .and_then(Value::as_u64)
        .unwrap_or(5000);
    let sent = socket
        .timeout(Duration::from_millis(timeout))
        .emit_with_ack::<_, Args>(event, &Args(args));
    let result = match sent {
        Ok(stream) => match stream.await {
            Ok(Args(answer)) => map(vec![("ok", true.into()), ("args", Value::Array(answer))]),
            Err(e) => map(vec![("ok", false.into()), ("error", e.to_string().into())]),
        },
        Err(e) => map(vec![("ok", false.into()), ("error", e.to_string().into())]),
    };
    let _ = ack.send(&result);
    let _ = socket.emit("answer", &result);
}

fn rooms_of(socket: &SocketRef) -> Value {
    Value::Array(
        socket
            .rooms()
            .iter()
            .map(|r| Value::from(r.as_ref()))
            .collect(),
    )
}

async fn join(socket: SocketRef, ack: AckSender, Data(room): Data<String>) {
    socket.join(room.clone());
    let _ = ack.send(&map(vec![
        ("room", room.into()),
        ("rooms", rooms_of(&socket)),
    ]));
}

async fn leave(socket: SocketRef, ack: AckSender, Data(room): Data<String>) {
    socket.leave(room.clone());
    let _ = ack.send(&map(vec![
        ("room", room.into()),
        ("rooms", rooms_of(&socket)),
    ]));
}

async fn broadcast(socket: SocketRef, io: SocketIo, ack: AckSender, Data(req): Data<Value>) {
    let event = get_str(&req, "event").unwrap_or_default();
    let args = Args(
        get(&req, "args")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    );
    if let Some(nsp) = io.of(socket.ns()) {
        let _ = match get_str(&req, "room") {
            Some(room) => nsp.to(room).emit(event, &args).await,
            None => nsp.emit(event, &args).await,
        };
    }
    let _ = ack.send(&true);
}

async fn rooms(socket: SocketRef, ack: AckSender) {
    let _ = ack.send(&rooms_of(&socket));
}

async fn whoami(socket: SocketRef, ack: AckSender) {
    let auth = fixture()
        .auth
        .lock()
        .ok()
        .and_then(|all| all.get(&key(&socket)).cloned())
        .unwrap_or(Value::Map(Vec::new()));
    let query = socket
        .req_parts()
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (Value::from(k), Value::from(v)))
        .collect();
    let me = map(vec![
        ("nsp", socket.ns().into()),
        ("id", socket.id.to_string().into()),
        ("recovered", false.into()),
        ("auth", auth),
        ("query", Value::Map(query)),
        ("transport", transport(&socket).into()),
    ]);
    let _ = ack.send(&me);
}

async fn emit_n(socket: SocketRef, ack: AckSender, Data(req): Data<Value>) {
    let event = get_str(&req, "event").unwrap_or_default();
    let count = get(&req, "count").and_then(Value::as_u64).unwrap_or(0);
    for i in 0..count {
        let _ = socket.emit(event.as_str(), &i);
    }
    let _ = ack.send(&count);
}

async fn restart(Data(req): Data<Value>) {
    let down = get(&req, "downMs").and_then(Value::as_u64).unwrap_or(500);
    let _ = fixture().restarts.send(RestartRequest {
        down: Duration::from_millis(down),
    });
}

/// The number of engine.io connections that have at least one namespace socket (socketioxide
/// does not expose its engine.io sessions; sockets of one connection share its request parts).
pub fn client_count(io: &SocketIo) -> usize {
    let mut seen = std::collections::HashSet::new();
    for ns in NAMESPACES {
        if let Some(nsp) = io.of(ns) {
            for s in nsp.sockets() {
                seen.insert(s.req_parts() as *const _ as usize);
            }
        }
    }
    seen.len()
}
