//! The part of a client every handle holds: the command queue to the driver, the listeners,
//! and the published state.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::command::{Command, CommandQueue};
use crate::error::Error;
use crate::listener::InFlight;
use crate::registry::Registry;
use crate::snapshot::{NamespaceView, Snapshot};

/// Options the handles apply themselves (the rest goes to the core).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HandleOptions {
    /// The client's default ack timeout.
    pub(crate) ack_timeout: Option<Duration>,
    /// Room in each event stream before the driver waits for its reader, and the number of
    /// async listener calls that may run at once.
    pub(crate) stream_capacity: usize,
}

/// Shared by every [`Client`](crate::Client) and [`Socket`](crate::Socket) handle of one
/// connection. Dropping the last one tells the driver that nobody will send commands any
/// more (it then closes the connection).
pub(crate) struct Shared {
    pub(crate) commands: Arc<CommandQueue>,
    registry: Mutex<Registry>,
    snapshot: Mutex<Snapshot>,
    /// The async listener calls running now.
    pub(crate) in_flight: Arc<InFlight>,
    pub(crate) options: HandleOptions,
}

impl Shared {
    pub(crate) fn new(options: HandleOptions) -> Self {
        Self {
            commands: Arc::new(CommandQueue::default()),
            registry: Mutex::new(Registry::default()),
            snapshot: Mutex::new(Snapshot::default()),
            in_flight: Arc::new(InFlight::new(options.stream_capacity)),
            options,
        }
    }

    /// The listeners; a listener that panicked cannot poison them for everyone else.
    pub(crate) fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn snapshot(&self) -> MutexGuard<'_, Snapshot> {
        self.snapshot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the published view of namespace `ns`.
    pub(crate) fn view<R>(&self, ns: &str, read: impl FnOnce(&NamespaceView) -> R) -> R {
        let snapshot = self.snapshot();
        match snapshot.namespaces.get(ns) {
            Some(view) => read(view),
            None => read(&NamespaceView::default()),
        }
    }

    /// Whether the client is closed for good.
    pub(crate) fn is_closed(&self) -> bool {
        self.snapshot().closed || self.commands.is_closed()
    }

    /// Updates the published state in place (only the driver's `publish` does).
    pub(crate) fn publish(&self, update: impl FnOnce(&mut Snapshot)) {
        update(&mut self.snapshot());
    }

    /// Sends a command; `Err(Closed)` once the driver is gone.
    pub(crate) fn send(&self, command: Command) -> Result<(), Error> {
        self.commands.send(command)
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.commands.handles_gone();
    }
}
