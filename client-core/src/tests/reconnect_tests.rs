//! Reconnection (§5.3 items 40–47), exact backoff schedules, long failure runs, state growth.

use std::time::Duration;

use super::peer::{Mode, Peer};
use super::sim::Sim;
use super::{args, position};
use crate::config::Transports;
use crate::event::{ConnectError, DisconnectReason, Event, OpenError};
use crate::socket::EmitOptions;

fn ws_config() -> crate::Config {
    let mut c = Sim::config();
    c.transports = Transports::WebSocketOnly;
    c
}

#[test]
fn s40_engine_close_reconnects_and_reconnect_comes_before_connect() {
    let mut sim = Sim::new(Sim::config(), Peer::new());
    sim.connect("/");
    sim.connect("/admin");
    let first_id = sim.client.id("/").unwrap().to_string();
    sim.new_events();
    sim.peer.reset_transport();
    assert!(sim.run_until(
        Duration::from_secs(10),
        |e| matches!(e, Event::Connect { ns, .. } if ns == "/admin")
    ));
    sim.run_for(Duration::from_millis(10));
    let events = sim.new_events();
    let attempt = position(&events, |e| *e == Event::ReconnectAttempt { attempt: 1 }).unwrap();
    let open = position(&events, |e| *e == Event::Open).unwrap();
    let reconnect = position(&events, |e| *e == Event::Reconnect { attempt: 1 }).unwrap();
    let connect = position(&events, |e| matches!(e, Event::Connect { .. })).unwrap();
    assert!(
        attempt < open && open < reconnect && reconnect < connect,
        "{events:#?}"
    );
    // CONNECT re-sent for every active namespace, in the new session.
    let connects: Vec<_> = sim
        .peer
        .wire_log
        .iter()
        .filter(|p| p.starts_with("40"))
        .cloned()
        .collect();
    assert_eq!(connects, ["40", "40/admin,", "40", "40/admin,"]);
    assert_ne!(sim.client.id("/").unwrap(), first_id, "no recovery: new id");
}

#[test]
fn s41_attempt_limit_against_a_dead_server() {
    let mut config = ws_config();
    config.reconnection_attempts = Some(3);
    let mut peer = Peer::new();
    peer.mode = Mode::Refuse;
    let mut sim = Sim::new(config, peer);
    sim.client.connect("/", sim.now);
    assert!(sim.run_until(Duration::from_secs(60), |e| *e == Event::ReconnectFailed));
    sim.run_for(Duration::from_secs(60));
    let relevant: Vec<_> = sim
        .events()
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                Event::ReconnectAttempt { .. } | Event::ReconnectError(_) | Event::ReconnectFailed
            )
        })
        .collect();
    let refused = OpenError::Transport("connection refused".into());
    assert_eq!(
        relevant,
        [
            Event::ReconnectAttempt { attempt: 1 },
            Event::ReconnectError(refused.clone()),
            Event::ReconnectAttempt { attempt: 2 },
            Event::ReconnectError(refused.clone()),
            Event::ReconnectAttempt { attempt: 3 },
            Event::ReconnectError(refused),
            Event::ReconnectFailed,
        ]
    );
    // An explicit zero means zero attempts (socket.io-client would read 0 as infinity).
    let mut config = ws_config();
    config.reconnection_attempts = Some(0);
    let mut peer = Peer::new();
    peer.mode = Mode::Refuse;
    let mut sim = Sim::new(config, peer);
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_secs(30));
    assert!(!sim
        .events()
        .iter()
        .any(|e| matches!(e, Event::ReconnectAttempt { .. })));
    assert!(sim.events().contains(&Event::ReconnectFailed));
}

fn attempt_times(sim: &Sim) -> Vec<Duration> {
    sim.log
        .iter()
        .filter(|(_, e)| matches!(e, Event::ReconnectAttempt { .. }))
        .map(|(t, _)| *t)
        .collect()
}

#[test]
fn s42_exact_backoff_schedules() {
    // Without jitter: exactly min·2^n, capped.
    let mut config = ws_config();
    config.randomization_factor = 0.0;
    config.reconnection_delay = Duration::from_millis(100);
    config.reconnection_delay_max = Duration::from_millis(1000);
    config.reconnection_attempts = Some(7);
    let mut peer = Peer::new();
    peer.mode = Mode::Refuse;
    let mut sim = Sim::new(config, peer);
    sim.latency = Duration::ZERO;
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_secs(30));
    let times = attempt_times(&sim);
    let gaps: Vec<u128> = std::iter::once(times[0])
        .chain(times.windows(2).map(|w| w[1] - w[0]))
        .map(|d| d.as_millis())
        .collect();
    assert_eq!(gaps, [100, 200, 400, 800, 1000, 1000, 1000]);

    // reconnectionDelayMax 100, no jitter: always exactly 100 ms.
    let mut config = ws_config();
    config.randomization_factor = 0.0;
    config.reconnection_delay_max = Duration::from_millis(100);
    config.reconnection_delay = Duration::from_millis(100);
    config.reconnection_attempts = Some(5);
    let mut peer = Peer::new();
    peer.mode = Mode::Refuse;
    let mut sim = Sim::new(config, peer);
    sim.latency = Duration::ZERO;
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_secs(5));
    let times = attempt_times(&sim);
    assert_eq!(times.len(), 5);
    for w in times.windows(2) {
        assert_eq!(w[1] - w[0], Duration::from_millis(100));
    }
}

#[test]
fn s42_the_default_jittered_schedule_is_pinned_for_seed_7() {
    let mut config = ws_config();
    config.reconnection_attempts = Some(8);
    let mut peer = Peer::new();
    peer.mode = Mode::Refuse;
    let mut sim = Sim::new(config, peer);
    sim.latency = Duration::ZERO;
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_secs(60));
    let times = attempt_times(&sim);
    let gaps: Vec<u128> = std::iter::once(times[0])
        .chain(times.windows(2).map(|w| w[1] - w[0]))
        .map(|d| d.as_millis())
        .collect();
    // Same seed, same schedule, on every machine. Ranges as in the reference formula.
    let mut backoff = crate::backoff::Backoff::new(
        Duration::from_millis(1000),
        Duration::from_millis(5000),
        0.5,
        7,
    );
    let expected: Vec<u128> = (0..8).map(|_| backoff.next_delay().as_millis()).collect();
    assert_eq!(gaps, expected);
    assert!((501..=1500).contains(&gaps[0]) && (1001..=3000).contains(&gaps[1]));
    assert!(gaps[4..].iter().all(|g| *g == 5000));
}

#[test]
fn s43_reconnection_false_makes_no_attempt() {
    let mut config = ws_config();
    config.reconnection = false;
    let mut peer = Peer::new();
    peer.mode = Mode::Refuse;
    let mut sim = Sim::new(config, peer);
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_secs(30));
    let events = sim.events();
    assert!(events.contains(&Event::Error(OpenError::Transport(
        "connection refused".into()
    ))));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::ConnectError {
            error: ConnectError::Open(_),
            ..
        }
    )));
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::ReconnectAttempt { .. })));
}

#[test]
fn s44_a_zero_timeout_fails_with_timeout_on_both_transports() {
    for transports in [Transports::PollingOnly, Transports::WebSocketOnly] {
        let mut config = Sim::config();
        config.transports = transports;
        config.timeout = Some(Duration::ZERO);
        config.reconnection = false;
        let mut sim = Sim::new(config, Peer::new());
        sim.client.connect("/", sim.now);
        sim.run_for(Duration::from_millis(100));
        assert!(sim.events().contains(&Event::ConnectError {
            ns: "/".into(),
            error: ConnectError::Open(OpenError::Timeout)
        }));
        assert!(!sim.client.is_connected("/"));
    }
}

#[test]
fn s45_connect_error_for_each_failed_attempt_while_active() {
    let mut config = ws_config();
    config.reconnection_attempts = Some(4);
    let mut peer = Peer::new();
    peer.mode = Mode::Refuse;
    let mut sim = Sim::new(config, peer);
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_secs(3));
    assert!(sim.client.is_active("/"));
    assert!(sim.client.is_reconnecting());
    sim.run_for(Duration::from_secs(60));
    let errors = sim
        .events()
        .iter()
        .filter(|e| matches!(e, Event::ConnectError { .. }))
        .count();
    assert_eq!(errors, 5, "the first open and 4 attempts");
}

#[test]
fn s46_disconnect_stops_the_loop_and_connect_restarts_it() {
    let mut config = ws_config();
    config.randomization_factor = 0.0;
    let mut peer = Peer::new();
    peer.mode = Mode::Refuse;
    let mut sim = Sim::new(config, peer);
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_millis(2500));
    let before = attempt_times(&sim).len();
    assert!(before >= 1);
    sim.client.disconnect("/", sim.now);
    sim.run_for(Duration::from_secs(60));
    assert_eq!(attempt_times(&sim).len(), before);
    assert!(!sim.client.is_reconnecting());
    sim.peer.mode = Mode::Normal;
    sim.connect("/");
}

#[test]
fn s47_no_connect_error_for_transport_errors_after_connecting() {
    let mut sim = Sim::new(ws_config(), Peer::new());
    sim.connect("/");
    sim.peer.reset_transport();
    sim.run_for(Duration::from_secs(10));
    assert!(!sim
        .events()
        .iter()
        .any(|e| matches!(e, Event::ConnectError { .. })));
    assert!(sim.client.is_connected("/"));
}

#[test]
fn reconnect_now_skips_the_delay_and_restarts_the_schedule() {
    let mut config = ws_config();
    config.randomization_factor = 0.0;
    let mut peer = Peer::new();
    peer.mode = Mode::Refuse;
    let mut sim = Sim::new(config, peer);
    sim.latency = Duration::ZERO;
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_millis(7500)); // attempts at 1 s, 3 s, 7 s
    assert_eq!(attempt_times(&sim).len(), 3);
    sim.peer.mode = Mode::Normal;
    let t = sim.elapsed();
    sim.client.reconnect_now(sim.now);
    assert!(sim.run_until(Duration::from_millis(10), |e| matches!(
        e,
        Event::Connect { .. }
    )));
    assert!(sim.elapsed() - t < Duration::from_millis(10));
}

#[test]
fn two_thousand_failed_attempts_saturate_at_the_maximum_delay() {
    let mut config = ws_config();
    config.reconnection_attempts = None;
    let mut peer = Peer::new();
    peer.mode = Mode::Refuse;
    let mut sim = Sim::new(config, peer);
    sim.latency = Duration::ZERO;
    sim.client.connect("/", sim.now);
    sim.run_for(Duration::from_secs(2_000 * 5 + 30));
    let times = attempt_times(&sim);
    assert!(times.len() >= 2_000, "{}", times.len());
    for (i, w) in times.windows(2).enumerate().skip(4) {
        assert_eq!(w[1] - w[0], Duration::from_millis(5000), "gap {i}");
    }
    let attempts: Vec<u32> = sim
        .log
        .iter()
        .filter_map(|(_, e)| match e {
            Event::ReconnectAttempt { attempt } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts[1999], 2000);
    assert!(sim.client.footprint() < 16, "{}", sim.client.footprint());
}

#[test]
fn a_thousand_connect_disconnect_cycles_leave_no_state_behind() {
    let mut sim = Sim::new(Sim::config(), Peer::new());
    let mut baseline = None;
    for cycle in 0..1_000 {
        sim.connect("/");
        sim.client
            .emit(
                "/",
                "echo",
                args("[1]"),
                EmitOptions {
                    ack: true,
                    ..Default::default()
                },
                sim.now,
            )
            .unwrap();
        sim.client.join("/", "room", sim.now);
        sim.run_for(Duration::from_millis(5));
        if cycle % 2 == 0 {
            sim.client.disconnect("/", sim.now);
        } else {
            sim.peer.close_session();
            assert!(sim.run_until(Duration::from_secs(10), |e| matches!(
                e,
                Event::Connect { .. }
            )));
            sim.client.disconnect("/", sim.now);
        }
        sim.run_for(Duration::from_millis(5));
        sim.clear_log();
        let footprint = sim.client.footprint() + sim.in_flight();
        match baseline {
            None => baseline = Some(footprint),
            Some(b) => assert!(footprint <= b, "cycle {cycle}: {footprint} > {b}"),
        }
    }
    let _ = DisconnectReason::ForcedClose;
}
