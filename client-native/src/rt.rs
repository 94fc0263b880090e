//! What the driver needs from the runtime, by target: the clock, a timer, and spawning.
//! Natively that is tokio; in the browser, `performance.now()`, gloo-timers and
//! `spawn_local` (the browser driver).

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use sio_core::Instant;

    /// Now, from the monotonic clock.
    #[allow(clippy::disallowed_methods)]
    pub(crate) fn now() -> Instant {
        Instant::now()
    }

    /// Runs a listener task on the current tokio runtime.
    pub(crate) fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
        tokio::spawn(future);
    }

    /// The driver's one timer: re-armed in place when the deadline moves (a fresh sleep per
    /// turn would register and cancel a timer entry every time).
    pub(crate) struct Timer {
        sleep: Pin<Box<tokio::time::Sleep>>,
        armed: Option<Instant>,
    }

    impl Timer {
        pub(crate) fn new() -> Self {
            Self {
                sleep: Box::pin(tokio::time::sleep_until(tokio::time::Instant::now())),
                armed: None,
            }
        }

        /// Fires at `at` (or never for `None`).
        pub(crate) fn arm(&mut self, at: Option<Instant>) {
            if at != self.armed {
                if let Some(at) = at {
                    self.sleep
                        .as_mut()
                        .reset(tokio::time::Instant::from_std(at));
                }
                self.armed = at;
            }
        }

        /// `Ready` once the armed deadline has passed (then disarmed).
        pub(crate) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
            if self.armed.is_none() {
                return Poll::Pending;
            }
            match self.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    self.armed = None;
                    Poll::Ready(())
                }
                Poll::Pending => Poll::Pending,
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::{now, spawn, Timer};

/// In the browser: sio-browser's `performance.now()` clock, gloo-timers timer and
/// `spawn_local` (everything runs on the page's one thread, so nothing needs `Send`).
#[cfg(target_arch = "wasm32")]
pub(crate) use sio_browser::{now, spawn, Timer};
