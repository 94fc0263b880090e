//! socket.io-client's options, checked and turned into typed settings for sio-client's
//! `ClientBuilder`.
//!
//! This part is plain Rust (no JavaScript types) so that it builds and is unit-tested on the
//! host; the wasm layer reads the JavaScript options object into an [`Options`] (with
//! serde-wasm-bindgen) and hands the [`Settings`] to the builder.
//!
//! Differences from socket.io-client, all deliberate:
//! - `reconnectionAttempts: 0` means "forever", exactly as in socket.io-client (whose
//!   `opts.reconnectionAttempts || Infinity` turns 0 into infinity).
//! - `retries` needs `ackTimeout` (a retry is triggered by a timeout; socket.io-client
//!   misbehaves without one): the builder refuses it.
//! - `timeout: false` disables the connect timeout, like socket.io-client.

use std::fmt;
use std::time::Duration;

use sio_core::Transports;

/// Options as read from the JavaScript object given to `io(url, opts)`, with `None` for
/// absent keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Engine.IO path (`path`, default `/socket.io/`).
    pub path: Option<String>,
    /// Extra query pairs (`query`).
    pub query: Vec<(String, String)>,
    /// Extra headers (`extraHeaders`; browsers apply them to polling requests only).
    pub headers: Vec<(String, String)>,
    /// Allowed transports in order of preference (`transports`).
    pub transports: Option<Vec<String>>,
    /// `upgrade` (default true): whether polling may upgrade to WebSocket.
    pub upgrade: Option<bool>,
    /// `reconnection` (default true).
    pub reconnection: Option<bool>,
    /// `reconnectionAttempts` (default and 0: forever).
    pub reconnection_attempts: Option<f64>,
    /// `reconnectionDelay` in ms (default 1000).
    pub reconnection_delay: Option<f64>,
    /// `reconnectionDelayMax` in ms (default 5000).
    pub reconnection_delay_max: Option<f64>,
    /// `randomizationFactor` (default 0.5).
    pub randomization_factor: Option<f64>,
    /// `timeout` in ms for one connection attempt (default 20000); `Some(None)` is `false`.
    pub timeout: Option<Option<f64>>,
    /// `ackTimeout` in ms, applied to every emit expecting an ack.
    pub ack_timeout: Option<f64>,
    /// `retries` (needs `ack_timeout`).
    pub retries: Option<f64>,
    /// `withCredentials` (default false): cookies on cross-origin polling requests.
    pub with_credentials: Option<bool>,
}

/// The checked options, as sio-client's builder takes them (`None`: the builder's default,
/// which is socket.io-client's).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Engine.IO path.
    pub path: Option<String>,
    /// Extra query pairs.
    pub query: Vec<(String, String)>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Transport mode.
    pub transports: Transports,
    /// Reconnect by itself.
    pub reconnection: Option<bool>,
    /// Attempts before giving up (`Some(None)`: forever).
    pub reconnection_attempts: Option<Option<u32>>,
    /// First backoff delay.
    pub reconnection_delay: Option<Duration>,
    /// Largest backoff delay.
    pub reconnection_delay_max: Option<Duration>,
    /// Jitter factor in `[0, 1]`.
    pub randomization_factor: Option<f64>,
    /// Per-attempt connect timeout (`Some(None)`: none).
    pub timeout: Option<Option<Duration>>,
    /// Default ack timeout of every emit.
    pub ack_timeout: Option<Duration>,
    /// Re-sends of an unacknowledged emit.
    pub retries: Option<u32>,
    /// Cookies on cross-origin polling requests.
    pub with_credentials: bool,
}

/// Why the options were rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionsError {
    /// A numeric option is negative, not finite where it must be, or not an integer where it
    /// must be.
    InvalidNumber {
        /// The option's JavaScript name.
        option: &'static str,
    },
    /// `transports` lists an unknown transport or none at all.
    InvalidTransports(String),
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionsError::InvalidNumber { option } => write!(
                f,
                "option `{option}` must be a non-negative number (an integer for counts, 0 to 1 for randomizationFactor)"
            ),
            OptionsError::InvalidTransports(t) => write!(
                f,
                "option `transports` must list \"polling\" and/or \"websocket\", got {t}"
            ),
        }
    }
}

impl std::error::Error for OptionsError {}

/// The longest delay a browser timer can wait (2^31 - 1 ms).
pub const MAX_TIMER_MS: u64 = 0x7fff_ffff;

/// The `query` or `extraHeaders` option as pairs: a text `"a=1&b=2"` (a leading `?` is
/// ignored; percent-decoded, `+` is a space) or an object's entries (values as JavaScript's
/// `String(v)` writes numbers and booleans; `null` entries are left out). `None` for anything
/// else.
pub fn pairs(value: &serde_json::Value) -> Option<Vec<(String, String)>> {
    use serde_json::Value;
    match value {
        Value::String(text) => Some(sio_core::url::parse_query(text.trim_start_matches('?'))),
        Value::Object(map) => {
            let mut out = Vec::with_capacity(map.len());
            for (key, value) in map {
                let text = match value {
                    Value::Null => continue,
                    Value::String(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    Value::Array(_) | Value::Object(_) => return None,
                };
                out.push((key.clone(), text));
            }
            Some(out)
        }
        _ => None,
    }
}

/// A non-negative finite number of milliseconds.
fn millis(option: &'static str, value: f64) -> Result<Duration, OptionsError> {
    if value.is_finite() && value >= 0.0 {
        Ok(Duration::from_millis(value.ceil() as u64))
    } else {
        Err(OptionsError::InvalidNumber { option })
    }
}

/// A non-negative integer count, saturating at `u32::MAX`; `Infinity` gives `None`.
fn count(option: &'static str, value: f64) -> Result<Option<u32>, OptionsError> {
    if value == f64::INFINITY {
        return Ok(None);
    }
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 {
        Ok(Some(if value >= f64::from(u32::MAX) {
            u32::MAX
        } else {
            value as u32
        }))
    } else {
        Err(OptionsError::InvalidNumber { option })
    }
}

/// Maps socket.io-client's `transports` list (and `upgrade`) onto the core's modes: a list
/// starting with `"websocket"` connects straight to WebSocket, a list with both starts with
/// polling and upgrades, `["polling"]` (or `upgrade: false`) stays on polling.
pub fn transports(list: Option<&[String]>, upgrade: bool) -> Result<Transports, OptionsError> {
    let Some(list) = list else {
        return Ok(if upgrade {
            Transports::PollingThenWebSocket
        } else {
            Transports::PollingOnly
        });
    };
    let mut polling = false;
    let mut websocket = false;
    for t in list {
        match t.as_str() {
            "polling" => polling = true,
            "websocket" => websocket = true,
            other => {
                return Err(OptionsError::InvalidTransports(sio_core::error::quoted(
                    other,
                )))
            }
        }
    }
    match (polling, websocket) {
        (false, false) => Err(OptionsError::InvalidTransports("[]".into())),
        (false, true) => Ok(Transports::WebSocketOnly),
        (true, false) => Ok(Transports::PollingOnly),
        (true, true) if list.first().map(String::as_str) == Some("websocket") => {
            Ok(Transports::WebSocketOnly)
        }
        (true, true) if upgrade => Ok(Transports::PollingThenWebSocket),
        (true, true) => Ok(Transports::PollingOnly),
    }
}

/// Checks `options` and converts them. The URL and the rules across options (`retries` needs
/// `ackTimeout`, `reconnectionDelayMax` not below `reconnectionDelay`) are checked by the
/// builder.
pub fn settings(options: &Options) -> Result<Settings, OptionsError> {
    let reconnection_attempts = match options.reconnection_attempts {
        None => None,
        Some(n) => Some(match count("reconnectionAttempts", n)? {
            Some(0) | None => None,
            Some(n) => Some(n),
        }),
    };
    let reconnection_delay_max = match options.reconnection_delay_max {
        None => None,
        // the longest delay a browser timer can wait
        Some(ms) if ms == f64::INFINITY => Some(Duration::from_millis(MAX_TIMER_MS)),
        Some(ms) => Some(millis("reconnectionDelayMax", ms)?),
    };
    if let Some(f) = options.randomization_factor {
        if !(0.0..=1.0).contains(&f) {
            return Err(OptionsError::InvalidNumber {
                option: "randomizationFactor",
            });
        }
    }
    Ok(Settings {
        path: options.path.clone(),
        query: options.query.clone(),
        headers: options.headers.clone(),
        transports: transports(
            options.transports.as_deref(),
            options.upgrade.unwrap_or(true),
        )?,
        reconnection: options.reconnection,
        reconnection_attempts,
        reconnection_delay: options
            .reconnection_delay
            .map(|ms| millis("reconnectionDelay", ms))
            .transpose()?,
        reconnection_delay_max,
        randomization_factor: options.randomization_factor,
        timeout: match options.timeout {
            None => None,
            Some(None) => Some(None),
            Some(Some(ms)) => Some(Some(millis("timeout", ms)?)),
        },
        ack_timeout: options
            .ack_timeout
            .map(|ms| millis("ackTimeout", ms))
            .transpose()?,
        retries: options
            .retries
            .map(|n| count("retries", n).map(|n| n.unwrap_or(u32::MAX)))
            .transpose()?,
        with_credentials: options.with_credentials.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_string()).collect()
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn query_pairs_from_text_or_entries() {
        assert_eq!(
            pairs(&json!("?a=1&b=x%20y+z")),
            Some(vec![pair("a", "1"), pair("b", "x y z")])
        );
        assert_eq!(
            pairs(&json!({ "room": "lobby", "n": 7, "x": 1.5, "on": true, "gone": null })),
            Some(vec![
                pair("room", "lobby"),
                pair("n", "7"),
                pair("x", "1.5"),
                pair("on", "true")
            ])
        );
        assert_eq!(pairs(&json!(["a", "b"])), None);
        assert_eq!(pairs(&json!({ "nested": {} })), None);
    }

    #[test]
    fn transports_follow_socket_io_client() {
        assert_eq!(transports(None, true), Ok(Transports::PollingThenWebSocket));
        assert_eq!(transports(None, false), Ok(Transports::PollingOnly));
        assert_eq!(
            transports(Some(&list(&["websocket"])), true),
            Ok(Transports::WebSocketOnly)
        );
        assert_eq!(
            transports(Some(&list(&["polling"])), true),
            Ok(Transports::PollingOnly)
        );
        assert_eq!(
            transports(Some(&list(&["polling", "websocket"])), true),
            Ok(Transports::PollingThenWebSocket)
        );
        assert_eq!(
            transports(Some(&list(&["polling", "websocket"])), false),
            Ok(Transports::PollingOnly)
        );
        assert_eq!(
            transports(Some(&list(&["websocket", "polling"])), true),
            Ok(Transports::WebSocketOnly)
        );
        assert_eq!(
            transports(Some(&list(&["webtransport"])), true)
                .expect_err("unknown")
                .to_string(),
            "option `transports` must list \"polling\" and/or \"websocket\", got \"webtransport\""
        );
        assert!(matches!(
            transports(Some(&[]), true),
            Err(OptionsError::InvalidTransports(_))
        ));
    }

    #[test]
    fn absent_options_leave_the_defaults() {
        let s = settings(&Options::default()).expect("valid");
        assert_eq!(s.transports, Transports::PollingThenWebSocket);
        assert_eq!(s.reconnection_attempts, None);
        assert_eq!(s.timeout, None);
        assert!(!s.with_credentials);
    }

    #[test]
    fn options_map_onto_settings() {
        let options = Options {
            path: Some("/custom/".into()),
            query: vec![pair("a", "1")],
            transports: Some(list(&["websocket"])),
            reconnection: Some(false),
            reconnection_attempts: Some(3.0),
            reconnection_delay: Some(100.0),
            reconnection_delay_max: Some(200.0),
            randomization_factor: Some(0.0),
            timeout: Some(None),
            ack_timeout: Some(1500.0),
            retries: Some(2.0),
            with_credentials: Some(true),
            ..Options::default()
        };
        let s = settings(&options).expect("valid options");
        assert_eq!(s.path.as_deref(), Some("/custom/"));
        assert_eq!(s.query, vec![pair("a", "1")]);
        assert_eq!(s.transports, Transports::WebSocketOnly);
        assert_eq!(s.reconnection, Some(false));
        assert_eq!(s.reconnection_attempts, Some(Some(3)));
        assert_eq!(s.reconnection_delay, Some(Duration::from_millis(100)));
        assert_eq!(s.reconnection_delay_max, Some(Duration::from_millis(200)));
        assert_eq!(s.randomization_factor, Some(0.0));
        assert_eq!(s.timeout, Some(None));
        assert_eq!(s.ack_timeout, Some(Duration::from_millis(1500)));
        assert_eq!(s.retries, Some(2));
        assert!(s.with_credentials);
    }

    #[test]
    fn zero_or_infinite_attempts_mean_forever() {
        for n in [0.0, f64::INFINITY] {
            let options = Options {
                reconnection_attempts: Some(n),
                ..Options::default()
            };
            let s = settings(&options).expect("valid options");
            assert_eq!(s.reconnection_attempts, Some(None), "{n}");
        }
        let max = Options {
            reconnection_delay_max: Some(f64::INFINITY),
            ..Options::default()
        };
        assert_eq!(
            settings(&max).expect("valid").reconnection_delay_max,
            Some(Duration::from_millis(MAX_TIMER_MS))
        );
    }

    #[test]
    fn bad_values_are_typed_errors() {
        let bad = [
            Options {
                reconnection_delay: Some(-1.0),
                ..Options::default()
            },
            Options {
                timeout: Some(Some(f64::NAN)),
                ..Options::default()
            },
            Options {
                retries: Some(1.5),
                ..Options::default()
            },
            Options {
                randomization_factor: Some(2.0),
                ..Options::default()
            },
        ];
        for options in bad {
            let err = settings(&options).expect_err("must be refused");
            assert!(matches!(err, OptionsError::InvalidNumber { .. }), "{err}");
        }
    }
}
