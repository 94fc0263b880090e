//! [`Client`]: one connection to a Socket.IO server, shared by its namespace sockets.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_channel::oneshot;

use crate::auth::AuthProvider;
use crate::command::Command;
use crate::driver::{self, Driver, Transports};
use crate::error::Error;
use crate::event::ClientEvent;
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::registry::ListenerId;
use crate::shared::{HandleOptions, Shared};
use crate::socket::Socket;
use crate::stream::EventStream;

/// A validated configuration, ready to start (built by
/// [`ClientBuilder`](crate::ClientBuilder)).
pub(crate) struct Parts {
    /// Shared with the other clients of an equal configuration; its `seed` is not used.
    pub(crate) config: Arc<sio_core::Config>,
    /// This client's seed for the backoff jitter and cache-busters.
    pub(crate) seed: u64,
    pub(crate) transports: Transports,
    pub(crate) auth_provider: Option<AuthProvider>,
    pub(crate) handle_options: HandleOptions,
}

/// A Socket.IO client: one Engine.IO connection (polling and/or WebSocket) that carries any
/// number of namespaces, reconnects by itself, and is driven by one task.
///
/// Cheap to clone. The connection stays up until [`close`](Self::close) is called or every
/// handle (clients and sockets) is dropped.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn start(parts: Parts) -> Result<Self, Error> {
        let shared = Arc::new(Shared::new(parts.handle_options));
        let driver = Driver::new(
            parts.config,
            parts.seed,
            parts.transports,
            &shared,
            parts.auth_provider,
        )?;
        driver::spawn(driver, &shared);
        Ok(Self { shared })
    }

    /// The socket of namespace `ns` (created on first use; every call returns the same
    /// socket). It connects when you call [`Socket::connect`].
    pub fn socket(&self, ns: &str) -> Socket {
        let namespace = if ns.starts_with('/') {
            ns.to_string()
        } else {
            format!("/{ns}")
        };
        self.shared.registry().ns(&namespace);
        Socket {
            shared: self.shared.clone(),
            namespace: namespace.into(),
        }
    }

    /// Calls `handler` for every connection-level event (open, close, reconnect attempts, …;
    /// socket.io-client's `socket.io.on(...)`).
    pub fn on_event<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&ClientEvent) + MaybeSend + MaybeSync + 'static,
    {
        let mut registry = self.shared.registry();
        let id = registry.next_id();
        registry.client.push((id, Arc::new(handler)));
        id
    }

    /// Removes a listener added with [`on_event`](Self::on_event).
    pub fn off_event(&self, id: ListenerId) -> bool {
        let mut registry = self.shared.registry();
        let before = registry.client.len();
        registry.client.retain(|(i, _)| *i != id);
        before != registry.client.len()
    }

    /// A stream of connection-level events from now on (bounded like
    /// [`Socket::events`]).
    pub fn events(&self) -> EventStream<ClientEvent> {
        let mut registry = self.shared.registry();
        let (stream, slot) = EventStream::new(self.shared.options.stream_capacity);
        registry.client_streams.push(slot);
        stream
    }

    /// Reconnects now, restarting the backoff schedule, if the connection is down.
    pub fn reconnect_now(&self) -> Result<(), Error> {
        self.shared.send(Command::ReconnectNow)
    }

    /// Whether the client is closed for good (by [`close`](Self::close), or after a
    /// listener panicked).
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Disconnects every namespace and closes the connection, now; pending acks fail with
    /// [`AckError::Closed`](sio_core::AckError::Closed). The future resolves once the
    /// driver has stopped (after at most a short grace period for the last packets).
    pub fn close(&self) -> CloseFuture {
        let (reply, rx) = oneshot::channel();
        let waiting = self
            .shared
            .send(Command::Close { reply: Some(reply) })
            .is_ok();
        CloseFuture {
            rx: waiting.then_some(rx),
        }
    }
}

/// Resolves when a closed client's driver has stopped. Dropping it does not stop the close.
#[derive(Debug)]
pub struct CloseFuture {
    rx: Option<oneshot::Receiver<()>>,
}

impl Future for CloseFuture {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.rx {
            Some(rx) => Pin::new(rx).poll(cx).map(|_| ()),
            None => Poll::Ready(()),
        }
    }
}
