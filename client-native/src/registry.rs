//! The listeners and event streams of a client, by namespace.
//!
//! Handles add and remove entries under a lock; the driver takes copies of the callbacks it
//! needs (cheap `Arc` clones) under the same lock, releases it, and only then calls them, so a
//! listener may add or remove listeners, emit, or read the socket's state.

use std::collections::HashMap;

use sio_core::Payload;

use crate::by_name::ByName;
use crate::event::{ClientEvent, Message, SocketEvent};
use crate::maybe_send::shared_fn;
use crate::payload::PayloadError;
use crate::stream::StreamSlot;

pub(crate) use crate::ids::ListenerId;

shared_fn!(
    /// An event listener: typed ones decode the arguments and may fail to.
    MessageFn = Fn(&Message) -> Result<(), PayloadError>
);
shared_fn!(
    /// A catch-all listener (`onAny`).
    AnyFn = Fn(&Message)
);
shared_fn!(
    /// An outgoing-events listener (`onAnyOutgoing`).
    OutgoingFn = Fn(&str, &Payload)
);
shared_fn!(
    /// A status listener of a socket (connect, disconnect, errors...).
    SocketEventFn = Fn(&SocketEvent)
);
shared_fn!(
    /// A connection-level listener (`socket.io.on(...)`).
    ClientEventFn = Fn(&ClientEvent)
);

/// One listener of an event name.
pub(crate) struct EventListener {
    pub(crate) id: ListenerId,
    pub(crate) once: bool,
    pub(crate) f: MessageFn,
}

/// Everything registered for one namespace.
#[derive(Default)]
pub(crate) struct NamespaceListeners {
    pub(crate) events: HashMap<String, Vec<EventListener>>,
    pub(crate) any: Vec<(ListenerId, AnyFn)>,
    pub(crate) outgoing: Vec<(ListenerId, OutgoingFn)>,
    pub(crate) status: Vec<(ListenerId, SocketEventFn)>,
    pub(crate) streams: Vec<StreamSlot<SocketEvent>>,
}

impl NamespaceListeners {
    /// Removes listener `id` of any kind; whether it was there.
    fn remove(&mut self, id: ListenerId) -> bool {
        let mut found = false;
        for list in self.events.values_mut() {
            let before = list.len();
            list.retain(|l| l.id != id);
            found |= list.len() != before;
        }
        self.events.retain(|_, list| !list.is_empty());
        for found_here in [
            remove_from(&mut self.any, id),
            remove_from(&mut self.outgoing, id),
            remove_from(&mut self.status, id),
        ] {
            found |= found_here;
        }
        found
    }
}

fn remove_from<T>(list: &mut Vec<(ListenerId, T)>, id: ListenerId) -> bool {
    let before = list.len();
    list.retain(|(i, _)| *i != id);
    list.len() != before
}

/// Every listener and stream of a client.
#[derive(Default)]
pub(crate) struct Registry {
    pub(crate) namespaces: ByName<NamespaceListeners>,
    pub(crate) client: Vec<(ListenerId, ClientEventFn)>,
    pub(crate) client_streams: Vec<StreamSlot<ClientEvent>>,
    next_id: u64,
}

impl Registry {
    /// The listeners of `ns`, created empty on first use.
    pub(crate) fn ns(&mut self, ns: &str) -> &mut NamespaceListeners {
        self.namespaces.entry(ns)
    }

    /// A fresh id for a listener or stream.
    pub(crate) fn next_id(&mut self) -> ListenerId {
        self.next_id += 1;
        ListenerId(self.next_id)
    }

    /// Removes listener `id` of namespace `ns`; whether it was there.
    pub(crate) fn remove(&mut self, ns: &str, id: ListenerId) -> bool {
        self.namespaces.get_mut(ns).is_some_and(|n| n.remove(id))
    }

    /// Whether any namespace listens to outgoing events (the core reports them only then).
    pub(crate) fn wants_outgoing(&self) -> bool {
        self.namespaces.values().any(|n| !n.outgoing.is_empty())
    }

    /// Whether a stream holds events it could not hand over yet (the driver then stops
    /// reading the network).
    pub(crate) fn has_backlog(&self) -> bool {
        self.client_streams.iter().any(StreamSlot::has_backlog)
            || self
                .namespaces
                .values()
                .any(|n| n.streams.iter().any(StreamSlot::has_backlog))
    }
}
