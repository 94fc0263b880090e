//! Connection options, with socket.io-client's defaults.
//!
//! Deliberate differences from the JavaScript client (docs/architecture.md): `reconnection_attempts` is an
//! `Option` (`None` = forever, `Some(0)` = no attempt, where JavaScript treats 0 as infinity),
//! and `retries` needs an `ack_timeout` (JavaScript silently misbehaves without one).

use std::time::Duration;

pub use crate::socketio::Parser;
use crate::url::{ServerUrl, UrlError};

/// Which transports may be used, and how the connection starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transports {
    /// Long-polling first, then upgrade to WebSocket when the server offers it (the default).
    PollingThenWebSocket,
    /// Long-polling only, never upgrade.
    PollingOnly,
    /// Straight to WebSocket, no polling handshake.
    WebSocketOnly,
}

/// The event names used for the rooms convention (docs/architecture.md, "Rooms").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomEvents {
    /// Emitted with `[room]` and an ack to join (default `"join"`).
    pub join: String,
    /// Emitted with `[room]` and an ack to leave (default `"leave"`).
    pub leave: String,
}

impl Default for RoomEvents {
    fn default() -> Self {
        Self {
            join: "join".into(),
            leave: "leave".into(),
        }
    }
}

/// How the CONNECT packet's `auth` payload is obtained.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// No auth payload (`40`).
    #[default]
    None,
    /// A fixed JSON object text, sent on every (re)connect.
    Static(String),
    /// Ask the driver before every (re)connect: the core emits
    /// [`Event::AuthRequest`](crate::Event::AuthRequest) and waits for
    /// [`Manager::provide_auth`](crate::Manager::provide_auth).
    Provider,
}

/// Why a configuration was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The server URL is malformed.
    Url(UrlError),
    /// `retries` was set without `ack_timeout`.
    RetriesWithoutTimeout,
    /// `reconnection_delay_max` is smaller than `reconnection_delay`.
    DelayMaxBelowDelay,
    /// A static auth payload is not a JSON object.
    AuthNotAnObject,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Url(e) => write!(f, "{e}"),
            ConfigError::RetriesWithoutTimeout => {
                f.write_str("`retries` needs an `ack_timeout`: a retry is triggered by a timeout")
            }
            ConfigError::DelayMaxBelowDelay => {
                f.write_str("`reconnection_delay_max` must be >= `reconnection_delay`")
            }
            ConfigError::AuthNotAnObject => f.write_str("the auth payload must be a JSON object"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<UrlError> for ConfigError {
    fn from(e: UrlError) -> Self {
        ConfigError::Url(e)
    }
}

/// Everything the core needs to know to connect and reconnect.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The server (scheme, host, port) and the connection query from the URL.
    pub url: ServerUrl,
    /// Engine.IO path, with its trailing slash (default `/socket.io/`).
    pub path: String,
    /// Extra query pairs sent on every HTTP and WebSocket request.
    pub query: Vec<(String, String)>,
    /// Extra headers (not applied by browsers on WebSocket).
    pub headers: Vec<(String, String)>,
    /// Transport selection.
    pub transports: Transports,
    /// Per-attempt connect timeout (default 20 s; `None` disables it).
    pub timeout: Option<Duration>,
    /// Reconnect automatically after a lost connection (default true).
    pub reconnection: bool,
    /// Attempts before giving up (`None` = forever, the default).
    pub reconnection_attempts: Option<u32>,
    /// First backoff delay (default 1 s).
    pub reconnection_delay: Duration,
    /// Backoff cap (default 5 s).
    pub reconnection_delay_max: Duration,
    /// Jitter factor in `[0, 1]` (default 0.5).
    pub randomization_factor: f64,
    /// Default timeout applied to every emit that expects an ack (default none).
    pub ack_timeout: Option<Duration>,
    /// Re-send an unacknowledged emit up to this many times (needs `ack_timeout`; default 0).
    pub retries: u32,
    /// The auth payload of CONNECT packets.
    pub auth: Auth,
    /// Event names of the rooms convention.
    pub room_events: RoomEvents,
    /// Seed for the backoff jitter and request cache-busters; use a random value in production.
    pub seed: u64,
    /// Largest inbound Engine.IO packet or polling payload accepted, in bytes (default 100 MB).
    pub max_inbound_bytes: usize,
    /// Largest number of binary attachments in one Socket.IO packet (default 10).
    pub max_attachments: usize,
    /// Largest Socket.IO packet accepted, its text and all its attachments together, in bytes
    /// (default 100 MB). A bigger one is a parse error
    /// ([`DecodeError::PacketTooLarge`](crate::socketio::DecodeError::PacketTooLarge)).
    pub max_packet_bytes: usize,
    /// Most server ack requests (events that want an ack) kept unanswered per namespace
    /// (default 10,000). When a new one arrives with the table full, the oldest is forgotten:
    /// answering it later with [`Manager::ack`](crate::Manager::ack) gives
    /// [`EmitError::UnknownAck`](crate::EmitError::UnknownAck), and
    /// [`Manager::dropped_ack_requests`](crate::Manager::dropped_ack_requests) counts it. All
    /// of them are forgotten when the namespace disconnects.
    pub max_pending_server_acks: usize,
    /// Report outgoing events as [`Event::Outgoing`](crate::Event::Outgoing) (for `onAnyOutgoing`).
    pub report_outgoing: bool,
    /// How long the websocket upgrade probe may take before polling carries on alone (default 10 s).
    pub upgrade_timeout: Duration,
    /// The Socket.IO packet codec; the server must use the same one (default `Parser::Json`,
    /// socket.io-parser; `Parser::MessagePack`, with the `msgpack` feature, for
    /// socket.io-msgpack-parser).
    pub parser: Parser,
}

impl Config {
    /// Defaults of socket.io-client for the server at `url`.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        let url = ServerUrl::parse(url)?;
        Ok(Self {
            url,
            path: "/socket.io/".into(),
            query: Vec::new(),
            headers: Vec::new(),
            transports: Transports::PollingThenWebSocket,
            timeout: Some(Duration::from_millis(20_000)),
            reconnection: true,
            reconnection_attempts: None,
            reconnection_delay: Duration::from_millis(1000),
            reconnection_delay_max: Duration::from_millis(5000),
            randomization_factor: 0.5,
            ack_timeout: None,
            retries: 0,
            auth: Auth::None,
            room_events: RoomEvents::default(),
            seed: 0x0051_07c1_1e47,
            max_inbound_bytes: 100_000_000,
            max_attachments: 10,
            max_packet_bytes: crate::socketio::DEFAULT_MAX_PACKET_LEN,
            max_pending_server_acks: 10_000,
            report_outgoing: false,
            upgrade_timeout: Duration::from_millis(10_000),
            parser: Parser::Json,
        })
    }

    /// Checks combinations that cannot work, before a [`Manager`](crate::Manager) is built.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.retries > 0 && self.ack_timeout.is_none() {
            return Err(ConfigError::RetriesWithoutTimeout);
        }
        if self.reconnection_delay_max < self.reconnection_delay {
            return Err(ConfigError::DelayMaxBelowDelay);
        }
        if let Auth::Static(json) = &self.auth {
            if !crate::wire::is_object(json) {
                return Err(ConfigError::AuthNotAnObject);
            }
        }
        Ok(())
    }

    /// Normalises `path` to start and end with `/` (socket.io-client's `addTrailingSlash`).
    pub(crate) fn engine_path(&self) -> String {
        let mut p = String::with_capacity(self.path.len() + 2);
        if !self.path.starts_with('/') {
            p.push('/');
        }
        p.push_str(&self.path);
        if !p.ends_with('/') {
            p.push('/');
        }
        p
    }
}
