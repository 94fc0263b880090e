//! A session that opens but closes before it carries a Socket.IO packet is a failed attempt
//! (a deliberate difference from socket.io-client, see the crate docs): every namespace
//! waiting for it gets a `ConnectError` with the cause (HTTP status and body where there is
//! one), the attempt counts toward `reconnection_attempts`, and `ReconnectFailed` ends it.
//! The scripted peer plays a load balancer without stickiness (`forget_after_handshake`).

use std::time::Duration;

use super::peer::Peer;
use super::sim::Sim;
use crate::config::Transports;
use crate::event::{ConnectError, DisconnectReason, Event, OpenError};

/// What the reference server answers for a session it does not know.
fn session_unknown() -> OpenError {
    OpenError::HttpStatus {
        status: 400,
        message: Some("Session ID unknown".into()),
    }
}

/// The events that tell how attempts went (no pings, messages or auth requests).
fn attempt_events(events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                Event::Open
                    | Event::Close { .. }
                    | Event::Connect { .. }
                    | Event::ConnectError { .. }
                    | Event::ReconnectAttempt { .. }
                    | Event::Reconnect { .. }
                    | Event::ReconnectError(_)
                    | Event::ReconnectFailed
            )
        })
        .collect()
}

/// One session that opened and then lost its transport before the namespace connected.
fn failed_session(reason: DisconnectReason, error: &OpenError) -> Vec<Event> {
    vec![
        Event::Open,
        Event::Close { reason },
        Event::ConnectError {
            ns: "/".into(),
            error: ConnectError::Open(error.clone()),
        },
    ]
}

#[test]
fn polling_session_lost_after_handshake_counts_until_reconnect_failed() {
    let mut config = Sim::config();
    config.transports = Transports::PollingOnly;
    config.reconnection_attempts = Some(3);
    let mut peer = Peer::new();
    peer.forget_after_handshake = true;
    let mut sim = Sim::new(config, peer);
    sim.client.connect("/", sim.now);
    assert!(sim.run_until(Duration::from_secs(120), |e| *e == Event::ReconnectFailed));
    // nothing more happens: the manager gave up
    sim.run_for(Duration::from_secs(120));

    let error = session_unknown();
    let mut expected = failed_session(DisconnectReason::TransportError, &error);
    for attempt in 1..=3 {
        expected.push(Event::ReconnectAttempt { attempt });
        expected.extend(failed_session(DisconnectReason::TransportError, &error));
        expected.push(Event::ReconnectError(error.clone()));
    }
    expected.push(Event::ReconnectFailed);
    assert_eq!(attempt_events(sim.events()), expected);
    assert_eq!(sim.peer.sessions_opened, 4, "the first try and 3 attempts");
    assert_eq!(
        error.to_string(),
        "server answered HTTP 400: Session ID unknown"
    );
}

#[test]
fn websocket_reset_after_handshake_grows_the_backoff_then_recovers() {
    let mut config = Sim::config();
    config.transports = Transports::WebSocketOnly;
    config.randomization_factor = 0.0;
    let mut peer = Peer::new();
    peer.forget_after_handshake = true;
    let mut sim = Sim::new(config, peer);
    sim.client.connect("/", sim.now);
    assert!(sim.run_until(Duration::from_secs(60), |e| *e
        == Event::ReconnectAttempt { attempt: 4 }));

    // the attempt counter keeps counting and the delays grow (1 s, 2 s, 4 s), as for a server
    // that refuses connections: the handshake alone is not a success
    let starts: Vec<(Duration, u32)> = sim
        .log
        .iter()
        .filter_map(|(at, e)| match e {
            Event::ReconnectAttempt { attempt } => Some((*at, *attempt)),
            _ => None,
        })
        .collect();
    let numbers: Vec<u32> = starts.iter().map(|(_, n)| *n).collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1].0 - w[0].0).collect();
    for (gap, delay) in gaps.iter().zip([2, 4]) {
        let delay = Duration::from_secs(delay);
        assert!(
            *gap >= delay && *gap < delay + Duration::from_millis(100),
            "gaps {gaps:?}"
        );
    }
    let reset = OpenError::Transport("connection reset".into());
    let errors = sim
        .events()
        .into_iter()
        .filter(|e| {
            *e == Event::ConnectError {
                ns: "/".into(),
                error: ConnectError::Open(reset.clone()),
            }
        })
        .count();
    assert_eq!(errors, 4, "the first try and attempts 1-3 each report");

    // the path works again: the next attempt connects, and only then is it a reconnection
    sim.peer.forget_after_handshake = false;
    sim.clear_log();
    assert!(sim.run_until(Duration::from_secs(30), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    assert_eq!(
        attempt_events(sim.events())
            .into_iter()
            .filter(|e| !matches!(e, Event::Connect { .. }))
            .collect::<Vec<_>>(),
        [Event::Open, Event::Reconnect { attempt: 4 }],
        "attempt 4 was already under way"
    );

    // a later loss starts counting from 1 again
    sim.clear_log();
    sim.peer.reset_transport();
    assert!(sim.run_until(Duration::from_secs(30), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    let events = attempt_events(sim.events());
    assert!(
        events.contains(&Event::ReconnectAttempt { attempt: 1 })
            && events.contains(&Event::Reconnect { attempt: 1 }),
        "{events:#?}"
    );
}

#[test]
fn connect_error_without_reconnection_reports_once() {
    let mut config = Sim::config();
    config.transports = Transports::PollingOnly;
    config.reconnection = false;
    let mut peer = Peer::new();
    peer.forget_after_handshake = true;
    let mut sim = Sim::new(config, peer);
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_secs(60));
    assert_eq!(
        attempt_events(sim.events()),
        failed_session(DisconnectReason::TransportError, &session_unknown())
    );
    assert_eq!(sim.peer.sessions_opened, 1);
    assert!(!sim.client.is_reconnecting());
}

#[test]
fn http_error_bodies_become_short_messages() {
    let engine = OpenError::from_http(400, "{\"code\":1,\"message\":\"Session ID unknown\"}");
    assert_eq!(engine, session_unknown());
    let page = OpenError::from_http(
        503,
        "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this \
         request.\n</body></html>\n",
    );
    assert_eq!(
        page.to_string(),
        "server answered HTTP 503: 503 Service Unavailable No server is available to handle \
         this request."
    );
    assert_eq!(
        OpenError::from_http(502, " \n"),
        OpenError::HttpStatus {
            status: 502,
            message: None
        }
    );
    let long = OpenError::from_http(500, &"é".repeat(100_000));
    let OpenError::HttpStatus {
        message: Some(message),
        ..
    } = long
    else {
        panic!("a message is kept");
    };
    assert_eq!(message.chars().count(), 200);
    // an object without a string message is shown as text
    let odd = OpenError::from_http(400, "{\"code\":3}");
    assert_eq!(odd.to_string(), "server answered HTTP 400: {\"code\":3}");
}
