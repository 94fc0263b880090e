//! Helpers shared by the integration tests: start the bundled reference server, build
//! clients for each transport mode, wait for things with generous deadlines (never sleep a
//! fixed time to "let things settle").

// (native only: the browser build is tested in client-wasm/tests)
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::future::Future;

use std::time::Duration;

use sio_client::{Client, ClientBuilder, Transports};
use sio_test_support::TestServer;

/// Every transport mode a behaviour should hold in.
pub const MODES: [Transports; 3] = [
    Transports::WebSocketOnly,
    Transports::PollingOnly,
    Transports::PollingThenWebSocket,
];

/// Logs to the test output when `RUST_LOG` is set (e.g. `RUST_LOG=sio_client=trace`).
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// The bundled server with default options.
pub fn server() -> TestServer {
    init_tracing();
    TestServer::spawn().expect("start the bundled socket.io server (run `make test` once)")
}

/// A client builder for `url` with fast, deterministic reconnection.
pub fn builder(url: &str, mode: Transports) -> ClientBuilder {
    Client::builder(url)
        .transports(mode)
        .reconnection_delay(Duration::from_millis(100))
        .reconnection_delay_max(Duration::from_millis(400))
        .seed(1)
}

/// Awaits `f` or fails the test after `secs` seconds (a hang is a failure, not a wait).
pub async fn within<T>(secs: u64, what: &str, f: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(secs), f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out after {secs}s waiting for {what}"),
    }
}

/// Polls `cond` until it holds (checks every 10 ms, up to `secs`).
pub async fn eventually(secs: u64, what: &str, cond: impl Fn() -> bool) {
    within(secs, what, async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
}

/// Joins `room` and waits until the server acknowledged it.
pub async fn join(socket: &sio_client::Socket, room: &str) {
    let mut events = socket.events();
    socket.join(room).unwrap();
    within(10, "join ack", async {
        while let Some(e) = events.next().await {
            if matches!(e, sio_client::SocketEvent::Joined(ref r) if r == room) {
                return;
            }
        }
    })
    .await;
}
