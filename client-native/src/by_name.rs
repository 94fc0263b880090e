//! [`ByName`]: per-namespace state in a small vector.
//!
//! Clients use one or two namespaces: a vector searched linearly is smaller (no table of
//! spare buckets per connection) and as fast as a hash map at that size.

/// Values by namespace name, in insertion order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ByName<T> {
    entries: Vec<(String, T)>,
}

impl<T> Default for ByName<T> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<T> ByName<T> {
    /// The value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&T> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The value of `name`, mutably.
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut T> {
        self.entries
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Every value, mutably.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// Every value.
    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<T: Default> ByName<T> {
    /// The value of `name`, created with its default on first use.
    pub(crate) fn entry(&mut self, name: &str) -> &mut T {
        let i = match self.entries.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                // usually one namespace: no spare room
                self.entries.reserve_exact(1);
                self.entries.push((name.to_string(), T::default()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[i].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_created_once_and_found_by_name() {
        let mut map = ByName::<u32>::default();
        *map.entry("/") += 1;
        *map.entry("/admin") += 5;
        *map.entry("/") += 1;
        assert_eq!(map.get("/"), Some(&2));
        assert_eq!(map.get("/x"), None);
        assert_eq!(map.values().sum::<u32>(), 7);
        for v in map.values_mut() {
            *v = 0;
        }
        assert_eq!(map.get_mut("/admin"), Some(&mut 0));
    }
}
