//! [`Client`]: one connection to a Socket.IO server, shared by its namespace sockets.

use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use crate::builder::ClientBuilder;
use crate::driver::Driver;
use crate::event::ClientEvent;
use crate::shared::{Command, CommandQueue, ListenerId, Shared, State};
use crate::stream::EventStream;
use crate::transport::Transports;
use crate::{Error, Socket};

/// A Socket.IO client: one Engine.IO connection (polling and/or WebSocket) that carries any
/// number of namespaces, reconnects by itself, and is driven by one tokio task.
///
/// Cheap to clone. The connection stays up until [`close`](Self::close) is called or every
/// handle (clients and sockets) is dropped.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// Options for a client of the server at `url` (`http(s)://` or `ws(s)://`; the URL's
    /// path names the default namespace, its query string is sent on every request).
    pub fn builder(url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    pub(crate) fn start(builder: ClientBuilder) -> Result<Self, Error> {
        let config = builder.core_config()?;
        let transports = Transports::new(builder.transport_options()?)?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
        let commands = Arc::new(CommandQueue::default());
        let shared = Arc::new(Shared {
            commands: commands.clone(),
            state: Mutex::new(State::default()),
            default_ack_timeout: config.ack_timeout,
        });
        let driver = Driver::new(
            config,
            transports,
            commands,
            Arc::downgrade(&shared),
            builder.take_auth_provider(),
        )?;
        runtime.spawn(driver.run());
        Ok(Self { shared })
    }

    /// The socket of namespace `ns` (created on first use; every call returns the same
    /// socket). It connects when you call [`Socket::connect`].
    pub fn socket(&self, ns: &str) -> Socket {
        let ns = if ns.starts_with('/') {
            ns.to_string()
        } else {
            format!("/{ns}")
        };
        self.shared.lock().ns(&ns);
        Socket {
            shared: self.shared.clone(),
            namespace: ns,
        }
    }

    /// Calls `handler` for every connection-level event (open, close, reconnect attempts, …;
    /// socket.io-client's `socket.io.on(...)`).
    pub fn on_event<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&ClientEvent) + Send + Sync + 'static,
    {
        let mut state = self.shared.lock();
        let id = state.next_id();
        state.client_listeners.push((id, Arc::new(handler)));
        id
    }

    /// Removes a listener added with [`on_event`](Self::on_event).
    pub fn off_event(&self, id: ListenerId) -> bool {
        let mut state = self.shared.lock();
        let before = state.client_listeners.len();
        state.client_listeners.retain(|(i, _)| *i != id);
        before != state.client_listeners.len()
    }

    /// A stream of connection-level events from now on.
    pub fn events(&self) -> EventStream<ClientEvent> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.lock().client_streams.push(tx);
        EventStream::new(rx)
    }

    /// Reconnects now, restarting the backoff schedule, if the connection is down.
    pub fn reconnect_now(&self) -> Result<(), Error> {
        self.shared.send(Command::ReconnectNow)
    }

    /// Disconnects every namespace and closes the connection; pending acks fail with
    /// [`AckError::Closed`](sio_core::AckError::Closed). Waits until the driver has stopped.
    pub async fn close(&self) {
        let (reply, rx) = oneshot::channel();
        if self
            .shared
            .send(Command::Close { reply: Some(reply) })
            .is_ok()
        {
            let _ = rx.await;
        }
    }
}
