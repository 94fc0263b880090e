//! The two ack tables of a namespace socket: our emits waiting for the server's ack
//! ([`PendingAcks`]), and the server's events waiting for ours ([`ServerAcks`]).
//!
//! Both are keyed by wire id in B-trees, so inserting and removing is O(log n) whatever order
//! the ids come in (issue 13: ids kept in a sorted `Vec` made a server that counts its ack ids
//! downwards quadratic).

use std::collections::{BTreeMap, BTreeSet};

use crate::Instant;

/// One emit waiting for its ack.
#[derive(Debug, Clone)]
pub(crate) struct PendingAck<W> {
    /// Who is told when it arrives (or never will).
    pub(crate) waiter: W,
    /// When it times out.
    pub(crate) deadline: Option<Instant>,
    /// Whether the packet went out (rather than waiting in the offline buffer): only those fail
    /// with a disconnect.
    pub(crate) sent: bool,
}

/// Our emits waiting for an ack, by wire id, with their deadlines in order.
#[derive(Debug, Clone)]
pub(crate) struct PendingAcks<W> {
    by_id: BTreeMap<u64, PendingAck<W>>,
    deadlines: BTreeSet<(Instant, u64)>,
}

impl<W> Default for PendingAcks<W> {
    fn default() -> Self {
        Self {
            by_id: BTreeMap::new(),
            deadlines: BTreeSet::new(),
        }
    }
}

impl<W> PendingAcks<W> {
    /// Registers (or replaces) the ack expected for `id`, not yet sent.
    pub(crate) fn register(&mut self, id: u64, waiter: W, deadline: Option<Instant>) {
        if let Some(old) = self.remove(id) {
            drop(old);
        }
        if let Some(at) = deadline {
            self.deadlines.insert((at, id));
        }
        let pending = PendingAck {
            waiter,
            deadline,
            sent: false,
        };
        self.by_id.insert(id, pending);
    }

    /// The packet of `id` was written to the connection.
    pub(crate) fn mark_sent(&mut self, id: u64) {
        if let Some(p) = self.by_id.get_mut(&id) {
            p.sent = true;
        }
    }

    /// Whether an ack is expected for `id`.
    pub(crate) fn contains(&self, id: u64) -> bool {
        self.by_id.contains_key(&id)
    }

    /// Stops waiting for `id`.
    pub(crate) fn remove(&mut self, id: u64) -> Option<PendingAck<W>> {
        let pending = self.by_id.remove(&id)?;
        if let Some(at) = pending.deadline {
            self.deadlines.remove(&(at, id));
        }
        Some(pending)
    }

    /// Removes and returns one ack whose deadline is at or before `now`, soonest first.
    pub(crate) fn pop_expired(&mut self, now: Instant) -> Option<(u64, PendingAck<W>)> {
        let &(at, id) = self.deadlines.first()?;
        if at > now {
            return None;
        }
        self.deadlines.remove(&(at, id));
        let pending = self.by_id.remove(&id)?;
        Some((id, pending))
    }

    /// The soonest deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// The ids whose packets were sent, in id order.
    pub(crate) fn sent_ids(&self) -> Vec<u64> {
        self.by_id
            .iter()
            .filter(|(_, p)| p.sent)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Every id, in order.
    pub(crate) fn ids(&self) -> Vec<u64> {
        self.by_id.keys().copied().collect()
    }

    /// Number of entries (both tables), for state-growth checks.
    #[cfg(test)]
    pub(crate) fn footprint(&self) -> usize {
        self.by_id.len() + self.deadlines.len()
    }
}

/// The server's ack requests not answered yet: at most `cap`, the oldest forgotten first.
///
/// An application that never answers would otherwise grow this table forever (issue 13: a
/// million unanswered requests, 340 MB). A forgotten request can no longer be answered:
/// [`Manager::ack`](crate::Manager::ack) reports it as unknown, exactly like a request of a
/// previous connection.
#[derive(Debug, Clone)]
pub(crate) struct ServerAcks {
    cap: usize,
    /// Request id → arrival number.
    by_id: BTreeMap<u64, u64>,
    /// Arrival number → request id, oldest first.
    by_age: BTreeMap<u64, u64>,
    next_arrival: u64,
    dropped: u64,
}

impl ServerAcks {
    /// An empty table keeping at most `cap` requests.
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            cap,
            by_id: BTreeMap::new(),
            by_age: BTreeMap::new(),
            next_arrival: 0,
            dropped: 0,
        }
    }

    /// The server asked for an ack with `id` (a repeated id keeps its first arrival). Returns
    /// the id that was forgotten to make room, if any.
    pub(crate) fn insert(&mut self, id: u64) -> Option<u64> {
        if self.by_id.contains_key(&id) {
            return None;
        }
        let mut forgotten = None;
        if self.by_id.len() >= self.cap {
            forgotten = self.forget_oldest();
            if self.cap == 0 {
                self.dropped = self.dropped.saturating_add(1);
                return Some(id);
            }
        }
        let arrival = self.next_arrival;
        self.next_arrival = self.next_arrival.wrapping_add(1);
        self.by_id.insert(id, arrival);
        self.by_age.insert(arrival, id);
        forgotten
    }

    fn forget_oldest(&mut self) -> Option<u64> {
        let (_, id) = self.by_age.pop_first()?;
        self.by_id.remove(&id);
        self.dropped = self.dropped.saturating_add(1);
        Some(id)
    }

    /// Takes request `id` for answering; `false` if it is unknown (never asked, answered
    /// already, forgotten, or from a previous connection).
    pub(crate) fn take(&mut self, id: u64) -> bool {
        match self.by_id.remove(&id) {
            Some(arrival) => {
                self.by_age.remove(&arrival);
                true
            }
            None => false,
        }
    }

    /// Forgets every request (the connection they came on is gone).
    pub(crate) fn clear(&mut self) {
        self.by_id.clear();
        self.by_age.clear();
    }

    /// Number of requests waiting.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// How many requests were forgotten because the table was full, since the socket was
    /// created.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn pending_acks_in_any_order() {
        let t0 = crate::test_epoch();
        let mut acks: PendingAcks<u64> = PendingAcks::default();
        // 100k ids registered and resolved in descending order: with the sorted Vec every
        // insert shifted all the others (5e9 moves); here each is a B-tree operation.
        let n = 100_000u64;
        for id in (0..n).rev() {
            acks.register(id, id, Some(t0 + Duration::from_millis(n - id)));
        }
        assert_eq!(acks.footprint(), 2 * n as usize);
        assert_eq!(acks.next_deadline(), Some(t0 + Duration::from_millis(1)));
        for id in (0..n).rev().step_by(2) {
            assert_eq!(acks.remove(id).map(|p| p.waiter), Some(id));
        }
        assert_eq!(acks.footprint(), n as usize);
        let (first, _) = acks.pop_expired(t0 + Duration::from_secs(1000)).unwrap();
        assert_eq!(first, n - 2);
        acks.register(7, 7, None);
        acks.mark_sent(7);
        assert_eq!(acks.sent_ids(), [7]);
        assert!(acks.contains(7));
    }

    #[test]
    fn server_acks_are_capped_oldest_first() {
        let mut s = ServerAcks::new(3);
        assert_eq!(s.insert(30), None);
        assert_eq!(s.insert(20), None);
        assert_eq!(s.insert(20), None, "a repeated id counts once");
        assert_eq!(s.insert(10), None);
        assert_eq!(s.insert(5), Some(30), "the oldest request is forgotten");
        assert_eq!(s.len(), 3);
        assert_eq!(s.dropped(), 1);
        assert!(!s.take(30));
        assert!(s.take(20));
        assert!(!s.take(20), "at most once");
        assert_eq!(s.insert(40), None);
        assert_eq!(s.insert(50), Some(10));
        s.clear();
        assert_eq!(s.len(), 0);
        let mut none = ServerAcks::new(0);
        assert_eq!(none.insert(1), Some(1));
        assert!(!none.take(1));
    }

    #[test]
    fn server_acks_in_descending_order_stay_logarithmic() {
        let n = 100_000u64;
        let mut s = ServerAcks::new(usize::MAX);
        for id in (0..n).rev() {
            assert_eq!(s.insert(id), None);
        }
        assert_eq!(s.len(), n as usize);
        for id in 0..n {
            assert!(s.take(id));
        }
        assert_eq!(s.len(), 0);
    }
}
