//! The server's acknowledgement requests waiting for a `reply` command: bounded, oldest
//! first out, and forgotten for a namespace when it disconnects (they can no longer be
//! answered: the server dropped them with the connection).

use std::collections::{BTreeMap, HashMap};

/// Default of `--max-pending-replies`.
pub(crate) const DEFAULT_MAX_PENDING_REPLIES: usize = 1000;

/// A request's key: namespace and the server's ack id.
pub(crate) type Key = (String, u64);

/// Pending requests in arrival order, at most `cap` of them.
pub(crate) struct PendingReplies<T> {
    cap: usize,
    next_seq: u64,
    by_key: HashMap<Key, (u64, T)>,
    order: BTreeMap<u64, Key>,
}

impl<T> PendingReplies<T> {
    /// An empty map keeping at most `cap` requests (at least one).
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            next_seq: 0,
            by_key: HashMap::new(),
            order: BTreeMap::new(),
        }
    }

    /// Adds a request; returns the key of the oldest one if it had to make room.
    pub(crate) fn insert(&mut self, key: Key, value: T) -> Option<Key> {
        if let Some((seq, _)) = self.by_key.remove(&key) {
            self.order.remove(&seq);
        }
        let dropped = if self.by_key.len() >= self.cap {
            self.order.pop_first().map(|(_, oldest)| {
                self.by_key.remove(&oldest);
                oldest
            })
        } else {
            None
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        self.order.insert(seq, key.clone());
        self.by_key.insert(key, (seq, value));
        dropped
    }

    /// Takes the request `id` of `ns`.
    pub(crate) fn take(&mut self, ns: &str, id: u64) -> Option<T> {
        let (seq, value) = self.by_key.remove(&(ns.to_string(), id))?;
        self.order.remove(&seq);
        Some(value)
    }

    /// The id of the newest request of `ns`.
    pub(crate) fn newest(&self, ns: &str) -> Option<u64> {
        self.order
            .values()
            .rev()
            .find(|(n, _)| n == ns)
            .map(|(_, id)| *id)
    }

    /// Forgets every request of `ns`; returns how many there were.
    pub(crate) fn forget_namespace(&mut self, ns: &str) -> usize {
        let before = self.by_key.len();
        self.order.retain(|_, (n, _)| n != ns);
        self.by_key.retain(|(n, _), _| n != ns);
        if self.by_key.is_empty() {
            // an idle listener keeps no map memory
            self.by_key = HashMap::new();
        }
        before - self.by_key.len()
    }

    /// How many requests wait.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ns: &str, id: u64) -> Key {
        (ns.to_string(), id)
    }

    #[test]
    fn the_oldest_request_makes_room_and_namespaces_are_forgotten_on_disconnect() {
        let mut p = PendingReplies::new(3);
        assert_eq!(p.insert(key("/", 1), "a"), None);
        assert_eq!(p.insert(key("/admin", 1), "b"), None);
        assert_eq!(p.insert(key("/", 2), "c"), None);
        assert_eq!(p.insert(key("/", 3), "d"), Some(key("/", 1)));
        assert_eq!(p.len(), 3);
        assert_eq!(p.take("/", 1), None);
        assert_eq!(p.newest("/"), Some(3));
        assert_eq!(p.newest("/admin"), Some(1));
        assert_eq!(p.forget_namespace("/"), 2);
        assert_eq!(p.newest("/"), None);
        assert_eq!(p.take("/admin", 1), Some("b"));
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn a_reused_id_replaces_the_old_request() {
        let mut p = PendingReplies::new(2);
        p.insert(key("/", 1), "old");
        p.insert(key("/", 1), "new");
        assert_eq!(p.len(), 1);
        assert_eq!(p.insert(key("/", 2), "x"), None);
        assert_eq!(p.take("/", 1), Some("new"));
    }
}
