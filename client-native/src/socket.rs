//! [`Socket`]: one namespace of a [`Client`](crate::Client).

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sio_core::error::is_reserved;
use sio_core::{ConnectError, DisconnectReason, EmitOptions, Payload};
use tokio::sync::{mpsc, oneshot};

use crate::event::{Connected, Message, SocketEvent};
use crate::serde_value::{args_to_payload, payload_to_args};
use crate::shared::{Command, EventListener, ListenerId, Shared};
use crate::stream::EventStream;
use crate::Error;

/// How long `emit_with_ack` waits when neither [`Socket::timeout`] nor the client's
/// `ack_timeout` says otherwise: an await must never hang forever.
pub const DEFAULT_ACK_TIMEOUT: Duration = Duration::from_secs(30);

/// A namespace socket. Cheap to clone; every clone is the same socket.
///
/// ```no_run
/// # async fn demo() -> Result<(), sio_client::Error> {
/// #[derive(serde::Deserialize)]
/// struct Chat { user: String, text: String }
///
/// let client = sio_client::Client::builder("http://localhost:3000").build()?;
/// let socket = client.socket("/");
/// socket.on("chat", |chat: Chat, ack| {
///     println!("{}: {}", chat.user, chat.text);
///     if let Some(ack) = ack {
///         let _ = ack.send("received");
///     }
/// });
/// socket.connect().await?;
/// socket.join("lobby")?;
/// socket.emit("chat", &serde_json::json!({ "user": "bot", "text": "hi" }))?;
/// let reply: String = socket.emit_with_ack("echo", "ping").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Socket {
    pub(crate) shared: Arc<Shared>,
    pub(crate) namespace: String,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("namespace", &self.namespace)
            .field("id", &self.id())
            .field("connected", &self.connected())
            .finish()
    }
}

impl Socket {
    /// The namespace (`/`, `/admin`, …).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The namespace socket id while connected.
    pub fn id(&self) -> Option<String> {
        self.shared
            .lock()
            .namespaces
            .get(&self.namespace)
            .and_then(|n| n.id.clone())
    }

    /// Whether the namespace is connected.
    pub fn connected(&self) -> bool {
        self.shared
            .lock()
            .namespaces
            .get(&self.namespace)
            .is_some_and(|n| n.connected)
    }

    /// Whether the last connection recovered the previous session.
    pub fn recovered(&self) -> bool {
        self.shared
            .lock()
            .namespaces
            .get(&self.namespace)
            .is_some_and(|n| n.recovered)
    }

    /// Whether the socket wants to be connected and reconnects by itself (socket.io-client
    /// `socket.active`): false after `disconnect()`, a server disconnect or a rejection.
    pub fn active(&self) -> bool {
        self.shared
            .lock()
            .namespaces
            .get(&self.namespace)
            .is_some_and(|n| n.active)
    }

    /// The rooms joined with [`join`](Self::join), re-joined after every reconnect.
    pub fn rooms(&self) -> Vec<String> {
        self.shared
            .lock()
            .namespaces
            .get(&self.namespace)
            .map(|n| n.rooms.clone())
            .unwrap_or_default()
    }

    /// Connects the namespace (opening the connection if needed) and waits for the first
    /// outcome: the server's acceptance, or the first error. After a network error the
    /// client keeps retrying in the background (unless reconnection is off); a rejection by
    /// the server is final.
    pub async fn connect(&self) -> Result<Connected, Error> {
        let (reply, rx) = oneshot::channel();
        self.shared.send(Command::Connect {
            ns: self.namespace.clone(),
            reply: Some(reply),
        })?;
        rx.await.map_err(|_| Error::Closed)?
    }

    /// Starts connecting without waiting (events and listeners report the outcome).
    pub fn connect_in_background(&self) -> Result<(), Error> {
        self.shared.send(Command::Connect {
            ns: self.namespace.clone(),
            reply: None,
        })
    }

    /// Disconnects the namespace (no automatic reconnection; `connect` again to come back).
    pub fn disconnect(&self) -> Result<(), Error> {
        self.shared.send(Command::Disconnect {
            ns: self.namespace.clone(),
        })
    }

    /// Emits `event`. `args` is a tuple or `Vec` for several arguments, any other value for
    /// one, `()` for none; bytes (`serde_bytes`, `bytes::Bytes`) travel as binary
    /// attachments. Never blocks: while offline the packet waits in the send buffer.
    pub fn emit<A: Serialize + ?Sized>(&self, event: &str, args: &A) -> Result<(), Error> {
        self.emitter().emit(event, args)
    }

    /// Emits `event` and waits for the server's acknowledgement, decoded as `R` (see
    /// [`Message::args`] for the shape rules). Times out after the socket's
    /// [`timeout`](Self::timeout), else the client's `ack_timeout`, else
    /// [`DEFAULT_ACK_TIMEOUT`].
    pub async fn emit_with_ack<A, R>(&self, event: &str, args: &A) -> Result<R, Error>
    where
        A: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        self.emitter().emit_with_ack(event, args).await
    }

    /// An emitter whose acks time out after `timeout` (socket.io-client `socket.timeout(ms)`).
    pub fn timeout(&self, timeout: Duration) -> Emitter {
        Emitter {
            timeout: Some(timeout),
            ..self.emitter()
        }
    }

    /// An emitter whose packets are dropped rather than buffered when they cannot be sent at
    /// once (socket.io-client `socket.volatile`).
    pub fn volatile(&self) -> Emitter {
        Emitter {
            volatile: true,
            ..self.emitter()
        }
    }

    /// An emitter with the default options (for [`Emitter::emit_payload`]).
    pub fn emitter(&self) -> Emitter {
        Emitter {
            socket: self.clone(),
            timeout: None,
            volatile: false,
        }
    }

    /// Joins `room` with the rooms convention (emits the join event with an ack); the room is
    /// re-joined after every reconnect that did not recover the session.
    pub fn join(&self, room: &str) -> Result<(), Error> {
        self.shared.send(Command::Join {
            ns: self.namespace.clone(),
            room: room.to_string(),
        })
    }

    /// Leaves `room` and stops re-joining it.
    pub fn leave(&self, room: &str) -> Result<(), Error> {
        self.shared.send(Command::Leave {
            ns: self.namespace.clone(),
            room: room.to_string(),
        })
    }

    fn add_listener(&self, event: &str, once: bool, f: crate::shared::MessageFn) -> ListenerId {
        let mut state = self.shared.lock();
        let id = state.next_id();
        state
            .ns(&self.namespace)
            .listeners
            .entry(event.to_string())
            .or_default()
            .push(EventListener { id, once, f });
        id
    }

    /// Calls `handler` for every `event`, with the arguments decoded as `T` and, when the
    /// server asked for one, an [`AckResponder`](crate::AckResponder). Arguments that do not
    /// decode as `T` are logged (`tracing` warn) and skipped.
    ///
    /// Listeners run on the connection's task, in arrival order: keep them short, or spawn.
    pub fn on<T, F>(&self, event: &str, handler: F) -> ListenerId
    where
        T: DeserializeOwned,
        F: Fn(T, Option<crate::AckResponder>) + Send + Sync + 'static,
    {
        self.add_listener(event, false, typed(handler))
    }

    /// Like [`on`](Self::on), but only for the next occurrence.
    pub fn once<T, F>(&self, event: &str, handler: F) -> ListenerId
    where
        T: DeserializeOwned,
        F: Fn(T, Option<crate::AckResponder>) + Send + Sync + 'static,
    {
        self.add_listener(event, true, typed(handler))
    }

    /// Calls `handler` with the raw [`Message`] for every `event`.
    pub fn on_message<F>(&self, event: &str, handler: F) -> ListenerId
    where
        F: Fn(Message) + Send + Sync + 'static,
    {
        self.add_listener(event, false, Arc::new(handler))
    }

    /// Removes every listener of `event`; returns how many there were.
    pub fn off(&self, event: &str) -> usize {
        let mut state = self.shared.lock();
        state
            .ns(&self.namespace)
            .listeners
            .remove(event)
            .map_or(0, |l| l.len())
    }

    /// Removes one listener (of any kind) by id; returns whether it existed.
    pub fn off_listener(&self, id: ListenerId) -> bool {
        let remove_outgoing;
        let found = {
            let mut state = self.shared.lock();
            let ns = state.ns(&self.namespace);
            let before = ns.listeners.values().map(Vec::len).sum::<usize>()
                + ns.any.len()
                + ns.any_outgoing.len()
                + ns.status.len();
            for list in ns.listeners.values_mut() {
                list.retain(|l| l.id != id);
            }
            ns.any.retain(|(i, _)| *i != id);
            ns.any_outgoing.retain(|(i, _)| *i != id);
            ns.status.retain(|(i, _)| *i != id);
            let after = ns.listeners.values().map(Vec::len).sum::<usize>()
                + ns.any.len()
                + ns.any_outgoing.len()
                + ns.status.len();
            remove_outgoing = !state.wants_outgoing();
            before != after
        };
        if found && remove_outgoing {
            let _ = self.shared.send(Command::ReportOutgoing(false));
        }
        found
    }

    /// Calls `handler` for every incoming event, whatever its name (socket.io-client `onAny`).
    pub fn on_any<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&Message) + Send + Sync + 'static,
    {
        let mut state = self.shared.lock();
        let id = state.next_id();
        state.ns(&self.namespace).any.push((id, Arc::new(handler)));
        id
    }

    /// Calls `handler(event, args)` for every event this socket writes to the connection,
    /// buffered ones included when they are flushed; acks are not reported
    /// (socket.io-client `onAnyOutgoing`).
    pub fn on_any_outgoing<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&str, &Payload) + Send + Sync + 'static,
    {
        let id = {
            let mut state = self.shared.lock();
            let id = state.next_id();
            state
                .ns(&self.namespace)
                .any_outgoing
                .push((id, Arc::new(handler)));
            id
        };
        let _ = self.shared.send(Command::ReportOutgoing(true));
        id
    }

    fn on_status<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&SocketEvent) + Send + Sync + 'static,
    {
        let mut state = self.shared.lock();
        let id = state.next_id();
        state
            .ns(&self.namespace)
            .status
            .push((id, Arc::new(handler)));
        id
    }

    /// Calls `handler` on every (re)connect of this namespace.
    pub fn on_connect<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&Connected) + Send + Sync + 'static,
    {
        self.on_status(move |e| {
            if let SocketEvent::Connect(c) = e {
                handler(c)
            }
        })
    }

    /// Calls `handler` on every disconnect of this namespace.
    pub fn on_disconnect<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(DisconnectReason) + Send + Sync + 'static,
    {
        self.on_status(move |e| {
            if let SocketEvent::Disconnect(r) = e {
                handler(*r)
            }
        })
    }

    /// Calls `handler` when the namespace cannot connect (rejection or failed attempt).
    pub fn on_connect_error<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&ConnectError) + Send + Sync + 'static,
    {
        self.on_status(move |e| {
            if let SocketEvent::ConnectError(err) = e {
                handler(err)
            }
        })
    }

    /// A stream of everything that happens to this namespace (status changes, messages,
    /// joined rooms), from now on. Dropping the stream unsubscribes it.
    pub fn events(&self) -> EventStream<SocketEvent> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.lock().ns(&self.namespace).streams.push(tx);
        EventStream::new(rx)
    }
}

fn typed<T, F>(handler: F) -> crate::shared::MessageFn
where
    T: DeserializeOwned,
    F: Fn(T, Option<crate::AckResponder>) + Send + Sync + 'static,
{
    Arc::new(
        move |message: Message| match payload_to_args::<T>(&message.payload) {
            Ok(args) => handler(args, message.ack),
            Err(error) => tracing::warn!(
                event = %message.event,
                %error,
                "arguments do not match the listener's type; skipped"
            ),
        },
    )
}

/// Emits with options: see [`Socket::timeout`] and [`Socket::volatile`].
#[derive(Clone, Debug)]
pub struct Emitter {
    socket: Socket,
    timeout: Option<Duration>,
    volatile: bool,
}

impl Emitter {
    /// Sets the ack timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Makes the packet volatile.
    pub fn volatile(mut self) -> Self {
        self.volatile = true;
        self
    }

    fn prepare<A: Serialize + ?Sized>(&self, event: &str, args: &A) -> Result<Payload, Error> {
        if is_reserved(event) {
            return Err(Error::ReservedEvent(event.to_string()));
        }
        Ok(args_to_payload(args)?)
    }

    /// Emits an already-built payload (JSON array text with binary placeholders), for
    /// proxies and tools that hold JSON rather than Rust types.
    pub fn emit_payload(&self, event: &str, args: Payload) -> Result<(), Error> {
        if is_reserved(event) {
            return Err(Error::ReservedEvent(event.to_string()));
        }
        self.send_emit(event, args, None)
    }

    /// Like [`emit_payload`](Self::emit_payload), waiting for the acknowledgement's payload.
    pub async fn emit_payload_with_ack(
        &self,
        event: &str,
        args: Payload,
    ) -> Result<Payload, Error> {
        if is_reserved(event) {
            return Err(Error::ReservedEvent(event.to_string()));
        }
        let (reply, rx) = oneshot::channel();
        self.send_emit(event, args, Some(reply))?;
        Ok(rx.await.map_err(|_| Error::Closed)??)
    }

    fn send_emit(
        &self,
        event: &str,
        args: Payload,
        reply: Option<oneshot::Sender<Result<Payload, sio_core::AckError>>>,
    ) -> Result<(), Error> {
        let ack = reply.is_some();
        let timeout = ack.then(|| {
            self.timeout
                .or(self.socket.shared.default_ack_timeout)
                .unwrap_or(DEFAULT_ACK_TIMEOUT)
        });
        self.socket.shared.send(Command::Emit {
            ns: self.socket.namespace.clone(),
            event: event.to_string(),
            args,
            opts: EmitOptions {
                ack,
                timeout,
                volatile: self.volatile,
            },
            reply,
        })
    }

    /// Emits without waiting for an acknowledgement.
    pub fn emit<A: Serialize + ?Sized>(&self, event: &str, args: &A) -> Result<(), Error> {
        let payload = self.prepare(event, args)?;
        self.send_emit(event, payload, None)
    }

    /// Emits and waits for the acknowledgement (see [`Socket::emit_with_ack`]).
    pub async fn emit_with_ack<A, R>(&self, event: &str, args: &A) -> Result<R, Error>
    where
        A: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let payload = self.prepare(event, args)?;
        let (reply, rx) = oneshot::channel();
        self.send_emit(event, payload, Some(reply))?;
        let answer = rx.await.map_err(|_| Error::Closed)??;
        Ok(payload_to_args(&answer)?)
    }
}
