//! Turning user closures into registered listeners: typed (serde) sync and async listeners,
//! and the accounting of async listener tasks.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use futures_util::FutureExt as _;
use serde::de::DeserializeOwned;

use crate::command::{Command, CommandQueue};
use crate::event::{AckResponder, Message};
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::payload::{from_payload_shaped, shape_of_type};
use crate::registry::MessageFn;

/// A listener that decodes the arguments as `T` and calls `handler` in the driver's task.
pub(crate) fn typed<T, F>(handler: F) -> MessageFn
where
    T: DeserializeOwned + 'static,
    F: Fn(T, Option<AckResponder>) + MaybeSend + MaybeSync + 'static,
{
    let shape = shape_of_type::<T>();
    Arc::new(move |message: &Message| {
        let args = from_payload_shaped::<T>(message.payload(), shape)?;
        handler(args, message.ack_responder().cloned());
        Ok(())
    })
}

/// A listener that decodes the arguments as `T` and runs `handler`'s future as its own task.
pub(crate) fn typed_async<T, F, Fut>(handler: F, tasks: TaskContext) -> MessageFn
where
    T: DeserializeOwned + 'static,
    F: Fn(T, Option<AckResponder>) -> Fut + MaybeSend + MaybeSync + 'static,
    Fut: Future<Output = ()> + MaybeSend + 'static,
{
    let shape = shape_of_type::<T>();
    Arc::new(move |message: &Message| {
        let args = from_payload_shaped::<T>(message.payload(), shape)?;
        tasks.spawn(handler(args, message.ack_responder().cloned()));
        Ok(())
    })
}

/// What an async listener needs to run its calls as tasks.
#[derive(Clone)]
pub(crate) struct TaskContext {
    pub(crate) in_flight: Arc<InFlight>,
    pub(crate) commands: Arc<CommandQueue>,
}

impl TaskContext {
    /// Runs `future` as a task counted in [`InFlight`]; a panic in it is reported to the
    /// driver (which closes the client).
    fn spawn<Fut>(&self, future: Fut)
    where
        Fut: Future<Output = ()> + MaybeSend + 'static,
    {
        let guard = self.in_flight.start();
        let commands = self.commands.clone();
        crate::rt::spawn(async move {
            let _counted = guard;
            if let Err(panic) = AssertUnwindSafe(future).catch_unwind().await {
                commands.push(Command::ListenerPanicked {
                    message: panic_message(panic.as_ref()),
                });
            }
        });
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a listener panicked".to_string()
    }
}

/// How many async listener calls are running. At the limit the driver stops reading the
/// network until one finishes, so a flood cannot spawn tasks without bound.
pub(crate) struct InFlight {
    count: AtomicUsize,
    limit: usize,
    driver: AtomicWaker,
}

impl InFlight {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            count: AtomicUsize::new(0),
            limit: limit.max(1),
            driver: AtomicWaker::new(),
        }
    }

    fn start(self: &Arc<Self>) -> Counted {
        self.count.fetch_add(1, Ordering::AcqRel);
        Counted(self.clone())
    }

    /// `Ready` while below the limit; otherwise the driver is woken when a call finishes.
    pub(crate) fn poll_room(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.count.load(Ordering::Acquire) < self.limit {
            return Poll::Ready(());
        }
        self.driver.register(cx.waker());
        if self.count.load(Ordering::Acquire) < self.limit {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Calls running now.
    #[cfg(test)]
    pub(crate) fn running(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }
}

/// One running call; dropping it (the task ended, even by panic) frees its place.
struct Counted(Arc<InFlight>);

impl Drop for Counted {
    fn drop(&mut self) {
        let before = self.0.count.fetch_sub(1, Ordering::AcqRel);
        if before >= self.0.limit {
            self.0.driver.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn the_limit_holds_the_driver_until_a_call_ends() {
        let in_flight = Arc::new(InFlight::new(2));
        let mut cx = Context::from_waker(Waker::noop());
        let a = in_flight.start();
        assert!(in_flight.poll_room(&mut cx).is_ready());
        let b = in_flight.start();
        assert!(in_flight.poll_room(&mut cx).is_pending());
        drop(a);
        assert!(in_flight.poll_room(&mut cx).is_ready());
        drop(b);
        assert_eq!(in_flight.running(), 0);
    }

    #[test]
    fn panic_messages_are_read_from_both_payload_types() {
        assert_eq!(panic_message(&"boom"), "boom");
        assert_eq!(panic_message(&String::from("bang")), "bang");
        assert_eq!(panic_message(&42u8), "a listener panicked");
    }
}
