//! The interop matrix: the native client against every server a user runs — Node socket.io
//! 4.8.4 (the bundled reference), python-socketio 5.18.1 and socketioxide 0.18.9 (both
//! started by sio-test-support, installed by `make interop-deps`) — with the JSON parser and
//! with the MessagePack one. Every scenario runs on every column; a feature a server lacks is
//! a named skip, after checking what the client must do instead (never a silent pass).
//!
//! The table is printed (see it with `--nocapture`) and written to
//! `target/tmp/interop-matrix.md`, which `make test` shows.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod interop {
    pub mod matrix;
    pub mod scenarios;
}

use interop::matrix::{table, Check, Column, Outcome};
use interop::scenarios as s;
use sio_client::Parser;
use sio_test_support::{Feature, ServerKind, TestServer};

const SCENARIOS: [&str; 16] = [
    "connect + whoami",
    "auth accepted",
    "auth rejected",
    "connect_error data",
    "ack client → server (echo)",
    "ack server → client (ask)",
    "event without ack",
    "binary both ways (several attachments)",
    "polling only (200 KB + binary)",
    "websocket only (200 KB + binary)",
    "polling → websocket upgrade",
    "two namespaces, one connection",
    "rooms + broadcast",
    "restart → reconnect → rooms re-joined",
    "connection state recovery",
    "server disconnect",
];

fn outcome(col: Column, result: Check) -> Outcome {
    match result {
        Ok(None) => Outcome::Pass,
        Ok(Some(skip)) => Outcome::Skip(skip.to_string()),
        Err(e) => Outcome::Fail(format!("[{}] {e}", col.label())),
    }
}

/// Runs every scenario on one column (sequentially: they share its server).
async fn column(col: Column) -> Vec<Outcome> {
    if col.parser == Parser::MessagePack {
        if let Err(skip) = col.kind.supports(Feature::MessagePack) {
            return vec![Outcome::Skip(skip.to_string()); SCENARIOS.len()];
        }
    }
    let shared = match s::server(col, |b| b.no_recovery()) {
        Ok(srv) => srv,
        Err(e) => return vec![Outcome::Fail(format!("[{}] {e}", col.label())); SCENARIOS.len()],
    };
    let srv: &TestServer = &shared;
    let mut out = Vec::new();
    out.push(outcome(col, s::connect_whoami(col, srv).await));
    out.push(outcome(col, s::auth_accepted(col, srv).await));
    out.push(outcome(col, s::auth_rejected(col, srv).await));
    out.push(outcome(col, s::connect_error_data(col, srv).await));
    out.push(outcome(col, s::echo_ack(col, srv).await));
    out.push(outcome(col, s::server_asks(col, srv).await));
    out.push(outcome(col, s::event_without_ack(col, srv).await));
    out.push(outcome(col, s::binary_both_ways(col, srv).await));
    out.push(outcome(col, s::polling_only(col, srv).await));
    out.push(outcome(col, s::websocket_only(col, srv).await));
    out.push(outcome(col, s::upgrade(col, srv).await));
    out.push(outcome(col, s::two_namespaces(col).await));
    out.push(outcome(col, s::rooms_broadcast(col, srv).await));
    out.push(outcome(col, s::restart_rejoin(col).await));
    out.push(outcome(col, s::recovery(col).await));
    out.push(outcome(col, s::server_disconnect(col, srv).await));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_server_every_parser() {
    let columns: Vec<Column> = [Parser::Json, Parser::MessagePack]
        .into_iter()
        .flat_map(|parser| ServerKind::ALL.map(|kind| Column { kind, parser }))
        .collect();
    // One task per server kind, its two parsers one after the other.
    let mut tasks = Vec::new();
    for kind in ServerKind::ALL {
        let cols: Vec<Column> = columns.iter().copied().filter(|c| c.kind == kind).collect();
        tasks.push(tokio::spawn(async move {
            let mut results = Vec::new();
            for col in cols {
                results.push((col, column(col).await));
            }
            results
        }));
    }
    let mut by_column = Vec::new();
    for t in tasks {
        by_column.extend(t.await.expect("a column task panicked"));
    }
    let cells = |col: &Column| {
        by_column
            .iter()
            .find(|(c, _)| c == col)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let rows: Vec<(&str, Vec<Outcome>)> = SCENARIOS
        .iter()
        .enumerate()
        .map(|(i, name)| (*name, columns.iter().map(|c| cells(c)[i].clone()).collect()))
        .collect();
    let text = table(&columns, &rows);
    println!("{text}");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop-matrix.md");
    let _ = std::fs::write(&path, &text);
    let failures: Vec<String> = rows
        .iter()
        .flat_map(|(name, cells)| {
            cells.iter().filter_map(move |c| match c {
                Outcome::Fail(e) => Some(format!("{name}: {e}")),
                _ => None,
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{text}\nfailures:\n{}",
        failures.join("\n")
    );
}
