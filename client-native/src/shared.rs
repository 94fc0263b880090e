//! State shared between the user's handles and the driver task: the command queue, the
//! listeners, and the status of each namespace.
//!
//! The driver never calls a listener while holding this lock: it clones the listeners out,
//! releases the lock, then calls them, so a listener may register or remove listeners, emit,
//! or read the socket's state.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use sio_core::{AckError, EmitOptions, Payload};
use tokio::sync::{mpsc, oneshot};

use crate::event::{ClientEvent, Connected, Message, SocketEvent};

/// Identifies a registered listener, for removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListenerId(pub(crate) u64);

pub(crate) type MessageFn = Arc<dyn Fn(Message) + Send + Sync>;
pub(crate) type AnyFn = Arc<dyn Fn(&Message) + Send + Sync>;
pub(crate) type OutgoingFn = Arc<dyn Fn(&str, &Payload) + Send + Sync>;
pub(crate) type SocketEventFn = Arc<dyn Fn(&SocketEvent) + Send + Sync>;
pub(crate) type ClientEventFn = Arc<dyn Fn(&ClientEvent) + Send + Sync>;

pub(crate) struct EventListener {
    pub(crate) id: ListenerId,
    pub(crate) once: bool,
    pub(crate) f: MessageFn,
}

/// Per-namespace state.
#[derive(Default)]
pub(crate) struct Namespace {
    pub(crate) id: Option<String>,
    pub(crate) connected: bool,
    pub(crate) recovered: bool,
    pub(crate) active: bool,
    pub(crate) rooms: Vec<String>,
    pub(crate) listeners: HashMap<String, Vec<EventListener>>,
    pub(crate) any: Vec<(ListenerId, AnyFn)>,
    pub(crate) any_outgoing: Vec<(ListenerId, OutgoingFn)>,
    pub(crate) status: Vec<(ListenerId, SocketEventFn)>,
    pub(crate) streams: Vec<mpsc::UnboundedSender<SocketEvent>>,
}

/// Everything behind the lock.
#[derive(Default)]
pub(crate) struct State {
    /// Boxed: a map allocates room for several entries at once, and most clients use one
    /// namespace.
    pub(crate) namespaces: HashMap<String, Box<Namespace>>,
    pub(crate) client_listeners: Vec<(ListenerId, ClientEventFn)>,
    pub(crate) client_streams: Vec<mpsc::UnboundedSender<ClientEvent>>,
    pub(crate) next_listener: u64,
}

impl State {
    pub(crate) fn ns(&mut self, ns: &str) -> &mut Namespace {
        if !self.namespaces.contains_key(ns) {
            self.namespaces.insert(ns.to_string(), Box::default());
        }
        self.namespaces
            .get_mut(ns)
            .map(|n| &mut **n)
            .unwrap_or_else(|| unreachable!("inserted above"))
    }

    pub(crate) fn next_id(&mut self) -> ListenerId {
        self.next_listener += 1;
        ListenerId(self.next_listener)
    }

    /// Whether any namespace wants outgoing events reported.
    pub(crate) fn wants_outgoing(&self) -> bool {
        self.namespaces.values().any(|n| !n.any_outgoing.is_empty())
    }
}

/// What a handle asks the driver to do.
pub(crate) enum Command {
    Connect {
        ns: String,
        reply: Option<oneshot::Sender<Result<Connected, crate::Error>>>,
    },
    Disconnect {
        ns: String,
    },
    Emit {
        ns: String,
        event: String,
        args: Payload,
        opts: EmitOptions,
        reply: Option<oneshot::Sender<Result<Payload, AckError>>>,
    },
    Ack {
        ns: String,
        id: u64,
        args: Payload,
        reply: oneshot::Sender<bool>,
    },
    Join {
        ns: String,
        room: String,
    },
    Leave {
        ns: String,
        room: String,
    },
    ProvideAuth {
        ns: String,
        auth: Option<String>,
    },
    ReconnectNow,
    ReportOutgoing(bool),
    Close {
        reply: Option<oneshot::Sender<()>>,
    },
}

/// The part of a client every handle holds. Dropping the last one tells the driver that
/// nobody will send commands any more (it then closes the connection).
pub(crate) struct Shared {
    pub(crate) commands: Arc<CommandQueue>,
    pub(crate) state: Mutex<State>,
    pub(crate) default_ack_timeout: Option<Duration>,
}

impl Shared {
    /// Locks the state; a listener that panicked cannot poison it for everyone else.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends a command; `Err(Closed)` once the driver is gone.
    pub(crate) fn send(&self, command: Command) -> Result<(), crate::Error> {
        if self.commands.push(command) {
            Ok(())
        } else {
            Err(crate::Error::Closed)
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.commands.handles_gone();
    }
}

/// The commands from the handles (and from auth provider tasks) to the driver: a queue behind
/// a mutex plus the driver's waker.
///
/// Unlike an mpsc channel, which allocates a block of slots up front, it holds no memory while
/// empty, and the driver takes every queued command at once ([`poll_take`](Self::poll_take)),
/// so a burst of emits is applied in one go and its packets leave together.
#[derive(Default)]
pub(crate) struct CommandQueue {
    inner: Mutex<QueueState>,
}

#[derive(Default)]
struct QueueState {
    commands: VecDeque<Command>,
    /// The driver, parked until a command arrives.
    waker: Option<Waker>,
    /// Every handle was dropped: the driver stops once the queue is empty.
    handles_gone: bool,
    /// The driver stopped: commands are refused.
    driver_gone: bool,
}

impl CommandQueue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `command` and wakes the driver; `false` (and the command dropped) if the driver
    /// is gone.
    pub(crate) fn push(&self, command: Command) -> bool {
        let mut state = self.lock();
        if state.driver_gone {
            drop(state);
            drop(command);
            return false;
        }
        state.commands.push_back(command);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }

    fn handles_gone(&self) {
        let waker = {
            let mut state = self.lock();
            state.handles_gone = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Moves every queued command into `into` (which must be empty; its allocation becomes
    /// the queue's). `Ready(false)` when nothing is queued and every handle is gone.
    pub(crate) fn poll_take(
        &self,
        cx: &mut Context<'_>,
        into: &mut VecDeque<Command>,
    ) -> Poll<bool> {
        debug_assert!(into.is_empty());
        let mut state = self.lock();
        if !state.commands.is_empty() {
            std::mem::swap(&mut state.commands, into);
            return Poll::Ready(true);
        }
        if state.handles_gone {
            return Poll::Ready(false);
        }
        match &mut state.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// The driver stopped: refuse further commands and drop the queued ones (their reply
    /// channels then report `Closed`).
    pub(crate) fn driver_gone(&self) {
        let dropped = {
            let mut state = self.lock();
            state.driver_gone = true;
            state.waker = None;
            std::mem::take(&mut state.commands)
        };
        drop(dropped);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn disconnect(ns: &str) -> Command {
        Command::Disconnect { ns: ns.into() }
    }

    fn ns_of(c: &Command) -> &str {
        match c {
            Command::Disconnect { ns } => ns,
            _ => "?",
        }
    }

    #[test]
    fn the_driver_takes_a_burst_at_once_and_is_woken_once() {
        let queue = CommandQueue::default();
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        let mut inbox = VecDeque::new();
        assert!(queue.poll_take(&mut cx, &mut inbox).is_pending());
        for ns in ["/a", "/b", "/c"] {
            assert!(queue.push(disconnect(ns)));
        }
        assert_eq!(counter.0.load(Ordering::SeqCst), 1, "one wake per burst");
        assert_eq!(queue.poll_take(&mut cx, &mut inbox), Poll::Ready(true));
        let order: Vec<_> = inbox.iter().map(ns_of).collect();
        assert_eq!(order, ["/a", "/b", "/c"]);
        assert_eq!(
            queue.lock().commands.capacity(),
            0,
            "an empty queue holds no memory"
        );
    }

    #[test]
    fn handles_gone_ends_the_stream_and_driver_gone_refuses_commands() {
        let queue = CommandQueue::default();
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut inbox = VecDeque::new();
        assert!(queue.push(disconnect("/")));
        queue.handles_gone();
        // what was queued first is still delivered
        assert_eq!(queue.poll_take(&mut cx, &mut inbox), Poll::Ready(true));
        inbox.clear();
        assert_eq!(queue.poll_take(&mut cx, &mut inbox), Poll::Ready(false));
        queue.driver_gone();
        assert!(!queue.push(disconnect("/")));
    }
}
