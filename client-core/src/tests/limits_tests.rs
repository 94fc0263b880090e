//! Issue 13, the core's part: hostile sizes and counts, extreme durations, deep and odd
//! payloads. Every test here failed (or panicked) before the fix it names.

use std::time::Duration;

use bytes::Bytes;

use super::args;
use super::peer::Peer;
use super::sim::Sim;
use crate::config::{Auth, Transports};
use crate::engineio::Frame;
use crate::error::EmitError;
use crate::event::{DisconnectReason, Event};
use crate::socket::EmitOptions;
use crate::socketio::{Packet, PacketType};
use crate::transport::{TransportCommand, TransportInput};
use crate::value::Payload;
use crate::{Config, Manager};

fn ws_config() -> Config {
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    config
}

fn server_event(id: u64) -> Packet {
    Packet {
        kind: PacketType::Event,
        nsp: "/".into(),
        id: Some(id),
        data: Some("[\"ask\",1]".into()),
        attachments: Vec::new(),
    }
}

fn message_acks(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message { ack: Some(id), .. } => Some(*id),
            _ => None,
        })
        .collect()
}

#[test]
fn unanswered_server_ack_requests_are_capped_oldest_first() {
    let mut config = ws_config();
    config.max_pending_server_acks = 100;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    // A server that keeps asking, an application that never answers.
    for id in 0..10_000 {
        sim.peer.send(server_event(id));
    }
    sim.run_for(Duration::from_millis(10));
    assert_eq!(message_acks(&sim.events()).len(), 10_000);
    assert_eq!(sim.client.dropped_ack_requests("/"), 9_900);
    assert!(
        sim.client.footprint() <= 100 + 10,
        "{}",
        sim.client.footprint()
    );
    // The oldest were forgotten, the newest can still be answered, each once.
    assert_eq!(
        sim.client.ack("/", 0, args("[]"), sim.now),
        Err(EmitError::UnknownAck(0))
    );
    assert_eq!(sim.client.ack("/", 9_999, args("[]"), sim.now), Ok(()));
    assert_eq!(
        sim.client.ack("/", 9_999, args("[]"), sim.now),
        Err(EmitError::UnknownAck(9_999))
    );
    assert_eq!(sim.client.ack("/", 9_900, args("[]"), sim.now), Ok(()));
    assert_eq!(
        Config::new("http://x").unwrap().max_pending_server_acks,
        10_000
    );
}

#[test]
fn server_ack_requests_in_descending_order() {
    let mut config = ws_config();
    config.max_pending_server_acks = usize::MAX;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    let n = 20_000u64;
    for id in (0..n).rev() {
        sim.peer.send(server_event(id));
    }
    sim.run_for(Duration::from_millis(10));
    for id in 0..n {
        assert_eq!(sim.client.ack("/", id, args("[]"), sim.now), Ok(()));
    }
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.client.footprint(), 0);
}

#[test]
fn ack_requests_received_while_connecting_go_with_a_disconnect() {
    let mut config = ws_config();
    config.auth = Auth::Provider;
    let mut sim = Sim::new(config, Peer::new());
    sim.client.connect("/", sim.now);
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::AuthRequest { .. }
    )));
    // The socket is connecting (waiting for its auth) when the server asks for an ack.
    sim.peer.send(server_event(7));
    sim.run_for(Duration::from_millis(10));
    sim.client.disconnect("/", sim.now);
    sim.run_for(Duration::from_millis(10));
    assert_eq!(
        sim.client.ack("/", 7, args("[]"), sim.now),
        Err(EmitError::UnknownAck(7))
    );
}

#[test]
fn ack_requests_go_with_a_lost_connection() {
    let mut sim = Sim::new(ws_config(), Peer::new());
    sim.connect("/");
    sim.peer.send(server_event(3));
    sim.run_for(Duration::from_millis(10));
    sim.peer.reset_transport();
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Disconnect { .. }
    )));
    assert_eq!(
        sim.client.ack("/", 3, args("[]"), sim.now),
        Err(EmitError::UnknownAck(3))
    );
}

#[test]
fn one_packet_cannot_carry_more_than_max_packet_bytes() {
    let mut config = ws_config();
    config.max_packet_bytes = 1000;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    let data = "[\"f\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";
    // Each attachment is small; together they are over the limit.
    sim.peer.emit_binary(
        "/",
        data,
        vec![Bytes::from(vec![1; 600]), Bytes::from(vec![2; 600])],
        None,
    );
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::ParseError,
            ..
        }
    )));
    assert!(!sim
        .events()
        .iter()
        .any(|e| matches!(e, Event::Message { .. })));
}

fn nested_event(depth: usize) -> String {
    format!(
        "[\"deep\",{}1{}]",
        "[".repeat(depth - 1),
        "]".repeat(depth - 1)
    )
}

#[test]
fn an_event_nested_a_thousand_levels_deep_is_delivered() {
    let mut sim = Sim::new(ws_config(), Peer::new());
    sim.connect("/");
    // 128 levels (socket.io-parser accepts them) used to be a parse error.
    for depth in [128, crate::json::MAX_NESTING] {
        sim.peer
            .send_raw_message(&format!("2{}", nested_event(depth)));
    }
    sim.run_for(Duration::from_millis(10));
    let deep: Vec<_> = sim
        .events()
        .into_iter()
        .filter(|e| matches!(e, Event::Message { event, .. } if event == "deep"))
        .collect();
    assert_eq!(deep.len(), 2);
    assert!(sim.client.is_connected("/"));
    // One level more is a parse error: the documented limit.
    sim.peer
        .send_raw_message(&format!("2{}", nested_event(crate::json::MAX_NESTING + 1)));
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::ParseError,
            ..
        }
    )));
}

#[test]
fn a_repeated_key_over_a_placeholder_is_accepted_like_socket_io_parser() {
    let mut sim = Sim::new(ws_config(), Peer::new());
    sim.connect("/");
    sim.peer.emit_binary(
        "/",
        "[\"dup\",{\"e\":{\"_placeholder\":true},\"e\":0},{\"_placeholder\":true,\"num\":0}]",
        vec![Bytes::from_static(b"\x01")],
        None,
    );
    sim.run_for(Duration::from_millis(10));
    let got: Vec<_> = sim
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Message { event, args, .. } if event == "dup" => Some(args),
            _ => None,
        })
        .collect();
    assert_eq!(got.len(), 1, "{:#?}", sim.log);
    let values = got[0].to_values().unwrap();
    assert_eq!(values[0].get("e"), Some(&crate::value::Value::from(0i64)));
    assert!(sim.client.is_connected("/"));
}

// ----- durations ----------------------------------------------------------------------------

#[test]
fn an_emit_with_duration_max_timeout_does_not_panic() {
    let mut sim = Sim::new(ws_config(), Peer::new());
    sim.connect("/");
    let opts = EmitOptions {
        ack: true,
        timeout: Some(Duration::MAX),
        volatile: false,
    };
    let handle = sim
        .client
        .emit("/", "echo", args("[1]"), opts, sim.now)
        .unwrap()
        .unwrap();
    let deadline = sim.client.poll_timeout().unwrap();
    assert!(deadline > sim.now);
    sim.run_for(Duration::from_millis(10));
    assert!(sim
        .events()
        .iter()
        .any(|e| matches!(e, Event::Ack { handle: h, .. } if *h == handle)));
    // The same with the default ack timeout and retries.
    let mut config = ws_config();
    config.ack_timeout = Some(Duration::MAX);
    config.retries = 3;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    sim.client.join("/", "room", sim.now);
    let ack = EmitOptions {
        ack: true,
        ..EmitOptions::default()
    };
    sim.client
        .emit("/", "echo", args("[1]"), ack, sim.now)
        .unwrap();
    sim.run_for(Duration::from_millis(10));
    assert!(sim.events().iter().any(|e| matches!(e, Event::Ack { .. })));
}

#[test]
fn duration_max_everywhere_in_the_config() {
    let mut config = ws_config();
    config.reconnection_delay = Duration::MAX;
    config.reconnection_delay_max = Duration::MAX;
    config.timeout = Some(Duration::MAX);
    config.upgrade_timeout = Duration::MAX;
    config.transports = Transports::PollingThenWebSocket;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    sim.peer.reset_transport();
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Disconnect { .. }
    )));
    // The reconnection is scheduled about a century from now, without a panic.
    let next = sim.client.poll_timeout().unwrap();
    assert!(next > sim.now + Duration::from_secs(50 * 365 * 24 * 3600));
    sim.client.reconnect_now(sim.now);
    sim.run_for(Duration::from_millis(100));
    assert!(sim.client.is_connected("/"));
}

/// Drives a manager by hand over a WebSocket whose server sends `handshake`.
fn open_with_handshake(handshake: &str) -> (Manager, crate::Instant) {
    let now = crate::test_epoch();
    let mut m = Manager::new(ws_config()).unwrap();
    m.connect("/", now);
    let Some(TransportCommand::OpenWebSocket { id, .. }) = m.poll_transport() else {
        panic!("expected a websocket");
    };
    m.handle_transport(now, TransportInput::Opened { id });
    m.handle_transport(
        now,
        TransportInput::Frame {
            id,
            frame: Frame::Text(format!("0{handshake}")),
        },
    );
    (m, now)
}

#[test]
fn a_huge_ping_interval_in_the_handshake_does_not_panic() {
    let (m, now) = open_with_handshake(
        "{\"sid\":\"s\",\"upgrades\":[],\"pingInterval\":18446744073709551615,\
         \"pingTimeout\":18446744073709551615,\"maxPayload\":1}",
    );
    assert!(m.is_active("/"));
    assert!(m.poll_timeout().is_some_and(|t| t > now));
}

#[test]
fn zero_timeouts_cannot_make_the_core_spin_at_one_instant() {
    let mut config = ws_config();
    config.timeout = Some(Duration::ZERO);
    config.reconnection_delay = Duration::ZERO;
    config.reconnection_delay_max = Duration::ZERO;
    config.ack_timeout = Some(Duration::ZERO);
    let now = crate::test_epoch();
    let mut m = Manager::new(config).unwrap();
    m.connect("/", now);
    m.emit("/", "e", Payload::empty(), EmitOptions::default(), now)
        .unwrap();
    let mut t = now;
    for _ in 0..100 {
        m.handle_timeout(t);
        while m.poll_transport().is_some() {}
        while m.poll_event().is_some() {}
        let next = m.poll_timeout().expect("a timer is armed");
        assert!(next > t, "a deadline at or before the instant just handled");
        t = next;
    }
    assert!(t >= now + Duration::from_millis(100));
}

#[test]
fn an_event_dropped_from_the_full_receive_buffer_leaves_no_ack_request() {
    let mut config = ws_config();
    config.auth = Auth::Provider;
    let mut sim = Sim::new(config, Peer::new());
    sim.client.connect("/", sim.now);
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::AuthRequest { .. }
    )));
    // 1,024 events are kept for the connect; the rest are dropped, with their ack requests.
    for id in 0..1_100 {
        sim.peer.send(server_event(id));
    }
    sim.run_for(Duration::from_millis(10));
    sim.client.provide_auth("/", None, sim.now);
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    assert_eq!(message_acks(&sim.events()).len(), 1_024);
    assert_eq!(
        sim.client.ack("/", 1_050, args("[]"), sim.now),
        Err(EmitError::UnknownAck(1_050))
    );
    assert_eq!(sim.client.ack("/", 1_000, args("[]"), sim.now), Ok(()));
}
