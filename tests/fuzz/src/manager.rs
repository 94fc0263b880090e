//! The whole-[`Manager`] target: a fuzz input is a configuration and a script of commands,
//! transport inputs (well-formed server traffic and garbage) and time advances, run the way a
//! driver runs the core, checking its contract at every step.

mod script;

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use sio_core::transport::{RequestId, TransportId};
use sio_core::{Event, Instant, Manager, TransportCommand};

use script::{Op, Setup};

/// At most this many operations per input (longer inputs add nothing but time).
const MAX_OPS: usize = 200;

/// The target body.
pub fn manager(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(setup) = Setup::arbitrary(&mut u) else {
        return;
    };
    let Some(mut h) = Harness::new(&setup, data.len()) else {
        return;
    };
    for _ in 0..MAX_OPS {
        let Ok(op) = Op::arbitrary(&mut u) else {
            break;
        };
        h.run(op);
    }
    h.close_and_check();
}

#[allow(clippy::disallowed_methods)] // one real reading, as the origin of simulated time
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// The driver's side: what the core asked for, and what it answered.
pub(crate) struct Harness {
    pub(crate) m: Manager,
    pub(crate) now: Instant,
    /// Transports the core opened (most recent last).
    pub(crate) transports: Vec<TransportId>,
    /// HTTP requests the core started (most recent last).
    pub(crate) requests: Vec<(TransportId, RequestId)>,
    /// Every ack handle handed out, with how many times it was resolved.
    handles: BTreeMap<u64, u32>,
    /// Server ack requests seen (namespace, id).
    pub(crate) server_acks: Vec<(String, u64)>,
    input_len: usize,
}

impl Harness {
    fn new(setup: &Setup, input_len: usize) -> Option<Harness> {
        let m = Manager::new(setup.config()?).ok()?;
        Some(Harness {
            m,
            now: epoch(),
            transports: Vec::new(),
            requests: Vec::new(),
            handles: BTreeMap::new(),
            server_acks: Vec::new(),
            input_len,
        })
    }

    fn run(&mut self, op: Op) {
        op.apply(self);
        self.drain();
        self.check_deadline();
    }

    /// A handle returned by `emit`.
    pub(crate) fn issued(&mut self, handle: Option<sio_core::AckHandle>) {
        if let Some(h) = handle {
            let previous = self.handles.insert(h.0, 0);
            assert!(previous.is_none(), "handle {h:?} handed out twice");
        }
    }

    /// Most outputs one step may produce: a generous constant, plus what the input could have
    /// carried, plus one resolution per outstanding ack. More means a loop.
    fn budget(&self) -> usize {
        10_000 + 8 * self.handles.len() + 8 * self.input_len
    }

    /// Performs nothing, but records what the core asks for and tells.
    pub(crate) fn drain(&mut self) {
        let budget = self.budget();
        let mut commands = 0;
        while let Some(cmd) = self.m.poll_transport() {
            commands += 1;
            assert!(
                commands <= budget,
                "more than {budget} commands in one step"
            );
            match cmd {
                TransportCommand::OpenWebSocket { id, .. } => {
                    push_bounded(&mut self.transports, id)
                }
                TransportCommand::Http { id, request } => {
                    push_bounded(&mut self.requests, (id, request.id));
                    if !self.transports.contains(&id) {
                        push_bounded(&mut self.transports, id);
                    }
                }
                TransportCommand::Send { .. } | TransportCommand::Close { .. } => {}
            }
        }
        let mut events = 0;
        while let Some(event) = self.m.poll_event() {
            events += 1;
            assert!(events <= budget, "more than {budget} events in one step");
            self.record(event);
        }
    }

    fn record(&mut self, event: Event) {
        match event {
            Event::Ack { handle, .. } | Event::AckError { handle, .. } => {
                let count = self
                    .handles
                    .get_mut(&handle.0)
                    .unwrap_or_else(|| panic!("{handle:?} resolved but never handed out"));
                *count += 1;
                assert_eq!(*count, 1, "{handle:?} resolved twice");
            }
            Event::Message {
                ns, ack: Some(id), ..
            } => push_bounded(&mut self.server_acks, (ns, id)),
            _ => {}
        }
    }

    /// After every step the next deadline lies after `now` (every expired one was handled).
    fn check_deadline(&self) {
        if let Some(at) = self.m.poll_timeout() {
            assert!(
                at > self.now,
                "a deadline at or before now after handle_timeout"
            );
        }
    }

    /// Lets `d` of time pass like a driver: sleeping until each deadline and handling it.
    pub(crate) fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        let mut wakeups = 0u32;
        while let Some(at) = self.m.poll_timeout() {
            if at > target {
                break;
            }
            wakeups += 1;
            assert!(
                wakeups <= 100_000,
                "timer storm: {wakeups} wake-ups in {d:?}"
            );
            self.now = self.now.max(at);
            self.m.handle_timeout(self.now);
            self.drain();
            self.check_deadline();
        }
        self.now = target;
        self.m.handle_timeout(self.now);
    }

    /// `close()` resolves every ack handle handed out so far, each exactly once.
    pub(crate) fn close_and_check(&mut self) {
        self.m.close(self.now);
        self.drain();
        for (handle, count) in &self.handles {
            assert_eq!(*count, 1, "handle {handle} resolved {count} times at close");
        }
    }
}

fn push_bounded<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if list.len() >= 64 {
        list.remove(0);
    }
    list.push(item);
}
