//! Connection state recovery (§5.3 item 49) and rooms that survive reconnects.

use std::time::Duration;

use super::peer::Peer;
use super::sim::Sim;
use super::{args, position};
use crate::config::Transports;
use crate::event::Event;
use crate::socket::EmitOptions;

fn recovering_sim() -> Sim {
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    let mut peer = Peer::new();
    peer.recovery = true;
    Sim::new(config, peer)
}

#[test]
fn s49_recovery_sends_pid_and_offset_keeps_the_id_and_delivers_missed_events() {
    let mut sim = recovering_sim();
    sim.connect("/");
    let id = sim.client.id("/").unwrap().to_string();
    sim.peer.emit("/", "news", "1", None);
    sim.run_for(Duration::from_millis(10));
    sim.peer.reset_transport();
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Disconnect { .. }
    )));
    // Missed while away.
    sim.peer.emit("/", "news", "2", None);
    sim.new_events();
    assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    sim.run_for(Duration::from_millis(10));
    let reconnect_payload = sim.peer.connect_payloads.last().unwrap().1.clone().unwrap();
    assert!(
        reconnect_payload.starts_with("{\"pid\":\"pid")
            && reconnect_payload.contains(",\"offset\":\"off"),
        "{reconnect_payload}"
    );
    assert_eq!(sim.client.id("/"), Some(id.as_str()));
    assert!(sim.client.recovered("/"));
    let events = sim.new_events();
    assert!(events.contains(&Event::Connect {
        ns: "/".into(),
        id,
        recovered: true
    }));
    let missed = events.iter().find_map(|e| match e {
        Event::Message { event, args, .. } if event == "news" => Some(args.json.clone()),
        _ => None,
    });
    // The offset stays visible as the last argument, as in socket.io-client.
    assert!(missed.unwrap().starts_with("[2,\"off"));
}

#[test]
fn without_any_event_received_recovery_sends_only_the_pid() {
    let mut sim = recovering_sim();
    sim.connect("/");
    sim.peer.reset_transport();
    assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    let payload = sim.peer.connect_payloads.last().unwrap().1.clone().unwrap();
    assert!(
        payload.starts_with("{\"pid\":") && !payload.contains("offset"),
        "{payload}"
    );
}

#[test]
fn rooms_are_rejoined_first_then_the_buffer_then_connect() {
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    sim.client.join("/", "lobby", sim.now);
    sim.client.join("/", "games", sim.now);
    sim.client.join("/", "temp", sim.now);
    sim.client.leave("/", "temp", sim.now);
    sim.run_for(Duration::from_millis(10));
    let joined: Vec<_> = sim
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Joined { room, .. } => Some(room),
            _ => None,
        })
        .collect();
    assert_eq!(joined, ["lobby", "games"]);
    assert_eq!(sim.client.rooms("/"), ["lobby", "games"]);

    sim.peer.reset_transport();
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Disconnect { .. }
    )));
    sim.client
        .emit(
            "/",
            "chat",
            args("[\"while away\"]"),
            EmitOptions::default(),
            sim.now,
        )
        .unwrap();
    sim.client.join("/", "late", sim.now);
    let wire_before = sim.peer.wire_log.len();
    sim.new_events();
    assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    // What was written, in order, before Connect was reported:
    let written: Vec<String> = sim
        .commands
        .iter()
        .rev()
        .take_while(|c| !matches!(c, crate::TransportCommand::OpenWebSocket { .. }))
        .filter_map(|c| match c {
            crate::TransportCommand::Send {
                frame: crate::engineio::Frame::Text(t),
                ..
            } => Some(t.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(
        written,
        [
            "40",
            "424[\"join\",\"lobby\"]",
            "425[\"join\",\"games\"]",
            "426[\"join\",\"late\"]",
            "42[\"chat\",\"while away\"]",
        ]
    );
    assert!(sim.peer.wire_log.len() > wire_before);
    sim.run_for(Duration::from_millis(10));
    let events = sim.new_events();
    let connect = position(&events, |e| matches!(e, Event::Connect { .. })).unwrap();
    let rejoined = position(
        &events,
        |e| matches!(e, Event::Joined { room, .. } if room == "lobby"),
    )
    .unwrap();
    assert!(
        connect < rejoined,
        "acks of the re-joins come back after connect"
    );
}

#[test]
fn a_recovered_session_rejoins_nothing_but_sends_changes_made_while_away() {
    let mut sim = recovering_sim();
    sim.connect("/");
    sim.client.join("/", "a", sim.now);
    sim.client.join("/", "b", sim.now);
    sim.peer.emit("/", "tick", "0", None); // so there is an offset to recover from
    sim.run_for(Duration::from_millis(10));
    sim.peer.reset_transport();
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Disconnect { .. }
    )));
    sim.client.leave("/", "a", sim.now);
    sim.client.join("/", "c", sim.now);
    let before = sim.peer.wire_log.len();
    assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
        e,
        Event::Connect {
            recovered: true,
            ..
        }
    )));
    sim.run_for(Duration::from_millis(10));
    let after: Vec<_> = sim.peer.wire_log[before..]
        .iter()
        .filter(|p| p.starts_with("42"))
        .cloned()
        .collect();
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(after[0].contains("[\"leave\",\"a\"]"));
    assert!(after[1].contains("[\"join\",\"c\"]"));
    assert_eq!(sim.client.rooms("/"), ["b", "c"]);
}
