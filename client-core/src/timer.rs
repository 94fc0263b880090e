//! Deadlines of the core: one slot per kind of manager/engine timer.
//!
//! Model: quinn-proto's `TimerTable`. Every armed deadline carries its reason (the [`Timer`]
//! variant); [`TimerTable::next`] is the soonest one, which is what `poll_timeout` reports.
//! Per-ack deadlines live with their sockets because there can be many of them.

use crate::Instant;

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
}

impl Timer {
    const ALL: [Timer; 4] = [
        Timer::Connect,
        Timer::Heartbeat,
        Timer::Reconnect,
        Timer::UpgradeProbe,
    ];

    fn index(self) -> usize {
        match self {
            Timer::Connect => 0,
            Timer::Heartbeat => 1,
            Timer::Reconnect => 2,
            Timer::UpgradeProbe => 3,
        }
    }
}

/// A fixed table of optional deadlines, one per [`Timer`].
#[derive(Debug, Default, Clone)]
pub struct TimerTable {
    slots: [Option<Instant>; 4],
}

impl TimerTable {
    /// Arms (or re-arms) `timer` to fire at `at`.
    pub fn set(&mut self, timer: Timer, at: Instant) {
        self.slots[timer.index()] = Some(at);
    }

    /// Disarms `timer`.
    pub fn stop(&mut self, timer: Timer) {
        self.slots[timer.index()] = None;
    }

    /// The deadline of `timer`, if armed.
    pub fn get(&self, timer: Timer) -> Option<Instant> {
        self.slots[timer.index()]
    }

    /// Disarms every timer.
    pub fn clear(&mut self) {
        self.slots = [None; 4];
    }

    /// The soonest armed deadline and its reason.
    pub fn next(&self) -> Option<(Timer, Instant)> {
        Timer::ALL
            .iter()
            .filter_map(|t| self.slots[t.index()].map(|at| (*t, at)))
            .min_by_key(|(_, at)| *at)
    }

    /// Disarms and returns `timer` if its deadline is at or before `now`.
    pub fn take_expired(&mut self, timer: Timer, now: Instant) -> bool {
        match self.slots[timer.index()] {
            Some(at) if at <= now => {
                self.slots[timer.index()] = None;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
