//! The core's own monotonic instant, which the core takes as `now` on
//! `wasm32-unknown-unknown` (elsewhere [`Instant`](crate::Instant) is `std::time::Instant`).
//!
//! The browser driver reads the clock itself (`performance.now()`) and hands the reading in
//! with [`Instant::from_millis`]; the core never reads a clock. Compiled on every target so
//! that its arithmetic is tested natively.

use std::ops::{Add, AddAssign, Sub};
use std::time::Duration;

/// A point in time: the time elapsed since the origin of a monotonic clock (on the web, the
/// page's time origin, as `performance.now()` measures it). Arithmetic saturates instead of
/// panicking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(Duration);

impl Instant {
    /// The instant `ms` milliseconds after the clock's origin (a `performance.now()` reading),
    /// to the microsecond; negative and NaN readings count as the origin.
    pub fn from_millis(ms: f64) -> Instant {
        // (`as` saturates, and maps NaN to 0)
        Instant(Duration::from_micros((ms * 1000.0) as u64))
    }

    /// The time since the clock's origin.
    pub fn since_origin(self) -> Duration {
        self.0
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        self.0.saturating_sub(earlier.0)
    }

    /// `self + d`, or `None` if that is not representable (like
    /// `std::time::Instant::checked_add`).
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        self.0.checked_add(d).map(Instant)
    }

    /// Like [`saturating_duration_since`](Self::saturating_duration_since) (as
    /// `std::time::Instant::duration_since` does since Rust 1.60).
    pub fn duration_since(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    fn add(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(d))
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    fn sub(self, d: Duration) -> Instant {
        Instant(self.0.saturating_sub(d))
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_and_arithmetic() {
        let t = Instant::from_millis(1500.25);
        assert_eq!(t.since_origin(), Duration::from_micros(1_500_250));
        assert_eq!(Instant::from_millis(-5.0), Instant::default());
        assert_eq!(Instant::from_millis(f64::NAN), Instant::default());
        assert_eq!(
            Instant::from_millis(f64::INFINITY).since_origin(),
            Duration::from_micros(u64::MAX)
        );
        let later = t + Duration::from_millis(10);
        assert!(later > t);
        assert_eq!(later - t, Duration::from_millis(10));
        assert_eq!(t - later, Duration::ZERO);
        assert_eq!(t.duration_since(later), Duration::ZERO);
        assert_eq!(later - Duration::from_millis(10), t);
        assert_eq!(
            Instant::default() - Duration::from_secs(1),
            Instant::default()
        );
        let mut u = t;
        u += Duration::MAX;
        assert_eq!(u.since_origin(), Duration::MAX);
        assert_eq!(t.min(later), t);
        assert_eq!(t.checked_add(Duration::from_millis(10)), Some(later));
        assert_eq!(u.checked_add(Duration::from_nanos(1)), None);
    }
}
