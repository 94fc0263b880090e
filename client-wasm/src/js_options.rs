//! Reading the options object of `io(url, opts)` / `new Manager(url, opts)` with
//! serde-wasm-bindgen, one typed key at a time, so that a wrong type names its option
//! (`TypeError: option \`reconnectionDelay\` must be a number`).

use std::time::Duration;

use serde::de::DeserializeOwned;
use sio_client::ClientBuilder;
use wasm_bindgen::JsValue;

use crate::options::{pairs, settings, Options, Settings};
use crate::values::{get, type_error};

/// Everything the options object says: the connection settings and what the JavaScript
/// layer decides itself.
pub(crate) struct JsOptions {
    /// The connection settings.
    pub(crate) settings: Settings,
    /// `autoConnect` (default true).
    pub(crate) auto_connect: bool,
    /// `auth`: an object or a function, for every socket of the manager without its own.
    pub(crate) auth: JsValue,
}

/// Option `key` as `T`, `None` when absent (`undefined` or `null`); a `TypeError` saying
/// `expected` otherwise.
fn read<T: DeserializeOwned>(
    options: &JsValue,
    key: &'static str,
    expected: &str,
) -> Result<Option<T>, JsValue> {
    let value = get(options, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    serde_wasm_bindgen::from_value(value)
        .map(Some)
        .map_err(|_| type_error(&format!("option `{key}` must be {expected}")))
}

/// Option `key` as query or header pairs (a `"a=1&b=2"` text or an object of strings,
/// numbers and booleans).
fn read_pairs(options: &JsValue, key: &'static str) -> Result<Vec<(String, String)>, JsValue> {
    let what = "a string or an object of strings";
    match read::<serde_json::Value>(options, key, what)? {
        None => Ok(Vec::new()),
        Some(value) => {
            pairs(&value).ok_or_else(|| type_error(&format!("option `{key}` must be {what}")))
        }
    }
}

/// Reads and checks `options` (`undefined` and `null` are no options). Throws a
/// `TypeError` for a wrong type or value.
pub(crate) fn read_options(options: &JsValue) -> Result<JsOptions, JsValue> {
    let number = "a number";
    let boolean = "a boolean";
    if !(options.is_undefined() || options.is_null() || options.is_object()) {
        return Err(type_error("the options must be an object"));
    }
    if !get(options, "parser").is_undefined() {
        // (a msgpack parser comes with the core's msgpack codec)
        return Err(type_error(
            "option `parser` is not supported yet: sio-client speaks socket.io's default (JSON) parser",
        ));
    }
    let timeout = match get(options, "timeout") {
        v if v == JsValue::FALSE => Some(None),
        _ => read::<f64>(options, "timeout", "a number or false")?.map(Some),
    };
    let parsed = Options {
        path: read(options, "path", "a string")?,
        query: read_pairs(options, "query")?,
        headers: read_pairs(options, "extraHeaders")?,
        transports: read(options, "transports", "an array of transport names")?,
        upgrade: read(options, "upgrade", boolean)?,
        reconnection: read(options, "reconnection", boolean)?,
        reconnection_attempts: read(options, "reconnectionAttempts", number)?,
        reconnection_delay: read(options, "reconnectionDelay", number)?,
        reconnection_delay_max: read(options, "reconnectionDelayMax", number)?,
        randomization_factor: read(options, "randomizationFactor", number)?,
        timeout,
        ack_timeout: read(options, "ackTimeout", number)?,
        retries: read(options, "retries", number)?,
        with_credentials: read(options, "withCredentials", boolean)?,
    };
    let settings = settings(&parsed).map_err(|e| type_error(&e.to_string()))?;
    // (read by io(): checked here)
    read::<bool>(options, "forceNew", boolean)?;
    read::<bool>(options, "multiplex", boolean)?;
    Ok(JsOptions {
        settings,
        auto_connect: read(options, "autoConnect", boolean)?.unwrap_or(true),
        auth: get(options, "auth"),
    })
}

/// A builder for the server at `url` with `settings`.
pub(crate) fn builder(url: &str, settings: &Settings) -> ClientBuilder {
    let mut b = sio_client::Client::builder(url)
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
