//! Events of the core → the user: listeners, streams, ack futures and `connect()` waiters.

use std::sync::Arc;
use std::task::{Context, Poll};

use sio_core::{Event, Payload};

use super::Driver;
use crate::error::{ConnectError, Error};
use crate::event::{AckResponder, ClientEvent, Connected, ListenerError, Message, SocketEvent};
use crate::registry::{AnyFn, ListenerId, MessageFn, Registry};
use crate::shared::Shared;
use crate::stream::{Offer, StreamSlot};

/// The callbacks of one message, copied out of the registry (kept between messages).
#[derive(Default)]
pub(super) struct Scratch {
    any: Vec<AnyFn>,
    listeners: Vec<(ListenerId, MessageFn)>,
}

impl Driver {
    pub(super) fn dispatch(&mut self, event: Event) {
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
                // nobody will connect any more: connect() callers learn it now
                self.fail_connect_waiters(|| {
                    Error::Connect(ConnectError::Open(sio_core::OpenError::Transport(
                        "reconnection attempts exhausted".into(),
                    )))
                });
            }
            Event::AuthRequest { ns } => self.request_auth(ns),
            Event::Connect { ns, id, recovered } => {
                let connected = Connected::new(id, recovered);
                self.socket_event(&ns, SocketEvent::Connect(connected.clone()));
                self.resolve_waiters(&ns, || Ok(connected.clone()));
            }
            Event::ConnectError { ns, error } => {
                let error = ConnectError::from(error);
                self.socket_event(&ns, SocketEvent::ConnectError(error.clone()));
                self.resolve_waiters(&ns, || Err(Error::Connect(error.clone())));
            }
            Event::Disconnect { ns, reason } => {
                self.socket_event(&ns, SocketEvent::Disconnect(reason));
                if !reason.reconnects() {
                    self.resolve_waiters(&ns, || Err(Error::Disconnected(reason)));
                }
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
            Event::Joined { ns, room } => self.socket_event(&ns, SocketEvent::Joined(room)),
            Event::Outgoing { ns, event, args } => self.outgoing(&ns, &event, &args),
        }
    }

    /// The `connect()` callers of `ns` learn the outcome (after the event reached the
    /// streams, so a caller that then drains its stream sees the event).
    fn resolve_waiters(&mut self, ns: &str, outcome: impl Fn() -> Result<Connected, Error>) {
        if let Some(waiters) = self.connect_waiters.remove(ns) {
            for w in waiters {
                let _ = w.send(outcome());
            }
        }
        if self.connect_waiters.is_empty() {
            // an idle connection keeps no map memory
            self.connect_waiters = Default::default();
        }
    }

    fn request_auth(&mut self, ns: String) {
        let Some(provider) = self.auth_provider.clone() else {
            self.manager.provide_auth(&ns, None, crate::rt::now());
            return;
        };
        let answers = self.commands.0.clone();
        crate::rt::spawn(async move {
            let auth = provider.call(&ns).await;
            let auth = auth.is_object().then(|| crate::payload::value_text(&auth));
            let _ = answers.push(crate::command::Command::ProvideAuth { ns, auth });
        });
    }

    pub(super) fn client_event(&mut self, event: ClientEvent) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        let listeners: Vec<_> = {
            let mut registry = shared.registry();
            self.backlogged |= offer_all(&mut registry.client_streams, &event);
            registry.client.iter().map(|(_, f)| f.clone()).collect()
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
            let mut registry = shared.registry();
            let entry = registry.ns(ns);
            self.backlogged |= offer_all(&mut entry.streams, &event);
            entry.status.iter().map(|(_, f)| f.clone()).collect()
        };
        for f in listeners {
            f(&event);
        }
    }

    fn outgoing(&mut self, ns: &str, event: &str, args: &Payload) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        let listeners: Vec<_> = {
            let mut registry = shared.registry();
            registry
                .ns(ns)
                .outgoing
                .iter()
                .map(|(_, f)| f.clone())
                .collect()
        };
        for f in listeners {
            f(event, args);
        }
    }

    fn message(&mut self, ns: String, event: String, args: Payload, ack: Option<u64>) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        let responder = ack.map(|id| AckResponder::new(shared.commands.clone(), ns.clone(), id));
        let message = Message::new(ns, event, args, responder);
        // the callbacks are copied out (the lock is not held while user code runs) into
        // buffers kept between messages: no allocation per message
        let mut any = std::mem::take(&mut self.scratch.any);
        let mut listeners = std::mem::take(&mut self.scratch.listeners);
        {
            let mut registry = shared.registry();
            let entry = registry.ns(message.namespace());
            self.backlogged |=
                offer_all(&mut entry.streams, &SocketEvent::Message(message.clone()));
            any.extend(entry.any.iter().map(|(_, f)| f.clone()));
            if let Some(list) = entry.events.get_mut(message.event()) {
                listeners.extend(list.iter().map(|l| (l.id, l.f.clone())));
                list.retain(|l| !l.once);
            }
        }
        drop(shared);
        for f in any.drain(..) {
            f(&message);
        }
        for (listener, f) in listeners.drain(..) {
            if let Err(error) = f(&message) {
                tracing::warn!(
                    event = %message.event(),
                    %error,
                    "the arguments do not match the listener's type; it was not called"
                );
                let error = ListenerError {
                    event: message.event().to_string(),
                    listener,
                    error,
                };
                self.socket_event(message.namespace(), SocketEvent::ListenerError(error));
            }
        }
        self.scratch.any = any;
        self.scratch.listeners = listeners;
    }

    /// Moves stream backlogs into their channels; whether any backlog remains (the driver
    /// is then woken when a reader makes room).
    pub(super) fn flush_streams(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(shared) = self.shared.upgrade() else {
            return false;
        };
        let mut registry = shared.registry();
        flush_all(&mut registry.client_streams, cx);
        for ns in registry.namespaces.values_mut() {
            flush_all(&mut ns.streams, cx);
        }
        registry.has_backlog()
    }
}

/// Offers `event` to every stream, dropping the ones whose reader is gone; whether one of
/// them is now backlogged.
fn offer_all<T: Clone>(streams: &mut Vec<StreamSlot<T>>, event: &T) -> bool {
    streams.retain_mut(|s| s.offer(event.clone()) == Offer::Kept);
    streams.iter().any(StreamSlot::has_backlog)
}

fn flush_all<T>(streams: &mut Vec<StreamSlot<T>>, cx: &mut Context<'_>) {
    streams.retain_mut(|s| !matches!(s.poll_flush(cx), Poll::Ready(Offer::Gone)));
}

/// Ends every stream (their readers get what was delivered, then `None`).
pub(super) fn end_streams(shared: &Shared) {
    let mut registry = shared.registry();
    end_all(&mut registry);
}

fn end_all(registry: &mut Registry) {
    registry.client_streams.clear();
    for ns in registry.namespaces.values_mut() {
        ns.streams.clear();
    }
}

/// The driver's task panicked: tell the client's streams, then end them. (Listeners are
/// not called: one of them may be what panicked.)
pub(super) fn report_panic(shared: &Arc<Shared>, message: String) {
    let mut registry = shared.registry();
    let event = ClientEvent::ListenerPanicked(message);
    let _ = offer_all(&mut registry.client_streams, &event);
    end_all(&mut registry);
}
