//! WebSocket transports against a tokio-tungstenite server and the reference server.

use std::time::Duration;

use bytes::Bytes;
use sio_core::engineio::Frame;
use sio_core::{TransportCommand, TransportId, TransportInput};
use sio_test_support::TestServer;
use tokio::net::TcpListener;

use super::servers::{HttpServer, Reply, WsServer};
use super::*;

#[tokio::test]
async fn websocket_opens_sets_headers_and_echoes_in_order() {
    let mut server = WsServer::start().await;
    let mut t = transports();
    t.execute(open(1, server.url()));
    // queued before the socket is open: written once it is, in order
    t.execute(send_text(1, "one"));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    assert_eq!(server.headers.recv().await, Some(Some("yes".to_owned())));
    t.execute(TransportCommand::Send {
        id: TransportId(1),
        frame: Frame::Binary(Bytes::from_static(&[1, 2, 3])),
    });
    t.execute(send_text(1, "three"));
    assert_eq!(next(&mut t).await, text(1, "one"));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Frame {
            id: TransportId(1),
            frame: Frame::Binary(Bytes::from_static(&[1, 2, 3])),
        }
    );
    assert_eq!(next(&mut t).await, text(1, "three"));
    assert!(!t.is_idle());
}

#[tokio::test]
async fn websocket_server_close_is_orderly_and_reported_once() {
    let server = WsServer::start().await;
    let mut t = transports();
    t.execute(open(1, server.url()));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    t.execute(send_text(1, "close"));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Closed {
            id: TransportId(1),
            error: None
        }
    );
    // sends after the close are ignored, nothing more is reported
    t.execute(send_text(1, "late"));
    drive_until_idle(&mut t).await;
}

#[tokio::test]
async fn websocket_eof_without_close_frame_is_orderly() {
    let server = WsServer::start().await;
    let mut t = transports();
    t.execute(open(1, server.url()));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    t.execute(send_text(1, "drop"));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Closed {
            id: TransportId(1),
            error: None
        }
    );
    assert!(t.is_idle());
}

#[tokio::test]
async fn websocket_close_with_error_code_is_reported() {
    let server = WsServer::start().await;
    let mut t = transports();
    t.execute(open(1, server.url()));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    t.execute(send_text(1, "close-1011"));
    let error = closed_error(next(&mut t).await, 1);
    assert!(error.contains("1011") && error.contains("boom"), "{error}");
}

#[tokio::test]
async fn websocket_refused_connection_is_reported() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut t = transports();
    t.execute(open(7, format!("ws://127.0.0.1:{port}/socket.io/")));
    let error = closed_error(next(&mut t).await, 7);
    assert!(error.to_lowercase().contains("refused"), "{error}");
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    assert!(t.is_idle());
}

#[tokio::test]
async fn close_command_stops_reports_and_sends_a_close_frame() {
    let mut server = WsServer::start().await;
    let mut t = transports();
    t.execute(open(1, server.url()));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    t.execute(send_text(1, "burst:50"));
    // let the echo start arriving, then close: no frame may be reported after that
    let first = next(&mut t).await;
    assert_eq!(first, text(1, "0"));
    t.execute(TransportCommand::Close { id: TransportId(1) });
    drive_until_idle(&mut t).await;
    assert_quiet(&mut t, Duration::from_millis(100)).await;
    tokio::time::timeout(WAIT, server.client_closes.recv())
        .await
        .expect("server saw no close frame")
        .expect("server gone");
}

#[tokio::test]
async fn close_while_connecting_drops_the_attempt() {
    // a listener that never accepts: the handshake cannot finish
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut t = transports();
    t.execute(open(3, format!("ws://{}/", listener.local_addr().unwrap())));
    assert_quiet(&mut t, Duration::from_millis(50)).await;
    t.execute(TransportCommand::Close { id: TransportId(3) });
    assert!(t.is_idle());
    assert_quiet(&mut t, Duration::from_millis(50)).await;
}

#[tokio::test]
async fn pings_are_answered() {
    let server = WsServer::start().await;
    let mut t = transports();
    t.execute(open(1, server.url()));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    t.execute(send_text(1, "ping"));
    assert_eq!(next(&mut t).await, text(1, "pong-seen"));
}

#[tokio::test]
async fn two_websockets_at_once() {
    let server = WsServer::start().await;
    let mut t = transports();
    t.execute(open(1, server.url()));
    t.execute(open(2, server.url()));
    let mut opened = vec![next(&mut t).await, next(&mut t).await];
    opened.sort_by_key(TransportInput::transport);
    assert_eq!(
        opened,
        vec![
            TransportInput::Opened { id: TransportId(1) },
            TransportInput::Opened { id: TransportId(2) }
        ]
    );
    t.execute(send_text(2, "to-two"));
    assert_eq!(next(&mut t).await, text(2, "to-two"));
    t.execute(send_text(1, "to-one"));
    assert_eq!(next(&mut t).await, text(1, "to-one"));
    t.execute(TransportCommand::Close { id: TransportId(1) });
    t.execute(send_text(2, "still"));
    assert_eq!(next(&mut t).await, text(2, "still"));
}

#[tokio::test]
async fn next_input_is_cancel_safe() {
    let server = WsServer::start().await;
    let mut t = transports();
    t.execute(open(1, server.url()));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    t.execute(send_text(1, "burst:300"));
    let mut got = Vec::new();
    let mut cancelled = 0u32;
    let deadline = tokio::time::Instant::now() + WAIT;
    while got.len() < 300 {
        assert!(tokio::time::Instant::now() < deadline, "got {}", got.len());
        tokio::select! {
            input = t.next_input() => got.push(input),
            () = tokio::task::yield_now() => cancelled += 1,
        }
    }
    let expected: Vec<_> = (0..300).map(|i| text(1, &i.to_string())).collect();
    assert_eq!(got, expected);
    assert!(cancelled > 0, "the select never dropped next_input");
}

#[tokio::test]
async fn inbound_messages_are_capped() {
    let server = WsServer::start().await;
    let mut t = with_options(TransportOptions {
        max_message_size: 1000,
        ..TransportOptions::default()
    });
    t.execute(open(1, server.url()));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    t.execute(send_text(1, "big:1000"));
    assert_eq!(next(&mut t).await, text(1, &"x".repeat(1000)));
    t.execute(send_text(1, "big:5000"));
    let error = closed_error(next(&mut t).await, 1);
    assert!(error.contains("exceeds the limit of 1000 bytes"), "{error}");
}

#[tokio::test]
async fn rejected_upgrade_reports_the_status() {
    let server = HttpServer::start(|_| Reply::fixed(404, "nope")).await;
    let mut t = transports();
    t.execute(open(1, format!("ws://{}/socket.io/", server.addr)));
    let error = closed_error(next(&mut t).await, 1);
    assert!(
        error.contains("rejected") && error.contains("HTTP 404"),
        "{error}"
    );
}

#[tokio::test]
async fn bad_urls_and_headers_are_reported_not_panicked() {
    let mut t = transports();
    t.execute(open(1, "http://127.0.0.1:1/".into()));
    t.execute(open(2, "not a url".into()));
    t.execute(TransportCommand::OpenWebSocket {
        id: TransportId(3),
        url: "ws://127.0.0.1:1/".into(),
        headers: vec![("bad header".into(), "x".into())],
    });
    let mut errors = Vec::new();
    for _ in 0..3 {
        match next(&mut t).await {
            TransportInput::Closed { id, error: Some(e) } => errors.push((id.0, e)),
            other => panic!("{other:?}"),
        }
    }
    errors.sort();
    assert!(errors[0].1.contains("invalid websocket URL"), "{errors:?}");
    assert!(errors[1].1.contains("invalid websocket URL"), "{errors:?}");
    assert!(
        errors[2].1.contains("invalid websocket header name"),
        "{errors:?}"
    );
}

#[tokio::test]
async fn the_reference_server_speaks_engine_io_over_websocket() {
    let server = TestServer::spawn().expect("start the test server (npm ci --prefix tests/server)");
    let mut t = transports();
    t.execute(open(
        1,
        format!(
            "ws://127.0.0.1:{}/socket.io/?EIO=4&transport=websocket",
            server.port()
        ),
    ));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    match next(&mut t).await {
        TransportInput::Frame {
            frame: Frame::Text(open),
            ..
        } => assert!(open.starts_with("0{\"sid\""), "{open}"),
        other => panic!("{other:?}"),
    }
    t.execute(send_text(1, "40"));
    match next(&mut t).await {
        TransportInput::Frame {
            frame: Frame::Text(connect),
            ..
        } => assert!(connect.starts_with("40{\"sid\""), "{connect}"),
        other => panic!("{other:?}"),
    }
    // a message far larger than one fragment: the server reassembles it and echoes it
    let long = "é".repeat(20_000);
    t.execute(send_text(1, &format!("42[\"echo\",\"{long}\"]")));
    match next(&mut t).await {
        TransportInput::Frame {
            frame: Frame::Text(echo),
            ..
        } => assert!(
            echo.starts_with(&format!("42[\"echo\",\"{long}\"")),
            "{echo}"
        ),
        other => panic!("{other:?}"),
    }
    t.execute(TransportCommand::Close { id: TransportId(1) });
    drive_until_idle(&mut t).await;
}

#[tokio::test]
async fn large_messages_are_fragmented_and_arrive_whole() {
    let server = WsServer::start().await;
    let mut t = transports();
    t.execute(open(1, server.url()));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    // multi-byte characters straddle the fragment boundaries
    let big_text: String = "héllo wörld ✓ ".repeat(5000);
    let big_binary = Bytes::from((0..100_000u32).map(|i| i as u8).collect::<Vec<u8>>());
    t.execute(send_text(1, &big_text));
    t.execute(TransportCommand::Send {
        id: TransportId(1),
        frame: Frame::Binary(big_binary.clone()),
    });
    t.execute(send_text(1, "after"));
    assert_eq!(next(&mut t).await, text(1, &big_text));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Frame {
            id: TransportId(1),
            frame: Frame::Binary(big_binary),
        }
    );
    assert_eq!(next(&mut t).await, text(1, "after"));
}
