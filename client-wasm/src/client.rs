//! The JavaScript class exported by the wasm module: one connection (socket.io-client's
//! `Manager`) with per-namespace commands. The npm package's TypeScript builds the
//! socket.io-client API (`io()`, `Socket`, listeners, ack callbacks) on top of it.

use std::rc::Rc;
use std::time::Duration;

use js_sys::{Array, Function, Object, Reflect};
use sio_core::{AckHandle, EmitOptions, Manager};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::convert;
use crate::driver::{Busy, Driver};
use crate::options::{build_config, Options};

/// One Socket.IO connection and its namespaces, driven in the browser.
///
/// `new CoreClient(url, options, handler)`: `url` is the absolute server URL (its path is
/// ignored; pass the namespace to each call), `options` a socket.io-client options object,
/// `handler(kind, ns, a, b, c)` receives every event:
///
/// | kind | ns | a | b | c |
/// |---|---|---|---|---|
/// | `open`, `ping`, `upgrade`, `reconnect_failed` | – | | | |
/// | `close` | – | reason | | |
/// | `error`, `reconnect_error` | – | `Error` | | |
/// | `reconnect_attempt`, `reconnect` | – | attempt | | |
/// | `connect` | ns | id | recovered | |
/// | `connect_error` | ns | `Error` (with `.data`) | | |
/// | `disconnect` | ns | reason | | |
/// | `event` | ns | name | args (`Array`) | ack id or `undefined` |
/// | `ack` | ns | handle | args (`Array`) | |
/// | `ack_error` | ns | handle | `Error` | `"timeout"`, `"disconnected"`, `"closed"`, `"not_sent"` |
/// | `joined` | ns | room | | |
/// | `outgoing` | ns | name | args (`Array`) | |
///
/// The handler is never called while the connection's state is borrowed, so it may call
/// any method; an exception it throws is reported (`reportError`) and does not stop the
/// connection.
#[wasm_bindgen]
pub struct CoreClient {
    driver: Rc<Driver>,
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

fn busy(_: Busy) -> JsValue {
    js_sys::Error::new("sio: the client was called while it was busy").into()
}

fn get(object: &JsValue, key: &str) -> JsValue {
    if !object.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

fn opt_number(options: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    let value = get(options, key);
    if absent(&value) {
        return Ok(None);
    }
    value
        .as_f64()
        .map(Some)
        .ok_or_else(|| type_error(&format!("option `{key}` must be a number")))
}

fn opt_bool(options: &JsValue, key: &str) -> Result<Option<bool>, JsValue> {
    let value = get(options, key);
    if absent(&value) {
        return Ok(None);
    }
    value
        .as_bool()
        .map(Some)
        .ok_or_else(|| type_error(&format!("option `{key}` must be a boolean")))
}

fn opt_string(options: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    let value = get(options, key);
    if absent(&value) {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| type_error(&format!("option `{key}` must be a string")))
}

#[wasm_bindgen]
extern "C" {
    /// The global `String(value)`.
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
}

/// `String(value)` for query and header values (numbers and booleans are common).
fn stringify(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| js_string(value))
}

/// `{ key: value }` (or a `"a=1&b=2"` string for `query`) as pairs.
fn pairs(options: &JsValue, key: &str) -> Result<Vec<(String, String)>, JsValue> {
    let value = get(options, key);
    if absent(&value) {
        return Ok(Vec::new());
    }
    if let Some(text) = value.as_string() {
        return Ok(sio_core::url::parse_query(text.trim_start_matches('?')));
    }
    let object = value
        .dyn_ref::<Object>()
        .ok_or_else(|| type_error(&format!("option `{key}` must be an object")))?;
    Ok(Object::entries(object)
        .iter()
        .filter_map(|entry| {
            let entry: Array = entry.unchecked_into();
            let v = entry.get(1);
            (!v.is_undefined()).then(|| (stringify(&entry.get(0)), stringify(&v)))
        })
        .collect())
}

fn read_options(options: &JsValue) -> Result<(Options, bool), JsValue> {
    let transports = {
        let value = get(options, "transports");
        if absent(&value) {
            None
        } else {
            let array = value
                .dyn_ref::<Array>()
                .ok_or_else(|| type_error("option `transports` must be an array"))?;
            Some(array.iter().map(|t| stringify(&t)).collect())
        }
    };
    let timeout = {
        let value = get(options, "timeout");
        if value == JsValue::FALSE {
            Some(None)
        } else {
            opt_number(options, "timeout")?.map(Some)
        }
    };
    let seed = match opt_number(options, "seed")? {
        Some(s) if s.is_finite() && s >= 0.0 => s as u64,
        _ => (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64,
    };
    let parsed = Options {
        path: opt_string(options, "path")?,
        query: pairs(options, "query")?,
        headers: pairs(options, "extraHeaders")?,
        transports,
        upgrade: opt_bool(options, "upgrade")?,
        reconnection: opt_bool(options, "reconnection")?,
        reconnection_attempts: opt_number(options, "reconnectionAttempts")?,
        reconnection_delay: opt_number(options, "reconnectionDelay")?,
        reconnection_delay_max: opt_number(options, "reconnectionDelayMax")?,
        randomization_factor: opt_number(options, "randomizationFactor")?,
        timeout,
        ack_timeout: opt_number(options, "ackTimeout")?,
        retries: opt_number(options, "retries")?,
        seed,
    };
    let with_credentials = opt_bool(options, "withCredentials")?.unwrap_or(false);
    Ok((parsed, with_credentials))
}

#[wasm_bindgen]
impl CoreClient {
    /// A connection to the server at `url` (nothing happens until a namespace connects).
    /// Throws a `TypeError` for a bad URL or option.
    #[wasm_bindgen(constructor)]
    pub fn new(url: &str, options: JsValue, handler: Function) -> Result<CoreClient, JsValue> {
        let (options, with_credentials) = read_options(&options)?;
        let config = build_config(url, &options).map_err(|e| type_error(&e.to_string()))?;
        let driver = Driver::new(config, with_credentials, handler)
            .map_err(|e| type_error(&e.to_string()))?;
        Ok(CoreClient { driver })
    }

    /// Connects namespace `ns` (opening the connection if needed); no-op if already active.
    pub fn connect(&self, ns: &str) -> Result<(), JsValue> {
        self.driver
            .command(|m, now| m.connect(ns, now))
            .map_err(busy)
    }

    /// Disconnects namespace `ns` (the connection closes when no namespace is left).
    pub fn disconnect(&self, ns: &str) -> Result<(), JsValue> {
        self.driver
            .command(|m, now| m.disconnect(ns, now))
            .map_err(busy)
    }

    /// Closes the connection and every namespace, without reconnecting.
    pub fn close(&self) -> Result<(), JsValue> {
        self.driver.command(|m, now| m.close(now)).map_err(busy)
    }

    /// Sets the `auth` of namespace `ns`: an object sent with every CONNECT, a function
    /// `(cb) => cb(data)` called before every CONNECT, or `undefined` for none.
    #[wasm_bindgen(js_name = setAuth)]
    pub fn set_auth(&self, ns: &str, auth: JsValue) {
        self.driver.set_auth(ns, auth);
    }

    /// Emits `event` with `args` on `ns`. With `ack`, returns the handle that the `ack` /
    /// `ack_error` events will carry. `timeout_ms` overrides `ackTimeout`; a `volatile`
    /// emit is dropped rather than buffered. Throws for a reserved event name or
    /// arguments that cannot be serialised (nothing is sent then).
    pub fn emit(
        &self,
        ns: &str,
        event: &str,
        args: &Array,
        ack: bool,
        timeout_ms: Option<f64>,
        volatile: bool,
    ) -> Result<Option<f64>, JsValue> {
        let payload = convert::to_payload(args).map_err(|e| type_error(&e.to_string()))?;
        let timeout = match timeout_ms {
            Some(ms) if ms.is_finite() && ms >= 0.0 => Some(Duration::from_secs_f64(ms / 1000.0)),
            Some(_) => return Err(type_error("the ack timeout must be a non-negative number")),
            None => None,
        };
        let opts = EmitOptions {
            ack,
            timeout,
            volatile,
        };
        let result = self
            .driver
            .command(|m, now| m.emit(ns, event, payload, opts, now))
            .map_err(busy)?;
        match result {
            Ok(handle) => Ok(handle.map(|AckHandle(h)| h as f64)),
            Err(e) => Err(js_sys::Error::new(&e.to_string()).into()),
        }
    }

    /// Answers the server's ack request `id` (from an `event`) with `args`. Returns false if
    /// it was already answered or is unknown (an ack is sent at most once).
    pub fn ack(&self, ns: &str, id: f64, args: &Array) -> Result<bool, JsValue> {
        let payload = convert::to_payload(args).map_err(|e| type_error(&e.to_string()))?;
        if !(id >= 0.0 && id.fract() == 0.0) {
            return Ok(false);
        }
        let result = self
            .driver
            .command(|m, now| m.ack(ns, id as u64, payload, now))
            .map_err(busy)?;
        Ok(result.is_ok())
    }

    /// Joins `room` on `ns` (re-joined after every reconnect that is not recovered).
    pub fn join(&self, ns: &str, room: &str) -> Result<(), JsValue> {
        self.driver
            .command(|m, now| m.join(ns, room, now))
            .map_err(busy)
    }

    /// Leaves `room` on `ns`.
    pub fn leave(&self, ns: &str, room: &str) -> Result<(), JsValue> {
        self.driver
            .command(|m, now| m.leave(ns, room, now))
            .map_err(busy)
    }

    /// Reconnects at once if a reconnection is pending, restarting the backoff.
    #[wasm_bindgen(js_name = reconnectNow)]
    pub fn reconnect_now(&self) -> Result<(), JsValue> {
        self.driver
            .command(|m, now| m.reconnect_now(now))
            .map_err(busy)
    }

    /// Turns `outgoing` events on or off (for `onAnyOutgoing`).
    #[wasm_bindgen(js_name = setReportOutgoing)]
    pub fn set_report_outgoing(&self, on: bool) -> Result<(), JsValue> {
        self.driver
            .command(|m, _| m.set_report_outgoing(on))
            .map_err(busy)
    }

    /// Whether `ns` is connected.
    pub fn connected(&self, ns: &str) -> bool {
        self.driver.read(|m| m.is_connected(ns)).unwrap_or(false)
    }

    /// Whether `ns` wants to be connected and reconnects by itself.
    pub fn active(&self, ns: &str) -> bool {
        self.driver.read(|m| m.is_active(ns)).unwrap_or(false)
    }

    /// The socket id of `ns` while connected.
    pub fn id(&self, ns: &str) -> Option<String> {
        self.driver.read(|m| m.id(ns).map(str::to_string)).flatten()
    }

    /// Whether the last connection of `ns` was recovered (connection state recovery).
    pub fn recovered(&self, ns: &str) -> bool {
        self.driver.read(|m| m.recovered(ns)).unwrap_or(false)
    }

    /// The rooms `ns` is in (or will re-join).
    pub fn rooms(&self, ns: &str) -> Array {
        self.driver
            .read(|m| m.rooms(ns).iter().map(|r| JsValue::from_str(r)).collect())
            .unwrap_or_default()
    }

    /// Whether a reconnection loop is running.
    pub fn reconnecting(&self) -> bool {
        self.driver.read(Manager::is_reconnecting).unwrap_or(false)
    }

    /// `"polling"` or `"websocket"` while a transport is open.
    pub fn transport(&self) -> Option<String> {
        self.driver
            .read(|m| m.transport_name().map(str::to_string))
            .flatten()
    }
}
