//! The client against hostile servers (sio_test_support::HostileServer): every case ends
//! within a generous deadline with a typed event or error, over WebSocket and polling.
//! Memory and CPU bounds are measured in hostile_resources.rs (one case at a time).

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hostile_support;

use std::time::Duration;

use hostile_support::{
    builder, disconnect_reason, first, init_tracing, message_named, open_error, within,
};
use sio_client::{
    Client, ClientBuilder, ConnectError, DisconnectReason, Error, OpenError, SocketEvent,
    Transports,
};
use sio_test_support::{handshake, Behaviour, HostileServer};

const BOTH: [Transports; 2] = [Transports::WebSocketOnly, Transports::PollingOnly];

/// Connects `/` and returns the client, the socket and its event stream (taken before the
/// connect, so nothing is missed).
async fn connected(
    builder: ClientBuilder,
) -> (
    Client,
    sio_client::Socket,
    sio_client::EventStream<SocketEvent>,
) {
    let client = builder.build().unwrap();
    let socket = client.socket("/");
    let events = socket.events();
    within(10, "connect", socket.connect()).await.unwrap();
    (client, socket, events)
}

/// The transport reported a failure (WebSocket errors close the transport; failed polling
/// requests are transport errors).
fn is_transport_failure(reason: DisconnectReason) -> bool {
    matches!(
        reason,
        DisconnectReason::TransportClose | DisconnectReason::TransportError
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_announced_bigger_than_the_limit_is_refused_before_it_is_read() {
    const GIGABYTE: usize = 1 << 30;
    for mode in BOTH {
        let server = HostileServer::start(Behaviour::HugeMessage { bytes: GIGABYTE }).unwrap();
        let (client, socket, mut events) = connected(
            builder(&server, mode).max_inbound_bytes(1_000_000), // 1 MB
        )
        .await;
        let reason = disconnect_reason(&mut events, 30).await;
        assert!(is_transport_failure(reason), "{mode:?}: {reason:?}");
        assert!(!socket.connected());
        within(10, "close", client.close()).await;
        // the client stopped reading at the limit (a WebSocket at the frame header), not
        // after the gigabyte; what the server got out is what the TCP buffers took
        let sent = server.stats().bytes;
        assert!(sent < 64 << 20, "{mode:?}: the client took {sent} bytes");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packet_announcing_ten_thousand_attachments_is_a_parse_error() {
    for mode in BOTH {
        let server = HostileServer::start(Behaviour::many_attachments(10_000)).unwrap();
        let (client, socket, mut events) = connected(builder(&server, mode)).await;
        assert_eq!(
            disconnect_reason(&mut events, 10).await,
            DisconnectReason::ParseError,
            "{mode:?}"
        );
        assert!(!socket.connected());
        within(10, "close", client.close()).await;
    }
}

/// Nesting that `JSON.parse` accepts is delivered or refused as a parse error, never a crash
/// (a recursive decoder would overflow the stack at 100,000 levels).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_arguments_are_delivered_or_a_parse_error_never_a_crash() {
    for depth in [1_000, 100_000] {
        for mode in BOTH {
            let server = HostileServer::start(Behaviour::deep_nesting(depth)).unwrap();
            let (client, _socket, mut events) = connected(builder(&server, mode)).await;
            let outcome = first(
                &mut events,
                10,
                "the deep message or a disconnect",
                |e| match e {
                    SocketEvent::Message(m) if m.event() == "deep" => Some(Ok(m.payload().clone())),
                    SocketEvent::Disconnect(reason) => Some(Err(*reason)),
                    _ => None,
                },
            )
            .await;
            match outcome {
                // delivered: the connection carries on
                Ok(_) => {
                    first(&mut events, 10, "the next message", |e| {
                        message_named(e, "after").then_some(())
                    })
                    .await
                }
                Err(reason) => assert_eq!(reason, DisconnectReason::ParseError, "{depth} {mode:?}"),
            }
            within(10, "close", client.close()).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_that_is_not_utf8_ends_the_transport() {
    for mode in BOTH {
        let server = HostileServer::start(Behaviour::invalid_utf8()).unwrap();
        let (client, socket, mut events) = connected(builder(&server, mode)).await;
        let reason = disconnect_reason(&mut events, 10).await;
        assert!(
            is_transport_failure(reason) || reason == DisconnectReason::ParseError,
            "{mode:?}: {reason:?}"
        );
        assert!(!socket.connected());
        within(10, "close", client.close()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_never_ends_is_cut_at_the_limit() {
    for mode in BOTH {
        let server = HostileServer::start(Behaviour::Endless { trickle: None }).unwrap();
        let (client, _socket, mut events) =
            connected(builder(&server, mode).max_inbound_bytes(1_000_000)).await;
        let reason = disconnect_reason(&mut events, 30).await;
        assert!(is_transport_failure(reason), "{mode:?}: {reason:?}");
        within(10, "close", client.close()).await;
        let sent = server.stats().bytes;
        assert!(sent < 64 << 20, "{mode:?}: the client took {sent} bytes");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickle_that_never_ends_runs_into_the_heartbeat_deadline() {
    for mode in BOTH {
        let server = HostileServer::builder()
            .handshake(handshake(300, 300))
            .behaviour(Behaviour::Endless {
                trickle: Some(Duration::from_millis(20)),
            })
            .start()
            .unwrap();
        let (client, _socket, mut events) = connected(builder(&server, mode)).await;
        assert_eq!(
            disconnect_reason(&mut events, 30).await,
            DisconnectReason::PingTimeout,
            "{mode:?}"
        );
        within(10, "close", client.close()).await;
    }
}

/// What a handshake should lead to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// The namespace connects.
    Connects,
    /// The namespace connects, or the heartbeat deadline (now) passes first.
    ConnectsOrTimesOut,
    /// `connect()` fails: the server is not Engine.IO v4.
    NotSocketIo,
}

const HANDSHAKES: [(&str, Expect); 10] = [
    // zero heartbeat values: the deadline is now (see the next test)
    (
        r#"{"sid":"a","upgrades":[],"pingInterval":0,"pingTimeout":0,"maxPayload":1000000}"#,
        Expect::ConnectsOrTimesOut,
    ),
    // 2^53 ms, the largest integer JavaScript holds exactly: a deadline 285,000 years away
    (
        r#"{"sid":"a","upgrades":[],"pingInterval":9007199254740992,"pingTimeout":9007199254740992,"maxPayload":1000000}"#,
        Expect::Connects,
    ),
    (
        r#"{"sid":"a","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":0}"#,
        Expect::Connects,
    ),
    (
        r#"{"upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
        Expect::NotSocketIo,
    ),
    (
        r#"{"sid":"a","pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
        Expect::NotSocketIo,
    ),
    (
        r#"{"sid":"a","upgrades":[],"pingInterval":-1,"pingTimeout":20000,"maxPayload":1000000}"#,
        Expect::NotSocketIo,
    ),
    (
        r#"{"sid":"a","upgrades":[],"pingInterval":1e400,"pingTimeout":20000,"maxPayload":1000000}"#,
        Expect::NotSocketIo,
    ),
    (
        r#"{"sid":"a","upgrades":[],"pingInterval":"soon","pingTimeout":20000}"#,
        Expect::NotSocketIo,
    ),
    (r#"{"sid":"a","upgrades":[],"#, Expect::NotSocketIo),
    ("", Expect::NotSocketIo),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_absurd_and_missing_handshake_values_connect_or_fail_clearly() {
    for (json, expect) in HANDSHAKES {
        for mode in BOTH {
            let server = HostileServer::builder().handshake(json).start().unwrap();
            let client = builder(&server, mode).build().unwrap();
            let socket = client.socket("/");
            let result = within(10, "connect", socket.connect()).await;
            match expect {
                Expect::Connects => {
                    assert!(result.is_ok(), "{json} {mode:?}: {result:?}");
                    // the client still works (an emit goes out) and closes promptly
                    socket.emit("hello", 1).unwrap();
                }
                Expect::ConnectsOrTimesOut => assert!(
                    match &result {
                        Ok(_) => true,
                        Err(Error::Connect(ConnectError::Open(OpenError::Transport(e)))) => {
                            e == "ping timeout"
                        }
                        Err(_) => false,
                    },
                    "{json} {mode:?}: {result:?}"
                ),
                Expect::NotSocketIo => assert!(
                    matches!(
                        result,
                        Err(Error::Connect(ConnectError::Open(OpenError::NotSocketIo(
                            _
                        ))))
                    ),
                    "{json} {mode:?}: {result:?}"
                ),
            }
            within(10, "close", client.close()).await;
            assert!(!socket.connected());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_heartbeat_times_out_at_once_and_reconnects_with_backoff() {
    for mode in BOTH {
        let server = HostileServer::builder()
            .handshake(handshake(0, 0))
            .start()
            .unwrap();
        let client = builder(&server, mode)
            .reconnection(true)
            .reconnection_delay(Duration::from_millis(100))
            .reconnection_delay_max(Duration::from_millis(200))
            .build()
            .unwrap();
        let mut client_events = client.events();
        let socket = client.socket("/");
        let mut events = socket.events();
        let _ = within(10, "connect", socket.connect()).await;
        assert_eq!(
            disconnect_reason(&mut events, 10).await,
            DisconnectReason::PingTimeout,
            "{mode:?}"
        );
        // not a silent loop: every attempt is reported, and they are spaced by the backoff
        first(&mut client_events, 10, "a reconnect attempt", |e| {
            matches!(e, sio_client::ClientEvent::ReconnectAttempt(_)).then_some(())
        })
        .await;
        let sessions = server.stats().sessions;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let later = server.stats().sessions;
        // one attempt per 50-300 ms of backoff (with slack for a loaded machine), far from
        // a tight loop
        assert!(
            later - sessions <= 15,
            "{mode:?}: {} sessions in 500 ms",
            later - sessions
        );
        within(10, "close", client.close()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_is_a_connect_timeout() {
    for mode in BOTH {
        let server = HostileServer::start(Behaviour::Silent).unwrap();
        let client = builder(&server, mode)
            .connect_timeout(Some(Duration::from_millis(500)))
            .build()
            .unwrap();
        let mut client_events = client.events();
        let socket = client.socket("/");
        let result = within(10, "connect", socket.connect()).await;
        assert!(
            matches!(
                result,
                Err(Error::Connect(ConnectError::Open(OpenError::Timeout)))
            ),
            "{mode:?}: {result:?}"
        );
        assert_eq!(open_error(&mut client_events, 5).await, OpenError::Timeout);
        assert!(server.stats().connections >= 1);
        within(10, "close", client.close()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_session_that_goes_silent_runs_into_the_heartbeat_deadline() {
    for mode in BOTH {
        let server = HostileServer::builder()
            .handshake(handshake(200, 200))
            .start()
            .unwrap();
        let (client, _socket, mut events) = connected(builder(&server, mode)).await;
        assert_eq!(
            disconnect_reason(&mut events, 10).await,
            DisconnectReason::PingTimeout,
            "{mode:?}"
        );
        within(10, "close", client.close()).await;
    }
}

/// Durations at the edge of the type are deadlines that never come, not arithmetic
/// overflows: the client keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_longest_timeouts_are_deadlines_that_never_come_not_panics() {
    init_tracing();
    let server = sio_test_support::TestServer::spawn().unwrap();
    let client = Client::builder(server.url())
        .transports(Transports::WebSocketOnly)
        .connect_timeout(Some(Duration::MAX))
        .ack_timeout(Duration::MAX)
        .build()
        .unwrap();
    let mut client_events = client.events();
    let socket = client.socket("/");
    within(10, "connect", socket.connect()).await.unwrap();
    let echoed: u32 = within(10, "echo", socket.emit_with_ack("echo", 1))
        .await
        .unwrap();
    assert_eq!(echoed, 1);
    let echoed: u32 = within(
        10,
        "echo with a per-emit timeout",
        socket.timeout(Duration::MAX).emit_with_ack("echo", 2),
    )
    .await
    .unwrap();
    assert_eq!(echoed, 2);
    assert!(socket.connected() && !client.is_closed());
    assert!(client_events
        .try_next()
        .is_none_or(|e| !matches!(e, sio_client::ClientEvent::ListenerPanicked(_))));
    within(10, "close", client.close()).await;
}

/// Ten attachments of 11 MB each are 110 MB in one packet: over the per-packet total cap
/// (100 MB by default), although each frame is within the per-frame limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_add_up_against_the_per_packet_cap() {
    let server = HostileServer::start(Behaviour::Attachments {
        count: 10,
        each: 11_000_000,
    })
    .unwrap();
    let (client, _socket, mut events) =
        connected(builder(&server, Transports::WebSocketOnly)).await;
    let outcome = first(&mut events, 60, "the packet or a disconnect", |e| match e {
        SocketEvent::Message(m) if m.event() == "bin" => Some(Ok(())),
        SocketEvent::Disconnect(reason) => Some(Err(*reason)),
        _ => None,
    })
    .await;
    assert_eq!(outcome, Err(DisconnectReason::ParseError));
    within(10, "close", client.close()).await;
}

/// Within the caps, a binary event with ten attachments arrives whole, over both transports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_attachments_within_the_caps_arrive_whole() {
    for mode in BOTH {
        let server = HostileServer::start(Behaviour::Attachments {
            count: 10,
            each: 1000,
        })
        .unwrap();
        let (client, _socket, mut events) = connected(builder(&server, mode)).await;
        let sizes = first(&mut events, 10, "the binary event", |e| match e {
            SocketEvent::Message(m) if m.event() == "bin" => Some(
                m.payload()
                    .attachments
                    .iter()
                    .map(|a| a.len())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .await;
        assert_eq!(sizes, vec![1000; 10], "{mode:?}");
        first(&mut events, 10, "the next message", |e| {
            message_named(e, "after").then_some(())
        })
        .await;
        within(10, "close", client.close()).await;
    }
}
