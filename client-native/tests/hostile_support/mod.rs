//! Helpers of the hostile-server tests (hostile.rs, hostile_resources.rs): wait for a typed
//! event, measure the process's memory and CPU, run RSS-sensitive cases one at a time.

#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

use sio_client::{Client, ClientBuilder, ClientEvent, EventStream, SocketEvent, Transports};
use sio_test_support::{cpu_time, rss_kib, HostileServer};
use tokio::sync::{Mutex, MutexGuard};

/// Awaits `f` or fails the test after `secs` seconds (a hang is a failure, not a wait).
pub async fn within<T>(secs: u64, what: &str, f: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(secs), f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out after {secs}s waiting for {what}"),
    }
}

/// The first event of `stream` that `pick` maps to `Some`, within `secs`.
pub async fn first<E, T>(
    stream: &mut EventStream<E>,
    secs: u64,
    what: &str,
    mut pick: impl FnMut(&E) -> Option<T>,
) -> T {
    within(secs, what, async {
        loop {
            match stream.next().await {
                Some(event) => {
                    if let Some(found) = pick(&event) {
                        return found;
                    }
                }
                None => panic!("the stream ended before {what}"),
            }
        }
    })
    .await
}

/// The reason of the first `Disconnect`.
pub async fn disconnect_reason(
    events: &mut EventStream<SocketEvent>,
    secs: u64,
) -> sio_client::DisconnectReason {
    first(events, secs, "a disconnect", |e| match e {
        SocketEvent::Disconnect(reason) => Some(*reason),
        _ => None,
    })
    .await
}

/// The first connection error of the client (`Error` or `ReconnectError`).
pub async fn open_error(events: &mut EventStream<ClientEvent>, secs: u64) -> sio_client::OpenError {
    first(events, secs, "an open error", |e| match e {
        ClientEvent::Error(e) | ClientEvent::ReconnectError(e) => Some(e.clone()),
        _ => None,
    })
    .await
}

/// Whether a socket event is the message `name`.
pub fn message_named(event: &SocketEvent, name: &str) -> bool {
    matches!(event, SocketEvent::Message(m) if m.event() == name)
}

/// CPU time the whole process used over `window` (while the caller's client is left alone),
/// as a fraction of one core.
pub async fn cpu_share_over(window: Duration) -> f64 {
    let (cpu0, t0) = (cpu_time(), Instant::now());
    tokio::time::sleep(window).await;
    let (cpu1, t1) = (cpu_time(), Instant::now());
    (cpu1 - cpu0).as_secs_f64() / (t1 - t0).as_secs_f64()
}

/// A client that spins burns a whole core; an idle one, nothing measurable. The bound is
/// generous for a loaded machine and the 100 Hz tick of the measurement.
pub const IDLE_CPU_LIMIT: f64 = 0.25;

/// Resident memory now, in KiB.
pub fn rss() -> u64 {
    rss_kib()
}

static SERIAL: Mutex<()> = Mutex::const_new(());

/// Held by each measuring test for its whole run: the binary's tests measure one at a time
/// (the test harness runs tests on threads of one process, and each has its own runtime).
pub async fn one_at_a_time() -> MutexGuard<'static, ()> {
    SERIAL.lock().await
}

/// Logs to the test output when `RUST_LOG` is set.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// A client of `server` over `mode` only, without reconnection, with a fixed seed.
pub fn builder(server: &HostileServer, mode: Transports) -> ClientBuilder {
    init_tracing();
    Client::builder(server.url())
        .transports(mode)
        .reconnection(false)
        .seed(1)
}
