//! Simulated time: the client and the scripted [`Peer`] joined by a link with latency.
//!
//! Nothing sleeps. `run_for` advances a virtual clock from one deadline (client timer, peer
//! timer, or delivery) to the next, so a test of a 25-second heartbeat takes microseconds and
//! gives the same result every time.

use std::collections::BTreeMap;
use std::time::Duration;

use super::peer::Peer;
use crate::config::Config;
use crate::event::Event;
use crate::transport::{TransportCommand, TransportInput};
use crate::{Instant, Manager};

enum Delivery {
    ToPeer(TransportCommand),
    ToClient(TransportInput),
}

/// A client, a peer and a clock.
pub(crate) struct Sim {
    pub now: Instant,
    pub start: Instant,
    pub client: Manager,
    pub peer: Peer,
    /// One-way latency of the link.
    pub latency: Duration,
    /// Every event the client reported, with the simulated time it was reported at.
    pub log: Vec<(Duration, Event)>,
    /// Every command the client issued, in order.
    pub commands: Vec<TransportCommand>,
    in_flight: BTreeMap<(Instant, u64), Delivery>,
    seq: u64,
    cursor: usize,
}

impl Sim {
    pub(crate) fn new(config: Config, peer: Peer) -> Self {
        let start = crate::test_epoch();
        Self {
            now: start,
            start,
            client: Manager::new(config).expect("valid test config"),
            peer,
            latency: Duration::from_millis(1),
            log: Vec::new(),
            commands: Vec::new(),
            in_flight: BTreeMap::new(),
            seq: 0,
            cursor: 0,
        }
    }

    /// A config for the test server address with a fixed seed.
    pub(crate) fn config() -> Config {
        let mut c = Config::new("http://sim.test:3000").expect("valid url");
        c.seed = 7;
        c
    }

    fn schedule(&mut self, delivery: Delivery) {
        self.seq += 1;
        self.in_flight
            .insert((self.now + self.latency, self.seq), delivery);
    }

    /// Drains the client's outputs and the peer's answers at the current instant.
    pub(crate) fn pump(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(cmd) = self.client.poll_transport() {
                self.commands.push(cmd.clone());
                self.schedule(Delivery::ToPeer(cmd));
                progressed = true;
            }
            while let Some(event) = self.client.poll_event() {
                self.log.push((self.now - self.start, event));
                progressed = true;
            }
            for input in self.peer.take_outbound() {
                self.schedule(Delivery::ToClient(input));
                progressed = true;
            }
            if !progressed {
                break;
            }
        }
    }

    fn next_instant(&self) -> Option<Instant> {
        let delivery = self.in_flight.keys().next().map(|(at, _)| *at);
        [
            delivery,
            self.client.poll_timeout(),
            self.peer.next_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Advances simulated time by `duration`, processing everything that happens meanwhile.
    pub(crate) fn run_for(&mut self, duration: Duration) {
        let end = self.now + duration;
        self.pump();
        let mut guard = 0u32;
        while let Some(at) = self.next_instant() {
            if at > end {
                break;
            }
            guard += 1;
            assert!(guard < 1_000_000, "simulation does not settle");
            self.now = self.now.max(at);
            self.step();
        }
        self.now = end;
        self.client.handle_timeout(self.now);
        self.pump();
    }

    /// Runs until `pred` matches a newly logged event, or `limit` elapses; returns whether it
    /// matched.
    pub(crate) fn run_until(&mut self, limit: Duration, pred: impl Fn(&Event) -> bool) -> bool {
        let end = self.now + limit;
        let seen = self.log.len();
        self.pump();
        loop {
            if self.log[seen..].iter().any(|(_, e)| pred(e)) {
                return true;
            }
            match self.next_instant() {
                Some(at) if at <= end => {
                    self.now = self.now.max(at);
                    self.step();
                }
                _ => {
                    self.now = end;
                    self.client.handle_timeout(end);
                    self.pump();
                    return self.log[seen..].iter().any(|(_, e)| pred(e));
                }
            }
        }
    }

    fn step(&mut self) {
        let due: Vec<(Instant, u64)> = self
            .in_flight
            .range(..=(self.now, u64::MAX))
            .map(|(k, _)| *k)
            .collect();
        for key in due {
            if let Some(d) = self.in_flight.remove(&key) {
                match d {
                    Delivery::ToPeer(cmd) => self.peer.handle_command(self.now, cmd),
                    Delivery::ToClient(input) => self.client.handle_transport(self.now, input),
                }
            }
            self.pump();
        }
        self.peer.handle_timeout(self.now);
        self.client.handle_timeout(self.now);
        self.pump();
    }

    /// Events logged since the last call.
    pub(crate) fn new_events(&mut self) -> Vec<Event> {
        let out = self.log[self.cursor..]
            .iter()
            .map(|(_, e)| e.clone())
            .collect();
        self.cursor = self.log.len();
        out
    }

    /// Forgets the events logged so far.
    pub(crate) fn clear_log(&mut self) {
        self.log.clear();
        self.cursor = 0;
    }

    /// All events logged so far.
    pub(crate) fn events(&self) -> Vec<Event> {
        self.log.iter().map(|(_, e)| e.clone()).collect()
    }

    /// Connects `ns` and runs until it is connected (panics after 10 s simulated).
    pub(crate) fn connect(&mut self, ns: &str) {
        self.client.connect(ns, self.now);
        let ns_owned = ns.to_string();
        assert!(
            self.run_until(
                Duration::from_secs(10),
                |e| matches!(e, Event::Connect { ns, .. } if *ns == ns_owned)
            ),
            "{ns} did not connect: {:#?}",
            self.log
        );
    }

    /// Simulated time elapsed since the start.
    pub(crate) fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// Number of messages in flight on the link.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.len()
    }
}
