//! The native client against a production-shaped cluster: redis-server, Node socket.io 4.8
//! nodes sharing rooms through `@socket.io/redis-adapter` (or the streams adapter with
//! connection state recovery), and HAProxy in front with `cookie SERVERID insert indirect
//! nocache`, health checks and `option redispatch` (`sio_test_support::Cluster`, which runs
//! `tests/server/cluster.js`). Every wait has a generous deadline; nothing sleeps to "let
//! things settle".

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{builder, init_tracing, within};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sio_client::{Client, ClientEvent, ConnectError, OpenError, Socket, SocketEvent, Transports};
use sio_test_support::{Adapter, Cluster, LbState};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

/// Runs blocking fixture calls without stalling the runtime's other worker.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

fn cluster(nodes: usize, adapter: Adapter) -> Cluster {
    init_tracing();
    Cluster::builder()
        .nodes(nodes)
        .adapter(adapter)
        .spawn()
        .expect("start the cluster (make cluster-deps installs redis-server and haproxy)")
}

/// Every `event` the socket receives, decoded as `T` (the recovery offset the server
/// appends is ignored by the decoding).
fn collect<T: DeserializeOwned + Send + 'static>(
    socket: &Socket,
    event: &str,
) -> UnboundedReceiver<T> {
    let (tx, rx) = unbounded_channel();
    socket.on(event, move |value: T, _| {
        let _ = tx.send(value);
    });
    rx
}

async fn next<T>(rx: &mut UnboundedReceiver<T>, what: &str) -> T {
    within(30, what, rx.recv())
        .await
        .unwrap_or_else(|| panic!("{what}: channel closed"))
}

/// `whoami` on `socket`: the node it is on and the transport the node sees.
async fn whoami(socket: &Socket) -> (String, String) {
    let me: Value = within(20, "whoami", socket.emit_with_ack("whoami", ()))
        .await
        .expect("whoami");
    (
        me["node"].as_str().unwrap_or_default().to_owned(),
        me["transport"].as_str().unwrap_or_default().to_owned(),
    )
}

/// A connected client through the load balancer, with fast reconnection.
async fn connect(cluster: &Cluster, mode: Transports) -> (Client, Socket) {
    let client = builder(&cluster.url(), mode).build().unwrap();
    let socket = client.socket("/");
    within(20, "connect through the load balancer", socket.connect())
        .await
        .expect("connect");
    (client, socket)
}

/// Connects clients until one lands on a node not in `avoid` (round robin: a few tries).
async fn connect_elsewhere(cluster: &Cluster, avoid: &[&str]) -> (Client, Socket, String) {
    for _ in 0..12 {
        let (client, socket) = connect(cluster, Transports::PollingThenWebSocket).await;
        let (node, _) = whoami(&socket).await;
        if !avoid.contains(&node.as_str()) {
            return (client, socket, node);
        }
        client.close().await;
    }
    panic!("no client landed outside {avoid:?} in 12 tries");
}

async fn join(socket: &Socket, room: &str) {
    common::join(socket, room).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_transport_mode_works_through_the_sticky_load_balancer() {
    let cluster = cluster(2, Adapter::Redis);
    for mode in [
        Transports::PollingOnly,
        Transports::WebSocketOnly,
        Transports::PollingThenWebSocket,
    ] {
        let client = builder(&cluster.url(), mode).build().unwrap();
        let socket = client.socket("/");
        let mut client_events = client.events();
        let mut echoes = collect::<u64>(&socket, "echo");
        within(20, "connect", socket.connect())
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        let (node, transport) = whoami(&socket).await;
        if mode == Transports::PollingThenWebSocket {
            within(20, "upgrade", async {
                while let Some(event) = client_events.next().await {
                    if event == ClientEvent::Upgrade {
                        return;
                    }
                }
            })
            .await;
        } else {
            let expected = if mode == Transports::PollingOnly {
                "polling"
            } else {
                "websocket"
            };
            assert_eq!(transport, expected, "{mode:?}");
        }
        for i in 0..100u64 {
            socket.emit("echo", i).unwrap();
        }
        for i in 0..100u64 {
            assert_eq!(next(&mut echoes, "echo").await, i, "{mode:?}: in order");
        }
        // the whole session stayed on one node, upgrade included
        let (after, transport) = whoami(&socket).await;
        assert_eq!(after, node, "{mode:?}: sticky");
        if mode == Transports::PollingThenWebSocket {
            assert_eq!(transport, "websocket");
        }
        client.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_cookies_polling_fails_loudly_and_gives_up() {
    let cluster = cluster(2, Adapter::Redis);
    let client = builder(&cluster.url(), Transports::PollingOnly)
        .cookies(false)
        .reconnection_attempts(Some(2))
        .build()
        .unwrap();
    let socket = client.socket("/");
    let mut events = socket.events();
    let mut client_events = client.events();
    drop(socket.connect());
    // round robin sends a request after the handshake to the other node
    let error = within(30, "connect_error", async {
        loop {
            match events.next().await {
                Some(SocketEvent::ConnectError(error)) => return error,
                Some(SocketEvent::Connect(_)) => panic!("connected without stickiness"),
                Some(_) => {}
                None => panic!("event stream ended"),
            }
        }
    })
    .await;
    assert_eq!(
        error,
        ConnectError::Open(OpenError::HttpStatus {
            status: 400,
            message: Some("Session ID unknown".into())
        })
    );
    within(60, "reconnect_failed", async {
        while let Some(event) = client_events.next().await {
            if event == ClientEvent::ReconnectFailed {
                return;
            }
        }
    })
    .await;
    assert!(!socket.connected());
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_broadcast_from_one_node_reaches_members_on_another() {
    let cluster = cluster(2, Adapter::Redis);
    let (sender_client, sender, sender_node) = connect_elsewhere(&cluster, &[]).await;
    let (member_client, member, member_node) = connect_elsewhere(&cluster, &[&sender_node]).await;
    join(&member, "lobby").await;
    let mut news = collect::<String>(&member, "news");

    // from the server side of node A (io.to(room).emit through the adapter)
    blocking(|| cluster.broadcast(&sender_node, "/", "lobby", "news", json!(["from-server"])))
        .unwrap();
    assert_eq!(next(&mut news, "server broadcast").await, "from-server");

    // from a client connected to node A
    let done: bool = sender
        .emit_with_ack(
            "broadcast",
            json!({"room": "lobby", "event": "news", "args": ["from-client"]}),
        )
        .await
        .unwrap();
    assert!(done);
    assert_eq!(next(&mut news, "client broadcast").await, "from-client");
    assert_ne!(sender_node, member_node);
    sender_client.close().await;
    member_client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_to_another_node_rejoins_rooms_and_delivers_buffered_acks_once() {
    let cluster = cluster(3, Adapter::Redis);
    let (client, socket, first_node) = connect_elsewhere(&cluster, &[]).await;
    join(&socket, "team").await;
    let (observer_client, observer, observer_node) =
        connect_elsewhere(&cluster, &[&first_node]).await;
    join(&observer, "audit").await;
    let mut audit = collect::<String>(&observer, "audit");
    let mut team = collect::<String>(&socket, "team-news");
    let mut events = socket.events();

    blocking(|| cluster.kill_node(&first_node)).unwrap();
    within(20, "disconnect after SIGKILL", async {
        while let Some(event) = events.next().await {
            if matches!(event, SocketEvent::Disconnect(_)) {
                return;
            }
        }
    })
    .await;
    // emits made during the outage wait in the send buffer
    let emits: Vec<_> = (0..5)
        .map(|i| {
            let socket = socket.clone();
            tokio::spawn(async move {
                socket
                    .emit_with_ack::<bool>(
                        "broadcast",
                        &json!({"room": "audit", "event": "audit", "args": [format!("e{i}")]}),
                    )
                    .await
            })
        })
        .collect();
    for emit in emits {
        let acked = within(40, "buffered ack", emit).await.unwrap();
        assert!(acked.unwrap(), "acked");
    }
    let (new_node, _) = whoami(&socket).await;
    assert_ne!(
        new_node, first_node,
        "reconnected through the balancer elsewhere"
    );

    // re-joined by itself: a broadcast from the third node reaches it
    let third = cluster
        .nodes()
        .iter()
        .map(|n| n.name.clone())
        .find(|n| *n != first_node && *n != new_node)
        .expect("a third node");
    blocking(|| cluster.broadcast(&third, "/", "team", "team-news", json!(["hello"]))).unwrap();
    assert_eq!(
        next(&mut team, "broadcast from the third node").await,
        "hello"
    );

    // exactly once: every buffered emit was broadcast once, then the marker
    let _: bool = socket
        .emit_with_ack(
            "broadcast",
            json!({"room": "audit", "event": "audit", "args": ["end"]}),
        )
        .await
        .unwrap();
    let mut seen = Vec::new();
    loop {
        let item = next(&mut audit, "audit").await;
        if item == "end" {
            break;
        }
        seen.push(item);
    }
    seen.sort();
    assert_eq!(
        seen,
        ["e0", "e1", "e2", "e3", "e4"],
        "observer on {observer_node}"
    );
    client.close().await;
    observer_client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_state_is_recovered_on_another_node_with_the_streams_adapter() {
    let cluster = cluster(2, Adapter::RedisStreams);
    let client = builder(&cluster.url(), Transports::WebSocketOnly)
        .build()
        .unwrap();
    let socket = client.socket("/");
    let first = within(20, "connect", socket.connect()).await.unwrap();
    let (first_node, _) = whoami(&socket).await;
    let other = cluster
        .nodes()
        .iter()
        .map(|n| n.name.clone())
        .find(|n| *n != first_node)
        .unwrap();
    join(&socket, "r").await;
    let mut news = collect::<String>(&socket, "news");
    // an event gives the client a recovery offset
    blocking(|| cluster.broadcast(&first_node, "/", "r", "news", json!(["before"]))).unwrap();
    assert_eq!(next(&mut news, "first event").await, "before");

    // nobody may connect while the client is away: every node out of the balancer
    for node in cluster.nodes() {
        blocking(|| cluster.set_lb_state(&node.name, LbState::Maint)).unwrap();
    }
    let mut events = socket.events();
    blocking(|| cluster.kill_transports(&first_node)).unwrap();
    // reconnecting fails visibly (HAProxy: 503) while the event is missed
    let error = within(20, "connect_error while no node takes traffic", async {
        loop {
            match events.next().await {
                Some(SocketEvent::ConnectError(error)) => return error,
                Some(_) => {}
                None => panic!("stream ended"),
            }
        }
    })
    .await;
    assert!(error.to_string().contains("503"), "{error}");
    blocking(|| cluster.broadcast(&other, "/", "r", "news", json!(["missed"]))).unwrap();
    blocking(|| cluster.set_lb_state(&other, LbState::Ready)).unwrap();

    let recovered = within(30, "recovered connect", async {
        loop {
            match events.next().await {
                Some(SocketEvent::Connect(connected)) => return connected,
                Some(_) => {}
                None => panic!("stream ended"),
            }
        }
    })
    .await;
    assert!(recovered.recovered, "recovered on the other node");
    assert_eq!(recovered.id, first.id, "same id");
    assert_eq!(next(&mut news, "missed event").await, "missed");
    assert_eq!(whoami(&socket).await.0, other);
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_keeps_local_traffic_and_cross_node_broadcast_resumes() {
    let cluster = cluster(2, Adapter::Redis);
    let (a_client, a, a_node) = connect_elsewhere(&cluster, &[]).await;
    let (b_client, b, _b_node) = connect_elsewhere(&cluster, &[&a_node]).await;
    join(&a, "r").await;
    join(&b, "r").await;
    let mut on_a = collect::<String>(&a, "news");
    let mut on_b = collect::<String>(&b, "news");

    blocking(|| cluster.stop_redis()).unwrap();
    // local traffic carries on: acks, and a broadcast to the node's own members
    let echoed: String = within(10, "echo without redis", a.emit_with_ack("echo", "still"))
        .await
        .unwrap();
    assert_eq!(echoed, "still");
    blocking(|| cluster.broadcast(&a_node, "/", "r", "news", json!(["local"]))).unwrap();
    assert_eq!(next(&mut on_a, "local broadcast").await, "local");
    assert!(a.connected() && b.connected());

    blocking(|| cluster.start_redis()).unwrap();
    // the adapters reconnect by themselves: broadcast until one crosses again
    let crossed = within(30, "cross-node broadcast after the restart", async {
        let mut n = 0u32;
        loop {
            n += 1;
            let text = format!("cross-{n}");
            blocking(|| cluster.broadcast(&a_node, "/", "r", "news", json!([text]))).unwrap();
            let got = tokio::time::timeout(Duration::from_millis(500), async {
                loop {
                    match on_b.recv().await {
                        Some(item) if item.starts_with("cross-") => return item,
                        Some(_) => {}
                        None => panic!("closed"),
                    }
                }
            })
            .await;
            if let Ok(item) = got {
                return item;
            }
        }
    })
    .await;
    assert!(crossed.starts_with("cross-"));
    assert!(a.connected() && b.connected(), "clients stayed connected");
    a_client.close().await;
    b_client.close().await;
}
