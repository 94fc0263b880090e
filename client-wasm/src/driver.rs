//! The single-threaded driver: owns the core and the transports, feeds them inputs, performs
//! the I/O the core asks for, and hands events to the JavaScript handler.
//!
//! Rules that keep it re-entrancy safe:
//! - Browser callbacks (WebSocket, fetch, timer) only queue an [`Input`] and schedule a run
//!   on the microtask queue; they never touch the core.
//! - The core lives in a `RefCell` that is borrowed only while no JavaScript of the user can
//!   run: values are converted before the borrow, events are taken out of the core and
//!   delivered after it ends.
//! - Events are delivered one at a time by the outermost run; a command issued from inside a
//!   listener applies at once, and its events join the end of the queue (order is kept).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::{Array, Function};
use sio_core::{
    AckError, Config, ConnectError, Event, Instant, Manager, OpenError, TransportCommand,
    TransportInput,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::convert;
use crate::net::{self, Input, Net};
use crate::options::MAX_TIMER_MS;

/// The core, its transports and its timer: everything behind the `RefCell`.
struct Core {
    manager: Manager,
    net: Net,
    /// The deadline the browser timer is armed for, and the timer's id.
    armed: Option<(Instant, JsValue)>,
}

/// The driver of one connection (one socket.io-client `Manager`).
pub(crate) struct Driver {
    this: Weak<Driver>,
    core: RefCell<Core>,
    inputs: RefCell<VecDeque<Input>>,
    events: RefCell<VecDeque<Event>>,
    dispatching: Cell<bool>,
    wake_pending: Cell<bool>,
    handler: Function,
    /// Per namespace: the auth object, or a function `(cb) => cb(data)`.
    auth: RefCell<Vec<(String, JsValue)>>,
    timer: Closure<dyn FnMut()>,
}

/// Why a command could not be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Busy;

impl Driver {
    /// A driver for `config`; events go to `handler(kind, ns, a, b, c)`.
    pub(crate) fn new(
        config: Config,
        with_credentials: bool,
        handler: Function,
    ) -> Result<Rc<Driver>, sio_core::ConfigError> {
        let manager = Manager::new(config)?;
        Ok(Rc::new_cyclic(|this: &Weak<Driver>| {
            let sink_owner = this.clone();
            let sink: net::Sink = Rc::new(move |input| {
                if let Some(driver) = sink_owner.upgrade() {
                    driver.push(input);
                }
            });
            let timer_owner = this.clone();
            let timer = Closure::<dyn FnMut()>::new(move || {
                if let Some(driver) = timer_owner.upgrade() {
                    if let Ok(mut core) = driver.core.try_borrow_mut() {
                        core.armed = None;
                    }
                    driver.push(Input::Timeout);
                }
            });
            Driver {
                this: this.clone(),
                core: RefCell::new(Core {
                    manager,
                    net: Net::new(sink, with_credentials),
                    armed: None,
                }),
                inputs: RefCell::new(VecDeque::new()),
                events: RefCell::new(VecDeque::new()),
                dispatching: Cell::new(false),
                wake_pending: Cell::new(false),
                handler,
                auth: RefCell::new(Vec::new()),
                timer,
            }
        }))
    }

    /// Queues a browser input and schedules a run (never runs synchronously: the caller may
    /// be a WebSocket handler that the run is about to drop).
    fn push(&self, input: Input) {
        self.inputs.borrow_mut().push_back(input);
        if self.wake_pending.replace(true) {
            return;
        }
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(driver) = this.upgrade() {
                driver.wake_pending.set(false);
                driver.run();
            }
        });
    }

    /// Applies a user command to the core, then runs.
    pub(crate) fn command<R>(&self, f: impl FnOnce(&mut Manager, Instant) -> R) -> Result<R, Busy> {
        let result = {
            let mut core = self.core.try_borrow_mut().map_err(|_| Busy)?;
            f(&mut core.manager, Instant::now())
        };
        self.run();
        Ok(result)
    }

    /// Reads the core's state.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Manager) -> R) -> Option<R> {
        self.core.try_borrow().ok().map(|core| f(&core.manager))
    }

    /// Sets the auth object or function of namespace `ns` (`undefined` for none).
    pub(crate) fn set_auth(&self, ns: &str, auth: JsValue) {
        let mut list = self.auth.borrow_mut();
        list.retain(|(n, _)| n != ns);
        if !auth.is_undefined() && !auth.is_null() {
            list.push((ns.to_string(), auth));
        }
    }

    /// Feeds queued inputs and performs queued I/O until the core is quiet; then, unless an
    /// outer run is already doing it, delivers the events one by one.
    pub(crate) fn run(&self) {
        self.step();
        if self.dispatching.replace(true) {
            return;
        }
        loop {
            let next = self.events.borrow_mut().pop_front();
            let Some(event) = next else { break };
            self.dispatch(event);
            self.step();
        }
        self.dispatching.set(false);
    }

    fn step(&self) {
        let Ok(mut core) = self.core.try_borrow_mut() else {
            return;
        };
        let core = &mut *core;
        loop {
            let mut progressed = false;
            loop {
                let next = self.inputs.borrow_mut().pop_front();
                let Some(input) = next else { break };
                progressed = true;
                let now = Instant::now();
                match input {
                    Input::Timeout => core.manager.handle_timeout(now),
                    Input::Transport(input) => {
                        match &input {
                            TransportInput::Closed { id, .. } => core.net.close(*id),
                            TransportInput::HttpResponse { id, request, .. }
                            | TransportInput::HttpFailed { id, request, .. } => {
                                core.net.request_done(*id, *request)
                            }
                            _ => {}
                        }
                        core.manager.handle_transport(now, input);
                    }
                }
            }
            while let Some(command) = core.manager.poll_transport() {
                progressed = true;
                match command {
                    TransportCommand::OpenWebSocket { id, url, .. } => {
                        core.net.open_websocket(id, &url)
                    }
                    TransportCommand::Send { id, frame } => core.net.send(id, &frame),
                    TransportCommand::Http { id, request } => core.net.http(id, request),
                    TransportCommand::Close { id } => core.net.close(id),
                }
            }
            {
                let mut events = self.events.borrow_mut();
                while let Some(event) = core.manager.poll_event() {
                    progressed = true;
                    events.push_back(event);
                }
            }
            if !progressed && self.inputs.borrow().is_empty() {
                break;
            }
        }
        self.arm(core);
    }

    /// Arms the browser timer for the core's next deadline.
    fn arm(&self, core: &mut Core) {
        let deadline = core.manager.poll_timeout();
        if deadline == core.armed.as_ref().map(|(at, _)| *at) {
            return;
        }
        if let Some((_, id)) = core.armed.take() {
            net::clear_timeout(&id);
        }
        if let Some(at) = deadline {
            let wait = at.saturating_duration_since(Instant::now());
            // Whole milliseconds, rounded up so that the core sees the deadline as passed.
            let ms = (wait.as_micros() as f64 / 1000.0)
                .ceil()
                .min(MAX_TIMER_MS as f64);
            let id = net::set_timeout(self.timer.as_ref().unchecked_ref(), ms);
            core.armed = Some((at, id));
        }
    }

    fn emit_js(&self, kind: &str, ns: Option<&str>, a: JsValue, b: JsValue, c: JsValue) {
        let ns = ns.map_or(JsValue::UNDEFINED, JsValue::from_str);
        let args = Array::of5(&JsValue::from_str(kind), &ns, &a, &b, &c);
        if let Err(e) = self.handler.apply(&JsValue::NULL, &args) {
            net::report_error(&e);
        }
    }

    fn error(message: &str) -> JsValue {
        js_sys::Error::new(message).into()
    }

    fn payload_error(&self, error: convert::ConvertError) {
        self.emit_js(
            "error",
            None,
            Self::error(&error.to_string()),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        );
    }

    /// Delivers one event to JavaScript (no borrow is held).
    fn dispatch(&self, event: Event) {
        let u = || JsValue::UNDEFINED;
        match event {
            Event::Open => self.emit_js("open", None, u(), u(), u()),
            Event::Close { reason } => {
                self.emit_js("close", None, reason.as_str().into(), u(), u())
            }
            Event::Ping => self.emit_js("ping", None, u(), u(), u()),
            Event::Upgrade => self.emit_js("upgrade", None, u(), u(), u()),
            Event::Error(e) => self.emit_js("error", None, open_error(&e), u(), u()),
            Event::ReconnectAttempt { attempt } => {
                self.emit_js("reconnect_attempt", None, attempt.into(), u(), u())
            }
            Event::Reconnect { attempt } => {
                self.emit_js("reconnect", None, attempt.into(), u(), u())
            }
            Event::ReconnectError(e) => {
                self.emit_js("reconnect_error", None, open_error(&e), u(), u())
            }
            Event::ReconnectFailed => self.emit_js("reconnect_failed", None, u(), u(), u()),
            Event::AuthRequest { ns } => self.request_auth(ns),
            Event::Connect { ns, id, recovered } => {
                self.emit_js("connect", Some(&ns), id.into(), recovered.into(), u())
            }
            Event::ConnectError { ns, error } => {
                let err = connect_error(&error);
                self.emit_js("connect_error", Some(&ns), err, u(), u())
            }
            Event::Disconnect { ns, reason } => {
                self.emit_js("disconnect", Some(&ns), reason.as_str().into(), u(), u())
            }
            Event::Message {
                ns,
                event,
                args,
                ack,
            } => match convert::args_array(&args) {
                Ok(array) => {
                    let ack = ack.map_or(u(), |id| JsValue::from(id as f64));
                    self.emit_js("event", Some(&ns), event.into(), array.into(), ack)
                }
                Err(e) => self.payload_error(e),
            },
            Event::Ack { ns, handle, args } => match convert::args_array(&args) {
                Ok(array) => self.emit_js(
                    "ack",
                    Some(&ns),
                    (handle.0 as f64).into(),
                    array.into(),
                    u(),
                ),
                Err(e) => self.payload_error(e),
            },
            Event::AckError { ns, handle, error } => {
                let kind = match error {
                    AckError::Timeout => "timeout",
                    AckError::Disconnected => "disconnected",
                    AckError::Closed => "closed",
                    AckError::NotSent => "not_sent",
                };
                self.emit_js(
                    "ack_error",
                    Some(&ns),
                    (handle.0 as f64).into(),
                    Self::error(&error.to_string()),
                    kind.into(),
                )
            }
            Event::Joined { ns, room } => self.emit_js("joined", Some(&ns), room.into(), u(), u()),
            Event::Outgoing { ns, event, args } => match convert::args_array(&args) {
                Ok(array) => self.emit_js("outgoing", Some(&ns), event.into(), array.into(), u()),
                Err(e) => self.payload_error(e),
            },
        }
    }

    /// Answers the core's request for the CONNECT payload of `ns` with the namespace's auth
    /// object, or by calling its auth function with a one-shot callback.
    fn request_auth(&self, ns: String) {
        let auth = self
            .auth
            .borrow()
            .iter()
            .find(|(n, _)| *n == ns)
            .map(|(_, a)| a.clone());
        let Some(auth) = auth else {
            self.provide_auth(&ns, &JsValue::UNDEFINED);
            return;
        };
        let Some(function) = auth.dyn_ref::<Function>() else {
            self.provide_auth(&ns, &auth);
            return;
        };
        let this = self.this.clone();
        let ns_for_callback = ns.clone();
        let callback = Closure::once_into_js(move |data: JsValue| {
            if let Some(driver) = this.upgrade() {
                driver.provide_auth(&ns_for_callback, &data);
            }
        });
        if let Err(e) = function.call1(&JsValue::NULL, &callback) {
            net::report_error(&e);
            self.provide_auth(&ns, &JsValue::UNDEFINED);
        }
    }

    /// Sends the CONNECT of `ns` with `data` (an object) as its auth payload.
    fn provide_auth(&self, ns: &str, data: &JsValue) {
        let json = if data.is_object() && !js_sys::Array::is_array(data) {
            match convert::to_json(data) {
                Ok(json) => Some(json),
                Err(e) => {
                    self.payload_error(e);
                    None
                }
            }
        } else {
            None
        };
        let _ = self.command(|m, now| m.provide_auth(ns, json.as_deref(), now));
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        if let Some((_, id)) = self.armed.take() {
            net::clear_timeout(&id);
        }
    }
}

fn open_error(e: &OpenError) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

/// socket.io-client's `connect_error`: an `Error(message)` with `.data` when the server sent
/// some.
fn connect_error(e: &ConnectError) -> JsValue {
    let error = js_sys::Error::new(&e.to_string());
    if let ConnectError::Rejected {
        data: Some(data), ..
    } = e
    {
        if let Ok(value) = convert::parse_json(data) {
            let _ = js_sys::Reflect::set(&error, &JsValue::from_str("data"), &value);
        }
    }
    error.into()
}
