//! What the core reports to the driver and, through it, to the user (`poll_event`).

use std::fmt;

use crate::value::Payload;

/// Why a namespace socket (or the whole connection) went down.
///
/// The strings are socket.io-client's, so shells can expose them unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisconnectReason {
    /// The server sent DISCONNECT for the namespace (`socket.disconnect()` on the server).
    /// No automatic reconnection.
    IoServerDisconnect,
    /// The user disconnected the socket. No automatic reconnection.
    IoClientDisconnect,
    /// No ping from the server within `pingInterval + pingTimeout`.
    PingTimeout,
    /// The server closed the transport, or the network dropped it cleanly.
    TransportClose,
    /// The transport failed (reset, HTTP error, TLS error …).
    TransportError,
    /// The server sent something that does not decode.
    ParseError,
    /// The connection was closed by the client (last socket left, or `close()`).
    ForcedClose,
}

impl DisconnectReason {
    /// The socket.io-client spelling (`"io server disconnect"`, `"ping timeout"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DisconnectReason::IoServerDisconnect => "io server disconnect",
            DisconnectReason::IoClientDisconnect => "io client disconnect",
            DisconnectReason::PingTimeout => "ping timeout",
            DisconnectReason::TransportClose => "transport close",
            DisconnectReason::TransportError => "transport error",
            DisconnectReason::ParseError => "parse error",
            DisconnectReason::ForcedClose => "forced close",
        }
    }

    /// Whether the manager reconnects by itself after this reason (docs/protocol.md §2.3).
    pub fn reconnects(self) -> bool {
        !matches!(
            self,
            DisconnectReason::IoServerDisconnect
                | DisconnectReason::IoClientDisconnect
                | DisconnectReason::ForcedClose
        )
    }
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A handle for one emit that expects an acknowledgement. Stable across retries (the wire ack
/// id changes on every try; this does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AckHandle(pub u64);

/// Why an expected acknowledgement will never arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AckError {
    /// The timeout elapsed (on the last try, when retrying). JS: "operation has timed out".
    Timeout,
    /// The socket disconnected after the packet was sent. JS: "socket has been disconnected".
    Disconnected,
    /// The socket was closed by the user or the server; buffered emits were discarded.
    Closed,
    /// A volatile emit was dropped because the transport could not take it at once.
    NotSent,
}

impl fmt::Display for AckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AckError::Timeout => "operation has timed out",
            AckError::Disconnected => "socket has been disconnected",
            AckError::Closed => "socket has been closed",
            AckError::NotSent => "volatile packet was not sent",
        })
    }
}

impl std::error::Error for AckError {}

/// Why a connection attempt failed (manager level: the Engine.IO connection never opened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// The `timeout` elapsed before the handshake completed. JS: `Error("timeout")`.
    Timeout,
    /// The transport failed: refused, reset, DNS, TLS, … (the driver's message).
    Transport(String),
    /// The server (or a proxy or load balancer in front of it) answered with an HTTP error
    /// status, for example `400 Session ID unknown` when a request reached a node that does
    /// not know the session.
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// What the body says: the `message` of an Engine.IO error object, else the start of
        /// the body text with whitespace collapsed; `None` for an empty body.
        message: Option<String>,
    },
    /// The server answered, but not with an Engine.IO v4 handshake: probably not a Socket.IO
    /// server, or a different protocol version.
    NotSocketIo(String),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Timeout => f.write_str("timeout"),
            OpenError::Transport(e) => write!(f, "transport error: {e}"),
            OpenError::HttpStatus {
                status,
                message: Some(message),
            } => write!(f, "server answered HTTP {status}: {message}"),
            OpenError::HttpStatus { status, .. } => write!(f, "server answered HTTP {status}"),
            OpenError::NotSocketIo(e) => write!(f, "not a Socket.IO v4 server: {e}"),
        }
    }
}

impl std::error::Error for OpenError {}

/// The text of an error page (a proxy's or load balancer's HTML) for a one-line message:
/// what is outside `<...>`, each tag counted as a space. Not an HTML parser: the message is
/// for people, and nothing is interpreted.
fn markup_text(page: &str) -> String {
    let mut text = String::with_capacity(page.len().min(4096));
    let mut in_tag = false;
    for c in page.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Longest body excerpt kept in [`OpenError::HttpStatus::message`], in characters.
const BODY_EXCERPT_CHARS: usize = 200;
/// Bodies up to this size are checked for an Engine.IO error object.
const ERROR_OBJECT_MAX_BYTES: usize = 4096;

impl OpenError {
    /// The error for an HTTP error `status` with response `body`: Engine.IO's error objects
    /// (`{"code":1,"message":"Session ID unknown"}`) give their message, any other body (a
    /// load balancer's HTML page) its first characters.
    pub fn from_http(status: u16, body: &str) -> Self {
        let body = body.trim();
        // an error object is small: a large body is a page, never parsed
        let engine_message = (body.len() <= ERROR_OBJECT_MAX_BYTES)
            .then(|| crate::json::validate(body).ok())
            .flatten()
            .filter(|kind| matches!(kind, crate::json::Kind::Object))
            .and_then(|_| crate::json::member(body, "message"))
            .and_then(crate::json::as_string);
        let message = engine_message.or_else(|| {
            let text = if body.starts_with('<') {
                markup_text(body)
            } else {
                body.to_owned()
            };
            let words: Vec<&str> = text.split_whitespace().collect();
            let text = words.join(" ");
            (!text.is_empty()).then(|| text.chars().take(BODY_EXCERPT_CHARS).collect())
        });
        OpenError::HttpStatus { status, message }
    }
}

/// Why a namespace refused (or could not complete) the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// The server sent CONNECT_ERROR `{message, data}` (middleware rejection, unknown
    /// namespace …). Not retried automatically.
    Rejected {
        /// `err.message` on the server.
        message: String,
        /// `err.data` as JSON text, if any.
        data: Option<String>,
    },
    /// The CONNECT reply had no `sid`: the server speaks Socket.IO v2.
    V2Server,
    /// The manager could not open the connection for this attempt.
    Open(OpenError),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Rejected { message, .. } => f.write_str(message),
            ConnectError::V2Server => f.write_str(
                "It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible",
            ),
            ConnectError::Open(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ConnectError {}

/// Everything the core reports, in order. Manager-level events have no namespace.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The Engine.IO connection is open (handshake done).
    Open,
    /// The Engine.IO connection closed.
    Close {
        /// Why.
        reason: DisconnectReason,
    },
    /// The server pinged (and the core answered).
    Ping,
    /// The transport was upgraded (to WebSocket).
    Upgrade,
    /// Opening the connection failed (Manager `error`).
    Error(OpenError),
    /// A reconnection attempt starts (1-based).
    ReconnectAttempt {
        /// Attempt number since the last success.
        attempt: u32,
    },
    /// A reconnection attempt succeeded.
    Reconnect {
        /// The attempt that succeeded.
        attempt: u32,
    },
    /// A reconnection attempt failed.
    ReconnectError(OpenError),
    /// All `reconnection_attempts` failed; the manager stays closed.
    ReconnectFailed,
    /// The namespace needs its auth payload for the CONNECT about to be sent: answer with
    /// [`Manager::provide_auth`](crate::Manager::provide_auth).
    AuthRequest {
        /// Namespace.
        ns: String,
    },
    /// The namespace is connected.
    Connect {
        /// Namespace.
        ns: String,
        /// The namespace socket id from the server (not the Engine.IO sid).
        id: String,
        /// Whether connection state recovery restored the previous session.
        recovered: bool,
    },
    /// The namespace refused the connection.
    ConnectError {
        /// Namespace.
        ns: String,
        /// Why.
        error: ConnectError,
    },
    /// The namespace socket is disconnected.
    Disconnect {
        /// Namespace.
        ns: String,
        /// Why; [`DisconnectReason::reconnects`] tells whether it comes back by itself.
        reason: DisconnectReason,
    },
    /// An event from the server.
    Message {
        /// Namespace.
        ns: String,
        /// Event name (numeric names are given as their decimal text).
        event: String,
        /// The arguments after the name, as a JSON array with binary placeholders.
        args: Payload,
        /// Set when the server expects an ack: answer with
        /// [`Manager::ack`](crate::Manager::ack) (at most once).
        ack: Option<u64>,
    },
    /// The server acknowledged an emit.
    Ack {
        /// Namespace.
        ns: String,
        /// The emit's handle.
        handle: AckHandle,
        /// The ack's arguments as a JSON array with binary placeholders.
        args: Payload,
    },
    /// An expected ack will never come.
    AckError {
        /// Namespace.
        ns: String,
        /// The emit's handle.
        handle: AckHandle,
        /// Why.
        error: AckError,
    },
    /// The server acknowledged a `join(room)` (also after an automatic re-join).
    Joined {
        /// Namespace.
        ns: String,
        /// Room.
        room: String,
    },
    /// An event was written to the connection (for `onAnyOutgoing`; only when
    /// `report_outgoing` is set). Acks are not reported.
    Outgoing {
        /// Namespace.
        ns: String,
        /// Event name.
        event: String,
        /// Arguments as a JSON array with binary placeholders.
        args: Payload,
    },
}
