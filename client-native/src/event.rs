//! What the client reports: incoming messages, socket status changes, connection events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sio_core::{DisconnectReason, OpenError, Payload};

use crate::command::{Command, CommandQueue};
pub use crate::connected::Connected;
use crate::error::{ConnectError, Error};
use crate::ids::ListenerId;
use crate::payload::{self, PayloadError};

/// An event from the server, as handed to listeners and streams. Cheap to clone.
#[derive(Clone)]
pub struct Message {
    inner: Arc<MessageData>,
}

struct MessageData {
    namespace: String,
    event: String,
    payload: Payload,
    ack: Option<AckResponder>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("namespace", &self.inner.namespace)
            .field("event", &self.inner.event)
            .field("args", &self.inner.payload.json)
            .field("attachments", &self.inner.payload.attachments.len())
            .field("wants_ack", &self.inner.ack.is_some())
            .finish()
    }
}

impl Message {
    pub(crate) fn new(
        namespace: String,
        event: String,
        payload: Payload,
        ack: Option<AckResponder>,
    ) -> Self {
        Self {
            inner: Arc::new(MessageData {
                namespace,
                event,
                payload,
                ack,
            }),
        }
    }

    /// The namespace it arrived on.
    pub fn namespace(&self) -> &str {
        &self.inner.namespace
    }

    /// The event name.
    pub fn event(&self) -> &str {
        &self.inner.event
    }

    /// The raw arguments: a JSON array with binary placeholders, plus the attachments.
    pub fn payload(&self) -> &Payload {
        &self.inner.payload
    }

    /// The arguments as `T`: a tuple for the whole argument list, `()` for none, any other
    /// type for the first argument (see [`payload`](crate::payload) for the rules and binary).
    pub fn args<T: DeserializeOwned + 'static>(&self) -> Result<T, Error> {
        Ok(payload::from_payload(&self.inner.payload)?)
    }

    /// The arguments as a JSON array, binary values as `{"$binary": "<base64>"}`.
    pub fn json(&self) -> Result<serde_json::Value, Error> {
        Ok(payload::to_json_with_binary(&self.inner.payload)?)
    }

    /// The server waits for an acknowledgement: answer it with [`ack`](Self::ack) or the
    /// responder.
    pub fn ack_responder(&self) -> Option<&AckResponder> {
        self.inner.ack.as_ref()
    }

    /// Answers the server's acknowledgement request (once; later calls are refused).
    pub fn ack(&self, args: impl Serialize) -> Result<(), Error> {
        match &self.inner.ack {
            Some(responder) => responder.send(args),
            None => Err(Error::NoAckRequested),
        }
    }
}

/// Answers one acknowledgement request from the server. Clones share the "already sent"
/// flag: the answer goes out at most once, like socket.io-client.
#[derive(Clone)]
pub struct AckResponder {
    commands: Arc<CommandQueue>,
    namespace: String,
    id: u64,
    sent: Arc<AtomicBool>,
}

impl std::fmt::Debug for AckResponder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AckResponder")
            .field("namespace", &self.namespace)
            .field("id", &self.id)
            .field("sent", &self.sent.load(Ordering::Relaxed))
            .finish()
    }
}

impl AckResponder {
    pub(crate) fn new(commands: Arc<CommandQueue>, namespace: String, id: u64) -> Self {
        Self {
            commands,
            namespace,
            id,
            sent: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The ack id chosen by the server.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The namespace of the request.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Whether the answer was sent already.
    pub fn is_sent(&self) -> bool {
        self.sent.load(Ordering::Acquire)
    }

    /// Sends the acknowledgement with `args` (a tuple for several arguments, `()` for none,
    /// any other value for one).
    pub fn send(&self, args: impl Serialize) -> Result<(), Error> {
        self.send_payload(payload::to_payload(&args)?)
    }

    /// Sends the acknowledgement with an already-built payload.
    pub fn send_payload(&self, payload: Payload) -> Result<(), Error> {
        if self.sent.swap(true, Ordering::AcqRel) {
            return Err(Error::AckAlreadySent(self.id));
        }
        self.commands.send(Command::Ack {
            ns: self.namespace.clone(),
            id: self.id,
            args: payload,
        })
    }
}

/// A typed listener could not use an event: its arguments did not decode as the listener's
/// type. The event still reached every other listener.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListenerError {
    /// The event name.
    pub event: String,
    /// The listener that refused it.
    pub listener: ListenerId,
    /// serde's message.
    pub error: PayloadError,
}

impl std::fmt::Display for ListenerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the arguments of \"{}\" do not match the listener's type: {}",
            self.event, self.error
        )
    }
}

/// A change of a namespace socket, or a message, for [`Socket::events`](crate::Socket::events)
/// streams and status listeners.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SocketEvent {
    /// Connected (or reconnected).
    Connect(Connected),
    /// The server refused the namespace, or the connection attempt failed.
    ConnectError(ConnectError),
    /// Disconnected; `reason.reconnects()` tells whether it comes back by itself.
    Disconnect(DisconnectReason),
    /// An event from the server.
    Message(Message),
    /// The server acknowledged a `join(room)`.
    Joined(String),
    /// A typed listener could not decode an event's arguments.
    ListenerError(ListenerError),
}

/// Connection-level events (socket.io-client's Manager events).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The Engine.IO connection opened.
    Open,
    /// The connection closed.
    Close(DisconnectReason),
    /// The server pinged.
    Ping,
    /// Upgraded to WebSocket.
    Upgrade,
    /// Opening the connection failed.
    Error(OpenError),
    /// A reconnection attempt starts.
    ReconnectAttempt(u32),
    /// Reconnected after this many attempts.
    Reconnect(u32),
    /// A reconnection attempt failed.
    ReconnectError(OpenError),
    /// All reconnection attempts failed.
    ReconnectFailed,
    /// A listener panicked: the client closed itself (it cannot tell what state the listener
    /// left behind). The message is the panic's.
    ListenerPanicked(String),
}
