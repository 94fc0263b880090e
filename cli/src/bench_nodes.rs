//! `sio bench --node-event whoami`: figures per server node, for a cluster behind a load
//! balancer. After connecting, every client emits the acknowledged `--node-event` once; the
//! `node` field of the answer (the bundled server's `whoami` has one) names the node the
//! client landed on. The events each client gets acknowledged are then counted for its node
//! too, so the summary shows how connections and load spread over the nodes.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use sio_client::Socket;

tokio::task_local! {
    /// The event counter of the node the current client task's connection is on.
    static NODE_EVENTS: Arc<AtomicU64>;
}

/// How long a client may take to answer which node it is on.
const ASK_TIMEOUT: Duration = Duration::from_secs(10);

/// Label for clients whose answer names no node.
const UNKNOWN: &str = "?";

/// Connections and events per node.
#[derive(Debug, Default)]
pub(crate) struct Nodes {
    /// node → (connected clients, acknowledged events)
    tally: BTreeMap<String, (u64, Arc<AtomicU64>)>,
}

impl Nodes {
    /// Asks every socket which node it is on (`event`, acknowledged, answer `{node: …}`) and
    /// returns each socket's counter, in the order of `sockets`.
    pub(crate) async fn ask(
        event: &str,
        sockets: impl Iterator<Item = &Socket>,
    ) -> (Nodes, Vec<Arc<AtomicU64>>) {
        let answers = futures_util::future::join_all(sockets.map(|socket| async move {
            let answer = socket
                .timeout(ASK_TIMEOUT)
                .emit_with_ack::<Value>(event, ())
                .await;
            answer
                .ok()
                .and_then(|v| v.get("node").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| UNKNOWN.to_owned())
        }))
        .await;
        let mut nodes = Nodes::default();
        let counters = answers
            .into_iter()
            .map(|node| {
                let entry = nodes.tally.entry(node).or_default();
                entry.0 += 1;
                entry.1.clone()
            })
            .collect();
        (nodes, counters)
    }

    /// `{"a": {"clients": N, "events": N, "events_per_s": X}, …}`.
    pub(crate) fn json(&self, elapsed: Duration) -> Value {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let nodes: serde_json::Map<String, Value> = self
            .tally
            .iter()
            .map(|(node, (clients, events))| {
                let events = events.load(Ordering::Relaxed);
                (
                    node.clone(),
                    json!({"clients": clients, "events": events, "events_per_s": events as f64 / secs}),
                )
            })
            .collect();
        Value::Object(nodes)
    }

    /// One table row per node: `("node a", "N clients, X events/s")`.
    pub(crate) fn rows(&self, elapsed: Duration) -> Vec<(String, String)> {
        let secs = elapsed.as_secs_f64().max(1e-9);
        self.tally
            .iter()
            .map(|(node, (clients, events))| {
                let events = events.load(Ordering::Relaxed);
                (
                    format!("node {node}"),
                    format!(
                        "{clients} clients, {:.0} events/s ({events} events)",
                        events as f64 / secs
                    ),
                )
            })
            .collect()
    }
}

/// Runs a client's task with its node's counter, so [`count`] reaches it.
pub(crate) fn scoped<F: Future>(
    counter: Option<Arc<AtomicU64>>,
    task: F,
) -> impl Future<Output = F::Output> {
    NODE_EVENTS.scope(counter.unwrap_or_default(), task)
}

/// Counts `events` acknowledged events for the current task's node (no-op outside
/// [`scoped`]).
pub(crate) fn count(events: u64) {
    let _ = NODE_EVENTS.try_with(|counter| counter.fetch_add(events, Ordering::Relaxed));
}
