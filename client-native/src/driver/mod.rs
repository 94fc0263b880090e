//! The connection's task: feeds the sans-IO core with user commands, network inputs and
//! timeouts, performs the I/O it asks for, publishes the state the handles read, and hands
//! events to listeners and streams.
//!
//! One task per connection (model: quinn's `ConnectionDriver`). It owns the core outright, so
//! no lock is held while user code runs. The loop is runtime-agnostic (`poll_fn` over the
//! command queue, the transports and one timer); the transports, the clock, the timer and
//! spawning come from the target's backend ([`crate::rt`] and the transports module).
//!
//! Each turn:
//! 1. perform the core's transport commands; take its events; **publish** the new state;
//!    dispatch the events (listeners, streams, ack futures, `connect()` waiters);
//! 2. wait for the next command, network input or deadline. The network is not read while
//!    an event stream is full or too many async listener calls run (backpressure).

mod dispatch;

use std::collections::{HashMap, VecDeque};
use std::future::{poll_fn, Future as _};
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use sio_core::{AckHandle, Config, Manager, TransportInput};
use tracing::Instrument;

use crate::auth::AuthProvider;
use crate::command::{AckReply, Command, CommandQueue, ConnectReply};
use crate::error::Error;
use crate::event::Connected;
use crate::rt::{now, Timer};
use crate::shared::Shared;
use crate::snapshot::NamespaceView;

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use crate::transport::Transports;
#[cfg(target_arch = "wasm32")]
pub(crate) use sio_browser::Transports;

/// How long `close` waits for the transports to flush and close cleanly.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// How often a closing driver checks whether its transports are done.
const CLOSE_POLL: Duration = Duration::from_millis(10);

/// What woke the driver.
enum Wake {
    Commands,
    Orphaned,
    Input(TransportInput),
    Timeout,
}

pub(crate) struct Driver {
    manager: Manager,
    transports: Transports,
    /// Commands from the handles and from tasks the driver started.
    commands: Receiver,
    /// Where queued commands are moved to be applied (empty and unallocated otherwise).
    inbox: VecDeque<Command>,
    shared: Weak<Shared>,
    auth_provider: Option<AuthProvider>,
    acks: HashMap<AckHandle, AckReply>,
    connect_waiters: HashMap<String, Vec<ConnectReply>>,
    close_waiters: Vec<futures_channel::oneshot::Sender<()>>,
    /// The driver stopped and published so.
    closed: bool,
    /// Buffers reused by every message's dispatch.
    scratch: dispatch::Scratch,
    /// A stream could not take an event: flush it before reading the network again.
    backlogged: bool,
    closing: bool,
    /// Every handle is gone: no command will come any more.
    orphaned: bool,
    url: String,
}

impl Driver {
    /// A driver for a (shared) configuration and this connection's seed.
    pub(crate) fn new(
        config: Arc<Config>,
        seed: u64,
        transports: Transports,
        shared: &Arc<Shared>,
        auth_provider: Option<AuthProvider>,
    ) -> Result<Self, Error> {
        let url = config.url.origin(false);
        Ok(Self {
            manager: Manager::with_shared_config(config, seed)?,
            transports,
            commands: Receiver(shared.commands.clone()),
            inbox: VecDeque::new(),
            shared: Arc::downgrade(shared),
            auth_provider,
            acks: HashMap::new(),
            connect_waiters: HashMap::new(),
            close_waiters: Vec::new(),
            closed: false,
            scratch: dispatch::Scratch::default(),
            backlogged: false,
            closing: false,
            orphaned: false,
            url,
        })
    }

    /// The driver's task.
    pub(crate) fn run(self) -> impl std::future::Future<Output = ()> {
        let span = tracing::debug_span!("sio", url = %self.url);
        self.run_loop().instrument(span)
    }

    // Not an `async fn`: that would keep the moved-in argument and its `mut` binding as two
    // copies of the driver in the future (rust-lang/rust#62958), 1.5 KiB per connection.
    #[allow(clippy::manual_async_fn)]
    fn run_loop(mut self) -> impl std::future::Future<Output = ()> {
        async move {
            let timer = Timer::new();
            let mut timer = std::pin::pin!(timer);
            let mut close_deadline = None;
            loop {
                self.drain();
                let next = self.manager.next_timeout();
                let mut deadline = next.map(|(at, _)| at);
                if self.closing {
                    // Give the transports a moment to flush the last packets and close frames,
                    // but never hang on a peer that does not answer.
                    let limit = *close_deadline.get_or_insert_with(|| now() + CLOSE_GRACE);
                    if self.transports.is_idle() || now() >= limit {
                        break;
                    }
                    // re-check idleness often: a closing transport finishes silently
                    let tick = now() + CLOSE_POLL;
                    deadline = Some(deadline.map_or(tick, |d| d.min(tick)));
                }
                timer.as_mut().arm(deadline);
                match poll_fn(|cx| self.poll_wake(cx, timer.as_mut())).await {
                    Wake::Commands => self.apply_inbox(),
                    Wake::Orphaned => {
                        // every handle is gone: close politely
                        self.orphaned = true;
                        self.manager.close(now());
                        self.closing = true;
                    }
                    Wake::Input(input) => self.manager.handle_transport(now(), input),
                    Wake::Timeout => {
                        tracing::trace!(reason = ?next.map(|(_, why)| why), "deadline");
                        self.manager.handle_timeout(now());
                    }
                }
            }
            self.shut_down();
        }
    }

    /// The next thing to do. The network is read only while every stream has room and
    /// async listener calls are below their limit.
    fn poll_wake(&mut self, cx: &mut Context<'_>, timer: Pin<&mut Timer>) -> Poll<Wake> {
        if !self.orphaned {
            match self.commands.0.poll_take(cx, &mut self.inbox) {
                Poll::Ready(true) => return Poll::Ready(Wake::Commands),
                Poll::Ready(false) => return Poll::Ready(Wake::Orphaned),
                Poll::Pending => {}
            }
        }
        if self.backlogged {
            self.backlogged = self.flush_streams(cx);
        }
        let room = match self.shared.upgrade() {
            Some(shared) => shared.in_flight.poll_room(cx).is_ready(),
            None => true,
        };
        if !self.backlogged && room {
            let next = self.transports.next_input();
            let mut next = std::pin::pin!(next);
            if let Poll::Ready(input) = next.as_mut().poll(cx) {
                return Poll::Ready(Wake::Input(input));
            }
        }
        match timer.poll_expired(cx) {
            Poll::Ready(()) => Poll::Ready(Wake::Timeout),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Applies the commands taken from the queue, in order, at one reading of the clock (they
    /// were all queued by then; a burst of emits would otherwise read it once each).
    fn apply_inbox(&mut self) {
        let now = now();
        // the batch's allocation is freed: an idle connection holds no command buffer
        for command in std::mem::take(&mut self.inbox) {
            self.apply(command, now);
        }
    }

    /// Performs every pending I/O command, publishes the state, delivers every event.
    fn drain(&mut self) {
        let mut events = Vec::new();
        loop {
            while let Some(command) = self.manager.poll_transport() {
                self.transports.execute(command);
            }
            while let Some(event) = self.manager.poll_event() {
                events.push(event);
            }
            if events.is_empty() {
                self.publish();
                return;
            }
            // the state first, so listeners see what their event says
            self.publish();
            for event in events.drain(..) {
                self.dispatch(event);
            }
        }
    }

    fn apply(&mut self, command: Command, now: sio_core::Instant) {
        match command {
            Command::Connect { ns, reply } => self.connect(ns, reply),
            Command::Disconnect { ns } => self.manager.disconnect(&ns, now),
            Command::Emit {
                ns,
                event,
                args,
                opts,
                reply,
            } => match self.manager.emit(&ns, &event, args, opts, now) {
                Ok(Some(handle)) => {
                    if let Some(reply) = reply {
                        self.acks.insert(handle, reply);
                    }
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%error, "emit refused");
                    if let Some(reply) = reply {
                        let _ = reply.send(Err(sio_core::AckError::NotSent));
                    }
                }
            },
            Command::Ack { ns, id, args } => {
                if let Err(error) = self.manager.ack(&ns, id, args, now) {
                    tracing::debug!(%error, "ack not sent");
                }
            }
            Command::Join { ns, room } => self.manager.join(&ns, &room, now),
            Command::Leave { ns, room } => self.manager.leave(&ns, &room, now),
            Command::ProvideAuth { ns, auth } => {
                self.manager.provide_auth(&ns, auth.as_deref(), now);
            }
            Command::ReconnectNow => self.manager.reconnect_now(now),
            Command::ReportOutgoing(on) => self.manager.set_report_outgoing(on),
            Command::Close { reply } => {
                if let Some(reply) = reply {
                    self.close_waiters.push(reply);
                }
                self.close();
            }
            Command::ListenerPanicked { message } => {
                tracing::error!(%message, "a listener panicked: closing the client");
                self.client_event(crate::event::ClientEvent::ListenerPanicked(message));
                self.close();
            }
        }
    }

    fn connect(&mut self, ns: String, reply: Option<ConnectReply>) {
        if self.manager.is_connected(&ns) {
            if let Some(reply) = reply {
                let id = self.manager.id(&ns).unwrap_or_default().to_string();
                let _ = reply.send(Ok(Connected::new(id, self.manager.recovered(&ns))));
            }
            return;
        }
        if let Some(reply) = reply {
            self.connect_waiters
                .entry(ns.clone())
                .or_default()
                .push(reply);
        }
        self.manager.connect(&ns, now());
    }

    fn close(&mut self) {
        self.manager.close(now());
        self.closing = true;
        self.fail_connect_waiters(|| Error::Closed);
    }

    /// Every `connect()` caller still waiting learns `error`.
    fn fail_connect_waiters(&mut self, error: impl Fn() -> Error) {
        for (_, waiters) in self.connect_waiters.drain() {
            for w in waiters {
                let _ = w.send(Err(error()));
            }
        }
    }

    /// Copies the core's view of every namespace into the snapshot the handles read.
    fn publish(&mut self) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        let manager = &self.manager;
        shared.publish(|snapshot| {
            for ns in manager.namespaces() {
                update_view(snapshot.namespaces.entry(ns), manager, ns);
            }
        });
    }

    /// The driver stopped: refuse commands, wake `close()` callers, end the streams.
    fn shut_down(&mut self) {
        self.commands.0.driver_gone();
        self.fail_connect_waiters(|| Error::Closed);
        self.mark_closed();
        if let Some(shared) = self.shared.upgrade() {
            dispatch::end_streams(&shared);
        }
        for waiter in self.close_waiters.drain(..) {
            let _ = waiter.send(());
        }
        tracing::debug!("driver stopped");
    }

    /// Publishes "closed, nothing connected".
    fn mark_closed(&mut self) {
        self.closed = true;
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        shared.publish(|snapshot| {
            for view in snapshot.namespaces.values_mut() {
                view.connected = false;
                view.active = false;
                view.id = None;
            }
            snapshot.closed = true;
        });
    }
}

impl Drop for Driver {
    // Also runs when a listener panics in the driver's task, or the runtime shuts down:
    // the handles never see a client that says it is connected but refuses every call.
    fn drop(&mut self) {
        if !self.closed {
            self.commands.0.driver_gone();
            self.mark_closed();
        }
    }
}

/// Updates `view` from the core (allocating only when something changed).
fn update_view(view: &mut NamespaceView, manager: &Manager, ns: &str) {
    let id = manager.id(ns);
    if view.id.as_deref() != id {
        view.id = id.map(str::to_string);
    }
    view.connected = manager.is_connected(ns);
    view.recovered = manager.recovered(ns);
    view.active = manager.is_active(ns);
    let rooms = manager.rooms(ns);
    if view.rooms != rooms {
        view.rooms = rooms.to_vec();
    }
}

/// The driver's end of the [`CommandQueue`]: when the driver stops, the queue refuses new
/// commands, so handles learn that the client is closed.
struct Receiver(Arc<CommandQueue>);

impl Drop for Receiver {
    fn drop(&mut self) {
        self.0.driver_gone();
    }
}

/// Starts `driver` as a task; a panic in it (a listener's or the driver's own) is caught at
/// the task boundary and reported to the client's event streams.
pub(crate) fn spawn(driver: Driver, shared: &Arc<Shared>) {
    use futures_util::FutureExt as _;
    let weak = Arc::downgrade(shared);
    // Combinators, not an `async` block: awaiting a moved-in future from an async block keeps
    // two copies of it in the task (rust-lang/rust#62958), which would double the driver.
    let task = std::panic::AssertUnwindSafe(driver.run())
        .catch_unwind()
        .map(move |outcome| {
            if let Err(panic) = outcome {
                let message = crate::listener::panic_message(panic.as_ref());
                tracing::error!(%message, "the client's task panicked: the client is closed");
                if let Some(shared) = weak.upgrade() {
                    dispatch::report_panic(&shared, message);
                }
            }
        });
    crate::rt::spawn(task);
}
