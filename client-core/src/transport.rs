//! What the core asks the driver to do on the network, and what the driver reports back.
//!
//! The core speaks in messages, never streams: a WebSocket is opened, sent frames and closed;
//! long-polling is a series of HTTP requests. Every transport gets a fresh [`TransportId`] so a
//! late report from a transport the core has already abandoned is recognised and ignored.

use crate::engineio::Frame;

/// Identifies one transport instance (one WebSocket, or one polling session's requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransportId(pub u64);

/// Identifies one HTTP request of a polling transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// HTTP method of a long-polling request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// A poll: the response body carries packets from the server.
    Get,
    /// A send: the body carries packets to the server.
    Post,
}

/// One HTTP request of the long-polling transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Which request this is; echoed in the response.
    pub id: RequestId,
    /// GET (poll) or POST (send).
    pub method: Method,
    /// Absolute `http(s)://` URL including the Engine.IO query.
    pub url: String,
    /// Extra headers; POSTs include `Content-Type: text/plain;charset=UTF-8`.
    pub headers: Vec<(String, String)>,
    /// The POST body (an Engine.IO polling payload).
    pub body: Option<String>,
}

/// An instruction from the core to the driver, obtained from `poll_transport`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportCommand {
    /// Open a WebSocket to `url` (`ws://` or `wss://`) with `headers` (ignored by browsers).
    /// Report [`TransportInput::Opened`], then every message as [`TransportInput::Frame`].
    OpenWebSocket {
        /// The new transport.
        id: TransportId,
        /// Absolute URL including the Engine.IO query.
        url: String,
        /// Extra headers for the opening handshake.
        headers: Vec<(String, String)>,
    },
    /// Send one message on an open WebSocket.
    Send {
        /// The WebSocket.
        id: TransportId,
        /// The message.
        frame: Frame,
    },
    /// Perform an HTTP request for a polling transport; report [`TransportInput::HttpResponse`].
    Http {
        /// The polling transport the request belongs to.
        id: TransportId,
        /// The request.
        request: HttpRequest,
    },
    /// Tear down the transport: close the WebSocket, or abandon the polling requests in flight.
    /// No report is expected; anything reported later for `id` is ignored.
    Close {
        /// The transport.
        id: TransportId,
    },
}

/// A network event reported by the driver, fed to the core with `handle_transport`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportInput {
    /// The WebSocket `id` finished its opening handshake.
    Opened {
        /// The WebSocket.
        id: TransportId,
    },
    /// A message arrived on WebSocket `id`.
    Frame {
        /// The WebSocket.
        id: TransportId,
        /// The message.
        frame: Frame,
    },
    /// The transport `id` is closed or failed (connection refused, TLS failure, reset, remote
    /// close, …). `error` is a human-readable cause, `None` for an orderly close.
    Closed {
        /// The transport.
        id: TransportId,
        /// Why, if it was not an orderly close.
        error: Option<String>,
    },
    /// The HTTP request `request` of polling transport `id` completed (any status).
    HttpResponse {
        /// The polling transport.
        id: TransportId,
        /// The request.
        request: RequestId,
        /// HTTP status code.
        status: u16,
        /// Response body (UTF-8; Engine.IO polling payloads are text).
        body: String,
    },
    /// The HTTP request failed without a response (connect error, TLS failure, reset…).
    HttpFailed {
        /// The polling transport.
        id: TransportId,
        /// The request.
        request: RequestId,
        /// Human-readable cause.
        error: String,
    },
}

impl TransportInput {
    /// The transport this input is about.
    pub fn transport(&self) -> TransportId {
        match self {
            TransportInput::Opened { id }
            | TransportInput::Frame { id, .. }
            | TransportInput::Closed { id, .. }
            | TransportInput::HttpResponse { id, .. }
            | TransportInput::HttpFailed { id, .. } => *id,
        }
    }
}
