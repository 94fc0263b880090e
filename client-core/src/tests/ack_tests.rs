//! Events, acks, binary, buffering (§5.3 items 22–39, 50).

use std::time::Duration;

use bytes::Bytes;

use super::peer::{Mode, Peer};
use super::sim::Sim;
use super::{args, position};
use crate::config::Transports;
use crate::error::EmitError;
use crate::event::{AckError, AckHandle, DisconnectReason, Event};
use crate::socket::EmitOptions;
use crate::value::{Payload, Value};

fn ack() -> EmitOptions {
    EmitOptions {
        ack: true,
        ..EmitOptions::default()
    }
}

fn ack_within(ms: u64) -> EmitOptions {
    EmitOptions {
        ack: true,
        timeout: Some(Duration::from_millis(ms)),
        volatile: false,
    }
}

fn ws_sim(peer: Peer) -> Sim {
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    Sim::new(config, peer)
}

#[test]
fn s22_emit_encoding_and_ack_ids_count_up_per_socket() {
    let mut sim = ws_sim(Peer::new());
    sim.connect("/");
    sim.connect("/admin");
    sim.client
        .emit("/", "hi", args("[1]"), EmitOptions::default(), sim.now)
        .unwrap();
    sim.client
        .emit("/", "echo", args("[\"a\"]"), ack(), sim.now)
        .unwrap();
    sim.client
        .emit("/", "echo", args("[\"b\"]"), ack(), sim.now)
        .unwrap();
    sim.client
        .emit("/admin", "echo", args("[]"), ack(), sim.now)
        .unwrap();
    sim.run_for(Duration::from_millis(10));
    let wire: Vec<_> = sim
        .peer
        .wire_log
        .iter()
        .filter(|p| p.starts_with("42"))
        .cloned()
        .collect();
    assert_eq!(
        wire,
        [
            "42[\"hi\",1]",
            "420[\"echo\",\"a\"]",
            "421[\"echo\",\"b\"]",
            "42/admin,0[\"echo\"]"
        ]
    );
}

#[test]
fn s23_server_acks_resolve_once_and_unknown_ids_are_ignored() {
    let mut sim = ws_sim(Peer::new());
    sim.connect("/");
    let h = sim
        .client
        .emit("/", "echo", args("[5,{\"test\":true}]"), ack(), sim.now)
        .unwrap();
    sim.run_for(Duration::from_millis(10));
    let acks: Vec<_> = sim
        .events()
        .into_iter()
        .filter(|e| matches!(e, Event::Ack { .. }))
        .collect();
    assert_eq!(
        acks,
        [Event::Ack {
            ns: "/".into(),
            handle: h.unwrap(),
            args: args("[5,{\"test\":true}]")
        }]
    );
    // A duplicate and an unknown ack change nothing.
    sim.peer.send(crate::socketio::Packet {
        kind: crate::socketio::PacketType::Ack,
        nsp: "/".into(),
        id: Some(0),
        data: Some("[1]".into()),
        attachments: vec![],
    });
    sim.peer.send(crate::socketio::Packet {
        kind: crate::socketio::PacketType::Ack,
        nsp: "/".into(),
        id: Some(99),
        data: Some("[1]".into()),
        attachments: vec![],
    });
    sim.run_for(Duration::from_millis(10));
    assert_eq!(
        sim.events()
            .iter()
            .filter(|e| matches!(e, Event::Ack { .. }))
            .count(),
        1
    );
    assert!(sim.client.is_connected("/"));
}

#[test]
fn s24_server_ack_requests_are_answered_once() {
    let mut sim = ws_sim(Peer::new());
    sim.connect("/");
    sim.peer.emit("/", "ask", "{\"q\":1}", Some(7));
    sim.run_for(Duration::from_millis(10));
    assert!(sim.events().contains(&Event::Message {
        ns: "/".into(),
        event: "ask".into(),
        args: args("[{\"q\":1}]"),
        ack: Some(7)
    }));
    sim.client.ack("/", 7, args("[\"yes\"]"), sim.now).unwrap();
    assert_eq!(
        sim.client.ack("/", 7, args("[\"again\"]"), sim.now),
        Err(EmitError::UnknownAck(7))
    );
    sim.run_for(Duration::from_millis(10));
    let acks: Vec<_> = sim
        .peer
        .wire_log
        .iter()
        .filter(|p| p.starts_with("43"))
        .cloned()
        .collect();
    assert_eq!(acks, ["437[\"yes\"]"]);
}

#[test]
fn s25_s26_binary_emits_and_acks_keep_attachments_and_order() {
    for transports in [Transports::PollingOnly, Transports::WebSocketOnly] {
        let mut config = Sim::config();
        config.transports = transports;
        let mut sim = Sim::new(config, Peer::new());
        sim.connect("/");
        let payload = Payload::from_values(&[
            Value::Bytes(Bytes::from_static(b"\x00\x01\x02")),
            Value::Object(vec![(
                "deep".into(),
                Value::Array(vec![Value::Bytes(Bytes::from_static(b"\xff"))]),
            )]),
        ]);
        sim.client
            .emit("/", "plain", args("[1]"), EmitOptions::default(), sim.now)
            .unwrap();
        let h = sim
            .client
            .emit("/", "echo", payload.clone(), ack(), sim.now)
            .unwrap()
            .unwrap();
        sim.client
            .emit("/", "plain", args("[2]"), EmitOptions::default(), sim.now)
            .unwrap();
        sim.run_for(Duration::from_millis(50));
        let names: Vec<_> = sim
            .peer
            .events_on("/")
            .iter()
            .map(|d| d[2..7].to_string())
            .collect();
        assert_eq!(names, ["plain", "echo\"", "plain"], "{transports:?}");
        let header = sim
            .peer
            .wire_log
            .iter()
            .find(|p| p.starts_with("452-"))
            .expect("binary header");
        assert_eq!(
            header,
            "452-0[\"echo\",{\"_placeholder\":true,\"num\":0},{\"deep\":[{\"_placeholder\":true,\"num\":1}]}]"
        );
        let ack = sim.events().into_iter().find_map(|e| match e {
            Event::Ack { handle, args, .. } if handle == h => Some(args),
            _ => None,
        });
        assert_eq!(
            ack.unwrap().to_values().unwrap(),
            payload.to_values().unwrap()
        );
    }
}

#[test]
fn s26_binary_events_from_the_server_are_reassembled() {
    let mut sim = ws_sim(Peer::new());
    sim.connect("/");
    sim.peer.emit_binary(
        "/",
        "[\"file\",{\"a\":{\"_placeholder\":true,\"num\":1}},{\"_placeholder\":true,\"num\":0}]",
        vec![Bytes::from_static(b"zero"), Bytes::from_static(b"one")],
        None,
    );
    sim.run_for(Duration::from_millis(10));
    let message = sim.events().into_iter().find_map(|e| match e {
        Event::Message { event, args, .. } if event == "file" => Some(args),
        _ => None,
    });
    let values = message.unwrap().to_values().unwrap();
    assert_eq!(
        values,
        vec![
            Value::Object(vec![("a".into(), Value::Bytes(Bytes::from_static(b"one")))]),
            Value::Bytes(Bytes::from_static(b"zero")),
        ]
    );
}

#[test]
fn s27_s30_s31_undecodable_packets_close_with_parse_error_and_reconnect() {
    for garbage in [
        "2[\"connect\"]",
        "5-[\"a\"]",
        "2{\"not\":\"an array\"}",
        "garbage",
        "",
        "511-[\"a\",{\"_placeholder\":true,\"num\":0}]",
    ] {
        let mut sim = ws_sim(Peer::new());
        sim.connect("/");
        sim.peer.send_raw_message(garbage);
        assert!(
            sim.run_until(Duration::from_secs(1), |e| matches!(
                e,
                Event::Close {
                    reason: DisconnectReason::ParseError
                }
            )),
            "{garbage}"
        );
        assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
            e,
            Event::Connect { .. }
        )));
        assert_eq!(sim.peer.sessions_opened, 2);
    }
}

#[test]
fn s27_a_placeholder_out_of_range_is_a_parse_error() {
    let mut sim = ws_sim(Peer::new());
    sim.connect("/");
    sim.peer.emit_binary(
        "/",
        "[\"x\",{\"_placeholder\":true,\"num\":5}]",
        vec![Bytes::from_static(b"a")],
        None,
    );
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Close {
            reason: DisconnectReason::ParseError
        }
    )));
}

#[test]
fn s30_reserved_names_cannot_be_emitted() {
    let mut sim = ws_sim(Peer::new());
    for name in crate::error::RESERVED_EVENTS {
        assert_eq!(
            sim.client
                .emit("/", name, args("[]"), EmitOptions::default(), sim.now),
            Err(EmitError::ReservedName(name.into()))
        );
    }
    assert_eq!(
        sim.client.emit(
            "/",
            "x",
            Payload {
                json: "{}".into(),
                attachments: vec![]
            },
            EmitOptions::default(),
            sim.now
        ),
        Err(EmitError::InvalidArgs)
    );
    sim.pump();
    assert!(sim.commands.is_empty());
}

#[test]
fn s32_s33_ack_timeouts_fire_exactly_and_acks_in_time_win() {
    let mut peer = Peer::new();
    peer.ack_echo = false;
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    config.ack_timeout = Some(Duration::from_millis(200));
    let mut sim = Sim::new(config, peer);
    sim.connect("/");
    let t0 = sim.elapsed();
    let explicit = sim
        .client
        .emit("/", "echo", args("[]"), ack_within(50), sim.now)
        .unwrap()
        .unwrap();
    let default = sim
        .client
        .emit("/", "echo", args("[]"), ack(), sim.now)
        .unwrap()
        .unwrap();
    assert!(sim.run_until(
        Duration::from_secs(1),
        |e| matches!(e, Event::AckError { handle, .. } if *handle == explicit)
    ));
    assert_eq!(sim.elapsed() - t0, Duration::from_millis(50));
    assert!(sim.run_until(
        Duration::from_secs(1),
        |e| matches!(e, Event::AckError { handle, .. } if *handle == default)
    ));
    assert_eq!(sim.elapsed() - t0, Duration::from_millis(200));
    assert!(sim.events().contains(&Event::AckError {
        ns: "/".into(),
        handle: explicit,
        error: AckError::Timeout
    }));
    // An ack arriving in time wins, and a late ack after the timeout is ignored.
    sim.peer.ack_echo = true;
    let on_time = sim
        .client
        .emit("/", "echo", args("[3]"), ack_within(50), sim.now)
        .unwrap()
        .unwrap();
    sim.run_for(Duration::from_millis(100));
    let outcomes: Vec<_> = sim
        .events()
        .into_iter()
        .filter(|e| matches!(e, Event::Ack { handle, .. } | Event::AckError { handle, .. } if *handle == on_time))
        .collect();
    assert_eq!(
        outcomes,
        [Event::Ack {
            ns: "/".into(),
            handle: on_time,
            args: args("[3]")
        }]
    );
}

#[test]
fn s34_a_timeout_while_offline_removes_the_packet_from_the_buffer() {
    let mut sim = ws_sim(Peer::new());
    let h = sim
        .client
        .emit("/", "echo", args("[1]"), ack_within(100), sim.now)
        .unwrap()
        .unwrap();
    sim.client
        .emit("/", "keep", args("[]"), EmitOptions::default(), sim.now)
        .unwrap();
    sim.run_for(Duration::from_millis(150));
    assert!(sim.events().contains(&Event::AckError {
        ns: "/".into(),
        handle: h,
        error: AckError::Timeout
    }));
    sim.connect("/");
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.peer.events_on("/"), ["[\"keep\"]"]);
}

#[test]
fn s35_on_disconnect_sent_acks_fail_and_buffered_ones_survive() {
    let mut peer = Peer::new();
    peer.ack_echo = false;
    let mut sim = ws_sim(peer);
    sim.connect("/");
    let sent = sim
        .client
        .emit("/", "echo", args("[1]"), ack(), sim.now)
        .unwrap()
        .unwrap();
    sim.run_for(Duration::from_millis(10));
    sim.peer.close_session();
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Disconnect { .. }
    )));
    let buffered = sim
        .client
        .emit("/", "echo", args("[2]"), ack(), sim.now)
        .unwrap()
        .unwrap();
    sim.peer.ack_echo = true;
    assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    sim.run_for(Duration::from_millis(10));
    let events = sim.events();
    assert!(events.contains(&Event::AckError {
        ns: "/".into(),
        handle: sent,
        error: AckError::Disconnected
    }));
    assert!(events.contains(&Event::Ack {
        ns: "/".into(),
        handle: buffered,
        args: args("[2]")
    }));
    let disconnect = position(&events, |e| matches!(e, Event::Disconnect { .. })).unwrap();
    let failed = position(&events, |e| matches!(e, Event::AckError { .. })).unwrap();
    assert!(
        disconnect < failed,
        "disconnect is reported first, like socket.io-client"
    );
}

#[test]
fn s36_offline_emits_are_flushed_in_order_before_connect_is_reported() {
    let mut sim = ws_sim(Peer::new());
    for i in 0..5 {
        sim.client
            .emit(
                "/",
                "m",
                args(&format!("[{i}]")),
                EmitOptions::default(),
                sim.now,
            )
            .unwrap();
    }
    sim.client.connect("/", sim.now);
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    // Every buffered packet was written before the Connect event was produced: the peer has
    // them as soon as the in-flight frames land.
    let written_before_connect = sim
        .commands
        .iter()
        .filter(|c| matches!(c, crate::TransportCommand::Send { frame: crate::engineio::Frame::Text(t), .. } if t.starts_with("42")))
        .count();
    assert_eq!(written_before_connect, 5);
    sim.run_for(Duration::from_millis(10));
    let expected: Vec<String> = (0..5).map(|i| format!("[\"m\",{i}]")).collect();
    assert_eq!(sim.peer.events_on("/"), expected);
}

#[test]
fn s37_volatile_is_dropped_unless_the_transport_can_take_it() {
    let mut sim = ws_sim(Peer::new());
    let volatile = EmitOptions {
        volatile: true,
        ..EmitOptions::default()
    };
    sim.client
        .emit("/", "v", args("[0]"), volatile, sim.now)
        .unwrap();
    sim.connect("/");
    sim.client
        .emit("/", "v", args("[1]"), volatile, sim.now)
        .unwrap();
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.peer.events_on("/"), ["[\"v\",1]"]);

    // Polling with a POST in flight: the transport is busy, the volatile packet is dropped.
    let mut config = Sim::config();
    config.transports = Transports::PollingOnly;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    sim.client
        .emit("/", "n", args("[]"), EmitOptions::default(), sim.now)
        .unwrap();
    sim.client
        .emit("/", "v", args("[2]"), volatile, sim.now)
        .unwrap();
    let h = sim
        .client
        .emit(
            "/",
            "v",
            args("[3]"),
            EmitOptions {
                ack: true,
                ..volatile
            },
            sim.now,
        )
        .unwrap()
        .unwrap();
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.peer.events_on("/"), ["[\"n\"]"]);
    assert!(sim.events().contains(&Event::AckError {
        ns: "/".into(),
        handle: h,
        error: AckError::NotSent
    }));
}

#[test]
fn s39_outgoing_events_are_reported_but_acks_are_not() {
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    config.report_outgoing = true;
    let mut sim = Sim::new(config, Peer::new());
    sim.client
        .emit(
            "/",
            "buffered",
            args("[1]"),
            EmitOptions::default(),
            sim.now,
        )
        .unwrap();
    sim.connect("/");
    sim.client
        .emit(
            "/",
            "now",
            Payload::from_values(&[Value::Bytes(Bytes::from_static(b"b"))]),
            EmitOptions::default(),
            sim.now,
        )
        .unwrap();
    sim.peer.emit("/", "ask", "1", Some(3));
    sim.run_for(Duration::from_millis(10));
    sim.client.ack("/", 3, args("[]"), sim.now).unwrap();
    sim.run_for(Duration::from_millis(10));
    let outgoing: Vec<_> = sim
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Outgoing { event, .. } => Some(event),
            _ => None,
        })
        .collect();
    assert_eq!(outgoing, ["buffered", "now"]);
    // Incoming events are reported with their name and args (onAny).
    assert!(sim
        .events()
        .iter()
        .any(|e| matches!(e, Event::Message { event, .. } if event == "ask")));
}

#[test]
fn s50_retries_one_in_flight_new_id_per_try_then_error() {
    let mut peer = Peer::new();
    peer.ack_echo = false;
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    config.retries = 3;
    config.ack_timeout = Some(Duration::from_millis(100));
    let mut sim = Sim::new(config, peer);
    sim.connect("/");
    let first = sim
        .client
        .emit("/", "echo", args("[\"a\"]"), ack(), sim.now)
        .unwrap()
        .unwrap();
    let second = sim
        .client
        .emit("/", "echo", args("[\"b\"]"), ack(), sim.now)
        .unwrap()
        .unwrap();
    sim.run_for(Duration::from_millis(350));
    // Only the head is in flight: 4 tries of "a" so far at most, no "b".
    let wire: Vec<_> = sim
        .peer
        .wire_log
        .iter()
        .filter(|p| p.starts_with("42"))
        .cloned()
        .collect();
    assert_eq!(
        wire,
        [
            "420[\"echo\",\"a\"]",
            "421[\"echo\",\"a\"]",
            "422[\"echo\",\"a\"]",
            "423[\"echo\",\"a\"]"
        ]
    );
    assert!(sim.run_until(
        Duration::from_secs(1),
        |e| matches!(e, Event::AckError { handle, .. } if *handle == first)
    ));
    // Then "b" goes; the server answers now.
    sim.peer.ack_echo = true;
    assert!(sim.run_until(
        Duration::from_secs(1),
        |e| matches!(e, Event::Ack { handle, .. } if *handle == second)
    ));
    let wire: Vec<_> = sim
        .peer
        .wire_log
        .iter()
        .filter(|p| p.starts_with("42"))
        .cloned()
        .collect();
    assert_eq!(wire.len(), 5, "{wire:?}"); // 4 × a, then b once (answered on its first try)
    assert_eq!(wire[4], "424[\"echo\",\"b\"]");
    let _ = AckHandle(0);
}

#[test]
fn s50_retries_do_not_drain_while_offline_nor_send_twice_on_connect() {
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    config.retries = 2;
    config.ack_timeout = Some(Duration::from_millis(1000));
    let mut sim = Sim::new(config, Peer::new());
    let h = sim
        .client
        .emit("/", "echo", args("[null]"), ack(), sim.now)
        .unwrap()
        .unwrap();
    sim.run_for(Duration::from_secs(5));
    assert!(sim.peer.wire_log.is_empty());
    sim.connect("/");
    sim.run_for(Duration::from_millis(10));
    let wire: Vec<_> = sim
        .peer
        .wire_log
        .iter()
        .filter(|p| p.starts_with("42"))
        .cloned()
        .collect();
    assert_eq!(wire, ["420[\"echo\",null]"]);
    assert!(sim.events().contains(&Event::Ack {
        ns: "/".into(),
        handle: h,
        args: args("[null]")
    }));
    let _ = Mode::Normal;
}
