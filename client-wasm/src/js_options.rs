//! Reading the options object of `io(url, opts)` / `new Manager(url, opts)` one key at a
//! time, so that a wrong type names its option (`TypeError: option \`reconnectionDelay\` must
//! be a number`): scalars with `JsValue`'s own checks, the structured ones (`query`,
//! `extraHeaders`) as a `serde_json::Value` (see `values::json_of`), `parser` in
//! `js_parser`.

use std::time::Duration;

use sio_client::{ClientBuilder, Parser};
use wasm_bindgen::{JsCast as _, JsValue};

use crate::js_parser::read_parser;
use crate::options::{pairs, settings, Options, Settings};
use crate::values::{get, json_of, type_error};

/// Everything the options object says: the connection settings and what the JavaScript
/// layer decides itself.
pub(crate) struct JsOptions {
    /// The connection settings.
    pub(crate) settings: Settings,
    /// The packet codec (`parser`: a name or a parser module, see `js_parser`).
    pub(crate) parser: Parser,
    /// `autoConnect` (default true).
    pub(crate) auto_connect: bool,
    /// `auth`: an object or a function, for every socket of the manager without its own.
    pub(crate) auth: JsValue,
}

/// Option `key`, `None` when absent (`undefined` or `null`); a `TypeError` saying `expected`
/// when `convert` refuses it.
fn read<T>(
    options: &JsValue,
    key: &'static str,
    expected: &str,
    convert: impl FnOnce(&JsValue) -> Option<T>,
) -> Result<Option<T>, JsValue> {
    let value = get(options, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match convert(&value) {
        Some(v) => Ok(Some(v)),
        None => Err(type_error(&format!("option `{key}` must be {expected}"))),
    }
}

fn number(options: &JsValue, key: &'static str) -> Result<Option<f64>, JsValue> {
    read(options, key, "a number", JsValue::as_f64)
}

fn boolean(options: &JsValue, key: &'static str) -> Result<Option<bool>, JsValue> {
    read(options, key, "a boolean", JsValue::as_bool)
}

/// An array of strings.
fn strings(value: &JsValue) -> Option<Vec<String>> {
    let array = value.dyn_ref::<js_sys::Array>()?;
    array.iter().map(|item| item.as_string()).collect()
}

/// Option `key` as query or header pairs (a `"a=1&b=2"` text or an object of strings,
/// numbers and booleans).
fn read_pairs(options: &JsValue, key: &'static str) -> Result<Vec<(String, String)>, JsValue> {
    let pairs_of = |value: &JsValue| match value.as_string() {
        Some(text) => pairs(&serde_json::Value::String(text)),
        None => json_of(value).ok().and_then(|v| pairs(&v)),
    };
    Ok(read(options, key, "a string or an object of strings", pairs_of)?.unwrap_or_default())
}

/// Reads and checks `options` (`undefined` and `null` are no options). Throws a
/// `TypeError` for a wrong type or value.
pub(crate) fn read_options(options: &JsValue) -> Result<JsOptions, JsValue> {
    if !(options.is_undefined() || options.is_null() || options.is_object()) {
        return Err(type_error("the options must be an object"));
    }
    let parser = read_parser(options)?.unwrap_or_default();
    let timeout = match get(options, "timeout") {
        v if v == JsValue::FALSE => Some(None),
        _ => read(options, "timeout", "a number or false", JsValue::as_f64)?.map(Some),
    };
    let parsed = Options {
        path: read(options, "path", "a string", JsValue::as_string)?,
        query: read_pairs(options, "query")?,
        headers: read_pairs(options, "extraHeaders")?,
        transports: read(
            options,
            "transports",
            "an array of transport names",
            strings,
        )?,
        upgrade: boolean(options, "upgrade")?,
        reconnection: boolean(options, "reconnection")?,
        reconnection_attempts: number(options, "reconnectionAttempts")?,
        reconnection_delay: number(options, "reconnectionDelay")?,
        reconnection_delay_max: number(options, "reconnectionDelayMax")?,
        randomization_factor: number(options, "randomizationFactor")?,
        timeout,
        ack_timeout: number(options, "ackTimeout")?,
        retries: number(options, "retries")?,
        with_credentials: boolean(options, "withCredentials")?,
    };
    let settings = settings(&parsed).map_err(|e| type_error(&e.to_string()))?;
    // (read by io(): checked here)
    boolean(options, "forceNew")?;
    boolean(options, "multiplex")?;
    Ok(JsOptions {
        settings,
        parser,
        auto_connect: boolean(options, "autoConnect")?.unwrap_or(true),
        auth: get(options, "auth"),
    })
}

/// A builder for the server at `url` with `settings`, speaking `parser`.
pub(crate) fn builder(url: &str, settings: &Settings, parser: Parser) -> ClientBuilder {
    let mut b = sio_client::Client::builder(url)
        .parser(parser)
        .transports(settings.transports)
        .with_credentials(settings.with_credentials);
    if let Some(path) = &settings.path {
        b = b.path(path.clone());
    }
    for (k, v) in &settings.query {
        b = b.query(k.clone(), v.clone());
    }
    for (k, v) in &settings.headers {
        b = b.header(k.clone(), v.clone());
    }
    if let Some(on) = settings.reconnection {
        b = b.reconnection(on);
    }
    if let Some(attempts) = settings.reconnection_attempts {
        b = b.reconnection_attempts(attempts);
    }
    if let Some(d) = settings.reconnection_delay {
        b = b.reconnection_delay(d);
    }
    if let Some(d) = settings.reconnection_delay_max {
        b = b.reconnection_delay_max(d);
    }
    if let Some(f) = settings.randomization_factor {
        b = b.randomization_factor(f);
    }
    if let Some(timeout) = settings.timeout {
        b = b.connect_timeout(timeout);
    }
    if let Some(d) = settings.ack_timeout {
        b = b.ack_timeout(d);
    }
    if let Some(n) = settings.retries {
        b = b.retries(n);
    }
    b
}

/// How long an ack waits when neither `timeout(ms)` nor `ackTimeout` is set: socket.io-client
/// waits forever; this is the longest a browser timer can wait (about 24.8 days).
pub(crate) const NO_ACK_TIMEOUT: Duration = Duration::from_millis(crate::options::MAX_TIMER_MS);
