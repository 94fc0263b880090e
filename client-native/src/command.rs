//! What the handles ask the driver to do, and the queue that carries it.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use futures_channel::oneshot;
use sio_core::{AckError, EmitOptions, Payload};

use crate::connected::Connected;
use crate::error::Error;

/// Where `connect()` learns the outcome.
pub(crate) type ConnectReply = oneshot::Sender<Result<Connected, Error>>;
/// Where an acked emit learns its acknowledgement.
pub(crate) type AckReply = oneshot::Sender<Result<Payload, AckError>>;

/// One request from a handle (or from a task the driver started) to the driver.
pub(crate) enum Command {
    Connect {
        ns: String,
        reply: Option<ConnectReply>,
    },
    Disconnect {
        ns: String,
    },
    Emit {
        ns: std::sync::Arc<str>,
        event: String,
        args: Payload,
        opts: EmitOptions,
        reply: Option<AckReply>,
    },
    Ack {
        ns: String,
        id: u64,
        args: Payload,
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
    /// An async listener panicked (its task caught it): the client closes.
    ListenerPanicked {
        message: String,
    },
}

/// The commands from the handles to the driver: a queue behind a mutex plus the driver's
/// waker.
///
/// Unlike an mpsc channel, which allocates a block of slots up front, it holds no memory while
/// empty, and the driver takes every queued command at once ([`poll_take`](Self::poll_take)),
/// so a burst of emits is applied in one go and its packets leave together. Commands are
/// applied in the order they were pushed: emits reach the wire in call order.
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

    /// [`push`](Self::push), as a `Result` for the handles.
    pub(crate) fn send(&self, command: Command) -> Result<(), Error> {
        if self.push(command) {
            Ok(())
        } else {
            Err(Error::Closed)
        }
    }

    /// Every handle was dropped: the driver closes the connection once the queue is empty.
    pub(crate) fn handles_gone(&self) {
        let waker = {
            let mut state = self.lock();
            state.handles_gone = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether the driver has stopped (commands are refused).
    pub(crate) fn is_closed(&self) -> bool {
        self.lock().driver_gone
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
    use std::sync::Arc;
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
        assert!(queue.is_closed());
        assert!(matches!(queue.send(disconnect("/")), Err(Error::Closed)));
    }
}
