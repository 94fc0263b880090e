//! Benchmark anchor: rust_socketio 0.6 (async API, tokio), measured the way `sio bench` and
//! bench/anchors/node/bench.js measure, against the bundled reference server.
//!
//! ```text
//! bench-anchor-rust-socketio rtt URL [--duration S] [--payload-bytes B]
//! bench-anchor-rust-socketio ff  URL [--duration S] [--payload-bytes B] [--batch K] [--event E]
//! bench-anchor-rust-socketio mem URL [--clients N] [--concurrency C]
//! ```
//!
//! Each prints one JSON object on stdout (progress and errors go to stderr):
//! - `rtt`: one client, one `echo` with an ack in flight at a time, for S seconds:
//!   `{"count","p50_us","p99_us","p999_us","timeouts"}`.
//! - `ff`: one client emits E (nobody answers it) without acks, in batches of K, each batch
//!   followed by an `echo` with an ack as a barrier (socket.io keeps order, so the barrier's ack
//!   means the server has read the batch): `{"events","seconds","events_per_s",
//!   "cpu_us_per_event"}` where CPU is user+sys of this process (/proc/self/stat) during the
//!   sending phase.
//! - `mem`: N clients (each its own connection, WebSocket only), connected C at a time; RSS
//!   (/proc/self/status VmRSS) before and 1 s after connecting, then after one acked `echo`
//!   per client: `{"clients","connected","errors","rss_before_kib","rss_connected_kib",
//!   "rss_after_echo_kib","kib_per_connection","kib_per_connection_after_echo"}`.
//!
//! Limits of rust_socketio 0.6 that shape this: `emit_with_ack` reports an ack through a
//! callback and never reports a timeout (we time out ourselves), ack ids are random in
//! 0..999 (fine with one ack in flight), and `connect()` returns once the CONNECT packet is
//! sent, not when the server accepted it (so we wait for the `Event::Connect` callback).

use std::time::{Duration, Instant};

use futures_util::FutureExt;
use hdrhistogram::Histogram;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::json;
use tokio::sync::mpsc;

struct Opts {
    mode: String,
    url: String,
    duration: f64,
    payload_bytes: usize,
    batch: usize,
    event: String,
    clients: usize,
    concurrency: usize,
    count: u64,
}

fn parse() -> Result<Opts, String> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().ok_or("usage: MODE URL [options]")?;
    let url = args.next().ok_or("usage: MODE URL [options]")?;
    let mut o = Opts {
        mode,
        url,
        duration: 5.0,
        payload_bytes: 32,
        batch: 500,
        event: "bench-sink".into(),
        clients: 1000,
        concurrency: 100,
        count: 30_000,
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let num = || value.parse::<f64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--duration" => o.duration = num()?,
            "--payload-bytes" => o.payload_bytes = num()? as usize,
            "--batch" => o.batch = (num()? as usize).max(1),
            "--event" => o.event = value,
            "--clients" => o.clients = num()? as usize,
            "--concurrency" => o.concurrency = (num()? as usize).max(1),
            "--count" => o.count = (num()? as u64).max(1),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(o)
}

/// Connects and waits for the server's CONNECT packet: rust_socketio's `connect()` returns as
/// soon as our CONNECT is sent, and an event the server reads before it has accepted the
/// namespace is dropped.
async fn connect(url: &str) -> Result<Client, String> {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let client = ClientBuilder::new(url)
        .transport_type(TransportType::Websocket)
        .reconnect(false)
        .on(Event::Connect, move |_: Payload, _: Client| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(());
            }
            .boxed()
        })
        .connect()
        .await
        .map_err(|e| e.to_string())?;
    match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
        Ok(Some(())) => Ok(client),
        _ => Err("the server did not accept the namespace".into()),
    }
}

/// Emits `echo` with an ack and waits for it; `None` on timeout or error.
async fn echo(client: &Client, payload: &serde_json::Value, timeout: Duration) -> Option<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let callback = move |_: Payload, _: Client| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(());
        }
        .boxed()
    };
    if let Err(e) = client
        .emit_with_ack("echo", payload.clone(), timeout, callback)
        .await
    {
        eprintln!("rust_socketio: emit_with_ack failed: {e}");
        return None;
    }
    tokio::time::timeout(timeout, rx.recv()).await.ok()?
}

fn cpu_seconds() -> f64 {
    // utime and stime are fields 14 and 15, in USER_HZ ticks (100 per second on Linux)
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_comm = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // after "pid (comm)", field 3 (state) is index 0, so utime (14) is index 11
    (tick(11) + tick(12)) / 100.0
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn rtt(o: &Opts) -> Result<serde_json::Value, String> {
    let client = connect(&o.url).await?;
    let payload = json!("x".repeat(o.payload_bytes));
    let mut hist = Histogram::<u64>::new(3).map_err(|e| e.to_string())?;
    let mut timeouts = 0u64;
    // warm-up
    for _ in 0..100 {
        echo(&client, &payload, Duration::from_secs(5)).await;
    }
    let end = Instant::now() + Duration::from_secs_f64(o.duration);
    while Instant::now() < end {
        let start = Instant::now();
        match echo(&client, &payload, Duration::from_secs(5)).await {
            Some(()) => {
                let _ = hist.record(start.elapsed().as_nanos() as u64);
            }
            None => timeouts += 1,
        }
    }
    let _ = client.disconnect().await;
    let us = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    Ok(json!({
        "count": hist.len(), "p50_us": us(0.5), "p99_us": us(0.99), "p999_us": us(0.999),
        "timeouts": timeouts,
    }))
}

async fn ff(o: &Opts) -> Result<serde_json::Value, String> {
    let client = connect(&o.url).await?;
    let payload = json!("x".repeat(o.payload_bytes));
    let barrier = json!("barrier");
    echo(&client, &barrier, Duration::from_secs(5))
        .await
        .ok_or("no answer to the first echo")?;
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let end = t0 + Duration::from_secs_f64(o.duration);
    let mut events = 0u64;
    while Instant::now() < end {
        for _ in 0..o.batch {
            client
                .emit(o.event.as_str(), payload.clone())
                .await
                .map_err(|e| e.to_string())?;
        }
        echo(&client, &barrier, Duration::from_secs(10))
            .await
            .ok_or("a barrier echo timed out")?;
        events += o.batch as u64 + 1;
    }
    let seconds = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let _ = client.disconnect().await;
    Ok(json!({
        "events": events, "seconds": seconds, "events_per_s": events as f64 / seconds,
        "cpu_us_per_event": cpu * 1e6 / events as f64,
    }))
}

async fn mem(o: &Opts) -> Result<serde_json::Value, String> {
    let before = rss_kib();
    let mut clients = Vec::with_capacity(o.clients);
    let mut errors = 0usize;
    let ping = json!("x");
    let t0 = Instant::now();
    let mut left = o.clients;
    while left > 0 {
        let n = left.min(o.concurrency);
        left -= n;
        let batch = futures_util::future::join_all((0..n).map(|_| connect(&o.url))).await;
        for c in batch {
            match c {
                Ok(c) => clients.push(c),
                Err(e) => {
                    if errors == 0 {
                        eprintln!("rust_socketio: connect failed: {e}");
                    }
                    errors += 1;
                }
            }
        }
        eprint!("\rrust_socketio: {} connected", clients.len());
    }
    eprintln!(" in {:.1} s", t0.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_connected = rss_kib();
    for chunk in clients.chunks(o.concurrency) {
        futures_util::future::join_all(
            chunk
                .iter()
                .map(|c| echo(c, &ping, Duration::from_secs(30))),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after_echo = rss_kib();
    let connected = clients.len();
    let per = |kib: u64| {
        if connected > 0 {
            kib.saturating_sub(before) as f64 / connected as f64
        } else {
            0.0
        }
    };
    let result = json!({
        "clients": o.clients, "connected": connected, "errors": errors,
        "rss_before_kib": before, "rss_connected_kib": rss_connected,
        "rss_after_echo_kib": rss_after_echo, "kib_per_connection": per(rss_connected),
        "kib_per_connection_after_echo": per(rss_after_echo),
    });
    // the process exits right after printing: no need to close 10k sockets politely
    std::mem::forget(clients);
    Ok(result)
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Item {
    sku: String,
    qty: u32,
    price: f64,
    name: String,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Order {
    id: u64,
    user: String,
    items: Vec<Item>,
    note: String,
    tags: Vec<String>,
    total: f64,
    paid: bool,
}

/// CPU per received event (a callback decoding bench/cost-payload.json into `Order`, the server
/// flooding `--count` of them) and per sent event (the same object, an acked echo every 500).
async fn cost(o: &Opts) -> Result<serde_json::Value, String> {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../cost-payload.json"))
        .map_err(|e| e.to_string())?;
    let payload: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let received = Arc::new(AtomicU64::new(0));
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let r = received.clone();
    let client = ClientBuilder::new(o.url.as_str())
        .transport_type(TransportType::Websocket)
        .reconnect(false)
        .on(Event::Connect, move |_: Payload, _: Client| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(());
            }
            .boxed()
        })
        .on("cost", move |p: Payload, _: Client| {
            let r = r.clone();
            async move {
                if let Payload::Text(values) = p {
                    if let Some(v) = values.into_iter().next() {
                        if let Ok(order) = serde_json::from_value::<Order>(v) {
                            let _ = order.items.len();
                            r.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
            .boxed()
        })
        .connect()
        .await
        .map_err(|e| e.to_string())?;
    tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .map_err(|_| "no connect")?;
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    client
        .emit("flood", json!({"event": "cost", "count": o.count, "payload": payload}))
        .await
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(300);
    while received.load(Ordering::Relaxed) < o.count {
        if Instant::now() > deadline {
            return Err(format!("only {} of {} events", received.load(Ordering::Relaxed), o.count));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let recv_seconds = t0.elapsed().as_secs_f64();
    let recv_cpu = cpu_seconds() - cpu0;
    let barrier = json!(1);
    let cpu1 = cpu_seconds();
    let t1 = Instant::now();
    for i in 0..o.count {
        client
            .emit("bench-sink", payload.clone())
            .await
            .map_err(|e| e.to_string())?;
        if i % 500 == 499 {
            echo(&client, &barrier, Duration::from_secs(30))
                .await
                .ok_or("a barrier echo timed out")?;
        }
    }
    echo(&client, &barrier, Duration::from_secs(30))
        .await
        .ok_or("a barrier echo timed out")?;
    let send_seconds = t1.elapsed().as_secs_f64();
    let send_cpu = cpu_seconds() - cpu1;
    let _ = client.disconnect().await;
    Ok(json!({
        "count": o.count,
        "recv_cpu_us_per_event": recv_cpu * 1e6 / o.count as f64,
        "recv_events_per_s": o.count as f64 / recv_seconds,
        "send_cpu_us_per_event": send_cpu * 1e6 / o.count as f64,
        "send_events_per_s": o.count as f64 / send_seconds,
    }))
}

fn main() -> std::process::ExitCode {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench-anchor-rust-socketio: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench-anchor-rust-socketio: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let result = rt.block_on(async {
        match o.mode.as_str() {
            "rtt" => rtt(&o).await,
            "ff" => ff(&o).await,
            "mem" => mem(&o).await,
            "cost" => cost(&o).await,
            other => Err(format!("unknown mode {other}")),
        }
    });
    match result {
        Ok(v) => {
            println!("{v}");
            // background tasks of 10k clients: do not wait for them
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("bench-anchor-rust-socketio: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
