//! [`Timer`]: the driver's one deadline, on gloo-timers (`setTimeout`).

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use gloo_timers::future::TimeoutFuture;
use sio_core::Instant;

use crate::clock::now;

/// The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days); longer ones would
/// fire at once, so longer waits are made of several.
pub const MAX_TIMER_MS: u32 = 0x7fff_ffff;

/// The driver's one timer: armed for the core's next deadline, `Ready` once it has passed.
///
/// Re-arming for a later deadline keeps the `setTimeout` already scheduled (it then fires
/// early and sleeps again for the rest), so a deadline that moves forward on every received
/// packet costs no timer churn; an earlier deadline replaces it.
pub struct Timer {
    /// The deadline, if any.
    armed: Option<Instant>,
    /// The scheduled `setTimeout`, and when it fires.
    sleep: Option<(TimeoutFuture, Instant)>,
}

impl std::fmt::Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timer")
            .field("armed", &self.armed)
            .field("scheduled", &self.sleep.as_ref().map(|(_, at)| *at))
            .finish()
    }
}

impl Default for Timer {
    fn default() -> Self {
        Self::new()
    }
}

impl Timer {
    /// A timer that is not armed.
    pub fn new() -> Self {
        Self {
            armed: None,
            sleep: None,
        }
    }

    /// Fires at `at` (or never for `None`).
    pub fn arm(self: Pin<&mut Self>, at: Option<Instant>) {
        let this = self.get_mut();
        if at == this.armed {
            return;
        }
        this.armed = at;
        match (at, &this.sleep) {
            // a later deadline: the scheduled timeout fires early and sleeps again
            (Some(at), Some((_, fires))) if *fires <= at => {}
            _ => this.sleep = None,
        }
    }

    /// `Ready` once the armed deadline has passed (the timer is then disarmed). The waker of
    /// `cx` is woken when it passes.
    pub fn poll_expired(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let Some(deadline) = this.armed else {
            return Poll::Pending;
        };
        loop {
            // a scheduled timeout that has not fired says enough: no clock reading (the
            // driver polls the timer on every turn)
            if let Some((sleep, _)) = &mut this.sleep {
                match Pin::new(sleep).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    // fired (early, for a deadline that moved, or by rounding): look again
                    Poll::Ready(()) => this.sleep = None,
                }
            }
            let now = now();
            if now >= deadline {
                this.armed = None;
                return Poll::Ready(());
            }
            this.sleep = Some(schedule(deadline.saturating_duration_since(now), now));
        }
    }
}

/// A `setTimeout` for `wait` from `now`, in whole milliseconds rounded up (so the deadline
/// has passed when it fires), at most [`MAX_TIMER_MS`].
fn schedule(wait: Duration, now: Instant) -> (TimeoutFuture, Instant) {
    let micros = wait.as_micros();
    let ms = micros.div_ceil(1000).min(u128::from(MAX_TIMER_MS)) as u32;
    let fires = now + Duration::from_millis(u64::from(ms));
    (TimeoutFuture::new(ms), fires)
}
