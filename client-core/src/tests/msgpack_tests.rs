//! The MessagePack parser through the whole core: one binary Engine.IO message per packet,
//! in both directions, on polling and WebSocket, with binary values, acks and recovery.

use std::time::Duration;

use bytes::Bytes;

use super::args;
use super::peer::Peer;
use super::sim::Sim;
use crate::config::Transports;
use crate::engineio::Frame;
use crate::event::{DisconnectReason, Event};
use crate::socket::EmitOptions;
use crate::socketio::Parser;
use crate::transport::{Method, TransportCommand};
use crate::value::Payload;

fn msgpack_sim(transports: Transports) -> Sim {
    let mut peer = Peer::new();
    peer.parser = Parser::MessagePack;
    let mut config = Sim::config();
    config.transports = transports;
    config.parser = Parser::MessagePack;
    Sim::new(config, peer)
}

fn with_binary() -> Payload {
    Payload {
        json: "[\"text\",{\"_placeholder\":true,\"num\":0},{\"n\":[{\"_placeholder\":true,\"num\":1}]}]"
            .into(),
        attachments: vec![Bytes::from_static(b"\x00\x01"), Bytes::from_static(b"xyz")],
    }
}

#[test]
fn binary_emits_and_acks_round_trip_as_one_message_each() {
    for transports in [Transports::WebSocketOnly, Transports::PollingOnly] {
        let mut sim = msgpack_sim(transports);
        sim.connect("/");
        assert!(sim.client.id("/").is_some(), "{transports:?}");
        let ack = EmitOptions {
            ack: true,
            ..EmitOptions::default()
        };
        let handle = sim
            .client
            .emit("/", "echo", with_binary(), ack, sim.now)
            .unwrap()
            .unwrap();
        sim.run_for(Duration::from_millis(20));
        // The peer got one packet with both attachments, from one message.
        let got = sim.peer.received.last().unwrap().clone();
        assert_eq!(got.attachments.len(), 2, "{transports:?}");
        let replied = sim.log.iter().find_map(|(_, e)| match e {
            Event::Ack {
                handle: h, args, ..
            } if *h == handle => Some(args.clone()),
            _ => None,
        });
        assert_eq!(replied, Some(with_binary()), "{transports:?}");
        // Nothing but binary Socket.IO messages went out after the handshake.
        let texts = sim.commands.iter().filter(|c| match c {
            TransportCommand::Send {
                frame: Frame::Text(t),
                ..
            } => t.starts_with('4'),
            TransportCommand::Http { request, .. } if request.method == Method::Post => request
                .body
                .as_deref()
                .unwrap_or("")
                .split('\u{1e}')
                .any(|p| p.starts_with('4')),
            _ => false,
        });
        assert_eq!(
            texts.count(),
            0,
            "{transports:?}: no text Socket.IO message"
        );
    }
}

#[test]
fn server_events_with_binary_arrive_as_payloads() {
    let mut sim = msgpack_sim(Transports::PollingThenWebSocket);
    sim.connect("/");
    sim.peer.emit_binary(
        "/",
        "[\"file\",{\"_placeholder\":true,\"num\":0}]",
        vec![Bytes::from_static(b"\xff\xfe")],
        None,
    );
    sim.run_for(Duration::from_millis(20));
    let msg = sim.log.iter().find_map(|(_, e)| match e {
        Event::Message { event, args, .. } if event == "file" => Some(args.clone()),
        _ => None,
    });
    let args = msg.expect("the event");
    assert_eq!(args.json, "[{\"_placeholder\":true,\"num\":0}]");
    assert_eq!(args.attachments, [Bytes::from_static(b"\xff\xfe")]);
}

#[test]
fn a_text_message_is_a_parse_error_with_the_msgpack_parser() {
    let mut sim = msgpack_sim(Transports::WebSocketOnly);
    sim.connect("/");
    sim.peer.send_raw_message("2[\"hi\"]");
    sim.run_for(Duration::from_millis(20));
    assert!(sim.log.iter().any(|(_, e)| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::ParseError,
            ..
        }
    )));
}

#[test]
fn auth_and_a_plain_emit_are_msgpack_maps_on_the_wire() {
    let mut sim = msgpack_sim(Transports::WebSocketOnly);
    sim.client
        .emit("/", "hi", args("[1]"), EmitOptions::default(), sim.now)
        .unwrap();
    sim.connect("/");
    sim.run_for(Duration::from_millis(20));
    let binary: Vec<Bytes> = sim
        .commands
        .iter()
        .filter_map(|c| match c {
            TransportCommand::Send {
                frame: Frame::Binary(b),
                ..
            } => Some(b.clone()),
            _ => None,
        })
        .collect();
    // CONNECT {type:0, nsp:"/"}, then the buffered EVENT {type:2, data:["hi",1], nsp:"/"}.
    assert_eq!(&binary[0][..], b"\x82\xa4type\x00\xa3nsp\xa1/");
    assert_eq!(
        &binary[1][..],
        b"\x83\xa4type\x02\xa4data\x92\xa2hi\x01\xa3nsp\xa1/"
    );
}
