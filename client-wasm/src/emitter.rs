//! The listeners of a socket or manager, with `@socket.io/component-emitter`'s semantics
//! (what socket.io-client users call): `on`, `once`, `off(event, fn)` by identity (a `once`
//! listener is removed by its original function too), `listeners`, `hasListeners`, and
//! delivery to a snapshot of the listeners taken when the event starts, so a listener that
//! adds or removes listeners changes only later events.
//!
//! The lists are copy-on-write (`Rc<Vec<_>>`): delivering an event clones an `Rc`, not the
//! list, and never holds a borrow while user code runs.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function};
use wasm_bindgen::JsValue;

use crate::values::call;

/// One listener.
#[derive(Clone)]
pub(crate) struct Listener {
    pub(crate) f: Function,
    pub(crate) once: bool,
}

/// The listener lists of the events that have listeners (a few, so a list beats a map in
/// size and speed).
type Events = Vec<(String, Rc<Vec<Listener>>)>;

fn find<'a>(events: &'a mut Events, event: &str) -> Option<(usize, &'a mut Rc<Vec<Listener>>)> {
    events
        .iter_mut()
        .enumerate()
        .find(|(_, (name, _))| name == event)
        .map(|(i, (_, list))| (i, list))
}

/// Listeners by event name.
#[derive(Default)]
pub(crate) struct Listeners {
    events: RefCell<Events>,
}

impl Listeners {
    /// Adds `f` for `event` (once: for the next occurrence only).
    pub(crate) fn add(&self, event: &str, f: Function, once: bool) {
        let mut events = self.events.borrow_mut();
        let listener = Listener { f, once };
        match find(&mut events, event) {
            Some((_, list)) => Rc::make_mut(list).push(listener),
            None => events.push((event.to_string(), Rc::new(vec![listener]))),
        }
    }

    /// Removes the first `f` of `event`; every listener of `event` without `f`; every
    /// listener without `event`.
    pub(crate) fn remove(&self, event: Option<&str>, f: Option<&JsValue>) {
        let mut events = self.events.borrow_mut();
        let Some(event) = event else {
            events.clear();
            return;
        };
        let Some((index, list)) = find(&mut events, event) else {
            return;
        };
        match f {
            None => {
                events.swap_remove(index);
            }
            Some(f) => {
                if let Some(i) = list.iter().position(|l| JsValue::from(&l.f) == *f) {
                    Rc::make_mut(list).remove(i);
                }
                if list.is_empty() {
                    events.swap_remove(index);
                }
            }
        }
    }

    /// The functions listening to `event`, in order.
    pub(crate) fn listeners(&self, event: &str) -> Array {
        let mut events = self.events.borrow_mut();
        let out = Array::new();
        if let Some((_, list)) = find(&mut events, event) {
            for l in list.iter() {
                out.push(&l.f);
            }
        }
        out
    }

    /// Whether `event` has listeners.
    pub(crate) fn has(&self, event: &str) -> bool {
        find(&mut self.events.borrow_mut(), event).is_some()
    }

    /// Calls every listener of `event` with `args` (`this` is `this`); `once` listeners are
    /// removed first. Exceptions are reported and do not stop the others.
    pub(crate) fn emit(&self, event: &str, this: &JsValue, args: &Array) {
        let snapshot = {
            let mut events = self.events.borrow_mut();
            let Some((index, list)) = find(&mut events, event) else {
                return;
            };
            let snapshot = list.clone();
            if snapshot.iter().any(|l| l.once) {
                Rc::make_mut(list).retain(|l| !l.once);
                if list.is_empty() {
                    events.swap_remove(index);
                }
            }
            snapshot
        };
        for listener in snapshot.iter() {
            call(&listener.f, this, args);
        }
    }
}

/// A list of catch-all listeners (`onAny`, `onAnyOutgoing`), copy-on-write like
/// [`Listeners`].
#[derive(Default)]
pub(crate) struct AnyListeners {
    list: RefCell<Rc<Vec<Function>>>,
}

impl AnyListeners {
    /// Adds `f` last, or first with `prepend`.
    pub(crate) fn add(&self, f: Function, prepend: bool) {
        let mut list = self.list.borrow_mut();
        let list = Rc::make_mut(&mut list);
        if prepend {
            list.insert(0, f);
        } else {
            list.push(f);
        }
    }

    /// Removes `f`, or every listener.
    pub(crate) fn remove(&self, f: Option<&JsValue>) {
        let mut list = self.list.borrow_mut();
        match f {
            Some(f) => Rc::make_mut(&mut list).retain(|g| JsValue::from(g) != *f),
            None => *list = Rc::default(),
        }
    }

    /// The listeners, in order.
    pub(crate) fn to_array(&self) -> Array {
        self.list.borrow().iter().collect()
    }

    /// Whether there is none.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.borrow().is_empty()
    }

    /// The listeners now (cheap: an `Rc`).
    pub(crate) fn snapshot(&self) -> Rc<Vec<Function>> {
        self.list.borrow().clone()
    }
}
