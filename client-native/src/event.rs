//! What the client reports: incoming messages, socket status changes, connection events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sio_core::{ConnectError, DisconnectReason, OpenError, Payload};
use tokio::sync::oneshot;

use crate::serde_value::{args_to_payload, payload_to_args, payload_to_json};
use crate::shared::{Command, Shared};
use crate::Error;

/// A namespace connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connected {
    /// The namespace socket id assigned by the server.
    pub id: String,
    /// Whether connection state recovery restored the previous session (same id, missed
    /// events delivered, rooms kept).
    pub recovered: bool,
}

/// An event from the server, as handed to listeners.
#[derive(Clone)]
pub struct Message {
    /// The namespace it arrived on.
    pub namespace: String,
    /// The event name.
    pub event: String,
    /// The arguments (JSON with binary attachments).
    pub payload: Payload,
    /// Set when the server waits for an acknowledgement.
    pub ack: Option<AckResponder>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("namespace", &self.namespace)
            .field("event", &self.event)
            .field("args", &self.payload.json)
            .field("attachments", &self.payload.attachments.len())
            .field("wants_ack", &self.ack.is_some())
            .finish()
    }
}

impl Message {
    /// The arguments as `T`: a tuple or `Vec` for the whole argument list, or, for a
    /// single-argument event, the argument itself.
    pub fn args<T: DeserializeOwned>(&self) -> Result<T, Error> {
        Ok(payload_to_args(&self.payload)?)
    }

    /// The arguments as JSON, binary values as `{"$binary": "<base64>"}`.
    pub fn json(&self) -> Result<serde_json::Value, Error> {
        Ok(payload_to_json(&self.payload)?)
    }

    /// Answers the server's acknowledgement request (once; later calls are refused).
    pub fn ack<A: Serialize + ?Sized>(&self, args: &A) -> Result<(), Error> {
        match &self.ack {
            Some(responder) => responder.send(args),
            None => Err(Error::NoAckRequested),
        }
    }
}

/// Answers one acknowledgement request from the server. Clones share the "already sent"
/// flag: the answer goes out at most once, like socket.io-client.
#[derive(Clone)]
pub struct AckResponder {
    pub(crate) shared: Arc<Shared>,
    pub(crate) namespace: String,
    pub(crate) id: u64,
    pub(crate) sent: Arc<AtomicBool>,
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
    /// The ack id chosen by the server.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Sends the acknowledgement with `args` (a tuple or `Vec` for several arguments, any
    /// other value for one, `()` for none).
    pub fn send<A: Serialize + ?Sized>(&self, args: &A) -> Result<(), Error> {
        self.send_payload(args_to_payload(args)?)
    }

    /// Sends the acknowledgement with an already-built payload.
    pub fn send_payload(&self, payload: Payload) -> Result<(), Error> {
        if self.sent.swap(true, Ordering::AcqRel) {
            return Err(Error::AckAlreadySent(self.id));
        }
        let (reply, _ignored) = oneshot::channel();
        self.shared.send(Command::Ack {
            ns: self.namespace.clone(),
            id: self.id,
            args: payload,
            reply,
        })
    }
}

/// A change of a namespace socket, or a message, for [`Socket::events`](crate::Socket::events)
/// streams and status listeners.
#[derive(Debug, Clone)]
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
}

/// Connection-level events (socket.io-client's Manager events).
#[derive(Debug, Clone, PartialEq)]
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
}
