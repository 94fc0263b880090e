//! The errors of the native client, split by cause.

use sio_core::{AckError, ConfigError, ConnectError};

use crate::serde_value::SerdeError;
use crate::transport::TransportSetupError;

/// Everything that can go wrong for a caller of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The options cannot work (bad URL, `retries` without `ack_timeout`, …).
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// TLS or HTTP client setup failed (for example an unreadable CA file).
    #[error("transport setup failed: {0}")]
    TransportSetup(#[from] TransportSetupError),
    /// A CA file given to the builder could not be read.
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
    /// An acknowledgement will not come (timeout, disconnect, close).
    #[error("no acknowledgement: {0}")]
    Ack(#[from] AckError),
    /// Arguments could not be serialised, or received arguments did not match the type.
    #[error("payload: {0}")]
    Payload(#[from] SerdeError),
    /// The event name is reserved by Socket.IO and cannot be emitted.
    #[error("\"{0}\" is a reserved event name")]
    ReservedEvent(String),
    /// This ack was already answered, or the request is unknown.
    #[error("ack {0} was already answered or is unknown")]
    AckAlreadySent(u64),
    /// The server did not ask for an acknowledgement of this message.
    #[error("the server did not ask for an acknowledgement")]
    NoAckRequested,
    /// `build()` was called outside a tokio runtime (the client needs one for its task).
    #[error("no tokio runtime: build the client from within a tokio runtime")]
    NoRuntime,
    /// The client was closed (or its runtime shut down).
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
