//! Deadlines of the core: one table, one slot per kind of connection timer, plus the per-emit
//! ack deadlines.
//!
//! Model: quinn-proto's `TimerTable`. Every armed deadline carries its reason (the [`Timer`]
//! variant): the connection's timers (connect timeout, heartbeat, reconnect, upgrade probe) are
//! the slots of the one [`TimerTable`] the engine holds and the manager shares; ack deadlines,
//! of which there can be many, live with their sockets ([`Timer::Ack`]).
//! [`Manager::next_timeout`](crate::Manager::next_timeout) is the soonest of all, with its
//! reason; `poll_timeout` is its instant.
//!
//! Every deadline of the core is computed by [`deadline_after`]: no duration, however large,
//! can make the core panic (`std::time::Instant + Duration` panics on overflow), and no timer is
//! shorter than [`MIN_DELAY`].

use std::time::Duration;

use crate::Instant;

/// The shortest timer of the core: 1 ms, as Node's `setTimeout` (which turns 0 into 1).
///
/// Every deadline is therefore strictly after the `now` it was armed at, so a driver that calls
/// `handle_timeout(now)` always finds [`poll_timeout`](crate::Manager::poll_timeout) after
/// `now` afterwards: zero durations in the configuration (a `timeout` and a `reconnection_delay`
/// of 0) cannot make the core spin at one instant.
pub const MIN_DELAY: Duration = Duration::from_millis(1);

/// Farthest a deadline is set: about 100 years, which is "never" for a connection. Longer
/// durations (`Duration::MAX` included) are capped to it.
pub const MAX_DELAY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// `now + d`, with `d` clamped to [`MIN_DELAY`]`..=`[`MAX_DELAY`]; if even that is not
/// representable on this platform's clock, the farthest instant that is (never a panic).
pub fn deadline_after(now: Instant, d: Duration) -> Instant {
    let mut d = d.clamp(MIN_DELAY, MAX_DELAY);
    loop {
        if let Some(at) = now.checked_add(d) {
            return at;
        }
        // (terminates: `now + 0` is always representable)
        d /= 2;
    }
}

/// Why the core wants to be woken up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// The manager's per-attempt connect timeout (`timeout` option).
    Connect,
    /// No ping from the server within `pingInterval + pingTimeout`.
    Heartbeat,
    /// The next reconnection attempt is due (backoff delay elapsed).
    Reconnect,
    /// The websocket upgrade probe did not complete in time.
    UpgradeProbe,
    /// An emit's acknowledgement timed out (or its next retry is due). Not a slot of the
    /// table: each socket keeps the deadlines of its emits.
    Ack,
}

impl Timer {
    const ALL: [Timer; 4] = [
        Timer::Connect,
        Timer::Heartbeat,
        Timer::Reconnect,
        Timer::UpgradeProbe,
    ];

    /// The table slot of this timer (`None` for ack deadlines, which sockets keep).
    fn index(self) -> Option<usize> {
        match self {
            Timer::Connect => Some(0),
            Timer::Heartbeat => Some(1),
            Timer::Reconnect => Some(2),
            Timer::UpgradeProbe => Some(3),
            Timer::Ack => None,
        }
    }
}

/// A fixed table of optional deadlines, one per connection [`Timer`] (arming [`Timer::Ack`]
/// here does nothing: its deadlines are the sockets').
#[derive(Debug, Default, Clone)]
pub struct TimerTable {
    slots: [Option<Instant>; 4],
}

impl TimerTable {
    /// Arms (or re-arms) `timer` to fire at `at`.
    pub fn set(&mut self, timer: Timer, at: Instant) {
        if let Some(i) = timer.index() {
            self.slots[i] = Some(at);
        }
    }

    /// Disarms `timer`.
    pub fn stop(&mut self, timer: Timer) {
        if let Some(i) = timer.index() {
            self.slots[i] = None;
        }
    }

    /// The deadline of `timer`, if armed.
    pub fn get(&self, timer: Timer) -> Option<Instant> {
        timer.index().and_then(|i| self.slots[i])
    }

    /// Disarms every timer.
    pub fn clear(&mut self) {
        self.slots = [None; 4];
    }

    /// The soonest armed deadline and its reason.
    pub fn next(&self) -> Option<(Timer, Instant)> {
        Timer::ALL
            .iter()
            .filter_map(|t| self.get(*t).map(|at| (*t, at)))
            .min_by_key(|(_, at)| *at)
    }

    /// Disarms and returns `timer` if its deadline is at or before `now`.
    pub fn take_expired(&mut self, timer: Timer, now: Instant) -> bool {
        match self.get(timer) {
            Some(at) if at <= now => {
                self.stop(timer);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_saturate_and_never_precede_now() {
        let t0 = crate::test_epoch();
        assert_eq!(deadline_after(t0, Duration::ZERO), t0 + MIN_DELAY);
        assert_eq!(
            deadline_after(t0, Duration::from_secs(5)),
            t0 + Duration::from_secs(5)
        );
        // `t0 + Duration::MAX` panics with std's Instant.
        assert_eq!(deadline_after(t0, Duration::MAX), t0 + MAX_DELAY);
        let far = deadline_after(t0, Duration::MAX);
        assert!(deadline_after(far, Duration::MAX) > far);
    }

    #[test]
    fn next_is_the_soonest_and_expiry_is_exact() {
        let t0 = crate::test_epoch();
        let mut table = TimerTable::default();
        assert_eq!(table.next(), None);
        table.set(Timer::Heartbeat, t0 + Duration::from_secs(5));
        table.set(Timer::Reconnect, t0 + Duration::from_secs(1));
        assert_eq!(
            table.next(),
            Some((Timer::Reconnect, t0 + Duration::from_secs(1)))
        );
        assert!(!table.take_expired(Timer::Reconnect, t0));
        assert!(table.take_expired(Timer::Reconnect, t0 + Duration::from_secs(1)));
        assert_eq!(table.next().map(|(t, _)| t), Some(Timer::Heartbeat));
        table.clear();
        assert_eq!(table.next(), None);
    }
}
