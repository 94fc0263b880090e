//! Errors returned to the caller of a command (misuse), as opposed to connection problems,
//! which arrive as [`Event`](crate::Event)s.

use std::fmt;

/// Why an emit or ack reply was refused. Nothing was queued when this is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmitError {
    /// The event name is reserved by Socket.IO (`connect`, `connect_error`, `disconnect`,
    /// `disconnecting`, `newListener`, `removeListener`).
    ReservedName(String),
    /// The arguments are not a JSON array text.
    InvalidArgs,
    /// The ack id is unknown, or was already answered (an ack is sent at most once).
    UnknownAck(u64),
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmitError::ReservedName(n) => write!(f, "\"{n}\" is a reserved event name"),
            EmitError::InvalidArgs => f.write_str("event arguments must be a JSON array"),
            EmitError::UnknownAck(id) => {
                write!(f, "ack {id} is unknown or was already answered")
            }
        }
    }
}

impl std::error::Error for EmitError {}

/// The event names a client may not emit (socket.io-client `RESERVED_EVENTS`).
pub const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// Whether `name` is one of [`RESERVED_EVENTS`].
pub fn is_reserved(name: &str) -> bool {
    RESERVED_EVENTS.contains(&name)
}
