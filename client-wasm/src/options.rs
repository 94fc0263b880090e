//! socket.io-client's options, mapped onto [`sio_core::Config`].
//!
//! This part is plain Rust (no JavaScript types) so that it builds and is unit-tested on the
//! host; the wasm layer only reads the JavaScript options object into an [`Options`].
//!
//! Differences from socket.io-client, all deliberate:
//! - `reconnectionAttempts: 0` means "forever", exactly as in socket.io-client (whose
//!   `opts.reconnectionAttempts || Infinity` turns 0 into infinity).
//! - `retries` needs `ackTimeout` (a retry is triggered by a timeout; socket.io-client
//!   misbehaves without one): [`OptionsError::Config`] with `RetriesWithoutTimeout`.
//! - `timeout: false` disables the connect timeout, like socket.io-client.

use std::fmt;
use std::time::Duration;

use sio_core::{Auth, Config, ConfigError, Transports};

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
    /// Seed for the backoff jitter (the wasm layer draws it from `Math.random`).
    pub seed: u64,
}

/// Why the options were rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionsError {
    /// A numeric option is negative, not finite where it must be, or not an integer where it
    /// must be.
    InvalidNumber {
        /// The option's JavaScript name.
        option: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// `transports` lists an unknown transport or none at all.
    InvalidTransports(String),
    /// The core refused the resulting configuration (bad URL, `retries` without
    /// `ackTimeout`, `reconnectionDelayMax` below `reconnectionDelay`).
    Config(ConfigError),
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // (the value is not printed: float formatting would cost the bundle ~10 KB)
            OptionsError::InvalidNumber { option, .. } => write!(
                f,
                "option `{option}` must be a non-negative number (an integer for counts, 0 to 1 for randomizationFactor)"
            ),
            OptionsError::InvalidTransports(t) => write!(
                f,
                "option `transports` must list \"polling\" and/or \"websocket\", got {t}"
            ),
            OptionsError::Config(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for OptionsError {}

impl From<ConfigError> for OptionsError {
    fn from(e: ConfigError) -> Self {
        OptionsError::Config(e)
    }
}

/// The `query` or `extraHeaders` option as pairs, from the raw JSON of what the JavaScript
/// side passes: a string `"a=1&b=2"` (a leading `?` is ignored; percent-decoded, `+` is a
/// space), or the object's entries as a flat `[key, value, key, value, …]` array of strings.
pub fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    if let Some(text) = sio_core::json::as_string(raw) {
        return sio_core::url::parse_query(text.trim_start_matches('?'));
    }
    let mut items = sio_core::json::string_array(raw).into_iter();
    let mut out = Vec::new();
    while let (Some(k), Some(v)) = (items.next(), items.next()) {
        out.push((k, v));
    }
    out
}

/// The longest delay `setTimeout` honours (2^31 - 1 ms); longer ones fire at once.
pub const MAX_TIMER_MS: u64 = 0x7fff_ffff;

/// A non-negative finite number of milliseconds.
fn millis(option: &'static str, value: f64) -> Result<Duration, OptionsError> {
    if value.is_finite() && value >= 0.0 {
        Ok(Duration::from_secs_f64(value / 1000.0))
    } else {
        Err(OptionsError::InvalidNumber { option, value })
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
        Err(OptionsError::InvalidNumber { option, value })
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

/// The core configuration for the server at `url` (an absolute `http(s)://` or `ws(s)://`
/// URL; its path is ignored, its query joins `options.query`).
///
/// The auth payload is always asked for per namespace ([`Auth::Provider`]): in
/// socket.io-client `auth` belongs to each socket, and may be a function called on every
/// connect.
pub fn build_config(url: &str, options: &Options) -> Result<Config, OptionsError> {
    let mut config = Config::new(url)?;
    if let Some(path) = &options.path {
        config.path = path.clone();
    }
    config.query.extend(options.query.iter().cloned());
    config.headers.extend(options.headers.iter().cloned());
    config.transports = transports(
        options.transports.as_deref(),
        options.upgrade.unwrap_or(true),
    )?;
    if let Some(on) = options.reconnection {
        config.reconnection = on;
    }
    if let Some(n) = options.reconnection_attempts {
        config.reconnection_attempts = match count("reconnectionAttempts", n)? {
            Some(0) | None => None,
            Some(n) => Some(n),
        };
    }
    if let Some(ms) = options.reconnection_delay {
        config.reconnection_delay = millis("reconnectionDelay", ms)?;
    }
    if let Some(ms) = options.reconnection_delay_max {
        config.reconnection_delay_max = if ms == f64::INFINITY {
            // The longest delay a browser timer can wait.
            Duration::from_millis(MAX_TIMER_MS)
        } else {
            millis("reconnectionDelayMax", ms)?
        };
    }
    if let Some(f) = options.randomization_factor {
        if !(0.0..=1.0).contains(&f) {
            return Err(OptionsError::InvalidNumber {
                option: "randomizationFactor",
                value: f,
            });
        }
        config.randomization_factor = f;
    }
    match options.timeout {
        None => {}
        Some(None) => config.timeout = None,
        Some(Some(ms)) => config.timeout = Some(millis("timeout", ms)?),
    }
    if let Some(ms) = options.ack_timeout {
        config.ack_timeout = Some(millis("ackTimeout", ms)?);
    }
    if let Some(n) = options.retries {
        config.retries = count("retries", n)?.unwrap_or(u32::MAX);
    }
    config.auth = Auth::Provider;
    config.seed = options.seed;
    config.validate()?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn query_pairs_from_text_or_entries() {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(pairs(None), vec![]);
        assert_eq!(
            pairs(Some(r#""?a=1&b=x%20y+z""#)),
            vec![pair("a", "1"), pair("b", "x y z")]
        );
        assert_eq!(
            pairs(Some(r#"["a","1","é","\ud800"]"#)),
            vec![pair("a", "1"), pair("é", "\u{fffd}")]
        );
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
        assert!(matches!(
            transports(Some(&list(&["webtransport"])), true),
            Err(OptionsError::InvalidTransports(_))
        ));
        assert!(matches!(
            transports(Some(&[]), true),
            Err(OptionsError::InvalidTransports(_))
        ));
    }

    #[test]
    fn defaults_are_socket_io_client_defaults() {
        let config =
            build_config("http://localhost:3000", &Options::default()).expect("valid options");
        assert_eq!(config.path, "/socket.io/");
        assert_eq!(config.timeout, Some(Duration::from_millis(20_000)));
        assert_eq!(config.reconnection_attempts, None);
        assert_eq!(config.reconnection_delay, Duration::from_millis(1000));
        assert_eq!(config.reconnection_delay_max, Duration::from_millis(5000));
        assert_eq!(config.auth, Auth::Provider);
    }

    #[test]
    fn options_map_onto_the_config() {
        let options = Options {
            path: Some("/custom/".into()),
            query: vec![("a".into(), "1".into())],
            transports: Some(list(&["websocket"])),
            reconnection: Some(false),
            reconnection_attempts: Some(3.0),
            reconnection_delay: Some(100.0),
            reconnection_delay_max: Some(200.0),
            randomization_factor: Some(0.0),
            timeout: Some(None),
            ack_timeout: Some(1500.0),
            retries: Some(2.0),
            seed: 7,
            ..Options::default()
        };
        let config =
            build_config("https://example.com/ignored?b=2", &options).expect("valid options");
        assert_eq!(config.path, "/custom/");
        assert!(config.url.secure);
        assert_eq!(config.url.query, vec![("b".to_string(), "2".to_string())]);
        assert_eq!(config.query, vec![("a".to_string(), "1".to_string())]);
        assert_eq!(config.transports, Transports::WebSocketOnly);
        assert!(!config.reconnection);
        assert_eq!(config.reconnection_attempts, Some(3));
        assert_eq!(config.reconnection_delay, Duration::from_millis(100));
        assert_eq!(config.reconnection_delay_max, Duration::from_millis(200));
        assert_eq!(config.timeout, None);
        assert_eq!(config.ack_timeout, Some(Duration::from_millis(1500)));
        assert_eq!(config.retries, 2);
        assert_eq!(config.seed, 7);
    }

    #[test]
    fn zero_or_infinite_attempts_mean_forever() {
        for n in [0.0, f64::INFINITY] {
            let options = Options {
                reconnection_attempts: Some(n),
                ..Options::default()
            };
            let config = build_config("http://h", &options).expect("valid options");
            assert_eq!(config.reconnection_attempts, None, "{n}");
        }
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
            let err = build_config("http://h", &options).expect_err("must be refused");
            assert!(matches!(err, OptionsError::InvalidNumber { .. }), "{err}");
        }
        let err = build_config(
            "http://h",
            &Options {
                retries: Some(3.0),
                ..Options::default()
            },
        )
        .expect_err("must be refused");
        assert_eq!(
            err,
            OptionsError::Config(ConfigError::RetriesWithoutTimeout)
        );
        assert!(matches!(
            build_config("ftp://h", &Options::default()),
            Err(OptionsError::Config(ConfigError::Url(_)))
        ));
        let err = build_config(
            "http://h",
            &Options {
                reconnection_delay: Some(5000.0),
                reconnection_delay_max: Some(10.0),
                ..Options::default()
            },
        )
        .expect_err("must be refused");
        assert_eq!(err, OptionsError::Config(ConfigError::DelayMaxBelowDelay));
    }
}
