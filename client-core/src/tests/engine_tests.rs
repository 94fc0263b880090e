//! Engine.IO layer: handshake, polling, upgrade, heartbeat (§5.3 items 1–9).

use std::time::Duration;

use super::peer::{Mode, Peer};
use super::sim::Sim;
use super::{args, position};
use crate::config::Transports;
use crate::engineio::{Frame, Packet as EPacket};
use crate::event::{DisconnectReason, Event};
use crate::socket::EmitOptions;
use crate::transport::{Method, TransportCommand};

fn http_urls(sim: &Sim) -> Vec<(Method, String)> {
    sim.commands
        .iter()
        .filter_map(|c| match c {
            TransportCommand::Http { request, .. } => Some((request.method, request.url.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn s01_first_request_is_a_polling_handshake_then_every_request_carries_the_sid() {
    let mut config = Sim::config();
    config.transports = Transports::PollingOnly;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    let urls = http_urls(&sim);
    let (m, first) = &urls[0];
    assert_eq!(*m, Method::Get);
    assert!(
        first.starts_with("http://sim.test:3000/socket.io/?EIO=4&transport=polling&t="),
        "{first}"
    );
    assert!(!first.contains("sid="));
    assert!(urls.len() >= 3);
    for (_, url) in &urls[1..] {
        assert!(url.contains("&sid=eio"), "{url}");
    }
    // Cache busters differ between requests.
    let ts: Vec<_> = urls
        .iter()
        .map(|(_, u)| super::peer::query_value(u, "t"))
        .collect();
    assert_ne!(ts[0], ts[1]);
}

#[test]
fn s02_polling_posts_are_text_plain_and_batched_with_the_separator() {
    let mut config = Sim::config();
    config.transports = Transports::PollingOnly;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    for i in 0..3 {
        sim.client
            .emit(
                "/",
                "n",
                args(&format!("[{i}]")),
                EmitOptions::default(),
                sim.now,
            )
            .unwrap();
    }
    sim.run_for(Duration::from_millis(50));
    let posts: Vec<_> = sim
        .peer
        .requests
        .iter()
        .filter(|r| r.method == Method::Post)
        .collect();
    assert!(posts.iter().all(|r| r
        .headers
        .iter()
        .any(|(k, v)| k == "Content-Type" && v == "text/plain;charset=UTF-8")));
    // The first emit goes alone (no POST in flight); the next two wait and share one body.
    let bodies: Vec<_> = posts.iter().filter_map(|r| r.body.clone()).collect();
    assert!(bodies.contains(&"42[\"n\",0]".to_string()), "{bodies:?}");
    assert!(
        bodies.contains(&"42[\"n\",1]\u{1e}42[\"n\",2]".to_string()),
        "{bodies:?}"
    );
    assert_eq!(
        sim.peer.events_on("/"),
        ["[\"n\",0]", "[\"n\",1]", "[\"n\",2]"]
    );
}

#[test]
fn s03_upgrade_probes_then_switches_and_keeps_order() {
    let mut sim = Sim::new(Sim::config(), Peer::new());
    sim.client.connect("/", sim.now);
    // Emit continuously while the upgrade happens.
    let mut sent = 0;
    for _ in 0..40 {
        sim.client
            .emit(
                "/",
                "seq",
                args(&format!("[{sent}]")),
                EmitOptions::default(),
                sim.now,
            )
            .unwrap();
        sent += 1;
        sim.run_for(Duration::from_micros(300));
    }
    sim.run_for(Duration::from_millis(100));
    assert_eq!(sim.peer.transport(), Some("websocket"));
    assert_eq!(sim.client.transport_name(), Some("websocket"));
    let wire = &sim.peer.wire_log;
    let probe = wire
        .iter()
        .position(|p| p == "2probe")
        .expect("2probe sent");
    let upgrade = wire.iter().position(|p| p == "5").expect("5 sent");
    assert!(probe < upgrade);
    let expected: Vec<String> = (0..sent).map(|i| format!("[\"seq\",{i}]")).collect();
    assert_eq!(
        sim.peer.events_on("/"),
        expected,
        "order kept across the upgrade"
    );
    assert!(sim.events().contains(&Event::Upgrade));
    // After the upgrade, no HTTP request is made any more.
    let last_ws_switch = sim
        .commands
        .iter()
        .rposition(
            |c| matches!(c, TransportCommand::Send { frame: Frame::Text(t), .. } if t == "5"),
        )
        .unwrap();
    assert!(!sim.commands[last_ws_switch..]
        .iter()
        .any(|c| matches!(c, TransportCommand::Http { .. })));
}

#[test]
fn s03_failed_probe_falls_back_to_polling() {
    let mut peer = Peer::new();
    peer.answer_probe = false;
    let mut sim = Sim::new(Sim::config(), peer);
    sim.connect("/");
    sim.run_for(Duration::from_secs(11)); // upgrade timeout is 10 s
    assert_eq!(sim.client.transport_name(), Some("polling"));
    sim.client
        .emit("/", "still", args("[]"), EmitOptions::default(), sim.now)
        .unwrap();
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.peer.events_on("/"), ["[\"still\"]"]);
    assert!(sim.client.is_connected("/"));
}

#[test]
fn s04_polling_only_never_upgrades_and_websocket_only_skips_polling() {
    let mut config = Sim::config();
    config.transports = Transports::PollingOnly;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    sim.run_for(Duration::from_secs(1));
    assert!(!sim
        .commands
        .iter()
        .any(|c| matches!(c, TransportCommand::OpenWebSocket { .. })));

    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    assert!(!sim
        .commands
        .iter()
        .any(|c| matches!(c, TransportCommand::Http { .. })));
    match &sim.commands[0] {
        TransportCommand::OpenWebSocket { url, .. } => {
            assert_eq!(
                url,
                "ws://sim.test:3000/socket.io/?EIO=4&transport=websocket"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn s05_every_ping_is_answered_and_reported_and_the_client_never_pings() {
    let mut peer = Peer::new();
    peer.ping_interval = Duration::from_millis(300);
    peer.ping_timeout = Duration::from_millis(200);
    let mut sim = Sim::new(Sim::config(), peer);
    sim.connect("/");
    sim.run_for(Duration::from_secs(3));
    let pings = sim.events().iter().filter(|e| **e == Event::Ping).count();
    assert!(pings >= 9, "{pings}");
    let pongs = sim.peer.wire_log.iter().filter(|p| *p == "3").count();
    assert_eq!(pongs, pings);
    assert!(!sim
        .peer
        .wire_log
        .iter()
        .any(|p| p.starts_with('2') && p != "2probe"));
    assert!(
        sim.client.is_connected("/"),
        "the heartbeat kept the session"
    );
}

#[test]
fn s06_missing_pings_close_with_ping_timeout_then_reconnect() {
    let mut peer = Peer::new();
    peer.ping_interval = Duration::from_millis(1000);
    peer.ping_timeout = Duration::from_millis(500);
    let mut sim = Sim::new(Sim::config(), peer);
    sim.connect("/");
    let t0 = sim.elapsed();
    sim.peer.mode = Mode::Blackhole;
    assert!(sim.run_until(Duration::from_secs(5), |e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::PingTimeout,
            ..
        }
    )));
    // Deadline is armed at the last ping: interval + timeout after it.
    let at = sim.elapsed() - t0;
    assert!(at <= Duration::from_millis(1500 + 5), "{at:?}");
    sim.peer.mode = Mode::Normal;
    assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    let events = sim.events();
    assert!(position(&events, |e| matches!(
        e,
        Event::ReconnectAttempt { attempt: 1 }
    ))
    .is_some());
}

#[test]
fn s07_max_payload_splits_post_batches_but_sends_an_oversize_packet_alone() {
    let mut peer = Peer::new();
    peer.max_payload = 40;
    let mut config = Sim::config();
    config.transports = Transports::PollingOnly;
    let mut sim = Sim::new(config, peer);
    sim.connect("/");
    // Occupy the POST slot, then queue packets while it is in flight.
    sim.client
        .emit("/", "a", args("[]"), EmitOptions::default(), sim.now)
        .unwrap();
    for i in 0..6 {
        sim.client
            .emit(
                "/",
                "b",
                args(&format!("[{i}]")),
                EmitOptions::default(),
                sim.now,
            )
            .unwrap();
    }
    let big = format!("[\"{}\"]", "x".repeat(100));
    sim.client
        .emit("/", "big", args(&big), EmitOptions::default(), sim.now)
        .unwrap();
    sim.run_for(Duration::from_millis(100));
    let bodies: Vec<String> = sim
        .peer
        .requests
        .iter()
        .filter(|r| r.method == Method::Post)
        .filter_map(|r| r.body.clone())
        .collect();
    for body in &bodies {
        if body.contains("big") {
            assert!(
                !body.contains('\u{1e}'),
                "oversize packet goes alone: {body}"
            );
        } else {
            assert!(body.len() <= 40, "{body}");
        }
    }
    assert_eq!(sim.peer.events_on("/").len(), 8);
}

#[test]
fn s08_server_close_is_transport_close_and_reconnects() {
    for transports in [Transports::PollingOnly, Transports::WebSocketOnly] {
        let mut config = Sim::config();
        config.transports = transports;
        let mut sim = Sim::new(config, Peer::new());
        sim.connect("/");
        sim.peer.close_session();
        assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
            e,
            Event::Disconnect {
                reason: DisconnectReason::TransportClose,
                ..
            }
        )));
        assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
            e,
            Event::Connect { .. }
        )));
        assert_eq!(sim.peer.sessions_opened, 2, "{transports:?}");
    }
}

#[test]
fn s09_an_emit_after_the_ping_deadline_is_buffered_and_delivered_after_reconnecting() {
    let mut peer = Peer::new();
    peer.ping_interval = Duration::from_millis(1000);
    peer.ping_timeout = Duration::from_millis(500);
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    let mut sim = Sim::new(config, peer);
    sim.connect("/");
    // The driver's timer was throttled: wall clock jumps 10 s with no handle_timeout call.
    sim.peer.mode = Mode::Blackhole;
    let later = sim.now + std::time::Duration::from_secs(10);
    sim.now = later;
    sim.client
        .emit("/", "late", args("[1]"), EmitOptions::default(), later)
        .unwrap();
    sim.pump();
    assert!(!sim.client.is_connected("/"));
    sim.peer.mode = Mode::Normal;
    assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.peer.events_on("/"), ["[\"late\",1]"]);
}

#[test]
fn engine_frames_from_stale_transports_are_ignored() {
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    let old = sim
        .commands
        .iter()
        .find_map(|c| match c {
            TransportCommand::OpenWebSocket { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    sim.peer.close_session();
    assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    let before = sim.events().len();
    sim.client.handle_transport(
        sim.now,
        crate::TransportInput::Frame {
            id: old,
            frame: EPacket::Close.to_frame(),
        },
    );
    sim.pump();
    assert_eq!(sim.events().len(), before);
    assert!(sim.client.is_connected("/"));
}

/// The bodies of the POSTs that carry the `upload` event or an attachment.
fn upload_posts(sim: &Sim) -> Vec<String> {
    sim.commands
        .iter()
        .filter_map(|c| match c {
            TransportCommand::Http { request, .. } if request.method == Method::Post => {
                request.body.clone()
            }
            _ => None,
        })
        .filter(|b| b.contains("upload") || b.starts_with('b'))
        .collect()
}

/// A ~200 KB event with one 5-byte attachment, emitted on an idle polling connection.
fn big_binary_emit(max_payload: u64) -> Sim {
    let mut peer = Peer::new();
    peer.max_payload = max_payload;
    let mut config = Sim::config();
    config.transports = Transports::PollingOnly;
    let mut sim = Sim::new(config, peer);
    sim.connect("/");
    sim.run_for(Duration::from_millis(50));
    let text = "x".repeat(200_000);
    let payload = crate::value::Payload {
        json: format!("[\"{text}\",{{\"_placeholder\":true,\"num\":0}}]"),
        attachments: vec![bytes::Bytes::from_static(b"\x01\x02\x03\x04\x05")],
    };
    sim.client
        .emit("/", "upload", payload, EmitOptions::default(), sim.now)
        .unwrap();
    sim.run_for(Duration::from_millis(50));
    sim
}

#[test]
fn s07_a_binary_event_goes_in_one_post_with_its_attachment() {
    // Regression: the text header used to leave alone in a 200,046-byte POST, the
    // attachment following in a second one. Both are queued together now.
    let mut sim = big_binary_emit(1_000_000);
    let posts = upload_posts(&sim);
    assert_eq!(posts.len(), 1, "one POST for the header and its attachment");
    let body = &posts[0];
    assert!(body.starts_with("451-[\"upload\",\"xxx"), "{}", &body[..20]);
    assert!(
        body.ends_with("\u{1e}bAQIDBAU="),
        "{}",
        &body[body.len() - 20..]
    );
    sim.run_for(Duration::from_millis(10));
    let got = sim.peer.received.last().unwrap();
    assert_eq!(
        got.attachments,
        vec![bytes::Bytes::from_static(b"\x01\x02\x03\x04\x05")]
    );
}

#[test]
fn s07_above_max_payload_the_attachment_waits_for_the_next_post() {
    // engine.io-client's rule: packets are added while the counted payload fits maxPayload;
    // the header counts 1 + 200,046 bytes, so with a 200,050-byte limit the attachment
    // (counted as ceil(5 * 1.33) = 7, plus 2 for the separator and type) goes next.
    let sim = big_binary_emit(200_050);
    let posts = upload_posts(&sim);
    assert_eq!(posts.len(), 2, "split at maxPayload");
    assert_eq!(posts[0].len(), 200_047);
    assert!(!posts[0].contains('\u{1e}'));
    assert_eq!(posts[1], "bAQIDBAU=");
    assert_eq!(sim.peer.received.last().unwrap().attachments.len(), 1);
}

#[test]
fn the_next_deadline_comes_with_its_reason() {
    use crate::timer::Timer;
    let mut config = Sim::config();
    config.timeout = Some(Duration::from_secs(20));
    let mut peer = Peer::new();
    peer.ping_interval = Duration::from_millis(1000);
    peer.ping_timeout = Duration::from_millis(500);
    let mut sim = Sim::new(config, peer);
    // opening: the connect timeout
    sim.client.connect("/", sim.now);
    assert_eq!(
        sim.client.next_timeout().map(|(_, t)| t),
        Some(Timer::Connect)
    );
    sim.connect("/");
    // open: the heartbeat watchdog, at pingInterval + pingTimeout
    let (at, reason) = sim.client.next_timeout().expect("armed");
    assert_eq!(reason, Timer::Heartbeat);
    assert!(at > sim.now && at <= sim.now + Duration::from_millis(1500));
    // an emit whose ack times out before that: the ack deadline is next
    let opts = EmitOptions {
        ack: true,
        timeout: Some(Duration::from_millis(100)),
        volatile: false,
    };
    sim.peer.mode = Mode::Blackhole;
    sim.client
        .emit("/", "slow", args("[]"), opts, sim.now)
        .expect("emit");
    let (at, reason) = sim.client.next_timeout().expect("armed");
    assert_eq!(reason, Timer::Ack);
    assert_eq!(Some(at), sim.client.poll_timeout());
    // the connection lost: the reconnect delay
    assert!(sim.run_until(Duration::from_secs(5), |e| matches!(e, Event::Close { .. })));
    assert_eq!(
        sim.client.next_timeout().map(|(_, t)| t),
        Some(Timer::Reconnect)
    );
}
