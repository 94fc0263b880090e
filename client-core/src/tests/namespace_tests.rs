//! Namespace connect / disconnect (§5.3 items 10–21).

use std::time::Duration;

use super::args;
use super::peer::{NsPolicy, Peer};
use super::sim::Sim;
use crate::config::{Auth, Transports};
use crate::event::{ConnectError, DisconnectReason, Event};
use crate::socket::EmitOptions;
use crate::transport::TransportCommand;

fn connect_frames(sim: &Sim) -> Vec<String> {
    sim.peer
        .wire_log
        .iter()
        .filter(|p| p.starts_with("40"))
        .cloned()
        .collect()
}

#[test]
fn s10_connect_packets_with_and_without_auth_and_namespace() {
    let mut sim = Sim::new(Sim::config(), Peer::new());
    sim.connect("/");
    sim.connect("/admin");
    assert_eq!(connect_frames(&sim), ["40", "40/admin,"]);

    let mut config = Sim::config();
    config.auth = Auth::Static("{\"token\":\"abcd\"}".into());
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    sim.connect("/admin");
    assert_eq!(
        connect_frames(&sim),
        ["40{\"token\":\"abcd\"}", "40/admin,{\"token\":\"abcd\"}"]
    );
}

#[test]
fn s11_the_auth_provider_is_asked_on_every_connect() {
    let mut config = Sim::config();
    config.auth = Auth::Provider;
    config.transports = Transports::WebSocketOnly;
    let mut sim = Sim::new(config, Peer::new());
    sim.client.connect("/", sim.now);
    for token in ["t1", "t2", "t3"] {
        assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
            e,
            Event::AuthRequest { .. }
        )));
        let auth = format!("{{\"token\":\"{token}\"}}");
        sim.client.provide_auth("/", Some(&auth), sim.now);
        assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
            e,
            Event::Connect { .. }
        )));
        sim.peer.close_session();
    }
    let payloads: Vec<_> = sim
        .peer
        .connect_payloads
        .iter()
        .map(|(_, p)| p.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        payloads,
        [
            "{\"token\":\"t1\"}",
            "{\"token\":\"t2\"}",
            "{\"token\":\"t3\"}"
        ]
    );
}

#[test]
fn s12_the_connect_reply_sets_the_namespace_id_not_the_engine_sid() {
    let mut sim = Sim::new(Sim::config(), Peer::new());
    sim.connect("/");
    let id = sim.client.id("/").unwrap().to_string();
    assert!(id.starts_with("sock"), "{id}");
    assert!(sim.client.is_connected("/"));
    assert!(sim.events().contains(&Event::Connect {
        ns: "/".into(),
        id,
        recovered: false
    }));
}

#[test]
fn s13_a_reply_without_sid_is_a_v2_server_connect_error() {
    let mut peer = Peer::new();
    peer.policies.insert("/".into(), NsPolicy::NoSid);
    let mut sim = Sim::new(Sim::config(), peer);
    sim.client.connect("/", sim.now);
    assert!(sim.run_until(Duration::from_secs(5), |e| matches!(
        e,
        Event::ConnectError {
            error: ConnectError::V2Server,
            ..
        }
    )));
    assert!(!sim.client.is_active("/"));
}

#[test]
fn s14_s15_connect_error_carries_message_and_data_and_never_reconnects() {
    let mut peer = Peer::new();
    peer.policies.insert(
        "/guarded".into(),
        NsPolicy::Reject {
            message: "unauthorized".into(),
            data: Some("{\"reason\":\"bad token\"}".into()),
        },
    );
    peer.policies.insert(
        "/nope".into(),
        NsPolicy::Reject {
            message: "Invalid namespace".into(),
            data: None,
        },
    );
    let mut sim = Sim::new(Sim::config(), peer);
    sim.connect("/");
    sim.client.connect("/guarded", sim.now);
    sim.client.connect("/nope", sim.now);
    sim.run_for(Duration::from_millis(50));
    let events = sim.events();
    assert!(events.contains(&Event::ConnectError {
        ns: "/guarded".into(),
        error: ConnectError::Rejected {
            message: "unauthorized".into(),
            data: Some("{\"reason\":\"bad token\"}".into())
        }
    }));
    assert!(events.contains(&Event::ConnectError {
        ns: "/nope".into(),
        error: ConnectError::Rejected {
            message: "Invalid namespace".into(),
            data: None
        }
    }));
    assert!(!sim.client.is_active("/guarded"));
    // Even a forced engine close and the reconnect that follows do not retry /guarded.
    sim.peer.close_session();
    sim.run_for(Duration::from_secs(10));
    let guarded_connects = sim
        .peer
        .connect_payloads
        .iter()
        .filter(|(ns, _)| ns == "/guarded")
        .count();
    assert_eq!(guarded_connects, 1);
    assert!(sim.client.is_connected("/"));
}

#[test]
fn s16_query_pairs_are_percent_encoded_on_every_request() {
    let mut config = crate::Config::new("http://sim.test:3000/?from=url").unwrap();
    config.query.push(("&a".into(), "&=?a".into()));
    let mut sim = Sim::new(config, Peer::new());
    sim.connect("/");
    for c in &sim.commands {
        let url = match c {
            TransportCommand::Http { request, .. } => &request.url,
            TransportCommand::OpenWebSocket { url, .. } => url,
            _ => continue,
        };
        assert!(url.ends_with("&from=url&%26a=%26%3D%3Fa"), "{url}");
    }
}

#[test]
fn s17_namespaces_share_one_connection_and_connect_once() {
    let mut sim = Sim::new(Sim::config(), Peer::new());
    sim.connect("/");
    sim.client.connect("/", sim.now); // a second connect is a no-op
    sim.connect("/admin"); // after the first one is up
    sim.run_for(Duration::from_millis(50));
    assert_eq!(sim.peer.sessions_opened, 1);
    assert_eq!(connect_frames(&sim), ["40", "40/admin,"]);
    assert_eq!(sim.peer.connected_namespaces(), ["/", "/admin"]);
}

#[test]
fn s18_s19_disconnecting_one_namespace_keeps_the_connection_the_last_closes_it() {
    let mut sim = Sim::new(Sim::config(), Peer::new());
    sim.connect("/");
    sim.connect("/foo");
    sim.client.disconnect("/foo", sim.now);
    sim.run_for(Duration::from_millis(50));
    assert!(sim.peer.wire_log.contains(&"41/foo,".to_string()));
    assert!(sim.events().contains(&Event::Disconnect {
        ns: "/foo".into(),
        reason: DisconnectReason::IoClientDisconnect
    }));
    assert_eq!(sim.client.id("/foo"), None);
    assert!(sim.client.is_connected("/"));
    assert!(!sim
        .events()
        .iter()
        .any(|e| matches!(e, Event::Close { .. })));

    sim.client.disconnect("/", sim.now);
    sim.run_for(Duration::from_secs(30));
    assert!(sim.peer.wire_log.contains(&"41".to_string()));
    let events = sim.events();
    assert!(events.contains(&Event::Close {
        reason: DisconnectReason::ForcedClose
    }));
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::ReconnectAttempt { .. })));
    assert_eq!(sim.peer.sessions_opened, 1);
}

#[test]
fn s20_server_disconnect_does_not_reconnect_but_connect_works_afterwards() {
    let mut sim = Sim::new(Sim::config(), Peer::new());
    sim.connect("/");
    sim.peer.disconnect_ns("/");
    sim.run_for(Duration::from_secs(30));
    assert!(sim.events().contains(&Event::Disconnect {
        ns: "/".into(),
        reason: DisconnectReason::IoServerDisconnect
    }));
    assert!(!sim.client.is_active("/"));
    assert!(!sim
        .events()
        .iter()
        .any(|e| matches!(e, Event::ReconnectAttempt { .. })));
    sim.connect("/");
    assert!(sim.client.is_connected("/"));
}

#[test]
fn s21_disconnect_then_connect_in_the_same_tick() {
    let mut sim = Sim::new(Sim::config(), Peer::new());
    sim.connect("/");
    sim.new_events();
    sim.client.disconnect("/", sim.now);
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_secs(1));
    let events = sim.new_events();
    let disconnects = events
        .iter()
        .filter(|e| matches!(e, Event::Disconnect { .. }))
        .count();
    assert_eq!(disconnects, 1, "{events:#?}");
    assert!(events.iter().any(|e| matches!(e, Event::Connect { .. })));
    assert!(sim.client.is_connected("/"));
}

#[test]
fn s48_nothing_happens_before_connect_and_earlier_emits_are_buffered() {
    let mut sim = Sim::new(Sim::config(), Peer::new());
    sim.client
        .emit("/", "early", args("[1]"), EmitOptions::default(), sim.now)
        .unwrap();
    sim.run_for(Duration::from_secs(5));
    assert!(sim.commands.is_empty());
    sim.connect("/");
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.peer.events_on("/"), ["[\"early\",1]"]);
}

#[test]
fn connect_after_a_connect_error_sends_connect_again() {
    let mut peer = Peer::new();
    peer.policies.insert(
        "/guarded".into(),
        NsPolicy::Reject {
            message: "unauthorized".into(),
            data: None,
        },
    );
    let mut sim = Sim::new(Sim::config(), peer);
    sim.connect("/");
    sim.client.connect("/guarded", sim.now);
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::ConnectError { .. }
    )));
    // The user fixes the credentials and tries again (socket.io-client's documented pattern).
    sim.peer.policies.remove("/guarded");
    sim.client.connect("/guarded", sim.now);
    assert!(sim.run_until(Duration::from_secs(1), |e| matches!(
        e,
        Event::Connect { ns, .. } if ns == "/guarded"
    )));
}

#[test]
fn a_connect_the_server_never_answers_fails_when_the_connection_closes() {
    // A server that cannot parse the CONNECT (a parser mismatch) closes the session: the
    // namespace reports a connect error instead of waiting forever, and tries again with the
    // next reconnect.
    let mut peer = Peer::new();
    peer.policies.insert("/".into(), NsPolicy::Ignore);
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    let mut sim = Sim::new(config, peer);
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_millis(50));
    assert!(!sim.client.is_connected("/"));
    sim.peer.close_session();
    sim.run_for(Duration::from_millis(50));
    let errors: Vec<_> = sim
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::ConnectError { ns, error } => Some((ns, error)),
            _ => None,
        })
        .collect();
    assert!(
        matches!(&errors[..], [(ns, ConnectError::Open(_))] if ns == "/"),
        "{errors:?}"
    );
    assert!(
        !sim.events()
            .iter()
            .any(|e| matches!(e, Event::Disconnect { .. })),
        "a socket that never connected reports no disconnect"
    );
    assert!(sim.client.is_active("/"), "it reconnects");
}
