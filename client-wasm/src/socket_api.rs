//! The exported `Socket` class: socket.io-client's `Socket` surface on [`SocketInner`].

use std::rc::Rc;
use std::time::Duration;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::manager::ManagerInner;
use crate::socket::{Flags, SocketInner};
use crate::values::type_error;

/// One namespace on a connection (socket.io-client's `Socket`). Get it from `io()` or
/// `manager.socket(nsp)`.
#[wasm_bindgen]
pub struct Socket {
    pub(crate) inner: Rc<SocketInner>,
    pub(crate) manager: Rc<ManagerInner>,
}

/// An event name as socket.io-client takes it (`String(event)`).
fn name_of(event: &JsValue) -> String {
    match event.as_string() {
        Some(name) => name,
        None => String::from(js_sys::JsString::from(event.clone())),
    }
}

impl Socket {
    fn this(&self) -> JsValue {
        self.inner.js(&self.manager)
    }
}

#[wasm_bindgen]
impl Socket {
    /// Sockets come from `io()` or `manager.socket(nsp)`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Socket, JsValue> {
        Err(type_error(
            "use io(url) or manager.socket(nsp) to get a Socket",
        ))
    }

    /// The manager (connection) of this socket.
    #[wasm_bindgen(getter)]
    pub fn io(&self) -> JsValue {
        self.manager.js()
    }

    /// The namespace.
    #[wasm_bindgen(getter)]
    pub fn nsp(&self) -> String {
        self.inner.ns.clone()
    }

    /// The auth object or function, read again on every (re)connect.
    #[wasm_bindgen(getter)]
    pub fn auth(&self) -> JsValue {
        self.inner.auth.borrow().clone()
    }

    /// Sets the auth object or function.
    #[wasm_bindgen(setter)]
    pub fn set_auth(&self, auth: JsValue) {
        *self.inner.auth.borrow_mut() = auth;
    }

    /// Whether the namespace is connected.
    #[wasm_bindgen(getter)]
    pub fn connected(&self) -> bool {
        self.inner.connected()
    }

    /// Whether the namespace is not connected.
    #[wasm_bindgen(getter)]
    pub fn disconnected(&self) -> bool {
        !self.inner.connected()
    }

    /// Whether the socket wants a connection and reconnects by itself.
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        self.inner.active()
    }

    /// The namespace socket id while connected.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> Option<String> {
        self.inner.id()
    }

    /// Whether the last connection restored the previous session (connection state recovery).
    #[wasm_bindgen(getter)]
    pub fn recovered(&self) -> bool {
        self.inner.recovered()
    }

    /// The rooms joined with `join`, re-joined after reconnects.
    #[wasm_bindgen(getter)]
    pub fn rooms(&self) -> Array {
        self.inner
            .rooms()
            .iter()
            .map(|r| JsValue::from_str(r))
            .collect()
    }

    /// Connects (a no-op when connected or connecting).
    pub fn connect(&self) -> Result<JsValue, JsValue> {
        self.inner.connect()?;
        Ok(self.this())
    }

    /// Disconnects; no automatic reconnection follows.
    pub fn disconnect(&self) -> JsValue {
        self.inner.disconnect();
        self.this()
    }

    /// `emit("message", ...args)`.
    #[wasm_bindgen(variadic)]
    pub fn send(&self, args: Array) -> Result<JsValue, JsValue> {
        self.inner.emit("message", args)?;
        Ok(self.this())
    }

    /// Emits `event` with `args`; a last function argument receives the server's ack
    /// (error-first `(err, ...args)` with `timeout()` or `ackTimeout`). Throws for a reserved
    /// name or arguments that cannot be sent (`Blob`, cycles, `BigInt`).
    #[wasm_bindgen(variadic)]
    pub fn emit(&self, event: JsValue, args: Array) -> Result<JsValue, JsValue> {
        self.inner.emit(&name_of(&event), args)?;
        Ok(self.this())
    }

    /// Emits and resolves with the ack's first argument; rejects on timeout (`timeout()` or
    /// `ackTimeout`) and when the connection is lost or closed before the ack.
    #[wasm_bindgen(variadic, js_name = emitWithAck)]
    pub fn emit_with_ack(&self, event: JsValue, args: Array) -> js_sys::Promise {
        match self.inner.emit_with_ack(&name_of(&event), &args) {
            Ok(promise) => promise,
            Err(e) => js_sys::Promise::reject(&e),
        }
    }

    /// Sets an ack timeout in ms for the next emit: its callback becomes `(err, ...args)`.
    pub fn timeout(&self, ms: f64) -> Result<JsValue, JsValue> {
        if !(ms.is_finite() && ms >= 0.0) {
            return Err(type_error("the ack timeout must be a non-negative number"));
        }
        let flags = self.inner.flags.get();
        self.inner.flags.set(Flags {
            timeout: Some(Duration::from_millis(ms.ceil() as u64)),
            ..flags
        });
        Ok(self.this())
    }

    /// The next emit is dropped instead of buffered when it cannot be sent at once.
    #[wasm_bindgen(getter)]
    pub fn volatile(&self) -> JsValue {
        let flags = self.inner.flags.get();
        self.inner.flags.set(Flags {
            volatile: true,
            ..flags
        });
        self.this()
    }

    /// Accepted for compatibility; compression is the transport's business.
    pub fn compress(&self, _compress: JsValue) -> JsValue {
        self.this()
    }

    /// Joins `room` (rooms convention: emits `"join"`); re-joined after every reconnect.
    pub fn join(&self, room: String) -> Result<JsValue, JsValue> {
        self.inner.join(room, true)?;
        Ok(self.this())
    }

    /// Leaves `room` (emits `"leave"`).
    pub fn leave(&self, room: String) -> Result<JsValue, JsValue> {
        self.inner.join(room, false)?;
        Ok(self.this())
    }

    /// Adds a listener for every incoming event: `(event, ...args)`.
    #[wasm_bindgen(js_name = onAny)]
    pub fn on_any(&self, f: Function) -> JsValue {
        self.inner.any.add(f, false);
        self.this()
    }

    /// Like `onAny`, called before the others.
    #[wasm_bindgen(js_name = prependAny)]
    pub fn prepend_any(&self, f: Function) -> JsValue {
        self.inner.any.add(f, true);
        self.this()
    }

    /// Removes `f`, or every catch-all listener.
    #[wasm_bindgen(js_name = offAny)]
    pub fn off_any(&self, f: Option<Function>) -> JsValue {
        self.inner.any.remove(f.as_ref().map(AsRef::as_ref));
        self.this()
    }

    /// The catch-all listeners.
    #[wasm_bindgen(js_name = listenersAny)]
    pub fn listeners_any(&self) -> Array {
        self.inner.any.to_array()
    }

    /// Adds a listener for every outgoing event (not acks): `(event, ...args)`.
    #[wasm_bindgen(js_name = onAnyOutgoing)]
    pub fn on_any_outgoing(&self, f: Function) -> JsValue {
        self.inner.any_outgoing.add(f, false);
        self.inner.update_outgoing();
        self.this()
    }

    /// Like `onAnyOutgoing`, called before the others.
    #[wasm_bindgen(js_name = prependAnyOutgoing)]
    pub fn prepend_any_outgoing(&self, f: Function) -> JsValue {
        self.inner.any_outgoing.add(f, true);
        self.inner.update_outgoing();
        self.this()
    }

    /// Removes `f`, or every outgoing catch-all listener.
    #[wasm_bindgen(js_name = offAnyOutgoing)]
    pub fn off_any_outgoing(&self, f: Option<Function>) -> JsValue {
        self.inner
            .any_outgoing
            .remove(f.as_ref().map(AsRef::as_ref));
        self.inner.update_outgoing();
        self.this()
    }

    /// The outgoing catch-all listeners.
    #[wasm_bindgen(js_name = listenersAnyOutgoing)]
    pub fn listeners_any_outgoing(&self) -> Array {
        self.inner.any_outgoing.to_array()
    }

    /// Adds `f` for `event` (a server event, or `connect`, `disconnect`, `connect_error`).
    pub fn on(&self, event: String, f: Function) -> JsValue {
        self.inner.listeners.add(&event, f, false);
        self.this()
    }

    /// Adds `f` for the next `event` only.
    pub fn once(&self, event: String, f: Function) -> JsValue {
        self.inner.listeners.add(&event, f, true);
        self.this()
    }

    /// Removes `f` from `event`; every listener of `event` without `f`; every listener
    /// without arguments.
    pub fn off(&self, event: Option<String>, f: Option<Function>) -> JsValue {
        self.inner
            .listeners
            .remove(event.as_deref(), f.as_ref().map(AsRef::as_ref));
        self.this()
    }

    /// The listeners of `event`.
    pub fn listeners(&self, event: String) -> Array {
        self.inner.listeners.listeners(&event)
    }

    /// Whether `event` has listeners.
    #[wasm_bindgen(js_name = hasListeners)]
    pub fn has_listeners(&self, event: String) -> bool {
        self.inner.listeners.has(&event)
    }
}
