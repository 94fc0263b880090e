//! [`Inbox`]: where browser callbacks leave what happened, for the driver's task to take.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::task::{Context, Poll, Waker};

use sio_core::{TransportId, TransportInput};

/// The network inputs reported by browser callbacks and not yet taken by the driver, plus the
/// driver's waker. Callbacks only [`push`](Self::push); nothing else runs from them.
#[derive(Default)]
pub(crate) struct Inbox {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    inputs: VecDeque<TransportInput>,
    waker: Option<Waker>,
}

impl Inbox {
    /// Queues `input` and wakes the driver.
    pub(crate) fn push(&self, input: TransportInput) {
        let waker = {
            let mut state = self.state.borrow_mut();
            state.inputs.push_back(input);
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The oldest input, or `Pending` with the driver's waker kept for the next push.
    pub(crate) fn poll_pop(&self, cx: &mut Context<'_>) -> Poll<TransportInput> {
        let mut state = self.state.borrow_mut();
        if let Some(input) = state.inputs.pop_front() {
            return Poll::Ready(input);
        }
        if state.inputs.capacity() > 16 {
            // a burst is over: an idle connection keeps no large queue
            state.inputs = VecDeque::new();
        }
        match &state.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => state.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// Forgets every queued input of transport `id` (it was closed by the core).
    pub(crate) fn forget(&self, id: TransportId) {
        self.state
            .borrow_mut()
            .inputs
            .retain(|input| input.transport() != id);
    }

    /// Whether nothing is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.state.borrow().inputs.is_empty()
    }
}
