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

    pin_project_lite::pin_project! {
        /// The driver's one timer, pinned inside the driver's task (no allocation of its
        /// own), re-armed in place when the deadline moves (a fresh sleep per turn would
        /// register and cancel a timer entry every time).
        pub(crate) struct Timer {
            #[pin]
            sleep: tokio::time::Sleep,
            armed: Option<Instant>,
        }
    }

    impl Timer {
        pub(crate) fn new() -> Self {
            Self {
                sleep: tokio::time::sleep_until(tokio::time::Instant::now()),
                armed: None,
            }
        }

        /// Fires at `at` (or never for `None`).
        pub(crate) fn arm(self: Pin<&mut Self>, at: Option<Instant>) {
            let this = self.project();
            if at != *this.armed {
                if let Some(at) = at {
                    this.sleep.reset(tokio::time::Instant::from_std(at));
                }
                *this.armed = at;
            }
        }

        /// `Ready` once the armed deadline has passed (then disarmed).
        pub(crate) fn poll_expired(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            let this = self.project();
            if this.armed.is_none() {
                return Poll::Pending;
            }
            match this.sleep.poll(cx) {
                Poll::Ready(()) => {
                    *this.armed = None;
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
