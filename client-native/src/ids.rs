//! Identifiers handed out to users.

/// Identifies a registered listener (or stream), for removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListenerId(pub(crate) u64);
