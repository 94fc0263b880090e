//! The state the handles read (`socket.connected()`, `id()`, `rooms()`…): a copy of the
//! core's view that the driver publishes after every turn, before it tells listeners what
//! happened. The core is the only source of truth; this is its one published image, written
//! in exactly one place (the driver's `publish`).

use crate::by_name::ByName;

/// What the handles can see of one namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NamespaceView {
    pub(crate) id: Option<String>,
    pub(crate) connected: bool,
    pub(crate) recovered: bool,
    pub(crate) active: bool,
    pub(crate) rooms: Vec<String>,
}

/// What the handles can see of the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub(crate) namespaces: ByName<NamespaceView>,
    /// The driver has stopped: the client is closed for good.
    pub(crate) closed: bool,
}
