//! The outcome of a successful connect.

/// A namespace connected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Connected {
    /// The namespace socket id assigned by the server (not the Engine.IO session id).
    pub id: String,
    /// Whether connection state recovery restored the previous session (same id, missed
    /// events delivered, rooms kept).
    pub recovered: bool,
}

impl Connected {
    pub(crate) fn new(id: String, recovered: bool) -> Self {
        Self { id, recovered }
    }
}
