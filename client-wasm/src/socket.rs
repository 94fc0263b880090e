//! The state of one namespace socket, and what happens to it: events from sio-client turned
//! into JavaScript listener calls, emits and acks, the auth payload. The exported class
//! itself is in `socket_api.rs`.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures_channel::oneshot;
use js_sys::{Array, Function, WeakRef};
use sio_client::{Client, ConnectError, Connected, DisconnectReason, ListenerId, Message};
use sio_core::Payload;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast as _, JsValue};

use crate::emitter::{AnyListeners, Listeners};
use crate::js_options::NO_ACK_TIMEOUT;
use crate::manager::ManagerInner;
use crate::socket_api::Socket;
use crate::values::{call, error, from_payload, json_of, report, to_js, to_payload};

/// Options of the next emit (`socket.timeout(ms)`, `socket.volatile`).
#[derive(Clone, Copy, Default)]
pub(crate) struct Flags {
    pub(crate) timeout: Option<Duration>,
    pub(crate) volatile: bool,
}

/// The sio-client socket of the manager's current client, the outgoing listener registered
/// on it, and its emitters for emits without flags (kept: an emit is the hot path).
struct Attached {
    socket: sio_client::Socket,
    outgoing: Option<ListenerId>,
    /// Without an ack, or with the client's `ackTimeout`.
    plain: sio_client::Emitter,
    /// For acks without any timeout (socket.io-client waits forever).
    patient: sio_client::Emitter,
}

/// One namespace socket.
pub(crate) struct SocketInner {
    pub(crate) ns: String,
    pub(crate) manager: Weak<ManagerInner>,
    pub(crate) auth: RefCell<JsValue>,
    pub(crate) listeners: Listeners,
    pub(crate) any: AnyListeners,
    pub(crate) any_outgoing: AnyListeners,
    pub(crate) flags: Cell<Flags>,
    attached: RefCell<Option<Attached>>,
    /// What `connect()`/`disconnect()` asked for, until the client has published it (or an
    /// event about this socket arrived): `active` and `connected` answer it meanwhile, as
    /// socket.io-client's do at once.
    wants_active: Cell<Option<bool>>,
    disconnecting: Cell<bool>,
    /// The rooms after the `join()`/`leave()` calls the client has not published yet.
    rooms_wanted: RefCell<Option<Vec<String>>>,
    js: RefCell<Option<WeakRef>>,
}

impl SocketInner {
    pub(crate) fn new(ns: String, manager: Weak<ManagerInner>, auth: JsValue) -> Rc<Self> {
        Rc::new(SocketInner {
            ns,
            manager,
            auth: RefCell::new(auth),
            listeners: Listeners::default(),
            any: AnyListeners::default(),
            any_outgoing: AnyListeners::default(),
            flags: Cell::default(),
            attached: RefCell::new(None),
            wants_active: Cell::new(None),
            disconnecting: Cell::new(false),
            rooms_wanted: RefCell::new(None),
            js: RefCell::new(None),
        })
    }

    /// The socket's JavaScript object.
    pub(crate) fn js(self: &Rc<Self>, manager: &Rc<ManagerInner>) -> JsValue {
        if let Some(obj) = self.js.borrow().as_ref().and_then(WeakRef::deref) {
            return obj.into();
        }
        let obj = JsValue::from(Socket {
            inner: self.clone(),
            manager: manager.clone(),
        });
        *self.js.borrow_mut() = Some(WeakRef::new(obj.unchecked_ref()));
        obj
    }

    /// The JavaScript object, for `this` in listeners (`undefined` if the manager is gone).
    fn this(self: &Rc<Self>) -> JsValue {
        match self.manager.upgrade() {
            Some(manager) => self.js(&manager),
            None => JsValue::UNDEFINED,
        }
    }

    /// Joins the namespace to `client`: its listeners go on the client's socket.
    pub(crate) fn attach(self: &Rc<Self>, client: &Client) {
        let socket = client.socket(&self.ns);
        let me = self.clone();
        socket.on_any(move |message| me.on_message(message));
        let me = self.clone();
        socket.on_connect(move |connected| me.on_connect(connected));
        let me = self.clone();
        socket.on_disconnect(move |reason| me.on_disconnect(reason));
        let me = self.clone();
        socket.on_connect_error(move |e| me.on_connect_error(e));
        let outgoing = (!self.any_outgoing.is_empty()).then(|| self.listen_outgoing(&socket));
        let plain = socket.emitter();
        let patient = plain.clone().timeout(NO_ACK_TIMEOUT);
        *self.attached.borrow_mut() = Some(Attached {
            socket,
            outgoing,
            plain,
            patient,
        });
    }

    /// Leaves the manager's client (closing): the handle, to be dropped once it has stopped.
    pub(crate) fn detach(&self) -> Option<sio_client::Socket> {
        self.wants_active.set(None);
        self.disconnecting.set(false);
        self.attached.borrow_mut().take().map(|a| a.socket)
    }

    fn listen_outgoing(self: &Rc<Self>, socket: &sio_client::Socket) -> ListenerId {
        let me = self.clone();
        socket.on_any_outgoing(move |event, payload| me.on_outgoing(event, payload))
    }

    /// Registers or removes the outgoing listener as `onAnyOutgoing` listeners come and go.
    pub(crate) fn update_outgoing(self: &Rc<Self>) {
        let mut attached = self.attached.borrow_mut();
        let Some(a) = attached.as_mut() else {
            return;
        };
        match (self.any_outgoing.is_empty(), a.outgoing) {
            (false, None) => a.outgoing = Some(self.listen_outgoing(&a.socket)),
            (true, Some(id)) => {
                a.socket.off_listener(id);
                a.outgoing = None;
            }
            _ => {}
        }
    }

    /// The sio-client socket, with a client started if the manager has none.
    pub(crate) fn socket(self: &Rc<Self>) -> Result<sio_client::Socket, JsValue> {
        if let Some(a) = self.attached.borrow().as_ref() {
            return Ok(a.socket.clone());
        }
        let manager = self
            .manager
            .upgrade()
            .ok_or_else(|| error("the manager is gone"))?;
        manager.client()?;
        self.attached
            .borrow()
            .as_ref()
            .map(|a| a.socket.clone())
            .ok_or_else(|| error("the socket has no connection"))
    }

    fn with_socket<R>(&self, default: R, read: impl FnOnce(&sio_client::Socket) -> R) -> R {
        match self.attached.borrow().as_ref() {
            Some(a) => read(&a.socket),
            None => default,
        }
    }

    /// Whether the socket wants a connection and reconnects by itself.
    pub(crate) fn active(&self) -> bool {
        let published = self.with_socket(false, sio_client::Socket::active);
        match self.wants_active.get() {
            Some(wanted) if wanted != published => wanted,
            _ => {
                self.wants_active.set(None);
                published
            }
        }
    }

    /// Whether the namespace is connected.
    pub(crate) fn connected(&self) -> bool {
        let published = self.with_socket(false, sio_client::Socket::connected);
        if self.disconnecting.get() {
            if !published {
                self.disconnecting.set(false);
            }
            return false;
        }
        published
    }

    /// The namespace socket id while connected.
    pub(crate) fn id(&self) -> Option<String> {
        if !self.connected() {
            return None;
        }
        self.with_socket(None, sio_client::Socket::id)
    }

    /// Whether the last connection recovered the session.
    pub(crate) fn recovered(&self) -> bool {
        self.with_socket(false, sio_client::Socket::recovered)
    }

    /// The rooms joined, re-joined after reconnects (the calls made so far included).
    pub(crate) fn rooms(&self) -> Vec<String> {
        let published = self.with_socket(Vec::new(), sio_client::Socket::rooms);
        let mut wanted = self.rooms_wanted.borrow_mut();
        match wanted.as_ref() {
            Some(rooms) if *rooms != published => rooms.clone(),
            _ => {
                *wanted = None;
                published
            }
        }
    }

    /// Joins (`join`) or leaves `room`.
    pub(crate) fn join(self: &Rc<Self>, room: String, join: bool) -> Result<(), JsValue> {
        let socket = self.socket()?;
        let mut rooms = self.rooms();
        let sent = if join {
            if !rooms.contains(&room) {
                rooms.push(room.clone());
            }
            socket.join(&room)
        } else {
            rooms.retain(|r| *r != room);
            socket.leave(&room)
        };
        sent.map_err(|e| error(&e.to_string()))?;
        *self.rooms_wanted.borrow_mut() = Some(rooms);
        Ok(())
    }

    /// Connects the namespace (a no-op when connected or connecting).
    pub(crate) fn connect(self: &Rc<Self>) -> Result<(), JsValue> {
        let socket = self.socket()?;
        self.wants_active.set(Some(true));
        self.disconnecting.set(false);
        // the future only reports the outcome; the connection goes on without it
        drop(socket.connect());
        Ok(())
    }

    /// Disconnects the namespace; no automatic reconnection follows.
    pub(crate) fn disconnect(&self) {
        self.wants_active.set(Some(false));
        self.disconnecting.set(true);
        self.with_socket((), |s| {
            let _ = s.disconnect();
        });
    }

    /// An event arrived: catch-all listeners, then the event's own, with an ack function last
    /// when the server asked for one.
    fn on_message(self: &Rc<Self>, message: &Message) {
        let args = from_payload(message.payload());
        if let Some(responder) = message.ack_responder() {
            args.push(&ack_function(responder.clone()));
        }
        let this = self.this();
        let any = self.any.snapshot();
        if !any.is_empty() {
            let all = Array::of1(&message.event().into()).concat(&args);
            for f in any.iter() {
                call(f, &this, &all);
            }
        }
        self.listeners.emit(message.event(), &this, &args);
    }

    /// This socket wrote an event to the connection.
    fn on_outgoing(self: &Rc<Self>, event: &str, payload: &Payload) {
        let listeners = self.any_outgoing.snapshot();
        if listeners.is_empty() {
            return;
        }
        let all = Array::of1(&event.into()).concat(&from_payload(payload));
        let this = self.this();
        for f in listeners.iter() {
            call(f, &this, &all);
        }
    }

    fn status_event(self: &Rc<Self>, name: &str, args: &Array) {
        self.wants_active.set(None);
        self.disconnecting.set(false);
        self.listeners.emit(name, &self.this(), args);
    }

    fn on_connect(self: &Rc<Self>, _connected: &Connected) {
        self.status_event("connect", &Array::new());
    }

    fn on_disconnect(self: &Rc<Self>, reason: DisconnectReason) {
        self.status_event("disconnect", &Array::of1(&reason.as_str().into()));
    }

    fn on_connect_error(self: &Rc<Self>, e: &ConnectError) {
        let err = error(&e.to_string());
        if let ConnectError::Rejected {
            data: Some(data), ..
        } = e
        {
            let _ = js_sys::Reflect::set(&err, &"data".into(), &to_js(data));
        }
        self.status_event("connect_error", &Array::of1(&err));
    }

    /// Emits `event` with `args` (a last function argument receives the ack), with the
    /// flags set by `timeout()`/`volatile` (then cleared).
    pub(crate) fn emit(self: &Rc<Self>, event: &str, args: Array) -> Result<(), JsValue> {
        let flags = self.flags.take();
        check_name(event)?;
        let last = args.length().checked_sub(1).map(|i| args.get(i));
        let ack = last.and_then(|f| f.dyn_into::<Function>().ok());
        if ack.is_some() {
            args.pop();
        }
        let payload = to_payload(&args)?;
        let Some(ack) = ack else {
            return self
                .with_emitter(flags, false, |e| e.emit_payload(event, payload))?
                .map_err(|e| error(&e.to_string()));
        };
        // error-first like socket.io-client: with a timeout of either kind
        let with_error = flags.timeout.is_some() || self.ack_timeout_set();
        let reply = self.with_emitter(flags, true, |e| e.emit_payload_with_ack(event, payload))?;
        let this = self.this();
        sio_browser::spawn(async move {
            let args = match reply.await {
                Ok(payload) => {
                    let args = from_payload(&payload);
                    if with_error {
                        args.unshift(&JsValue::NULL);
                    }
                    args
                }
                Err(e) if with_error => Array::of1(&ack_error(&e)),
                // (socket.io-client never calls a plain ack callback without the ack)
                Err(_) => return,
            };
            call(&ack, &this, &args);
        });
        Ok(())
    }

    /// Emits and resolves with the ack's first argument; rejects with the ack's error.
    pub(crate) fn emit_with_ack(
        self: &Rc<Self>,
        event: &str,
        args: &Array,
    ) -> Result<js_sys::Promise, JsValue> {
        let flags = self.flags.take();
        check_name(event)?;
        let payload = to_payload(args)?;
        let reply = self.with_emitter(flags, true, |e| e.emit_payload_with_ack(event, payload))?;
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            match reply.await {
                Ok(payload) => Ok(from_payload(&payload).get(0)),
                Err(e) => Err(ack_error(&e)),
            }
        }))
    }

    fn ack_timeout_set(&self) -> bool {
        self.manager.upgrade().is_some_and(|m| m.ack_timeout_set)
    }

    /// The emitter for one emit: the flags' timeout, else `ackTimeout`, else (as
    /// socket.io-client) no timeout at all, as near as a browser timer can wait.
    fn emitter(self: &Rc<Self>, flags: Flags, ack: bool) -> Result<sio_client::Emitter, JsValue> {
        if self.attached.borrow().is_none() {
            self.socket()?;
        }
        let attached = self.attached.borrow();
        let a = attached
            .as_ref()
            .ok_or_else(|| error("the socket has no connection"))?;
        let mut emitter = match flags.timeout {
            Some(timeout) => a.plain.clone().timeout(timeout),
            None if ack && !self.ack_timeout_set() => a.patient.clone(),
            None => a.plain.clone(),
        };
        if flags.volatile {
            emitter = emitter.volatile();
        }
        Ok(emitter)
    }

    /// Runs `emit` with the emitter for `flags`: the kept one when there are none.
    fn with_emitter<R>(
        self: &Rc<Self>,
        flags: Flags,
        ack: bool,
        emit: impl FnOnce(&sio_client::Emitter) -> R,
    ) -> Result<R, JsValue> {
        if flags.timeout.is_none() && !flags.volatile {
            if self.attached.borrow().is_none() {
                self.socket()?;
            }
            if let Some(a) = self.attached.borrow().as_ref() {
                let patient = ack && !self.ack_timeout_set();
                return Ok(emit(if patient { &a.patient } else { &a.plain }));
            }
        }
        Ok(emit(&self.emitter(flags, ack)?))
    }
}

/// An `Error` for a name socket.io reserves (`connect`, `disconnect`, …), thrown before
/// anything is sent.
fn check_name(event: &str) -> Result<(), JsValue> {
    if sio_core::error::is_reserved(event) {
        return Err(error(
            &sio_client::Error::ReservedEvent(event.to_string()).to_string(),
        ));
    }
    Ok(())
}

/// The `Error` an ack callback or `emitWithAck` gets.
fn ack_error(e: &sio_client::Error) -> JsValue {
    match e {
        sio_client::Error::Ack(ack) => error(&ack.to_string()),
        other => error(&other.to_string()),
    }
}

/// The function handed to listeners when the server asks for an ack: `ack(...args)` answers
/// once (later calls do nothing).
#[wasm_bindgen]
pub struct Ack {
    responder: sio_client::AckResponder,
}

#[wasm_bindgen]
impl Ack {
    /// Answers with `args` (binary anywhere becomes attachments).
    #[wasm_bindgen(variadic)]
    pub fn send(&self, args: Array) -> Result<bool, JsValue> {
        if self.responder.is_sent() {
            return Ok(false);
        }
        let payload = to_payload(&args)?;
        Ok(self.responder.send_payload(payload).is_ok())
    }
}

/// `ack.send` bound to a fresh [`Ack`]: a plain variadic function for the listener.
fn ack_function(responder: sio_client::AckResponder) -> JsValue {
    let ack = JsValue::from(Ack { responder });
    let send = crate::values::get(&ack, "send");
    match send.dyn_ref::<Function>() {
        Some(send) => send.bind0(&ack).into(),
        None => JsValue::UNDEFINED,
    }
}

/// The CONNECT payload of namespace `ns`: its socket's `auth` object, or what its `auth`
/// function hands to its callback (called before every connect, as socket.io-client does).
pub(crate) async fn auth_payload(manager: Weak<ManagerInner>, ns: String) -> serde_json::Value {
    let Some(socket) = manager.upgrade().and_then(|m| m.socket_inner(&ns)) else {
        return serde_json::Value::Null;
    };
    let auth = socket.auth.borrow().clone();
    drop(socket);
    let data = match auth.dyn_ref::<Function>() {
        Some(f) => {
            let (tx, rx) = oneshot::channel::<JsValue>();
            let callback = Closure::once_into_js(move |data: JsValue| {
                let _ = tx.send(data);
            });
            if let Err(e) = f.call1(&JsValue::NULL, &callback) {
                report(&e);
                return serde_json::Value::Null;
            }
            match rx.await {
                Ok(data) => data,
                Err(_) => return serde_json::Value::Null,
            }
        }
        None => auth,
    };
    if !data.is_object() || Array::is_array(&data) {
        return serde_json::Value::Null;
    }
    json_of(&data).unwrap_or_else(|e| {
        report(&error(&format!("the auth payload cannot be sent: {e}")));
        serde_json::Value::Null
    })
}
