//! `sio listen URL`: print every event as a JSON line, take commands as JSON lines on stdin.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{self, BoxStream, SelectAll, StreamExt};
use futures_util::FutureExt;
use serde_json::{json, Value};
use sio_client::payload::{
    from_json_with_binary as json_to_payload, to_json_with_binary as payload_to_json,
};
use sio_client::{AckResponder, Client, ClientEvent, Socket, SocketEvent};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::args::ListenArgs;
use crate::output::{self, line};
use crate::{explain, Failure};

/// What the merged event stream carries.
enum Item {
    Socket(String, SocketEvent),
    Client(ClientEvent),
}

type Responders = Arc<Mutex<HashMap<(String, u64), AckResponder>>>;

pub(crate) async fn run(args: ListenArgs) -> Result<(), Failure> {
    let mut namespaces = args.namespaces.clone();
    if namespaces.is_empty() {
        namespaces.push(args.common.url_namespace()?);
    }
    let mut builder = args
        .common
        .builder()?
        .reconnection(!args.no_reconnect)
        .reconnection_attempts(args.reconnection_attempts)
        .reconnection_delay(Duration::from_millis(args.reconnection_delay))
        .reconnection_delay_max(Duration::from_millis(
            args.reconnection_delay_max.max(args.reconnection_delay),
        ));
    builder = builder.ack_timeout(Duration::from_millis(args.ack_timeout));
    let client = builder.build().map_err(|e| explain(&e))?;

    let mut sockets: HashMap<String, Socket> = HashMap::new();
    let mut streams: Vec<BoxStream<'static, Item>> = Vec::new();
    streams.push(client.events().map(Item::Client).boxed());
    for ns in &namespaces {
        let socket = client.socket(ns);
        let name = socket.namespace().to_string();
        streams.push(
            socket
                .events()
                .map(move |e| Item::Socket(name.clone(), e))
                .boxed(),
        );
        sockets.insert(socket.namespace().to_string(), socket);
    }
    let mut events = stream::select_all(streams);

    // The first namespace must connect once; until then every failure is fatal.
    let first = client.socket(&namespaces[0]);
    let connected = tokio::select! {
        r = first.connect() => r,
        () = print_until_connected(&mut events) => unreachable_connected(),
    };
    if let Err(e) = connected {
        // The connect_error line was printed by the stream; make sure of it.
        drain_now(&mut events);
        client.close().await;
        return Err(explain(&e));
    }
    for socket in sockets.values() {
        if socket.namespace() != first.namespace() {
            drop(socket.connect());
        }
    }
    for room in &args.join {
        let _ = first.join(room);
    }

    let responders: Responders = Arc::default();
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let outcome = loop {
        tokio::select! {
            item = events.next() => match item {
                Some(item) => {
                    if let Some(stop) = handle_item(item, &responders, args.no_reconnect) {
                        break stop;
                    }
                }
                None => break Ok(()),
            },
            input = stdin.next_line(), if stdin_open => match input {
                Ok(Some(text)) => {
                    if text.trim().is_empty() {
                        continue;
                    }
                    match serde_json::from_str::<Value>(&text) {
                        Ok(cmd) => {
                            if command(&client, &mut sockets, &responders, cmd, &mut events) {
                                break Ok(());
                            }
                        }
                        Err(e) => line(&output::error(format!("stdin line is not JSON: {e}"))),
                    }
                }
                // End of input: keep listening (a listener fed from /dev/null is normal).
                Ok(None) | Err(_) => stdin_open = false,
            },
            _ = tokio::signal::ctrl_c() => break Ok(()),
        }
    };
    client.close().await;
    outcome
}

/// Prints events while the first connect is pending; never completes by itself.
async fn print_until_connected(events: &mut (impl StreamExt<Item = Item> + Unpin)) {
    while let Some(item) = events.next().await {
        print_item(&item);
    }
    std::future::pending::<()>().await;
}

fn unreachable_connected() -> Result<sio_client::Connected, sio_client::Error> {
    Err(sio_client::Error::Closed)
}

/// Prints whatever is already queued, without waiting.
fn drain_now(events: &mut (impl StreamExt<Item = Item> + Unpin)) {
    while let Some(Some(item)) = events.next().now_or_never() {
        print_item(&item);
    }
}

fn print_item(item: &Item) {
    match item {
        Item::Socket(ns, e) => line(&output::socket_event(ns, e)),
        Item::Client(e) => {
            if let Some(v) = output::client_event(e) {
                line(&v);
            }
        }
    }
}

/// Prints one event; returns `Some` when listening must stop.
fn handle_item(
    item: Item,
    responders: &Responders,
    no_reconnect: bool,
) -> Option<Result<(), Failure>> {
    print_item(&item);
    match item {
        Item::Socket(ns, SocketEvent::Message(m)) => {
            if let Some(ack) = m.ack_responder().cloned() {
                if let Ok(mut map) = responders.lock() {
                    map.insert((ns, ack.id()), ack);
                }
            }
            None
        }
        Item::Socket(_, SocketEvent::Disconnect(reason)) if no_reconnect && reason.reconnects() => {
            Some(Err(Failure::failed(format!("connection lost: {reason}"))))
        }
        Item::Client(ClientEvent::ReconnectFailed) => {
            Some(Err(Failure::failed("gave up reconnecting")))
        }
        _ => None,
    }
}

fn str_field<'a>(cmd: &'a Value, key: &str) -> Option<&'a str> {
    cmd.get(key).and_then(Value::as_str)
}

fn args_of(cmd: &Value) -> Vec<Value> {
    match cmd.get("args") {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other.clone()],
    }
}

/// The socket of `ns`, subscribing its events to the output the first time.
fn socket_for(
    client: &Client,
    sockets: &mut HashMap<String, Socket>,
    events: &mut SelectAll<BoxStream<'static, Item>>,
    ns: &str,
) -> Socket {
    if let Some(s) = sockets.get(ns) {
        return s.clone();
    }
    let socket = client.socket(ns);
    let name = socket.namespace().to_string();
    events.push(
        socket
            .events()
            .map(move |e| Item::Socket(name.clone(), e))
            .boxed(),
    );
    sockets.insert(ns.to_string(), socket.clone());
    socket
}

/// Runs one stdin command; returns true for `{"close":true}`.
fn command(
    client: &Client,
    sockets: &mut HashMap<String, Socket>,
    responders: &Responders,
    cmd: Value,
    events: &mut SelectAll<BoxStream<'static, Item>>,
) -> bool {
    let ns = str_field(&cmd, "ns").unwrap_or("/").to_string();
    let socket = socket_for(client, sockets, events, &ns);
    if cmd.get("close").and_then(Value::as_bool) == Some(true) {
        return true;
    }
    if let Some(event) = str_field(&cmd, "emit") {
        let payload = json_to_payload(&args_of(&cmd));
        let mut emitter = socket.emitter();
        if cmd.get("volatile").and_then(Value::as_bool) == Some(true) {
            emitter = emitter.volatile();
        }
        if let Some(ms) = cmd.get("timeout_ms").and_then(Value::as_u64) {
            emitter = emitter.timeout(Duration::from_millis(ms));
        }
        match cmd.get("ack").filter(|a| !a.is_null()).cloned() {
            Some(reference) => {
                let event = event.to_string();
                tokio::spawn(async move {
                    let out = match emitter.emit_payload_with_ack(&event, payload).await {
                        Ok(answer) => output::typed(
                            "ack",
                            json!({"ref": reference, "args": payload_to_json(&answer).unwrap_or(Value::Null)}),
                        ),
                        Err(sio_client::Error::Ack(e)) => output::typed(
                            "ack_error",
                            json!({"ref": reference, "message": e.to_string()}),
                        ),
                        Err(e) => output::typed(
                            "ack_error",
                            json!({"ref": reference, "message": e.to_string()}),
                        ),
                    };
                    line(&out);
                });
            }
            None => {
                if let Err(e) = emitter.emit_payload(event, payload) {
                    line(&output::error(e));
                }
            }
        }
    } else if let Some(id) = cmd.get("reply").and_then(Value::as_u64) {
        let responder = responders.lock().ok().and_then(|mut m| m.remove(&(ns, id)));
        match responder {
            Some(r) => {
                if let Err(e) = r.send_payload(json_to_payload(&args_of(&cmd))) {
                    line(&output::error(e));
                }
            }
            None => line(&output::error(format!("no pending ack request {id}"))),
        }
    } else if let Some(room) = str_field(&cmd, "join") {
        let _ = socket.join(room);
    } else if let Some(room) = str_field(&cmd, "leave") {
        let _ = socket.leave(room);
    } else if let Some(target) = str_field(&cmd, "connect") {
        let s = socket_for(client, sockets, events, target);
        drop(s.connect());
    } else if let Some(target) = str_field(&cmd, "disconnect") {
        if let Some(s) = sockets.get(target) {
            let _ = s.disconnect();
        }
    } else {
        line(&output::error(format!("unknown command {cmd}")));
    }
    false
}
