//! `bench-sio-cost URL [--count N]`: the client's CPU per received and per sent event with a
//! typed listener, one connection over WebSocket, on a current-thread runtime.
//!
//! Receive: the server floods N `cost` events carrying bench/cost-payload.json (1 KB); a typed
//! listener decodes each into `Order`. Send: N `bench-sink` emits of the same `Order`, then an
//! acked `echo` as a barrier. CPU is user+sys of this process (getrusage via /proc) over each
//! phase. Prints one JSON object. The source compiles against older sio-client revisions too
//! (only `on`, `emit(&T)`, `emit_with_ack` with a typed `let`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Item {
    sku: String,
    qty: u32,
    price: f64,
    name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Order {
    id: u64,
    user: String,
    items: Vec<Item>,
    note: String,
    tags: Vec<String>,
    total: f64,
    paid: bool,
}

/// user+sys CPU seconds of this process.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("URL");
    let mut count: u64 = 30_000;
    while let Some(flag) = args.next() {
        if flag == "--count" {
            count = args.next().and_then(|v| v.parse().ok()).expect("--count N");
        }
    }
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../cost-payload.json"))
        .expect("bench/cost-payload.json");
    let order: Order = serde_json::from_str(&text).expect("payload");
    let payload: serde_json::Value = serde_json::from_str(&text).expect("payload");

    let client = sio_client::Client::builder(url)
        .transports(sio_client::Transports::WebSocketOnly)
        .reconnection(false)
        .build()
        .expect("client");
    let socket = client.socket("/");
    let received = Arc::new(AtomicU64::new(0));
    let checksum = Arc::new(AtomicU64::new(0));
    let (r, c) = (received.clone(), checksum.clone());
    socket.on("cost", move |o: Order, _ack| {
        c.fetch_add(o.items.len() as u64 + o.id, Ordering::Relaxed);
        r.fetch_add(1, Ordering::Relaxed);
    });
    socket.connect().await.expect("connect");

    // receive
    let request = serde_json::json!({"event": "cost", "count": count, "payload": payload});
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let n: u64 = socket.emit_with_ack("flood", &request).await.expect("flood ack");
    while received.load(Ordering::Relaxed) < n {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let recv_wall = t0.elapsed().as_secs_f64();
    let recv_cpu = cpu_seconds() - cpu0;

    // send
    let cpu1 = cpu_seconds();
    let t1 = Instant::now();
    for i in 0..count {
        socket.emit("bench-sink", &order).expect("emit");
        if i % 500 == 499 {
            let _: serde_json::Value = socket.emit_with_ack("echo", &1).await.expect("barrier");
        }
    }
    let _: serde_json::Value = socket.emit_with_ack("echo", &1).await.expect("barrier");
    let send_wall = t1.elapsed().as_secs_f64();
    let send_cpu = cpu_seconds() - cpu1;

    println!(
        "{}",
        serde_json::json!({
            "count": count,
            "recv_cpu_us_per_event": recv_cpu * 1e6 / n as f64,
            "recv_events_per_s": n as f64 / recv_wall,
            "send_cpu_us_per_event": send_cpu * 1e6 / count as f64,
            "send_events_per_s": count as f64 / send_wall,
            "checksum": checksum.load(Ordering::Relaxed),
        })
    );
    client.close().await;
}
