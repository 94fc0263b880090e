//! Tests of [`Transports`](super::Transports) against real servers on 127.0.0.1: a
//! tokio-tungstenite WebSocket server, a minimal HTTP/1.1 server, raw TCP listeners, and the
//! bundled Node socket.io server (plain and with a self-signed certificate).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cookies;
mod http;
mod resting;
mod servers;
mod tls;
mod websocket;

use std::future::Future;
use std::time::Duration;

use sio_core::engineio::Frame;
use sio_core::{HttpRequest, Method, RequestId, TransportCommand, TransportId, TransportInput};

use super::{TransportOptions, Transports};

pub(super) const WAIT: Duration = Duration::from_secs(10);

pub(super) fn transports() -> Transports {
    Transports::new(TransportOptions::default()).expect("default transports")
}

pub(super) fn with_options(options: TransportOptions) -> Transports {
    Transports::new(options).expect("transports")
}

/// The next input, or a panic after [`WAIT`].
pub(super) async fn next(t: &mut Transports) -> TransportInput {
    tokio::time::timeout(WAIT, t.next_input())
        .await
        .expect("no transport input within 10 s")
}

/// Asserts that nothing is reported for `quiet` (while driving the transports).
pub(super) async fn assert_quiet(t: &mut Transports, quiet: Duration) {
    if let Ok(input) = tokio::time::timeout(quiet, t.next_input()).await {
        panic!("unexpected input {input:?}");
    }
}

/// Drives the transports (no input may arrive) until `fut` completes.
pub(super) async fn drive_until<T>(t: &mut Transports, fut: impl Future<Output = T>) -> T {
    let work = async {
        tokio::select! {
            input = t.next_input() => panic!("unexpected input {input:?}"),
            out = fut => out,
        }
    };
    tokio::time::timeout(WAIT, work).await.expect("timed out")
}

/// Drives the transports until they are idle; nothing may be reported meanwhile.
pub(super) async fn drive_until_idle(t: &mut Transports) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !t.is_idle() {
        assert!(tokio::time::Instant::now() < deadline, "not idle: {t:?}");
        if let Ok(input) = tokio::time::timeout(Duration::from_millis(20), t.next_input()).await {
            panic!("unexpected input {input:?}");
        }
    }
}

pub(super) fn open(id: u64, url: String) -> TransportCommand {
    TransportCommand::OpenWebSocket {
        id: TransportId(id),
        url,
        headers: vec![("X-Test".into(), "yes".into())],
    }
}

pub(super) fn send_text(id: u64, text: &str) -> TransportCommand {
    TransportCommand::Send {
        id: TransportId(id),
        frame: Frame::Text(text.into()),
    }
}

pub(super) fn text(id: u64, text: &str) -> TransportInput {
    TransportInput::Frame {
        id: TransportId(id),
        frame: Frame::Text(text.into()),
    }
}

pub(super) fn closed_error(input: TransportInput, id: u64) -> String {
    match input {
        TransportInput::Closed {
            id: got,
            error: Some(error),
        } if got == TransportId(id) => error,
        other => panic!("expected Closed with an error, got {other:?}"),
    }
}

pub(super) fn get(id: u64, request: u64, url: &str) -> TransportCommand {
    TransportCommand::Http {
        id: TransportId(id),
        request: HttpRequest {
            id: RequestId(request),
            method: Method::Get,
            url: url.to_owned(),
            headers: vec![("X-Test".into(), "yes".into())],
            body: None,
        },
    }
}

pub(super) fn post(id: u64, request: u64, url: &str, body: &str) -> TransportCommand {
    TransportCommand::Http {
        id: TransportId(id),
        request: HttpRequest {
            id: RequestId(request),
            method: Method::Post,
            url: url.to_owned(),
            headers: vec![("Content-Type".into(), "text/plain;charset=UTF-8".into())],
            body: Some(body.to_owned()),
        },
    }
}

pub(super) fn failed_error(input: TransportInput, id: u64, request: u64) -> String {
    match input {
        TransportInput::HttpFailed {
            id: got,
            request: got_request,
            error,
        } if (got, got_request) == (TransportId(id), RequestId(request)) => error,
        other => panic!("expected HttpFailed, got {other:?}"),
    }
}
