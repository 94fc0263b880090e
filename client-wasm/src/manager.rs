//! The exported `Manager` class: one connection to a server, shared by its namespace
//! sockets (socket.io-client's `Manager`), on one sio-client [`Client`].
//!
//! Ownership: a manager owns its sockets; a socket's JavaScript object keeps its manager
//! alive. While the manager has a client, the client's listeners keep the manager and its
//! sockets alive too (an open connection is reachable, as in JavaScript); closing the manager
//! releases the client once it has stopped. Every manager and socket has one JavaScript
//! object at a time (`socket.io === manager`), kept through a `WeakRef`.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Reflect, WeakRef};
use sio_client::{Client, ClientBuilder, ClientEvent};
use sio_core::Transports;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast as _, JsValue};

use crate::emitter::Listeners;
use crate::js_options::{builder, read_options};
use crate::socket::{auth_payload, SocketInner};
use crate::values::{error, type_error};

/// The state of one manager, shared by its JavaScript object and the client's listeners.
pub(crate) struct ManagerInner {
    uri: String,
    opts: JsValue,
    builder: ClientBuilder,
    transports: Transports,
    reconnection: bool,
    pub(crate) auto_connect: bool,
    pub(crate) ack_timeout_set: bool,
    /// The default `auth` of its sockets.
    pub(crate) auth: JsValue,
    client: RefCell<Option<Client>>,
    sockets: RefCell<Vec<Rc<SocketInner>>>,
    pub(crate) listeners: Listeners,
    transport: Cell<Option<&'static str>>,
    reconnecting: Cell<bool>,
    js: RefCell<Option<WeakRef>>,
}

/// One connection to a Socket.IO server, shared by the sockets of its namespaces. Create it
/// with `io()` or `new Manager(uri, opts)`; `manager.socket(nsp)` gives the socket of a
/// namespace.
#[wasm_bindgen]
pub struct Manager {
    pub(crate) inner: Rc<ManagerInner>,
}

impl ManagerInner {
    /// A manager for the server at `uri` (`http(s)://` or `ws(s)://`; its path is ignored)
    /// with socket.io-client options. Throws a `TypeError` for a bad URL or option.
    pub(crate) fn create(uri: String, opts: JsValue) -> Result<Rc<Self>, JsValue> {
        let options = read_options(&opts)?;
        let inner = Rc::new_cyclic(|weak: &Weak<ManagerInner>| {
            let auth_of = weak.clone();
            let builder = builder(&uri, &options.settings, options.parser).namespace_auth_provider(
                move |ns: &str| auth_payload(auth_of.clone(), ns.to_string()),
            );
            ManagerInner {
                uri,
                opts: if opts.is_object() {
                    opts
                } else {
                    Object::new().into()
                },
                builder,
                transports: options.settings.transports,
                reconnection: options.settings.reconnection.unwrap_or(true),
                auto_connect: options.auto_connect,
                ack_timeout_set: options.settings.ack_timeout.is_some(),
                auth: options.auth,
                client: RefCell::new(None),
                sockets: RefCell::new(Vec::new()),
                listeners: Listeners::default(),
                transport: Cell::new(None),
                reconnecting: Cell::new(false),
                js: RefCell::new(None),
            }
        });
        // the URL and the rules across options are checked now, not on the first connect
        inner.client()?;
        Ok(inner)
    }

    /// The manager's JavaScript object.
    pub(crate) fn js(self: &Rc<Self>) -> JsValue {
        if let Some(obj) = self.js.borrow().as_ref().and_then(WeakRef::deref) {
            return obj.into();
        }
        let obj = JsValue::from(Manager {
            inner: self.clone(),
        });
        *self.js.borrow_mut() = Some(WeakRef::new(obj.unchecked_ref()));
        obj
    }

    /// The client, started if the manager has none (first use, or after `close()`).
    pub(crate) fn client(self: &Rc<Self>) -> Result<Client, JsValue> {
        if let Some(client) = self.client.borrow().as_ref() {
            return Ok(client.clone());
        }
        let client = self.builder.clone().build().map_err(|e| {
            type_error(&match e {
                sio_client::Error::Config(config) => config.to_string(),
                other => other.to_string(),
            })
        })?;
        let me = self.clone();
        client.on_event(move |event| me.on_client_event(event));
        *self.client.borrow_mut() = Some(client.clone());
        let sockets = self.sockets.borrow().clone();
        for socket in sockets {
            socket.attach(&client);
        }
        Ok(client)
    }

    /// The socket of namespace `nsp`, created on first use.
    pub(crate) fn socket(self: &Rc<Self>, nsp: &str, opts: &JsValue) -> Result<JsValue, JsValue> {
        let nsp = if nsp.starts_with('/') {
            nsp.to_string()
        } else {
            format!("/{nsp}")
        };
        let existing = self.socket_inner(&nsp);
        let socket = match existing {
            Some(socket) => {
                if self.auto_connect && !socket.active() {
                    socket.connect()?;
                }
                socket
            }
            None => {
                let own = if opts.is_object() {
                    crate::values::get(opts, "auth")
                } else {
                    JsValue::UNDEFINED
                };
                let auth = if own.is_undefined() {
                    self.auth.clone()
                } else {
                    own
                };
                let socket = SocketInner::new(nsp, Rc::downgrade(self), auth);
                self.sockets.borrow_mut().push(socket.clone());
                let client = self.client()?;
                socket.attach(&client);
                if self.auto_connect {
                    socket.connect()?;
                }
                socket
            }
        };
        Ok(socket.js(self))
    }

    /// The socket of `nsp`, if it exists.
    pub(crate) fn socket_inner(&self, nsp: &str) -> Option<Rc<SocketInner>> {
        self.sockets.borrow().iter().find(|s| s.ns == nsp).cloned()
    }

    /// Whether a namespace socket exists.
    pub(crate) fn has_socket(&self, nsp: &str) -> bool {
        self.sockets.borrow().iter().any(|s| s.ns == nsp)
    }

    /// Closes the connection and every socket; the client is released once it has stopped
    /// (its last events still reach the listeners). A later `connect()` starts a new one.
    fn close(self: &Rc<Self>) {
        let Some(client) = self.client.borrow_mut().take() else {
            return;
        };
        let handles: Vec<_> = self
            .sockets
            .borrow()
            .iter()
            .filter_map(|s| s.detach())
            .collect();
        self.transport.set(None);
        self.reconnecting.set(false);
        let closing = client.close();
        sio_browser::spawn(async move {
            closing.await;
            drop(handles);
            drop(client);
        });
    }

    /// A connection-level event from the client: the manager's state, then its listeners.
    fn on_client_event(self: &Rc<Self>, event: &ClientEvent) {
        let (name, arg): (&str, Option<JsValue>) = match event {
            ClientEvent::Open => {
                self.transport
                    .set(Some(if self.transports == Transports::WebSocketOnly {
                        "websocket"
                    } else {
                        "polling"
                    }));
                ("open", None)
            }
            ClientEvent::Close(reason) => {
                self.transport.set(None);
                let any_active = self.sockets.borrow().iter().any(|s| s.active());
                self.reconnecting
                    .set(reason.reconnects() && self.reconnection && any_active);
                ("close", Some(reason.as_str().into()))
            }
            ClientEvent::Ping => ("ping", None),
            ClientEvent::Upgrade => {
                self.transport.set(Some("websocket"));
                ("upgrade", None)
            }
            ClientEvent::Error(e) => ("error", Some(error(&e.to_string()))),
            ClientEvent::ReconnectAttempt(n) => {
                self.reconnecting.set(true);
                ("reconnect_attempt", Some((*n).into()))
            }
            ClientEvent::Reconnect(n) => {
                self.reconnecting.set(false);
                ("reconnect", Some((*n).into()))
            }
            ClientEvent::ReconnectError(e) => ("reconnect_error", Some(error(&e.to_string()))),
            ClientEvent::ReconnectFailed => {
                self.reconnecting.set(false);
                ("reconnect_failed", None)
            }
            ClientEvent::ListenerPanicked(message) => ("error", Some(error(message))),
            _ => return,
        };
        let args = match arg {
            Some(arg) => Array::of1(&arg),
            None => Array::new(),
        };
        self.listeners.emit(name, &self.js(), &args);
    }
}

#[wasm_bindgen]
impl Manager {
    /// Use `new Manager(uri, opts)` (the package's entry makes it return the manager's one
    /// JavaScript object).
    /// `uri` may be left out (the page's origin), and `opts` passed first.
    #[wasm_bindgen(js_name = __create)]
    pub fn create(uri: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
        let (uri, opts) = if uri.is_object() {
            (JsValue::UNDEFINED, uri)
        } else {
            (uri, opts)
        };
        let uri = crate::io::uri_or_origin(uri.as_string())?;
        Ok(ManagerInner::create(uri, opts)?.js())
    }

    /// The server URL.
    #[wasm_bindgen(getter)]
    pub fn uri(&self) -> String {
        self.inner.uri.clone()
    }

    /// The options this manager was created with.
    #[wasm_bindgen(getter)]
    pub fn opts(&self) -> JsValue {
        self.inner.opts.clone()
    }

    /// The sockets by namespace (a fresh object each time).
    #[wasm_bindgen(getter)]
    pub fn nsps(&self) -> Object {
        let out = Object::new();
        let sockets = self.inner.sockets.borrow().clone();
        for socket in sockets {
            let _ = Reflect::set(&out, &socket.ns.as_str().into(), &socket.js(&self.inner));
        }
        out
    }

    /// The socket of namespace `nsp` (cached; reconnected if `autoConnect` and inactive).
    /// `opts.auth` is its auth (default: the manager's).
    pub fn socket(&self, nsp: String, opts: JsValue) -> Result<JsValue, JsValue> {
        self.inner.socket(&nsp, &opts)
    }

    /// Closes the connection and every socket, without reconnecting.
    pub fn disconnect(&self) -> JsValue {
        self.inner.close();
        self.inner.js()
    }

    /// Reconnects at once if a reconnection is waiting for its delay (restarts the backoff).
    #[wasm_bindgen(js_name = reconnectNow)]
    pub fn reconnect_now(&self) -> JsValue {
        if let Some(client) = self.inner.client.borrow().as_ref() {
            let _ = client.reconnect_now();
        }
        self.inner.js()
    }

    /// `"polling"` or `"websocket"` while connected.
    #[wasm_bindgen(getter)]
    pub fn transport(&self) -> Option<String> {
        self.inner.transport.get().map(str::to_string)
    }

    /// Whether a reconnection loop is running.
    #[wasm_bindgen(getter)]
    pub fn reconnecting(&self) -> bool {
        self.inner.reconnecting.get()
    }

    /// Adds `f` for `event` (`open`, `close`, `ping`, `upgrade`, `error`,
    /// `reconnect_attempt`, `reconnect`, `reconnect_error`, `reconnect_failed`).
    pub fn on(&self, event: String, f: Function) -> JsValue {
        self.inner.listeners.add(&event, f, false);
        self.inner.js()
    }

    /// Adds `f` for the next `event` only.
    pub fn once(&self, event: String, f: Function) -> JsValue {
        self.inner.listeners.add(&event, f, true);
        self.inner.js()
    }

    /// Removes `f` from `event`; every listener of `event` without `f`; every listener
    /// without arguments.
    pub fn off(&self, event: Option<String>, f: Option<Function>) -> JsValue {
        self.inner
            .listeners
            .remove(event.as_deref(), f.as_ref().map(AsRef::as_ref));
        self.inner.js()
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
