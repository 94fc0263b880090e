//! The two ack tables of a namespace socket: our emits waiting for the server's ack
//! ([`PendingAcks`]), and the server's events waiting for ours ([`ServerAcks`]).
//!
//! Inserting and removing is O(log n) at most (amortized) whatever order the ids come in (issue 13:
//! the server's ids kept in a sorted `Vec` made a server that counts its ack ids downwards
//! quadratic).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

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

/// Our emits waiting for an ack, by wire id, with their deadlines.
///
/// Not a B-tree (they are a sizeable part of the browser bundle): our wire ids count up, so a
/// sorted `Vec` takes each new one at its end; an answered entry is only marked (its id keeps
/// the binary search valid) and the marks are swept once they outnumber the live entries.
/// Deadlines are a binary heap whose entries for answered acks are skipped when they surface,
/// and swept the same way. Every operation is O(log n) amortized, whatever order the acks are
/// answered in, and the memory stays within twice the live entries.
#[derive(Debug, Clone)]
pub(crate) struct PendingAcks<W> {
    /// By wire id, ascending; `None` for an entry removed since the last sweep.
    entries: Vec<(u64, Option<PendingAck<W>>)>,
    live: usize,
    /// Soonest deadline on top; stale when its ack is gone or has another deadline.
    deadlines: BinaryHeap<Reverse<(Instant, u64)>>,
}

impl<W> Default for PendingAcks<W> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            live: 0,
            deadlines: BinaryHeap::new(),
        }
    }
}

/// Sweep when more than this many entries beyond twice the live ones are stale.
const SWEEP_SLACK: usize = 32;

impl<W> PendingAcks<W> {
    fn index(&self, id: u64) -> Option<usize> {
        self.entries.binary_search_by_key(&id, |(k, _)| *k).ok()
    }

    fn get(&self, id: u64) -> Option<&PendingAck<W>> {
        self.entries.get(self.index(id)?)?.1.as_ref()
    }

    /// Registers (or replaces) the ack expected for `id`, not yet sent.
    pub(crate) fn register(&mut self, id: u64, waiter: W, deadline: Option<Instant>) {
        let pending = Some(PendingAck {
            waiter,
            deadline,
            sent: false,
        });
        match self.entries.last() {
            Some((last, _)) if *last >= id => {
                match self.entries.binary_search_by_key(&id, |(k, _)| *k) {
                    Ok(i) => {
                        if self.entries[i].1.is_none() {
                            self.live += 1;
                        }
                        self.entries[i].1 = pending;
                    }
                    // (only after the ids wrapped around: never in practice)
                    Err(i) => {
                        self.entries.insert(i, (id, pending));
                        self.live += 1;
                    }
                }
            }
            _ => {
                self.entries.push((id, pending));
                self.live += 1;
            }
        }
        if let Some(at) = deadline {
            self.deadlines.push(Reverse((at, id)));
        }
        self.sweep();
    }

    /// The packet of `id` was written to the connection.
    pub(crate) fn mark_sent(&mut self, id: u64) {
        if let Some(i) = self.index(id) {
            if let Some(p) = &mut self.entries[i].1 {
                p.sent = true;
            }
        }
    }

    /// Whether an ack is expected for `id`.
    pub(crate) fn contains(&self, id: u64) -> bool {
        self.get(id).is_some()
    }

    /// Stops waiting for `id`.
    pub(crate) fn remove(&mut self, id: u64) -> Option<PendingAck<W>> {
        let i = self.index(id)?;
        let pending = self.entries[i].1.take()?;
        self.live -= 1;
        if self.live == 0 {
            // Nothing left to wait for: nothing stale to keep either.
            self.entries.clear();
            self.deadlines.clear();
        } else {
            self.drop_stale_top();
            self.sweep();
        }
        Some(pending)
    }

    fn is_stale(&self, at: Instant, id: u64) -> bool {
        !self.get(id).is_some_and(|p| p.deadline == Some(at))
    }

    /// Pops the deadlines of acks that are gone, so that the top is a real one.
    fn drop_stale_top(&mut self) {
        while let Some(&Reverse((at, id))) = self.deadlines.peek() {
            if !self.is_stale(at, id) {
                break;
            }
            self.deadlines.pop();
        }
    }

    /// Sweeps removed entries and stale deadlines once they outnumber the live entries.
    fn sweep(&mut self) {
        let limit = 2 * self.live + SWEEP_SLACK;
        if self.entries.len() > limit {
            self.entries.retain(|(_, p)| p.is_some());
        }
        if self.deadlines.len() > limit {
            let entries = &self.entries;
            let live = |id: u64, at: Instant| {
                entries
                    .binary_search_by_key(&id, |(k, _)| *k)
                    .ok()
                    .and_then(|i| entries[i].1.as_ref())
                    .is_some_and(|p| p.deadline == Some(at))
            };
            self.deadlines.retain(|Reverse((at, id))| live(*id, *at));
        }
    }

    /// Removes and returns one ack whose deadline is at or before `now`, soonest first.
    pub(crate) fn pop_expired(&mut self, now: Instant) -> Option<(u64, PendingAck<W>)> {
        loop {
            let &Reverse((at, id)) = self.deadlines.peek()?;
            if at > now {
                return None;
            }
            self.deadlines.pop();
            if !self.is_stale(at, id) {
                return self.remove(id).map(|p| (id, p));
            }
        }
    }

    /// The soonest deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.peek().map(|Reverse((at, _))| *at)
    }

    /// The ids whose packets were sent, in id order.
    pub(crate) fn sent_ids(&self) -> Vec<u64> {
        self.entries
            .iter()
            .filter(|(_, p)| p.as_ref().is_some_and(|p| p.sent))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Every id, in order.
    pub(crate) fn ids(&self) -> Vec<u64> {
        self.entries
            .iter()
            .filter(|(_, p)| p.is_some())
            .map(|(id, _)| *id)
            .collect()
    }

    /// Number of entries (both tables, stale ones included), for state-growth checks.
    #[cfg(test)]
    pub(crate) fn footprint(&self) -> usize {
        self.entries.len() + self.deadlines.len()
    }
}

/// The server's ack requests not answered yet: at most `cap`, the oldest forgotten first.
///
/// An application that never answers would otherwise grow this table forever (issue 13: a
/// million unanswered requests, 340 MB). A forgotten request can no longer be answered:
/// [`Manager::ack`](crate::Manager::ack) reports it as unknown, exactly like a request of a
/// previous connection.
///
/// Not B-trees (the core's only ones, 8 KB of the browser module): a hash map by id, and the
/// arrivals in a queue, oldest first. An answered request leaves its arrival in the queue; such
/// stale arrivals are skipped when they reach the front and swept once they outnumber the live
/// ones, so every operation is O(1) amortized and the queue stays within twice the live
/// requests.
#[derive(Debug, Clone)]
pub(crate) struct ServerAcks {
    cap: usize,
    /// Request id → arrival number.
    by_id: HashMap<u64, u64>,
    /// (arrival number, request id), oldest first; stale when `by_id` no longer maps the id
    /// to that arrival.
    by_age: VecDeque<(u64, u64)>,
    next_arrival: u64,
    dropped: u64,
}

impl ServerAcks {
    /// An empty table keeping at most `cap` requests.
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            cap,
            by_id: HashMap::new(),
            by_age: VecDeque::new(),
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
        self.by_age.push_back((arrival, id));
        forgotten
    }

    fn is_live(&self, (arrival, id): (u64, u64)) -> bool {
        self.by_id.get(&id) == Some(&arrival)
    }

    fn forget_oldest(&mut self) -> Option<u64> {
        while let Some(entry) = self.by_age.pop_front() {
            if self.is_live(entry) {
                self.by_id.remove(&entry.1);
                self.dropped = self.dropped.saturating_add(1);
                return Some(entry.1);
            }
        }
        None
    }

    /// Takes request `id` for answering; `false` if it is unknown (never asked, answered
    /// already, forgotten, or from a previous connection).
    pub(crate) fn take(&mut self, id: u64) -> bool {
        if self.by_id.remove(&id).is_none() {
            return false;
        }
        if self.by_age.len() > 2 * self.by_id.len() + SWEEP_SLACK {
            let by_id = &self.by_id;
            self.by_age
                .retain(|&(arrival, id)| by_id.get(&id) == Some(&arrival));
        }
        true
    }

    /// Forgets every request (the connection they came on is gone).
    pub(crate) fn clear(&mut self) {
        self.by_id.clear();
        self.by_age.clear();
    }

    /// Entries of both tables (stale arrivals included), for state-growth checks.
    #[cfg(test)]
    pub(crate) fn footprint(&self) -> usize {
        self.by_id.len() + self.by_age.len()
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
    fn pending_acks_answered_in_any_order() {
        let t0 = crate::test_epoch();
        let mut acks: PendingAcks<u64> = PendingAcks::default();
        // Ids count up (the socket's counter); deadlines come in any order, and the acks are
        // answered newest first: the old sorted vectors shifted every other entry each time.
        let n = 100_000u64;
        for id in 0..n {
            let ms = (id * 7919) % n + 1;
            acks.register(id, id, Some(t0 + Duration::from_millis(ms)));
        }
        assert_eq!(acks.footprint(), 2 * n as usize);
        assert_eq!(acks.next_deadline(), Some(t0 + Duration::from_millis(1)));
        for id in (0..n).rev().filter(|id| id % 2 == 1) {
            assert_eq!(acks.remove(id).map(|p| p.waiter), Some(id));
            assert!(acks.remove(id).is_none(), "at most once");
        }
        // Stale entries never outnumber twice the live ones.
        assert!(acks.footprint() <= 2 * (2 * (n as usize / 2) + SWEEP_SLACK));
        // Expiry in deadline order, skipping the answered ones.
        let mut last = None;
        let mut expired = 0;
        while let Some((id, p)) = acks.pop_expired(t0 + Duration::from_secs(1000)) {
            assert_eq!(id % 2, 0);
            assert!(last <= p.deadline);
            last = p.deadline;
            expired += 1;
        }
        assert_eq!(expired, n / 2);
        assert_eq!(acks.next_deadline(), None);
        assert!(acks.footprint() <= 2 * SWEEP_SLACK);
        acks.register(n, 7, None);
        acks.mark_sent(n);
        assert_eq!(acks.sent_ids(), [n]);
        assert!(acks.contains(n));
        assert_eq!(acks.ids(), [n]);
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
    fn server_acks_answered_in_any_order_stay_bounded_and_oldest_first() {
        let n = 10_000u64;
        let mut s = ServerAcks::new(usize::MAX);
        for id in 0..n {
            assert_eq!(s.insert(id * 7919 % n), None);
        }
        // answer all but every tenth, in an order unrelated to their arrival
        for id in (0..n).rev().filter(|id| id % 10 != 0) {
            assert!(s.take(id));
            assert!(s.footprint() <= 3 * s.len() + SWEEP_SLACK + 1);
        }
        assert_eq!(s.len(), (n / 10) as usize);
        // the survivors are forgotten in arrival order, skipping the answered ones
        s.cap = s.len();
        let first = (0..n).map(|i| i * 7919 % n).find(|id| id % 10 == 0);
        assert_eq!(s.insert(n), first);
        // an id answered and asked again arrives anew: its old arrival is stale
        let mut t = ServerAcks::new(2);
        assert_eq!(t.insert(1), None);
        assert_eq!(t.insert(2), None);
        assert!(t.take(1));
        assert_eq!(t.insert(1), None);
        assert_eq!(t.insert(3), Some(2), "2 is older than the second 1");
        assert_eq!(t.insert(4), Some(1));
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
