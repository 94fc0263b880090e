//! The connection's task: feeds the sans-IO core with user commands, network inputs and
//! timeouts, performs the I/O it asks for, and hands its events to listeners.
//!
//! One task per connection (model: quinn's `ConnectionDriver`). It owns the core outright, so
//! no lock is ever held while user code runs.

use std::collections::{HashMap, VecDeque};
use std::future::{poll_fn, Future};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Weak};

use sio_core::{AckError, AckHandle, Config, ConnectError, Event, Manager, Payload};
use tokio::sync::oneshot;
use tracing::Instrument;

use crate::builder::AuthProvider;
use crate::event::{AckResponder, ClientEvent, Connected, Message, SocketEvent};
use crate::shared::{Command, CommandQueue, Shared};
use crate::transport::Transports;
use crate::Error;

type ConnectReply = oneshot::Sender<Result<Connected, Error>>;

/// How long `close` waits for the transports to flush and close cleanly.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(2);
/// How often a closing driver checks whether its transports are done.
const CLOSE_POLL: std::time::Duration = std::time::Duration::from_millis(10);

pub(crate) struct Driver {
    manager: Manager,
    transports: Transports,
    /// Commands from the handles and from auth provider tasks.
    commands: Receiver,
    /// Where the queued commands are moved to be applied (empty and unallocated otherwise).
    inbox: VecDeque<Command>,
    shared: Weak<Shared>,
    auth_provider: Option<AuthProvider>,
    acks: HashMap<AckHandle, oneshot::Sender<Result<Payload, AckError>>>,
    connect_waiters: HashMap<String, Vec<ConnectReply>>,
    close_waiters: Vec<oneshot::Sender<()>>,
    closing: bool,
    /// Every handle is gone: no command will come any more.
    orphaned: bool,
    url: String,
}

impl Driver {
    pub(crate) fn new(
        config: Config,
        transports: Transports,
        commands: Arc<CommandQueue>,
        shared: Weak<Shared>,
        auth_provider: Option<AuthProvider>,
    ) -> Result<Self, Error> {
        let url = config.url.origin(false);
        Ok(Self {
            manager: Manager::new(config)?,
            transports,
            commands: Receiver(commands),
            inbox: VecDeque::new(),
            shared,
            auth_provider,
            acks: HashMap::new(),
            connect_waiters: HashMap::new(),
            close_waiters: Vec::new(),
            closing: false,
            orphaned: false,
            url,
        })
    }

    /// The driver's task. Built without an `async fn` wrapper around the loop, so the driver
    /// is stored once in the task (the task is most of an idle connection's memory).
    pub(crate) fn run(self) -> impl Future<Output = ()> + Send {
        let span = tracing::debug_span!("sio", url = %self.url);
        self.run_loop().instrument(span)
    }

    // Not an `async fn`: that would keep the moved-in argument and its `mut` binding as two
    // copies of the driver in the future (rust-lang/rust#62958): 1.5 KiB per connection.
    #[allow(clippy::manual_async_fn)]
    fn run_loop(mut self) -> impl Future<Output = ()> + Send {
        async move {
            let mut close_deadline = None;
            // one timer for the task's life, moved only when the deadline changes (a fresh
            // `sleep_until` per turn would register and cancel a timer entry every time)
            let sleep = tokio::time::sleep_until(tokio::time::Instant::now());
            tokio::pin!(sleep);
            let mut armed = None;
            loop {
                self.drain();
                if self.closing {
                    // Give the transports a moment to flush the last packets and close
                    // frames, but never hang on a peer that does not answer.
                    let limit = *close_deadline
                        .get_or_insert_with(|| tokio::time::Instant::now() + CLOSE_GRACE);
                    if self.transports.is_idle() || tokio::time::Instant::now() >= limit {
                        break;
                    }
                }
                let mut deadline = self
                    .manager
                    .poll_timeout()
                    .map(tokio::time::Instant::from_std);
                if self.closing {
                    // Re-check idleness often: a closing transport finishes silently.
                    let tick = tokio::time::Instant::now() + CLOSE_POLL;
                    deadline = Some(deadline.map_or(tick, |d| d.min(tick)));
                }
                if deadline != armed {
                    if let Some(at) = deadline {
                        sleep.as_mut().reset(at);
                    }
                    armed = deadline;
                }
                let inbox = &mut self.inbox;
                let queue = &self.commands.0;
                tokio::select! {
                    more = poll_fn(|cx| queue.poll_take(cx, inbox)), if !self.orphaned => {
                        if more {
                            self.apply_inbox();
                        } else {
                            // Every handle is gone: close politely.
                            self.orphaned = true;
                            self.manager.close(std::time::Instant::now());
                            self.closing = true;
                        }
                    }
                    input = self.transports.next_input() => {
                        self.manager.handle_transport(std::time::Instant::now(), input);
                    }
                    () = &mut sleep, if armed.is_some() => {
                        armed = None;
                        self.manager.handle_timeout(std::time::Instant::now());
                    }
                }
            }
            // refuse commands from now on, before `close()` callers resume
            self.commands.0.driver_gone();
            for waiter in self.close_waiters.drain(..) {
                let _ = waiter.send(());
            }
            tracing::debug!("driver stopped");
        }
    }

    /// Applies the commands taken from the queue, in order.
    fn apply_inbox(&mut self) {
        // the batch's allocation is freed: an idle connection holds no command buffer
        for command in std::mem::take(&mut self.inbox) {
            self.apply(command);
        }
    }

    /// Performs every pending I/O command and delivers every pending event.
    fn drain(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(command) = self.manager.poll_transport() {
                self.transports.execute(command);
                progressed = true;
            }
            while let Some(event) = self.manager.poll_event() {
                self.dispatch(event);
                progressed = true;
            }
            if !progressed {
                break;
            }
        }
    }

    fn apply(&mut self, command: Command) {
        let now = std::time::Instant::now();
        match command {
            Command::Connect { ns, reply } => {
                if self.manager.is_connected(&ns) {
                    if let Some(reply) = reply {
                        let _ = reply.send(Ok(Connected {
                            id: self.manager.id(&ns).unwrap_or_default().to_string(),
                            recovered: self.manager.recovered(&ns),
                        }));
                    }
                    return;
                }
                if let Some(reply) = reply {
                    self.connect_waiters
                        .entry(ns.clone())
                        .or_default()
                        .push(reply);
                }
                self.manager.connect(&ns, now);
                self.sync_ns(&ns);
            }
            Command::Disconnect { ns } => {
                self.manager.disconnect(&ns, now);
                self.sync_ns(&ns);
            }
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
                        let _ = reply.send(Err(AckError::NotSent));
                    }
                }
            },
            Command::Ack {
                ns,
                id,
                args,
                reply,
            } => {
                let ok = self.manager.ack(&ns, id, args, now).is_ok();
                let _ = reply.send(ok);
            }
            Command::Join { ns, room } => {
                self.manager.join(&ns, &room, now);
                self.sync_ns(&ns);
            }
            Command::Leave { ns, room } => {
                self.manager.leave(&ns, &room, now);
                self.sync_ns(&ns);
            }
            Command::ProvideAuth { ns, auth } => {
                self.manager.provide_auth(&ns, auth.as_deref(), now);
            }
            Command::ReconnectNow => self.manager.reconnect_now(now),
            Command::ReportOutgoing(on) => self.manager.set_report_outgoing(on),
            Command::Close { reply } => {
                self.manager.close(now);
                if let Some(reply) = reply {
                    self.close_waiters.push(reply);
                }
                self.closing = true;
                self.fail_all_waiters();
            }
        }
    }

    /// The `connect()` callers waiting for `ns`; the map's memory is freed once empty.
    fn take_connect_waiters(&mut self, ns: &str) -> Vec<ConnectReply> {
        let waiters = self.connect_waiters.remove(ns).unwrap_or_default();
        if self.connect_waiters.is_empty() {
            self.connect_waiters = HashMap::new();
        }
        waiters
    }

    fn fail_all_waiters(&mut self) {
        for (_, waiters) in self.connect_waiters.drain() {
            for w in waiters {
                let _ = w.send(Err(Error::Closed));
            }
        }
    }

    /// Copies the core's view of namespace `ns` into the shared state the handles read.
    fn sync_ns(&mut self, ns: &str) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        let mut state = shared.lock();
        let entry = state.ns(ns);
        entry.id = self.manager.id(ns).map(str::to_string);
        entry.connected = self.manager.is_connected(ns);
        entry.recovered = self.manager.recovered(ns);
        entry.active = self.manager.is_active(ns);
        entry.rooms = self.manager.rooms(ns).to_vec();
    }

    fn dispatch(&mut self, event: Event) {
        tracing::trace!(?event, "core event");
        match event {
            Event::Open => self.client_event(ClientEvent::Open),
            Event::Close { reason } => self.client_event(ClientEvent::Close(reason)),
            Event::Ping => self.client_event(ClientEvent::Ping),
            Event::Upgrade => self.client_event(ClientEvent::Upgrade),
            Event::Error(e) => self.client_event(ClientEvent::Error(e)),
            Event::ReconnectAttempt { attempt } => {
                self.client_event(ClientEvent::ReconnectAttempt(attempt))
            }
            Event::Reconnect { attempt } => self.client_event(ClientEvent::Reconnect(attempt)),
            Event::ReconnectError(e) => self.client_event(ClientEvent::ReconnectError(e)),
            Event::ReconnectFailed => {
                self.client_event(ClientEvent::ReconnectFailed);
                // Nobody will connect any more: connect() callers learn it now.
                for (_, waiters) in self.connect_waiters.drain() {
                    for w in waiters {
                        let _ = w.send(Err(Error::Connect(ConnectError::Open(
                            sio_core::OpenError::Transport(
                                "reconnection attempts exhausted".into(),
                            ),
                        ))));
                    }
                }
            }
            Event::AuthRequest { ns } => self.request_auth(ns),
            Event::Connect { ns, id, recovered } => {
                self.sync_ns(&ns);
                let connected = Connected { id, recovered };
                for w in self.take_connect_waiters(&ns) {
                    let _ = w.send(Ok(connected.clone()));
                }
                self.socket_event(&ns, SocketEvent::Connect(connected));
            }
            Event::ConnectError { ns, error } => {
                self.sync_ns(&ns);
                for w in self.take_connect_waiters(&ns) {
                    let _ = w.send(Err(Error::Connect(error.clone())));
                }
                self.socket_event(&ns, SocketEvent::ConnectError(error));
            }
            Event::Disconnect { ns, reason } => {
                self.sync_ns(&ns);
                self.socket_event(&ns, SocketEvent::Disconnect(reason));
            }
            Event::Message {
                ns,
                event,
                args,
                ack,
            } => self.message(ns, event, args, ack),
            Event::Ack { handle, args, .. } => {
                if let Some(reply) = self.acks.remove(&handle) {
                    let _ = reply.send(Ok(args));
                }
            }
            Event::AckError { handle, error, .. } => {
                if let Some(reply) = self.acks.remove(&handle) {
                    let _ = reply.send(Err(error));
                }
            }
            Event::Joined { ns, room } => {
                self.sync_ns(&ns);
                self.socket_event(&ns, SocketEvent::Joined(room));
            }
            Event::Outgoing { ns, event, args } => {
                let listeners = match self.shared.upgrade() {
                    Some(shared) => {
                        let mut state = shared.lock();
                        state
                            .ns(&ns)
                            .any_outgoing
                            .iter()
                            .map(|(_, f)| f.clone())
                            .collect()
                    }
                    None => Vec::new(),
                };
                for f in listeners {
                    f(&event, &args);
                }
            }
        }
    }

    fn request_auth(&mut self, ns: String) {
        let Some(provider) = self.auth_provider.clone() else {
            self.manager
                .provide_auth(&ns, None, std::time::Instant::now());
            return;
        };
        let answers = self.commands.0.clone();
        tokio::spawn(async move {
            let auth = provider().await;
            let auth = auth.is_object().then(|| auth.to_string());
            let _ = answers.push(Command::ProvideAuth { ns, auth });
        });
    }

    fn client_event(&mut self, event: ClientEvent) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        let listeners: Vec<_> = {
            let mut state = shared.lock();
            state
                .client_streams
                .retain(|s| s.send(event.clone()).is_ok());
            state
                .client_listeners
                .iter()
                .map(|(_, f)| f.clone())
                .collect()
        };
        for f in listeners {
            f(&event);
        }
    }

    fn socket_event(&mut self, ns: &str, event: SocketEvent) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        let listeners: Vec<_> = {
            let mut state = shared.lock();
            let entry = state.ns(ns);
            entry.streams.retain(|s| s.send(event.clone()).is_ok());
            entry.status.iter().map(|(_, f)| f.clone()).collect()
        };
        for f in listeners {
            f(&event);
        }
    }

    fn message(&mut self, ns: String, event: String, args: Payload, ack: Option<u64>) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        let responder = ack.map(|id| AckResponder {
            shared: shared.clone(),
            namespace: ns.clone(),
            id,
            sent: Arc::new(AtomicBool::new(false)),
        });
        let message = Message {
            namespace: ns.clone(),
            event: event.clone(),
            payload: args,
            ack: responder,
        };
        let (any, listeners) = {
            let mut state = shared.lock();
            let entry = state.ns(&ns);
            entry
                .streams
                .retain(|s| s.send(SocketEvent::Message(message.clone())).is_ok());
            let any: Vec<_> = entry.any.iter().map(|(_, f)| f.clone()).collect();
            let mut listeners = Vec::new();
            if let Some(list) = entry.listeners.get_mut(&event) {
                listeners.extend(list.iter().map(|l| l.f.clone()));
                list.retain(|l| !l.once);
            }
            (any, listeners)
        };
        drop(shared);
        for f in any {
            f(&message);
        }
        for f in listeners {
            f(message.clone());
        }
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
