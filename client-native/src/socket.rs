//! [`Socket`]: one namespace of a [`Client`](crate::Client).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sio_core::{DisconnectReason, Payload};

use crate::command::Command;
use crate::emit::{AckFuture, AckReply, ConnectFuture, Emitter};
use crate::error::{ConnectError, Error};
use crate::event::{AckResponder, Connected, ListenerError, Message, SocketEvent};
use crate::listener::{typed, typed_async, TaskContext};
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::registry::{EventListener, ListenerId, MessageFn};
use crate::shared::Shared;
use crate::stream::EventStream;

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
/// socket.emit("chat", serde_json::json!({ "user": "bot", "text": "hi" }))?;
/// let reply: String = socket.emit_with_ack("echo", "ping").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Socket {
    pub(crate) shared: Arc<Shared>,
    pub(crate) namespace: Arc<str>,
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
        self.shared.view(&self.namespace, |v| v.id.clone())
    }

    /// Whether the namespace is connected.
    pub fn connected(&self) -> bool {
        self.shared.view(&self.namespace, |v| v.connected)
    }

    /// Whether the last connection recovered the previous session.
    pub fn recovered(&self) -> bool {
        self.shared.view(&self.namespace, |v| v.recovered)
    }

    /// Whether the socket wants to be connected and reconnects by itself (socket.io-client
    /// `socket.active`): false after `disconnect()`, a server disconnect or a rejection.
    pub fn active(&self) -> bool {
        self.shared.view(&self.namespace, |v| v.active)
    }

    /// The rooms joined with [`join`](Self::join), re-joined after every reconnect.
    pub fn rooms(&self) -> Vec<String> {
        self.shared.view(&self.namespace, |v| v.rooms.clone())
    }

    /// Connects the namespace (opening the connection if needed). The returned future
    /// resolves with the first outcome: the server's acceptance, or the first error. After a
    /// network error the client keeps retrying in the background (unless reconnection is
    /// off); a rejection by the server is final. Dropping the future does not stop the
    /// connection.
    pub fn connect(&self) -> ConnectFuture {
        ConnectFuture::start(&self.shared, &self.namespace)
    }

    /// Disconnects the namespace (no automatic reconnection; `connect` again to come back).
    pub fn disconnect(&self) -> Result<(), Error> {
        self.shared.send(Command::Disconnect {
            ns: self.namespace.to_string(),
        })
    }

    /// Emits `event`. `args` is a tuple for several arguments, `()` for none, any other
    /// value for one (see [`payload`](crate::payload)); [`bytes::Bytes`] and `serde_bytes`
    /// values travel as binary attachments. Never blocks: while offline the packet waits in
    /// the send buffer. Emits reach the server in call order.
    pub fn emit(&self, event: &str, args: impl Serialize) -> Result<(), Error> {
        self.emitter().emit(event, args)
    }

    /// Emits `event` now and returns a future for the server's acknowledgement, decoded as
    /// `R`. The wait ends after [`timeout`](Self::timeout), else the client's `ack_timeout`,
    /// else [`DEFAULT_ACK_TIMEOUT`](crate::DEFAULT_ACK_TIMEOUT).
    ///
    /// ```no_run
    /// # async fn demo(socket: sio_client::Socket) -> Result<(), sio_client::Error> {
    /// let echoed: String = socket.emit_with_ack("echo", "hi").await?;
    /// let (a, b): (u32, String) = socket.emit_with_ack("pair", ()).await?;
    /// socket.emit_with_ack::<()>("log", "only the arrival matters").await?;
    /// # Ok(()) }
    /// ```
    pub fn emit_with_ack<R: AckReply>(&self, event: &str, args: impl Serialize) -> AckFuture<R> {
        self.emitter().emit_with_ack(event, args)
    }

    /// An emitter whose acks time out after `timeout` (socket.io-client `socket.timeout(ms)`).
    pub fn timeout(&self, timeout: Duration) -> Emitter {
        self.emitter().timeout(timeout)
    }

    /// An emitter whose packets are dropped rather than buffered when they cannot be sent at
    /// once (socket.io-client `socket.volatile`).
    pub fn volatile(&self) -> Emitter {
        self.emitter().volatile()
    }

    /// An emitter with the default options (for [`Emitter::emit_payload`]).
    pub fn emitter(&self) -> Emitter {
        Emitter {
            shared: self.shared.clone(),
            namespace: self.namespace.clone(),
            timeout: None,
            volatile: false,
        }
    }

    /// Joins `room`, and re-joins it after every reconnect that did not recover the session.
    ///
    /// Socket.IO has no client-side rooms: this is an **application convention**. It emits
    /// the join event (default `"join"`, see
    /// [`ClientBuilder::room_events`](crate::ClientBuilder::room_events)) with `[room]` and an
    /// ack; the **server must handle that event** (for example
    /// `socket.on("join", (room, ack) => { socket.join(room); ack(); })`). The server's ack is
    /// reported as [`SocketEvent::Joined`].
    pub fn join(&self, room: &str) -> Result<(), Error> {
        self.shared.send(Command::Join {
            ns: self.namespace.to_string(),
            room: room.to_string(),
        })
    }

    /// Leaves `room` (emits the leave event, default `"leave"`, with `[room]`) and stops
    /// re-joining it.
    pub fn leave(&self, room: &str) -> Result<(), Error> {
        self.shared.send(Command::Leave {
            ns: self.namespace.to_string(),
            room: room.to_string(),
        })
    }

    fn add_listener(&self, event: &str, once: bool, f: MessageFn) -> ListenerId {
        let mut registry = self.shared.registry();
        let id = registry.next_id();
        registry
            .ns(&self.namespace)
            .events
            .entry(event.to_string())
            .or_default()
            .push(EventListener { id, once, f });
        id
    }

    /// Calls `handler` for every `event`, with the arguments decoded as `T` (a tuple for the
    /// whole argument list, `()` for none, any other type for the first argument; binary
    /// fields as [`bytes::Bytes`] or `serde_bytes`) and, when the server asked for one, an
    /// [`AckResponder`].
    ///
    /// The handler runs on the connection's task, in arrival order: keep it short, or use
    /// [`on_async`](Self::on_async). Arguments that do not decode as `T` are reported as
    /// [`SocketEvent::ListenerError`] (and a `tracing` warning); the handler is not called.
    pub fn on<T, F>(&self, event: &str, handler: F) -> ListenerId
    where
        T: DeserializeOwned + 'static,
        F: Fn(T, Option<AckResponder>) + MaybeSend + MaybeSync + 'static,
    {
        self.add_listener(event, false, typed(handler))
    }

    /// Like [`on`](Self::on), but only for the next occurrence.
    pub fn once<T, F>(&self, event: &str, handler: F) -> ListenerId
    where
        T: DeserializeOwned + 'static,
        F: Fn(T, Option<AckResponder>) + MaybeSend + MaybeSync + 'static,
    {
        self.add_listener(event, true, typed(handler))
    }

    /// Calls an async `handler` for every `event`: each call runs as its own task (tokio
    /// natively, `spawn_local` in the browser), so it may emit and await acks without
    /// holding the connection up. Calls may overlap; at most
    /// [`inbound_buffer`](crate::ClientBuilder::inbound_buffer) run at once, beyond that the
    /// client stops reading the network until one finishes.
    ///
    /// ```no_run
    /// # fn demo(socket: sio_client::Socket) {
    /// let me = socket.clone();
    /// socket.on_async("question", move |text: String, ack| {
    ///     let socket = me.clone();
    ///     async move {
    ///         let answer: String = socket.emit_with_ack("lookup", text).await.unwrap_or_default();
    ///         if let Some(ack) = ack {
    ///             let _ = ack.send(answer);
    ///         }
    ///     }
    /// });
    /// # }
    /// ```
    pub fn on_async<T, F, Fut>(&self, event: &str, handler: F) -> ListenerId
    where
        T: DeserializeOwned + 'static,
        F: Fn(T, Option<AckResponder>) -> Fut + MaybeSend + MaybeSync + 'static,
        Fut: Future<Output = ()> + MaybeSend + 'static,
    {
        let tasks = TaskContext {
            in_flight: self.shared.in_flight.clone(),
            commands: self.shared.commands.clone(),
        };
        self.add_listener(event, false, typed_async(handler, tasks))
    }

    /// Calls `handler` with the raw [`Message`] for every `event`.
    pub fn on_message<F>(&self, event: &str, handler: F) -> ListenerId
    where
        F: Fn(Message) + MaybeSend + MaybeSync + 'static,
    {
        self.add_listener(
            event,
            false,
            Arc::new(move |m: &Message| {
                handler(m.clone());
                Ok(())
            }),
        )
    }

    /// Removes every listener of `event`; returns how many there were.
    pub fn off(&self, event: &str) -> usize {
        let mut registry = self.shared.registry();
        registry
            .ns(&self.namespace)
            .events
            .remove(event)
            .map_or(0, |l| l.len())
    }

    /// Removes one listener (of any kind) by id; returns whether it existed.
    pub fn off_listener(&self, id: ListenerId) -> bool {
        let (found, outgoing) = {
            let mut registry = self.shared.registry();
            (
                registry.remove(&self.namespace, id),
                registry.wants_outgoing(),
            )
        };
        if found && !outgoing {
            let _ = self.shared.send(Command::ReportOutgoing(false));
        }
        found
    }

    /// Calls `handler` for every incoming event, whatever its name (socket.io-client `onAny`).
    pub fn on_any<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&Message) + MaybeSend + MaybeSync + 'static,
    {
        let mut registry = self.shared.registry();
        let id = registry.next_id();
        registry
            .ns(&self.namespace)
            .any
            .push((id, Arc::new(handler)));
        id
    }

    /// Calls `handler(event, args)` for every event this socket writes to the connection,
    /// buffered ones included when they are flushed; acks are not reported
    /// (socket.io-client `onAnyOutgoing`).
    pub fn on_any_outgoing<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&str, &Payload) + MaybeSend + MaybeSync + 'static,
    {
        let id = {
            let mut registry = self.shared.registry();
            let id = registry.next_id();
            registry
                .ns(&self.namespace)
                .outgoing
                .push((id, Arc::new(handler)));
            id
        };
        let _ = self.shared.send(Command::ReportOutgoing(true));
        id
    }

    fn on_status<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&SocketEvent) + MaybeSend + MaybeSync + 'static,
    {
        let mut registry = self.shared.registry();
        let id = registry.next_id();
        registry
            .ns(&self.namespace)
            .status
            .push((id, Arc::new(handler)));
        id
    }

    /// Calls `handler` on every (re)connect of this namespace.
    pub fn on_connect<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&Connected) + MaybeSend + MaybeSync + 'static,
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
        F: Fn(DisconnectReason) + MaybeSend + MaybeSync + 'static,
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
        F: Fn(&ConnectError) + MaybeSend + MaybeSync + 'static,
    {
        self.on_status(move |e| {
            if let SocketEvent::ConnectError(err) = e {
                handler(err)
            }
        })
    }

    /// Calls `handler` when a typed listener could not decode an event's arguments.
    pub fn on_listener_error<F>(&self, handler: F) -> ListenerId
    where
        F: Fn(&ListenerError) + MaybeSend + MaybeSync + 'static,
    {
        self.on_status(move |e| {
            if let SocketEvent::ListenerError(err) = e {
                handler(err)
            }
        })
    }

    /// A stream of everything that happens to this namespace (status changes, messages,
    /// joined rooms, listener errors), from now on. It holds up to
    /// [`inbound_buffer`](crate::ClientBuilder::inbound_buffer) events; when it is full, the
    /// client stops reading the network until it is read. Dropping it unsubscribes.
    pub fn events(&self) -> EventStream<SocketEvent> {
        let mut registry = self.shared.registry();
        let (stream, slot) = EventStream::new(self.shared.options.stream_capacity);
        registry.ns(&self.namespace).streams.push(slot);
        stream
    }
}
