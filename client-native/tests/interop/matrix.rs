//! The interop matrix's bookkeeping: outcomes, the table, and small helpers the scenarios
//! share (waiting on event streams with generous deadlines, blocking server calls).

#![allow(dead_code)]

use std::fmt::Write as _;
use std::future::Future;
use std::time::Duration;

use sio_client::{Parser, SocketEvent};
use sio_test_support::{ServerKind, Skip};

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// A feature the server does not have, with the reason (and what was checked instead).
    Skip(String),
    Fail(String),
}

/// A column: a server kind with a parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub kind: ServerKind,
    pub parser: Parser,
}

impl Column {
    pub fn label(self) -> String {
        let parser = match self.parser {
            Parser::Json => "json",
            _ => "msgpack",
        };
        format!("{} {parser}", self.kind)
    }
}

/// What a scenario returns: `Ok(None)` passed, `Ok(Some(skip))` is a named skip (after
/// checking the fallback behaviour), `Err` failed.
pub type Check = Result<Option<Skip>, String>;

/// `Err(message)` unless `cond`.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// Awaits `f`, or fails after `secs` seconds.
pub async fn within<T>(secs: u64, what: &str, f: impl Future<Output = T>) -> Result<T, String> {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .map_err(|_| format!("timed out after {secs}s waiting for {what}"))
}

/// Runs a blocking test-support call (server control) without stalling the runtime.
pub fn blocking<T>(f: impl FnOnce() -> std::io::Result<T>) -> Result<T, String> {
    tokio::task::block_in_place(f).map_err(|e| e.to_string())
}

/// Waits for the first socket event for which `pick` gives a value.
pub async fn wait_event<T>(
    events: &mut sio_client::EventStream<SocketEvent>,
    secs: u64,
    what: &str,
    mut pick: impl FnMut(&SocketEvent) -> Option<T>,
) -> Result<T, String> {
    within(secs, what, async {
        while let Some(e) = events.next().await {
            if let Some(v) = pick(&e) {
                return Ok(v);
            }
        }
        Err(format!("event stream ended before {what}"))
    })
    .await?
}

/// The table: one row per scenario, one column per server kind and parser.
pub fn table(columns: &[Column], rows: &[(&str, Vec<Outcome>)]) -> String {
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(8);
    let mut out = String::new();
    let _ = write!(out, "| {:width$} |", "scenario");
    for c in columns {
        let _ = write!(out, " {} |", c.label());
    }
    out.push('\n');
    let _ = write!(out, "|{}|", "-".repeat(width + 2));
    for c in columns {
        let _ = write!(out, "{}|", "-".repeat(c.label().len() + 2));
    }
    out.push('\n');
    let mut notes = Vec::new();
    for (name, cells) in rows {
        let _ = write!(out, "| {name:width$} |");
        for (c, cell) in columns.iter().zip(cells) {
            let text = match cell {
                Outcome::Pass => "pass".to_string(),
                Outcome::Skip(reason) => {
                    notes.push(format!("{reason} ({name})"));
                    format!("skip[{}]", notes.len())
                }
                Outcome::Fail(_) => "FAIL".to_string(),
            };
            let _ = write!(out, " {text:w$} |", w = c.label().len());
        }
        out.push('\n');
    }
    for (i, note) in notes.iter().enumerate() {
        let _ = writeln!(out, "[{}] {note}", i + 1);
    }
    out
}
