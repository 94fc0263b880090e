//! State shared between the user's handles and the driver task: the command channel, the
//! listeners, and the status of each namespace.
//!
//! The driver never calls a listener while holding this lock: it clones the listeners out,
//! releases the lock, then calls them, so a listener may register or remove listeners, emit,
//! or read the socket's state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use sio_core::{AckError, EmitOptions, Payload};
use tokio::sync::{mpsc, oneshot};

use crate::event::{ClientEvent, Connected, Message, SocketEvent};

/// Identifies a registered listener, for removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListenerId(pub(crate) u64);

pub(crate) type MessageFn = Arc<dyn Fn(Message) + Send + Sync>;
pub(crate) type AnyFn = Arc<dyn Fn(&Message) + Send + Sync>;
pub(crate) type OutgoingFn = Arc<dyn Fn(&str, &Payload) + Send + Sync>;
pub(crate) type SocketEventFn = Arc<dyn Fn(&SocketEvent) + Send + Sync>;
pub(crate) type ClientEventFn = Arc<dyn Fn(&ClientEvent) + Send + Sync>;

pub(crate) struct EventListener {
    pub(crate) id: ListenerId,
    pub(crate) once: bool,
    pub(crate) f: MessageFn,
}

/// Per-namespace state.
#[derive(Default)]
pub(crate) struct Namespace {
    pub(crate) id: Option<String>,
    pub(crate) connected: bool,
    pub(crate) recovered: bool,
    pub(crate) active: bool,
    pub(crate) rooms: Vec<String>,
    pub(crate) listeners: HashMap<String, Vec<EventListener>>,
    pub(crate) any: Vec<(ListenerId, AnyFn)>,
    pub(crate) any_outgoing: Vec<(ListenerId, OutgoingFn)>,
    pub(crate) status: Vec<(ListenerId, SocketEventFn)>,
    pub(crate) streams: Vec<mpsc::UnboundedSender<SocketEvent>>,
}

/// Everything behind the lock.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) namespaces: HashMap<String, Namespace>,
    pub(crate) client_listeners: Vec<(ListenerId, ClientEventFn)>,
    pub(crate) client_streams: Vec<mpsc::UnboundedSender<ClientEvent>>,
    pub(crate) next_listener: u64,
}

impl State {
    pub(crate) fn ns(&mut self, ns: &str) -> &mut Namespace {
        self.namespaces.entry(ns.to_string()).or_default()
    }

    pub(crate) fn next_id(&mut self) -> ListenerId {
        self.next_listener += 1;
        ListenerId(self.next_listener)
    }

    /// Whether any namespace wants outgoing events reported.
    pub(crate) fn wants_outgoing(&self) -> bool {
        self.namespaces.values().any(|n| !n.any_outgoing.is_empty())
    }
}

/// What a handle asks the driver to do.
pub(crate) enum Command {
    Connect {
        ns: String,
        reply: Option<oneshot::Sender<Result<Connected, crate::Error>>>,
    },
    Disconnect {
        ns: String,
    },
    Emit {
        ns: String,
        event: String,
        args: Payload,
        opts: EmitOptions,
        reply: Option<oneshot::Sender<Result<Payload, AckError>>>,
    },
    Ack {
        ns: String,
        id: u64,
        args: Payload,
        reply: oneshot::Sender<bool>,
    },
    Join {
        ns: String,
        room: String,
    },
    Leave {
        ns: String,
        room: String,
    },
    ProvideAuth {
        ns: String,
        auth: Option<String>,
    },
    ReconnectNow,
    ReportOutgoing(bool),
    Close {
        reply: Option<oneshot::Sender<()>>,
    },
}

/// The part of a client every handle holds.
pub(crate) struct Shared {
    pub(crate) commands: mpsc::UnboundedSender<Command>,
    pub(crate) state: Mutex<State>,
    pub(crate) default_ack_timeout: Option<Duration>,
}

impl Shared {
    /// Locks the state; a listener that panicked cannot poison it for everyone else.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends a command; `Err(Closed)` once the driver is gone.
    pub(crate) fn send(&self, command: Command) -> Result<(), crate::Error> {
        self.commands
            .send(command)
            .map_err(|_| crate::Error::Closed)
    }
}
