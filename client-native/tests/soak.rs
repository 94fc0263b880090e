//! Delivery and reconnection under repeated faults, against the bundled server:
//!
//! - acked emits with `retries` + `ack_timeout` through a FaultProxy that resets every
//!   connection again and again: none lost, none hung (at-least-once: duplicates are counted
//!   by the server and reported, not failed);
//! - forced reconnects (the server kills every transport), cycle after cycle: resident
//!   memory stays flat.
//!
//! The short versions run in `make test`; `make soak` runs the long ones (`--ignored`).
//! Figures are printed (`--nocapture`).

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hostile_support;

use std::time::{Duration, Instant};

use hostile_support::{first, init_tracing, one_at_a_time, rss, within};
use serde_json::Value;
use sio_client::{Client, SocketEvent, Transports};
use sio_test_support::{FaultProxy, Mode, TestServer};

/// Blocking fixture calls, off the runtime's threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

/// What a delivery run counted.
#[derive(Debug)]
struct Delivery {
    emits: u64,
    resets: u64,
    acked: u64,
    failed: u64,
    received: u64,
    distinct: u64,
    /// TCP connections the proxy accepted (the first one and every reconnect).
    connections: u64,
    elapsed: Duration,
}

/// `emits` acked emits with retries, in `resets` batches; the proxy resets every connection
/// after each batch. Waits for every ack, then asks the server what arrived.
async fn deliver_through_resets(emits: u64, resets: u64) -> Delivery {
    init_tracing();
    let server = TestServer::spawn().unwrap();
    let proxy = FaultProxy::start(server.addr()).unwrap();
    let client = Client::builder(proxy.url())
        .transports(Transports::WebSocketOnly)
        .reconnection_delay(Duration::from_millis(20))
        .reconnection_delay_max(Duration::from_millis(100))
        .ack_timeout(Duration::from_millis(500))
        .retries(1000)
        .seed(7)
        .build()
        .unwrap();
    let socket = client.socket("/");
    within(10, "connect", socket.connect()).await.unwrap();
    let run = format!("delivery-{}", std::process::id());
    let start = Instant::now();
    let per_batch = emits / resets.max(1);
    let mut pending = Vec::new();
    let mut id = 0;
    for _ in 0..resets {
        for _ in 0..per_batch {
            pending.push(socket.emit_with_ack::<u64>("deliver", (&run, id)));
            id += 1;
        }
        // let part of the batch out, then cut the connection in the middle of the rest
        tokio::time::sleep(Duration::from_millis(2)).await;
        proxy.set_mode(Mode::Reset);
        proxy.set_mode(Mode::Pass);
        // the next batch goes out on the next connection
        within(20, "the reconnect", async {
            while !(socket.connected() && proxy.active_connections() > 0) {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
        .await;
    }
    while id < emits {
        pending.push(socket.emit_with_ack::<u64>("deliver", (&run, id)));
        id += 1;
    }
    let mut acked = 0;
    let mut failed = 0;
    within(300, "every ack", async {
        for (expected, ack) in pending.into_iter().enumerate() {
            match ack.await {
                Ok(got) => {
                    assert_eq!(got, expected as u64, "an ack for another emit");
                    acked += 1;
                }
                Err(_) => failed += 1,
            }
        }
    })
    .await;
    let elapsed = start.elapsed();
    let tally: Value = within(10, "tally", socket.emit_with_ack("tally", &run))
        .await
        .unwrap();
    within(10, "close", client.close()).await;
    Delivery {
        emits,
        resets,
        acked,
        failed,
        received: tally["received"].as_u64().unwrap(),
        distinct: tally["distinct"].as_u64().unwrap(),
        connections: proxy.accepted_connections(),
        elapsed,
    }
}

fn check_delivery(d: &Delivery) {
    let duplicates = d.received - d.distinct;
    println!(
        "{} acked emits through {} resets ({} connections) in {:?}: {} acked, {} failed; server \
         got {} distinct, {} duplicates ({:.2}%)",
        d.emits,
        d.resets,
        d.connections,
        d.elapsed,
        d.acked,
        d.failed,
        d.distinct,
        duplicates,
        100.0 * duplicates as f64 / d.emits as f64
    );
    assert!(
        d.connections > d.resets / 2,
        "the resets hit no connection: {d:?}"
    );
    assert_eq!(d.failed, 0, "{d:?}");
    assert_eq!(d.acked, d.emits, "{d:?}");
    assert_eq!(
        d.distinct, d.emits,
        "an acked emit never reached the server: {d:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acked_emits_with_retries_survive_repeated_connection_resets() {
    let _serial = one_at_a_time().await;
    check_delivery(&deliver_through_resets(1_000, 10).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: make soak"]
async fn soak_acked_emits_with_retries_survive_a_hundred_connection_resets() {
    let _serial = one_at_a_time().await;
    check_delivery(&deliver_through_resets(10_000, 100).await);
}

/// One forced reconnect: the server kills the transport, the client comes back and echoes.
async fn cycle(
    server: &std::sync::Arc<TestServer>,
    socket: &sio_client::Socket,
    events: &mut sio_client::EventStream<SocketEvent>,
) {
    let server = server.clone();
    blocking(move || server.kill_transports().unwrap()).await;
    first(events, 20, "the disconnect", |e| {
        matches!(e, SocketEvent::Disconnect(_)).then_some(())
    })
    .await;
    first(events, 20, "the reconnect", |e| {
        matches!(e, SocketEvent::Connect(_)).then_some(())
    })
    .await;
    let echoed: u32 = within(10, "echo", socket.emit_with_ack("echo", 1))
        .await
        .unwrap();
    assert_eq!(echoed, 1);
}

/// `cycles` forced reconnects (the server kills every transport; the client upgrades from
/// polling to WebSocket each time); returns the RSS before and after, in KiB.
async fn reconnect_cycles(cycles: u32) -> (u64, u64) {
    init_tracing();
    let server = std::sync::Arc::new(TestServer::spawn().unwrap());
    let client = Client::builder(server.url())
        .transports(Transports::PollingThenWebSocket)
        .reconnection_delay(Duration::from_millis(10))
        .reconnection_delay_max(Duration::from_millis(50))
        .seed(3)
        .build()
        .unwrap();
    let socket = client.socket("/");
    let mut events = socket.events();
    within(10, "connect", socket.connect()).await.unwrap();
    // warm-up: allocator arenas, the HTTP client, TLS-less pools reach their steady size
    for _ in 0..20 {
        cycle(&server, &socket, &mut events).await;
    }
    let before = rss();
    let start = Instant::now();
    for _ in 0..cycles {
        cycle(&server, &socket, &mut events).await;
    }
    let after = rss();
    println!(
        "{cycles} forced reconnects in {:?}: RSS {before} KiB -> {after} KiB ({:+} KiB)",
        start.elapsed(),
        after as i64 - before as i64
    );
    within(10, "close", client.close()).await;
    (before, after)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_flat_through_fifty_forced_reconnects() {
    let _serial = one_at_a_time().await;
    let (before, after) = reconnect_cycles(50).await;
    assert!(after < before + 4 * 1024, "RSS {before} -> {after} KiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: make soak"]
async fn soak_memory_stays_flat_through_a_thousand_forced_reconnects() {
    let _serial = one_at_a_time().await;
    let (before, after) = reconnect_cycles(1_000).await;
    assert!(after < before + 4 * 1024, "RSS {before} -> {after} KiB");
}
