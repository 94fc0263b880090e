//! The errors of the client, split by cause.

use sio_core::{AckError, ConfigError, DisconnectReason, OpenError};

use crate::payload::PayloadError;
#[cfg(not(target_arch = "wasm32"))]
use crate::transport::TransportSetupError;

/// Why a namespace could not connect.
///
/// Like the core's [`sio_core::ConnectError`], with the server's `data` parsed as JSON.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConnectError {
    /// The server refused the namespace (CONNECT_ERROR from a middleware or an unknown
    /// namespace): `err.message` and `err.data` on the server. Not retried automatically.
    Rejected {
        /// The server's message.
        message: String,
        /// The server's `err.data`, if any.
        data: Option<serde_json::Value>,
    },
    /// The CONNECT reply had no `sid`: the server speaks Socket.IO v2.
    V2Server,
    /// The connection could not be opened for this attempt (the client retries unless
    /// reconnection is off).
    Open(OpenError),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::Rejected { message, .. } => f.write_str(message),
            ConnectError::V2Server => sio_core::ConnectError::V2Server.fmt(f),
            ConnectError::Open(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ConnectError {}

impl From<sio_core::ConnectError> for ConnectError {
    fn from(error: sio_core::ConnectError) -> Self {
        match error {
            sio_core::ConnectError::Rejected { message, data } => ConnectError::Rejected {
                message,
                // the core validated it; serde_json is stricter only on pathological input
                data: data.map(|text| {
                    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
                }),
            },
            sio_core::ConnectError::V2Server => ConnectError::V2Server,
            sio_core::ConnectError::Open(e) => ConnectError::Open(e),
        }
    }
}

/// Everything that can go wrong for a caller of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The options cannot work (bad URL, `retries` without `ack_timeout`, …).
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// TLS or HTTP client setup failed (for example an unreadable CA file).
    #[cfg(not(target_arch = "wasm32"))]
    #[error("transport setup failed: {0}")]
    TransportSetup(#[from] TransportSetupError),
    /// A CA file given to the builder could not be read.
    #[cfg(not(target_arch = "wasm32"))]
    #[error("cannot read CA file {}: {source}", path.display())]
    CaFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The namespace could not be connected: rejected by the server (with its `data`), the
    /// server is not Socket.IO v4, or the connection could not be opened.
    #[error("connect failed: {0}")]
    Connect(ConnectError),
    /// The namespace was disconnected while `connect()` waited (for example by
    /// `disconnect()`).
    #[error("disconnected before connecting: {0}")]
    Disconnected(DisconnectReason),
    /// An acknowledgement will not come (timeout, disconnect, close).
    #[error("no acknowledgement: {0}")]
    Ack(#[from] AckError),
    /// Arguments could not be serialized, or received arguments did not match the type.
    #[error("payload: {0}")]
    Payload(#[from] PayloadError),
    /// The event name is reserved by Socket.IO and cannot be emitted.
    #[error("\"{0}\" is a reserved event name")]
    ReservedEvent(String),
    /// This ack request was already answered.
    #[error("ack {0} was already answered")]
    AckAlreadySent(u64),
    /// The server did not ask for an acknowledgement of this message.
    #[error("the server did not ask for an acknowledgement")]
    NoAckRequested,
    /// `build()` was called outside a tokio runtime (the client needs one for its task).
    #[error("no tokio runtime: build the client from within a tokio runtime")]
    NoRuntime,
    /// The client was closed (by `close()`, by dropping every handle, after a listener
    /// panicked, or because its runtime shut down).
    #[error("the client is closed")]
    Closed,
}

impl Error {
    /// Whether this is a rejection by the server's middleware or namespace check (not a
    /// network problem): retrying with the same credentials will not help.
    pub fn is_rejection(&self) -> bool {
        matches!(
            self,
            Error::Connect(ConnectError::Rejected { .. } | ConnectError::V2Server)
        )
    }
}
